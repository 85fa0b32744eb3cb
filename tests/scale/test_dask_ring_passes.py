"""The passes of Dawid-Skene's ring check on Dask: a group's members' answers gathered in one pass.

On main (session 42) the ring check gathered each member's answers (its items' posteriors without
the group) in a pass of its own over the partitions: five passes for a ring of five accounts, up to
:data:`~labelwise.aggregate._ring_check.MAX_RING` per group. Now one pass gathers every member's
(``DaskPairs.bases_list``), with the same arrays bit for bit, and the fit without the group reads its
answer weight in its first pass. The pass-counting tests fail on main.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labelwise.aggregate._dask_pairs as dask_pairs
import labelwise.aggregate._dependent as dependent
import labelwise.aggregate._ring_check as ring_check
from labelwise.aggregate import DawidSkene
from labelwise.aggregate._answers import encode_answers
from labelwise.aggregate._dask_pairs import DaskPairs
from labelwise.aggregate._observed import _Observed
from labelwise.aggregate._partition_stats import prepare
from labelwise.aggregate.majority import weighted_vote_shares
from tests.scale.test_distributed_dependence import FIXED_ITER, ring_and_pair_crowd

dask = pytest.importorskip("dask")

#: The per-partition functions that name a pass (the first found in a computation's graph, as
#: ``dask.utils.key_split`` names keys: no leading underscore; ``weigh``
#: last: the held-out partitions it made are in the graph of every pass of the fit without a group).
PASS_NAMES = (
    "part_shared",
    "part_agreements",
    "held_start",
    "answer_weight",
    "ds_stats",
    "part_bases_list",
    "part_bases",
    "part_check_pair_list",
    "weigh",
)


def _pass_name(objs: tuple) -> str:
    from dask.utils import key_split

    names = {key_split(key) for obj in objs for key in dict(obj.__dask_graph__())}
    return next((n for n in PASS_NAMES if n in names), "other")


def _encoded(seed: int):
    answers = ring_and_pair_crowd(seed)
    enc = encode_answers(answers)
    codes = pd.DataFrame({"i": enc.item_idx, "a": enc.annotator_idx, "l": enc.label_idx}).astype(np.int64)
    return enc, codes


def _dask_pairs(enc, codes: pd.DataFrame, n_parts: int, est=None) -> DaskPairs:
    parts = tuple(prepare(codes[codes.i % n_parts == r], enc.n_classes) for r in range(n_parts))
    n = np.bincount(codes.i, minlength=enc.n_items).astype(np.float64)
    return DaskPairs(parts, enc.n_classes, enc.n_items, enc.n_annotators, float((n * (n - 1)).sum()), est)


class TestBasesList:
    @settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(n_parts=st.integers(1, 6), seed=st.integers(0, 1), data=st.data())
    def test_is_bases_of_each_triple_bit_for_bit(self, n_parts, seed, data):
        """``bases_list`` of any annotators' triples (a member alone, or a pair's member) gives, on any
        number of partitions, the arrays ``bases`` gives one call each, bit for bit."""
        enc, codes = _encoded(seed)
        pairs = _dask_pairs(enc, codes, n_parts)
        rng = np.random.default_rng(seed)
        prior = rng.dirichlet(np.ones(enc.n_classes))
        conf = rng.dirichlet(np.ones(enc.n_classes), size=(enc.n_annotators, enc.n_classes))
        who = st.integers(0, enc.n_annotators - 1)
        triples = data.draw(st.lists(st.tuples(who, who).map(sorted), min_size=0, max_size=5))
        triples = [(a, b, a if k % 2 else b) for k, (a, b) in enumerate(triples)]
        with dask.config.set(scheduler="sync"):
            got = pairs.bases_list(prior, conf, triples)
            want = [pairs.bases(prior, conf, *t) for t in triples]
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            for x, y in zip(g, w, strict=True):
                assert x.dtype == y.dtype
                np.testing.assert_array_equal(x, y)


class TestRingCheckPasses:
    def _find_rings(self, monkeypatch, n_parts: int) -> tuple[Counter, list[list[str]]]:
        monkeypatch.setattr(dependent, "CONFIRM_TOL", 0.0)
        monkeypatch.setattr(ring_check, "CONFIRM_TOL", 0.0)
        enc, codes = _encoded(0)
        est = DawidSkene(max_iter=FIXED_ITER, tol=0.0, dependency_rings=True)
        pseudo = est._pseudo_counts(enc.patterns)
        names = enc.annotator_index()
        est.dependent_pairs_ = dependent.pairs_frame(None, names)
        data = _dask_pairs(enc, codes, n_parts, est)
        passes: Counter = Counter()
        compute, persist = dask_pairs.compute, dask_pairs.persist

        def counted(run):
            def wrapper(*objs, **kw):
                passes[_pass_name(objs)] += 1
                return run(*objs, **kw)

            return wrapper

        monkeypatch.setattr(dask_pairs, "compute", counted(compute))
        monkeypatch.setattr(dask_pairs, "persist", counted(persist))
        with dask.config.set(scheduler="sync"):
            ring_check.find_rings(est, data, names, pseudo)
        return passes, est.dependent_rings_

    @pytest.mark.parametrize("n_parts", [1, 4])
    def test_a_ring_s_members_are_gathered_in_one_pass(self, monkeypatch, n_parts):
        """A ring of five accounts: one pass gathers all five members' answers (main: one per member)."""
        passes, rings = self._find_rings(monkeypatch, n_parts)
        assert len(rings) == 1 and len(rings[0]) == 5
        assert passes["weigh"] == 1  # one candidate group checked, one fit without it
        assert passes["part_bases_list"] == 1
        assert passes["part_bases"] == 0

    def test_the_check_of_one_group_takes_fixed_passes(self, monkeypatch):
        """At fixed iterations the whole check of one group is: the screen's pair counts and same-label
        counts, the fit without the group (its held-out partitions, a first pass with the answer
        weight, one per EM iteration, the final M-step's), the members' answers, the pairs' check:
        ``FIXED_ITER + 7`` passes (main: ``FIXED_ITER + 12`` for a ring of five)."""
        passes, _ = self._find_rings(monkeypatch, 3)
        assert passes == Counter(
            part_shared=1,
            part_agreements=1,
            weigh=1,
            held_start=1,
            ds_stats=FIXED_ITER + 1,
            part_bases_list=1,
            part_check_pair_list=1,
        )
        assert sum(passes.values()) == FIXED_ITER + 7


def test_memory_rings_bases_list_is_bases_of_each_triple():
    """The in-memory ``MemoryRings.bases_list`` is ``bases`` of each triple (the same arrays)."""
    enc, _ = _encoded(1)
    pat = enc.patterns
    est = DawidSkene()
    memory = ring_check.MemoryRings(est, enc, pat, _Observed.build(pat), weighted_vote_shares(pat.answers))
    rng = np.random.default_rng(3)
    prior = rng.dirichlet(np.ones(enc.n_classes))
    conf = rng.dirichlet(np.ones(enc.n_classes), size=(enc.n_annotators, enc.n_classes))
    triples = [(0, 0, 0), (2, 5, 5), (2, 5, 2)]
    for got, (a, b, j) in zip(memory.bases_list(prior, conf, triples), triples, strict=True):
        for x, y in zip(got, memory.bases(prior, conf, a, b, j), strict=True):
            np.testing.assert_array_equal(x, y)
