"""near_duplicate: the injected pairs are found, and the flagged rows equal cleanlab Datalab's."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.checks import NeighborGraph, find_data_issues

from ._data import blobs_with_issues


def test_injected_near_and_exact_duplicates_are_flagged_in_sets():
    """Every injected twin pair is flagged and lies in one set."""
    data = blobs_with_issues()
    found = find_data_issues(data.X, data.y, checks="near_duplicate")
    flagged = found.issues["is_near_duplicate_issue"].to_numpy()
    assert flagged[data.near].all() and flagged[data.exact].all()
    sets = found.info["near_duplicate"]["sets"]
    set_of = {row: i for i, rows in enumerate(sets) for row in rows}
    half = len(data.near) // 2
    assert all(set_of[a] == set_of[b] for a, b in zip(data.near[:half], data.near[half:], strict=False))
    assert flagged.sum() <= len(data.near) + len(data.exact) + 10


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_flagged_rows_equal_datalab_at_the_same_k_metric_and_threshold(metric):
    """On the same features, k, metric and threshold 0.13, Datalab flags exactly the same rows."""
    pytest.importorskip("cleanlab")
    from cleanlab import Datalab

    data = blobs_with_issues(n=800, seed=3)
    Z = (data.X - data.X.mean(0)) / data.X.std(0)  # what labelwise searches in
    rng = np.random.default_rng(0)
    extra = rng.choice(len(Z), 30, replace=False)
    Z[extra[:15]] = Z[extra[15:]] + rng.normal(scale=0.02, size=(15, Z.shape[1]))
    lab = Datalab(data={"y": data.y}, label_name="y", verbosity=0)
    lab.find_issues(features=Z, issue_types={"near_duplicate": {"k": 10, "metric": metric, "threshold": 0.13}})
    theirs = lab.get_issues("near_duplicate")["is_near_duplicate_issue"].to_numpy()
    graph = NeighborGraph.build(Z, k=10, metric=metric, standardize=False, method="exact")
    ours = find_data_issues(graph=graph, checks="near_duplicate").issues["is_near_duplicate_issue"].to_numpy()
    assert theirs.sum() > 20
    np.testing.assert_array_equal(ours, theirs)
    # every Datalab per-row set lies inside our set (connected component) of that row
    sets = lab.get_info("near_duplicate")["near_duplicate_sets"]
    comp = {}
    found = find_data_issues(graph=graph, checks="near_duplicate")
    for i, rows in enumerate(found.info["near_duplicate"]["sets"]):
        comp.update({r: i for r in rows})
    for row, near in enumerate(sets):
        assert all(comp[int(j)] == comp[row] for j in near)


@pytest.mark.parametrize(("columns", "factor"), [([1], 1e200), ([1], 1e-200), ([0, 1, 2, 3], 1e200)])
def test_columns_of_extreme_size_give_the_flags_of_the_original_table(columns, factor):
    """Columns times 1e200 (their squares overflowed: every row a near duplicate) or 1e-200 flag the same rows."""
    data = blobs_with_issues()
    big = data.X.astype(np.float64)
    big[:, columns] *= factor
    checks = ["near_duplicate", "outlier"]
    plain = find_data_issues(data.X, data.y, checks=checks, scaling="zscore").issues
    found = find_data_issues(big, data.y, checks=checks, scaling="zscore").issues
    for flag in ("is_near_duplicate_issue", "is_outlier_issue"):
        np.testing.assert_array_equal(found[flag].to_numpy(), plain[flag].to_numpy())
    assert 0 < plain["is_near_duplicate_issue"].sum() < len(plain) // 4
