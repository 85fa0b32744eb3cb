"""Dawid-Skene's ring check on Dask checks its candidate groups together: fewer graphs, the same bits.

On main (session 46) the ring check checked its candidate groups (at most three) one after another:
each group's fit without it, its members' answers and its pairs, then the next group's. Now
(:mod:`labelwise.aggregate._ring_lock_step`) every group's fit runs in lock step with the others,
assuming each group before it is a ring of all its members, and their members' answers and pairs
share one pass each; a group that is not such a ring makes the groups after it checked again.
``DaskPairs.lock_step = False`` runs the one-by-one loop on the same code, the reference here: the
rings, the rows and the pairs returned must be the same bit for bit. The counting tests fail on main.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

import labelwise.aggregate._dask_pairs as dask_pairs
import labelwise.aggregate._dependent as dependent
import labelwise.aggregate._ring_check as ring_check
from labelwise.aggregate import DawidSkene
from labelwise.aggregate._answers import encode_answers
from labelwise.aggregate._dask_pairs import DaskPairs
from tests.aggregate.test_ring_check import crowd, with_ring
from tests.scale._data import sync_scheduler  # noqa: F401 (autouse)
from tests.scale.test_dask_ring_passes import _dask_pairs, _pass_name

dask = pytest.importorskip("dask")


def three_rings_crowd(seed: int) -> pd.DataFrame:
    """``test_ring_check``'s crowd with three annotators copied into rings of 5, 4 and 3 accounts
    (10% of each copy's answers redrawn): three candidate groups."""
    answers, _, who = crowd(seed)
    others = sorted(set(answers["annotator"]) - {who})
    ringed = with_ring(answers, who, 5, 0.1, seed)
    ringed = with_ring(ringed, others[0], 4, 0.1, seed + 1)
    return with_ring(ringed, others[5], 3, 0.1, seed + 2)


def _find_rings(monkeypatch, lock_step: bool, seed: int = 0, n_parts: int = 3):
    """The ring check's passes (by per-partition function), rings, rows and returned pairs."""
    monkeypatch.setattr(DaskPairs, "lock_step", lock_step, raising=False)
    enc = encode_answers(three_rings_crowd(seed))
    codes = pd.DataFrame({"i": enc.item_idx, "a": enc.annotator_idx, "l": enc.label_idx}).astype(np.int64)
    est = DawidSkene(dependency_rings=True)
    names = enc.annotator_index()
    est.dependent_pairs_ = dependent.pairs_frame(None, names)
    data = _dask_pairs(enc, codes, n_parts, est)
    passes: Counter = Counter()

    def counted(run):
        def wrapper(*objs, **kw):
            passes[_pass_name(objs)] += 1
            return run(*objs, **kw)

        return wrapper

    with monkeypatch.context() as m:
        m.setattr(dask_pairs, "compute", counted(dask_pairs.compute))
        m.setattr(dask_pairs, "persist", counted(dask_pairs.persist))
        every = ring_check.find_rings(est, data, names, est._pseudo_counts(enc.patterns))
    return passes, est, every


def _assert_same(got, want) -> None:
    (_, est, every), (_, ref, ref_every) = got, want
    assert est.dependent_rings_ == ref.dependent_rings_
    pd.testing.assert_frame_equal(est.dependent_pairs_, ref.dependent_pairs_, check_exact=True)
    numbers = [f.iloc[:, 2:].to_numpy(dtype=np.float64).tobytes() for f in (est.dependent_pairs_, ref.dependent_pairs_)]
    assert numbers[0] == numbers[1]
    for x, y in zip(every, ref_every, strict=True):
        assert x.tobytes() == y.tobytes()


def test_three_rings_are_checked_in_one_round_with_the_same_bits(monkeypatch):
    """Three candidate groups, each a ring of all its accounts: one round (one ``weigh`` pass for the
    three fits, one pass for all members' answers, one for all pairs), the rows of one by one."""
    one_by_one = _find_rings(monkeypatch, False)
    got = _find_rings(monkeypatch, True)
    assert len(one_by_one[1].dependent_rings_) == 3 and [len(r) for r in one_by_one[1].dependent_rings_] == [5, 4, 3]
    _assert_same(got, one_by_one)
    passes, sequential = got[0], one_by_one[0]
    assert sequential["weigh"] == 3 and passes["weigh"] == 1
    assert sequential["part_bases_list"] == 3 and passes["part_bases_list"] == 1
    assert sequential["part_check_pair_list"] == 3 and passes["part_check_pair_list"] == 1
    assert passes["ds_stats"] < sequential["ds_stats"]
    assert sum(passes.values()) < sum(sequential.values())


def test_a_group_that_is_not_a_ring_makes_the_groups_after_it_checked_again(monkeypatch):
    """When the first group's clique is dropped (as if it were an honest group), the two fits after
    it weighed pairs that are not found: they run again, and the rows are the one-by-one loop's."""
    real = ring_check.largest_clique

    def first_dropped():
        calls = []

        def clique(rows):
            calls.append(1)
            return [] if len(calls) == 1 else real(rows)

        return clique

    monkeypatch.setattr(ring_check, "largest_clique", first_dropped())
    one_by_one = _find_rings(monkeypatch, False)
    monkeypatch.setattr(ring_check, "largest_clique", first_dropped())
    got = _find_rings(monkeypatch, True)
    assert [len(r) for r in one_by_one[1].dependent_rings_] == [4, 3]
    _assert_same(got, one_by_one)
    assert got[0]["weigh"] == 2  # the three groups together, then the last two again
