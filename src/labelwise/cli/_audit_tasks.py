"""``labelwise audit --task ...`` for the label shapes other than classification.

Reads the input of each task, runs its ``find_label_issues`` and writes ``issues.csv`` (one row
per unit, worst first), ``summary.json`` and a task-specific table (``classes.csv``,
``sentences.csv``, ``regions.csv``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .._heavy import pandas as pd
from .._tag_cells import DEFAULT_SEPARATOR
from .._validate.arguments import show
from ..errors import (
    InvalidLabelsError,
    InvalidParameterError,
    LabelwiseError,
    MissingColumnError,
    ShapeMismatchError,
    TooFewExamplesError,
)
from ..io import files_together, read_masks, write_csv
from ..io.arrays import load_npz
from ..io.audit_summary import write_audit_summary
from ..io.paths import require_folder
from ._audit_detection import run_detection
from ._classes_option import check_class_count, parse_classes
from ._column_hint import column_hint
from ._common import console, load_npy, plain, print_frame, read_input, renaming
from ._na_values import na_values_setting
from ._tag_option import cell_tags, cell_text, check_tag_separator
from ._task_probs_files import is_probs_table, predictions_table, tag_probs_table
from ._task_screen import SCREEN_TITLE, screen_frame
from ._task_tables import insert_ids, task_ids
from ._wrote import print_wrote

TASKS = ("classification", "multilabel", "token", "segmentation", "regression", "detection")
PROBS_TASKS = ("multilabel", "token", "segmentation")
PREDICTIONS_TASKS = ("regression", "detection")
#: The options one task (or two) reads, and the tasks that read them (any other task refuses them).
TASK_OPTIONS = {
    "label": ("classification", "multilabel", "token", "regression"),
    "classes": ("classification", "multilabel", "token"),
    "tag_separator": ("multilabel",),
    "ignore_index": ("segmentation",),
    "mixture_prior": ("regression",),
    "id_column": ("classification", "multilabel", "token", "regression"),
    "sentence_column": ("token",),
    "token_column": ("token",),
}


#: What ``--probs`` holds for each task that needs it (the error when it is missing says so).
PROBS_SHAPES = {
    "multilabel": "an (n, K) .npy of each tag's out-of-fold probability, or a table with a column per tag",
    "token": "an (n_tokens, K) .npy or table (a column per tag), or an .npz of one array per sentence",
    "segmentation": "an (N, K, H, W) .npy of the pixels' out-of-fold probabilities",
}


def _load_array(path: Path | None, option: str, *, task: str, mmap: bool = False) -> Any:
    if path is None:
        raise InvalidParameterError(f"--task {task} needs {option} ({PROBS_SHAPES[task]}); it trains no model itself")
    if str(path).endswith(".npz"):
        data = load_npz(path, parameter=option)
        return [data[k] for k in sorted(data, key=lambda k: (len(k), k))]
    return load_npy(Path(path), option, mmap=mmap)


def _column(frame: pd.DataFrame, label: str | None) -> pd.Series:
    if label is None:
        raise InvalidParameterError(f"--label is required: name the label column (columns: {list(frame.columns)})")
    if label not in frame.columns:
        hint = column_hint(label, frame.columns)  # 'Tags' for 'tags', as the classification audit says
        raise MissingColumnError(f"--label {label!r} is not in the data{hint}; columns are {list(frame.columns)}")
    return frame[label]


def _numeric_target(y: pd.Series, label: str) -> np.ndarray:
    """The regression target, or an error naming the label column and the first row that is not a finite number."""
    values = pd.to_numeric(y, errors="coerce").to_numpy(dtype=np.float64)
    return _all_finite(values, y.iloc, f"--label column {label!r}", " for --task regression", InvalidLabelsError)


def _all_finite(values: np.ndarray, cells: Any, name: str, context: str, error: type[Exception]) -> np.ndarray:
    """``values`` when every one is finite, else ``error`` naming ``name`` and the first bad row's cell
    as given (``cells[row]``) and how many rows are bad."""
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise error(
            f"{name} must hold finite numbers{context}; row {row} is {show(cells[row])} ({int(bad.sum())} such row(s))"
        )
    return values


def _multilabel(
    data: Path,
    label: str | None,
    probs_path: Path | None,
    classes: list[str] | None,
    tag_separator: str,
    settings: dict | None = None,
    id_column: str | None = None,
    **_: Any,
) -> tuple[Any, dict[str, pd.DataFrame]]:
    from ..audit import multilabel
    from ._tag_cell_notices import tag_cell_notices

    separator = check_tag_separator(tag_separator)
    frame = read_input(data, "DATA", text_columns=[c for c in (label, id_column) if c])
    tags = _column(frame, label)
    ids = task_ids(frame, id_column, Path(data), label=label)
    notices = tag_cell_notices(tags, separator, str(label), Path(data))
    for notice in notices:
        console().print(f"notice: {plain(notice)}")
    if notices and settings is not None:
        settings["notices"] = notices  # run_task_audit lifts them to summary.json's top
    if probs_path is not None and is_probs_table(Path(probs_path)):  # a header naming the tags: matched by name
        found = {t for cell in tags for t in cell_tags(cell, separator)}
        probs, named = tag_probs_table(Path(probs_path), found, classes, numbered=True, ids=ids)
        classes = classes if named is None else named
    else:
        probs = _load_array(probs_path, "--probs", task="multilabel")
    # without --classes: digit tags ("3|10") are column numbers, other tags name the columns in sorted order
    check_class_count(classes, _probs_columns(probs))
    if len(probs) != len(tags):
        raise ShapeMismatchError(f"--probs must have one row per row of DATA ({len(tags)}), got {len(probs)}")
    # the library's messages start with its parameters' names: say the options instead
    names = {
        "probs": "--probs",
        "labels row": f"--label column {label!r} row",
        "labels use": f"--label column {label!r} uses",
    }
    with renaming(names, within=["probs"]):  # "... but probs has 4 columns" mid-message too
        result = multilabel.find_label_issues(
            [cell_text(t) for t in tags], probs, classes=classes, tag_separator=separator
        )
    issues = {} if ids is None else {"issues.csv": insert_ids(result.to_frame(), ids, str(id_column), at="row")}
    return result, {**issues, "classes.csv": result.class_summary}


def _probs_columns(probs: Any) -> int:
    """Columns of ``--probs``: an array, or one array per sentence."""
    first = probs[0] if isinstance(probs, list) and probs else probs
    return int(np.shape(first)[-1]) if np.ndim(first) >= 1 else 0


def _token(data: Path, probs_path: Path | None, classes: list[str] | None, **given: Any) -> tuple[Any, dict]:
    """The token audit (:mod:`._audit_token`): DATA as a CoNLL file, or with ``--sentence-column`` a token table."""
    from ._audit_token import run_token

    names = ("label", "sentence_column", "token_column", "id_column")
    result, tables = run_token(data, probs_path, classes, _load_array, **{k: given.get(k) for k in names})
    issues = {} if tables.issues is None else {"issues.csv": tables.issues}  # a token table's ids beside the rows
    return result, {**issues, "sentences.csv": tables.sentences}


#: The segmentation audit's way of naming an image: ``image 3 has 255``, ``image 3 does not`` (its position).
_IMAGE_AT = re.compile(r"\bimage (\d+)(?= (?:has|does not)\b)")


def _segmentation(
    data: Path, probs_path: Path | None, ignore_index: int | None, **_: Any
) -> tuple[Any, dict[str, pd.DataFrame]]:
    from ..audit import segmentation

    masks, names = read_masks(require_folder(data, parameter="DATA", kind="folder of mask PNGs"))
    probs = _load_array(probs_path, "--probs", task="segmentation", mmap=True)
    if (isinstance(probs, list) or np.ndim(probs) == 4) and len(probs) != len(masks):  # (N, K, H, W) or one per key
        got = f"{len(probs)} arrays" if isinstance(probs, list) else f"shape {np.shape(probs)}"
        raise ShapeMismatchError(f"--probs must have one image per mask of DATA ({len(masks)}), got {got}")
    # mid-message too: "labels (6, 24, 32) is (N, H, W), probs ..." (the segmentation audit says labels only of its masks)
    options = {"probs": "--probs", "ignore_index": "--ignore-index", "labels": "DATA's masks"}
    try:
        with renaming(options, within=["probs", "labels", "ignore_index"]):
            result = segmentation.find_label_issues(masks, probs, ignore_index=ignore_index)
    except LabelwiseError as exc:  # "image 3 has 255": a position in the sorted files; name the file too
        named = _IMAGE_AT.sub(lambda m: f"{m[0]} ({names[int(m[1])]})", str(exc))
        if named == str(exc):
            raise
        raise type(exc)(named) from exc
    regions = result.regions.copy()
    regions.insert(1, "file", [names[i] for i in regions["image"]])
    # issues.csv names each image's file too: `image` is a position in DATA's *.png sorted by name (img10.png
    # before img2.png), which is the order --probs must follow, and the file shows it
    issues = result.to_frame()
    issues.insert(1, "file", [names[i] for i in issues["image"]])
    return result, {"issues.csv": issues, "regions.csv": regions}


def _regression(
    data: Path,
    label: str | None,
    predictions_path: Path | None,
    random_state: int,
    mixture_prior: str = "auto",
    settings: dict | None = None,
    id_column: str | None = None,
    **_: Any,
) -> tuple[Any, dict]:
    """The regression audit; ``settings`` receives what the fit read (for summary.json).

    DATA's other columns are read by the roles the classification audit gives them
    (:func:`labelwise.columns.infer_column_roles`, via :mod:`labelwise.audit._regression_columns`):
    printed, with a notice per column left out, and written to summary.json as ``column_roles``.
    """
    from ..audit import regression
    from ..columns import infer_column_roles
    from ..models._finite import check_no_infinity

    frame = read_input(data, "DATA", text_columns=[id_column] if id_column else ())
    y = _column(frame, label)
    ids = task_ids(frame, id_column, Path(data), label=label)
    features = frame.drop(columns=[label] if ids is None else [label, id_column])  # the ids are no feature
    pred = None if predictions_path is None else _predictions(predictions_path, len(frame), label, ids)
    roles = infer_column_roles(features)
    read, notices = roles.used, roles.notices
    if pred is None and not read:
        raise InvalidParameterError(
            "--task regression needs a feature column that is not an identifier or a constant, or --predictions; "
            + (f"DATA's other columns: {_described(roles)}" if roles.roles else "DATA has no other column")
        )
    target = _numeric_target(y, str(label))
    folds = regression.CV_FOLDS
    if read and len(frame) < folds:  # the library would say y= and cv=, which the command line has not
        raise TooFewExamplesError(
            f"--task regression fits {folds}-fold models on DATA's columns: DATA needs at least {folds} "
            f"rows, got {len(frame)}"
        )
    check_no_infinity(features[read], name="DATA's feature columns")
    _print_roles(roles, notices)
    model = (
        regression.column_regressor(roles, regression.default_regressor(random_state), random_state) if read else None
    )
    X = features if read else None
    result = regression.find_label_issues(
        target, pred, X=X, model=model, mixture_prior=mixture_prior, random_state=random_state
    )
    if settings is not None:  # the columns read, their roles (as classification), the folds' and halves' seed
        settings.update(feature_columns=list(map(str, read)), random_state=random_state)
        settings.update(column_roles=roles.to_dict(), notices=notices)  # run_task_audit lifts these two to the top
    return result, {} if ids is None else {"issues.csv": insert_ids(result.to_frame(), ids, str(id_column), at="row")}


def _described(roles: Any) -> str:
    """``'id' (identifier: all 40 values are distinct strings), ...``: each column's role and why."""
    return "; ".join(f"{str(name)!r} ({role}: {roles.reasons[name]})" for name, role in roles.roles.items())


def _print_roles(roles: Any, notices: list[str]) -> None:
    """The column roles line and the notices, as the classification audit prints them."""
    from ._audit_model import print_column_roles

    print_column_roles(roles.to_dict())
    for notice in notices:
        console().print(f"notice: {plain(notice)}")


def _predictions(path: Path, n_rows: int, label: str | None = None, ids: Any = None) -> np.ndarray:
    """``--predictions`` for --task regression: one finite number per row of DATA, or an error naming the option
    (the library's message names ``predictions`` and ``y``, which the command line has not); from an ``.npy``
    or a table (its one column, or the one named as ``label`` or ``prediction``; with ``--id-column``, a column
    of that name matches its rows to DATA's by id)."""
    if is_probs_table(Path(path)):
        return predictions_table(Path(path), n_rows, label, ids)
    pred = load_npy(Path(path), "--predictions")
    if pred.shape != (n_rows,):
        raise ShapeMismatchError(
            f"--predictions must have shape (n_rows,) = ({n_rows},), one prediction per row of DATA, got {pred.shape}"
        )
    if not np.issubdtype(pred.dtype, np.integer) and not np.issubdtype(pred.dtype, np.floating):
        raise InvalidParameterError(f"--predictions must hold real numbers, got dtype {pred.dtype}")
    return _all_finite(np.asarray(pred, dtype=np.float64), pred, "--predictions", "", InvalidParameterError)


#: The console's count of each task: what was flagged, of how many (summary.json's keys), and what beside it.
_FLAGGED = {
    "multilabel": ("n_issues", "n_examples", "examples", "{n_missing} missing and {n_spurious} spurious tags"),
    "token": ("n_issues", "n_examples", "tokens", "in {n_sentences_flagged} of {n_sentences} sentences"),
    "segmentation": ("n_images_flagged", "n_images", "images", "{n_pixels_flagged} pixels in {n_regions} regions"),
    "regression": ("n_issues", "n_examples", "rows", ""),
    "detection": ("n_images_flagged", "n_images", "images", "{n_issues} boxes"),
}


def _flagged(task: str, summary: dict) -> str:
    """``5 of 50 images flagged (108 pixels in 6 regions)``: the unit named ('6 flagged' did not say of what)."""
    count, total, unit, beside = _FLAGGED[task]
    extra = f" ({beside.format(**summary)})" if beside else ""
    return f"[bold red]{summary[count]}[/] of {summary[total]} {unit} flagged{extra}"


RUNNERS: dict[str, Callable[..., tuple[Any, dict]]] = {
    "multilabel": _multilabel,
    "token": _token,
    "segmentation": _segmentation,
    "regression": _regression,
    "detection": run_detection,
}


def run_task_audit(
    task: str,
    data: Path | None,
    *,
    label: str | None,
    probs_path: Path | None,
    predictions_path: Path | None,
    out: Path,
    random_state: int,
    top: int,
    classes: str | None = None,
    ignore_index: int | None = None,
    mixture_prior: str = "auto",
    tag_separator: str = DEFAULT_SEPARATOR,
    report: bool = False,
    superseded: Iterable[Path] = (),
    **tables: str | None,
) -> None:
    """Audit DATA for ``task`` and write the outputs to ``out``, replacing ``superseded`` (the earlier outputs);
    with ``report``, ``report.html`` too; ``tables``: ``id_column`` and the others of :mod:`._task_tables`."""
    if data is None:
        raise InvalidParameterError(f"DATA is required for --task {task}")
    # Each task reads one of the two; the other was silently ignored (and recorded in summary.json as used).
    if task in PREDICTIONS_TASKS and probs_path is not None:
        raise InvalidParameterError(
            f"--task {task} reads --predictions, not --probs (--probs is for {', '.join(PROBS_TASKS)})"
        )
    if task in PROBS_TASKS and predictions_path is not None:
        raise InvalidParameterError(
            f"--task {task} reads --probs, not --predictions (--predictions is for {', '.join(PREDICTIONS_TASKS)})"
        )
    ran: dict = {}
    result, extra = RUNNERS[task](
        data=Path(data),
        label=label,
        probs_path=probs_path,
        predictions_path=predictions_path,
        random_state=random_state,
        classes=parse_classes(classes),
        ignore_index=ignore_index,
        mixture_prior=mixture_prior,
        tag_separator=tag_separator,
        settings=ran,
        **tables,
    )
    summary = result.summary()
    for key in ("column_roles", "notices"):  # top-level, where the classification audit writes them
        if key in ran:
            summary[key] = ran.pop(key)
    summary["settings"] = {
        "task": task,
        "data": str(Path(data).resolve()),
        **na_values_setting(),
        "label": label,
        # absolute, as data: the report and review find them from any folder (a relative path was looked up
        # from the folder the report ran in, where another file of that name may be)
        "probs": str(Path(probs_path).resolve()) if probs_path else None,
        "predictions": str(Path(predictions_path).resolve()) if predictions_path else None,
        **({"classes": parse_classes(classes)} if task in TASK_OPTIONS["classes"] else {}),
        **({"ignore_index": ignore_index} if task in TASK_OPTIONS["ignore_index"] else {}),
        **({"mixture_prior": mixture_prior} if task in TASK_OPTIONS["mixture_prior"] else {}),
        **({"tag_separator": tag_separator} if task in TASK_OPTIONS["tag_separator"] else {}),
        **{k: v for k, v in tables.items() if task in TASK_OPTIONS[k]},  # id_column, sentence_column...
        **ran,
    }
    # a task may add columns to issues.csv (detection: the COCO ids; the --id-column values)
    frame = extra.pop("issues.csv") if "issues.csv" in extra else result.to_frame()
    out = Path(out)
    with files_together(supersedes=superseded):
        write_csv(frame, out / "issues.csv")
        for name, table in extra.items():
            write_csv(table, out / name)
        write_audit_summary(summary, out)
    con = console()
    how = ""
    if summary.get("mixture_fit"):  # regression: the rule, and the fit that --mixture-prior led to (ml or map)
        how = f" (rule mixture, threshold {summary['threshold']}; --mixture-prior {mixture_prior}: {summary['mixture_fit']} fit)"
    elif "rule" in summary:
        how = f" (rule {summary['rule']}, threshold {summary['threshold']})"
    con.print(f"--task {task}: {_flagged(task, summary)}{how}")
    if top:  # the few columns that fit a terminal (detection and regression); issues.csv has them all
        narrow = screen_frame(task, frame.head(top))
        print_frame(frame.head(top) if narrow is None else narrow, title="Worst" if narrow is None else SCREEN_TITLE)
    print_wrote(out / n for n in ["issues.csv", *extra, "summary.json"])
    if report:
        from ..report import write_report

        con.print(f"report: {write_report(out)}")
