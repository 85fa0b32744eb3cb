"""Rank agreement: Kendall tau and Spearman against scipy, tau-AP and RBO against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as st_h

from labelwise.errors import (
    InvalidParameterError,
    ShapeMismatchError,
    TooFewExamplesError,
)
from labelwise.evaluate import (
    kendall_tau,
    ranking_agreement,
    rbo_ext,
    spearman_rho,
    tau_ap,
)

scores = st_h.lists(st_h.integers(0, 6), min_size=3, max_size=25)


class TestAgainstScipy:
    @given(scores, st_h.randoms())
    @settings(max_examples=60, deadline=None)
    def test_kendall_tau_b_equals_scipy(self, a, rnd):
        """Kendall's tau-b (with ties) equals scipy.stats.kendalltau."""
        b = [rnd.randint(0, 6) for _ in a]
        expect = st.kendalltau(a, b).statistic
        got = kendall_tau(a, b)
        assert (np.isnan(expect) and np.isnan(got)) or got == pytest.approx(expect, abs=1e-12)

    @pytest.mark.filterwarnings("ignore::scipy.stats.ConstantInputWarning")
    @given(scores, st_h.randoms())
    @settings(max_examples=60, deadline=None)
    def test_spearman_equals_scipy(self, a, rnd):
        """Spearman's rho (average ranks for ties) equals scipy.stats.spearmanr."""
        b = [rnd.randint(0, 6) for _ in a]
        expect = st.spearmanr(a, b).statistic
        got = spearman_rho(a, b)
        assert (np.isnan(expect) and np.isnan(got)) or got == pytest.approx(expect, abs=1e-12)


class TestTauAP:
    def test_swap_at_top_costs_more_than_at_bottom(self):
        """Yilmaz et al.: swapping the top pair of N gives (N-3)/(N-1); the bottom pair 2/(N-1)(N-2+(N-2)/(N-1))-1."""
        n = 8
        truth = np.arange(n, 0, -1, dtype=float)
        top, bottom = truth.copy(), truth.copy()
        top[[0, 1]] = top[[1, 0]]
        bottom[[n - 2, n - 1]] = bottom[[n - 1, n - 2]]
        assert tau_ap(truth, top) == pytest.approx((n - 3) / (n - 1))
        assert tau_ap(truth, bottom) == pytest.approx(2 / (n - 1) * (n - 2 + (n - 2) / (n - 1)) - 1)
        assert kendall_tau(truth, top) == pytest.approx(kendall_tau(truth, bottom))

    def test_identity_and_reversal(self):
        """tau_AP is 1 for the same ranking and -1 for the reversed one."""
        t = np.arange(6.0)
        assert tau_ap(t, t) == pytest.approx(1.0)
        assert tau_ap(t, -t) == pytest.approx(-1.0)

    def test_hand_computed_small_case(self):
        """Truth a>b>c>d, estimate b>c>a>d: C(2..4) = (1, 0, 3) over (1, 2, 3) -> 2/3 * (1 + 0 + 1) - 1 = 1/3."""
        truth = {"a": 4, "b": 3, "c": 2, "d": 1}
        est = {"b": 4, "c": 3, "a": 2, "d": 1}
        names = list(truth)
        assert tau_ap([truth[k] for k in names], [est[k] for k in names]) == pytest.approx(1 / 3)


class TestRBO:
    def test_hand_computed_swap_of_the_top_pair(self):
        """abcde vs bacde at p=0.9: A = (0, 1, 1, 1, 1) -> (1-p)/p (p^2+p^3+p^4+p^5) + p^5 = 0.9."""
        assert rbo_ext(list("abcde"), list("bacde"), 0.9) == pytest.approx(0.9)

    def test_disjoint_and_identical(self):
        """Identical lists give 1, disjoint lists 0."""
        assert rbo_ext(list("abc"), list("abc"), 0.8) == pytest.approx(1.0)
        assert rbo_ext(list("abc"), list("xyz"), 0.8) == pytest.approx(0.0)

    def test_uneven_lists_equation_32(self):
        """S = ab, L = acb at p = 0.5: X = (1, 1, 2), X_s = 1, s = 2, l = 3, by eq. (32) of Webber et al."""
        p = 0.5
        expect = (1 - p) / p * ((1 / 1) * p + (1 / 2) * p**2 + (2 / 3) * p**3 + 1 * (3 - 2) / (2 * 3) * p**3)
        expect += ((2 - 1) / 3 + 1 / 2) * p**3
        assert rbo_ext(list("ab"), list("acb"), p) == pytest.approx(expect)

    @pytest.mark.parametrize("p", [5e-324, 1e-310, 1e-300, 1e-20])
    def test_a_tiny_persistence_is_the_top_ranks_overlap(self, p):
        """(1-p)/p overflowed and p**d underflowed for a tiny p: NaN for abc vs bac, 0 where p was due.
        The depth-1 term dominates: the share of the top items in common, p**(d-1) weighing the rest."""
        assert rbo_ext(list("abc"), list("abc"), p) == pytest.approx(1.0)
        assert rbo_ext(list("abc"), list("acb"), p) == pytest.approx(1.0)
        swapped = rbo_ext(list("abc"), list("bac"), p)  # X = (0, 2, 3): (1-p)(p + p^2) + p^3
        assert np.isfinite(swapped) and swapped / p == pytest.approx(1.0)

    def test_repeated_items_are_refused(self):
        """A ranking with a repeated item is an error."""
        with pytest.raises(InvalidParameterError, match="repeated"):
            rbo_ext(list("aab"), list("abc"))

    def test_repeated_item_error_names_the_ranking_and_both_positions(self):
        """The repeated item, its ranking and its two positions are in the message."""
        with pytest.raises(InvalidParameterError, match=r"t has 'c' at positions 1 and 3"):
            rbo_ext(list("abc"), list("acbc"))

    def test_unhashable_items_name_the_ranking_and_the_first_position(self):
        """Lists as item ids are a labelwise error naming the parameter and the first unhashable position."""
        with pytest.raises(InvalidParameterError, match=r"t must hold hashable item ids.*position 1 is list \['b'\]"):
            rbo_ext(["a", "b"], ["a", ["b"], ["c"]])
        with pytest.raises(InvalidParameterError, match=r"s must hold hashable.*position 0"):
            rbo_ext([("a", ["x"])], ["a"])

    def test_rows_of_a_2d_array_are_refused_not_a_type_error(self):
        """A 2-D array's rows (arrays) are unhashable: named error at position 0."""
        with pytest.raises(InvalidParameterError, match=r"s must hold hashable.*position 0 is ndarray"):
            rbo_ext(np.arange(6).reshape(3, 2), [1, 2])

    def test_a_string_or_a_number_is_not_a_ranking(self):
        """A bare string (would be read letter by letter) or a number is refused, naming the parameter."""
        with pytest.raises(InvalidParameterError, match=r"s must be a list of item ids.*str 'doc1'"):
            rbo_ext("doc1", ["doc1"])
        with pytest.raises(InvalidParameterError, match=r"t must be a list of item ids.*int 3"):
            rbo_ext(["a"], 3)

    def test_arrays_series_and_tuples_are_rankings(self):
        """numpy arrays, pandas Series and tuples of ids give the same value as lists."""
        expect = rbo_ext(list("abcde"), list("bacde"), 0.9)
        assert rbo_ext(np.array(list("abcde")), pd.Series(list("bacde")), 0.9) == pytest.approx(expect)
        assert rbo_ext(tuple("abcde"), tuple("bacde"), 0.9) == pytest.approx(expect)


class TestRankingAgreement:
    def test_values_and_intervals(self):
        """Values equal the single functions; bootstrap intervals contain them."""
        rng = np.random.default_rng(0)
        a = pd.Series(rng.random(12), index=[f"s{i}" for i in range(12)])
        b = a + rng.normal(0, 0.1, 12)
        res = ranking_agreement(a, b.sample(frac=1, random_state=1), n_boot=200)
        assert res.values["kendall_tau"] == pytest.approx(st.kendalltau(a, b).statistic)
        f = res.to_frame()
        assert (f["ci_low"] <= f["value"] + 1e-12).all() and (f["value"] <= f["ci_high"] + 1e-12).all()

    def test_topic_tables_resample_topics(self):
        """Per-topic tables: system score = mean over topics; the bootstrap is over topics."""
        rng = np.random.default_rng(2)
        a = pd.DataFrame(rng.random((5, 8)), index=list("abcde"))
        res = ranking_agreement(a, a * 0.5, n_boot=50)
        assert res.resampled == "topics" and res.values["kendall_tau"] == pytest.approx(1.0)
        assert res.ci_low["kendall_tau"] == pytest.approx(1.0)

    def test_different_systems_and_too_few(self):
        """Different system sets, or fewer than 3 systems, are refused."""
        with pytest.raises(ShapeMismatchError, match="only in one"):
            ranking_agreement({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 2, "d": 3})
        with pytest.raises(TooFewExamplesError):
            ranking_agreement({"a": 1, "b": 2}, {"a": 1, "b": 2})


class TestRankingAgreementInput:
    def test_table_against_per_system_scores_is_refused(self):
        """A Series against a systems x topics table once compared it with the table's first topic only."""
        rng = np.random.default_rng(3)
        table = pd.DataFrame(rng.random((5, 6)), index=list("abcde"))
        with pytest.raises(ShapeMismatchError, match="scores_b is a systems x topics table but scores_a"):
            ranking_agreement(table.mean(axis=1), table + 0.01, n_boot=0)
        same = ranking_agreement(table.mean(axis=1), (table + 0.01).mean(axis=1), n_boot=0)
        assert same.values["kendall_tau"] == pytest.approx(1.0)

    def test_two_tables_one_with_a_single_topic_use_the_shared_topic(self):
        """Qrels judging one topic give a one-column table: still a table, compared on the topic both share."""
        rng = np.random.default_rng(4)
        table = pd.DataFrame(rng.random((5, 3)), index=list("abcde"), columns=["1", "2", "3"])
        one = ranking_agreement(table, table[["2"]] * 2, n_boot=0)
        direct = ranking_agreement(table["2"], table["2"] * 2, n_boot=0)
        assert one.values == direct.values

    def test_numeric_strings_are_scores_and_other_text_names_the_system(self):
        """'0.41' reads as 0.41; 'high' is an error naming the table and the system, not a float() traceback."""
        a = {"x": 0.1, "y": 0.5, "z": 0.3}
        as_text = {k: str(v) for k, v in a.items()}
        assert ranking_agreement(as_text, a, n_boot=0).values["kendall_tau"] == pytest.approx(1.0)
        with pytest.raises(InvalidParameterError, match="scores_b must hold a finite number.*system 'y' is 'high'"):
            ranking_agreement(a, {**a, "y": "high"})

    def test_missing_score_names_system_and_topic(self):
        """A NaN in a per-topic table names the system and the topic."""
        t = pd.DataFrame(np.ones((3, 2)), index=list("abc"), columns=["q1", "q2"])
        t.loc["b", "q2"] = np.nan
        with pytest.raises(InvalidParameterError, match="scores_a .* system 'b', topic 'q2' is nan"):
            ranking_agreement(t, t.fillna(1.0))

    def test_a_system_scored_twice_is_refused(self):
        """A repeated system name was reported as a shape mismatch of the two lists."""
        a = pd.Series([1.0, 2.0, 3.0, 4.0], index=list("aabc"))
        with pytest.raises(InvalidParameterError, match="scores_a must score each system once, system 'a'"):
            ranking_agreement(a, pd.Series([1.0, 2.0, 3.0], index=list("abc")))

    def test_single_functions_name_the_list_with_text(self):
        """kendall_tau/tau_ap on text raise a labelwise error naming the argument."""
        with pytest.raises(InvalidParameterError, match="a must hold numbers .* entry 1 is 'x'"):
            kendall_tau([1, "x", 3], [1, 2, 3])
        with pytest.raises(InvalidParameterError, match="estimate must hold finite numbers"):
            tau_ap([1, 2, 3], [1, np.inf, 3])


class TestRankingAgreementInvariants:
    @settings(max_examples=25, deadline=None)
    @given(
        scores=st_h.lists(st_h.integers(0, 5), min_size=3, max_size=12),
        noise=st_h.lists(st_h.integers(-2, 2), min_size=12, max_size=12),
        seed=st_h.integers(0, 1000),
        topics=st_h.booleans(),
    )
    def test_permuting_systems_keeps_values_and_intervals(self, scores, noise, seed, topics):
        """Permuting the systems (tied integer scores included), or the topics of per-topic tables,
        gives the same Kendall tau, Spearman and tau-AP values and intervals (tau-AP averages over
        the tie orders); RBO, which orders ties by input position (documented), is compared only
        where nothing ties. The same
        ``random_state`` twice gives bit-identical output."""
        n = len(scores)
        names = [f"sys{i}" for i in range(n)]
        a = pd.Series(scores, index=names, dtype=float)
        b = a + np.asarray(noise[:n], dtype=float)
        if topics:
            a = pd.DataFrame({f"t{j}": a + j * (np.arange(n) % 3) for j in range(4)})
            b = pd.DataFrame({f"t{j}": b - j * (np.arange(n) % 2) for j in range(4)})
        rng = np.random.default_rng(seed)
        perm = rng.permutation(n)
        cols = rng.permutation(a.columns) if topics else slice(None)
        first = ranking_agreement(a, b, n_boot=20, random_state=seed)
        again = ranking_agreement(a, b, n_boot=20, random_state=seed)
        assert (first.values, first.ci_low, first.ci_high) == (again.values, again.ci_low, again.ci_high)
        moved = ranking_agreement(a.iloc[perm][cols] if topics else a.iloc[perm], b, n_boot=20, random_state=seed)
        untied = len(set(first.scores_a)) == n and len(set(first.scores_b)) == n
        for m in ("kendall_tau", "spearman", "tau_ap", "rbo_ext"):
            pairs = [(moved.values, first.values), (moved.ci_low, first.ci_low), (moved.ci_high, first.ci_high)]
            if m == "rbo_ext":  # a resampled topic table can tie where the mean does not
                pairs = pairs[: 0 if not untied else 1 if topics else 3]
            for got, want in pairs:
                np.testing.assert_allclose(got[m], want[m], rtol=0, atol=1e-12, err_msg=m)
