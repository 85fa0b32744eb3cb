"""Apply review decisions to the original data, and export flagged examples for Label Studio."""

from __future__ import annotations

import io
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

from ..errors import DataFileError, InvalidParameterError, LabelwiseWarning, MissingColumnError
from ..io.atomic import atomic_write, write_table
from ..io.outputs import AuditOutput, load_audit
from ..report._previews import PREVIEWERS, Previewer
from ..report._tasks import TaskRun
from ._audited_data import load_reviewed_audit
from ._export_paths import WRITERS, cleaned_paths, label_studio_paths, refuse_audit_file, refuse_audited_data
from ._label_dtype import class_of, relabelled_column
from .store import DB_NAME, DecisionStore
from .task_export import CLEANED_FORMATS, audit_task, refuse_label_studio, task_cleaned, write_task_cleaned

__all__ = [
    "ExportResult",
    "cleaned_table",
    "export_cleaned",
    "export_label_studio",
    "label_studio_config",
    "label_studio_tasks",
]

_WRITERS = WRITERS
LOG_COLUMNS = ["row", "action", "given_label", "new_label", "changed", "reviewer", "decided_at", "version"]


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

    def to_frame(self) -> pd.DataFrame:
        """The change log (row, action, given_label, new_label, changed, reviewer, decided_at, version)."""
        return self.changes.copy()


def _open_store(audit: AuditOutput) -> DecisionStore | None:
    path = audit.out_dir / DB_NAME
    if not path.is_file():
        return None
    store = DecisionStore(path, n_examples=len(audit.issues))
    # As the review app does: a database left by an audit of other data (another length or other given
    # labels) is refused, not applied by row number.
    store.bind_audit(audit.issues)
    return store


def cleaned_table(
    out_dir: str | os.PathLike, *, mark_excluded: bool = False, excluded_column: str = "excluded"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The original data with the review's decisions applied, and the change log.

    Long because it applies the three decisions (keep, relabel, exclude) and writes the change log in one pass over the decisions.

    Relabelled rows get their new label in the label column; excluded rows are dropped, or kept
    with ``excluded_column`` set to True when ``mark_excluded``. Decisions undone with ``clear``
    count as no decision.

    Returns
    -------
    cleaned : DataFrame
        Keeps the original index (the row numbers of the data table).
    changes : DataFrame
        One row per reviewed example: row, action, given_label, new_label, changed, reviewer,
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
    audit = load_reviewed_audit(out_dir)  # refused when the data changed since the audit
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
    data = audit.data
    label = audit.label_column
    if label is None or label not in data.columns:
        raise MissingColumnError(
            f"label column {label!r} is not in the data table (columns: {list(data.columns)[:20]})"
        )
    if mark_excluded and excluded_column in data.columns:
        raise InvalidParameterError(
            f"excluded_column must be a new column name, got {excluded_column!r} which the data already has"
        )
    store = _open_store(audit)
    decisions = store.current() if store is not None else {}
    decided = [d for d in decisions.values() if d.action != "clear"]
    decided.sort(key=lambda d: d.row)
    rows = np.array([d.row for d in decided], dtype=np.int64)
    actions = np.array([d.action for d in decided], dtype=object)
    old = data[label].to_numpy(dtype=object)[rows] if len(rows) else np.array([], dtype=object)
    new = np.array(
        [
            _as_class(audit.classes, d) if d.action == "relabel" else (None if d.action == "exclude" else old[i])
            for i, d in enumerate(decided)
        ],
        dtype=object,
    )
    _warn_new_classes(audit.classes, rows[actions == "relabel"], new[actions == "relabel"])
    changed = (actions == "exclude") | ((actions == "relabel") & (new.astype(str) != old.astype(str)))
    changes = pd.DataFrame(
        {
            "row": rows,
            "action": actions,
            "given_label": old,
            "new_label": new,
            "changed": changed,
            "reviewer": [d.reviewer for d in decided],
            "decided_at": [d.decided_at for d in decided],
            "version": np.array([d.version for d in decided], dtype=np.int64),
        },
        columns=LOG_COLUMNS,
    )

    cleaned = data.copy()
    relabel = rows[actions == "relabel"]
    if len(relabel):  # in the column's own dtype (a categorical stays one): the Parquet file reads back as given
        cleaned[label] = relabelled_column(cleaned[label], relabel, new[actions == "relabel"])
    excluded = rows[actions == "exclude"]
    if mark_excluded:
        flag = np.zeros(len(cleaned), dtype=bool)
        flag[excluded] = True
        cleaned[excluded_column] = flag
    elif len(excluded):
        keep = np.ones(len(cleaned), dtype=bool)
        keep[excluded] = False
        cleaned = cleaned[keep]
    return cleaned, changes


def _as_class(classes: list[Any], decision: Any) -> Any:
    """A relabel's label as the audit's class it stands for (``2`` stored for the class ``2.0``); as
    stored when it is no class (:func:`_warn_new_classes` says so)."""
    found = class_of(classes, decision.label)
    return decision.label if found is None else found


def _warn_new_classes(classes: list[Any], rows: np.ndarray, labels: np.ndarray) -> None:
    """Warn when relabels name labels that are not classes of the audit (recorded from Python, where
    ``DecisionStore`` does not know the classes): they become new classes in the cleaned data, and a
    near miss (``"Adelie"`` for the class ``"Adelie "``) would otherwise pass unseen."""
    if not classes:
        return
    unknown = [(int(r), v) for r, v in zip(rows, labels, strict=True) if class_of(classes, v) is None]
    if unknown:
        shown = ", ".join(f"row {r} to {v!r}" for r, v in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        warnings.warn(
            f"{len(unknown)} relabel(s) in review.sqlite name a label that is not a class of the audit "
            f"({shown}; classes: {[str(c) for c in classes[:20]]}): the cleaned data holds them as new classes",
            LabelwiseWarning,
            stacklevel=3,
        )


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
    path, log_path = cleaned_paths(out, force, log, task=task)
    audited = (
        load_audit(out_dir, with_data=False).data_path if task is None else TaskRun.load(Path(out_dir)).path("data")
    )
    for name, target in (("out", path), ("log", log_path)):
        refuse_audited_data(audited, target, name)
        refuse_audit_file(out_dir, target, name)
    if task is not None:
        res = task_cleaned(out_dir, mark_excluded=mark_excluded)
        write_task_cleaned(res, path, log_path)
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
        )
    cleaned, changes = cleaned_table(out_dir, mark_excluded=mark_excluded)
    # The log first: a cleaned table on disk always has its log beside it.
    with atomic_write(log_path, "w") as fh:
        changes.to_csv(fh, index=False)
    _write_table(cleaned, path)
    acts = changes["action"]
    return ExportResult(
        path=path,
        log_path=log_path,
        n_rows=len(cleaned),
        n_relabelled=int((acts == "relabel").sum()),
        n_excluded=int((acts == "exclude").sum()),
        n_kept=int((acts == "keep").sum()),
        changes=changes,
        n_removed=0 if mark_excluded else int((acts == "exclude").sum()),
    )


#: Each preview kind's Label Studio medium (``Previewer.media``).
_MEDIA_OF_KIND = {previewer.kind: previewer.media for previewer in PREVIEWERS}
_LS_OBJECTS = {"image": '<Image name="image" value="$image"/>', "text": '<Text name="text" value="$text"/>'}


def label_studio_tasks(
    out_dir: str | os.PathLike,
    *,
    scope: str = "flagged",
    from_name: str = "label",
    model_version: str = "labelwise-audit",
) -> list[dict]:
    """Label Studio import tasks (JSON-ready) for the flagged examples, worst first.

    Each task's ``data`` holds the preview (``image``: a file path or a PNG data URI for pixel
    columns; ``text``: the text, or the feature values) and the audit's fields (row, given label,
    label quality); its ``predictions`` carry the suggested label as a ``choices`` result with
    the model's probability of that label as ``score``. Use :func:`label_studio_config` as the
    project's labeling config.

    Parameters
    ----------
    scope : {"flagged", "all"}
        Export only the flagged examples, or every example.
    from_name : str
        Name of the Choices control in the labeling config.

    Raises
    ------
    InvalidParameterError
        If ``out_dir`` is a task audit (``audit --task``): its units have no single class to choose.
    """
    if scope not in ("flagged", "all"):
        raise InvalidParameterError(f"scope must be one of ['flagged', 'all'], got {scope!r}")
    refuse_label_studio(out_dir)
    audit = load_reviewed_audit(out_dir)  # refused when the data changed since the audit
    previewer = Previewer.from_audit(audit)
    rows = audit.flagged if scope == "flagged" else audit.issues
    class_index = {str(c): i for i, c in enumerate(audit.classes)}
    to_name = previewer.media
    tasks = []
    for rec in rows.itertuples(index=False):
        row = int(rec.row)
        data: dict[str, Any] = {
            "row": row,
            "given_label": str(rec.given_label),
            "suggested_label": str(rec.suggested_label),
            "label_quality": float(rec.label_quality),
            "rank": int(rec.rank),
        }
        data[previewer.media] = previewer.media_value(row)
        score = 1.0 - float(rec.label_quality)
        col = class_index.get(str(rec.suggested_label))
        if audit.probs is not None and col is not None and audit.probs.shape[0] > row and audit.probs.shape[1] > col:
            score = float(audit.probs[row, col])
        tasks.append(
            {
                "data": data,
                "predictions": [
                    {
                        "model_version": model_version,
                        "score": round(score, 6),
                        "result": [
                            {
                                "from_name": from_name,
                                "to_name": to_name,
                                "type": "choices",
                                "value": {"choices": [str(rec.suggested_label)]},
                            }
                        ],
                    }
                ],
            }
        )
    return tasks


def label_studio_config(classes: list, *, kind: str = "image", from_name: str = "label") -> str:
    """A Label Studio labeling config (XML) matching :func:`label_studio_tasks` (values escaped).

    ``kind`` is a preview kind (``"image"``, ``"pixels"``, ``"text"``, ``"features"``, ``"none"``)
    or directly the medium shown (``"image"`` or ``"text"``).
    """
    media = _MEDIA_OF_KIND.get(kind, "text")
    obj = _LS_OBJECTS[media]
    to_name = media
    choices = "\n    ".join(f"<Choice value={quoteattr(str(c))}/>" for c in classes)
    return (
        f'<View>\n  {obj}\n  <Header value="Given label: $given_label"/>\n'
        f'  <Choices name={quoteattr(from_name)} toName="{to_name}" choice="single">\n    {choices}\n'
        "  </Choices>\n</View>\n"
    )


def export_label_studio(
    out_dir: str | os.PathLike, out: str | os.PathLike, *, scope: str = "flagged", force: bool = False
) -> Path:
    """Write the flagged examples as a Label Studio import file (JSON list of tasks).

    A labeling config for the project is written beside it as ``<stem>.label_config.xml``.
    Refuses to overwrite existing files unless ``force``, and task audits (see :func:`label_studio_tasks`).
    """
    path, config_path = label_studio_paths(out, force)
    for name, target in (("out", path), ("label config", config_path)):
        refuse_audit_file(out_dir, target, name)
    tasks = label_studio_tasks(out_dir, scope=scope)
    audit = load_audit(out_dir, with_data=False)
    for name, target in (("out", path), ("label config", config_path)):
        refuse_audited_data(audit.data_path, target, name)
    kind = "image" if tasks and "image" in tasks[0]["data"] else "text"
    with atomic_write(config_path, "w") as fh:
        fh.write(label_studio_config(audit.classes, kind=kind))
    with atomic_write(path, "w") as fh:
        json.dump(tasks, fh, indent=1, ensure_ascii=False, allow_nan=False)
        fh.write("\n")
    return path


def cleaned_csv_bytes(out_dir: str | os.PathLike, *, mark_excluded: bool = False) -> bytes:
    """The cleaned table as CSV bytes (for the review page's download button).

    A task audit's table (multilabel, regression, segmentation's manifest) too; a token or detection
    audit's cleaned data is a file (:func:`labelwise.review.task_export.cleaned_download`).
    """
    cleaned, _ = cleaned_table(out_dir, mark_excluded=mark_excluded)
    buf = io.StringIO()
    cleaned.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")
