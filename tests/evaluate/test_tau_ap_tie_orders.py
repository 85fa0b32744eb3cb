"""tau-AP with tied scores is the mean of the untied tau-AP over every order of the tied systems (session 48).

On main tied scores were ordered by their position in the input, so reversing a Series changed tau-AP
(0.875 against 0.5 on evalwalk47's example). Urbano & Marrero (2017) average over the tie orders.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.evaluate import ranking_agreement, tau_ap


def _untied_tau_ap(truth: np.ndarray, estimate: np.ndarray) -> float:
    """Yilmaz et al.'s formula on untied lists, written from the paper: ``2/(N-1) sum C(i)/(i-1) - 1``."""
    n = len(truth)
    est_order = sorted(range(n), key=lambda i: -estimate[i])
    total = 0.0
    for pos in range(1, n):
        item = est_order[pos]
        total += sum(truth[j] > truth[item] for j in est_order[:pos]) / pos
    return 2.0 * total / (n - 1) - 1.0


def _mean_over_tie_orders(truth: np.ndarray, estimate: np.ndarray) -> float:
    """Every way to break both lists' ties (a tiny offset per order), each equally likely."""
    n = len(truth)
    values = [
        _untied_tau_ap(truth + np.asarray(pt) * 1e-6, estimate + np.asarray(pe) * 1e-6)
        for pt in itertools.permutations(range(n))
        for pe in itertools.permutations(range(n))
    ]
    return float(np.mean(values))


tied_pairs = st.integers(2, 5).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 2), min_size=n, max_size=n).filter(lambda v: len(set(v)) > 1),
        st.lists(st.integers(0, 2), min_size=n, max_size=n).filter(lambda v: len(set(v)) > 1),
    )
)


class TestTauAPTies:
    def test_reversing_the_input_order_of_tied_scores_changes_nothing(self):
        """evalwalk47's example: the same scores in reverse order gave 0.875 and 0.5; now one value."""
        a = pd.Series({"s1": 3.0, "s2": 2.0, "s3": 2.0, "s4": 1.0, "s5": 0.0})
        b = pd.Series({"s1": 4.0, "s2": 1.0, "s3": 1.0, "s4": 1.0, "s5": 0.0})
        forward = tau_ap(a, b)
        backward = tau_ap(a.iloc[::-1], b.iloc[::-1])
        assert forward == backward

    @settings(max_examples=60, deadline=None)
    @given(pair=tied_pairs)
    def test_equals_the_mean_over_every_order_of_the_tied_systems(self, pair):
        """The closed form equals brute force: the untied tau-AP averaged over all tie-breaking orders."""
        truth, estimate = (np.asarray(v, dtype=float) for v in pair)
        assert tau_ap(truth, estimate) == pytest.approx(_mean_over_tie_orders(truth, estimate), abs=1e-9)

    @settings(max_examples=60, deadline=None)
    @given(pair=tied_pairs.filter(lambda p: len(p[0]) >= 3), seed=st.integers(0, 2**32 - 1))
    def test_permuting_the_systems_keeps_the_value(self, pair, seed):
        """Any permutation of the systems (the same one in both lists) gives the same tau-AP."""
        truth, estimate = (np.asarray(v, dtype=float) for v in pair)
        perm = np.random.default_rng(seed).permutation(len(truth))
        assert np.isclose(tau_ap(truth[perm], estimate[perm]), tau_ap(truth, estimate), rtol=0, atol=1e-12)

    @settings(max_examples=30, deadline=None)
    @given(pair=tied_pairs.filter(lambda p: len(p[0]) >= 4), seed=st.integers(0, 2**32 - 1))
    def test_ranking_agreement_tau_ap_and_its_interval_ignore_the_order(self, pair, seed):
        """ranking_agreement's tau-AP (and tau_ap_symmetric) and their intervals do not move under a
        permutation of a tied Series."""
        names = [f"sys{i}" for i in range(len(pair[0]))]
        a, b = pd.Series(pair[0], index=names, dtype=float), pd.Series(pair[1], index=names, dtype=float)
        perm = np.random.default_rng(seed).permutation(len(names))
        first = ranking_agreement(a, b, n_boot=20, random_state=0)
        moved = ranking_agreement(a.iloc[perm], b.iloc[perm], n_boot=20, random_state=0)
        for m in ("tau_ap", "tau_ap_symmetric"):
            for got, want in (
                (moved.values, first.values),
                (moved.ci_low, first.ci_low),
                (moved.ci_high, first.ci_high),
            ):
                np.testing.assert_allclose(got[m], want[m], rtol=0, atol=1e-12, err_msg=m)
