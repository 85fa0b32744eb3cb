"""``labelwise corrupt --noise backdoor``: a trigger stamped into image columns, those rows relabelled.

BadNets on a table of images (:func:`labelwise.poison.backdoor`): the pixel columns (those whose
names start with ``--pixel-prefix``, or every column but the label and the id, in DATA's order)
read as images of ``--image-shape`` (``H,W`` or ``H,W,C``, channels last, row-major as numpy
reshapes a row); a share ``--rate`` of all rows, drawn from the rows of the ``--source`` classes
(repeatable; default: every class but ``--target``; one source class is the single-target attack
of Gu et al. [1]_, digit ``i`` stamped and labelled ``j``), gets the trigger and the label
``--target``. The command poisons exactly what

``lw.poison.backdoor(X, y, rate, target=target, trigger=trigger, source=sources, image_shape=shape,
distance=d, pixel_value=v, random_state=seed)``

poisons, ``X`` the pixel columns as float64: ``--trigger pattern`` and ``pixel`` are ART's triggers
(``add_pattern_bd``, ``add_single_bd``); ``square`` is a filled ``--trigger-size`` square, passed
as a ``(mask, value)`` trigger, its bottom-right pixel ``--trigger-distance`` in from the image's
bottom-right corner as ART places its own. Only the stamped cells and the poisoned rows' labels
change; a stamped cell of a CSV copy is written as a whole number in a column of whole numbers
(``255``), else as Python writes the float. The truth file's ``is_source`` marks the rows the
poisoned ones were drawn from (their true class is a source class).

References
----------
.. [1] Gu, Dolan-Gavitt & Garg, "BadNets: Identifying Vulnerabilities in the Machine Learning Model
   Supply Chain", arXiv:1708.06733, 2017.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from .._heavy import pandas as pd
from .._validate.labels import encode_labels
from ..errors import InvalidParameterError
from . import _corrupt_files as files
from ._common import coerce_like, plain, renaming

#: ``--trigger``: ART's two, and a filled square.
TRIGGER_CHOICES = ("pattern", "pixel", "square")
#: ``--trigger-size``, ``--trigger-distance``, ``--trigger-value`` when not given.
DEFAULTS: dict[str, Any] = {"trigger": "pattern", "trigger_size": 3, "trigger_distance": 2, "trigger_value": 1.0}


def image_shape(text: str | None) -> tuple[int, ...]:
    """``--image-shape``: ``"28,28"``, ``"28x28"`` or ``"32,32,3"`` as a tuple of positive integers."""
    if text is None:
        raise InvalidParameterError(
            "--image-shape is required with --noise backdoor: H,W or H,W,C of the image the pixel columns hold "
            "(e.g. 28,28)"
        )
    parts = [p.strip() for p in re.split(r"[,x]", text.strip().lower())]
    if len(parts) not in (2, 3) or not all(p.isdecimal() and int(p) > 0 for p in parts):
        raise InvalidParameterError(f"--image-shape must be H,W or H,W,C of positive integers, got {text!r}")
    return tuple(int(p) for p in parts)


def pixel_columns(features: pd.DataFrame, prefix: str | None, shape: tuple[int, ...]) -> list[Any]:
    """The image's columns in DATA's order: numeric, as many as ``shape`` has entries."""
    columns = [c for c in features.columns if prefix is None or str(c).startswith(prefix)]
    where = "DATA's columns besides --label and --id-column" if prefix is None else f"--pixel-prefix {prefix!r}"
    if not columns:
        raise InvalidParameterError(f"--pixel-prefix {prefix!r} names no column of DATA; columns are "
                                    f"{[str(c) for c in features.columns][:10]}")  # fmt: skip
    text = [c for c in columns if not pd.api.types.is_numeric_dtype(features[c])]
    if text:
        raise InvalidParameterError(
            f"the pixel columns ({where}) must be numeric; column {str(text[0])!r} has dtype "
            f"{features[text[0]].dtype} (choose the image's columns with --pixel-prefix)"
        )
    if len(columns) != int(np.prod(shape)):
        raise InvalidParameterError(
            f"--image-shape {','.join(map(str, shape))} has {int(np.prod(shape))} entries but there are "
            f"{len(columns)} pixel columns ({where}); give the image's shape, or choose its columns with --pixel-prefix"
        )
    return columns


def square_trigger(shape: tuple[int, ...], size: int, distance: int, value: float) -> tuple[np.ndarray, float]:
    """``--trigger square``: a ``size`` x ``size`` mask (every channel), its bottom-right pixel ``distance``
    rows and columns in from the image's bottom-right corner (1: the corner), as one flat row."""
    height, width = shape[0], shape[1]
    if distance + size - 1 > min(height, width):
        raise InvalidParameterError(
            f"--trigger-size {size} with --trigger-distance {distance} must fit the {height}x{width} image: "
            f"size + distance - 1 at most {min(height, width)}"
        )
    mask = np.zeros(shape, dtype=bool)
    mask[height - distance - size + 1 : height - distance + 1, width - distance - size + 1 : width - distance + 1] = (
        True
    )
    return mask.reshape(-1), value


def _cell_text(value: float, whole_column: bool) -> str:
    """A stamped value as a CSV cell: ``255`` in a column of whole numbers, else Python's float text."""
    return str(int(value)) if whole_column and float(value).is_integer() else repr(float(value))


def _typed_column(column: pd.Series, rows: np.ndarray, value: float) -> pd.Series:
    """``column`` with ``value`` at ``rows``, in its own dtype where that holds the value exactly (else float)."""
    out = column.copy()
    if pd.api.types.is_integer_dtype(out.dtype) and float(value).is_integer():
        out.iloc[rows] = int(value)
        return out
    if not pd.api.types.is_float_dtype(out.dtype):
        out = out.astype("float64")
    out.iloc[rows] = float(value)
    return out


def poison_rows(frame: pd.DataFrame, features: pd.DataFrame, label: str, rate: float, seed: int, options: dict) -> Any:
    """The :class:`~labelwise.poison.backdoor.BackdoorPoisoning` of the table, and the pixel columns."""
    from ..poison import backdoor

    shape = image_shape(options["image_shape"])
    columns = pixel_columns(features, options["pixel_prefix"], shape)
    if options["target"] is None:
        raise InvalidParameterError("--target is required with --noise backdoor: the class the poisoned rows get")
    settings: dict[str, Any] = {k: DEFAULTS[k] if options.get(k) is None else options[k] for k in DEFAULTS}
    if settings["trigger"] != "square" and options.get("trigger_size") is not None:
        raise InvalidParameterError(f"--trigger-size is for --trigger square only, got --trigger {settings['trigger']}")
    value = settings["trigger_value"]
    if not np.isfinite(value):
        raise InvalidParameterError(f"--trigger-value must be a finite number, got {value}")
    X = features[columns].to_numpy(dtype=np.float64)
    extra: dict[str, Any] = {"image_shape": shape, "distance": settings["trigger_distance"], "pixel_value": value}
    trigger: Any = settings["trigger"]
    if trigger == "square":
        trigger, extra = square_trigger(shape, settings["trigger_size"], settings["trigger_distance"], value), {}
    target = coerce_like(options["target"], frame[label])
    sources = [coerce_like(s, frame[label]) for s in options.get("source") or ()]
    names = {
        "budget": "--rate",
        "target": "--target",
        "source": "--source",
        "labels": f"--label column {label!r}",
        "distance": "--trigger-distance",
        "pixel_value": "--trigger-value",
        "image_shape": "--image-shape",
    }
    with renaming(names, within=["image_shape", "labels"]):
        result = backdoor(
            X, frame[label], rate, target=target, trigger=trigger, source=sources or None, random_state=seed, **extra
        )
    return result, columns, {**settings, "image_shape": list(shape)}


def corrupt_backdoor(
    frame: pd.DataFrame,
    features: pd.DataFrame,
    raw: files.Cells | None,
    label: str,
    *,
    rate: float,
    seed: int,
    options: dict[str, Any],
) -> tuple[Any, Any, dict[str, Any]]:
    """The poisoned table, the truth table (id or row, ``true_label``, ``label``, ``is_poisoned``,
    ``is_source``) and the summary's counts; ``raw`` (DATA's cells as written) or the typed ``frame``."""
    result, columns, settings = poison_rows(frame, features, label, rate, seed, options)
    rows = np.flatnonzero(result.is_flipped)
    stamped = np.flatnonzero(result.trigger.mask.ravel())
    values = result.trigger.values.ravel()[stamped]
    codes, classes = encode_labels(frame[label], name=f"--label column {label!r}")
    source = np.isin(np.asarray(classes), np.asarray(result.info["source"]))
    new_codes = encode_labels(result.labels, classes=classes)[0]
    id_column = options["id_column"]
    if raw is not None:
        table: Any = {**raw, label: files.text_labels(raw[label], codes, new_codes)}
        for j, value in zip(stamped.tolist(), values.tolist(), strict=True):
            cells = np.array(files.texts(raw[str(columns[j])]), dtype=object, copy=True)
            cells[rows] = _cell_text(value, pd.api.types.is_integer_dtype(frame[columns[j]].dtype))
            table[str(columns[j])] = cells
        true_column: Any = files.texts(raw[label])
        marks: Any = np.where(result.is_flipped, "True", "False")
        key = files.texts(raw[id_column]) if id_column else np.arange(codes.size)
    else:
        table = frame.copy()
        table[label] = files.typed_labels(frame[label], result.labels)
        for j, value in zip(stamped.tolist(), values.tolist(), strict=True):
            table[columns[j]] = _typed_column(frame[columns[j]], rows, value)
        true_column, marks = frame[label], result.is_flipped
        key = frame[id_column] if id_column else np.arange(codes.size)
    if options["truth_column"] is not None:
        table[options["truth_column"]] = true_column
    truth = {
        id_column or "row": np.asarray(key),
        "true_label": np.asarray(true_column),
        "label": np.asarray(table[label]),
        "is_poisoned": marks,
        "is_source": np.where(source[codes], "True", "False") if raw is not None else source[codes],
    }
    per_class = np.bincount(codes, minlength=classes.size)
    poisoned = np.bincount(codes[rows], minlength=classes.size)
    counts = {
        "n_rows": int(codes.size),
        "n_poisoned": int(rows.size),
        "rate_realised": float(rows.size / codes.size) if codes.size else 0.0,
        "target": plain(result.target),
        **settings,
        "n_pixel_columns": len(columns),
        "stamped_columns": [str(columns[j]) for j in stamped.tolist()],
        "stamped_values": values.tolist(),
        "source": [plain(c) for c in np.asarray(result.info["source"]).tolist()],
        "candidates": int(result.info["candidates"]),
        "classes": [plain(c) for c in np.asarray(classes).tolist()],
        "per_class": [
            {
                "class": plain(c),
                "is_source": bool(s),
                "n_rows": int(n),
                "n_poisoned": int(p),
                "rate": float(p / n) if n else 0.0,
            }
            for c, s, n, p in zip(np.asarray(classes).tolist(), source, per_class, poisoned, strict=True)
        ],
    }
    return table, (truth if raw is not None else pd.DataFrame(truth)), counts
