"""User groups given as a dask array in underperforming_group: coded on the workers (a distributed
unique), the in-memory answers for any chunking, and never brought to the client row by row."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.errors import InvalidParameterError, ShapeMismatchError

from .test_checks_per_partition import _chunkings, _watch_the_client, assert_same

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

CHECKS = ["underperforming_group"]
#: Group values beside "no group" (-1): negative, zero, far apart, beyond int32.
VALUES = [-7, 0, 3, 4, 11, 2**40]


def _rows(n: int, groups: np.ndarray, weak: object, seed: int = 0):
    """Features, labels and probs where the rows of group ``weak`` have poor labels."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = rng.integers(0, 2, n)
    good = np.where(np.arange(2) == y[:, None], 0.9, 0.1)
    probs = np.where((groups == weak)[:, None], 1.0 - good, good)
    return X, y, probs


def _ours(X, y, probs, groups, x_chunks, g_chunks, **kw):
    with dask.config.set(scheduler="sync"):
        return lw.checks.find_data_issues(
            da.from_array(X, chunks=(x_chunks, 2)),
            y,
            probs=probs,
            groups=da.from_array(groups, chunks=(g_chunks,)),
            checks=CHECKS,
            **kw,
        )


def _same_info(ours, theirs) -> None:
    """The check's info of memory: counts, every row's group and the weak groups (scores to 1e-12:
    the sums are added in another order)."""
    got, want = dict(ours.info["underperforming_group"]), dict(theirs.info["underperforming_group"])
    got_weak, want_weak = got.pop("weak_groups"), want.pop("weak_groups")
    assert got == want
    assert [(w["group"], w["size"]) for w in got_weak] == [(w["group"], w["size"]) for w in want_weak]
    np.testing.assert_allclose([w["score"] for w in got_weak], [w["score"] for w in want_weak], rtol=0, atol=1e-12)


class TestDaskGroups:
    @settings(max_examples=20, deadline=None)
    @given(
        data=st.data(),
        picks=st.lists(st.sampled_from([-1, *VALUES]), min_size=120, max_size=120),
        min_group_size=st.integers(1, 8),
    )
    def test_any_int_groups_and_any_chunking_give_memory_s_answers(self, data, picks, min_group_size):
        """Int groups (-1 for no group, any other int a group, empty chunks of a group included),
        features and groups chunked independently: memory's flags, scores, summary, weak groups
        (their codes, sizes and scores) and counts."""
        n = len(picks)
        groups = np.array(picks, dtype=np.int64)
        X, y, probs = _rows(n, groups, weak=picks[0])
        options = {"underperforming_group": {"min_group_size": min_group_size}}
        theirs = lw.checks.find_data_issues(X, y, probs=probs, groups=groups, checks=CHECKS, check_options=options)
        x_chunks, g_chunks = data.draw(_chunkings(n)), data.draw(_chunkings(n))
        ours = _ours(X, y, probs, groups, x_chunks, g_chunks, check_options=options)
        assert_same(ours, theirs)
        _same_info(ours, theirs)

    @pytest.mark.parametrize("as_series", [False, True])
    def test_string_groups_are_coded_in_sorted_order_as_in_memory(self, as_series):
        """String groups (a dask array of objects, or a dask Series): memory's codes (sorted), the weak
        group and every row's flag; the string "-1" is a group, as in memory."""
        rng = np.random.default_rng(3)
        groups = np.array(["north", "-1", "east", "west"], dtype=object)[rng.integers(0, 4, 160)]
        X, y, probs = _rows(160, groups, weak="east")
        theirs = lw.checks.find_data_issues(X, y, probs=probs, groups=groups, checks=CHECKS)
        given_groups = (
            dd.from_pandas(__import__("pandas").Series(groups), npartitions=3)
            if as_series
            else da.from_array(groups, chunks=50)
        )
        with dask.config.set(scheduler="sync"):
            ours = lw.checks.find_data_issues(
                da.from_array(X, chunks=(70, 2)), y, probs=probs, groups=given_groups, checks=CHECKS
            )
        assert_same(ours, theirs)
        _same_info(ours, theirs)
        assert [w["group"] for w in ours.info["underperforming_group"]["weak_groups"]] == [1]  # "east"

    def test_groups_that_do_not_sort_together_are_coded_as_in_memory(self):
        """Numbers and strings in one object array (no common order): memory's codes all the same."""
        groups = np.array([1, "b", -1, 2.5, "a"] * 30, dtype=object)
        X, y, probs = _rows(150, groups, weak="b")
        theirs = lw.checks.find_data_issues(X, y, probs=probs, groups=groups, checks=CHECKS)
        ours = _ours(X, y, probs, groups, 40, 70)
        assert_same(ours, theirs)
        _same_info(ours, theirs)

    def test_float_groups_with_a_missing_value_name_its_row(self):
        """A NaN group is refused as in memory, naming its row (rows of other chunks no matter)."""
        groups = np.r_[np.zeros(60), -1.0, 2.0, np.nan, np.ones(37)]
        X, y, probs = _rows(100, groups, weak=1.0)
        with pytest.raises(InvalidParameterError, match="groups must not contain missing values, row 62 is missing"):
            lw.checks.find_data_issues(X, y, probs=probs, groups=groups, checks=CHECKS)
        with pytest.raises(InvalidParameterError, match="groups must not contain missing values, row 62 is missing"):
            _ours(X, y, probs, groups, 30, 25)

    def test_groups_of_another_length_are_refused_naming_the_rows(self):
        """Groups with a value too few: the shape error of memory."""
        X, y, probs = _rows(50, np.zeros(50), weak=1)
        with pytest.raises(ShapeMismatchError, match=r"groups must have one value per row \(50\), got shape \(49,\)"):
            _ours(X, y, probs, np.zeros(49, dtype=np.int64), 20, 20)

    def test_the_groups_stay_on_the_workers(self, monkeypatch):
        """At 3,000 rows in 6 groups: no computed result holds more than a quarter of the rows (the
        groups are never gathered; the features' scaling given), and the answers are memory's."""
        from labelwise.checks import underperforming_group

        monkeypatch.setattr(underperforming_group, "INFO_GROUP_ROWS", 0)
        n = 3000
        groups = np.array([-1, *VALUES[:5]], dtype=np.int64)[np.random.default_rng(2).integers(0, 6, n)]
        X, y, probs = _rows(n, groups, weak=3)
        kw = {"scaling": "zscore"}  # "auto" draws rows to choose the features' scaling
        theirs = lw.checks.find_data_issues(X, y, probs=probs, groups=groups, checks=CHECKS, **kw)
        assert theirs.info["underperforming_group"]["weak_groups"]
        sizes = _watch_the_client(monkeypatch)
        ours = _ours(X, y, probs, groups, 500, 700, **kw)
        assert sizes and max(sizes) < n // 4
        assert_same(ours, theirs)
        _same_info(ours, theirs)

    def test_on_a_cluster_the_answers_are_memory_s(self, client):
        """distributed (a LocalCluster): the groups' table sent to the workers, memory's answers."""
        groups = np.array([-1, *VALUES], dtype=np.int64)[np.random.default_rng(4).integers(0, 7, 400)]
        X, y, probs = _rows(400, groups, weak=VALUES[2])
        theirs = lw.checks.find_data_issues(X, y, probs=probs, groups=groups, checks=CHECKS)
        ours = lw.checks.find_data_issues(
            da.from_array(X, chunks=(90, 2)), y, probs=probs, groups=da.from_array(groups, chunks=130), checks=CHECKS
        )
        assert_same(ours, theirs)
        _same_info(ours, theirs)
