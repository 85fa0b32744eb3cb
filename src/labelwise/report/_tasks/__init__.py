"""Report sections for the label shapes of ``labelwise audit --task`` (one module per task).

Each module declares a :class:`TaskView` (``TASK_VIEW``): the task it shows and a function that
turns the task audit's folder (:class:`TaskRun`) into HTML sections. :data:`TASK_VIEWS` is the
registry; adding a task's view means adding one module to ``_MODULES``.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import DataFileError
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
#: Keys of summary.json that only a task audit writes (its result's ``summary()``): how a summary that lost
#: its ``task`` is known not to be a classification audit's.
TASK_KEYS: dict[str, tuple[str, ...]] = {
    "multilabel": ("n_missing", "n_spurious"),
    "token": ("n_sentences", "n_sentences_flagged"),
    "segmentation": ("n_pixels_flagged", "n_regions"),
    "regression": ("median_abs_residual",),
    "detection": ("per_kind", "n_images_flagged"),
}


def task_of(folder: Path) -> str | None:
    """The task of an audit folder written by ``labelwise audit --task`` (None for classification)."""
    summary = summary_or_none(folder)
    if summary is None:
        return None
    settings = summary.get("settings")
    task = summary.get("task") or (settings.get("task") if isinstance(settings, dict) else None)
    if task is None:
        _refuse_unnamed_task(folder, summary)
    return task if task in TASK_VIEWS else None


def _refuse_unnamed_task(folder: Path, summary: dict) -> None:
    """A summary.json that names no task but holds a task audit's keys (edited, or cut short) is refused:
    read as a classification audit it would be misread (or fail on issues.csv's columns)."""
    for task, keys in TASK_KEYS.items():
        if all(key in summary for key in keys):
            raise DataFileError(
                f"{str(folder / 'summary.json')!r} names no task (no 'task' key, at the top or in 'settings') but "
                f"holds a {task} audit's {', '.join(map(repr, keys))}: `labelwise audit --task {task}` writes "
                f'"task": "{task}" there; add it back (or rerun the audit), and the folder is read as a {task} audit'
            )


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
