"""The ``texts_must_match`` option of ``near_duplicate`` and ``leakage``: feature-graph pairs whose texts match.

Beside free text, a table's own columns can be a few coarse numbers (a 1-5 rating): most rows then
share their features with many others, the median nearest-neighbour distance is 0, and every row
would be a "near duplicate" of the rows of its rating. With ``texts_must_match`` (``labelwise
audit`` sets it when the features are the table's own columns and the table has text columns, as
``exact_duplicate`` compares features and texts together), a pair of the feature graph counts only
when the two rows' texts match: their normalised texts are equal, or they are a pair of
``near_duplicate_text`` (:mod:`._text_minhash`, Broder 1997's resemblance at least its threshold).
A row with no text matches no row. Off by default: text embeddings given as features find
paraphrases whose words differ, on purpose. Coarse features tie: a rating's rows are all at
distance 0, and a row's ``k`` neighbours are then the rows of its rating with the lowest row
numbers, which would miss a text copy further down. So the pairs of rows with identical features
(every scaling maps them to distance 0, below any radius) and matching texts are found directly
too (:func:`equal_feature_groups`), whatever ``k`` and the row order; other pairs are looked at
within each row's ``k`` neighbours, as without the option.

References
----------
Broder, A. Z. (1997). On the resemblance and containment of documents. Proceedings of Compression
and Complexity of Sequences, 21-29.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from ..errors import InvalidParameterError
from ._base import CheckInputs
from ._text_minhash import TextPairs

OPTION = "texts_must_match"


def texts_must_match(inputs: CheckInputs, check: str) -> bool:
    """The option ``check_options[check]['texts_must_match']`` (default False), checked: a bool,
    and True only with the rows' texts."""
    value = inputs.option(check, OPTION, False)
    where = f"check_options[{check!r}][{OPTION!r}]"
    if not isinstance(value, bool | np.bool_):
        raise InvalidParameterError(f"{where} must be True or False, got {show(value)}")
    if value and inputs.texts is None:
        raise InvalidParameterError(
            f"{where} is True: it needs the rows' texts (texts= / text columns), got no texts; "
            "give texts or leave the option out"
        )
    return bool(value)


def pair_texts_match(pairs: TextPairs, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether rows ``a[i]`` and ``b[i]`` have matching texts: the same distinct normalised text,
    or distinct texts that are a near-duplicate pair; False where either row has no text."""
    ca, cb = pairs.code[a], pairs.code[b]
    has = (ca >= 0) & (cb >= 0)
    m = np.int64(max(pairs.count.shape[0], 1))
    known = np.sort(pairs.u.astype(np.int64) * m + pairs.v.astype(np.int64))
    key = np.minimum(ca, cb).astype(np.int64) * m + np.maximum(ca, cb).astype(np.int64)
    at = np.minimum(np.searchsorted(known, key), max(known.size - 1, 0))
    near = known[at] == key if known.size else np.zeros(key.shape, dtype=bool)
    return has & ((ca == cb) | near)


def neighbour_texts_match(inputs: CheckInputs, check: str, indices: np.ndarray) -> np.ndarray | None:
    """With the option on, an ``(n, k)`` mask: whether each row's texts match its neighbour's
    (``indices``, the graph's); None with the option off."""
    if not texts_must_match(inputs, check):
        return None
    from .near_duplicate_text import cached_pairs

    pairs = cached_pairs(inputs)
    rows = np.repeat(np.arange(indices.shape[0], dtype=np.int64), indices.shape[1])
    return pair_texts_match(pairs, rows, indices.reshape(-1).astype(np.int64)).reshape(indices.shape)


def option_info(inputs: CheckInputs, check: str) -> dict[str, Any]:
    """``{"texts_must_match": True}`` for the check's info when the option is on, else empty."""
    return {OPTION: True} if inputs.option(check, OPTION, False) else {}


def equal_feature_groups(inputs: CheckInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Rows with identical features and the same distinct text as one group: each row's group
    (``-1`` without text), and the pairs ``(g1, g2)`` of groups with identical features whose
    distinct texts are a near-duplicate pair. None without features (a graph given alone)."""
    if inputs.features is None:
        return None
    from .near_duplicate_text import cached_pairs

    pairs = cached_pairs(inputs)
    X = np.ascontiguousarray(np.asarray(inputs.features, dtype=np.float64)) + 0.0  # -0.0 made 0.0
    feat = np.unique(X.reshape(X.shape[0], -1), axis=0, return_inverse=True)[1].reshape(-1).astype(np.int64)
    has = pairs.code >= 0
    group = np.full(X.shape[0], -1, dtype=np.int64)
    key = pairs.code[has].astype(np.int64) * np.int64(max(int(feat.max(initial=0)) + 1, 1)) + feat[has]
    codes, _ = pd.factorize(key)
    group[has] = codes
    table = pd.DataFrame({"c": pairs.code[has], "f": feat[has], "g": codes}).drop_duplicates("g")
    near = pd.DataFrame({"u": pairs.u.astype(np.int64), "v": pairs.v.astype(np.int64)})
    left = near.merge(table, left_on="u", right_on="c")[["v", "f", "g"]]
    both = left.merge(table, left_on=["v", "f"], right_on=["c", "f"], suffixes=("1", "2"))
    return group, both["g1"].to_numpy(np.int64), both["g2"].to_numpy(np.int64)


def equal_feature_pairs(inputs: CheckInputs) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs with identical features and matching texts, enough to connect them: each row to
    the first row of its group, and the first rows of two groups whose texts are near duplicates."""
    found = equal_feature_groups(inputs)
    if found is None:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    group, g1, g2 = found
    rows = np.flatnonzero(group >= 0)
    first = np.full(int(group.max(initial=-1)) + 1, -1, dtype=np.int64)
    first[group[rows[::-1]]] = rows[::-1]  # the last write of a group is its lowest row
    same = rows[first[group[rows]] != rows]
    return np.concatenate([same, first[g1]]), np.concatenate([first[group[same]], first[g2]])


def equal_feature_train_match(inputs: CheckInputs, is_train: np.ndarray) -> np.ndarray:
    """Per row, whether another row of ``is_train`` has identical features and matching texts."""
    found = equal_feature_groups(inputs)
    if found is None:
        return np.zeros(inputs.n, dtype=bool)
    group, g1, g2 = found
    has = group >= 0
    n_groups = int(group.max(initial=-1)) + 1
    n_train = np.bincount(group[has & is_train], minlength=n_groups)
    other = np.zeros(inputs.n, dtype=bool)
    other[has] = n_train[group[has]] - is_train[has] >= 1
    linked = np.zeros(n_groups, dtype=bool)
    linked[g1[n_train[g2] > 0]] = True
    linked[g2[n_train[g1] > 0]] = True
    other[has] |= linked[group[has]]
    return other
