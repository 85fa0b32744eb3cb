"""``labelwise aggregate-texts`` in the report: the chosen texts furthest from their answers, annotators' reliability.

Reads ``texts.csv`` (item, the chosen text, its similarity to the item's (weighted) mean answer,
n_answers), ``annotators.csv`` (rasa, hrrasa: each annotator's reliability) and ``summary.json``.
A low similarity means the item's answers differ: the chosen text stands for them least.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._annotators import Quality, annotator_section
from .._tasks._common import section
from ._common import Folder, FolderView, contested, count, histogram, input_table, none_contested


def _tiles(folder: Folder) -> list[tuple[str, str, bool]]:
    s = folder.summary
    return [
        (str(s.get("method", "")), "method", False),
        (count(s.get("n_items")), "items", False),
        (count(s.get("n_answers")), "answers", False),
        *([(count(s["n_annotators"]), "annotators", False)] if s.get("n_annotators") is not None else []),
        (f"{float(s.get('mean_similarity', np.nan)):.3f}", "mean similarity", False),
    ]


def _with_answers(folder: Folder, listed: pd.DataFrame) -> pd.DataFrame:
    """``listed`` with each item's other answers (those unlike the chosen text, most frequent first,
    ``×n`` when given n times), read from the answers file the run read while it is there."""
    columns = folder.summary.get("columns") or {}
    names = [str(columns.get(k) or k) for k in ("item", "text")]
    answers = input_table(folder, "answers", names)
    if answers is None:
        return listed
    answers = answers[answers[names[0]].astype(str).isin(set(listed["item"].astype(str)))]
    by_item = answers.groupby(answers[names[0]].astype(str))[names[1]]
    chosen = dict(zip(listed["item"].astype(str), listed["text"].astype(str), strict=False))
    others = {}
    for item, texts in by_item:
        counts = texts.dropna().astype(str).value_counts()
        counts = counts[counts.index != chosen.get(str(item))]
        others[item] = " | ".join(f"{t}" + (f" ×{n}" if n > 1 else "") for t, n in counts.items())
    return listed.assign(**{"other answers": listed["item"].astype(str).map(others).fillna("")})


def sections(folder: Folder, top: int) -> list[str]:
    """The annotators' reliability, the similarity distribution and the least similar chosen texts."""
    from .._build import _table

    out = []
    ann = folder.table("annotators.csv", ids=("annotator",))
    if ann is not None and len(ann.columns):
        note = "Each annotator's reliability as the method estimates it (a weight: larger is more reliable)"
        quality = Quality("skill", "reliability", "least reliable", active="n_answers")
        out.append(annotator_section(ann, quality, note=note, name=str(ann.columns[0])))
    texts = folder.table("texts.csv", ids=("item", "text"), required=("item", "text", "similarity"))
    assert texts is not None  # a file of the view
    listed = contested(texts, "similarity", n=min(top, 30))
    plot = histogram(
        texts["similarity"],
        texts.index.isin(listed.index),
        xlabel="similarity of the chosen text to its item's answers",
        alt="histogram of the chosen texts' similarity",
        ident="texts-similarity",
    )
    note = (
        "Lowest similarity first (red in the histogram): the items whose answers differ most, "
        "where the chosen text is the least sure; beside it, the item's other answers."
    )
    body = _table(_with_answers(folder, listed)) if len(listed) else none_contested(texts, "similarity", "items")
    out.append(section("texts-contested", "Least agreed items", note, plot + body))
    return out


VIEW = FolderView(
    command="aggregate-texts",
    title="Aggregated texts",
    files=("texts.csv",),
    marks=("encoder",),
    tiles=_tiles,
    sections=sections,
)
