"""Self-consistency: majority vote over repeated model samples, with the share that agrees as confidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from .._validate.arguments import check_choice, show
from .._validate.labels import row_label, unhashable_value
from ..aggregate._sparse_votes import label_shares
from ..aggregate.majority import MajorityVote
from ..errors import AnnotationError, InvalidParameterError, LabelwiseWarning, MissingColumnError
from ._answer_forms import answer_forms_notice
from ._answer_forms import normalize_answers as _normalize
from ._answer_parsers import UNPARSED_POLICIES, parse_answer_values

__all__ = ["self_consistency"]

_FIX = "pass normalize_answers=True (labelwise aggregate: --normalize-answers)"


def self_consistency(
    answers: pd.DataFrame,
    *,
    item_col: str = "item",
    sample_col: str = "annotator",
    label_col: str = "label",
    random_state: Any = 0,
    duplicates: str = "keep",
    normalize_answers: bool = False,
    parse_answers: str | Callable[[Any], Any] | None = None,
    unparsed: str = "keep",
) -> pd.DataFrame:
    """Majority answer per item over repeated samples of a model, with per-item confidence.

    Parameters
    ----------
    answers : DataFrame
        One row per sample: item, sample (or prompt / model), answer; e.g. what
        :func:`labelwise.io.read_annotations` returns for ``format="votes"``.
    item_col, sample_col, label_col : str
    random_state : int or Generator
        Breaks ties between equally frequent answers, by the rule of
        :class:`labelwise.aggregate.MajorityVote` (so ``labelwise aggregate --format votes
        --method majority-vote`` gives the same labels for the same seed, in any row order).
    duplicates : {"keep", "last"}
        Several answers of one sample on one item (as ``duplicates`` of :mod:`labelwise.aggregate`):
        ``"keep"`` counts each (right when ``sample_col`` names prompts or models, each sampled
        several times), with a :class:`~labelwise.errors.LabelwiseWarning` naming the first
        repeated rows; ``"last"`` keeps only the last in row order (right when ``sample_col``
        names single draws, so that a repeated record, e.g. a line written twice, is one vote).
    normalize_answers : bool, default False
        Vote on each text answer's normal form: stripped of surrounding spaces, casefolded, without a
        leading ``Answer:`` / ``The answer is`` / ``Final answer:``, and stripped of surrounding
        quotes, brackets, ``*``/``_`` emphasis and trailing sentence punctuation, so that ``B``,
        ``B.``, ``"B"``, `` b ``, ``(B)`` and ``Answer: B`` are the one answer ``b`` (the labels are
        the normal forms). Self-consistency parses each sampled answer before the vote [1]_; with
        ``False`` (the default) answers are the classes as written, and answers that this rule would
        make one are named in a :class:`~labelwise.errors.LabelwiseWarning`.
    parse_answers : {"multiple-choice", "number", "last-line"}, callable or None, default None
        Vote on the final answer each sample gives, parsed out of its text [1]_ by a rule of
        :data:`labelwise.weak.ANSWER_PARSERS`: ``"multiple-choice"`` the option letter (``The answer
        is B because ...``, ``**B**``, ``Final answer: (B)``, ``B) Paris`` are ``B``), ``"number"``
        the number in one spelling (``\\boxed{42}``, ``#### 42``, ``The answer is 42.`` are ``42``;
        ``1,234.50`` is ``1234.5``), ``"last-line"`` the last line's normal form (see
        ``normalize_answers``); or a function of one answer returning its parsed form or None. An
        answer the rule cannot read is never guessed: a warning counts them and names the most
        frequent, and ``unparsed`` says what becomes of them. Not with ``normalize_answers``.
    unparsed : {"keep", "drop"}, default "keep"
        With ``parse_answers``: an answer it cannot parse is kept as written (a class of its own)
        or dropped from the vote (an item left without answers gets no row).

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
    _check(answers, {"item_col": item_col, "sample_col": sample_col, "label_col": label_col}, duplicates)
    _check_readings(normalize_answers, parse_answers, unparsed)
    kept = _answered(answers, item_col, sample_col, label_col, duplicates)
    if parse_answers is not None:
        kept = _parsed(kept, label_col, parse_answers, unparsed)
    elif normalize_answers:
        kept = kept.assign(**{label_col: _normalize(kept[label_col])})
    elif (notice := answer_forms_notice(kept[label_col], f"answers column {label_col!r}", _FIX)) is not None:
        warn_at_caller(LabelwiseWarning(notice))
    # one tie rule with `aggregate --method majority-vote`: the draws of MajorityVote on the same answers
    voters = pd.RangeIndex(len(kept))  # duplicates were settled above: each row is one vote
    table = pd.DataFrame({"item": kept[item_col].to_numpy(), "voter": voters, "label": kept[label_col].to_numpy()})
    vote = MajorityVote(annotator_col="voter", random_state=random_state).fit(table)
    return _result(vote)


def _check(answers: Any, named: dict[str, str], duplicates: str) -> None:
    """``answers`` is a DataFrame holding the named columns; ``duplicates`` is a policy."""
    if not isinstance(answers, pd.DataFrame):
        raise AnnotationError(f"answers must be a DataFrame (item, sample, answer), got {type(answers).__name__}")
    missing = [f"{param}={col!r}" for param, col in named.items() if col not in answers.columns]
    if missing:
        raise MissingColumnError(
            f"answers is missing columns {', '.join(missing)}; found {[str(c) for c in answers.columns]}"
        )
    check_choice("duplicates", duplicates, ("keep", "last"))


def _check_readings(normalize_answers: Any, parse_answers: Any, unparsed: str) -> None:
    """``normalize_answers`` a bool, ``unparsed`` a policy, and not both readings of the answers at once."""
    if not isinstance(normalize_answers, (bool, np.bool_)):
        raise InvalidParameterError(f"normalize_answers must be True or False, got {normalize_answers!r}")
    check_choice("unparsed", unparsed, UNPARSED_POLICIES)
    if parse_answers is not None and normalize_answers:
        raise InvalidParameterError(
            "parse_answers and normalize_answers are two readings of the answers: pass one, got "
            f"parse_answers={show(parse_answers)} and normalize_answers=True (last-line parsing ends in the normal form)"
        )


def _result(vote: MajorityVote) -> pd.DataFrame:
    """label, confidence (the label's vote share), n_samples and n_distinct per item, from the fitted vote."""
    sparse = vote.__dict__.get("probas_sparse_")  # every answer its own class: no dense shares table
    if sparse is not None:
        confidence, distinct = label_shares(sparse, vote.label_codes_), np.diff(sparse.indptr)
    else:
        shares = vote.probas_.to_numpy()
        confidence, distinct = shares[np.arange(len(shares)), vote.label_codes_], (shares > 0).sum(axis=1)
    out = pd.DataFrame(
        {
            "label": vote.labels_,
            "confidence": confidence,
            "n_samples": vote.n_answers_per_item_.astype(np.int64),
            "n_distinct": distinct.astype(np.int64),
        },
        index=vote.labels_.index,
    )
    out.index.name = "item"
    return out


def _parsed(kept: pd.DataFrame, label_col: str, parser: Any, unparsed: str) -> pd.DataFrame:
    """The answers parsed by ``parser``; those it cannot read named in a warning, kept or dropped."""
    parsed = parse_answer_values(kept[label_col], parser)
    other = "pass unparsed='drop' to leave them out of the vote" if unparsed == "keep" else "unparsed='keep' keeps them"
    notice = parsed.notice(f"answers (column {label_col!r})", unparsed, other)
    if notice is not None:
        warn_at_caller(LabelwiseWarning(notice))
    kept = kept.assign(**{label_col: parsed.values})
    if unparsed == "drop":
        kept = kept[~parsed.unparsed]
        if kept.empty:
            raise AnnotationError(
                f"answers has no answer that parse_answers={show(parser)} can parse (unparsed='drop')"
            )
    return kept


def _answered(answers: pd.DataFrame, item_col: str, sample_col: str, label_col: str, duplicates: str) -> pd.DataFrame:
    """The (item, answer) rows that vote: an answer given, and under ``duplicates``; an item missing, no answer
    at all, or a list or dict as an item or answer is refused naming the column and the row."""
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
    return kept


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
    warn_at_caller(
        LabelwiseWarning(
            f"answers holds {n_rep} repeated answer(s) of one sample on one item (columns item_col={item_col!r}, "
            f"sample_col={sample_col!r}), e.g. item {show(item)} by sample {show(sample)} at {rows}; {action}"
        )
    )
    if duplicates == "last":
        keep[positions[repeated]] = False
    return keep
