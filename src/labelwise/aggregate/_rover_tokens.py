"""Texts to word codes for ROVER and word error rates: tokenise, check, and number the words.

Words get global codes ranked by (length, text), so that a larger code means a longer word, or an
equally long one that sorts later: the order crowd-kit's ROVER breaks ties of votes in. Empty
tokens (``""``, which a tokenizer such as ``s.split(" ")`` makes from repeated spaces) are dropped:
an empty word is not a word, and in a network it would be the null arc.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from ..errors import InvalidParameterError

__all__ = ["Words", "check_callable", "join_words", "split_words", "tokenize"]


def split_words(text: str) -> list[str]:
    """The default tokenizer: split on runs of whitespace (``str.split()``)."""
    return text.split()


def join_words(words: list[str]) -> str:
    """The default detokenizer: join words with one space."""
    return " ".join(words)


def check_callable(name: str, value: Any, default: Callable[..., Any]) -> Callable[..., Any]:
    """``value``, or ``default`` for ``None``; :class:`InvalidParameterError` unless callable."""
    if value is None:
        return default
    if not callable(value):
        raise InvalidParameterError(f"{name} must be a callable or None, got {type(value).__name__} {show(value)}")
    return value


class Words:
    """Tokenised texts: ``lengths[h]`` words of text ``h``, their codes in ``codes`` (text after
    text), ``vocab[code]`` the word of a code (codes ranked by (length, text))."""

    def __init__(self, lengths: np.ndarray, codes: np.ndarray, vocab: np.ndarray) -> None:
        self.lengths = lengths
        self.codes = codes
        self.vocab = vocab


def tokenize(texts: Sequence[str], tokenizer: Callable[[str], Any], name: str, where: Callable[[int], str]) -> Words:
    """Tokenise every text and code its words.

    Parameters
    ----------
    texts : sequence of str
    tokenizer : callable
        ``str -> list of str``.
    name : str
        How the tokenizer is named in errors (``"tokenizer"``).
    where : callable
        ``where(h)`` names text ``h`` in errors (``"answers row 3"``).

    Raises
    ------
    InvalidParameterError
        If the tokenizer returns anything but a list or tuple of strings (the text is named).
    """
    tokens = [tokenizer(text) for text in texts]
    for h, toks in enumerate(tokens):
        if not isinstance(toks, (list, tuple)):
            raise InvalidParameterError(
                f"{name} must return a list of str, got {type(toks).__name__} {show(toks)[:80]} for {where(h)}"
            )
    lengths = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))
    flat = np.empty(int(lengths.sum()), dtype=object)
    flat[:] = list(chain.from_iterable(tokens))
    codes, uniques = pd.factorize(flat, use_na_sentinel=True)
    bad = [u for u, word in enumerate(uniques) if not isinstance(word, str)]
    if bad or (codes < 0).any():
        pos = int(np.flatnonzero((codes < 0) | np.isin(codes, bad))[0])
        h = int(np.searchsorted(np.cumsum(lengths), pos, side="right"))
        raise InvalidParameterError(
            f"{name} must return a list of str, got a {type(flat[pos]).__name__} token {show(flat[pos])} for {where(h)}"
        )
    words = list(uniques)
    ranked = sorted(range(len(words)), key=lambda u: (len(words[u]), words[u]))
    rank = np.empty(len(words), dtype=np.int64)
    rank[ranked] = np.arange(len(words))
    vocab = np.empty(len(words), dtype=object)
    vocab[:] = [words[u] for u in ranked]
    codes = rank[codes]
    if len(words) and vocab[0] == "":  # an empty token has rank 0: drop it
        keep = codes > 0
        text_of = np.repeat(np.arange(len(lengths)), lengths)
        lengths = np.bincount(text_of[keep], minlength=len(lengths)).astype(np.int64)
        codes = codes[keep]
    return Words(lengths, codes, vocab)
