"""Properties of exact_duplicate on texts: the same groups for any block size, rows permuted with the
rows, and the groups of an oracle (rows grouped by their tuple of texts) on random tables."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import exact_duplicate, find_data_issues
from labelwise.checks._inputs import check_texts

#: Few distinct texts (case, inner and outer blanks apart), so that random rows repeat.
ALPHABET = ["a b", "A b", "a  b", " a b", "c", "", None, "é", "e\u0301"]

tables = st.integers(1, 3).flatmap(
    lambda m: st.lists(st.lists(st.sampled_from(ALPHABET), min_size=m, max_size=m), min_size=1, max_size=40)
)


def _oracle_sets(rows: list[list]) -> list[list[int]]:
    """Rows grouped by their tuple of texts (sets of two or more, each sorted, ordered by first row)."""
    found: dict[tuple, list[int]] = {}
    for i, row in enumerate(rows):
        found.setdefault(tuple(row), []).append(i)
    return sorted((s for s in found.values() if len(s) > 1), key=lambda s: s[0])


@settings(max_examples=60, deadline=None)
@given(rows=tables, block=st.integers(1, 45))
def test_the_groups_are_the_oracles_for_any_block_size(rows, block):
    """Hashing and comparing by blocks of any size gives the groups of the tuples of texts."""
    texts = check_texts(np.array(rows, dtype=object), None)
    groups = exact_duplicate.duplicate_groups(None, texts, block_rows=block)
    assert exact_duplicate.sets_from_groups(groups) == _oracle_sets(rows)
    np.testing.assert_array_equal(groups, exact_duplicate.duplicate_groups(None, texts, block_rows=len(rows)))


@settings(max_examples=40, deadline=None)
@given(rows=tables, seed=st.integers(0, 2**16), block=st.integers(1, 45))
def test_permuting_the_rows_permutes_the_flags_scores_and_sets(rows, seed, block):
    """find_data_issues(texts=rows[perm]) flags and scores rows[perm] as it does rows, its sets renumbered."""
    perm = np.random.default_rng(seed).permutation(len(rows))
    options = {"exact_duplicate": {"block_rows": block}}
    base = find_data_issues(texts=np.array(rows, dtype=object), checks="exact_duplicate", check_options=options)
    moved = find_data_issues(texts=np.array(rows, dtype=object)[perm], checks="exact_duplicate")
    for column in ("is_exact_duplicate_issue", "exact_duplicate_score"):
        np.testing.assert_array_equal(moved.issues[column].to_numpy(), base.issues[column].to_numpy()[perm])
    back = sorted(sorted(int(perm[r]) for r in s) for s in moved.info["exact_duplicate"]["sets"])
    assert back == sorted(base.info["exact_duplicate"]["sets"])
