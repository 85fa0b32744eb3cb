"""Report sections for the label shapes of ``labelwise audit --task`` (one module per task).

Each module declares a :class:`TaskView` (``TASK_VIEW``): the task it shows and a function that
turns the task audit's folder (:class:`TaskRun`) into HTML sections. :data:`TASK_VIEWS` is the
registry; adding a task's view means adding one module to ``_MODULES``.
"""

from __future__ import annotations

from pathlib import Path

from .._summary_file import summary_or_none
from ._common import TaskRun, TaskView, settings_section, task_header
from .detection import TASK_VIEW as _DETECTION
from .multilabel import TASK_VIEW as _MULTILABEL
from .regression import TASK_VIEW as _REGRESSION
from .segmentation import TASK_VIEW as _SEGMENTATION
from .token import TASK_VIEW as _TOKEN

__all__ = ["TASK_VIEWS", "TaskRun", "TaskView", "task_of", "task_report", "task_sections"]

_MODULES = (_MULTILABEL, _TOKEN, _SEGMENTATION, _REGRESSION, _DETECTION)
#: Task name -> its report view.
TASK_VIEWS: dict[str, TaskView] = {view.task: view for view in _MODULES}


def task_of(folder: Path) -> str | None:
    """The task of an audit folder written by ``labelwise audit --task`` (None for classification)."""
    summary = summary_or_none(folder)
    if summary is None:
        return None
    task = summary.get("task") or (summary.get("settings") or {}).get("task")
    return task if task in TASK_VIEWS else None


def task_sections(folder: Path, task: str, *, top: int) -> tuple[str, str, list[str]]:
    """``(title, header, sections)`` of the report of a task audit folder."""
    run = TaskRun.load(folder)
    view = TASK_VIEWS[task]
    title = f"labelwise report: {run.name} ({task})"
    settings = settings_section(run)
    return title, task_header(run, view), [*view.sections(run, top), *([settings] if settings else [])]


def task_report(folder: Path, *, top: int) -> tuple[str, str, list[str]] | None:
    """``(title, header, sections)`` when ``folder`` is a task audit, else None."""
    task = task_of(folder)
    return None if task is None else task_sections(folder, task, top=top)
