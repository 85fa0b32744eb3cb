"""``labelwise aggregate-numbers`` in the report: each annotator's bias and noise, the least certain values.

Reads ``values.csv`` (item, value, sd: its uncertainty, the mean's standard error or the posterior
sd, empty for the median; n: its answers), ``annotators.csv`` (annotator, bias: how much its answers
exceed the values on average; sd: the spread of its errors; n) and ``summary.json``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._annotators import Quality, annotator_section
from .._tasks._common import section
from ._common import Folder, FolderView, contested, count, histogram, input_table, none_contested, worst


def _tiles(folder: Folder) -> list[tuple[str, str, bool]]:
    s = folder.summary
    parts = s.get("n_components")
    return [
        (str(s.get("method", "")), "method", False),
        (count(s.get("n_items")), "items", False),
        (count(s.get("n_annotators")), "annotators", False),
        (count(s.get("n_answers")), "answers", False),
        (count(parts), "connected groups", bool(parts and parts > 1)),
    ]


def spread(folder: Folder, values: pd.DataFrame, ann: pd.DataFrame | None) -> pd.Series | None:
    """Per item, the root mean square of its answers' errors once each annotator's bias is taken
    out (``answer - bias - value``): how far apart the annotators are on it; None without the
    answers file the run read."""
    columns = folder.summary.get("columns") or {}
    names = [str(columns.get(k) or k) for k in ("item", "annotator", "value")]
    answers = input_table(folder, "answers", names[:2])
    if answers is None or names[2] not in answers.columns:
        return None
    bias = (
        {}
        if ann is None or "bias" not in ann.columns
        else dict(zip(ann.iloc[:, 0].astype(str), ann["bias"], strict=False))
    )
    value = dict(zip(values["item"].astype(str), values["value"].astype(float), strict=False))
    item = answers[names[0]].astype(str)
    error = (
        pd.to_numeric(answers[names[2]], errors="coerce")
        - answers[names[1]].astype(str).map(bias).fillna(0.0).astype(float)
        - item.map(value).astype(float)
    )
    return np.sqrt((error**2).groupby(item).mean())


def sections(folder: Folder, top: int) -> list[str]:
    """The annotators' bias and noise, and the items with the widest spread of answers (or uncertainty)."""
    from .._build import _table

    out = []
    ann = folder.table("annotators.csv", ids=("annotator",))
    if ann is not None and len(ann.columns):
        note = "Bias: how much an annotator's answers exceed the values on average; sd: the spread of its errors" + (
            " (biases compare only within a connected group of items and annotators)"
            if not folder.summary.get("biases_comparable_across_components", True)
            else ""
        )
        quality = Quality("sd", "noise sd", "noisiest", higher_is_better=False, active="n")
        out.append(annotator_section(ann, quality, note=note, name=str(ann.columns[0])))
    values = folder.table("values.csv", ids=("item",), required=("item", "value"))
    assert values is not None  # a file of the view
    by_item = spread(folder, values, ann)
    if by_item is not None:
        values = values.assign(spread=values["item"].astype(str).map(by_item).to_numpy())
        by, what = "spread", "the spread of the item's answers once each annotator's bias is taken out"
    elif "sd" in values.columns and bool(np.isfinite(values["sd"].to_numpy(dtype=float)).any()):
        by, what = "sd", "the value's uncertainty"
    else:
        by, what = "", ""
    if by:
        listed = contested(values, by, ascending=False, n=min(top, 30))
        note = f"Largest {by} ({what}) first, red in the histogram: the items the annotators disagree on most."
        plot = histogram(
            values[by].fillna(0.0),
            values.index.isin(listed.index),
            xlabel=by,
            alt=f"histogram of the items' {by}",
            ident="numbers-" + by,
        )
        body = plot + (_table(listed) if len(listed) else none_contested(values, by, "items"))
    else:
        note = "Without the answers file nor an uncertainty (median): the values with the fewest answers first."
        body = _table(worst(values, "n", n=min(top, 30)) if "n" in values.columns else values.head(min(top, 30)))
    out.append(section("numbers-contested", "Most disputed items", note, body))
    return out


VIEW = FolderView(
    command="aggregate-numbers",
    title="Aggregated numbers",
    files=("values.csv",),
    marks=("biases_comparable_across_components",),
    tiles=_tiles,
    sections=sections,
)
