"""Apply review decisions to the original data, and export flagged examples for Label Studio."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataFileError, InvalidParameterError
from ..io.atomic import atomic_write, files_together, write_table, written_suffix
from ..io.outputs import audit_data_path
from ..report._tasks import TaskRun
from ._audited_data import load_reviewed_audit
from ._decided import LOG_COLUMNS as LOG_COLUMNS  # the change log's columns, as before
from ._decided import Decided, decided
from ._export_paths import WRITERS, cleaned_paths, refuse_audit_file, refuse_audited_data
from ._label_studio import export_label_studio, label_studio_config, label_studio_tasks
from ._label_text import holding, label_as_one_type
from ._log_state import write_record
from .store import DB_NAME
from .task_export import CLEANED_FORMATS, audit_task, cleaned_format, task_cleaned, write_task_cleaned

__all__ = [
    "ExportResult",
    "cleaned_table",
    "export_cleaned",
    "export_label_studio",
    "label_studio_config",
    "label_studio_tasks",
]

_WRITERS = WRITERS


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_cleaned` wrote.

    Attributes
    ----------
    path, log_path : Path
        The cleaned table and the change log (one row per reviewed example).
    n_rows : int
        Rows written to the cleaned table.
    n_relabelled, n_excluded, n_kept : int
        Reviewed examples (units of a task audit) per decision.
    changes : DataFrame
        The change log.
    task : str or None
        The task of an ``audit --task`` folder (None for classification).
    unit : str
        What ``n_rows`` counts: rows, or a task audit's sentences (token) or images.
    n_removed : int
        Rows (sentences, images) left out of the cleaned data.
    id_column : str or None
        The change log's column of the data's ids (right after ``row``), as the data names it; None when
        the data has no id column, so that ``row`` alone names each example.
    """

    path: Path
    log_path: Path
    n_rows: int
    n_relabelled: int
    n_excluded: int
    n_kept: int
    changes: pd.DataFrame
    task: str | None = None
    unit: str = "rows"
    n_removed: int = 0
    id_column: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The change log (row, action, given_label, new_label, changed, reviewer, decided_at, version)."""
        return self.changes.copy()


def cleaned_table(
    out_dir: str | os.PathLike, *, mark_excluded: bool = False, excluded_column: str = "excluded"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The original data with the review's decisions applied, and the change log.

    Relabelled rows get their new label in the label column; excluded rows are dropped, or kept
    with ``excluded_column`` set to True when ``mark_excluded``. Decisions undone with ``clear``
    count as no decision.

    Returns
    -------
    cleaned : DataFrame
        Keeps the original index (the row numbers of the data table).
    changes : DataFrame
        One row per reviewed example: row, the data's id (a column named as the data's id column, as
        written: ``007`` stays ``007``; none when the data has no id column:
        :mod:`labelwise.review._data_ids`), action, given_label, new_label, changed, reviewer,
        decided_at, version.

    Raises
    ------
    DataFileError
        If the original data table (``settings.data`` of the audit) cannot be found.
    MissingColumnError
        If the label column is not in the data table.
    InvalidParameterError
        If ``out_dir`` is a token or detection audit, whose cleaned data is a file, not a table
        (:func:`export_cleaned` writes it). The other task audits return their table (see
        :mod:`labelwise.review.task_export`).
    """
    if audit_task(out_dir) is not None:
        return _task_table(out_dir, mark_excluded, excluded_column)
    if (kind := _folder_kind(out_dir)) is not None:  # an aggregation's folder: its labels.csv
        res = kind.cleaned(Path(out_dir), mark_excluded, excluded_column)
        return res.content, res.changes
    cleaned, plan = _audit_cleaned(out_dir, mark_excluded, excluded_column)
    return cleaned, plan.changes


def _audit_cleaned(
    out_dir: str | os.PathLike, mark_excluded: bool, excluded_column: str
) -> tuple[pd.DataFrame, Decided]:
    """:func:`cleaned_table` of an audit's folder, with the decisions it applied."""
    # refused when the data changed since the audit; the scores (suggested labels, ranks) are not used here
    audit = load_reviewed_audit(out_dir, scores=False)
    if audit.data is None and not audit.settings.get("data"):
        raise DataFileError(
            "export needs the audit's data table, and this audit ran without one (probabilities and labels "
            "files only); give the table as DATA with --label to the audit to export a cleaned copy"
        )
    if audit.data is None:
        raise DataFileError(
            f"the original data table {audit.settings.get('data')!r} named in summary.json was not found; "
            "export needs it (run from the folder the audit ran in, or keep the data beside the output)"
        )
    plan = decided(audit, audit.data, mark_excluded, excluded_column)
    return plan.apply(audit.data), plan


def _folder_kind(out_dir: str | os.PathLike) -> Any:
    """The :mod:`labelwise.review.folders` kind of ``out_dir`` (None for an audit's folder)."""
    from .folders import folder_kind

    return folder_kind(out_dir)


def _task_table(out_dir: str | os.PathLike, mark_excluded: bool, column: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    res = task_cleaned(out_dir, mark_excluded=mark_excluded, excluded_column=column)
    if isinstance(res.content, bytes):
        kind = CLEANED_FORMATS[res.task][0]
        raise InvalidParameterError(
            f"out_dir holds a {res.task} audit, whose cleaned data is a {kind}, not a table; write it with export_cleaned"
        )
    return res.content, res.changes


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    write_table(frame, path)  # by its suffix (one of WRITERS), as ``labelwise augment`` writes its table


def export_cleaned(
    out_dir: str | os.PathLike,
    out: str | os.PathLike,
    *,
    mark_excluded: bool = False,
    force: bool = False,
    log: str | os.PathLike | None = None,
) -> ExportResult:
    """Write the original data with the reviewed labels applied, and a log of every change.

    Parameters
    ----------
    out_dir : path-like
        The audit's output folder (with ``review.sqlite`` from ``labelwise review``).
    out : path-like
        The cleaned table: ``.csv``, ``.tsv``, ``.parquet`` or ``.jsonl``. For a task audit
        (``audit --task``), the data in its own format: a table for multilabel and regression, a
        CoNLL file (``.conll``, ``.txt``...) for token, a COCO ``.json`` for detection, a manifest
        table of the kept masks for segmentation (:mod:`labelwise.review.task_export`).
    mark_excluded : bool, default False
        Keep excluded rows and add a boolean ``excluded`` column instead of dropping them (a task
        audit's CoNLL and COCO files mark them in their own way).
    force : bool, default False
        Overwrite ``out`` (and the log) when they exist; otherwise refuse.
    log : path-like, optional
        Where to write the change log (CSV); default ``<out>.changes.csv`` beside ``out``, a CSV's
        ``.csv`` dropped (``clean.csv`` -> ``clean.changes.csv``, ``clean.parquet`` ->
        ``clean.parquet.changes.csv``), so each export's log follows its own file.

    Returns
    -------
    ExportResult

    Raises
    ------
    InvalidParameterError
        If ``out`` or ``log`` exists and ``force`` is False, or ``out`` has an unknown suffix, or
        (even with ``force``) ``out`` or ``log`` is the audited data itself or a file inside its folder
        (a folder of Parquet parts); for a task audit, if the review recorded a ``relabel`` (its units
        are kept or excluded only).
    """
    task = audit_task(out_dir)
    if task is None and (kind := _folder_kind(out_dir)) is not None:  # an aggregation's folder (review.folders)
        from .folder_export import export_folder

        return export_folder(kind, Path(out_dir), out, mark_excluded=mark_excluded, force=force, log=log)
    path, log_path = cleaned_paths(out, force, log, task=cleaned_format(out_dir) if task else None)
    if task is not None:
        return _export_task(Path(out_dir), task, path, log_path, mark_excluded)
    _refuse_targets(Path(out_dir), audit_data_path(out_dir), path, log_path)
    return _export_table(Path(out_dir), path, log_path, mark_excluded)


def _refuse_targets(out_dir: Path, audited: Path | None, path: Path, log_path: Path) -> None:
    """Refuse ``path`` and ``log_path`` when either is the audited data (or inside its folder), or a file of the audit."""
    for name, target in (("out", path), ("log", log_path)):
        refuse_audited_data(audited, target, name)
        refuse_audit_file(out_dir, target, name)


def _export_task(out_dir: Path, task: str, path: Path, log_path: Path, mark_excluded: bool) -> ExportResult:
    """:func:`export_cleaned` of a task audit's data (:mod:`labelwise.review.task_export`)."""
    _refuse_targets(out_dir, TaskRun.load(out_dir).path("data"), path, log_path)
    res = task_cleaned(out_dir, mark_excluded=mark_excluded)
    write_task_cleaned(res, path, log_path, out_dir / DB_NAME)
    return ExportResult(
        path=path,
        log_path=log_path,
        n_rows=res.n_written,
        n_relabelled=0,
        n_excluded=res.n_excluded,
        n_kept=res.n_kept,
        changes=res.changes,
        task=task,
        unit=res.unit,
        n_removed=res.n_removed,
        id_column=res.id_column,
    )


def _export_table(out_dir: Path, path: Path, log_path: Path, mark_excluded: bool) -> ExportResult:
    """:func:`export_cleaned` of an audit's table: streamed part by part from Parquet to Parquet, else in memory.

    The table, its log and the log's record are moved into place together (:func:`labelwise.io.files_together`):
    a write that fails leaves none of them (before, a refused Parquet copy left its log behind).
    """
    from ._stream_export import stream_cleaned

    with files_together():
        streamed = stream_cleaned(out_dir, path, mark_excluded)
        if streamed is None:
            parquet = written_suffix(path) in (".parquet", ".pq")
            with holding(parquet) as held:  # a type change and the Parquet copy's text column: one warning
                cleaned, plan = _audit_cleaned(out_dir, mark_excluded, "excluded")
            cleaned = label_as_one_type(cleaned, plan.label, path, held) if parquet else cleaned
        else:
            plan = streamed[0]
        changes = plan.changes
        with atomic_write(log_path, "w") as fh:
            changes.to_csv(fh, index=False)
        write_record(log_path, out_dir / DB_NAME)  # where the review is (review._log_state)
        if streamed is None:
            _write_table(cleaned, path)
        n_rows = len(cleaned) if streamed is None else streamed[1]()
    acts = changes["action"]
    return ExportResult(
        path=path,
        log_path=log_path,
        n_rows=n_rows,
        n_relabelled=int((acts == "relabel").sum()),
        n_excluded=int((acts == "exclude").sum()),
        n_kept=int((acts == "keep").sum()),
        changes=changes,
        n_removed=0 if mark_excluded else int((acts == "exclude").sum()),
        id_column=str(changes.columns[1]) if changes.columns[1] != "action" else None,
    )


def cleaned_csv_bytes(out_dir: str | os.PathLike, *, mark_excluded: bool = False) -> bytes:
    """The cleaned table as CSV bytes (for the review page's download button).

    A task audit's table (multilabel, regression, segmentation's manifest) too; a token or detection
    audit's cleaned data is a file (:func:`labelwise.review.task_export.cleaned_download`).
    """
    cleaned, _ = cleaned_table(out_dir, mark_excluded=mark_excluded)
    buf = io.StringIO()
    cleaned.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")
