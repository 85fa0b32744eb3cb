"""The cleaned export of a task audit (``labelwise audit --task``): the data in the format it came in.

The review of a task audit records keep or exclude per unit (``review.sqlite``); the export
writes the audited data without the excluded units, in the data's own format:

=============  ===========================  ============================================================
task           written                      an excluded unit...
=============  ===========================  ============================================================
multilabel     the data table               drops its row
regression     the data table               drops its row
token          the CoNLL file               (a token) drops its whole sentence, with the sentence's
                                            ``#`` comment lines and closing blank line
token table    the token table              (a token) drops the rows of its sentence (``--sentence-column``)
detection      the COCO labels JSON         (an image) drops the image and its annotations
segmentation   a manifest of the masks      (an image) drops its row; columns ``image, file, path``
=============  ===========================  ============================================================

With ``mark_excluded`` nothing is dropped: tables and the manifest get a boolean ``excluded``
column, the CoNLL file a ``# excluded = true`` comment line above each excluded sentence (CoNLL-U
style sentence metadata, skipped by :func:`labelwise.io.read_conll`), the COCO file
``"excluded": true`` in each excluded image's entry. Units kept as-is or not decided are kept;
every line of a CoNLL file that is kept is written byte for byte. The change log has one row per
decided unit. Relabelling does not apply to these audits (the review records keep or exclude), so
a ``relabel`` decision found in the database is refused, not guessed at.
"""

from __future__ import annotations

import codecs
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._tag_cells import DEFAULT_SEPARATOR, split_tags
from ..errors import DataFileError, InvalidParameterError, MissingColumnError
from ..io import files_together, read_table
from ..io.atomic import atomic_write
from ..io.outputs import check_out_dir
from ..report._data_as_written import columns_as_written
from ..report._tasks import TaskRun, task_of
from ._data_ids import id_key, table_ids
from ._label_dtype import labels_as_written
from ._log_state import write_record
from ._task_formats import cleaned_coco, cleaned_conll, cleaned_rows, coco_bytes, mask_manifest
from ._token_table import is_token_table, token_table_cleaned
from .store import DB_NAME, Decision, DecisionStore
from .tasks import load_task_audit

__all__ = [
    "CLEANED_FORMATS",
    "cleaned_format",
    "TaskCleaned",
    "audit_task",
    "cleaned_download",
    "keep_exclude_log",
    "refuse_label_studio",
    "task_cleaned",
    "write_task_cleaned",
]

_TABLES = (".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson")
_CONLL = (".conll", ".conllu", ".conll03", ".iob", ".iob2", ".bio", ".bioes", ".txt", ".tsv")
#: Per task: (what is written, the unit counted in it, the suffixes ``out`` may have).
CLEANED_FORMATS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "multilabel": ("table", "rows", _TABLES),
    "regression": ("table", "rows", _TABLES),
    "token": ("CoNLL file", "sentences", _CONLL),
    "token table": ("token table", "sentences", _TABLES),  # audit --task token --sentence-column
    "detection": ("COCO JSON", "images", (".json",)),
    "segmentation": ("mask manifest", "images", _TABLES),
}
LOG_COLUMNS = ["row", "action", "given_label", "new_label", "changed", "reviewer", "decided_at", "version"]


@dataclass(frozen=True)
class TaskCleaned:
    """A task audit's data with the review's exclusions applied (see the module docstring).

    Attributes
    ----------
    task : str
    content : DataFrame or bytes
        The table (multilabel, regression, segmentation's manifest) or the file's bytes (token's
        CoNLL, detection's COCO JSON).
    changes : DataFrame
        One row per decided unit: row (the unit's id on the review page), the task's columns
        locating it (sentence, position, token; image_id, file_name; file), action, given_label,
        new_label (None when excluded), changed, reviewer, decided_at, version.
    unit : str
        What ``n_written`` and ``n_removed`` count: rows, sentences or images.
    n_written, n_removed : int
        Units in ``content`` and units dropped (0 with ``mark_excluded``).
    n_excluded, n_kept : int
        Reviewed units per decision.
    id_column : str or None
        The change log's column of the data's ids: a table's id column (``data_<name>`` where the log has a
        column of that name), a token table's ``--id-column``; None without one.
    """

    task: str
    content: pd.DataFrame | bytes
    changes: pd.DataFrame
    unit: str
    n_written: int
    n_removed: int
    n_excluded: int
    n_kept: int
    #: The change log's column of the data's ids (None when the log names units by row only).
    id_column: str | None = None

    def to_bytes(self, suffix: str = ".csv") -> bytes:
        """The content as a file's bytes (a table as CSV, TSV for ``suffix`` ``.tsv``)."""
        if isinstance(self.content, bytes):
            return self.content
        buf = io.StringIO()
        self.content.to_csv(buf, index=False, sep="\t" if suffix == ".tsv" else ",")
        return buf.getvalue().encode("utf-8")

    @property
    def suffix(self) -> str:
        """The file suffix of :meth:`to_bytes`' default format."""
        if not isinstance(self.content, bytes):
            return ".csv"  # a table (a token audit's too, when it read a token table)
        return {"token": ".conll", "detection": ".json"}.get(self.task, ".csv")


def audit_task(out_dir: str | os.PathLike) -> str | None:
    """The task of the audit in ``out_dir`` (None for a classification audit)."""
    return task_of(check_out_dir(out_dir))


def cleaned_format(out_dir: str | os.PathLike) -> str | None:
    """The key of :data:`CLEANED_FORMATS` of the audit in ``out_dir``: its task, ``token table`` for a token
    audit that read a long table (``--sentence-column``), None for a classification audit."""
    task = audit_task(out_dir)
    if task == "token" and is_token_table(TaskRun.load(check_out_dir(out_dir))):
        return "token table"
    return task


def _decisions(run: TaskRun, units: pd.DataFrame, task: str) -> list[Decision]:
    """The current keep/exclude decisions, the store bound as the review page binds it."""
    path = run.out_dir / DB_NAME
    if not path.is_file():
        return []
    store = DecisionStore(path, n_examples=int(units["row"].max()) + 1 if len(units) else 0)
    store.bind_audit(units)
    decided = sorted((d for d in store.current().values() if d.action != "clear"), key=lambda d: d.row)
    relabelled = [d.row for d in decided if d.action == "relabel"]
    if relabelled:
        raise InvalidParameterError(
            f"review.sqlite has a 'relabel' decision on row {relabelled[0]} ({len(relabelled)} in all), which a "
            f"{task} audit's export cannot apply: its units are kept or excluded, not given a new label; "
            "record keep or exclude for them on the review page"
        )
    return decided


def keep_exclude_log(decided: list[Decision], old: list[Any], located: pd.DataFrame | None = None) -> pd.DataFrame:
    """The change log of keep/exclude decisions (:data:`LOG_COLUMNS`): ``old`` each decided unit's given
    label, kept as the new label on ``keep``; ``located`` (one row per decision, e.g. the item or the
    unit's place in its file) goes right after ``row``."""
    frame = pd.DataFrame(
        {
            "row": np.array([d.row for d in decided], dtype=np.int64),
            "action": [d.action for d in decided],
            "given_label": pd.Series(old, dtype=object),
            "new_label": pd.Series(
                [o if d.action == "keep" else None for o, d in zip(old, decided, strict=True)], dtype=object
            ),
            "changed": [d.action == "exclude" for d in decided],
            "reviewer": [d.reviewer for d in decided],
            "decided_at": [d.decided_at for d in decided],
            "version": np.array([d.version for d in decided], dtype=np.int64),
        },
        columns=LOG_COLUMNS,
    )
    if located is None:
        return frame
    return pd.concat([frame[["row"]], located.reset_index(drop=True), frame.drop(columns="row")], axis=1)


def _changes(decided: list[Decision], given: dict[int, Any], where: pd.DataFrame | None) -> pd.DataFrame:
    rows = np.array([d.row for d in decided], dtype=np.int64)
    return keep_exclude_log(decided, [given.get(int(r)) for r in rows], None if where is None else where.reindex(rows))


def _data_path(run: TaskRun) -> Path:
    path = run.path("data")
    if path is None and not run.settings.get("data"):  # was "the audited data None named in summary.json"
        raise DataFileError(
            "summary.json names no audited data (its settings have no 'data': an edited summary or an older "
            "folder); the export writes a cleaned copy of that data: run `labelwise audit --task ...` again"
        )
    if path is None:
        raise DataFileError(
            f"the audited data {run.settings.get('data')!r} named in summary.json was not found; the export "
            "writes a cleaned copy of it (run from the folder the audit ran in, or keep the data beside the output)"
        )
    return path


def _table(
    run: TaskRun, task: str, excluded: list[int], mark: bool, column: str
) -> tuple[pd.DataFrame, dict, pd.DataFrame | None, int]:
    path = _data_path(run)
    na_values = run.settings.get("na_values")  # the audit's `--na-values`: a tag written NA stays NA
    data = read_table(path, na_values=na_values)
    label = run.settings.get("label")
    if label not in data.columns:
        raise MissingColumnError(
            f"label column {label!r} is not in the data table (columns: {list(data.columns)[:20]})"
        )
    # written back as the user's file has it
    data[label] = labels_as_written(path, data, str(label), na_values=na_values)
    data = columns_as_written(data, path, exclude=(label,), na_values=na_values)  # ids "007" too
    if len(data) != len(run.issues):
        raise DataFileError(
            f"the data table has {len(data)} rows and the audit had {len(run.issues)}; it changed since the audit: "
            "rerun the audit before exporting"
        )
    if task == "regression":
        audited = run.issues.set_index("row")["given_label"].sort_index().to_numpy(dtype=np.float64)
        now = pd.to_numeric(data[label], errors="coerce").astype(np.float64).to_numpy()
        differ = ~np.isclose(now, audited, rtol=1e-9, atol=0.0)
        if differ.any():
            raise DataFileError(
                f"label column {label!r} differs from the audited targets at row {int(np.flatnonzero(differ)[0])}; "
                "the data changed since the audit: rerun the audit before exporting"
            )
    if task == "multilabel":
        audited_tags = run.issues.set_index("row")["given_tags"].sort_index().tolist()
        sep = str(run.settings.get("tag_separator") or DEFAULT_SEPARATOR)  # "|" before audits recorded it
        differ = [
            i
            for i, (a, b) in enumerate(zip(data[label], audited_tags, strict=True))
            if _tag_set(a, sep) != _tag_set(b, sep)
        ]
        if differ:
            raise DataFileError(
                f"label column {label!r} differs from the audited tags at row {differ[0]}; the data changed since the "
                "audit: rerun the audit before exporting"
            )
    given = dict(enumerate(data[label].tolist()))
    name, ids = table_ids(data, run.summary, label)  # the data's id beside each logged row (review._data_ids)
    where = None if name is None or ids is None else pd.DataFrame({id_key(name, LOG_COLUMNS): ids})
    return cleaned_rows(data, excluded, mark_excluded=mark, column=column), given, where, len(excluded)


def _tag_set(cell: Any, separator: str) -> set[str]:
    """The tags of a multi-label cell (``a|b``), numbers as the audit parsed them (``01`` is ``1``)."""
    if cell is None or cell is pd.NA or (isinstance(cell, float) and np.isnan(cell)):
        return set()
    return {str(int(t)) if t.isdecimal() else t for t in split_tags(str(cell), separator)}


def _token(run: TaskRun, excluded: list[int], mark: bool) -> tuple[bytes, dict, pd.DataFrame, int]:
    path = _data_path(run)
    raw = path.read_bytes()
    bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""  # read_conll skips it; kept in the output
    try:
        text = raw[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        raise DataFileError(f"CoNLL file {str(path)!r} is not UTF-8 text") from None
    where = run.issues.set_index("token_index").sort_index()
    cols = [c for c in ("sentence", "position", "token") if c in where.columns]
    tokens = None
    if "token" in where.columns:
        tokens = [list(g["token"].astype(str)) for _, g in where.groupby("sentence", sort=True)]
    sentences = sorted({int(where.at[r, "sentence"]) for r in excluded})
    cleaned, _ = cleaned_conll(text, sentences, mark_excluded=mark, tokens=tokens)
    given = dict(zip(where.index.astype(int), where["given_label"].astype(str), strict=True))
    return bom + cleaned.encode("utf-8"), given, where[cols], len(sentences)


def _detection(
    run: TaskRun, units: pd.DataFrame, excluded: list[int], mark: bool
) -> tuple[bytes, dict, pd.DataFrame, int]:
    path = _data_path(run)
    try:
        coco = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: not a readable COCO JSON file ({exc})") from None
    if not isinstance(coco, dict):
        raise DataFileError(f"{path}: a COCO labels file is a JSON object with 'images' and 'annotations'")
    table = run.table("images.csv")
    ids = None if table is None else table.sort_values("image")["image_id"].astype(str).tolist()
    cleaned = cleaned_coco(coco, excluded, mark_excluded=mark, image_ids=ids)
    images = coco["images"]
    where = pd.DataFrame(
        {"image_id": [im.get("id") for im in images], "file_name": [im.get("file_name") for im in images]},
        index=range(len(images)),
    )
    given = dict(zip(units["row"].astype(int), units["given_label"], strict=True))
    return coco_bytes(cleaned), given, where, len(excluded)


def _segmentation(
    run: TaskRun, excluded: list[int], mark: bool, column: str
) -> tuple[pd.DataFrame, dict, pd.DataFrame, int]:
    folder = _data_path(run)
    files = sorted(p.name for p in folder.glob("*.png")) if folder.is_dir() else []
    if len(files) != len(run.issues):
        raise DataFileError(
            f"the mask folder {str(folder)!r} has {len(files)} PNG files and the audit had {len(run.issues)} images; "
            "it changed since the audit: rerun the audit before exporting"
        )
    manifest = mask_manifest(folder, files, excluded, mark_excluded=mark, column=column)
    where = pd.DataFrame({"file": files})
    return manifest, dict(enumerate(files)), where, len(excluded)


def task_cleaned(
    out_dir: str | os.PathLike, *, mark_excluded: bool = False, excluded_column: str = "excluded"
) -> TaskCleaned:
    """The data of the task audit in ``out_dir`` with the review's exclusions applied.

    Parameters
    ----------
    out_dir : path-like
        A folder written by ``labelwise audit --task ...`` (with ``review.sqlite`` once reviewed;
        without it nothing is excluded).
    mark_excluded : bool, default False
        Keep the excluded units and mark them (see the module docstring) instead of dropping them.
    excluded_column : str, default "excluded"
        The marking column of a table or manifest (a new column name).

    Returns
    -------
    TaskCleaned

    Raises
    ------
    InvalidParameterError
        If ``out_dir`` is not a task audit, or the database holds a ``relabel`` decision.
    DataFileError
        If the audited data is missing, or changed since the audit.
    StorageError
        If ``review.sqlite`` belongs to another audit.
    """
    if not isinstance(mark_excluded, bool):
        raise InvalidParameterError(f"mark_excluded must be True or False, got {mark_excluded!r}")
    if not isinstance(excluded_column, str) or not excluded_column:
        raise InvalidParameterError(f"excluded_column must be a non-empty column name, got {excluded_column!r}")
    loaded = load_task_audit(out_dir)
    if loaded is None:
        raise InvalidParameterError(
            f"out_dir {str(out_dir)!r} is not a task audit (labelwise audit --task ...); a classification audit is "
            "exported by export_cleaned"
        )
    audit, previewer = loaded
    run, task, units = previewer.run, previewer.view.task, audit.issues
    decided = _decisions(run, units, task)
    excluded = [d.row for d in decided if d.action == "exclude"]
    content: pd.DataFrame | bytes
    if task in ("multilabel", "regression"):
        content, given, where, removed = _table(run, task, excluded, mark_excluded, excluded_column)
    elif task == "token" and is_token_table(run):
        content, given, where, removed = token_table_cleaned(
            run, _data_path(run), excluded, mark_excluded, excluded_column
        )
    elif task == "token":
        content, given, where, removed = _token(run, excluded, mark_excluded)
    elif task == "detection":
        content, given, where, removed = _detection(run, units, excluded, mark_excluded)
    else:
        content, given, where, removed = _segmentation(run, excluded, mark_excluded, excluded_column)
    removed = 0 if mark_excluded else removed
    _, unit, _ = CLEANED_FORMATS[task]
    total = len(units) if unit != "sentences" else int(run.issues["sentence"].max()) + 1
    return TaskCleaned(
        task=task,
        content=content,
        changes=_changes(decided, given, where),
        unit=unit,
        n_written=total - removed,
        n_removed=removed,
        n_excluded=len(excluded),
        n_kept=sum(d.action == "keep" for d in decided),
        id_column=_id_in(where, task, run),
    )


def _id_in(where: pd.DataFrame | None, task: str, run: TaskRun) -> str | None:
    """The column of ``where`` (the change log's locating columns) that holds the data's ids, if any."""
    if where is None:
        return None
    if task in ("multilabel", "regression"):
        return str(where.columns[0]) if len(where.columns) else None
    ident = run.id_column if task == "token" else None
    return ident if ident is not None and ident in where.columns else None


def refuse_label_studio(out_dir: str | os.PathLike, *, name: str = "Label Studio export") -> None:
    """Raise :class:`InvalidParameterError` when ``out_dir`` is a task audit: Label Studio tasks here
    carry one class per example (a ``choices`` prediction), which no task's units have."""
    from .folders import folder_kind

    task = audit_task(out_dir)
    other = folder_kind(out_dir) if task is None else None  # refuses the folders review does not open
    if other is not None:
        raise InvalidParameterError(
            f"{name} applies to classification audits only; {str(out_dir)!r} is a labelwise {other.command} "
            "folder: export its labels with --out (export_cleaned) instead"
        )
    if task is not None:
        kind = CLEANED_FORMATS[cleaned_format(out_dir) or task][0]  # a token table's is a table, not CoNLL
        raise InvalidParameterError(
            f"{name} applies to classification audits only (one class per example); {str(out_dir)!r} is a {task} "
            f"audit: export its cleaned {kind} with --out (export_cleaned) instead"
        )


def write_task_cleaned(cleaned: TaskCleaned, path: Path, log_path: Path, db: Path) -> None:
    """Write ``cleaned`` to ``path`` (its format from the suffix for a table) and its change log to
    ``log_path`` with the record of the review database ``db`` beside it, atomically and together (an
    interrupted export leaves none or all)."""
    from .export import _write_table

    with files_together():
        with atomic_write(log_path, "w") as fh:
            cleaned.changes.to_csv(fh, index=False)
        write_record(log_path, db)  # where the review is, for evaluate's check that the log is current
        if isinstance(cleaned.content, bytes):
            with atomic_write(path, "wb") as fh:
                fh.write(cleaned.content)
        else:
            _write_table(cleaned.content, path)


def cleaned_download(out_dir: str | os.PathLike, *, mark_excluded: bool = False) -> tuple[bytes, str, str]:
    """The cleaned data for the review page's download: ``(bytes, file name, media type)``.

    A CSV table for classification, multilabel and regression audits and segmentation's manifest;
    the CoNLL file of a token audit, the COCO JSON of a detection audit.
    """
    from .export import cleaned_csv_bytes
    from .folders import folder_kind

    if audit_task(out_dir) is None and (kind := folder_kind(out_dir)) is not None:  # an aggregation's labels
        return kind.cleaned(check_out_dir(out_dir), mark_excluded, "excluded").to_bytes(), "cleaned.csv", "text/csv"
    if audit_task(out_dir) is None:
        return cleaned_csv_bytes(out_dir, mark_excluded=mark_excluded), "cleaned.csv", "text/csv"
    res = task_cleaned(out_dir, mark_excluded=mark_excluded)
    media = {".csv": "text/csv", ".json": "application/json"}.get(res.suffix, "text/plain")
    return res.to_bytes(), f"cleaned{res.suffix}", media
