"""Properties of ``evaluate.ranking``: each measure is symmetric where its definition is, invariant
under strictly increasing rescaling of the scores, 1 for identical rankings and -1 (the
correlations) for reversed ones; ``rbo_ext`` lies in [0, 1] for any two lists of items and is 1
exactly for equal lists; ``ranking_agreement`` on untied scores gives the same values and
intervals for any order of the systems (and topics), and the same ``random_state`` the same
intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError, LabelwiseError
from labelwise.evaluate import kendall_tau, ranking_agreement, rbo_ext, spearman_rho, tau_ap

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def score_pairs(draw, min_size=2, max_size=25, ties=True):
    """Two score lists of the same length on a coarse integer grid (ties allowed) or distinct."""
    n = draw(st.integers(min_size, max_size))
    if ties:
        elems = st.integers(-5, 5)
        a = draw(st.lists(elems, min_size=n, max_size=n))
        b = draw(st.lists(elems, min_size=n, max_size=n))
    else:
        a = draw(st.permutations(range(n)))
        b = draw(st.permutations(range(n)))
    return np.array(a, float), np.array(b, float)


def _rescale(x: np.ndarray, how: int) -> np.ndarray:
    """A strictly increasing map of ``x`` (exact on the integer grid)."""
    return [x * 3.0 + 7.0, np.exp(x / 4.0), x**3 + x, x / 1024.0 - 1e6][how]


class TestCorrelations:
    @SETTINGS
    @given(pair=score_pairs(), how=st.integers(0, 3))
    def test_kendall_and_spearman_are_symmetric_and_rank_based(self, pair, how):
        """Swapping the lists or rescaling either by an increasing map leaves tau-b and rho as they were."""
        a, b = pair
        for f in (kendall_tau, spearman_rho):
            v = f(a, b)
            if np.isnan(v):
                assert np.isnan(f(b, a))
                continue
            assert f(b, a) == pytest.approx(v, abs=1e-12)
            assert f(_rescale(a, how), b) == pytest.approx(v, abs=1e-12)
            assert -1 - 1e-12 <= v <= 1 + 1e-12

    @SETTINGS
    @given(pair=score_pairs(ties=False))
    def test_identical_and_reversed_rankings_give_one_and_minus_one(self, pair):
        """Every measure is 1 on a ranking against itself and the correlations -1 against its reverse."""
        a, _ = pair
        for f in (kendall_tau, spearman_rho, tau_ap):
            assert f(a, a) == pytest.approx(1.0)
            assert f(a, -a) == pytest.approx(-1.0)

    @SETTINGS
    @given(pair=score_pairs(ties=False), how=st.integers(0, 3), seed=st.integers(0, 2**32 - 1))
    def test_tau_ap_without_ties_follows_the_ranking_not_the_order_or_scale(self, pair, how, seed):
        """On untied scores, tau-AP is unchanged by permuting the systems or rescaling either list."""
        t, e = pair
        v = tau_ap(t, e)
        perm = np.random.default_rng(seed).permutation(len(t))
        assert tau_ap(t[perm], e[perm]) == pytest.approx(v, abs=1e-12)
        assert tau_ap(_rescale(t, how), _rescale(e, 3 - how)) == pytest.approx(v, abs=1e-12)
        assert -1 - 1e-12 <= v <= 1 + 1e-12


items = st.one_of(st.integers(-50, 50), st.text(max_size=3))


class TestRbo:
    @SETTINGS
    @given(
        s=st.lists(items, min_size=1, max_size=30, unique=True),
        t=st.lists(items, min_size=1, max_size=30, unique=True),
        p=st.sampled_from([0.01, 0.5, 0.9, 0.98, 1 - 1e-9]),
    )
    def test_rbo_ext_is_symmetric_and_in_the_unit_interval(self, s, t, p):
        """For any two rankings without repeats, RBO_ext(s, t) = RBO_ext(t, s) and lies in [0, 1]."""
        v = rbo_ext(s, t, p)
        assert rbo_ext(t, s, p) == pytest.approx(v, abs=1e-12)
        assert -1e-12 <= v <= 1 + 1e-12

    @SETTINGS
    @given(s=st.lists(items, min_size=1, max_size=30, unique=True), p=st.sampled_from([0.01, 0.5, 0.9, 0.98]))
    def test_rbo_ext_of_a_list_with_itself_is_one(self, s, p):
        """An identical ranking has full overlap at every depth: RBO_ext = 1."""
        assert rbo_ext(s, list(s), p) == pytest.approx(1.0, abs=1e-12)

    @SETTINGS
    @given(
        s=st.lists(st.integers(0, 100), min_size=1, max_size=20, unique=True),
        t=st.lists(st.integers(101, 200), min_size=1, max_size=20, unique=True),
    )
    def test_rbo_ext_of_disjoint_lists_is_zero(self, s, t):
        """Lists with no item in common never overlap: RBO_ext = 0."""
        assert rbo_ext(s, t) == 0.0

    @SETTINGS
    @given(s=st.lists(st.integers(0, 30), min_size=2, max_size=20))
    def test_a_repeated_item_is_refused_naming_the_ranking(self, s):
        """A ranking with an item twice raises an error naming ``s`` (or nothing, if it has none)."""
        if len(set(s)) == len(s):
            rbo_ext(s, s)
            return
        with pytest.raises(InvalidParameterError, match=r"\bs has"):
            rbo_ext(s, sorted(set(s)))


@st.composite
def tables(draw):
    """Untied per-system scores (or systems x topics tables whose topic means are untied)."""
    n = draw(st.integers(3, 9))
    names = draw(st.lists(st.text("abcdefgh", min_size=1, max_size=3), min_size=n, max_size=n, unique=True))
    n_topics = draw(st.sampled_from([1, 2, 4]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # integer scores per topic; distinct sums by adding a distinct multiple of 1/64 (exact in float)
    a = rng.integers(0, 5, (n, n_topics)).astype(float) + (rng.permutation(n) / 64.0)[:, None]
    b = rng.integers(0, 5, (n, n_topics)).astype(float) + (rng.permutation(n) / 64.0)[:, None]
    cols = [f"q{j}" for j in range(n_topics)]
    fa, fb = pd.DataFrame(a, index=names, columns=cols), pd.DataFrame(b, index=names, columns=cols)
    if n_topics == 1:
        return fa.iloc[:, 0], fb.iloc[:, 0]
    return fa, fb


class TestRankingAgreement:
    @settings(max_examples=25, deadline=None)
    @given(pair=tables(), seed=st.integers(0, 2**32 - 1), boot_seed=st.integers(0, 1000))
    def test_permuting_systems_and_topics_keeps_values_and_intervals(self, pair, seed, boot_seed):
        """Untied scores: any order of the systems in either table (and of the topics) gives the same
        values and the same bootstrap intervals; a second call is identical."""
        a, b = pair
        rng = np.random.default_rng(seed)
        ref = ranking_agreement(a, b, n_boot=30, random_state=boot_seed)
        pa = a.iloc[rng.permutation(len(a))]
        pb = b.iloc[rng.permutation(len(b))]
        if isinstance(a, pd.DataFrame):
            pa = pa.iloc[:, rng.permutation(a.shape[1])]
            pb = pb.iloc[:, rng.permutation(b.shape[1])]
        got = ranking_agreement(pa, pb, n_boot=30, random_state=boot_seed)
        again = ranking_agreement(a, b, n_boot=30, random_state=boot_seed)
        pd.testing.assert_frame_equal(again.to_frame(), ref.to_frame())
        pd.testing.assert_frame_equal(got.to_frame(), ref.to_frame(), check_exact=False, rtol=0, atol=1e-12)
        order = np.argsort([str(x) for x in ref.systems])
        got_order = np.argsort([str(x) for x in got.systems])
        np.testing.assert_array_equal(got.scores_a[got_order], ref.scores_a[order])
        np.testing.assert_array_equal(got.scores_b[got_order], ref.scores_b[order])

    @settings(max_examples=25, deadline=None)
    @given(pair=tables(), where=st.integers(0, 100), bad=st.sampled_from([np.nan, np.inf, "x"]))
    def test_a_non_finite_score_is_refused_naming_the_table_and_system(self, pair, where, bad):
        """A score that is not a finite number raises a labelwise error naming the table and the system."""
        a, b = pair
        a = a.astype(object).copy()
        r = where % len(a)
        if isinstance(a, pd.DataFrame):
            a.iat[r, where % a.shape[1]] = bad
        else:
            a.iat[r] = bad
        with pytest.raises(LabelwiseError, match=rf"scores_a .*system {a.index[r]!r}"):
            ranking_agreement(a, b, n_boot=0)
