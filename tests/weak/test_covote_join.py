"""Co-voting pairs joined for the informative-abstain fit, kept by BIC (``weak._covote_join``)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.weak import _covote_join
from tests.weak.test_map_keep import family_set, fit_switched, voted_accuracy  # the family's seen sets, scored as there


def fit(votes, k: int, on: bool, **params) -> weak.LabelModel:
    """``LabelModel(labels=range(k))`` with ``_covote_join``'s switch at ``on`` (warnings silenced)."""
    return fit_switched(_covote_join, votes, k, on, **params)


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

    def test_off_by_default(self) -> None:
        """The default fit is the fit with the switch off (the join doubles the fit where BIC rejects it)."""
        k, sim = family_set(5131)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            default = weak.LabelModel(labels=list(range(k))).fit(sim.votes)
        assert not _covote_join.ENABLED
        np.testing.assert_array_equal(default.probas_.to_numpy(), fit(sim.votes, k, False).probas_.to_numpy())

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
