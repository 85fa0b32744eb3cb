"""The options of ``labelwise corrupt`` that depend on ``--task`` and ``--noise``, and their checks.

Each ``--task`` takes its own kinds of ``--noise`` (:data:`TASK_KINDS`); an option of one kind only
(``--frac-zero``, ``--sharpness``, ``--drop-rate``, ``--target``, ...) is refused with another
kind, and every check runs before DATA is read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import numpy as np

from .._validate.arguments import check_fraction
from ..errors import InvalidParameterError
from ._common import option_given, read_input, renaming
from ._corrupt_backdoor import TRIGGER_CHOICES
from ._corrupt_kinds import KINDS, MATRIX_KINDS
from ._corrupt_regression import DEFAULT_REGRESSION_KIND, REGRESSION_KINDS
from ._corrupt_tags import TAG_KINDS, check_tag_options
from ._tag_option import check_tag_separator, tag_separator_option

#: ``--task``: the kinds of ``--noise`` each takes, the first its default.
TASK_KINDS = {
    "classification": (*KINDS, "backdoor"),
    "multilabel": TAG_KINDS,
    "regression": (DEFAULT_REGRESSION_KIND, *REGRESSION_KINDS[:-1]),
}
#: Every ``--noise`` choice, over all tasks.
NOISE_CHOICES = list(dict.fromkeys(k for kinds in TASK_KINDS.values() for k in kinds))

#: The options of one kind only, and the kinds they belong to.
_KIND_OPTIONS = {
    "frac_zero": ("--frac-zero", ("random",)),
    "probs": ("--probs", ("instance",)),
    "sharpness": ("--sharpness", ("instance",)),
    "model": ("--model", ("instance",)),
    "cv": ("--cv", ("instance",)),
    "time_budget": ("--time-budget", ("instance",)),
    "magnitude": ("--magnitude", ("shift", "mixed")),
    "drop_rate": ("--drop-rate", ("drop-add",)),
    "add_rate": ("--add-rate", ("drop-add",)),
    "target": ("--target", ("backdoor",)),
    "source": ("--source", ("backdoor",)),
    "image_shape": ("--image-shape", ("backdoor",)),
    "pixel_prefix": ("--pixel-prefix", ("backdoor",)),
    "trigger": ("--trigger", ("backdoor",)),
    "trigger_size": ("--trigger-size", ("backdoor",)),
    "trigger_distance": ("--trigger-distance", ("backdoor",)),
    "trigger_value": ("--trigger-value", ("backdoor",)),
}


def check_options(task: str, noise: str, rate: float | None, matrix: Path | None, given: dict[str, Any]) -> float:
    """The options that do not need DATA: ``--noise`` of ``--task``, ``--rate`` or ``--matrix`` (one)
    (``--rate``, ``--drop-rate``/``--add-rate`` or ``--tag-rates`` for multilabel), and each kind's own options."""
    if noise not in TASK_KINDS[task]:
        raise InvalidParameterError(f"--noise must be one of {list(TASK_KINDS[task])} for --task {task}, got {noise!r}")
    if matrix is not None and task != "classification":
        raise InvalidParameterError(f"--matrix is for --task classification only, got --task {task}")
    for key in ("tag_rates", "tag_separator"):
        if option_given(key) and task != "multilabel":
            raise InvalidParameterError(f"--{key.replace('_', '-')} is for --task multilabel only, got --task {task}")
    for key, (option, kinds) in _KIND_OPTIONS.items():
        if option_given(key) and noise not in kinds:
            raise InvalidParameterError(f"{option} is for --noise {'/'.join(kinds)} only, got --noise {noise}")
    if task == "multilabel":
        given["tag_separator"] = check_tag_separator(given["tag_separator"])
        check_tag_options(noise, rate, given.get("drop_rate"), given.get("add_rate"), given.get("tag_rates"))
        return 0.0 if rate is None else float(rate)
    if matrix is not None:
        if rate is not None:
            raise InvalidParameterError(
                f"--rate and --matrix exclude each other (the matrix sets each class's rate), got --rate {rate:g}"
            )
        if option_given("noise"):
            raise InvalidParameterError(
                f"--matrix replaces the matrix of --noise {'/'.join(MATRIX_KINDS)}: give one of --matrix and "
                f"--noise, got --noise {noise}"
            )
    elif rate is None:
        raise InvalidParameterError("--rate is required (the share of labels to flip, e.g. 0.1), or give --matrix")
    if given.get("frac_zero") is not None:
        check_fraction("--frac-zero", given["frac_zero"])
    if given.get("magnitude") is not None and not given["magnitude"] > 0:
        raise InvalidParameterError(f"--magnitude must be a positive number, got {given['magnitude']:g}")
    return 0.0 if rate is None else check_fraction("--rate", rate)


def check_rate_bound(rate: float, n_classes: int, noise: str) -> None:
    """One rule for every ``--noise`` kind of ``--task classification``: ``--rate`` below ``(K-1)/K``.

    The noise matrices refuse a rate at or above the bound (:func:`labelwise.noise.noise_matrix`); the
    attacks of :mod:`labelwise.poison` run such a budget with a warning, for a robustness curve that
    wants it. A table written by ``corrupt`` is for training on, so every kind is refused alike here,
    before any model is fitted. (A kind with a tighter bound, ``pair``'s 0.5, is refused by its own.)
    """
    bound = (n_classes - 1) / n_classes
    if rate < bound:
        return
    swapped = (
        "; for two classes a rate r is the rate 1 - r with the class names swapped, and a model learns them swapped"
        if n_classes == 2
        else ""
    )
    raise InvalidParameterError(
        f"--rate must be < {bound:.4g}, (K-1)/K for the K={n_classes} classes of --label, for every --noise kind, "
        f"got {rate:g} (--noise {noise}): at or above it the written labels are wrong at least as often as a "
        f"uniform guess{swapped}"
    )


def read_matrix(path: Path, classes: np.ndarray) -> np.ndarray:
    """``--matrix``: a table whose first column names the given class and whose other columns are the
    true classes, ``P(given = row | true = column)``; rows and columns in any order, every class of
    the label column once. Returned in the order of ``classes``."""
    from ..noise import check_noise_matrix

    table = read_input(path, "--matrix", kind="noise matrix file", text_columns=lambda names: names[:1])
    names = [str(c) for c in classes]
    rows = [str(v) for v in table.iloc[:, 0]]
    cols = [str(c) for c in table.columns[1:]]
    for what, found in (("rows (first column)", rows), ("columns (header)", cols)):
        if sorted(found) != sorted(names) or len(set(found)) != len(found):
            raise InvalidParameterError(
                f"--matrix {str(path)!r} must name each class of the label column once in its {what}, {names}; "
                f"got {found}"
            )
    values = table.iloc[:, 1:].set_axis(cols, axis=1)
    values.index = rows
    with renaming({"noise_matrix": "--matrix"}):
        try:
            arr = values.loc[names, names].to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidParameterError(f"--matrix {str(path)!r} must hold numbers besides its first column") from None
        return check_noise_matrix(arr, classes.size, name="noise_matrix")


def new_kind_options(function: Callable) -> Callable:
    """The options of ``--task multilabel`` and of ``--noise backdoor`` (after ``--magnitude`` in ``--help``)."""
    options = [
        click.option(
            "--drop-rate", type=float, default=None, help="--task multilabel, drop-add: share of present tags dropped."
        ),
        click.option(
            "--add-rate", type=float, default=None, help="--task multilabel, drop-add: share of absent tags added."
        ),
        click.option(
            "--tag-rates",
            type=click.Path(path_type=Path),
            default=None,
            help="--task multilabel: each tag's rates, a table: the tag, then rate (symmetric) or drop_rate and "
            "add_rate (drop-add).",
        ),
        tag_separator_option(
            "--task multilabel: the separator of the tags in a --label cell ('a|b'); changed cells are joined with it."
        ),
        click.option("--target", default=None, help="--noise backdoor: the class the poisoned rows are labelled."),
        click.option(
            "--source",
            multiple=True,
            help="--noise backdoor: a class whose rows may be poisoned (repeat for several; default: every class "
            "but --target).",
        ),
        click.option(
            "--image-shape",
            default=None,
            help="--noise backdoor: H,W or H,W,C: how the pixel columns (in DATA's order, channels last) form an image.",
        ),
        click.option(
            "--pixel-prefix",
            default=None,
            help="--noise backdoor: the image is the columns whose names start with this (default: every column "
            "but --label and --id-column).",
        ),
        click.option(
            "--trigger",
            type=click.Choice(list(TRIGGER_CHOICES)),
            default=None,
            help="--noise backdoor: pattern (ART's 3x3 checkerboard, default), pixel (one pixel) or square "
            "(a filled --trigger-size square).",
        ),
        click.option(
            "--trigger-size", type=click.IntRange(min=1), default=None, help="--trigger square: its side [3]."
        ),
        click.option(
            "--trigger-distance",
            type=click.IntRange(min=1),
            default=None,
            help="--noise backdoor: pixels between the trigger and the image's bottom and right edges, ART's "
            "distance [2].",
        ),
        click.option(
            "--trigger-value",
            type=float,
            default=None,
            help="--noise backdoor: the value stamped (255 for 0-255 images) [1].",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function
