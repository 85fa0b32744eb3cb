"""Self-consistency: majority vote over repeated model samples, with the share that agrees as confidence."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_choice, check_random_state, show
from .._validate.labels import row_label, unhashable_value
from ..errors import AnnotationError, LabelwiseWarning, MissingColumnError

__all__ = ["self_consistency"]


def self_consistency(
    answers: pd.DataFrame,
    *,
    item_col: str = "item",
    sample_col: str = "annotator",
    label_col: str = "label",
    random_state: Any = 0,
    duplicates: str = "keep",
) -> pd.DataFrame:
    """Majority answer per item over repeated samples of a model, with per-item confidence.

    Parameters
    ----------
    answers : DataFrame
        One row per sample: item, sample (or prompt / model), answer; e.g. what
        :func:`labelwise.io.read_annotations` returns for ``format="votes"``.
    item_col, sample_col, label_col : str
    random_state : int or Generator
        Breaks ties between equally frequent answers.
    duplicates : {"keep", "last"}
        Several answers of one sample on one item (as ``duplicates`` of :mod:`labelwise.aggregate`):
        ``"keep"`` counts each (right when ``sample_col`` names prompts or models, each sampled
        several times), with a :class:`~labelwise.errors.LabelwiseWarning` naming the first
        repeated rows; ``"last"`` keeps only the last in row order (right when ``sample_col``
        names single draws, so that a repeated record, e.g. a line written twice, is one vote).

    Returns
    -------
    DataFrame indexed by item
        ``label`` (the most frequent answer), ``confidence`` (share of samples giving it),
        ``n_samples`` and ``n_distinct`` (distinct answers).

    References
    ----------
    .. [1] X. Wang, J. Wei, D. Schuurmans, Q. Le, E. Chi, S. Narang, A. Chowdhery and D. Zhou,
       "Self-Consistency Improves Chain of Thought Reasoning in Language Models", ICLR 2023.
    """
    if not isinstance(answers, pd.DataFrame):
        raise AnnotationError(f"answers must be a DataFrame (item, sample, answer), got {type(answers).__name__}")
    named = {"item_col": item_col, "sample_col": sample_col, "label_col": label_col}
    missing = [f"{param}={col!r}" for param, col in named.items() if col not in answers.columns]
    if missing:
        raise MissingColumnError(
            f"answers is missing columns {', '.join(missing)}; found {[str(c) for c in answers.columns]}"
        )
    check_choice("duplicates", duplicates, ("keep", "last"))
    no_item = answers[item_col].isna().to_numpy()
    if no_item.any():  # groupby would drop the row without a word
        row = row_label(answers.index, int(np.flatnonzero(no_item)[0]))
        raise AnnotationError(
            f"answers must name the item of every answer (column item_col={item_col!r}); {row} has none"
        )
    has_answer = answers[label_col].notna().to_numpy().copy()
    has_answer &= _not_repeated(answers, item_col, sample_col, label_col, has_answer, duplicates)
    kept = answers.loc[has_answer, [item_col, label_col]]
    if kept.empty:
        raise AnnotationError("answers has no non-empty answer to vote on")
    positions = np.flatnonzero(has_answer)
    for col, what in ((item_col, "item ids"), (label_col, "answers")):
        # a list or dict (nested JSON): groupby's "unhashable type" named no column (a loop only over object columns)
        error = unhashable_value(
            f"answers column {col!r}",
            kept[col],
            what,
            lambda p: row_label(answers.index, int(positions[p])),
            AnnotationError,
        )
        if error is not None:
            raise error
    counts = kept.groupby([item_col, label_col], sort=True).size().rename("count").reset_index()
    rng = check_random_state(random_state)
    counts["tie"] = rng.random(len(counts))
    best = counts.sort_values([item_col, "count", "tie"], ascending=[True, False, False], kind="stable")
    best = best.drop_duplicates(item_col).set_index(item_col)
    per_item = counts.groupby(item_col, sort=True)["count"].agg(["sum", "size"])
    out = pd.DataFrame(
        {
            "label": best[label_col],
            "confidence": best["count"] / per_item["sum"],
            "n_samples": per_item["sum"].astype(np.int64),
            "n_distinct": per_item["size"].astype(np.int64),
        }
    )
    out.index.name = "item"
    return out


def _not_repeated(
    answers: pd.DataFrame, item_col: str, sample_col: str, label_col: str, has_answer: np.ndarray, duplicates: str
) -> np.ndarray:
    """Rows to count under ``duplicates``: all, or the last answer of each (item, sample); warns of repeats."""
    keep = np.ones(len(answers), dtype=bool)
    answered = answers.loc[has_answer, [item_col, sample_col]]
    try:
        repeated = answered.duplicated(keep="last").to_numpy()
    except TypeError:  # an unhashable cell: named below by the answers' own check
        return keep
    if not repeated.any():
        return keep
    positions = np.flatnonzero(has_answer)
    first = int(positions[np.flatnonzero(repeated)[0]])
    item, sample = answers[item_col].iloc[first], answers[sample_col].iloc[first]
    same = np.flatnonzero(
        has_answer & (answers[item_col] == item).to_numpy() & (answers[sample_col] == sample).to_numpy()
    )
    rows = ", ".join(row_label(answers.index, int(p)) for p in (same[:5] if len(same) else [first]))
    n_rep = int(repeated.sum())
    if duplicates == "last":
        action = "only the last of each (item, sample) is counted (duplicates='last')"
    else:
        action = (
            "each counts as a vote (duplicates='keep'); pass duplicates='last' if they are repeated "
            "records of one sample (e.g. a line written twice)"
        )
    warnings.warn(
        f"answers holds {n_rep} repeated answer(s) of one sample on one item (columns item_col={item_col!r}, "
        f"sample_col={sample_col!r}), e.g. item {show(item)} by sample {show(sample)} at {rows}; {action}",
        LabelwiseWarning,
        stacklevel=3,
    )
    if duplicates == "last":
        keep[positions[repeated]] = False
    return keep
