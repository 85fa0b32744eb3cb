"""``labelwise aggregate-tags`` in the report: the tags chosen, each annotator's skill per tag, the closest calls.

Reads ``labels.csv`` (item, tags joined by the run's ``--tag-separator``, confidence, n_tags,
n_answers), ``probs.csv`` (each tag's probability per item), ``annotators.csv`` (each annotator's
skill on each tag's yes/no question) and ``summary.json`` (per tag: items chosen, mean probability,
the fit's iterations).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..._tag_cells import DEFAULT_SEPARATOR
from .._annotators import Quality, annotator_section
from .._tasks._common import section, tags
from ._common import Folder, FolderView, contested, count, histogram, none_contested


def _tiles(folder: Folder) -> list[tuple[str, str, bool]]:
    s = folder.summary
    return [
        (str(s.get("method", "")), "method", False),
        (count(s.get("n_items")), "items", False),
        (count(s.get("n_annotators")), "annotators", False),
        (count(s.get("n_answers")), "answers", False),
        (count(s.get("n_tags")), "tags", False),
        (f"{float(s.get('mean_confidence') or np.nan):.3f}", "mean confidence", False),
    ]


def _closest_call(probs: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per item: the tag whose probability is nearest the threshold (the call that could go either way)."""
    values = probs.drop(columns="item").to_numpy(dtype=float)
    names = np.array([str(c) for c in probs.columns if c != "item"], dtype=object)
    if values.shape[1] == 0:
        return pd.DataFrame({"item": probs["item"], "closest call": "", "its probability": np.nan})
    at = np.nanargmin(np.abs(np.nan_to_num(values, nan=np.inf) - threshold), axis=1)
    return pd.DataFrame(
        {"item": probs["item"], "closest call": names[at], "its probability": values[np.arange(len(values)), at]}
    )


def _items(folder: Folder, top: int) -> str:
    """The least confident items, their tag lists as chips and their closest call."""
    from .._build import _e, _fmt

    labels = folder.table("labels.csv", ids=("item", "tags"), required=("item", "tags", "confidence"))
    assert labels is not None  # a file of the view
    sep = str(folder.get("tag_separator") or DEFAULT_SEPARATOR)
    shown = contested(labels, "confidence", n=min(top, 30))
    if shown.empty:
        return none_contested(labels, "confidence", "items")
    probs = folder.table("probs.csv", ids=("item",))
    if probs is not None and "item" in probs.columns:
        calls = _closest_call(probs, float(folder.get("threshold", 0.5)))
        shown = shown.merge(calls, on="item", how="left")
    others = [c for c in shown.columns if c not in ("item", "tags")]
    numeric = {c for c in others if shown[c].dtype.kind in "iuf"}
    head = "<th>item</th><th>tags</th>" + "".join(
        f"<th{' class=num' if c in numeric else ''}>{_e(c)}</th>" for c in others
    )
    rows = "".join(
        f'<tr><td>{_e(rec["item"])}</td><td class="tags">{_chips(rec["tags"], sep)}</td>'
        + "".join(f"<td{' class=num' if c in numeric else ''}>{_e(_fmt(rec[c]))}</td>" for c in others)
        + "</tr>"
        for _, rec in shown.iterrows()
    )
    return f'<table id="tags-items"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _chips(cell: object, sep: str) -> str:
    """A tag set as the multilabel view's chips."""
    from .._build import _e

    return " ".join(f'<span class="tag">{_e(t)}</span>' for t in tags(cell, sep)) or '<span class="note">(none)</span>'


def sections(folder: Folder, top: int) -> list[str]:
    """Tags chosen, annotators' skill per tag, the confidence distribution and the least confident items."""
    from .. import _plots
    from .._build import _img, _table

    out = []
    per_tag = pd.DataFrame(folder.summary.get("tags") or [])
    if len(per_tag) and {"tag", "n_items_chosen"} <= set(per_tag.columns):
        bar = _plots.bar_png(
            per_tag["tag"].astype(str).tolist()[:40],
            per_tag["n_items_chosen"].to_numpy(dtype=float)[:40],
            xlabel="tag",
            ylabel="items",
            title="items given each tag",
            value_fmt="{:.0f}",
        )
        body = f'<div class="row2">{_img(bar, alt="bar chart of items per tag")}<div class="scroll">{_table(per_tag)}</div></div>'
        note = "How many items each tag was chosen for, its mean probability and its fit."
        out.append(section("tags-chosen", "Tags chosen", note, body))
    ann = folder.table("annotators.csv", ids=("annotator",))
    if ann is not None and len(ann.columns) > 1:
        skills = ann.drop(columns=ann.columns[0]).apply(pd.to_numeric, errors="coerce")
        ann = ann.assign(mean_skill=skills.mean(axis=1))
        note = "Each annotator's skill on each tag's yes/no question (as the method estimates it), and their mean"
        out.append(
            annotator_section(
                ann, Quality("mean_skill", "mean skill", "least skilled"), note=note, name=str(ann.columns[0])
            )
        )
    labels = folder.table("labels.csv", ids=("item", "tags"))
    if labels is not None and "confidence" in labels.columns:
        shown = contested(labels, "confidence", n=min(top, 30))
        marked = labels.index.isin(shown.index)
        plot = histogram(
            labels["confidence"],
            marked,
            xlabel="confidence of the tag set",
            alt="histogram of the items' confidence",
            ident="tags-confidence",
        )
        note = (
            "Lowest confidence first (red in the histogram): the tag sets the annotators agreed on least. "
            "Closest call: the tag whose probability is nearest the threshold."
        )
        out.append(section("tags-contested", "Least confident items", note, plot + _items(folder, top)))
    return out


VIEW = FolderView(
    command="aggregate-tags",
    title="Aggregated tags",
    files=("labels.csv", "annotators.csv"),
    marks=("n_tags", "tags"),
    tiles=_tiles,
    sections=sections,
)
