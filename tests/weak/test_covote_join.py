"""Co-voting pairs joined for the informative-abstain fit, kept by BIC, past a gate on how much the fit overrides
majority vote (``weak._covote_join``)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.weak import _covote_join
from tests.weak.test_map_keep import family_set, fit_switched, voted_accuracy  # the family's seen sets, scored as there


def fit(votes, k: int, on: bool, gated: bool = False, **params) -> weak.LabelModel:
    """``LabelModel(labels=range(k))`` with ``_covote_join``'s switch at ``on`` and its gate at ``gated`` (default
    off: lowcov55's join on every informative fit); warnings silenced, both switches put back."""
    held, _covote_join.GATED = _covote_join.GATED, gated
    try:
        return fit_switched(_covote_join, votes, k, on, **params)
    finally:
        _covote_join.GATED = held


def mv_labels(votes, k: int) -> np.ndarray:
    return weak.MajorityLabelVoter(labels=list(range(k))).fit(votes).labels_.to_numpy(dtype=int)


class TestCovotingPairs:
    def test_a_copy_that_fires_with_its_original_is_found(self) -> None:
        """Seed 5131 (seen; K 2, a copy of one function): the pair the clique search leaves apart is found."""
        k, sim = family_set(5131)
        matrix = sim.votes.matrix()
        model = fit(sim.votes, k, False)
        pairs = _covote_join.covoting_pairs(matrix, np.ones(len(matrix)), k, model._groups, 5.0)
        copies = {tuple(sorted((j, int(p)))) for j, p in enumerate(np.asarray(sim.parent)) if p >= 0}
        assert pairs and set(pairs) <= copies

    def test_pairs_already_in_one_group_are_not_offered(self) -> None:
        """With every function in one group there is no pair to join."""
        k, sim = family_set(5131)
        matrix = sim.votes.matrix()
        one = [list(range(matrix.shape[1]))]
        assert _covote_join.covoting_pairs(matrix, np.ones(len(matrix)), k, one, 5.0) == []


class TestFitJoined:
    def test_switched_on_the_fit_is_not_below_majority_vote_where_a_copy_misled_the_informative_fit(self) -> None:
        """Seed 5131 with the join on: the informative fit without it is 4 points below majority vote on the voted
        items; the fit with the copy joined (kept by BIC) is above it."""
        k, sim = family_set(5131)
        model = fit(sim.votes, k, True)
        assert voted_accuracy(model.labels_.to_numpy(dtype=int), sim) > voted_accuracy(mv_labels(sim.votes, k), sim)

    def test_switched_off_the_fit_is_main_s_and_below_majority_vote(self) -> None:
        """Seed 5131: without the join the informative fit is more than 0.5 points below majority vote."""
        k, sim = family_set(5131)
        off = fit(sim.votes, k, False)
        assert off.abstains_ == "informative"
        assert (
            voted_accuracy(off.labels_.to_numpy(dtype=int), sim) < voted_accuracy(mv_labels(sim.votes, k), sim) - 0.005
        )

    def test_the_joined_fit_holds_the_pair_in_one_group_and_has_the_lower_bic(self) -> None:
        """Seed 5131: the kept fit's groups join the copy, and its BIC is below the first fit's."""
        k, sim = family_set(5131)
        off, on = fit(sim.votes, k, False), fit(sim.votes, k, True)
        assert len(on.groups_) < len(off.groups_)
        assert on.bic_[on.abstains_] < off.bic_[off.abstains_]

    @pytest.mark.parametrize("seed", [5100, 5127, 5101])
    def test_fits_it_does_not_change_are_the_same_to_the_bit(self, seed: int) -> None:
        """No pair (5100), missing abstains kept (5127), a joined fit BIC rejects (5101): the same probabilities."""
        k, sim = family_set(seed)
        off, on = fit(sim.votes, k, False), fit(sim.votes, k, True)
        np.testing.assert_array_equal(on.probas_.to_numpy(), off.probas_.to_numpy())
        assert on.groups_ == off.groups_

    def test_the_first_fit_s_state_is_restored_when_bic_keeps_it(self) -> None:
        """Seed 5101 (a joined fit BIC rejects): the fitted attributes are the first fit's."""
        k, sim = family_set(5101)
        off, on = fit(sim.votes, k, False), fit(sim.votes, k, True)
        assert on.bic_ == off.bic_ and on.abstains_ == off.abstains_
        np.testing.assert_array_equal(on.mu_, off.mu_)


class TestGate:
    def test_on_by_default_behind_the_gate(self) -> None:
        """The default fit is the gated join's, to the bit (seed 5437, where the join is kept)."""
        k, sim = family_set(5437)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            default = weak.LabelModel(labels=list(range(k))).fit(sim.votes)
        assert _covote_join.ENABLED and _covote_join.GATED
        np.testing.assert_array_equal(
            default.probas_.to_numpy(), fit(sim.votes, k, True, gated=True).probas_.to_numpy()
        )

    def test_past_the_gate_the_join_lifts_a_fit_far_below_majority_vote(self) -> None:
        """Seed 5437 (K 3; the fit overrides 40% of majority vote's strict majorities): main's fit is more than 10 points
        below majority vote on the voted items, the gated join's above it."""
        k, sim = family_set(5437)
        mv = voted_accuracy(mv_labels(sim.votes, k), sim)
        assert voted_accuracy(fit(sim.votes, k, False).labels_.to_numpy(dtype=int), sim) < mv - 0.10
        assert voted_accuracy(fit(sim.votes, k, True, gated=True).labels_.to_numpy(dtype=int), sim) > mv

    def test_below_the_gate_the_fit_is_main_s_and_no_pair_is_looked_for(self, monkeypatch) -> None:
        """Seed 5131 (the fit overrides 17% of the strict majorities, under the gate's third): the fit is main's to the
        bit and ``covoting_pairs`` is never called, though the ungated join would change it."""
        k, sim = family_set(5131)
        calls: list[int] = []
        pairs = _covote_join.covoting_pairs
        monkeypatch.setattr(_covote_join, "covoting_pairs", lambda *a: calls.append(1) or pairs(*a))
        gated, off = fit(sim.votes, k, True, gated=True), fit(sim.votes, k, False)
        assert not calls
        np.testing.assert_array_equal(gated.probas_.to_numpy(), off.probas_.to_numpy())
        assert fit(sim.votes, k, True).groups_ != off.groups_ and calls


class TestOverriddenShare:
    def test_the_share_of_strict_majorities_labelled_otherwise_weighted_by_items(self) -> None:
        """Rows 0-2 have a strict majority (classes 0, 1, 1), row 3 a tie and row 4 no vote; the posterior picks
        another class on row 1 only: its weight 3 over 1 + 3 + 4."""
        matrix = np.array([[0, 0, -1], [1, -1, 1], [1, 1, 0], [0, 1, -1], [-1, -1, -1]])
        post = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.9, 0.1], [0.9, 0.1]])
        w = np.array([1.0, 3.0, 4.0, 5.0, 6.0])
        assert _covote_join.overridden_share(matrix, w, post, 2) == pytest.approx(3.0 / 8.0)

    def test_no_strict_majority_gives_zero(self) -> None:
        """Only ties and empty rows: nothing to override."""
        matrix = np.array([[0, 1], [-1, -1]])
        assert _covote_join.overridden_share(matrix, np.ones(2), np.array([[1.0, 0.0], [0.0, 1.0]]), 2) == 0.0


@settings(max_examples=25, deadline=None)
@given(
    data=st.data(),
    k=st.integers(2, 4),
)
def test_the_overridden_share_ignores_row_order_and_class_names(data, k: int) -> None:
    """Reordering the rows (with their weights and posteriors) leaves the share as it is, and so does renaming the
    classes in the votes and the posterior alike."""
    n, m = data.draw(st.integers(1, 12)), data.draw(st.integers(1, 4))
    matrix = np.array(
        data.draw(st.lists(st.lists(st.integers(-1, k - 1), min_size=m, max_size=m), min_size=n, max_size=n))
    )
    w = np.array(data.draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)), dtype=float)
    post = np.array(data.draw(st.lists(st.permutations(range(k)), min_size=n, max_size=n)), dtype=float)
    share = _covote_join.overridden_share(matrix, w, post, k)
    order = np.array(data.draw(st.permutations(range(n))))
    assert _covote_join.overridden_share(matrix[order], w[order], post[order], k) == pytest.approx(share)
    perm = np.array(data.draw(st.permutations(range(k))))
    renamed = np.where(matrix >= 0, perm[np.maximum(matrix, 0)], -1)
    moved = np.empty_like(post)
    moved[:, perm] = post
    assert _covote_join.overridden_share(renamed, w, moved, k) == pytest.approx(share)
    assert 0.0 <= share <= 1.0


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(perm=st.permutations(range(3)))
def test_renaming_the_classes_permutes_the_joined_fit(perm: list[int]) -> None:
    """Seed 5437 (K 3, the join kept): renaming the classes permutes the probabilities (to 1e-6)."""
    k, sim = family_set(5437)
    matrix = sim.votes.matrix()
    codes = np.asarray(sim.votes.classes, dtype=int)
    plain = np.where(matrix >= 0, codes[np.maximum(matrix, 0)], -1)
    renamed = np.where(plain >= 0, np.asarray(perm)[np.maximum(plain, 0)], -1)
    base = fit(plain, k, True).probas_.to_numpy()
    moved = fit(renamed, k, True).probas_.to_numpy()
    np.testing.assert_allclose(moved[:, perm], base, atol=1e-6)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16))
def test_reordering_the_items_reorders_the_joined_fit(seed: int) -> None:
    """Seed 5437: the rows in another order give the same probabilities in that order (to 1e-6)."""
    k, sim = family_set(5437)
    matrix = sim.votes.matrix()
    codes = np.asarray(sim.votes.classes, dtype=int)
    plain = np.where(matrix >= 0, codes[np.maximum(matrix, 0)], -1)
    order = np.random.default_rng(seed).permutation(len(plain))
    base = fit(plain, k, True).probas_.to_numpy()
    moved = fit(plain[order], k, True).probas_.to_numpy()
    np.testing.assert_allclose(moved, base[order], atol=1e-6)
