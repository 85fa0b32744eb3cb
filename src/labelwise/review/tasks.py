"""Review a task audit (``labelwise audit --task ...``): one card per unit with the report's drawing.

The units are the task view's (``labelwise.report._tasks``): examples for multi-label and
regression, tokens for NER, images for segmentation and detection. Each card shows the same
preview as the report (mask overlay, boxes, the sentence with the token marked, the tag list, given
vs predicted); the reviewer keeps or excludes units, recorded in ``review.sqlite`` like any
decision. Relabelling is for classification audits only; the cleaned export of a task audit
(the data in its own format: table, CoNLL file, COCO file, mask manifest) is
:mod:`labelwise.review.task_export`'s.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..io.outputs import AuditOutput, check_out_dir
from ..report._previews import Previewer
from ..report._tasks import TASK_VIEWS, TaskRun, TaskView, task_of

__all__ = ["UNIT_IDS", "TaskPreviewer", "load_task_audit"]

#: What a review id counts in each task audit (one card per id): a unit's noun, and the ids' noun.
UNIT_IDS: dict[str, tuple[str, str]] = {
    "multilabel": ("example", "data rows"),
    "regression": ("example", "data rows"),
    "token": ("token", "tokens (counted over the whole file, sentence after sentence)"),
    "segmentation": ("image", "images (the mask files in name order)"),
    "detection": ("image", "images (in the COCO file's order)"),
}


class TaskPreviewer(Previewer):
    """Previews of a task audit's units, drawn by the task's report view."""

    kind = "task"

    def __init__(self, run: TaskRun, view: TaskView) -> None:
        super().__init__(None)
        self.run = run
        self.view = view

    def image_source(self, row: int) -> bytes | Path | None:
        return self.view.unit_png(self.run, int(row)) if self.view.unit_png is not None else None

    def thumbnail_png(self, row: int, *, max_side: int = 128) -> bytes | None:
        source = self.image_source(row)
        return source if isinstance(source, bytes) else None

    def text(self, row: int, *, limit: int = 600) -> str | None:
        if self.view.unit_text is None:
            return None
        s = self.view.unit_text(self.run, int(row)) or ""
        return s if len(s) <= limit else s[: limit - 1] + "\u2026"

    def media_value(self, row: int) -> str:
        return self.text(row, limit=100_000) or ""

    def describe(self, row: int) -> dict:
        if self.view.unit_png is not None:
            return {"kind": "task", "task": self.view.task, "has_image": True}
        return {"kind": "text", "task": self.view.task, "text": self.text(row)}


def load_task_audit(out_dir: str | os.PathLike) -> tuple[AuditOutput, TaskPreviewer] | None:
    """The units of a task audit folder as an :class:`AuditOutput` (worst first) and their previewer.

    None when the folder is not a task audit (a classification audit is read by ``load_audit``).
    """
    folder = check_out_dir(out_dir)
    task = task_of(folder)
    if task is None:
        return None
    view = TASK_VIEWS[task]
    run = TaskRun.load(folder)
    assert view.units is not None  # every registered view lists its units
    units = view.units(run)
    units = units.sort_values(["is_issue", "label_quality"], ascending=[False, True], kind="stable")
    units = units.reset_index(drop=True)
    units["rank"] = np.arange(1, len(units) + 1, dtype=np.int64)
    audit = AuditOutput(
        out_dir=folder,
        summary=run.summary,
        issues=units,
        classes=[],
        probs=None,
        data=None,
        data_path=None,
        label_column=None,
        image_column=None,
    )
    return audit, TaskPreviewer(run, view)
