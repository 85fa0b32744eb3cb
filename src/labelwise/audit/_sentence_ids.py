"""Sentences given as a long token table's sentence id column: one id per token, a sentence's tokens in
consecutive rows (CoNLL kept as a table: ``sentence_id, token, tag``).

A sentence whose tokens are not consecutive (its id comes back after another sentence's) is refused, naming
the id and the rows, rather than grouped: the tokens are paired with the probability rows by position, and a
table whose sentences are interleaved was most likely sorted by another column, so the order of the tokens
inside each sentence (which the sentence's words and a reader of the issues rely on) is lost as well. The
sentences keep the order in which they first appear; their ids need not be sorted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from ..errors import InvalidLabelsError, ShapeMismatchError

__all__ = ["sentence_runs"]


def sentence_runs(ids: Any, n_tokens: int, name: str = "sentence_ids") -> tuple[np.ndarray, np.ndarray]:
    """The length of each sentence and its id, from one sentence id per token.

    Parameters
    ----------
    ids : array-like of shape (n_tokens,)
        The sentence of each token (any hashable values: ``"007"``, text, integers), a sentence's tokens in
        consecutive rows.
    n_tokens : int
        The number of tokens the ids must describe.
    name : str
        The ids' name in errors (``--sentence-column 'sid'`` on the command line).

    Returns
    -------
    lengths : ndarray of int64, shape (n_sentences,)
    sentence_ids : ndarray of object, shape (n_sentences,)
        The ids as given, in the order of first appearance.

    Raises
    ------
    ShapeMismatchError
        Not one id per token.
    InvalidLabelsError
        A missing id, or a sentence whose tokens are not consecutive (named with its rows).
    """
    values = pd.Series(
        np.asarray(ids, dtype=object).reshape(-1) if not isinstance(ids, pd.Series) else ids.to_numpy(dtype=object)
    )
    if len(values) != n_tokens:
        raise ShapeMismatchError(f"{name} must hold one sentence id per token ({n_tokens}), got {len(values)}")
    if n_tokens == 0:
        raise InvalidLabelsError(f"{name} must hold at least one sentence")
    missing = values.isna().to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise InvalidLabelsError(
            f"{name} must name the sentence of every token; row {row} is {show(values.iloc[row])} "
            f"({int(missing.sum())} such row(s))"
        )
    codes, uniques = pd.factorize(values, sort=False)  # codes in order of first appearance
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    run_codes = codes[starts]
    if run_codes.size != uniques.size:  # a code seen in two runs: the first such run
        seen = np.zeros(uniques.size, dtype=bool)
        for k, c in enumerate(run_codes):
            if seen[c]:
                back, first = int(starts[k]), int(starts[np.flatnonzero(run_codes[:k] == c)[0]])
                raise InvalidLabelsError(
                    f"{name}: sentence {show(uniques[c])} has tokens at row {first} and again at row {back}, after "
                    f"sentence {show(uniques[run_codes[k - 1]])}: a sentence's tokens must be consecutive rows in "
                    "reading order (sort the table by sentence, then by the tokens' position in it)"
                )
            seen[c] = True
    lengths = np.diff(np.r_[starts, n_tokens]).astype(np.int64)
    return lengths, np.asarray(uniques, dtype=object)
