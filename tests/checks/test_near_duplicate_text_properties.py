"""Properties of near_duplicate_text and of leakage on texts: rows permuted with the rows, the same result
for any block size and on every run, and no pair below the threshold (an oracle's Jaccard)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import find_data_issues
from labelwise.checks._text_minhash import near_duplicate_texts

from ._text_data import jaccard, normalise

#: Few words, restyled, so that random texts share most of their shingles or few.
WORDS = ["Battery", "battery,", "lasts", "two", "days", "screen", "cracked", "after", "a", "WEEK!", "é", "e\u0301"]
texts_strategy = st.one_of(st.none(), st.lists(st.sampled_from(WORDS), min_size=0, max_size=12).map(" ".join))
tables = st.integers(1, 2).flatmap(
    lambda m: st.lists(st.lists(texts_strategy, min_size=m, max_size=m), min_size=2, max_size=30)
)
COLUMNS = ("is_near_duplicate_text_issue", "near_duplicate_text_score")


def _run(rows: np.ndarray, block: int | None = None, split: np.ndarray | None = None) -> object:
    options = {"near_duplicate_text": {"block_rows": block}} if block else None
    checks = ["near_duplicate_text"] + (["leakage"] if split is not None else [])
    return find_data_issues(texts=rows, split=split, checks=checks, check_options=options)


@settings(max_examples=60, deadline=None)
@given(rows=tables, seed=st.integers(0, 2**16), block=st.integers(1, 35))
def test_permuting_the_rows_permutes_the_flags_scores_and_sets(rows, seed, block):
    """texts[perm] (and split[perm]) are flagged and scored as texts, permuted; the sets are renumbered."""
    arr = np.array(rows, dtype=object)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(rows))
    split = np.arange(len(rows)) % 2 == 0
    base = _run(arr, block, split)
    moved = _run(arr[perm], None, split[perm])
    for column in (*COLUMNS, "is_leakage_issue", "leakage_score"):
        np.testing.assert_array_equal(moved.issues[column].to_numpy(), base.issues[column].to_numpy()[perm])
    back = sorted(sorted(int(perm[r]) for r in s) for s in moved.info["near_duplicate_text"]["sets"])
    assert back == sorted(base.info["near_duplicate_text"]["sets"])


@settings(max_examples=60, deadline=None)
@given(rows=tables, block=st.integers(1, 35))
def test_the_result_is_the_same_for_any_block_size_and_every_run(rows, block):
    """Shingling by blocks of any size gives the pairs of one block; a second run gives the same."""
    arr = np.array(rows, dtype=object)
    one = near_duplicate_texts(arr, block_rows=len(rows))
    for other in (near_duplicate_texts(arr, block_rows=block), near_duplicate_texts(arr, block_rows=block)):
        for name in ("code", "count", "u", "v", "similarity"):
            np.testing.assert_array_equal(getattr(other, name), getattr(one, name))


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(texts_strategy, min_size=2, max_size=30), threshold=st.sampled_from([0.3, 0.5, 0.7, 0.9, 1.0]))
def test_every_pair_found_is_at_or_above_the_threshold_by_an_oracle(rows, threshold):
    """Each pair's similarity is the oracle's Jaccard of Python-string shingles, never below the threshold;
    rows sharing a distinct text have the same normalised text."""
    found = near_duplicate_texts(np.array(rows, dtype=object).reshape(-1, 1), threshold=threshold)
    first = {int(c): r for r, c in reversed(list(enumerate(found.code)))}
    for u, v, s in zip(found.u, found.v, found.similarity, strict=True):
        exact = jaccard(rows[first[int(u)]], rows[first[int(v)]])
        assert s == exact and s >= threshold
    for r, c in enumerate(found.code):
        has_text = rows[r] is not None and normalise(rows[r]) != ""
        assert (c >= 0) == has_text
        if c >= 0:
            assert normalise(rows[r]) == normalise(rows[first[int(c)]])
