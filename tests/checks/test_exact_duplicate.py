"""exact_duplicate: hashing finds identical rows, never different ones."""

from __future__ import annotations

import numpy as np

from labelwise.checks import find_data_issues
from labelwise.checks.exact_duplicate import duplicate_groups, sets_from_groups

from ._data import blobs_with_issues


def test_injected_twins_are_the_only_sets():
    """The ten copied rows form ten sets of two; near duplicates are not exact."""
    data = blobs_with_issues()
    found = find_data_issues(data.X, checks="exact_duplicate")
    half = len(data.exact) // 2
    expected = sorted(sorted([int(a), int(b)]) for a, b in zip(data.exact[:half], data.exact[half:], strict=False))
    assert found.info["exact_duplicate"]["sets"] == expected
    assert found.issues["exact_duplicate_score"].to_numpy()[data.exact].tolist() == [0.5] * len(data.exact)


def test_negative_zero_equals_zero_and_sets_match_a_sort_based_reference():
    """-0.0 and 0.0 are the same value; groups equal those of np.unique over rows."""
    rng = np.random.default_rng(2)
    X = rng.integers(0, 3, size=(300, 3)).astype(float)
    X[0] = [-0.0, 1, 2]
    X[1] = [0.0, 1, 2]
    groups = duplicate_groups(X)
    assert groups[0] == groups[1] >= 0
    _, inverse, counts = np.unique(X + 0.0, axis=0, return_inverse=True, return_counts=True)
    reference = [sorted(np.flatnonzero(inverse.ravel() == g).tolist()) for g in np.flatnonzero(counts > 1)]
    assert sets_from_groups(groups) == sorted(reference, key=lambda s: s[0])


def test_equal_rows_behind_a_colliding_first_row_are_still_one_set(monkeypatch):
    """Every row hashed alike: the group's first row differs from the rest, which are compared among
    themselves; the sets are the true ones, and no unequal rows are joined."""
    from labelwise.checks import exact_duplicate

    rng = np.random.default_rng(4)
    X = rng.integers(0, 3, size=(200, 3)).astype(float)
    X[5] = [-0.0, 1.0, 1.0]
    X[9] = [0.0, 1.0, 1.0]
    truth = sets_from_groups(duplicate_groups(X))
    monkeypatch.setattr(exact_duplicate, "row_hashes", lambda X: np.zeros(X.shape[0], dtype=np.uint64))
    assert sets_from_groups(duplicate_groups(X)) == truth and len(truth) == 27
