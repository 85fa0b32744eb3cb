"""`labelwise weak --gold-column`: the functions' majority vote scored beside the label model.

A label model can be less accurate than the plain majority vote of the functions it weighs (with
rules that copy one another, or a likelihood that explains a rule's firing rather than its votes:
docs/weak.md). With gold labels the command measures both on the same items and says so, as
Snorkel's tutorials print "Majority Vote Accuracy" beside "Label Model Accuracy". A tie among the
top classes counts as the share of the tied classes that is right (``1/t`` or 0), the mean over
every way of breaking it: no random draw. The notice compares the label model with the majority vote
whose every tie is lost, so that a label model which is a majority vote (a fallback, a deterministic
tie-break) never gets it by the luck of its ties."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._heavy import pandas as pd

__all__ = ["gold_line", "majority_vote_accuracy"]


def majority_vote_accuracy(votes: Any, gold: pd.Series, counted: np.ndarray) -> dict[str, float | None]:
    """summary.json's majority-vote fields: its accuracy against ``gold`` (indexed by item) on the items
    of ``votes.items`` that ``counted`` marks and that have a gold label, ties split
    (``majority_vote_accuracy_on_covered_gold``) and every tie lost
    (``majority_vote_accuracy_ties_lost``, the least any tie-break gives); None if there are no such items."""
    matrix = votes.matrix()
    counts = np.stack([(matrix == k).sum(axis=1) for k in range(len(votes.classes))], axis=1)
    top = (counts == counts.max(axis=1, keepdims=True)) & (counts > 0)
    code = {c: k for k, c in enumerate(votes.classes.tolist())}
    g = gold.reindex(pd.Index(votes.items))
    codes = np.array([code.get(v, -1) if pd.notna(v) else -1 for v in g.tolist()], dtype=np.int64)
    has = g.notna().to_numpy() & counted & top.any(axis=1)
    if not has.any():
        return {"majority_vote_accuracy_on_covered_gold": None, "majority_vote_accuracy_ties_lost": None}
    rows = np.flatnonzero(has)
    right = np.where(codes[rows] >= 0, top[rows, np.maximum(codes[rows], 0)], False)
    tied = top[rows].sum(axis=1)
    return {
        "majority_vote_accuracy_on_covered_gold": float(np.mean(right / tied)),
        "majority_vote_accuracy_ties_lost": float(np.mean(right & (tied == 1))),
    }


def gold_line(summary: dict[str, Any]) -> str | None:
    """The screen's ``accuracy vs gold`` line, with the majority vote's accuracy on the same items, and a
    notice when the label model's is lower than the majority vote's with every tie lost (so below any
    way of breaking its ties: a label model that fell back to majority vote gets none); None without gold."""
    accuracy = summary.get("accuracy_on_covered_gold")
    if accuracy is None:
        return None
    line = f"accuracy vs gold: [bold]{accuracy:.4f}[/] on the {summary['n_covered_gold']} items with a gold label that a function voted on"
    baseline, lowest = (
        summary.get("majority_vote_accuracy_on_covered_gold"),
        summary.get("majority_vote_accuracy_ties_lost"),
    )
    if baseline is None:
        return line
    line += f" (the functions' majority vote: {baseline:.4f} with ties split, {lowest:.4f} with every tie lost)"
    if lowest is not None and accuracy < lowest:
        line += (
            "\nnotice: the label model's labels are less accurate than the functions' majority vote on these "
            "items, however its ties are broken; compare analysis.csv's estimated_accuracy with "
            "empirical_accuracy (docs/weak.md, label models)"
        )
    return line
