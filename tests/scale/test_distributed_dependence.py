"""Dawid-Skene's dependence checks on a Dask DataFrame: the triad gate as ``dependency_triad`` says,
its ``z`` in one pass, and the ring check (``dependency_rings=True``), as the in-memory fit runs them.

On main the Dask fit always gated (``dependency_triad=False`` ignored), computed the gate's ``z``
one pair at a time, and had no ring check (no ``dependent_rings_``): every test here fails there.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labelwise.aggregate._dependent as dependent
import labelwise.aggregate._ring_check as ring_check
from labelwise.aggregate import DawidSkene, distributed
from labelwise.aggregate._answers import encode_answers
from labelwise.aggregate._dask_pairs import DaskPairs
from labelwise.aggregate._observed import _Observed
from labelwise.aggregate._partition_stats import prepare
from labelwise.aggregate.majority import weighted_vote_shares
from tests.aggregate.test_dependent_triad import minimax_crowd
from tests.aggregate.test_ring_check import crowd, with_ring

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

#: EM iterations of the fixed-iteration fits (``tol=0``): every fit is still moving by far more
#: than the loss's rounding then, so no stopping test cuts memory and Dask apart.
FIXED_ITER = 10


@pytest.fixture
def fixed_iterations(monkeypatch):
    """The check's confirmation fits run ``max_iter`` steps too (their tolerance is 0)."""
    monkeypatch.setattr(dependent, "CONFIRM_TOL", 0.0)
    monkeypatch.setattr(ring_check, "CONFIRM_TOL", 0.0)


def ring_and_pair_crowd(seed: int) -> pd.DataFrame:
    """``test_ring_check``'s crowd with its median annotator copied into a ring of five accounts (10%
    of each copy's answers redrawn) and another annotator copied once (a copied pair)."""
    answers, _, who = crowd(seed)
    ringed = with_ring(answers, who, 5, 0.1, seed)
    other = sorted(set(answers["annotator"]) - {who})[seed % 14]
    twin = answers[answers["annotator"] == other].assign(annotator=f"{other}_twin")
    return pd.concat([ringed, twin], ignore_index=True)


def _dask_frame(answers: pd.DataFrame, sizes: list[int]) -> dd.DataFrame:
    """``answers`` (rows shuffled) as a dask DataFrame whose partitions hold ``sizes`` rows (the
    rest in a last one)."""
    rows = answers.sample(frac=1.0, random_state=len(sizes)).reset_index(drop=True)
    cuts = np.minimum(np.cumsum([0, *sizes]), len(rows))
    pieces = [rows.iloc[lo:hi] for lo, hi in zip(cuts[:-1], cuts[1:], strict=True) if hi > lo]
    pieces.append(rows.iloc[cuts[-1] :])
    return dd.concat([dd.from_pandas(p, npartitions=1) for p in pieces if len(p)])


def _fits(answers: pd.DataFrame, ddf, npartitions: int | None, **params) -> tuple[DawidSkene, DawidSkene]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = DawidSkene(**params).fit(answers)
        with dask.config.set(scheduler="sync"):
            got = distributed.fit(DawidSkene(**params), ddf, npartitions=npartitions)
    return ref, got


def _assert_same(ref: DawidSkene, got: DawidSkene, atol: float = 1e-10) -> None:
    """Labels, posteriors, iterations, pairs (counts exact, ``expected`` and ``z`` to ``atol``) and rings."""
    pd.testing.assert_series_equal(got.labels_, ref.labels_, check_dtype=False, check_index_type=False)
    np.testing.assert_allclose(got.probas_.to_numpy(), ref.probas_.to_numpy(), rtol=0, atol=atol)
    assert (got.n_iter_, got.fallback_) == (ref.n_iter_, ref.fallback_)
    pairs, ref_pairs = got.dependent_pairs_, ref.dependent_pairs_
    assert list(zip(pairs.annotator_a, pairs.annotator_b, strict=True)) == list(
        zip(ref_pairs.annotator_a, ref_pairs.annotator_b, strict=True)
    )
    for col in ("n_shared", "agreements"):
        np.testing.assert_array_equal(pairs[col].to_numpy(), ref_pairs[col].to_numpy())
    for col in ("expected", "z"):
        np.testing.assert_allclose(pairs[col].to_numpy(), ref_pairs[col].to_numpy(), rtol=0, atol=1e-9)
    assert got.dependent_rings_ == ref.dependent_rings_


class TestTriadParameterOnDask:
    def test_triad_off_keeps_the_pairs_the_gate_drops(self):
        """``dependency_triad=False`` on Dask keeps the two pairs of the minimax crowd that the gate
        drops, as in memory (main's Dask fit gated them away), and the gated fit drops them."""
        answers, _ = minimax_crowd([96, 1, 4])
        ddf = dd.from_pandas(answers, npartitions=3)
        ref, got = _fits(answers, ddf, 3, dependency_triad=False)
        assert len(ref.dependent_pairs_) == 2  # the case is exercised
        _assert_same(ref, got, atol=1e-9)
        ref_on, got_on = _fits(answers, ddf, 3)
        assert got_on.dependent_pairs_.empty and ref_on.dependent_pairs_.empty
        _assert_same(ref_on, got_on, atol=1e-9)

    def test_the_gate_reads_its_z_in_one_pass(self, monkeypatch):
        """With a pair found and gated, no ``z`` is computed pair by pair on the partitions: the gate
        and the confirmations each read theirs in one pass (``check_pair_list``)."""
        calls = []
        monkeypatch.setattr(DaskPairs, "check_pair", lambda self, *a: calls.append(a))
        answers = ring_and_pair_crowd(0)
        ref, got = _fits(answers, dd.from_pandas(answers, npartitions=4), 4)
        assert len(ref.dependent_pairs_) == 1  # the copied pair: confirmed, then gated
        _assert_same(ref, got, atol=1e-9)
        assert calls == []


class TestRingsOnDask:
    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        sizes=st.lists(st.integers(1, 2_500), min_size=0, max_size=4),
        npartitions=st.integers(1, 9),
        seed=st.integers(0, 1),
        triad=st.booleans(),
    )
    def test_any_partitioning_gives_the_in_memory_fit(self, sizes, npartitions, seed, triad):
        """A crowd with a ring of five accounts and a copied pair, in partitions of any sizes and
        shuffled into any number of partitions: the in-memory labels, posteriors (to 1e-10 at fixed
        iterations), ``dependent_pairs_`` and ``dependent_rings_``."""
        with pytest.MonkeyPatch.context() as mp:  # hypothesis runs the body many times per fixture
            mp.setattr(dependent, "CONFIRM_TOL", 0.0)
            mp.setattr(ring_check, "CONFIRM_TOL", 0.0)
            answers = ring_and_pair_crowd(seed)
            params = {"dependency_rings": True, "dependency_triad": triad, "max_iter": FIXED_ITER, "tol": 0.0}
            ref, got = _fits(answers, _dask_frame(answers, sizes), npartitions, **params)
        assert len(ref.dependent_rings_) == 1 and len(ref.dependent_pairs_) == 11  # ring of 5, and the pair
        assert ref.n_iter_ == FIXED_ITER
        _assert_same(ref, got)

    @pytest.mark.parametrize(
        "cuts",
        [[0, 1, 600], [0, 300, 301, 302, 600], [0, 0, 200, 600]],
        ids=["one-item-first", "one-item-middle", "empty"],
    )
    def test_chosen_partitions_with_one_item_or_none(self, cuts, fixed_iterations):
        """The ring check on partitions of one item, or none, finds the in-memory rings and pairs."""
        answers = ring_and_pair_crowd(1)
        enc = encode_answers(answers)
        est = DawidSkene(max_iter=FIXED_ITER, tol=0.0, dependency_rings=True)
        pat = enc.patterns
        pseudo = est._pseudo_counts(pat)
        names = enc.annotator_index()
        est.dependent_pairs_ = dependent.pairs_frame(None, names)
        memory = ring_check.MemoryRings(est, enc, pat, _Observed.build(pat), weighted_vote_shares(pat.answers))
        ref = ring_check.find_rings(est, memory, names, pseudo)
        ref_pairs, ref_rings = est.dependent_pairs_, est.dependent_rings_
        codes = pd.DataFrame({"i": enc.item_idx, "a": enc.annotator_idx, "l": enc.label_idx}).astype(np.int64)
        codes = codes.sample(frac=1.0, random_state=0)
        parts = tuple(
            prepare(codes[(codes.i >= lo) & (codes.i < hi)], enc.n_classes)
            for lo, hi in zip(cuts[:-1], cuts[1:], strict=True)
        )
        n = np.bincount(codes.i, minlength=enc.n_items).astype(np.float64)
        data = DaskPairs(parts, enc.n_classes, enc.n_items, enc.n_annotators, float((n * (n - 1)).sum()), est)
        est.dependent_pairs_ = dependent.pairs_frame(None, names)
        with dask.config.set(scheduler="sync"):
            got = ring_check.find_rings(est, data, names, pseudo)
        assert ref is not None and got is not None and len(ref_rings) == 1
        np.testing.assert_array_equal(got[0], ref[0])
        np.testing.assert_array_equal(got[1], ref[1])
        assert est.dependent_rings_ == ref_rings
        np.testing.assert_allclose(est.dependent_pairs_.z.to_numpy(), ref_pairs.z.to_numpy(), rtol=0, atol=1e-9)

    def test_the_screen_s_agreement_rates_are_the_in_memory_ones(self):
        """The screen's same-label shares summed over partitions (an answer repeated alike counted
        once) equal the in-memory count rows' shares exactly."""
        answers = ring_and_pair_crowd(0)
        repeated = answers.iloc[::7]  # repeated answers: alike on one item, counted once
        answers = pd.concat([answers, repeated], ignore_index=True)
        enc = encode_answers(answers)
        obs = _Observed.build(enc.patterns)
        ref = ring_check.agreement_rates(obs, enc.n_annotators)
        codes = pd.DataFrame({"i": enc.item_idx, "a": enc.annotator_idx, "l": enc.label_idx}).astype(np.int64)
        parts = tuple(prepare(codes[codes.i % 3 == r], enc.n_classes) for r in range(3))
        data = DaskPairs(parts, enc.n_classes, enc.n_items, enc.n_annotators, 1.0)
        with dask.config.set(scheduler="sync"):
            got = data.agreement_rates(dependent.MIN_SHARED_ITEMS)
        assert len(ref[0]) > 50
        assert ref[2].max() <= 1.0  # main counted a pair's items answered twice alike up to four times
        for x, y in zip(got, ref, strict=True):
            np.testing.assert_array_equal(x, y)

    def test_no_ring_leaves_the_pair_check_s_fit(self):
        """On a crowd without a ring the check finds none on Dask either: ``dependent_rings_`` empty,
        the pair check's fit."""
        answers = crowd(2)[0]
        ref, got = _fits(answers, dd.from_pandas(answers, npartitions=3), 3, dependency_rings=True)
        assert ref.dependent_rings_ == [] and got.dependent_rings_ == []
        _assert_same(ref, got, atol=1e-9)

    def test_dask_fit_reports_no_rings_without_the_check(self):
        """``dependent_rings_`` is set (empty) by every Dask Dawid-Skene fit, ring or not, as in memory,
        when the ring check is off or the dependence check is."""
        answers = ring_and_pair_crowd(0)
        ddf = dd.from_pandas(answers, npartitions=2)
        for params in ({}, {"dependency_threshold": None, "dependency_rings": True}, {"smoothing": 0.01}):
            ref, got = _fits(answers, ddf, 2, **params)
            assert got.dependent_rings_ == ref.dependent_rings_ == []

    def test_ring_on_a_local_cluster(self, client):
        """The ring check on a LocalCluster (tasks pickled, run on workers): the in-memory ring, pairs
        and posteriors."""
        answers = ring_and_pair_crowd(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = DawidSkene(dependency_rings=True).fit(answers)
            got = distributed.fit(DawidSkene(dependency_rings=True), dd.from_pandas(answers, npartitions=3))
        assert len(ref.dependent_rings_) == 1
        _assert_same(ref, got, atol=1e-9)


def test_the_in_memory_screen_counts_an_item_answered_twice_alike_once():
    """Two annotators answering each of 100 items twice with the same label agree on 100 of their 100
    shared items (share 1; main's in-memory screen counted every pair of repeated answers: 4)."""
    labels = np.random.default_rng(0).integers(0, 3, 100)
    once = pd.concat([pd.DataFrame({"item": np.arange(100), "annotator": who, "label": labels}) for who in "ab"])
    enc = encode_answers(pd.concat([once, once], ignore_index=True))
    a, b, rate = ring_check.agreement_rates(_Observed.build(enc.patterns), enc.n_annotators)
    assert (a.tolist(), b.tolist()) == ([0], [1])
    np.testing.assert_array_equal(rate, [1.0])
