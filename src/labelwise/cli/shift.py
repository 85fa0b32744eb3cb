"""``labelwise shift`` (class priors moved) and ``labelwise label-shift`` (label set moved)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import click
import numpy as np

from .._heavy import pandas as pd
from .._validate.arguments import plain
from .._validate.class_columns import columns_in_class_order
from .._validate.labels import missing_label
from .._validate.probabilities import check_probs
from ..errors import InvalidParameterError, LabelwiseWarning, ShapeMismatchError
from ..io import files_together, write_csv, write_json, write_npy
from ..io.names import read_names
from ..io.paths import require_file
from ..io.plain_text import format_suffix
from ..io.tables import read_table
from ..shift._names import CALIBRATIONS, METHOD_NAMES, SOURCE_PRIORS
from ._common import SEED, console, load_npy, print_frame, quiet_option, reading, renaming
from ._label_file import read_label_file
from ._na_values import given_na_values, na_values_option, na_values_setting
from ._npy_columns import sorted_text_columns_line
from ._out_folder import out_folder
from ._probs_table import check_table_probs, is_probs_table, position_lines, probability_frame
from ._wrote import print_wrote

if TYPE_CHECKING:
    from ..shift import PriorShiftEstimate

#: Files of ``label-shift`` read as one label per row (an array or a table column); others are text, one per line.
_ROW_FILES = (".npy", ".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson", ".json")


def _load(path: Path, option: str) -> np.ndarray | pd.DataFrame:
    """Probabilities: an ``.npy`` (columns in sorted class order) or a table whose header may name the
    classes (any order; matched by name, as ``evaluate`` and ``audit --probs`` read them)."""
    if not is_probs_table(Path(path)):
        return load_npy(Path(path), option)
    with reading(option):
        table = read_table(require_file(Path(path), parameter=option), na_values=given_na_values())
        frame = probability_frame(
            table, Path(path), what=f"{option} file", expected="one numeric column of probabilities per class"
        )
    check_table_probs(frame, Path(path), name=f"{option} file {str(path)!r}")  # a missing value names its line
    return frame


def _by_position(probs: np.ndarray | pd.DataFrame, labels: np.ndarray) -> np.ndarray | pd.DataFrame:
    """A table whose header names none of the labels (``p0,p1,p2`` beside ``cat, dog``) as its values: its
    columns are the classes in sorted order, as an ``.npy``'s (the API would take its names for the classes)."""
    if not isinstance(probs, pd.DataFrame) or {str(c) for c in probs.columns} & {str(v) for v in pd.unique(labels)}:
        return probs
    return probs.to_numpy(dtype=float)


def _checked(vp: np.ndarray | pd.DataFrame, vl: np.ndarray, tp: np.ndarray | pd.DataFrame) -> None:
    """The arrays' shapes and probabilities checked under their option names (the API calls them val_*)."""
    columns = (
        [list(map(str, vp.columns)), list(map(str, tp.columns))]
        if isinstance(vp, pd.DataFrame) and isinstance(tp, pd.DataFrame)
        else None
    )
    vp = check_probs(vp, name="--train-probs")
    tp = check_probs(tp, name="--target-probs")
    if tp.shape[1] != vp.shape[1]:
        extra = [c for c in columns[1] if c not in columns[0]] if columns else []
        raise ShapeMismatchError(
            f"--target-probs must have as many classes as --train-probs ({vp.shape[1]} columns), got {tp.shape[1]}"
            + (f"; its columns {extra[:10]} name no class of --train-probs" if extra else "")
            + (" (a class the labelled source data lacks has no source prior to shift from)" if extra else "")
        )
    if vl.ndim != 1 or len(vl) != len(vp):
        raise ShapeMismatchError(
            f"--train-labels must hold one label per row of --train-probs ({len(vp)}), got shape {vl.shape}"
        )


@click.command()
@click.option(
    "--train-probs",
    required=True,
    type=click.Path(path_type=Path),
    help=".npy (n x K) held-out probabilities on labelled source data, or a table with a column per class "
    "(a header of class names is matched by name, in any order).",
)
@click.option(
    "--train-labels",
    required=True,
    type=click.Path(path_type=Path),
    help=".npy (n,) or a table (CSV, TSV, Parquet, JSON Lines) of their labels: column numbers 0..K-1, "
    "or K names (columns in sorted order).",
)
@click.option(
    "--train-label-column",
    default=None,
    help="Label column of a --train-labels table (default: its only column, or 'label').",
)
@click.option(
    "--target-probs",
    required=True,
    type=click.Path(path_type=Path),
    help=".npy (m x K) probabilities on the target data, or a table with a column per class.",
)
@click.option("--method", type=click.Choice(list(METHOD_NAMES)), default="mlls", show_default=True)
@click.option(
    "--calibration",
    type=click.Choice(list(CALIBRATIONS)),
    default="auto",
    show_default=True,
)
@click.option(
    "--source-prior",
    type=click.Choice(list(SOURCE_PRIORS)),
    default=None,
    help="MLLS only: the source priors of the EM's E-step. posterior (the default): the mean calibrated "
    "--train-probs row (Alexandari et al.); labels: the --train-labels frequencies (Saerens et al. as written; "
    "the two agree after bcts calibration).",
)
@click.option("--n-boot", type=click.IntRange(min=0), default=200, show_default=True)
@out_folder("shift", Path("labelwise-shift"))
@click.option("--random-state", type=SEED, default=0, show_default=True)
@na_values_option
@quiet_option
def shift(
    train_probs,
    train_labels,
    train_label_column,
    target_probs,
    method,
    calibration,
    source_prior,
    n_boot,
    out,
    random_state,
    quiet,
    superseded,
):
    """Estimate the class priors of the target data and adapt its probabilities to them.

    Writes priors.csv (source and target prior, weight, bootstrap CI per class),
    adapted_probs.npy (target posteriors under the new priors) and summary.json to --out.
    """
    from ..shift import estimate_priors

    if source_prior is not None and method != "mlls":
        raise InvalidParameterError(
            f"--source-prior applies to --method mlls only (the EM's source priors), got --method {method}, "
            "which has no E-step: leave --source-prior out, or use --method mlls"
        )
    vp, vl, tp = (
        _load(train_probs, "--train-probs"),
        read_label_file(Path(train_labels), "--train-labels", train_label_column, column_option="--train-label-column"),
        _load(target_probs, "--target-probs"),
    )
    _checked(vp, vl, tp)
    shown = {"--train-probs": vp, "--target-probs": tp}  # as read, for position_lines
    vp, tp = (_by_position(t, vl) for t in (vp, tp))
    # the library's checks of the labels (a value that is no column, a class no label has) name val_labels
    with (
        renaming({"val_labels": "--train-labels", "val_probs": "--train-probs", "target_probs": "--target-probs"}),
        warnings.catch_warnings(),
    ):
        # the clipped priors are said below in the command's words (priors.csv, summary.json's raw_priors)
        warnings.filterwarnings(
            "ignore", message=r".*'s solution has negative target priors", category=LabelwiseWarning
        )
        est = estimate_priors(
            vp,
            vl,
            tp,
            method=method,
            calibration=calibration,
            n_boot=n_boot,
            random_state=random_state,
            **({"source_prior": source_prior} if source_prior else {}),
        )
    in_order = np.asarray(columns_in_class_order(tp, est.classes, name="--target-probs"), dtype=float)
    adapted = est.calibrator(in_order) * est.weights[None, :]
    adapted /= np.clip(adapted.sum(axis=1, keepdims=True), 1e-300, None)
    out = Path(out)
    with files_together(supersedes=superseded):
        write_csv(est.to_frame().reset_index(), out / "priors.csv")
        write_npy(adapted, out / "adapted_probs.npy")
        settings = {  # what ran, as the other commands record it (absolute paths)
            "train_probs": str(Path(train_probs).resolve()),
            "train_labels": str(Path(train_labels).resolve()),
            "train_label_column": train_label_column,
            "target_probs": str(Path(target_probs).resolve()),
            "method": method,
            "calibration": calibration,
            "source_prior": source_prior,
            "n_boot": n_boot,
            "random_state": random_state,
            **na_values_setting(),
        }
        write_json(_summary(est, len(vp), len(tp), settings), out / "summary.json")
    print_frame(
        est.to_frame().reset_index(),
        title=f"Class priors ({method}, calibration {est.calibration})",
    )
    # a named --train-probs table orders an .npy --target-probs by its header: only an .npy --train-probs is sorted
    unnamed = shown if not isinstance(shown["--train-probs"], pd.DataFrame) else {}
    fix = "write them as a table whose header names the classes (CSV, TSV, Parquet)"
    lines = [*position_lines(shown, est.classes), sorted_text_columns_line(unnamed, est.classes, fix)]
    for line in [*lines, _clipped_line(est, len(tp))]:
        if line:
            console().print(line, markup=False)
    print_wrote(out / n for n in ("priors.csv", "adapted_probs.npy", "summary.json"))


def _summary(est: PriorShiftEstimate, n_source: int, n_target: int, settings: dict) -> dict:
    """summary.json: the estimate, its sizes and the ``settings`` the command ran with (MLLS: the source prior used)."""
    mlls = {"source_prior": settings["source_prior"] or "posterior"} if est.method == "mlls" else {}
    return {
        "method": est.method,
        "calibration": est.calibration,
        **mlls,
        "n_source": n_source,
        "n_target": n_target,
        "classes": [plain(c) for c in est.classes],
        "priors": est.priors.tolist(),
        "source_priors": est.source_priors.tolist(),
        "n_boot": settings["n_boot"],
        "l1_shift": float(np.abs(est.priors - est.source_priors).sum()),
        "raw_priors": (est.raw_weights * est.source_priors).tolist(),
        "settings": settings,
    }


def _clipped_line(est: PriorShiftEstimate, n_target: int) -> str | None:
    """A line when the method's solution gave priors below 0 (BBSE solves a linear system; RLLS keeps w >= 0 and
    MLLS's priors are means of posteriors):
    priors.csv shows them clipped to 0 and the others renormalised, which reads as a confident "absent"."""
    raw = est.raw_weights * est.source_priors
    low = np.flatnonzero(raw < 0)
    if not low.size:
        return None
    shown = ", ".join(f"{plain(est.classes[i])} ({raw[i]:.3g})" for i in low[:10])
    more = f" and {low.size - 10} more" if low.size > 10 else ""
    return (
        f"{est.method}'s solution has negative target priors for {low.size} class{'es' if low.size > 1 else ''}: "
        f"{shown}{more}; priors.csv has them clipped to 0 and the other priors renormalised (summary.json's raw_priors "
        f"keeps the solution). Negative priors mean the estimate is noisy: {n_target} target rows, or a confusion "
        "matrix close to singular; the bootstrap interval (--n-boot) shows how much"
    )


def _names(path: Path, option: str, column: str | None, column_option: str) -> list[str]:
    """The label names ``option`` gives: a text file's lines, or an ``.npy``'s or a table column's rows."""
    if format_suffix(path) not in _ROW_FILES:
        if column is not None:  # a text file has no columns: the option would be ignored
            raise InvalidParameterError(
                f"{column_option} names a column of a {option} table; {str(path)!r} is read as a text file of "
                f"labels, one per line, got {column_option} {column!r}: leave it out"
            )
        return read_names(path, parameter=option, holes=False)
    labels = read_label_file(path, option, column, column_option=column_option)
    missing = np.flatnonzero(pd.isna(labels))
    if missing.size:
        raise missing_label(option, int(missing[0]), labels[missing[0]])
    return [str(label) for label in labels]


@click.command("label-shift")
@click.option(
    "--train-labels",
    required=True,
    type=click.Path(path_type=Path),
    help="Text file, one training label occurrence per line (no blank lines between them), or an .npy or a "
    "table (CSV, TSV, Parquet, JSON Lines) with one per row.",
)
@click.option(
    "--train-label-column",
    default=None,
    help="Label column of a --train-labels table (default: its only column, or 'label').",
)
@click.option(
    "--eval-labels",
    required=True,
    type=click.Path(path_type=Path),
    help="Text file, one evaluation label per line (no blank lines between them), or an .npy or a table.",
)
@click.option(
    "--eval-label-column",
    default=None,
    help="Label column of an --eval-labels table (default: its only column, or 'label').",
)
@click.option(
    "--k",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Most similar training occurrences that count.",
)
@out_folder("label-shift", Path("labelwise-label-shift"))
@na_values_option
@quiet_option
def label_shift(train_labels, train_label_column, eval_labels, eval_label_column, k, out, quiet, superseded):
    """Familiarity of the evaluation label set to the training labels (offline character n-gram embedding).

    Writes familiarity.csv (per evaluation label: familiarity, nearest training label) and summary.json to --out.
    """
    from ..shift import familiarity

    res = familiarity(
        _names(Path(train_labels), "--train-labels", train_label_column, "--train-label-column"),
        _names(Path(eval_labels), "--eval-labels", eval_label_column, "--eval-label-column"),
        k=k,
    )
    out = Path(out)
    with files_together(supersedes=superseded):
        write_csv(res.to_frame().reset_index(), out / "familiarity.csv")
        write_json(
            {"familiarity": res.score, "k": k, "embedding": "char 2-4-gram tf-idf"},
            out / "summary.json",
        )
    print_frame(res.to_frame().reset_index(), title=f"Familiarity {res.score:.4f}")
    print_wrote(out / n for n in ("familiarity.csv", "summary.json"))
