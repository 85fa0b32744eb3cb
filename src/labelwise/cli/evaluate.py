"""``labelwise evaluate``: score models on original and corrected test labels, find ranking crossovers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np

from .._caller import warn_at_caller
from .._heavy import pandas as pd
from .._validate.arguments import plain, show
from .._validate.probabilities import ROUNDED_SUM_GAP
from ..errors import DataFileError, InvalidParameterError, LabelwiseError, LabelwiseWarning, ShapeMismatchError
from ..io import files_together, read_table, write_csv, write_json
from ..io.atomic import atomic_write
from ..io.paths import require_folder, require_path
from ..io.plain_text import COMPRESSIONS, table_stem, table_suffix
from ..io.tables import lone_column
from ._audit_model import check_label_not_continuous
from ._classes_option import check_class_count, check_labels_named, classes_like_labels, parse_classes
from ._common import (
    SEED,
    console,
    load_npy,
    print_frame,
    quiet_option,
    reading,
    renaming,
    split_csv_option,
)
from ._label_file import read_label_table
from ._na_values import given_na_values, na_values_option, na_values_setting
from ._npy_columns import sorted_text_columns_line
from ._out_folder import out_folder
from ._probs_table import PROBS_TABLE_SUFFIXES, check_table_probs, position_lines, probability_frame, row_in_file
from ._wrote import print_wrote

if TYPE_CHECKING:
    from ..evaluate import CorrectedBenchmark, Corrections, PrevalenceCurve

PRED_SUFFIXES = (".npy", *PROBS_TABLE_SUFFIXES)


def read_predictions(folder: Path) -> dict[str, np.ndarray | pd.DataFrame]:
    """One model per file of ``folder``: ``.npy`` (labels or probabilities) or a table, compressed or not
    (``model.csv.gz``: :func:`~labelwise.io.plain_text.table_suffix`).

    A table with one column holds predicted labels; with several, probabilities (columns = classes,
    matched by name when the header names the classes, else taken in sorted class order).
    The model's name is the file name without its suffixes (``model.csv.gz`` -> ``model``); two files with
    the same name are an error. The other files (not hidden) are named on the console as not read.
    """
    require_folder(folder, parameter="PREDICTIONS", kind="folder of predictions")
    preds: dict[str, np.ndarray | pd.DataFrame] = {}
    skipped: list[str] = []
    for f in sorted(folder.iterdir()):
        if not f.is_file() or f.name.startswith("."):
            continue
        suffix = _model_suffix(f)
        if suffix not in PRED_SUFFIXES:
            skipped.append(f.name)
            continue
        name = table_stem(f)
        if name in preds:
            raise InvalidParameterError(
                f"model name {name!r} appears twice in {str(folder)!r} ({f.name} is one); keep one file per model"
            )
        if suffix == ".npy":
            preds[name] = load_npy(f, "PREDICTIONS")
        else:
            with reading("PREDICTIONS"):
                preds[name] = _table_predictions(f)
    if not preds:
        raise DataFileError(
            f"PREDICTIONS folder {str(folder)!r} holds no model files ({', '.join(PRED_SUFFIXES)}, a table also "
            f"compressed: .csv.gz ...)" + (f"; it holds {_listed(skipped)}" if skipped else "")
        )
    if skipped:
        console().print(f"PREDICTIONS: {len(skipped)} file(s) not read as models: {_listed(skipped)}", markup=False)
    return preds


def _model_suffix(path: Path) -> str:
    """The format suffix of a PREDICTIONS file (``.csv`` for ``model.csv.gz``; ``.npy`` for ``model.npy.gz``,
    which :func:`load_npy` refuses naming the fix). A ZIP of several files or none is refused naming it: it
    may hold a model."""
    return table_suffix(path) if path.suffix.lower() in COMPRESSIONS else path.suffix.lower()


def _listed(names: list[str]) -> str:
    """Up to 10 file names, then how many more."""
    return ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def _table_predictions(path: Path) -> np.ndarray | pd.DataFrame:
    """A model's predicted labels (one column) or probabilities (numeric columns, one per class)."""
    # predicted labels keep texts such as "01" and "1" apart
    table = read_table(path, text_columns=lone_column, na_values=given_na_values())
    if table.shape[1] == 1:
        return table.iloc[:, 0].to_numpy()
    expected = "one column of predicted labels or one numeric column of probabilities per class"
    frame = probability_frame(table, path, what="predictions file", expected=expected)  # as audit --probs
    sums = frame.to_numpy().sum(axis=1)
    off = np.flatnonzero(np.isfinite(sums) & (np.abs(sums - 1) > ROUNDED_SUM_GAP))
    if off.size:  # an id column beside the predicted labels reads as two "probabilities" (rounding: check_probs)
        r = int(off[0])
        columns = ", ".join(map(str, list(frame.columns)[:10]))
        raise DataFileError(
            f"predictions file {str(path)!r} has {frame.shape[1]} columns ({columns}), so it is read as probabilities "
            f"(one column per class), but {row_in_file(path, r)} sums to {sums[r]:.6g}, not 1; for predicted labels, "
            "write their column only (rows in the order of --labels)"
        )
    check_table_probs(frame, path, name=f"predictions file {str(path)!r}")  # NaN or negative: the file's line
    return frame


def _labels_and_ids(path: Path, column: str | None, corrections: Any) -> tuple[np.ndarray, pd.DataFrame | None]:
    """The test labels and, with ``--corrections``, the ``--labels`` table read as text (its column named as the
    change log's id column gives the test items' ids, and a change log is matched to them by id), from one read
    of the file; None for an ``.npy`` or without ``--corrections``."""
    labels, table = read_label_table(
        path, "--labels", column, column_option="--label-column", per="test item", all_text=corrections is not None
    )
    return labels, table if corrections is not None else None


def _not_continuous(given: np.ndarray) -> np.ndarray:
    """``given``, unless its numbers look like regression targets: then an error saying so (not "predictions
    of model 'a' must hold one of the classes [...]", which reads the targets as classes)."""
    numbers = pd.to_numeric(pd.Series(given), errors="coerce")
    if numbers.notna().all():
        check_label_not_continuous(numbers, "", command="evaluate", name="--labels")
    return given


def _check_lengths(preds: dict[str, np.ndarray | pd.DataFrame], given: np.ndarray) -> None:
    """Every model's file has one prediction per test label (checked before the corrections are matched)."""
    for name, pred in preds.items():
        if len(pred) != len(given):
            raise ShapeMismatchError(
                f"PREDICTIONS file of model {name!r} has {len(pred)} rows, --labels has {len(given)} test items"
            )


def _named_classes(value: str | None, preds: dict[str, np.ndarray | pd.DataFrame], given: np.ndarray) -> list | None:
    """``--classes`` as values of the test labels' type, checked against every probability file and ``--labels``."""
    names = parse_classes(value, what="class", columns="probability")
    if names is None:
        return None
    for name, pred in preds.items():
        if np.ndim(pred) == 2:
            check_class_count(names, np.shape(pred)[1], what="class", columns=f"PREDICTIONS file {name!r}")
    check_labels_named(given, names, source="--labels")
    return classes_like_labels(names, given)


def _input_paths(**paths: Any) -> dict[str, str]:
    """summary.json's settings of the input files given, as absolute paths (found again from any folder)."""
    return {name: str(Path(path).resolve()) for name, path in paths.items() if path is not None}


def _count_rows(counts: np.ndarray, given: np.ndarray) -> np.ndarray:
    """``counts`` once it has one row per test item (the library's message says "(given has 8)")."""
    if counts.ndim == 2 and len(counts) != len(given):
        raise ShapeMismatchError(
            f"--human-counts must have one row per test item ({len(given)} in --labels), got {len(counts)}"
        )
    return counts


@click.command()
@click.argument("predictions", type=click.Path(path_type=Path))
@click.option(
    "--labels",
    "labels_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Original test labels (.npy or a table).",
)
@click.option(
    "--label-column",
    default=None,
    help="Label column of --labels (default: its only column, or 'label').",
)
@na_values_option
@click.option(
    "--corrections",
    type=click.Path(path_type=Path),
    default=None,
    help="Review export folder (its cleaned.changes.csv, else its one *.changes.csv), the change log, a .npy of corrected labels, or a row,label table.",
)
@click.option(
    "--human-counts",
    type=click.Path(path_type=Path),
    default=None,
    help=".npy (items x classes, columns in sorted class order) of annotator votes: plurality = corrected label, shares = soft labels.",
)
@click.option(
    "--metric",
    default="accuracy",
    show_default=True,
    help="A sklearn.metrics name (accuracy, balanced_accuracy, matthews_corrcoef...); f1, precision, recall and "
    "jaccard score the class 1 when the classes are two and include it, else are macro-averaged (f1_macro); "
    "f1_micro or f1_weighted name another average.",
)
@click.option(
    "--seeds",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Random removal orders for the prevalence curve and crossovers.",
)
@out_folder("evaluate", Path("labelwise-evaluate"))
@click.option(
    "--classes",
    default=None,
    help="The class of each probability column (PREDICTIONS .npy files and --human-counts), comma-separated in "
    "column order (e.g. cat,dog,owl; a class holding a comma in double quotes: '\"sports, outdoor\",tech'), so that "
    "a class no test item has can be named; default: the labels in "
    "--labels and the corrections, sorted (a table's header names its classes itself).",
)
@click.option("--random-state", type=SEED, default=0, show_default=True)
@quiet_option
def evaluate(
    predictions,
    labels_path,
    label_column,
    corrections,
    human_counts,
    metric,
    seeds,
    out,
    classes,
    random_state,
    quiet,
    superseded,
):
    """Score the models in PREDICTIONS (one .npy/.csv per model) on original and corrected test labels.

    Writes table.csv (score and rank per model on original labels, corrected labels and the
    correctable subset), curve.csv (score vs prevalence of corrected items, mean and band over
    seeds), crossovers.csv (prevalence at which each pair of models swaps), summary.json and
    evaluation.html to --out.
    """
    from ..evaluate import corrected_benchmark

    if (corrections is None) == (human_counts is None):
        raise InvalidParameterError("give exactly one of --corrections or --human-counts")
    if Path(out).resolve() == Path(predictions).resolve():  # table.csv, curve.csv... would be read as models
        raise InvalidParameterError(
            f"--out {str(out)!r} is the PREDICTIONS folder: its tables would be read as models by the next evaluate "
            "on it; write to another folder (a folder inside PREDICTIONS is not read)"
        )
    given, test_table = _labels_and_ids(Path(labels_path), label_column, corrections)
    given = _not_continuous(given)
    preds = read_predictions(Path(predictions))
    _check_lengths(preds, given)
    named = _named_classes(classes, preds, given)
    fixes = _read_fixes(corrections, human_counts, given, named, ids=test_table)
    with renaming({"metric": "--metric", "given": "--labels", "seeds": "--seeds", "soft_labels": "--human-counts"}):
        ev = corrected_benchmark(
            preds,
            given,
            fixes.corrected,
            metric=metric,
            soft_labels=fixes.soft_labels,
            classes=named,
            seeds=seeds,
            random_state=random_state,
        )
    settings = {
        **_input_paths(predictions=predictions, labels=labels_path, corrections=corrections),
        **_input_paths(human_counts=human_counts),
        **({"label_column": label_column} if label_column is not None else {}),
        **{"metric": metric, "seeds": seeds, "random_state": random_state, **na_values_setting()},
        **({"classes": split_csv_option(classes)} if named is not None else {}),
    }
    _write_outputs(ev, preds, fixes, settings, Path(out), superseded)


def _read_fixes(
    corrections: Any, human_counts: Any, given: np.ndarray, named: list | None, *, ids: Any = None
) -> Corrections:
    """The corrected labels from ``--human-counts`` (plurality, vote shares) or from ``--corrections`` (matched
    to the test items by the data's id when the change log and the ``--labels`` table both have its column)."""
    from ..evaluate import corrections_from_counts, read_corrections

    if human_counts is not None:
        counts = _count_rows(load_npy(Path(human_counts), "--human-counts"), given)
        if named is not None and counts.ndim == 2:
            check_class_count(named, counts.shape[1], what="class", columns="--human-counts")
        with renaming({"counts": "--human-counts", "given": "--labels"}, within=["counts"]):
            return corrections_from_counts(counts, given, classes=named)
    require_path(corrections, parameter="--corrections", kind="review export folder or corrections file")
    with _named("--corrections"), reading("--corrections"), renaming({"path": "--corrections", "given": "--labels"}):
        fixes = read_corrections(corrections, given, na_values=given_na_values(), ids=ids)
    _warn_if_stale(fixes.source)
    if named is not None:
        check_labels_named(fixes.corrected, named, source="--corrections")
    return fixes


def _warn_if_stale(log: str) -> None:
    """A warning when the review went on after the export that wrote the change log ``log`` (its
    ``review.sqlite`` beside it holds other decisions: :mod:`labelwise.review._log_state`)."""
    from ..review._log_state import stale_log_line

    line = stale_log_line(log)
    if line is not None:
        warn_at_caller(LabelwiseWarning(f"--corrections: {line}"))


@contextlib.contextmanager
def _named(option: str) -> Iterator[None]:
    """Errors about the file ``option`` gives start with ``option`` (``--corrections: fixed.csv must have a
    'label' column``), as :func:`~labelwise.cli._common.reading` says its read errors."""
    try:
        yield
    except LabelwiseError as exc:
        if option in str(exc):
            raise
        raise type(exc)(f"{option}: {exc}") from exc


def _curve_and_crossovers(ev: CorrectedBenchmark) -> tuple[PrevalenceCurve | None, pd.DataFrame | None]:
    """The prevalence curve and the crossovers; None for both when no corrected label differs from its given one
    (nothing to raise the prevalence of: the files are written with their header only)."""
    if not ev.correctable.any():
        return None, None
    return ev.prevalence_curve(), ev.crossovers


def _new_classes_line(ev: CorrectedBenchmark) -> str | None:
    """A line when corrections relabel items to classes no test label has (``2`` beside labels ``c0, c1, c2``:
    most likely written otherwise than --labels writes its classes, so each such item scores as corrected)."""
    new = np.setdiff1d(ev.corrected[ev.corrected >= 0], ev.given)
    if not len(new):
        return None
    n = [int((ev.corrected == c).sum()) for c in new[:5]]
    counts = ", ".join(f"{show(ev.classes[c])} ({k} item{'s' if k > 1 else ''})" for c, k in zip(new, n, strict=False))
    return (
        f"the corrections relabel items to classes that no label of --labels has: {counts}; if they are not new classes, "
        "write them as --labels writes its labels (--classes names every class and silences this line)"
    )


def _write_outputs(
    ev: CorrectedBenchmark, preds: dict, fixes: Corrections, settings: dict, out: Path, superseded: Any
) -> None:
    """table.csv, curve.csv, crossovers.csv, summary.json and evaluation.html, all or none; then the console lines."""
    from ..evaluate.prevalence import CROSSOVER_COLUMNS, CURVE_COLUMNS
    from ..report._evaluation import evaluation_html

    curve, cross = _curve_and_crossovers(ev)
    curve_frame = curve.to_frame() if curve is not None else pd.DataFrame(columns=list(CURVE_COLUMNS))
    cross_frame = cross if cross is not None else pd.DataFrame(columns=list(CROSSOVER_COLUMNS))
    summary = {
        "n_items": len(ev.given),
        "n_correctable": int(ev.correctable.sum()),
        "n_excluded": int((ev.corrected < 0).sum()),
        "base_prevalence": ev.base_prevalence,
        "metric": ev.metric_name,
        "models": list(ev.models),
        "classes": [plain(c) for c in ev.classes],
        "corrections": fixes.source,
        "settings": settings,
    }
    counts = f"{summary['n_items']} test items, {summary['n_correctable']} corrected, {summary['n_excluded']} excluded"
    unchanged = (
        "the corrections change no label: the corrected scores are those on the original labels"
        + (" less the excluded items" if summary["n_excluded"] else "")
        + "; curve.csv and crossovers.csv have no rows"
    )
    notes = f"{counts}; metric: {ev.metric_name}" + (
        f". {unchanged[0].upper()}{unchanged[1:]}." if curve is None else ""
    )
    with files_together(supersedes=superseded):
        write_csv(ev.table.reset_index(), out / "table.csv")
        write_csv(curve_frame, out / "curve.csv")
        write_csv(cross_frame, out / "crossovers.csv")
        write_json(summary, out / "summary.json")
        page = evaluation_html(ev.table, curve, cross, title="labelwise evaluate", notes=notes)
        with atomic_write(out / "evaluation.html") as fh:
            fh.write(page)
    con = console()
    con.print(
        f"{summary['n_items']} items, [bold]{summary['n_correctable']}[/] corrected, {summary['n_excluded']} excluded"
    )
    print_frame(ev.table.reset_index(), title=f"{ev.metric_name}: original vs corrected")
    tables = {f"the PREDICTIONS file of model {name!r}": pred for name, pred in preds.items()}
    arrays = {f"PREDICTIONS {name}.npy": pred for name, pred in preds.items()}
    if "human_counts" in settings:
        arrays["--human-counts"] = fixes.soft_labels
    fix = "name each column's class with --classes, in column order"
    lines = (
        []
        if "classes" in settings
        else [
            _new_classes_line(ev),
            *position_lines(tables, ev.classes),
            sorted_text_columns_line(arrays, ev.classes, fix),
        ]
    )
    for line in filter(None, lines):
        con.print(line, markup=False)
    if cross is None:
        con.print(unchanged)
    else:
        print_frame(cross, title="Crossovers")
    print_wrote(out / n for n in ("table.csv", "curve.csv", "crossovers.csv", "summary.json", "evaluation.html"))
