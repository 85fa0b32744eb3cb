"""non_iid: the permutation test rejects sorted data and accepts shuffled data; its pieces (gap
counts, KS distance, mean gaps) compose over any split of the rows; bad options are refused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import find_data_issues
from labelwise.errors import InvalidParameterError


def _drifting(n=800, seed=0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 20, n)
    return np.c_[t, np.sin(t)] + rng.normal(scale=0.05, size=(n, 2))


def test_rows_in_drift_order_are_not_iid():
    """Rows ordered along a drift: tiny p-value, most rows flagged."""
    found = find_data_issues(_drifting(), checks="non_iid")
    assert found.info["non_iid"]["p_value"] < 0.05
    assert found.issues["is_non_iid_issue"].mean() > 0.5


def test_shuffled_rows_are_iid():
    """The same rows shuffled: large p-value, nothing flagged."""
    X = _drifting()
    X = X[np.random.default_rng(1).permutation(len(X))]
    found = find_data_issues(X, checks="non_iid")
    assert found.info["non_iid"]["p_value"] > 0.05
    assert not found.issues["is_non_iid_issue"].any()


def test_statistic_and_row_scores_do_not_depend_on_the_row_block(monkeypatch):
    """The blocked gap histogram gives the KS distance of all gaps at once, for any block size."""
    from labelwise.checks import NeighborGraph, non_iid

    X = _drifting(300)
    graph = NeighborGraph.build(X, k=8, method="exact")
    n = graph.n
    position = np.random.default_rng(1).permutation(n)
    gaps = np.abs(position[graph.indices] - position[:, None]).ravel()
    emp = np.cumsum(np.bincount(gaps, minlength=n)[1:]) / gaps.size
    g = np.arange(1, n, dtype=np.float64)
    expected = float(np.max(np.abs(emp - (1.0 - (n - g) * (n - g - 1) / (n * (n - 1.0))))))
    whole = find_data_issues(X, checks=["non_iid"], k=8)
    for block in (1, 13, 65_536):
        monkeypatch.setattr(non_iid, "ROW_BLOCK", block)
        assert non_iid.ks_statistic(position, graph.indices) == expected
        found = find_data_issues(X, checks=["non_iid"], k=8)
        np.testing.assert_array_equal(found.issues["non_iid_score"], whole.issues["non_iid_score"])
        assert found.info["non_iid"]["p_value"] == whole.info["non_iid"]["p_value"]


@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.integers(0, 300), max_size=6), seed=st.integers(0, 2**16))
def test_gap_counts_summed_over_any_row_split_give_the_whole_statistic(cuts, seed):
    """Counting each block of rows' gaps and summing the counts (as the partitions do) gives the
    KS distance of all gaps at once, to the bit, wherever the rows are cut."""
    from labelwise.checks import NeighborGraph, non_iid

    graph = NeighborGraph.build(_drifting(300), k=5, method="exact")
    n = graph.n
    position = np.random.default_rng(seed).permutation(n)
    bounds = [0, *sorted(cuts), n]
    hist = sum(
        non_iid.gap_counts(position[graph.indices[a:b]], position[a:b], n)
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    )
    assert non_iid.ks_distance(hist, graph.indices.size) == non_iid.ks_statistic(position, graph.indices)


def test_mean_gaps_are_the_row_numbers_distances_to_the_neighbours():
    """A row's mean gap is the mean of |j - i| over its neighbours j, for rows numbered from any start."""
    from labelwise.checks import non_iid

    indices = np.array([[3, 7], [0, 9]])
    np.testing.assert_array_equal(non_iid.mean_gaps(indices, np.array([5, 6])), [2.0, 4.5])


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"n_permutations": 0}, "n_permutations"),
        ({"n_permutations": 2.5}, "n_permutations"),
        ({"n_permutations": True}, "n_permutations"),
        ({"alpha": 0}, "alpha"),
        ({"alpha": 1.5}, "alpha"),
        ({"alpha": "small"}, "alpha"),
    ],
)
def test_bad_options_are_refused_naming_the_option(options, named):
    """n_permutations must be an int >= 1 and alpha in (0, 1]; the error names the option and the value."""
    with pytest.raises(InvalidParameterError, match=rf"check_options\['non_iid'\]\['{named}'\].*got"):
        find_data_issues(_drifting(100), checks="non_iid", check_options={"non_iid": options})


def test_fewer_permutations_give_the_coarser_p_value():
    """With m permutations the p-value is (1 + exceed) / (1 + m): 1/11 at best for 10 on drift-ordered rows."""
    found = find_data_issues(_drifting(), checks="non_iid", check_options={"non_iid": {"n_permutations": 10}})
    assert found.info["non_iid"]["p_value"] == 1 / 11
    assert found.info["non_iid"]["n_permutations"] == 10
