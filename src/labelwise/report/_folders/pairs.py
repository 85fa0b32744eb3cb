"""``labelwise aggregate-pairs`` in the report: the ranking, the comparisons it contradicts, annotators' reliability.

Reads ``scores.csv`` (item, score: the log-strength, rank within its connected component,
component), ``annotators.csv`` (noisy-bt: each annotator's reliability and left bias) and
``summary.json``. When the comparisons file the run read (``summary["pairs"]``) is still there, the
page also counts, per item, its upsets: the comparisons whose winner scores below the loser (within
one component), the comparisons the annotators disagree with the ranking on. bt weighs no
annotator and writes no annotators.csv: the page then scores each annotator from that file (its
``annotator`` column, the default of ``--annotator-column``): the share of its comparisons that the
fitted ranking agrees with (the winner scored above the loser; an equal score counts half).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._annotators import Quality, annotator_section, unscored_section
from .._tasks._common import section
from ._common import Folder, FolderView, count, input_table


def _tiles(folder: Folder) -> list[tuple[str, str, bool]]:
    s = folder.summary
    parts = s.get("n_components")
    return [
        (str(s.get("method", "")), "method", False),
        (count(s.get("n_items")), "items", False),
        (count(s.get("n_comparisons")), "comparisons", False),
        *([(count(s["n_annotators"]), "annotators", False)] if s.get("n_annotators") is not None else []),
        (count(parts), "connected groups", bool(parts and parts > 1)),
    ]


def upsets(folder: Folder, scores: pd.DataFrame) -> pd.DataFrame | None:
    """Per item: its comparisons, wins and upsets (won by the lower-scored item), most upset share
    first; None when the comparisons file cannot be read as the run read it."""
    columns = folder.summary.get("columns") or {}
    names = [columns.get(k) or k for k in ("left", "right", "winner")]
    pairs = input_table(folder, "pairs", names)
    if pairs is None:
        return None
    score = dict(zip(scores["item"].astype(str), scores["score"].astype(float), strict=False))
    left, right, winner = (pairs[n].astype(str).to_numpy() for n in names)
    loser = np.where(winner == left, right, left)
    won, lost = pd.Series(winner).map(score).to_numpy(), pd.Series(loser).map(score).to_numpy()
    upset = won < lost
    both = pd.DataFrame({"item": np.concatenate([winner, loser]), "upset": np.concatenate([upset, upset])})
    both["win"] = np.r_[np.ones(len(winner), bool), np.zeros(len(loser), bool)]
    table = both.groupby("item", sort=False).agg(
        comparisons=("upset", "size"), wins=("win", "sum"), upsets=("upset", "sum")
    )
    table["upset share"] = table["upsets"] / table["comparisons"]
    table = table.reset_index().merge(
        scores[[c for c in ("item", "score", "rank") if c in scores]].astype({"item": str}), on="item", how="left"
    )
    table = table[table["upsets"] > 0]
    return table.sort_values(["upset share", "upsets"], ascending=False, kind="stable")


#: How the annotators of a folder without annotators.csv are ranked.
AGREEMENT = Quality("agreement", "share the ranking agrees with", "least agreeing", active="comparisons")


def agreement(folder: Folder, scores: pd.DataFrame) -> tuple[pd.DataFrame | None, str]:
    """Per annotator of the comparisons the run read: comparisons, agreed (those whose winner the fitted
    ranking scores above the loser, an equal score counting half) and agreement (their share); or
    None and why the file cannot say it."""
    columns = folder.summary.get("columns") or {}
    names = [str(columns.get(k) or k) for k in ("left", "right", "winner", "annotator")]
    pairs = input_table(folder, "pairs", names)
    if pairs is None:
        where = folder.summary.get("pairs")
        if input_table(folder, "pairs", names[:3]) is not None:
            return None, f"the comparisons ({where}) name no annotator (no column {names[3]!r})"
        return None, f"the comparisons file the run read ({where}) is not there, or lacks its columns {names[:3]}"
    expected = folder.summary.get("n_comparisons")
    if expected is not None and len(pairs) != int(expected):
        return None, f"the comparisons file has changed since the run: {len(pairs):,} rows now, {expected} then"
    score = pd.Series(scores["score"].astype(float).to_numpy(), index=scores["item"].astype(str))
    left, right, winner = (pairs[n].astype(str) for n in names[:3])
    won, lost = winner.map(score).to_numpy(), left.where(winner != left, right).map(score).to_numpy()
    if np.isnan(won).any() or np.isnan(lost).any():
        return None, "the comparisons file has changed since the run: it compares items scores.csv does not score"
    agreed = np.where(won > lost, 1.0, np.where(won == lost, 0.5, 0.0))
    groups = pd.DataFrame({"annotator": pairs[names[3]], "agreed": agreed}).groupby("annotator", sort=True)["agreed"]
    table = pd.DataFrame({"comparisons": groups.size(), "agreed": groups.sum(), "agreement": groups.mean()})
    return table.reset_index(), ""


def _annotators(folder: Folder, scores: pd.DataFrame) -> str:
    """annotators.csv's reliabilities (noisy-bt), or each annotator's agreement with the ranking."""
    from .._build import _e

    ann = folder.table("annotators.csv", ids=("annotator",))
    if ann is not None and len(ann.columns):
        note = "Each annotator's reliability (1: always picks the stronger item, 0.5: at random) and left bias"
        return annotator_section(
            ann, Quality("skill", "reliability", "least reliable"), note=note, name=str(ann.columns[0])
        )
    table, why = agreement(folder, scores)
    if table is None:
        return unscored_section(f"No annotators.csv in the folder ({folder.summary.get('method')}), and {why}.")
    note = (
        f"Each annotator's comparisons (from {_e(folder.summary.get('pairs'))}): agreement is the share the fitted "
        "ranking agrees with (the winner scored above the loser; an equal score counts half)"
    )
    return annotator_section(table, AGREEMENT, note=note, name="annotator")


def sections(folder: Folder, top: int) -> list[str]:
    """The ranking (a bar chart of the best items and the table), annotators' reliability and the upsets."""
    from .. import _plots
    from .._build import _img, _table

    out = []
    scores = folder.table("scores.csv", ids=("item",), required=("item", "score"))
    assert scores is not None  # a file of the view
    best = scores.sort_values("score", ascending=False, kind="stable").head(40)
    bar = _plots.bar_png(
        best["item"].astype(str).tolist(),
        best["score"].to_numpy(dtype=float),
        xlabel="item",
        ylabel="score (log-strength)",
        horizontal=True,
        value_fmt="{:.2f}",
        title="best scored items" + (" (40 best)" if len(scores) > 40 else ""),
    )
    note = "Items best first; a score compares only with the scores of its component (connected group)."
    body = f'<div class="row2">{_img(bar, alt="bar chart of the best scored items", id_="pairs-scores")}{_table(best.head(top))}</div>'
    out.append(section("pairs-ranking", "Ranking", note, body))
    out.append(_annotators(folder, scores))
    table = upsets(folder, scores)
    if table is not None:
        note = (
            f"Upsets: comparisons won by the lower-scored item ({int(table['upsets'].sum()) // 2:,} of "
            f"{count(folder.summary.get('n_comparisons'))}); the items most often in one first (share of their comparisons)."
        )
        body = (
            _table(table.head(min(top, 30)))
            if len(table)
            else '<p class="note">No comparison contradicts the ranking.</p>'
        )
        out.append(section("pairs-contested", "Most contested items", note, body))
    return out


VIEW = FolderView(
    command="aggregate-pairs",
    title="Scored items",
    files=("scores.csv",),
    marks=("n_comparisons", "component_sizes"),
    tiles=_tiles,
    sections=sections,
)
