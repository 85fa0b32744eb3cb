"""The missing-abstain fit that empties a class of three or more falls back to majority vote's fit
(``weak._emptied_class``, through ``weak._missing_guard``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.errors import LabelwiseWarning
from labelwise.weak import _emptied_class, _missing_guard
from labelwise.weak._emptied_class import emptied_classes
from tests.weak.test_map_keep import family_set, fit_switched, voted_accuracy  # the family's seen sets, scored as there


def seen_6061():
    """The family's seed 6061 (seen): K 5, four functions, where main's MAP fit labels every item class 0."""
    return family_set(6061)


def fit(votes, k: int, on: bool, **params) -> weak.LabelModel:
    """``LabelModel(labels=range(k))`` with ``_emptied_class``'s switch at ``on`` (warnings silenced)."""
    return fit_switched(_emptied_class, votes, k, on, **params)


def codes_of(sim) -> np.ndarray:
    """The simulation's vote matrix in its class codes (-1 = abstain)."""
    matrix = sim.votes.matrix()
    classes = np.asarray(sim.votes.classes, dtype=int)
    return np.where(matrix >= 0, classes[np.maximum(matrix, 0)], -1)


class TestEmptiedClasses:
    def test_a_class_majority_vote_names_and_no_row_keeps_is_emptied(self) -> None:
        """Class 2 has a strict majority on row 2 and is nobody's most probable class: emptied; class 1 is kept."""
        classes = np.array([0, 1, 2, -1])
        post = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0], [0.6, 0.1, 0.3], [0.5, 0.5, 0.0]])
        np.testing.assert_array_equal(emptied_classes(classes, post), [2])

    def test_a_class_no_strict_majority_names_is_not_emptied(self) -> None:
        """A class that only ties in majority vote (-1 rows) is not counted as emptied."""
        classes = np.array([0, 0, -1])
        post = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3]])
        assert not len(emptied_classes(classes, post))


class TestFallback:
    def test_main_s_fit_empties_classes_and_the_candidate_gives_majority_vote_s_labels(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Seed 6061: switched off every item is labelled class 0; switched on the guard falls back to majority vote's
        fit, whose labels are majority vote's (exact ties drawn alike). The guard on many one-class votes
        (``_missing_guard.UNREAD_VOTES``), which also takes this set, is off: this module alone."""
        monkeypatch.setattr(_missing_guard, "UNREAD_VOTES", False)
        k, sim = seen_6061()
        off, on = fit(sim.votes, k, False), fit(sim.votes, k, True)
        assert on.abstains_ == off.abstains_ == "missing"
        assert np.bincount(off.labels_.to_numpy(dtype=int), minlength=k).max() == len(off.labels_)
        mv = weak.MajorityLabelVoter(labels=list(range(k))).fit(sim.votes).labels_.to_numpy(dtype=int)
        np.testing.assert_array_equal(on.labels_.to_numpy(dtype=int), mv)

    def test_the_fallback_is_warned_with_the_emptied_class(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Seed 6061 switched on: one warning says the fit fell back to majority vote and that a class was left no
        item (``_missing_guard.UNREAD_VOTES`` off: with it the relabelling check warns first)."""
        monkeypatch.setattr(_missing_guard, "UNREAD_VOTES", False)
        k, sim = seen_6061()
        held, _emptied_class.ENABLED = _emptied_class.ENABLED, True
        try:
            with pytest.warns(LabelwiseWarning, match="falling back to majority vote. The fit left that class no item"):
                weak.LabelModel(labels=list(range(k))).fit(sim.votes)
        finally:
            _emptied_class.ENABLED = held

    def test_the_default_fit_is_not_below_majority_vote_where_main_s_fit_emptied_classes(self) -> None:
        """Seed 6061 with the label model's defaults: the voted items are labelled no worse than by majority vote
        (main: 22 points below it, every item class 0)."""
        k, sim = seen_6061()
        model = fit_switched(_emptied_class, sim.votes, k, _emptied_class.ENABLED)  # the module's default
        mv = weak.MajorityLabelVoter(labels=list(range(k))).fit(sim.votes).labels_.to_numpy(dtype=int)
        assert voted_accuracy(model.labels_.to_numpy(dtype=int), sim) >= voted_accuracy(mv, sim)

    @pytest.mark.parametrize(
        ("seed", "params"), [(6061, {"class_balance": "uniform"}), (5107, {}), (5115, {}), (6029, {})]
    )
    def test_the_switch_changes_no_bit_where_its_condition_fails(self, seed: int, params: dict) -> None:
        """A given class balance (6061 with ``class_balance="uniform"``), fits of K = 5 that keep every class (5107,
        5115) and two classes (6029, where main's fit labels every item one class): the switch changes no bit."""
        k, sim = family_set(seed)
        assert (k == 2) == (seed == 6029)
        off, on = fit(sim.votes, k, False, **params), fit(sim.votes, k, True, **params)
        np.testing.assert_array_equal(on.probas_.to_numpy(), off.probas_.to_numpy())


class TestInvariants:
    @settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.permutations([0, 1, 2, 3, 4]))
    def test_renaming_the_classes_renames_the_refit_s_posterior(self, perm: list[int]) -> None:
        """Seed 6061 with its class codes renamed: the posterior's columns follow the new names."""
        k, sim = seen_6061()
        codes = codes_of(sim)
        renamed = np.where(codes >= 0, np.asarray(perm)[np.maximum(codes, 0)], -1)
        base = fit(codes, k, True).probas_.to_numpy()
        moved = fit(renamed, k, True).probas_.to_numpy()
        np.testing.assert_allclose(moved[:, perm], base, atol=1e-6)
        assert np.bincount(moved.argmax(axis=1), minlength=k).min() > 0  # majority vote's, every class kept

    @settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.randoms(use_true_random=False))
    def test_reordering_the_rows_reorders_the_refit_s_posterior(self, rnd) -> None:
        """Seed 6061 with its items shuffled: each item keeps its posterior."""
        k, sim = seen_6061()
        codes = codes_of(sim)
        order = np.arange(len(codes))
        rnd.shuffle(order)
        base = fit(codes, k, True).probas_.to_numpy()
        moved = fit(codes[order], k, True).probas_.to_numpy()
        np.testing.assert_allclose(moved, base[order], atol=1e-6)
