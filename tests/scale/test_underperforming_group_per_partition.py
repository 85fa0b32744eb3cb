"""underperforming_group per partition: the graph DBSCAN and the group scores on the workers are
the in-memory ones for any chunking, and the graph never comes to the client."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw

from .test_checks_per_partition import _chunkings, _watch_the_client, assert_same

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")


def _blobs(n: int = 400, seed: int = 0):
    """Four blobs; the labels of the last are coin flips (a weak cluster), and a blob index."""
    rng = np.random.default_rng(seed)
    blob = np.arange(n) * 4 // n
    X = np.array([[0, 0], [10, 0], [0, 10], [10, 10]], dtype=float)[blob] + rng.normal(size=(n, 2))
    y = blob % 2
    y[blob == 3] = rng.integers(0, 2, int((blob == 3).sum()))
    return X, y, blob


class TestUnderperformingGroup:
    @settings(max_examples=10, deadline=None)
    @given(chunks=_chunkings(400), given_as=st.sampled_from(["votes", "probs", "groups", "label check first"]))
    def test_the_weak_cluster_is_memory_s_for_any_chunking(self, chunks, given_as):
        """The clusters (numbered by their smallest row), the weak one, every row's flag and score,
        with neighbour votes, float32 probs, user groups or after the label check: memory's answers."""
        X, y, blob = _blobs()
        probs = np.where(np.arange(2) == y[:, None], 0.8, 0.2).astype(np.float32)
        probs[blob == 3] = 0.5
        given_kw = {"probs": {"probs": probs}, "groups": {"groups": np.where(blob == 1, -1, blob)}}.get(given_as, {})
        checks = ["label", "underperforming_group"] if given_as == "label check first" else ["underperforming_group"]
        theirs = lw.checks.find_data_issues(X, y, checks=checks, method="exact", **given_kw)
        assert theirs.info["underperforming_group"]["weak_groups"]
        ours = lw.checks.find_data_issues(
            da.from_array(X, chunks=(chunks, 2)), y, checks=checks, method="exact", **given_kw
        )
        assert_same(ours, theirs)

    def test_the_graph_never_comes_to_the_client(self, monkeypatch):
        """At 3,000 rows: the graph is never gathered, no computed result holds more than a quarter
        of the rows' values (the scaling given: "auto" draws rows to choose it), and the weak
        cluster is memory's."""
        from labelwise.checks import underperforming_group

        monkeypatch.setattr(underperforming_group, "INFO_GROUP_ROWS", 0)
        X, y, _ = _blobs(n=3000, seed=1)
        checks, kw = ["underperforming_group"], {"method": "exact", "scaling": "zscore"}
        theirs = lw.checks.find_data_issues(X, y, checks=checks, **kw)
        sizes = _watch_the_client(monkeypatch)
        with dask.config.set(scheduler="sync"):
            ours = lw.checks.find_data_issues(da.from_array(X, chunks=(500, 2)), y, checks=checks, **kw)
        assert sizes and max(sizes) < 3000 // 4
        assert_same(ours, theirs)
