"""underperforming_group with user groups of any kind as dask collections, against memory for any
chunking: texts (the text "-1" a group), floats (the number -1.0 no group, NaN refused naming its
row), booleans, numbers mixed with booleans, numbers mixed with texts (no common order);
``test_dask_groups.py`` has the property for integer groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.errors import LabelwiseError

from .test_checks_per_partition import _chunkings, assert_same
from .test_dask_groups import CHECKS, _same_info

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

#: Group values of each kind (an object array unless a dtype is named), missing values included.
KINDS = {
    "texts": (object, ["north", "east", "-1", "west", -1]),
    "floats": (np.float64, [-1.0, 0.0, 2.5, 1e20, -7.0, np.nan]),
    "booleans": (bool, [True, False]),
    "numbers and booleans": (object, [0, 1, 2, True, False, -1, 1.0]),
    "numbers and texts": (object, [1, "b", -1, 2.5, "a", None]),
}


def _outcome(run):
    """The result, or the error's type and message."""
    try:
        return run()
    except LabelwiseError as exc:
        return type(exc), str(exc)


N = 60


def _rows(groups: np.ndarray):
    """Features, labels and probs where the rows of the first row's group have poor labels (a
    missing group, NaN or pd.NA, has no weak rows)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(len(groups), 2))
    y = rng.integers(0, 2, len(groups))
    good = np.where(np.arange(2) == y[:, None], 0.9, 0.1)
    weak = np.asarray(pd.Series(groups, dtype=object).eq(groups[0]).fillna(False), dtype=bool)
    return X, y, np.where(weak[:, None], 1.0 - good, good)


@settings(max_examples=15, deadline=None)
@given(
    kind=st.sampled_from(sorted(KINDS)),
    picks=st.lists(st.integers(0, 6), min_size=N, max_size=N),
    x_chunks=_chunkings(N),
    g_chunks=_chunkings(N),
    as_series=st.booleans(),
)
@example(  # labels' mean quality exactly at chance: memory's sum came out above it, the chunked one not
    kind="booleans",
    picks=[0] * 26 + [1] * 26 + [0, 1, 1, 1, 0, 0, 0, 1],
    x_chunks=(2, N - 2),
    g_chunks=(1, N - 1),
    as_series=False,
)
@example(  # dask made the object Series texts: the number -1 (no group) became the group "-1"
    kind="texts", picks=[4] + [1] * (N - 1), x_chunks=(1, N - 1), g_chunks=(1, N - 1), as_series=True
)
def test_any_kind_of_groups_and_any_chunking_give_memory_s_answers(kind, picks, x_chunks, g_chunks, as_series):
    """Groups of any kind, given as a dask array or a dask Series, features and groups chunked
    independently: memory's flags, scores, weak groups and counts, or memory's error (a missing
    group names the same row). Memory gets the values the dask collection holds: ``dd.from_pandas``
    turns an object Series into text (dask's ``dataframe.convert-string``), so there the number
    -1 is the group "-1" and ``True`` the group "True", before labelwise sees them."""
    dtype, pool = KINDS[kind]
    groups = np.array([pool[i % len(pool)] for i in picks], dtype=dtype)
    lazy_groups = (
        dd.from_pandas(pd.Series(groups), npartitions=len(g_chunks), sort=False)
        if as_series
        else da.from_array(groups, chunks=(g_chunks,))
    )
    held = np.asarray(lazy_groups.compute())
    X, y, probs = _rows(held)
    theirs = _outcome(lambda: lw.checks.find_data_issues(X, y, probs=probs, groups=held, checks=CHECKS))
    with dask.config.set(scheduler="sync"):
        ours = _outcome(
            lambda: lw.checks.find_data_issues(
                da.from_array(X, chunks=(x_chunks, 2)), y, probs=probs, groups=lazy_groups, checks=CHECKS
            )
        )
    if isinstance(theirs, tuple):
        assert ours == theirs
        return
    assert not isinstance(ours, tuple), ours
    assert_same(ours, theirs)
    _same_info(ours, theirs)


@pytest.mark.parametrize("chunks", [(1, 39), (7, 7, 7, 7, 7, 5), (13, 27)])
def test_a_group_scored_exactly_at_the_threshold_is_judged_as_in_memory_for_any_chunking(chunks):
    """A group's score of 0.5 in exact arithmetic (its sums rounded differently by the chunking)
    gives memory's flags."""
    from tests.checks.test_underperforming_group import _tied_group_rows

    for q_other, q_group in [(0.9, 0.6333333333333333), (0.99, 0.6633333333333333)]:
        X, y, probs, groups = _tied_group_rows(q_other, q_group)
        theirs = lw.checks.find_data_issues(X, y, probs=probs, groups=groups, checks=["underperforming_group"])
        with dask.config.set(scheduler="sync"):
            ours = lw.checks.find_data_issues(
                da.from_array(X, chunks=(chunks, 2)), y, probs=probs, groups=groups, checks=["underperforming_group"]
            )
        got = ours.issues.compute()
        np.testing.assert_array_equal(
            got["is_underperforming_group_issue"], theirs.issues["is_underperforming_group_issue"]
        )
        assert ours.info["underperforming_group"]["weak_groups"] == theirs.info["underperforming_group"]["weak_groups"]
