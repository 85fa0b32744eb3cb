"""Near-duplicate texts on dask (``checks/_dask_text.py``): the in-memory pairs for any partition count
and row order, through ``find_data_issues`` too, and bad values named by their row."""

from __future__ import annotations

import dask
import dask.array
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import find_data_issues
from labelwise.checks._dask_text import dask_near_duplicate_texts
from labelwise.checks._text_minhash import near_duplicate_texts
from labelwise.checks.near_duplicate_text import row_best, sets_of_rows
from labelwise.errors import InvalidParameterError

from ._text_data import brute_force_pairs, simulated_texts

#: Few words, restyled, so that random texts share most of their shingles or few (as the in-memory properties').
WORDS = ["Battery", "battery,", "lasts", "two", "days", "screen", "cracked", "after", "a", "WEEK!", "é", "e\u0301"]
texts_strategy = st.one_of(st.none(), st.lists(st.sampled_from(WORDS), min_size=0, max_size=12).map(" ".join))
tables = st.integers(1, 2).flatmap(
    lambda m: st.lists(st.lists(texts_strategy, min_size=m, max_size=m), min_size=2, max_size=30)
)
FIELDS = ("code", "count", "u", "v", "similarity")


def _frame(arr: np.ndarray, partitions: int) -> dd.DataFrame:
    frame = pd.DataFrame(arr, columns=[f"t{c}" for c in range(arr.shape[1])], dtype=object)
    return dd.from_pandas(frame, npartitions=partitions, sort=False)


def _sets(pairs, rows: np.ndarray | None = None) -> list[list[int]]:
    """The near-duplicate sets as sorted lists of rows (``rows``: each row's original row)."""
    of = sets_of_rows(pairs)
    rows = np.arange(of.size) if rows is None else rows
    return sorted(sorted(int(rows[r]) for r in np.flatnonzero(of == s)) for s in np.unique(of[of >= 0]))


@settings(max_examples=25, deadline=None)
@given(rows=tables, seed=st.integers(0, 2**16), partitions=st.integers(1, 6), buckets=st.integers(1, 5))
def test_any_partition_count_and_row_order_give_the_in_memory_pairs(rows, seed, partitions, buckets):
    """Same order: the in-memory TextPairs array for array, for any number of buckets; rows permuted:
    the same sets of rows, per-row best similarity and pairs of texts."""
    arr = np.array(rows, dtype=object)
    memory = near_duplicate_texts(arr)
    on_dask = dask_near_duplicate_texts(_frame(arr, partitions), buckets=buckets)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(on_dask, name), getattr(memory, name))
    perm = np.random.default_rng(seed).permutation(len(rows))
    moved = dask_near_duplicate_texts(_frame(arr[perm], partitions))
    assert _sets(moved, perm) == _sets(memory)
    np.testing.assert_array_equal(row_best(moved), row_best(memory)[perm])
    text_of = {int(c): tuple(row) for c, row in zip(memory.code, arr, strict=True)}
    moved_text = {int(c): tuple(row) for c, row in zip(moved.code, arr[perm], strict=True)}
    norm = {tuple(sorted((text_of[int(a)], text_of[int(b)]), key=str)) for a, b in zip(memory.u, memory.v, strict=True)}
    got = {
        tuple(sorted((moved_text[int(a)], moved_text[int(b)]), key=str)) for a, b in zip(moved.u, moved.v, strict=True)
    }
    assert {frozenset(map(str, p)) for p in got} == {frozenset(map(str, p)) for p in norm}


def test_simulated_texts_in_uneven_partitions_match_memory_and_a_brute_force_oracle():
    """600 simulated texts (near copies and rewordings) in 5 partitions, a Series: the in-memory pairs
    exactly, and every row pair found is a pair of the brute-force oracle (Python-string shingles)."""
    texts = simulated_texts(300, seed=3)
    series = dd.from_pandas(pd.Series(texts, dtype=object), npartitions=5, sort=False)
    on_dask = dask_near_duplicate_texts(series, seed=7)
    memory = near_duplicate_texts(np.array(texts, dtype=object).reshape(-1, 1), seed=7)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(on_dask, name), getattr(memory, name))
    assert on_dask.u.size > 50
    oracle = brute_force_pairs(texts)
    first = {int(c): int(np.flatnonzero(on_dask.code == c)[0]) for c in np.unique(on_dask.code)}
    found = {
        (min(first[int(a)], first[int(b)]), max(first[int(a)], first[int(b)]))
        for a, b in zip(on_dask.u, on_dask.v, strict=True)
    }
    assert found <= oracle


def test_find_data_issues_runs_the_passes_on_dask_texts(monkeypatch):
    """Texts given as a dask Series: near_duplicate_text's pairs come from the dask passes, and the
    flags, scores and sets are the in-memory run's."""
    import labelwise.checks._dask_text as dask_text

    calls = []
    real = dask_text.dask_near_duplicate_texts
    monkeypatch.setattr(dask_text, "dask_near_duplicate_texts", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    texts = simulated_texts(100, seed=1)
    split = np.where(np.arange(len(texts)) % 3 == 0, "test", "train")
    series = dd.from_pandas(pd.Series(texts, dtype=object), npartitions=3, sort=False)
    checks = ["near_duplicate_text", "leakage"]
    on_dask = find_data_issues(texts=series, split=split, checks=checks)
    memory = find_data_issues(texts=texts, split=split, checks=checks)
    assert calls == [1]
    pd.testing.assert_frame_equal(on_dask.issues, memory.issues)
    assert on_dask.info["near_duplicate_text"]["sets"] == memory.info["near_duplicate_text"]["sets"]


def test_a_value_that_is_not_text_is_named_by_its_row_and_column():
    """A dask array is refused; a number in the third partition (dask left to keep objects as they are): the error names its row
    in the whole table and its column."""
    frame = pd.DataFrame({"title": ["a b c"] * 9, "body": ["x y"] * 9}, dtype=object)
    frame.loc[7, "body"] = 12.5
    with pytest.raises(InvalidParameterError, match="must be a dask DataFrame or Series, got Array"):
        dask_near_duplicate_texts(dask.array.from_array(np.array(["a", "b"]), chunks=1))
    with (
        dask.config.set({"dataframe.convert-string": False}),
        pytest.raises(InvalidParameterError, match=r"got 12\.5 at row 7, column 'body'"),
    ):
        dask_near_duplicate_texts(dd.from_pandas(frame, npartitions=3, sort=False))
