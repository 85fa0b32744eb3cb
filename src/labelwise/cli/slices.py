"""``labelwise slices``: apply slicing functions from a Python file and score each slice."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np

from ..errors import InvalidParameterError, MissingColumnError, ShapeMismatchError
from ..io import files_together, write_csv, write_json
from ..io.atomic import atomic_write
from ..io.paths import require_file, require_folder
from ._column_hint import column_hint
from ._common import (
    SEED,
    console,
    finite,
    load_npy,
    print_frame,
    quiet_option,
    read_input,
    reading,
    renaming,
    split_csv_option,
)
from ._look_alike import label_and_prediction_look_alike, say_notice
from ._na_values import na_values_option
from ._out_folder import out_folder
from ._wrote import print_wrote

if TYPE_CHECKING:
    import pandas as pd


def _predictions(path: Path, n_rows: int) -> tuple[Any, Any]:
    """``--predictions``: (labels, probabilities), one of them None. A ``.npy`` of 1-D labels or 2-D
    probabilities (columns in sorted class order), or a table: one column of labels, or one column
    per class (its header names the classes)."""
    if path.suffix.lower() == ".npy":
        arr = load_npy(path, "--predictions")
    else:
        table = read_input(require_file(path, parameter="--predictions"), "--predictions", kind="table or .npy file")
        arr = table.iloc[:, 0].to_numpy() if table.shape[1] == 1 else table
    if len(arr) != n_rows or np.ndim(arr) not in (1, 2):
        raise ShapeMismatchError(
            f"--predictions must have one row per row of DATA ({n_rows}), got shape {tuple(np.shape(arr))}"
        )
    return (arr, None) if np.ndim(arr) == 1 else (None, arr)


def _issues(folder: Path, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """``--issues``: an audit folder's flags and label-quality scores, in DATA's row order."""
    from ..io.outputs import load_audit

    require_folder(folder, parameter="--issues", kind="audit output folder (labelwise audit --out)")
    with reading("--issues"):
        audit = load_audit(folder, with_data=False)
    rows = audit.issues["row"].to_numpy(np.int64)
    if len(rows) != n_rows or not np.array_equal(np.sort(rows), np.arange(n_rows)):
        raise ShapeMismatchError(
            f"--issues must be the audit of DATA's {n_rows} rows (one row each), got {len(rows)} rows "
            f"numbered {int(rows.min(initial=0))}..{int(rows.max(initial=-1))}"
        )
    flagged, quality = np.zeros(n_rows, dtype=bool), np.zeros(n_rows)
    flagged[rows] = audit.issues["is_issue"].to_numpy(bool)
    quality[rows] = audit.issues["label_quality"].to_numpy(float)
    return flagged, quality


def _shown(frame: pd.DataFrame, scored: list[str]) -> pd.DataFrame:
    """The table as printed: each score with its interval in one cell."""
    shown = frame[["slice", "n", "small"]].copy()
    for name in scored:
        value, low, high = (frame[c].to_numpy(float) for c in (name, f"{name}_low", f"{name}_high"))
        shown[name] = [
            "" if np.isnan(v) else f"{v:.3f}" + ("" if np.isnan(a) else f" [{a:.3f}, {b:.3f}]")
            for v, a, b in zip(value, low, high, strict=True)
        ]
    if "mean_label_quality" in frame.columns:
        shown["mean_label_quality"] = frame["mean_label_quality"].to_numpy()
    return shown


def _indexed(table: pd.DataFrame, id_column: str | None, names: list[str]) -> pd.DataFrame:
    """DATA indexed by ``--id-column`` (unique ids, a name no slice has: membership.parquet holds both),
    or by the row number, named ``item``."""
    if id_column is None:
        return table.rename_axis("item")
    if id_column in names:
        raise InvalidParameterError(
            f"--id-column {id_column!r} must differ from the slicing functions' names (membership.parquet has a "
            "column per slice beside the ids), got the name of a function of SFS; rename the column or the function"
        )
    if table[id_column].duplicated().any():
        raise InvalidParameterError(f"--id-column {id_column!r} must hold unique ids; it has duplicates")
    return table.set_index(id_column)


def _check_columns(table: pd.DataFrame, named: dict[str, str]) -> None:
    for flag, column in named.items():
        if column not in table.columns:
            raise MissingColumnError(
                f"{flag} {column!r} is not a column of DATA{column_hint(column, table.columns)}; columns are "
                f"{[str(c) for c in table.columns]}"
            )
    if len(set(named.values())) < len(named):
        raise InvalidParameterError(f"{', '.join(named)} must name different columns, got {list(named.values())}")


def _summary(membership: Any, frame: pd.DataFrame, scores: Any) -> dict[str, Any]:
    """summary.json's slices: their counts, the small ones, the metrics and the overall row."""
    return {
        "n_rows": membership.n_items,
        "slices": list(membership.names),
        "counts": {k: int(v) for k, v in membership.counts.items()},
        "small": [str(s) for s in frame.loc[frame["small"], "slice"]],
        "metrics": list(scores.intervals),
        "intervals": scores.intervals,
        "overall": {k: finite(v) for k, v in frame.iloc[0].drop("slice").items()},
    }


@click.command("slices")
@click.argument("sfs_path", metavar="SFS", type=click.Path(path_type=Path))
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--label", "label", required=True, help="Column of the given labels.")
@click.option("--pred", "pred", default=None, help="Column of a model's predicted labels.")
@click.option(
    "--predictions",
    type=click.Path(path_type=Path),
    default=None,
    help="Predicted labels (.npy or one-column table) or probabilities (2-D .npy, or a table with a column per class).",
)
@click.option("--issues", "issues_dir", type=click.Path(path_type=Path), default=None, help="An audit's --out folder.")
@click.option("--id-column", default=None, help="Column of row ids (default: the row number).")
@na_values_option
@click.option(
    "--metrics",
    default="accuracy",
    show_default=True,
    help="scikit-learn metrics, comma-separated (accuracy, f1...); f1, precision, recall on more "
    "than two classes are macro-averaged (column f1_macro...), f1_micro or f1_weighted name another average.",
)
@click.option(
    "--min-size",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Slices with fewer rows are flagged small.",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
    help="Level of the intervals.",
)
@click.option(
    "--n-bootstrap",
    type=click.IntRange(min=0),
    default=200,
    show_default=True,
    help="Bootstrap resamples for metrics other than accuracy.",
)
@out_folder("slices", Path("labelwise-slices"))
@click.option("--random-state", type=SEED, default=0, show_default=True, help="Seed of the metrics' bootstrap.")
@quiet_option
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True, help="Rows shown per table; 0: none.")
def slices(
    sfs_path,
    data,
    label,
    pred,
    predictions,
    issues_dir,
    id_column,
    metrics,
    min_size,
    confidence,
    n_bootstrap,
    out,
    random_state,
    quiet,
    top,
    superseded,
):
    """Apply the slicing functions in SFS to every row of DATA and score each slice.

    SFS is a Python file defining functions decorated with @labelwise.weak.slicing_function (or a
    list named sfs); they read every column of DATA. With --pred or --predictions each slice gets
    the --metrics (accuracy with a Wilson interval, others a seeded bootstrap); with --issues (an
    audit of DATA) the share of flagged labels and the mean label quality per slice. Writes
    slices.csv (one row per slice, overall first), membership.parquet (one boolean column per
    slice, indexed by --id-column or else item, the row number) and summary.json to --out, all or
    none of them.
    """
    # the API is imported here, not on top: `labelwise slices --help` does not wait for it
    from ..evaluate import slice_scores
    from ..weak import SlicingFunction, apply_slices
    from .weak import load_functions

    if pred is not None and predictions is not None:
        raise InvalidParameterError("--pred and --predictions must not both be given: choose one")
    sfs = load_functions(Path(sfs_path), SlicingFunction, parameter="SFS", listed="sfs")
    table = read_input(data, "DATA", text_columns=[id_column] if id_column is not None else [])
    _check_columns(table, {k: v for k, v in {"--label": label, "--pred": pred, "--id-column": id_column}.items() if v})
    table = _indexed(table, id_column, [sf.name for sf in sfs])
    started = time.perf_counter()
    membership = apply_slices(sfs, table, verbose=False if quiet else None)
    applied = time.perf_counter() - started
    y_pred, probs = (table[pred].to_numpy(), None) if pred is not None else (None, None)
    if predictions is not None:
        y_pred, probs = _predictions(Path(predictions), len(table))
    say_notice(None if y_pred is None else label_and_prediction_look_alike(table[label], y_pred, label))
    flagged, quality = _issues(Path(issues_dir), len(table)) if issues_dir is not None else (None, None)
    names = {"y_true": "--label", "y_pred": "--pred" if pred else "--predictions", "probs": "--predictions"}
    with renaming({**names, "metric": "--metrics", "metrics": "--metrics"}, within=("y_true", "y_pred")):
        scores = slice_scores(
            table[label].to_numpy(),
            y_pred,
            membership,
            metrics=split_csv_option(metrics),
            probs=probs,
            issues=flagged,
            label_quality=quality,
            min_size=min_size,
            confidence=confidence,
            n_bootstrap=n_bootstrap,
            random_state=random_state,
        )
    frame = scores.to_frame().reset_index()
    out = Path(out)
    with files_together(supersedes=superseded):
        write_csv(frame, out / "slices.csv")
        with atomic_write(out / "membership.parquet", "wb") as fh:
            # the ids under their own column's name (to_frame names them item)
            membership.to_frame().rename_axis(table.index.name).reset_index().to_parquet(fh, index=False)
        summary = {"sfs": str(sfs_path), "data": str(data), **_summary(membership, frame, scores)}
        summary.update(confidence=confidence, n_bootstrap=n_bootstrap, apply_seconds=round(applied, 3))
        write_json(summary, out / "summary.json")
    if top:
        shown = f"; {top} of {len(frame)} rows, all in slices.csv" if len(frame) > top else ""
        print_frame(
            _shown(frame.head(top), list(scores.intervals)), title=f"slices ({confidence:.0%} intervals{shown})"
        )
    if summary["small"]:
        console().print(
            f"notice: {len(summary['small'])} slice(s) under --min-size {min_size} rows: "
            f"{', '.join(summary['small'][:10])} (kept, flagged small; their intervals are wide)"
        )
    print_wrote(out / n for n in ("slices.csv", "membership.parquet", "summary.json"))
