"""Report views of the label folders other than an audit's or an aggregation's (one module per command).

Each module declares a :class:`FolderView` (``VIEW``): the command whose ``--out`` folder it shows,
how such a folder is recognised (the files the command always writes and the keys only its
``summary.json`` has) and its header tiles and sections. :data:`FOLDER_VIEWS` is the registry;
showing another command's folder means adding one module to ``_MODULES``.
"""

from __future__ import annotations

from pathlib import Path

from .._summary_file import summary_or_none
from ._common import Folder, FolderView, header, settings_rows
from .boxes import VIEW as _BOXES
from .crowds import VIEW as _CROWDS
from .masks import VIEW as _MASKS
from .numbers import VIEW as _NUMBERS
from .pairs import VIEW as _PAIRS
from .tags import VIEW as _TAGS
from .texts import VIEW as _TEXTS
from .weak import VIEW as _WEAK

__all__ = ["FOLDER_VIEWS", "Folder", "FolderView", "folder_report", "folder_view"]

_MODULES = (_TAGS, _BOXES, _MASKS, _NUMBERS, _TEXTS, _PAIRS, _CROWDS, _WEAK)
#: Command -> the view of its output folder.
FOLDER_VIEWS: dict[str, FolderView] = {view.command: view for view in _MODULES}


def folder_view(folder: Path) -> FolderView | None:
    """The view of ``folder`` when one of :data:`FOLDER_VIEWS`' commands wrote it (its files are there
    and its ``summary.json`` has that command's keys), else None."""
    summary = summary_or_none(folder)
    if summary is None:
        return None
    return next((view for view in _MODULES if view.shows(folder, summary)), None)


def folder_report(folder: Path, *, top: int) -> tuple[str, str, list[str]] | None:
    """``(title, header, sections)`` of ``folder``'s page when a command of :data:`FOLDER_VIEWS` wrote
    it, else None; the page ends with the settings the command ran with."""
    from .._tasks._common import settings_html

    view = folder_view(folder)
    if view is None:
        return None
    run = Folder.load(folder)
    method = run.summary.get("method")
    title = f"labelwise report: {folder.name} ({view.command}{', ' + str(method) if method else ''})"
    settings = settings_html(settings_rows(run.summary))
    return title, header(run, view), [*view.sections(run, top), *([settings] if settings else [])]
