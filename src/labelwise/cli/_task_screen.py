"""The console's "Worst" table of a task audit: the few columns that name the unit and say why it was flagged.

issues.csv keeps every column; detection's 15 (18 with the COCO ids) and regression's 9 folded into
5-6 character cells in an 80-column terminal, where a number or a kind could not be read.
"""

from __future__ import annotations

from .._heavy import pandas as pd

__all__ = ["SCREEN_TITLE", "screen_frame"]

#: The title of a table that shows fewer columns than issues.csv.
SCREEN_TITLE = "Worst (issues.csv has every column)"


def _detection(frame: pd.DataFrame) -> pd.DataFrame:
    """The image as the COCO file names it, the box, the classes as category ids, the kind (``no`` when not flagged)
    (``frame``: issues.csv's table, with the COCO ids the detection runner adds)."""
    return pd.DataFrame(
        {
            "image_id": frame["image_id"],
            "box": frame["box"],
            "source": frame["source"],
            # a predicted box has no given class: '-' rather than None (or a category id of -1)
            "given": [
                str(v) if v is not None and not pd.isna(v) and v != -1 else "-" for v in frame["given_category_id"]
            ],
            "suggested": frame["suggested_category_id"].astype(str),
            "flagged": frame["kind"].where(frame["is_issue"].astype(bool), "no"),
            "quality": frame["label_quality"],
        }
    )


def _regression(frame: pd.DataFrame) -> pd.DataFrame:
    """The row (and its id), both labels, the standardised residual and (rule mixture) the error probability, the flag."""
    columns = {"row": frame["row"]}
    if frame.columns[1] != "given_label":  # --id-column's ids, after the row (cli/_task_tables.insert_ids)
        columns[str(frame.columns[1])] = frame[frame.columns[1]]
    columns.update(given_label=frame["given_label"], suggested_label=frame["suggested_label"], score=frame["score"])
    if "error_probability" in frame:
        columns["p_error"] = frame["error_probability"]
    columns["flagged"] = frame["is_issue"].map({True: "yes", False: "no"})
    return pd.DataFrame(columns)


_SCREENS = {"detection": _detection, "regression": _regression}


def screen_frame(task: str, frame: pd.DataFrame) -> pd.DataFrame | None:
    """The rows of ``frame`` (issues.csv's table) in the columns the console shows; None: the task's table fits."""
    screen = _SCREENS.get(task)
    return None if screen is None else screen(frame)
