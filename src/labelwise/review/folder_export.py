"""``labelwise export`` of a :data:`~labelwise.review.folders.FOLDER_KINDS` folder (an aggregation's):
its labels file with the review's decisions applied, in the same columns, and the change log.

:func:`labelwise.review.export_cleaned` and :func:`labelwise.review.cleaned_table` hand such a folder
here; the paths are checked as for an audit's export (suffix, not a folder, ``force``) and never
name one of the folder's own files nor the answers file the command read.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InvalidParameterError
from ._export_paths import cleaned_paths
from .export import ExportResult
from .folders import FolderKind, refuse_own_file
from .store import DB_NAME
from .task_export import write_task_cleaned

__all__ = ["export_folder"]


def export_folder(
    kind: FolderKind,
    out_dir: Path,
    out: str | os.PathLike,
    *,
    mark_excluded: bool = False,
    force: bool = False,
    log: str | os.PathLike | None = None,
) -> ExportResult:
    """Write the labels of the ``kind`` folder ``out_dir`` with the decisions applied to ``out`` (a
    table: ``.csv``, ``.tsv``, ``.parquet``, ``.jsonl``) and the change log to ``log`` (default
    ``<out>.changes.csv``), both atomically and together.

    Raises
    ------
    InvalidParameterError
        If ``out`` or ``log`` exists and ``force`` is False, has an unknown suffix, or (even with
        ``force``) is one of the folder's own files, the answers file it was made from, or inside the
        folder of Parquet parts it was made from.
    """
    path, log_path = cleaned_paths(out, force, log)
    source = kind.source(out_dir)
    for name, target in (("out", path), ("log", log_path)):
        refuse_own_file(kind, out_dir, target, name)
        if source is not None and target.resolve() == source.resolve():
            raise InvalidParameterError(
                f"{name} {str(target)!r} is the file labelwise {kind.command} read; write to another file: over "
                "it, the folder would describe answers that are gone"
            )
        if source is not None and source.is_dir() and target.resolve().is_relative_to(source.resolve()):
            raise InvalidParameterError(
                f"{name} {str(target)!r} is inside {str(source)!r}, the folder of Parquet parts labelwise "
                f"{kind.command} read; write outside it: a file there would be read as answers by the next run"
            )
    res = kind.cleaned(out_dir, mark_excluded, "excluded")
    write_task_cleaned(res, path, log_path, out_dir / DB_NAME)
    acts = res.changes["action"]
    return ExportResult(
        path=path,
        log_path=log_path,
        n_rows=res.n_written,
        n_relabelled=int((acts == "relabel").sum()),
        n_excluded=res.n_excluded,
        n_kept=res.n_kept,
        changes=res.changes,
        n_removed=res.n_removed,
        id_column="item" if "item" in res.changes.columns else None,  # the aggregation's item ids
    )
