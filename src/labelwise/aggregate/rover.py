"""ROVER: one text per item from several annotators' free-text answers (transcriptions,
translations, language-model samples), by aligning them into a word transition network and voting
on each slot; and :func:`word_error_rate`, to score such texts against a reference."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._validate.arguments import check_choice, check_fraction, show
from .._validate.labels import row_label
from ..errors import AnnotationError, InvalidParameterError, MissingColumnError, ShapeMismatchError
from ._answers import DUPLICATE_POLICIES
from ._embed_data import check_table
from ._rover_align import edit_distances
from ._rover_network import Scoring, Tokens, build_networks
from ._rover_tokens import check_callable, join_words, split_words, tokenize

__all__ = ["ROVER", "ROVER_ORDERS", "word_error_rate"]

#: The orders ROVER aligns an item's answers in: as the table lists them, or by annotator id.
ROVER_ORDERS = ("input", "annotator")
COLUMNS = ("item", "annotator", "text")


class ROVER(BaseEstimator):
    """Recognizer Output Voting Error Reduction (ROVER): align the answers, vote on each word.

    For each item, the answers (tokenised into words) are aligned one after another into a *word
    transition network* (WTN), a sequence of slots, each holding the words the answers put there
    and the *null arc* (no word) for the answers that have none there. The first answer makes one
    slot per word; each next answer is aligned to the network by dynamic programming (Levenshtein
    alignment, every edit costing 1): a word on a slot that holds it costs 0, on a slot that
    does not (substitution) 1; passing a slot (deletion) costs 1, or 0 where the slot already holds
    a null arc; an extra word (insertion) costs 1 and makes a new slot, in which every answer
    aligned before has a null arc. The result is the word with the most votes in each slot, null
    arcs dropped (Fiscus, 1997, section 2).

    The vote is the paper's frequency of occurrence (``alpha = 1``, the default). With ``alpha < 1``
    a word's score is the paper's ``alpha * N(w) / N + (1 - alpha) * C(w)`` (its voting scheme):
    ``N(w)`` answers of the item's ``N`` put ``w`` in the slot, and ``C(w)`` is the average (or
    maximum) confidence of those answers, read from a ``confidence`` column (one confidence per
    answer, in [0, 1], given to each of its words); the null arc's confidence is
    ``null_confidence``, a parameter the paper fits on held-out data. Ties go to the longer word,
    then to the greater text (a word beats the null arc); equal costs in the alignment are resolved
    in the order match or substitution, deletion, insertion. Both are the choices of crowd-kit's
    ``ROVER`` (1.4.2), whose output this matches string for string on the same tokenizer,
    detokenizer and answer order (``tests/aggregate/test_rover_vs_crowdkit.py``).
    As there, passing a slot before the first word of an answer costs 1 even where the slot holds a
    null arc.

    The alignment is computed for blocks of items at once (one numpy pass per answer word, over
    every slot of every item of the block), not item by item.

    Parameters
    ----------
    tokenizer : callable or None, default=None
        ``str -> list of str``; ``None`` splits on whitespace (``str.split()``). Empty tokens are
        dropped.
    detokenizer : callable or None, default=None
        ``list of str -> str``; ``None`` joins with one space.
    order : {"input", "annotator"}, default="input"
        The order in which an item's answers are aligned (the first is the starting network):
        ``"input"``, the order of the rows in the table (crowd-kit's order); ``"annotator"``, by
        annotator id (rows of one annotator in table order), which makes the result independent
        of the row order. The order matters where the alignment is ambiguous.
    alpha : float in [0, 1], default=1.0
        Weight of the vote frequency against the confidence in a word's score; below 1 the table
        needs a ``confidence`` column.
    confidence_score : {"average", "max"}, default="average"
        How the confidences of a word's votes make ``C(w)``: their mean or their maximum (the
        paper's two confidence scores).
    null_confidence : float in [0, 1], default=0.0
        The confidence of the null arc, ``C(@)`` in the paper.
    duplicates : {"keep", "last"}, default="keep"
        Several texts of one annotator on one item: each is an answer (``keep``), or only the last
        in row order (``last``), as :class:`~labelwise.aggregate.MajorityVote`'s.

    Attributes
    ----------
    texts_ : pandas.Series
        The aggregated text of each item, indexed by item (sorted; in first-seen order when the ids
        cannot be sorted), named ``"text"``. An item whose answers are all missing (null text) gets
        a missing value; one whose answers are all empty gets the detokenized empty list (``""``).
    network_ : pandas.DataFrame
        The word transition networks, one row per (item, slot, word) with columns ``item``,
        ``slot`` (from 0), ``word`` (``""`` for the null arc) and ``votes`` (answers with that word
        in that slot). An item's text is each slot's most voted word.
    n_items_ : int
        Number of items.
    n_answers_ : int
        Number of answers aligned (rows with a non-missing text).
    n_duplicates_, n_duplicates_dropped_ : int
        Texts repeating an annotator's text on an item; of them, those ``duplicates`` dropped.

    Notes
    -----
    Rows with a missing text (None, NaN) are not answers and are skipped; an empty text is an
    answer with no words, which votes for the null arc in every slot. Every row with a text is one
    answer, also where an annotator answered an item twice, unless ``duplicates="last"``.

    References
    ----------
    .. [1] J. G. Fiscus, "A post-processing system to yield reduced word error rates: Recognizer
       Output Voting Error Reduction (ROVER)", IEEE Workshop on Automatic Speech Recognition and
       Understanding (ASRU), 1997, pp. 347-354. https://doi.org/10.1109/ASRU.1997.659110

    Examples
    --------
    >>> import pandas as pd
    >>> from labelwise.aggregate import ROVER
    >>> answers = pd.DataFrame({
    ...     "item": [1, 1, 1],
    ...     "annotator": ["a", "b", "c"],
    ...     "text": ["the cat sat", "a cat sat down", "the cat sat down"],
    ... })
    >>> ROVER().fit(answers).texts_[1]
    'the cat sat down'
    """

    def __init__(
        self,
        tokenizer: Callable[[str], list[str]] | None = None,
        detokenizer: Callable[[list[str]], str] | None = None,
        order: str = "input",
        alpha: float = 1.0,
        confidence_score: str = "average",
        null_confidence: float = 0.0,
        duplicates: str = "keep",
    ) -> None:
        self.tokenizer = tokenizer
        self.detokenizer = detokenizer
        self.order = order
        self.alpha = alpha
        self.confidence_score = confidence_score
        self.null_confidence = null_confidence
        self.duplicates = duplicates

    def fit(self, answers: pd.DataFrame) -> ROVER:
        """Align each item's answers and vote.

        Parameters
        ----------
        answers : pandas.DataFrame
            Long table with columns ``item``, ``annotator`` and ``text`` (str, or missing); with
            ``alpha < 1`` also ``confidence`` (a number in [0, 1] for every answer with a text).

        Returns
        -------
        self

        Raises
        ------
        MissingColumnError
            If ``answers`` is not a DataFrame or lacks a column (the existing columns are listed).
        AnnotationError
            If ``answers`` is empty, has a missing item or annotator id, a text that is not a
            string, or (``alpha < 1``) a confidence outside [0, 1] (the row is named).
        InvalidParameterError
            If ``tokenizer``/``detokenizer`` is not callable or returns the wrong type, ``order``
            or ``confidence_score`` is not one of its choices, or ``alpha`` or
            ``null_confidence`` is not in [0, 1], or ``duplicates`` is not ``"keep"`` or ``"last"``.
        """
        tokenizer = check_callable("tokenizer", self.tokenizer, split_words)
        detokenizer = check_callable("detokenizer", self.detokenizer, join_words)
        check_choice("order", self.order, ROVER_ORDERS)
        scoring = Scoring(
            alpha=check_fraction("alpha", self.alpha, closed_high=True),
            confidence=check_choice("confidence_score", self.confidence_score, ("average", "max")),
            null_confidence=check_fraction("null_confidence", self.null_confidence, closed_high=True),
        )
        frame = _check_answers(answers)
        check_choice("duplicates", self.duplicates, DUPLICATE_POLICIES)
        answered = np.flatnonzero(~pd.isna(frame["text"]).to_numpy(dtype=bool))
        repeated = np.zeros(len(frame), dtype=bool)  # a text before the same annotator's last on the item
        repeated[answered] = frame.iloc[answered].duplicated(["item", "annotator"], keep="last").to_numpy()
        self.n_duplicates_ = int(repeated.sum())
        self.n_duplicates_dropped_ = self.n_duplicates_ if self.duplicates == "last" else 0
        if self.n_duplicates_dropped_:
            frame = frame.iloc[np.flatnonzero(~repeated)]
        item_idx, item_values = _codes(frame["item"])
        text = frame["text"].to_numpy(dtype=object)
        rows = np.flatnonzero(~pd.isna(frame["text"]).to_numpy(dtype=bool))
        if self.order == "input":
            rows = rows[np.argsort(item_idx[rows], kind="stable")]
        else:
            annotator_idx = _codes(frame["annotator"])[0]
            rows = rows[np.lexsort((annotator_idx[rows], item_idx[rows]))]
        words = tokenize(
            text[rows], tokenizer, "tokenizer", lambda h: f"answers {row_label(frame.index, int(rows[h]))}"
        )
        n_items = len(item_values)
        hyp_conf = _confidences(frame, rows) if scoring.alpha < 1.0 else None
        tokens = Tokens(n_items, item_idx[rows], words.lengths, words.codes, len(words.vocab), hyp_conf)
        nets = build_networks(tokens, scoring)
        self.texts_ = _texts(nets.win_item, words.vocab[nets.win_word], item_idx[rows], item_values, detokenizer)
        vocab = np.append(words.vocab, "")  # code -1: the null arc
        self.network_ = pd.DataFrame(
            {
                "item": item_values[nets.item],
                "slot": nets.slot,
                "word": vocab[nets.word],
                "votes": nets.votes,
            }
        )
        self.n_items_ = n_items
        self.n_answers_ = len(rows)
        return self

    def fit_predict(self, answers: pd.DataFrame) -> pd.Series:
        """Fit and return :attr:`texts_`."""
        return self.fit(answers).texts_


def _check_answers(answers: Any) -> pd.DataFrame:
    """The answer table, checked: a DataFrame with the three columns, at least one row, no missing
    ids, texts that are strings or missing."""
    check_table(answers, list(COLUMNS), None)
    for col in ("item", "annotator"):
        null = pd.isna(answers[col]).to_numpy(dtype=bool)
        if null.any():
            pos = int(np.flatnonzero(null)[0])
            raise AnnotationError(
                f"answers column {col!r} must not be null ({col} id), {row_label(answers.index, pos)} is "
                f"{show(answers[col].iloc[pos])} ({int(null.sum())} null value(s) in all)"
            )
    text = answers["text"]
    if not pd.api.types.is_string_dtype(text.dtype) or text.dtype == object:
        values = text.to_numpy(dtype=object)
        ok = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
        bad = ~ok & ~pd.isna(text).to_numpy(dtype=bool)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise AnnotationError(
                f"answers column 'text' must hold str (or missing values), {row_label(answers.index, pos)} is "
                f"{type(values[pos]).__name__} {show(values[pos])[:80]}"
            )
    return answers


def _confidences(answers: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """The ``confidence`` of the answers at ``rows``, checked: numbers in [0, 1]."""
    if "confidence" not in answers.columns:
        raise MissingColumnError(
            "answers must have a 'confidence' column when alpha < 1 (the vote weighs each answer's "
            f"confidence), the table has {[str(c) for c in answers.columns][:30]}"
        )
    raw = answers["confidence"].iloc[rows]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~((values >= 0.0) & (values <= 1.0))  # NaN (missing, not a number) fails too
    if bad.any():
        pos = int(rows[np.flatnonzero(bad)[0]])
        raise AnnotationError(
            f"answers column 'confidence' must hold numbers in [0, 1] for every answer with a text, "
            f"{row_label(answers.index, pos)} is {show(answers['confidence'].iloc[pos])} "
            f"({int(bad.sum())} such value(s) in all)"
        )
    return values


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes of a column's values and the values: sorted, or in first-seen order when they cannot be."""
    try:
        codes, uniques = pd.factorize(column, sort=True)
    except TypeError:  # ids of mixed types
        codes, uniques = pd.factorize(column, sort=False)
    values = pd.Index(uniques, name="item") if column.name == "item" else pd.Index(uniques)
    return np.asarray(codes, dtype=np.int64), values


def _texts(
    win_item: np.ndarray,
    win_words: np.ndarray,
    hyp_item: np.ndarray,
    items: pd.Index,
    detokenizer: Callable[[list[str]], Any],
) -> pd.Series:
    """Each item's winning words, detokenized; a missing value for items with no answer."""
    n_items = len(items)
    bounds = np.searchsorted(win_item, np.arange(n_items + 1))
    answered = np.bincount(hyp_item, minlength=n_items) > 0
    out: list[Any] = [None] * n_items
    for b in np.flatnonzero(answered):
        text = detokenizer(list(win_words[bounds[b] : bounds[b + 1]]))
        if not isinstance(text, str):
            raise InvalidParameterError(
                f"detokenizer must return a str, got {type(text).__name__} {show(text)[:80]} for item {show(items[b])}"
            )
        out[b] = text
    return pd.Series(out, index=items, name="text", dtype=object)


def _text_list(name: str, value: Any) -> list[str]:
    """``value`` (one str, or a sequence of str) as a list of str."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, (list, tuple, np.ndarray, pd.Series, pd.Index)) or np.ndim(value) != 1:
        raise InvalidParameterError(
            f"{name} must be a str or a one-dimensional sequence of str, got {type(value).__name__}"
        )
    texts = list(value)
    for pos, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidParameterError(
                f"{name} must hold str, position {pos} is {type(text).__name__} {show(text)[:80]}"
            )
    return texts


def word_error_rate(reference: Any, hypothesis: Any, *, tokenizer: Callable[[str], list[str]] | None = None) -> float:
    """Word error rate of hypothesis texts against reference texts.

    The number of word substitutions, deletions and insertions that turn each hypothesis into its
    reference (the Levenshtein distance between their word sequences), summed over the pairs,
    divided by the number of words of the references: the usual corpus-level WER of speech
    recognition. It is 0 for identical texts and may exceed 1 (many insertions).

    Parameters
    ----------
    reference, hypothesis : str or sequence of str
        One text each, or equally long sequences of texts (lists, arrays, Series; pairs by
        position).
    tokenizer : callable or None, default=None
        ``str -> list of str``; ``None`` splits on whitespace. Empty tokens are dropped.

    Returns
    -------
    float

    Raises
    ------
    InvalidParameterError
        If a text is not a str, the references have no word at all, or ``tokenizer`` is not a
        callable returning a list of str.
    ShapeMismatchError
        If ``reference`` and ``hypothesis`` hold different numbers of texts.

    References
    ----------
    .. [1] V. I. Levenshtein, "Binary codes capable of correcting deletions, insertions, and
       reversals", Soviet Physics Doklady 10(8), 1966, pp. 707-710.

    Examples
    --------
    >>> from labelwise.aggregate import word_error_rate
    >>> word_error_rate("the cat sat down", "a cat sat")
    0.5
    """
    tokenizer = check_callable("tokenizer", tokenizer, split_words)
    refs = _text_list("reference", reference)
    hyps = _text_list("hypothesis", hypothesis)
    if len(refs) != len(hyps):
        raise ShapeMismatchError(f"reference and hypothesis must hold as many texts, got {len(refs)} and {len(hyps)}")
    n = len(refs)
    words = tokenize(
        refs + hyps, tokenizer, "tokenizer", lambda h: f"reference {h}" if h < n else f"hypothesis {h - n}"
    )
    total = int(words.lengths[:n].sum())
    if total == 0:
        raise InvalidParameterError(
            f"reference must hold at least one word (the error rate divides by its words), got {n} text(s) with no word"
        )
    return float(edit_distances(words.codes, words.lengths, n).sum() / total)
