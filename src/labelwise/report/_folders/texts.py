"""``labelwise aggregate-texts`` in the report: the chosen texts furthest from their answers, annotators' reliability.

Reads ``texts.csv`` (item, the chosen text, its similarity to the item's (weighted) mean answer,
n_answers; rover: no similarity), ``annotators.csv`` (rasa, hrrasa: each annotator's reliability)
and ``summary.json``. A low similarity means the item's answers differ: the chosen text stands for
them least. Without annotators.csv (closest, rover) each annotator's answers are scored against the
chosen texts here (:mod:`._text_agreement`); rover's least agreed items are those whose answers are
the most words off its text.
"""

from __future__ import annotations

import pandas as pd

from .._annotators import Quality, annotator_section, unscored_section
from .._tasks._common import section
from ._common import Folder, FolderView, contested, count, histogram, input_table, none_contested
from ._text_agreement import per, scored, text_agreement


def _tiles(folder: Folder) -> list[tuple[str, str, bool]]:
    s = folder.summary
    return [
        (str(s.get("method", "")), "method", False),
        (count(s.get("n_items")), "items", False),
        (count(s.get("n_answers")), "answers", False),
        *([(count(s["n_annotators"]), "annotators", False)] if s.get("n_annotators") is not None else []),
        *(
            [(f"{float(s['mean_similarity']):.3f}", "mean similarity", False)]
            if s.get("mean_similarity") is not None
            else []
        ),
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


def _annotators(folder: Folder, texts: pd.DataFrame) -> str:
    """annotators.csv's reliabilities, or each annotator's answers scored against the chosen texts here."""
    from .._build import _e

    ann = folder.table("annotators.csv", ids=("annotator",))
    if ann is not None and len(ann.columns):
        note = "Each annotator's reliability as the method estimates it (a weight: larger is more reliable)"
        quality = Quality("skill", "reliability", "least reliable", active="n_answers")
        return annotator_section(ann, quality, note=note, name=str(ann.columns[0]))
    scored, scoring, why = text_agreement(folder, texts)
    if scored is None:
        return unscored_section(f"No annotators.csv in the folder ({folder.summary.get('method')}), and {why}.")
    note = (
        f"Each annotator's answers (from {_e(folder.summary.get('answers'))}) against its items' chosen texts: "
        f"{_e(scoring.what)}; n_chosen: its answers that are the chosen text"
    )
    return annotator_section(scored, scoring.quality, note=note, name="annotator")


def _rover_items(folder: Folder, texts: pd.DataFrame, top: int) -> str:
    """rover's least agreed items: the word error rate of each item's answers against its text, worst first."""
    from .._build import _table

    table, _, why = scored(folder, texts)
    if table is None:
        return section("texts-contested", "Least agreed items", f"ROVER gives no similarity, and {why}.", "")
    per_item = per(table.assign(item=table["item"].astype(str)), "item")
    frame = texts.assign(**{"word_error_rate": texts["item"].astype(str).map(per_item).to_numpy()})
    listed = contested(frame, "word_error_rate", ascending=False, n=min(top, 30))
    note = (
        "Highest word error rate of the item's answers against the composed text first: the items whose "
        "answers differ most; beside it, the item's other answers."
    )
    body = _table(_with_answers(folder, listed)) if len(listed) else none_contested(frame, "word_error_rate", "items")
    return section("texts-contested", "Least agreed items", note, body)


def sections(folder: Folder, top: int) -> list[str]:
    """The annotators' reliability (or agreement), the similarity distribution and the least similar chosen texts."""
    from .._build import _table

    rover = folder.summary.get("method") == "rover"  # composes its texts: no similarity
    required = ("item", "text") if rover else ("item", "text", "similarity")
    texts = folder.table("texts.csv", ids=("item", "text"), required=required)
    assert texts is not None  # a file of the view
    out = [_annotators(folder, texts)]
    if rover:
        return [*out, _rover_items(folder, texts, top)]
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
