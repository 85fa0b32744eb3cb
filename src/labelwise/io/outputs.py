"""Read what ``labelwise audit`` and ``labelwise aggregate`` wrote to an output folder.

An audit folder holds ``issues.csv`` (row, given_label, suggested_label, label_quality, is_issue,
rank; an audit at scale writes ``issues.parquet`` instead, :mod:`labelwise.io.issues_table`), ``summary.json`` (counts, matrices and the run's ``settings``) and ``probs.npy``; the data
table named by ``settings.data`` gives the previews and is what ``labelwise export`` cleans. An
aggregation folder holds ``labels.csv``, ``annotators.csv``, ``annotators.json`` and a
``summary.json`` with a ``method`` key. The kind of a folder is told by the files present.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._heavy import pandas as pd
from ..errors import DataFileError, MissingColumnError
from .arrays import load_npy
from .audit_summary import summary_matrix
from .dependence import dependent_pairs_of, dependent_rings_of
from .issues_table import issues_file, read_issues
from .parquet_parts import parquet_part_files, read_parquet_folder
from .paths import require_folder
from .tables import read_table

__all__ = [
    "AGGREGATE_FILES",
    "AUDIT_FILES",
    "ISSUE_COLUMNS",
    "SCORE_COLUMNS",
    "AggregateOutput",
    "AuditOutput",
    "audit_data_path",
    "check_out_dir",
    "is_aggregate_dir",
    "is_audit_dir",
    "load_aggregate",
    "load_audit",
]

#: The columns of an audit's ``issues.csv``, in order: what :meth:`labelwise.audit.LabelIssues.to_frame`
#: writes and the report and review read.
ISSUE_COLUMNS = ("row", "given_label", "suggested_label", "label_quality", "is_issue", "rank")
#: The columns of ``issues.csv`` that score the labels, left unread by ``load_audit(scores=False)``.
SCORE_COLUMNS = ("suggested_label", "label_quality", "is_issue", "rank")
AUDIT_FILES = ("issues.csv", "summary.json")
AGGREGATE_FILES = ("labels.csv", "annotators.csv")


def check_out_dir(out_dir: str | os.PathLike) -> Path:
    """Return ``out_dir`` as a resolved path; :class:`DataFileError` unless it is an existing folder."""
    if not isinstance(out_dir, (str, os.PathLike)):
        raise DataFileError(f"out_dir must be a path to an output folder, got {type(out_dir).__name__}")
    return require_folder(Path(out_dir).expanduser(), parameter="out_dir", kind="output folder").resolve()


def is_audit_dir(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds an audit's ``summary.json`` and its ``issues.csv`` (or ``issues.parquet``)."""
    return (out_dir / "summary.json").is_file() and issues_file(out_dir) is not None


def is_aggregate_dir(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds an aggregation's ``labels.csv`` and ``annotators.csv``."""
    return all((out_dir / name).is_file() for name in AGGREGATE_FILES)


def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise DataFileError(f"{str(path)!r} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{str(path)!r} is not valid JSON: {exc}") from None


def _class_lookup(classes: list[Any]) -> dict[str, Any]:
    """Map the text form of each class (as CSV readers see it) back to the class value."""
    lookup: dict[str, Any] = {}
    for c in classes:
        lookup.setdefault(str(c), c)
        if isinstance(c, float) and c.is_integer():
            lookup.setdefault(str(int(c)), c)
    return lookup


def to_classes(values: pd.Series, classes: list[Any]) -> np.ndarray:
    """Turn a column read as text into the matching class values (unknown text is kept as is)."""
    lookup = _class_lookup(classes)
    if pd.api.types.is_string_dtype(values):  # texts already: factorized as they are, no text per row made
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        uniques = np.asarray(uniques, dtype=object)
    else:
        codes, uniques = pd.factorize(values.astype(str).to_numpy(), use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [lookup.get(u, u) for u in uniques]  # one lookup per distinct value, not per row
    return mapped[codes]


def _resolve_data_path(raw: Any, out_dir: Path) -> Path | None:
    if not raw:
        return None
    p = Path(str(raw)).expanduser()
    # Moved with the output (settings hold absolute paths): the file inside the folder (--demo's data.csv)
    # or beside it (`labelwise audit data.csv` writes labelwise-out/ next to data.csv), by its name.
    candidates = [p, out_dir / p, out_dir / p.name, out_dir.parent / p.name]
    for cand in candidates:
        if cand.is_file() or (cand.is_dir() and parquet_part_files(cand)):  # a table, or a folder of Parquet parts
            return cand.resolve()
    return None


@dataclass(frozen=True)
class AuditOutput:
    """An audit's output folder, loaded.

    Attributes
    ----------
    out_dir : Path
    summary : dict
        ``summary.json`` as written.
    issues : DataFrame
        ``issues.csv`` sorted by rank (1 = worst); ``given_label`` and ``suggested_label`` hold the
        class values of ``classes`` (ints stay ints, strings stay strings).
    classes : list
    probs : ndarray or None
        ``probs.npy`` when present.
    data : DataFrame or None
        The original data table (``settings.data``) when it can be found.
    data_path : Path or None
    label_column, image_column : str or None
    feature_columns : list of str
    """

    out_dir: Path
    summary: dict
    issues: pd.DataFrame
    classes: list
    probs: np.ndarray | None
    data: pd.DataFrame | None
    data_path: Path | None
    label_column: str | None
    image_column: str | None
    feature_columns: list = field(default_factory=list)

    @property
    def settings(self) -> dict:
        """The run's settings (``summary["settings"]``), empty when absent."""
        return dict(self.summary.get("settings") or {})

    @property
    def n_examples(self) -> int:
        """Number of audited examples."""
        return int(self.summary.get("n_examples", len(self.issues)))

    @property
    def flagged(self) -> pd.DataFrame:
        """The flagged rows of ``issues``, worst first."""
        return self.issues[self.issues["is_issue"]]

    def matrix(self, key: str) -> np.ndarray | None:
        """A K x K matrix from the summary (``noise_matrix``, ``joint``...), or None when absent.

        Read from ``summary.json`` or, at large K, from the ``.npz`` beside it that the summary
        names (:func:`labelwise.io.audit_summary.summary_matrix`).
        """
        arr = summary_matrix(self.summary, self.out_dir, key)
        if arr is None:
            return None
        k = len(self.classes)
        if arr.shape != (k, k):
            raise DataFileError(
                f"summary.json {key} must be a {k} x {k} matrix (one row per class), got shape {arr.shape}"
            )
        return arr


def _audit_files(out_dir: str | os.PathLike) -> tuple[Path, Path, dict]:
    """The audit folder ``out_dir`` resolved, its issues table's path and its ``summary.json``, checked."""
    out = check_out_dir(out_dir)
    table = issues_file(out)
    if table is None or not (out / "summary.json").is_file():
        missing = ["issues.csv"] * (table is None) + ["summary.json"] * (not (out / "summary.json").is_file())
        raise DataFileError(
            f"{str(out)!r} is not an audit output folder: missing {missing} (run `labelwise audit` first)"
        )
    summary = _read_json(out / "summary.json")
    if not isinstance(summary, dict):
        raise DataFileError(f"{str(out / 'summary.json')!r} must hold a JSON object, got {type(summary).__name__}")
    return out, table, summary


def audit_data_path(out_dir: str | os.PathLike) -> Path | None:
    """The audit's data table (``settings.data``) as :func:`load_audit` finds it (its ``data_path``), from
    ``summary.json`` alone: the issues table is not read.

    Raises
    ------
    DataFileError
        If the folder, its issues table or ``summary.json`` is missing, or ``summary.json`` is malformed.
    """
    out, _, summary = _audit_files(out_dir)
    return _resolve_data_path(dict(summary.get("settings") or {}).get("data"), out)


def load_audit(out_dir: str | os.PathLike, *, with_data: bool = True, scores: bool = True) -> AuditOutput:
    """Load an audit's output folder.

    Parameters
    ----------
    out_dir : path-like
        The folder.
    with_data : bool, default True
        Read the data table too (``data``); else only find it (``data_path``).
    scores : bool, default True
        Read the issues table's scores (:data:`SCORE_COLUMNS`). False leaves them unread and the table
        in the file's order, not by rank: ``row``, ``given_label`` and any id column are what
        ``labelwise export`` uses of a million-row audit.

    Raises
    ------
    DataFileError
        If the folder, ``issues.csv`` or ``summary.json`` is missing or malformed.
    MissingColumnError
        If ``issues.csv`` lacks one of its columns.
    """
    out, table, summary = _audit_files(out_dir)
    needed = ISSUE_COLUMNS if scores else tuple(c for c in ISSUE_COLUMNS if c not in SCORE_COLUMNS)
    issues = read_issues(table, leave_out=() if scores else SCORE_COLUMNS)
    missing_cols = [c for c in needed if c not in issues.columns]
    if missing_cols:
        raise MissingColumnError(
            f"{table.name} must have columns {list(ISSUE_COLUMNS)}, missing {missing_cols} (has {list(issues.columns)})"
        )
    n_examples = summary.get("n_examples")
    if isinstance(n_examples, int) and n_examples != len(issues):
        raise DataFileError(
            f"{str(table)!r} has {len(issues)} rows but summary.json counts {n_examples} examples: "
            f"{table.name} was edited or comes from another run; rerun `labelwise audit`"
        )
    classes = list(summary.get("classes") or [])
    if not classes:  # the given and suggested labels
        classes = _classes_of(issues if scores else read_issues(table))
    issues = _issue_types(issues, classes)
    if scores:
        issues = issues.sort_values("rank", kind="stable").reset_index(drop=True)

    probs = None
    if (out / "probs.npy").is_file():
        probs = load_npy(out / "probs.npy", parameter="out_dir")

    settings = dict(summary.get("settings") or {})
    data_path = _resolve_data_path(settings.get("data"), out)
    label_column = settings.get("label")
    labels_text = [str(label_column)] if label_column else []
    na_values = settings.get("na_values")  # the audit's `--na-values`: a class written NA reads back as NA
    data = None
    if with_data and data_path is not None:
        if data_path.is_dir():  # DATA given as a folder of Parquet parts, read as the audit read it
            data = read_parquet_folder(data_path, "the audit's data (summary.json's settings.data)")
        else:
            data = read_table(data_path, text_columns=labels_text, na_values=na_values)
    image_column = settings.get("image_column") or None
    feature_columns = [str(c) for c in (settings.get("feature_columns") or [])]
    if data is not None:
        if len(data) < int(issues["row"].max()) + 1:
            raise DataFileError(
                f"data table {str(data_path)!r} has {len(data)} rows but issues.csv refers to row "
                f"{int(issues['row'].max())}"
            )
        if image_column is not None and image_column not in data.columns:
            raise MissingColumnError(
                f"image column {image_column!r} is not in {str(data_path)!r} (columns: {list(data.columns)[:20]})"
            )
    return AuditOutput(
        out_dir=out,
        summary=summary,
        issues=issues,
        classes=classes,
        probs=probs,
        data=data,
        data_path=data_path,
        label_column=str(label_column) if label_column is not None else None,
        image_column=str(image_column) if image_column is not None else None,
        feature_columns=feature_columns,
    )


def _classes_of(issues: pd.DataFrame) -> list[Any]:
    """The classes of an audit whose summary lists none: its given and suggested labels, sorted."""
    return sorted(set(issues["given_label"]) | set(issues["suggested_label"]))


def _issue_types(issues: pd.DataFrame, classes: list[Any]) -> pd.DataFrame:
    """``issues`` with each of :data:`ISSUE_COLUMNS` it has in its type: labels as ``classes``' values,
    ``is_issue`` boolean, ``row`` and ``rank`` integers, ``label_quality`` float."""
    issues = issues.copy()
    for name in ("given_label", "suggested_label"):
        if name in issues.columns:
            issues[name] = to_classes(issues[name], classes)
    if "is_issue" in issues.columns:
        flags = issues["is_issue"]
        if flags.dtype != bool:
            flags = flags.astype(str).str.strip().str.lower().isin(["true", "1", "yes"])
        issues["is_issue"] = flags.to_numpy(dtype=bool)
    for name, kind in (("row", np.int64), ("rank", np.int64), ("label_quality", float)):
        if name in issues.columns:
            issues[name] = issues[name].astype(kind)
    return issues


@dataclass(frozen=True)
class AggregateOutput:
    """An aggregation's output folder, loaded.

    Attributes
    ----------
    labels : DataFrame
        ``labels.csv``: item, label, confidence, prob_<class>..., n_answers, agreement.
    annotators : DataFrame
        ``annotators.csv``: annotator, answers, accuracy, agreement.
    confusions : dict
        Annotator -> (classes, K x K confusion matrix, rows = true class, columns = answer), from
        ``annotators.json`` (empty when the file is absent).
    summary : dict
    dependent_pairs : DataFrame
        The pairs of annotators found dependent (weighed as one answer), from ``summary.json``
        (:func:`~labelwise.io.dependence.dependent_pairs_of`: no rows for a method without the
        check or a folder written before it).
    dependent_rings : list of list of str
        The copy rings' accounts, from ``summary.json`` (empty likewise).
    """

    out_dir: Path
    labels: pd.DataFrame
    annotators: pd.DataFrame
    confusions: dict
    classes: list
    summary: dict

    @property
    def method(self) -> str:
        """The aggregation method named in ``summary.json``."""
        return str(self.summary.get("method", "unknown"))

    @property
    def dependent_pairs(self) -> pd.DataFrame:
        """``summary.json``'s dependent pairs of annotators (:func:`~labelwise.io.dependence.dependent_pairs_of`)."""
        return dependent_pairs_of(self.summary)

    @property
    def dependent_rings(self) -> list[list[str]]:
        """``summary.json``'s copy rings (:func:`~labelwise.io.dependence.dependent_rings_of`)."""
        return dependent_rings_of(self.summary)


def _parse_confusions(raw: Any, classes: list) -> dict[str, tuple[list, np.ndarray]]:
    """Accept the shapes an ``annotators.json`` may take and return annotator -> (classes, matrix).

    Recognised: ``{"classes": [...], "annotators": {name: matrix | {"confusion": matrix}}}``,
    ``{name: matrix | {"confusion"/"confusion_matrix"/"matrix": matrix, "classes": [...]}}`` and
    ``[{"annotator": name, "confusion": matrix, ...}, ...]``.
    """
    out: dict[str, tuple[list, np.ndarray]] = {}
    top_classes = classes
    entries: list[tuple[str, Any]] = []
    if isinstance(raw, dict):
        top_classes = list(raw.get("classes") or classes)
        body = raw.get("annotators", raw.get("confusions", raw.get("confusion_matrices")))
        if isinstance(body, dict):
            entries = [(str(k), v) for k, v in body.items()]
        elif isinstance(body, list):
            raw = body
        else:
            entries = [(str(k), v) for k, v in raw.items() if k not in {"classes", "method", "labels"}]
    if isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict) and "annotator" in item:
                entries.append((str(item["annotator"]), item))
    for name, value in entries:
        cls = top_classes
        matrix = value
        if isinstance(value, dict):
            cls = list(value.get("classes") or top_classes)
            matrix = next((value[k] for k in ("confusion", "confusion_matrix", "matrix") if k in value), None)
        if matrix is None:
            continue
        try:
            arr = np.asarray(matrix, dtype=float)
        except (TypeError, ValueError):
            continue
        if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
            continue
        if len(cls) != arr.shape[0]:
            cls = list(range(arr.shape[0]))
        out[name] = (list(cls), arr)
    return out


def load_aggregate(out_dir: str | os.PathLike) -> AggregateOutput:
    """Load an aggregation's output folder (``labels.csv``, ``annotators.csv``, ``annotators.json``)."""
    out = check_out_dir(out_dir)
    if not is_aggregate_dir(out):
        missing = [name for name in AGGREGATE_FILES if not (out / name).is_file()]
        raise DataFileError(
            f"{str(out)!r} is not an aggregation output folder: missing {missing} (run `labelwise aggregate` first)"
        )
    # ids as `aggregate` read them; labelwise writes a missing cell empty, so any text (a class NA) is a value
    labels = read_table(out / "labels.csv", text_columns=("item", "label"), na_values="")
    annotators = read_table(out / "annotators.csv", text_columns=("annotator",), na_values="")
    for name, frame, needed in (
        ("labels.csv", labels, ["item", "label"]),
        ("annotators.csv", annotators, ["annotator"]),
    ):
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise MissingColumnError(
                f"{name} must have columns {needed}, missing {missing} (has {list(frame.columns)})"
            )
    summary = _read_json(out / "summary.json") if (out / "summary.json").is_file() else {}
    if not isinstance(summary, dict):
        summary = {}
    prob_cols = [c for c in labels.columns if str(c).startswith("prob_")]
    classes = list(
        summary.get("classes") or [str(c)[5:] for c in prob_cols] or sorted(labels["label"].astype(str).unique())
    )
    confusions = {}
    if (out / "annotators.json").is_file():
        confusions = _parse_confusions(_read_json(out / "annotators.json"), classes)
    return AggregateOutput(
        out_dir=out, labels=labels, annotators=annotators, confusions=confusions, classes=classes, summary=summary
    )
