"""The missed-copy screen and refit of ``weak._copy_refit`` (session 53): the screen's correlation, the learner's
pair strengths, the refit on a set whose one-class copy the default fit misses, and the invariants of a fit where it
fires (row order, labeler and class names)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.aggregate import MajorityVote
from labelwise.weak import _copy_refit
from labelwise.weak._compress import compress_rows
from labelwise.weak._moments import indicator, weighted_gram
from labelwise.weak._one_class import one_class_functions
from labelwise.weak._structure_learning import THRESHOLD, learned_pair_strengths, learned_pairs


def _sim(seed: int, m: int = 12, k: int = 2, copies: int = 4, cov: float = 0.3, imbalance: float = 3.0):
    """A set of ``bench_weak.py``'s generator (its configuration ``K2_m12+4_cov0.3`` by default)."""
    return weak.simulate_lfs(
        10_000, m, k, n_correlated=copies, coverage=(0.02, cov), imbalance=imbalance, random_state=seed
    )


SIM6909 = _sim(6909)  # lf_12 copies the one-class rule lf_7; the default fit leaves them apart (session 52)
TABLE = SIM6909.votes.to_annotations()
LABELERS = sorted(TABLE["annotator"].unique())


def _fit(votes, on: bool = True, **kw) -> weak.LabelModel:
    saved = _copy_refit.REFIT_COPIES
    _copy_refit.REFIT_COPIES = on
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return weak.LabelModel(**kw).fit(votes)
    finally:
        _copy_refit.REFIT_COPIES = saved


def _points(sim, labels) -> float:
    voted = (sim.votes.matrix() >= 0).any(axis=1)
    truth = sim.truth.reindex(sim.votes.items).to_numpy()
    return 100 * float(np.mean(np.asarray(labels)[voted] == truth[voted]))


def _joined(model, a: str, b: str) -> bool:
    return any({a, b} <= set(g) for g in model.groups_)


class TestCopyScreen:
    @settings(max_examples=40, deadline=None)
    @given(
        seed=st.integers(0, 2**16),
        k=st.integers(2, 4),
        m=st.integers(2, 6),
        n=st.integers(5, 40),
    )
    def test_equal_to_the_correlation_of_the_items_expanded_from_weighted_rows(self, seed, k, m, n):
        """The screen read from the gram equals the largest correlation computed on every item (each row repeated
        its weight's times), over one-class functions and the indicators of functions in other groups."""
        rng = np.random.default_rng(seed)
        matrix = np.where(rng.random((n, m)) < 0.5, rng.integers(0, k, (n, m)), -1)
        matrix[:, 0] = np.where(rng.random(n) < 0.5, 1 % k, -1)  # a one-class function
        weights = rng.integers(1, 4, n).astype(float)
        owner = rng.integers(0, 3, m)
        one = one_class_functions(matrix)
        gram = weighted_gram(indicator(matrix, k), weights)
        got = _copy_refit.copy_screen(gram, float(weights.sum()), k, one, owner, matrix)
        items = np.repeat(matrix, weights.astype(int), axis=0)
        best = 0.0
        for j in np.flatnonzero(one):
            x = (items[:, j] >= 0).astype(float)
            for jj in range(m):
                for b in range(k):
                    y = (items[:, jj] == b).astype(float)
                    if owner[jj] != owner[j] and 0 < x.mean() < 1 and 0 < y.mean() < 1:
                        best = max(best, float(np.corrcoef(x, y)[0, 1]))
        assert got == pytest.approx(best, abs=1e-9)

    def test_a_copy_outside_the_groups_screens_far_above_independent_rules(self):
        """On sim6909 the copy lf_7 / lf_12 (apart in the default fit) reaches the screen's threshold; with the copy
        put in one group with its rule, the independent rules left do not."""
        k, matrix = 2, SIM6909.votes.matrix()
        rows = compress_rows(matrix, k)
        gram = weighted_gram(indicator(rows.matrix, k), rows.weights)
        one, total = one_class_functions(rows.matrix), float(rows.weights.sum())
        apart = np.arange(matrix.shape[1])
        together = apart.copy()
        together[12] = 7
        for j, p in enumerate(SIM6909.parent):  # every copy with its rule
            if p >= 0 and j != 12:
                together[j] = p
        assert _copy_refit.copy_screen(gram, total, k, one, apart, rows.matrix) >= _copy_refit.SCREEN
        assert _copy_refit.copy_screen(gram, total, k, one, together, rows.matrix) < _copy_refit.SCREEN


class TestLearnedPairStrengths:
    def test_the_same_pairs_as_learned_pairs_strongest_first(self):
        rows = compress_rows(SIM6909.votes.matrix(), 2)
        found = learned_pair_strengths(rows.matrix, rows.weights, 2)
        assert found is not None
        assert [(a, b) for a, b, _ in found] == learned_pairs(rows.matrix, rows.weights, 2)
        values = [v for _, _, v in found]
        assert values == sorted(values, reverse=True) and all(THRESHOLD < v <= 1.0 + 1e-9 for v in values)
        assert {(a, b) for a, b, v in found if v >= _copy_refit.STRONG} == {(1, 15), (5, 14), (11, 13), (7, 12)}


class TestRefit:
    def test_the_missed_copy_is_joined_and_the_fit_passes_majority_vote(self):
        """sim6909: the default fit leaves the copy apart and is 3.3 points below majority vote; with the refit
        the copy is one group and the fit is above majority vote."""
        majority = MajorityVote().fit(TABLE).labels_.reindex(SIM6909.votes.items).to_numpy()
        off, on = _fit(SIM6909.votes, on=False), _fit(SIM6909.votes)
        assert not _joined(off, "lf_7", "lf_12") and _joined(on, "lf_7", "lf_12")
        assert on.abstains_ == "informative"
        assert _points(SIM6909, on.labels_) > _points(SIM6909, majority) + 0.5 > _points(SIM6909, off.labels_)

    def test_independent_one_class_rules_weakly_paired_by_the_learner_are_not_refitted(self):
        """sim1007 (the benchmark's): the learner pairs two independent one-class rules of one class twice (partial
        correlation under STRONG); the fit is the default's."""
        sim = _sim(1007, m=15, k=5, copies=4, cov=0.3, imbalance=2.0)
        off, on = _fit(sim.votes, on=False), _fit(sim.votes)
        assert on.groups_ == off.groups_
        pd.testing.assert_series_equal(on.labels_, off.labels_)

    def test_a_refit_that_keeps_missing_abstains_is_dropped(self):
        """With ``abstains="missing"`` the refit cannot keep informative abstains: the first fit stands."""
        off, on = _fit(SIM6909.votes, on=False, abstains="missing"), _fit(SIM6909.votes, abstains="missing")
        assert on.groups_ == off.groups_ and on.abstains_ == "missing"
        pd.testing.assert_series_equal(on.labels_, off.labels_)
        np.testing.assert_array_equal(on.probas_.to_numpy(), off.probas_.to_numpy())

    def test_switched_off_nothing_runs(self, monkeypatch):
        def boom(*args, **kwargs):
            raise AssertionError("the screen ran with the switch off")

        monkeypatch.setattr(_copy_refit, "missed_copies", boom)
        assert not _joined(_fit(SIM6909.votes, on=False), "lf_7", "lf_12")


class TestInvariants:
    """Where the refit fires (sim6909), row order, labeler names and class names change nothing but names."""

    @settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seed=st.integers(0, 2**16))
    def test_row_order_changes_no_label(self, seed):
        a = _fit(TABLE)
        b = _fit(TABLE.sample(frac=1.0, random_state=seed).reset_index(drop=True))
        assert _joined(a, "lf_7", "lf_12") and a.groups_ == b.groups_
        pd.testing.assert_series_equal(a.labels_.sort_index(), b.labels_.sort_index())
        np.testing.assert_allclose(a.probas_.sort_index().to_numpy(), b.probas_.sort_index().to_numpy(), atol=1e-9)

    @settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(order=st.permutations(list(range(len(LABELERS)))))
    def test_renaming_the_labelers_renames_the_groups(self, order):
        names = {old: f"r{order[i]:02d}" for i, old in enumerate(LABELERS)}
        a = _fit(TABLE)
        b = _fit(TABLE.assign(annotator=TABLE["annotator"].map(names)))
        assert sorted(sorted(names[x] for x in g) for g in a.groups_) == sorted(sorted(g) for g in b.groups_)
        pd.testing.assert_series_equal(a.labels_.sort_index(), b.labels_.sort_index())
        np.testing.assert_allclose(a.probas_.sort_index().to_numpy(), b.probas_.sort_index().to_numpy(), atol=1e-4)

    def test_renaming_the_classes_permutes_the_result(self):
        renamed = TABLE.assign(label=TABLE["label"].map({0: "yes", 1: "no"}))
        a = _fit(TABLE, labels=[0, 1])
        b = _fit(renamed, labels=["no", "yes"])
        assert _joined(a, "lf_7", "lf_12") and a.groups_ == b.groups_
        pd.testing.assert_series_equal(
            a.labels_.map({0: "yes", 1: "no"}).sort_index(), b.labels_.sort_index(), check_dtype=False
        )
        np.testing.assert_allclose(
            a.probas_.sort_index().to_numpy()[:, ::-1], b.probas_.sort_index().to_numpy(), atol=1e-4
        )
