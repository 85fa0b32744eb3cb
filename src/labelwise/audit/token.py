"""Token classification (NER) audit: confident learning over tokens, then sentence scores.

Every token is one classification example; :func:`labelwise.find_label_issues` finds the tokens
whose tag is probably wrong, and each sentence is scored by its worst token(s) (Wang & Mueller,
2022). Summaries group the flagged tokens by (given, suggested) tag, by word and by entity type
(the tag without its ``B-``/``I-`` prefix).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_choice, check_fraction, show
from .._validate.probabilities import check_probs
from .._validate.row_order import check_row_order
from ..errors import InvalidLabelsError, InvalidParameterError, LabelwiseError, ShapeMismatchError
from ._sentence_ids import sentence_runs
from .find import find_label_issues as _find_flat
from .result import LabelIssues

__all__ = ["SENTENCE_SCORES", "TokenIssues", "entity_type", "find_label_issues", "flatten_sentences"]

SENTENCE_SCORES = ("min", "softmin")
_ROW = re.compile(r"\brow (\d+)\b")  # how the flat audit names a token in its errors
READER = "the token audit"  # who pairs sentences (or flat tokens) by position, for check_row_order


def entity_type(tag: Any) -> Any:
    """The entity type of an IOB/IOBES tag: ``"B-PER" -> "PER"``, ``"O" -> "O"``; non-strings unchanged."""
    if isinstance(tag, str) and len(tag) > 2 and tag[1] == "-" and tag[0] in "BIESL":
        return tag[2:]
    return tag


def flatten_sentences(values: Any, name: str, lengths: np.ndarray | None = None) -> tuple[Any, np.ndarray]:
    """Concatenate per-sentence arrays into one, returning it and the sentence lengths.

    A 1-D/2-D array with ``lengths`` given is taken as already flat. Empty sentences are an error.
    """
    if lengths is not None:
        return values, lengths
    if isinstance(values, np.ndarray) and values.dtype != object:
        raise ShapeMismatchError(
            f"{name} must be a list with one array per sentence (or pass sentence_lengths=), got one array of shape {values.shape}"
        )
    parts = list(values)
    if not parts:
        raise InvalidLabelsError(f"{name} must hold at least one sentence")
    lens = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    if (lens == 0).any():
        raise InvalidLabelsError(
            f"{name}: sentence {int(np.flatnonzero(lens == 0)[0])} is empty (every sentence needs at least one token)"
        )
    if all(isinstance(p, pd.DataFrame) for p in parts):  # one header (matched by name) for the flat audit
        return pd.concat(parts, ignore_index=True), lens
    first = np.asarray(parts[0])
    if first.ndim == 1 and first.dtype.kind in "iu" and isinstance(parts[0], list):
        # Lists of ints: one pass through an iterator instead of one array per sentence.
        return np.fromiter(itertools.chain.from_iterable(parts), dtype=np.int64, count=int(lens.sum())), lens
    if first.ndim == 2:
        # One copy: concatenate takes the arrays (or nested lists) as they are.
        try:
            return np.concatenate(parts), lens
        except ValueError:
            raise _ragged_rows(parts, name) from None
    flat = np.empty(int(lens.sum()), dtype=object) if first.dtype.kind in "OUS" else None
    if flat is None:
        return np.concatenate([np.asarray(p) for p in parts]), lens
    pos = 0
    for p, n in zip(parts, lens, strict=False):
        flat[pos : pos + n] = list(p)
        pos += n
    return flat, lens


def _ragged_rows(parts: list, name: str) -> ShapeMismatchError:
    """The error for per-sentence probability arrays that do not stack: the first sentence out of line."""
    width = np.shape(parts[0])[1]
    for s, p in enumerate(parts):
        shape = np.shape(p) if not isinstance(p, list) or len({len(r) for r in p}) <= 1 else None
        if shape is None or len(shape) != 2 or shape[1] != width:
            got = "rows of different lengths" if shape is None else f"shape {shape}"
            return ShapeMismatchError(
                f"{name} must be one (tokens, {width}) array per sentence, as sentence 0 is; sentence {s} has {got}"
            )
    return ShapeMismatchError(f"{name} must be one (tokens, classes) array per sentence")


def _softmin(scores: np.ndarray, starts: np.ndarray, temperature: float) -> np.ndarray:
    """Per sentence ``sum_t s_t * softmax((1 - s) / T)_t`` (cleanlab's default temperature 0.05)."""
    seg_max = np.maximum.reduceat(1.0 - scores, starts)
    lens = np.diff(np.append(starts, scores.shape[0]))
    w = np.exp((1.0 - scores - np.repeat(seg_max, lens)) / temperature)
    return np.add.reduceat(w * scores, starts) / np.add.reduceat(w, starts)


@dataclass(frozen=True, eq=False)
class TokenIssues:
    """Token-level label issues with their sentences.

    Attributes
    ----------
    tokens : LabelIssues
        The classification result over all tokens, in sentence order.
    sentence_lengths : ndarray of int, shape (n_sentences,)
    sentence_quality : ndarray of float, shape (n_sentences,)
        Worst-token (``min``) or ``softmin`` score of each sentence; low = likely has an error.
    words : ndarray or None
        The token strings, when given.
    sentence_ids : ndarray or None
        The id of each sentence as given (``sentence_ids=``), or None: the sentences are then named by position.
    """

    tokens: LabelIssues
    sentence_lengths: np.ndarray
    sentence_quality: np.ndarray
    words: np.ndarray | None = field(default=None, repr=False)
    sentence_ids: np.ndarray | None = field(default=None, repr=False)

    @property
    def sentence_index(self) -> np.ndarray:
        """For every token, the index of its sentence."""
        return np.repeat(np.arange(self.sentence_lengths.size), self.sentence_lengths)

    @property
    def position(self) -> np.ndarray:
        """For every token, its position in its sentence."""
        starts = np.concatenate([[0], np.cumsum(self.sentence_lengths)[:-1]])
        return np.arange(self.tokens.n_examples) - np.repeat(starts, self.sentence_lengths)

    @property
    def is_issue(self) -> np.ndarray:
        """Per-token flags, flat in sentence order."""
        return self.tokens.is_issue

    @property
    def is_sentence_issue(self) -> np.ndarray:
        """Sentences with at least one flagged token."""
        return np.add.reduceat(self.tokens.is_issue.astype(np.int64), self._starts) > 0

    @property
    def _starts(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.sentence_lengths)[:-1]])

    @property
    def issues(self) -> list[tuple[int, int]]:
        """Flagged ``(sentence, token)`` pairs, worst first."""
        ranked = self.tokens.ranked_indices
        return list(zip(self.sentence_index[ranked].tolist(), self.position[ranked].tolist(), strict=False))

    @property
    def ranked_sentences(self) -> np.ndarray:
        """Sentences with a flagged token, worst (lowest sentence quality) first."""
        flagged = np.flatnonzero(self.is_sentence_issue)
        return flagged[np.argsort(self.sentence_quality[flagged], kind="stable")]

    def common_confusions(self, by: str = "tag", top: int = 20) -> pd.DataFrame:
        """Most frequent (given, suggested) pairs among flagged tokens.

        ``by="tag"``: full tags; ``"entity"``: entity types (``B-PER`` and ``I-PER`` both ``PER``);
        ``"token"``: also grouped by the word (needs ``tokens=`` when auditing).
        """
        check_choice("by", by, ["tag", "entity", "token"])
        flagged = self.tokens.is_issue
        frame = pd.DataFrame(
            {"given": self.tokens.given_label[flagged], "suggested": self.tokens.suggested_label[flagged]}
        )
        keys = ["given", "suggested"]
        if by == "entity":
            frame = frame.apply(lambda col: col.map(entity_type))
        elif by == "token":
            if self.words is None:
                raise InvalidLabelsError(
                    "common_confusions(by='token') needs the words: pass tokens= to find_label_issues"
                )
            frame.insert(0, "token", self.words[flagged])
            keys = ["token", *keys]
        counts = frame.groupby(keys, sort=False).size().rename("count").reset_index()
        return counts.sort_values("count", ascending=False, kind="stable").head(top).reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """One row per token, flagged first (worst first), then the rest by quality."""
        base = self.tokens.to_frame()
        rows = base["row"].to_numpy()
        base.insert(1, "sentence", self.sentence_index[rows])
        base.insert(2, "position", self.position[rows])
        if self.words is not None:
            base.insert(3, "token", self.words[rows])
        base["sentence_quality"] = self.sentence_quality[self.sentence_index[rows]]
        if self.sentence_ids is not None:
            base.insert(2, "sentence_id", self.sentence_ids[self.sentence_index[rows]])
        return base.rename(columns={"row": "token_index"})

    def sentence_frame(self) -> pd.DataFrame:
        """One row per sentence, worst first: quality, number of tokens and of flagged tokens."""
        n_flagged = np.add.reduceat(self.tokens.is_issue.astype(np.int64), self._starts)
        order = np.argsort(self.sentence_quality, kind="stable")
        frame = pd.DataFrame(
            {
                "sentence": order,
                "n_tokens": self.sentence_lengths[order],
                "n_flagged": n_flagged[order],
                "sentence_quality": self.sentence_quality[order],
            }
        )
        if self.sentence_ids is not None:
            frame.insert(1, "sentence_id", self.sentence_ids[order])
        return frame

    def summary(self) -> dict[str, Any]:
        """A JSON-ready dictionary: counts, the token-level summary and the common confusions."""
        out = self.tokens.summary()
        out.update(
            task="token",
            n_sentences=int(self.sentence_lengths.size),
            n_sentences_flagged=int(self.is_sentence_issue.sum()),
            confusions_by_tag=self.common_confusions("tag").astype(str).to_dict(orient="records"),
            confusions_by_entity=self.common_confusions("entity").astype(str).to_dict(orient="records"),
        )
        return out


def find_label_issues(
    labels: Any,
    probs: Any,
    *,
    sentence_lengths: Sequence[int] | np.ndarray | None = None,
    sentence_ids: Any = None,
    tokens: Any = None,
    classes: Any = None,
    filter_by: str = "prune_by_noise_rate",
    sentence_score: str = "min",
    temperature: float = 0.05,
) -> TokenIssues:
    """Find the tokens whose tag is probably wrong, and score every sentence.

    Parameters
    ----------
    labels : list of per-sentence arrays of tags, or a flat array with ``sentence_lengths``
        Given tags (integers indexing the columns of ``probs``, or strings with ``classes``).
    probs : list of per-sentence (L_i, K) arrays, or a flat (n_tokens, K) array
        Out-of-fold per-token probabilities; rows sum to 1.
    sentence_lengths : array of int, optional
        Number of tokens of each sentence, when ``labels`` and ``probs`` are flat.
    sentence_ids : array-like of shape (n_tokens,), optional
        Instead of ``sentence_lengths``, with flat ``labels``, ``probs`` (and ``tokens``): the sentence of each
        token, as a long table's sentence column gives it (``007``, text, any hashable). A sentence's tokens
        must be consecutive rows; one that comes back after another sentence is refused, naming it and the
        rows. ``to_frame()`` and ``sentence_frame()`` then carry a ``sentence_id`` column.
    tokens : same shape as ``labels``, optional
        The words, for the per-token summaries and ``to_frame``.
    classes : array-like of shape (K,), optional
        The tag of each column of ``probs``.
    filter_by : str, default "prune_by_noise_rate"
        Confident-learning filter, as in :func:`labelwise.find_label_issues` (with its rules for
        tied probabilities; tokens are in sentence order).
    sentence_score : {"min", "softmin"}, default "min"
        ``min``: the worst token's self-confidence. ``softmin``: a softmax-weighted mean that
        leans on the worst tokens, with ``temperature``.

    Returns
    -------
    TokenIssues

    Raises
    ------
    InvalidLabelsError
        An empty sentence (named by index), unknown tags, fewer than two tags.
    ShapeMismatchError
        Sentences with different numbers of tags and probability rows.

    References
    ----------
    .. [1] Wang, W.-C., & Mueller, J. (2022). Detecting Label Errors in Token Classification
       Data. NeurIPS Workshop on Interactive Learning for NLP.
    .. [2] Northcutt, C., Jiang, L., & Chuang, I. (2021). Confident Learning: Estimating
       Uncertainty in Dataset Labels. JAIR 70, 1373-1411.

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.audit import token
    >>> labels = [[0, 0, 1], [0, 1]] * 5 + [[0, 1]]
    >>> probs = [np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9]]), np.array([[0.9, 0.1], [0.2, 0.8]])] * 5
    >>> probs = probs + [np.array([[0.9, 0.1], [0.95, 0.05]])]
    >>> token.find_label_issues(labels, probs).issues
    [(10, 1)]
    """
    check_choice("sentence_score", sentence_score, SENTENCE_SCORES)
    check_fraction("temperature", temperature, low=1e-9, high=np.inf)
    ids = None
    if sentence_ids is not None:
        if sentence_lengths is not None:
            raise InvalidParameterError("pass sentence_ids or sentence_lengths, not both (the ids give the lengths)")
        sentence_lengths, ids = sentence_runs(sentence_ids, len(labels))
    flat_labels, arr, lens, words = _flatten_inputs(labels, probs, sentence_lengths, tokens)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    try:
        result = _find_flat(flat_labels, arr, filter_by=filter_by, classes=classes)
    except LabelwiseError as exc:  # "row 12" is a token of the flattened sentences: name its sentence
        named = _ROW.sub(lambda m: _token_named(int(m[1]), starts), str(exc), count=1)
        if named == str(exc):
            raise
        raise type(exc)(named) from exc
    quality = np.asarray(result.label_quality, dtype=np.float64)  # no copy when already float64
    if sentence_score == "min":
        sentence_quality = np.minimum.reduceat(quality, starts)
    else:
        sentence_quality = _softmin(quality, starts, temperature)
    return TokenIssues(result, lens, sentence_quality, words, ids)


def _token_named(row: int, starts: np.ndarray) -> str:
    """``sentence 2 token 0 (row 7 of the tokens)``: where the flat token ``row`` is."""
    sentence = int(np.searchsorted(starts, row, side="right")) - 1
    return f"sentence {sentence} token {row - int(starts[sentence])} (row {row} of the tokens)"


def _lengths(sentence_lengths: Any) -> np.ndarray:
    """``sentence_lengths`` as int64, refused when a value is not a whole number (2.7 read as 2 in silence)."""
    raw = np.asarray(sentence_lengths)
    if raw.dtype.kind in "iu":
        return raw.astype(np.int64)
    num = pd.to_numeric(pd.Series(raw.reshape(-1), dtype=object), errors="coerce").to_numpy(np.float64)
    bad = ~np.isfinite(num) | (num != np.round(num)) if raw.dtype.kind != "b" else np.ones(num.shape, bool)
    if bad.any():
        s = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(
            f"sentence_lengths must be whole numbers of tokens; sentence {s} has {show(raw.reshape(-1)[s])}"
        )
    return num.astype(np.int64).reshape(raw.shape)


def _flatten_inputs(labels: Any, probs: Any, sentence_lengths: Any, tokens: Any) -> tuple[Any, Any, np.ndarray, Any]:
    """Check the sentences and flatten them: (tags, probability rows, sentence lengths, words or None)."""
    check_row_order(probs, "probs", READER, labels=labels, tokens=tokens)
    check_row_order(labels, "labels", READER, tokens=tokens)
    given_lengths = None if sentence_lengths is None else _lengths(sentence_lengths)
    if given_lengths is not None and (given_lengths.ndim != 1 or (given_lengths <= 0).any()):
        bad = np.flatnonzero(given_lengths <= 0)
        raise InvalidLabelsError(
            f"sentence_lengths must be positive; sentence {int(bad[0]) if bad.size else 0} has {given_lengths[bad[0]] if bad.size else given_lengths}"
        )
    flat_labels, lens = flatten_sentences(labels, "labels", given_lengths)
    flat_probs, plens = flatten_sentences(probs, "probs", given_lengths)
    if lens.shape != plens.shape or (lens != plens).any():
        if lens.shape != plens.shape:
            raise ShapeMismatchError(
                f"labels and probs must have the same number of sentences, got {lens.size} and {plens.size}"
            )
        s = int(np.flatnonzero(lens != plens)[0])
        raise ShapeMismatchError(f"sentence {s} has {lens[s]} tags in labels but {plens[s]} rows in probs")
    # Shape and dtype only: the values are checked once, in the confident-learning pass.
    arr = check_probs(flat_probs, check_values=False)
    if len(flat_labels) != arr.shape[0] or int(lens.sum()) != arr.shape[0]:
        raise ShapeMismatchError(
            f"labels, probs and sentence_lengths must describe the same tokens, got {len(flat_labels)} tags, {arr.shape[0]} probability rows and lengths summing to {int(lens.sum())}"
        )
    words = None
    if tokens is not None:
        words, wlens = flatten_sentences(tokens, "tokens", given_lengths)
        words = np.asarray(words, dtype=object)
        if wlens.shape != lens.shape or (wlens != lens).any() or words.shape[0] != arr.shape[0]:
            raise ShapeMismatchError("tokens must have one word per tag in every sentence")
    # a DataFrame's header may name the classes: the flat audit matches its columns to them by name
    return flat_labels, flat_probs if isinstance(flat_probs, pd.DataFrame) else arr, lens, words
