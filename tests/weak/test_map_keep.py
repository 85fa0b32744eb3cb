"""The missing-abstain MAP refit held to the classes its maximum-likelihood fit keeps (``weak._map_keep``)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.weak import _emptied_class, _map_keep

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def family_set(seed: int):
    """K and ``benchmarks/dev_weak_low_coverage_peers.sparse_set(seed)``'s simulation."""
    sys.path.insert(0, str(BENCH))
    try:
        from dev_weak_low_coverage_peers import sparse_set
    finally:
        sys.path.remove(str(BENCH))
    meta, sim = sparse_set(seed)
    return meta["K"], sim


def seen_5127():
    """The family's seed 5127 (seen): K 3, five functions, where main's MAP refit empties class 2."""
    return family_set(5127)


def fit_switched(module, votes, k: int, on: bool, **params) -> weak.LabelModel:
    """``LabelModel(labels=range(k))`` with ``module.ENABLED`` at ``on`` (warnings silenced; the switch put back)."""
    held, module.ENABLED = module.ENABLED, on
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return weak.LabelModel(labels=list(range(k)), **params).fit(votes)
    finally:
        module.ENABLED = held


def fit(votes, k: int, on: bool, **params) -> weak.LabelModel:
    """``LabelModel(labels=range(k))`` with ``_map_keep``'s switch at ``on`` (warnings silenced)."""
    return fit_switched(_map_keep, votes, k, on, **params)


def voted_accuracy(labels, sim) -> float:
    voted = (sim.votes.matrix() >= 0).any(axis=1)
    return float(np.mean(np.asarray(labels)[voted] == np.asarray(sim.truth)[voted]))


class TestKeepClasses:
    def test_a_refit_that_empties_a_class_the_ml_fit_keeps_keeps_every_class(self, monkeypatch) -> None:
        """Seed 5127: main's refit gives class 2 no item; held to the ML fit's balance every class keeps a share."""
        monkeypatch.setattr(_emptied_class, "ENABLED", False)  # the refit itself, not the emptied-class fallback
        k, sim = seen_5127()
        off, on = fit(sim.votes, k, False), fit(sim.votes, k, True)
        assert on.abstains_ == off.abstains_ == "missing"
        shares = {
            name: np.bincount(model.labels_.to_numpy(dtype=int), minlength=k) / len(model.labels_)
            for name, model in (("off", off), ("on", on))
        }
        assert shares["off"].min() < 0.01
        assert shares["on"].min() > 0.15

    def test_the_held_refit_is_not_below_majority_vote_on_the_voted_items(self, monkeypatch) -> None:
        """Seed 5127: main's refit is 14 points below majority vote; the held refit is not below it."""
        monkeypatch.setattr(_emptied_class, "ENABLED", False)  # the refit itself, not the emptied-class fallback
        k, sim = seen_5127()
        mv = weak.MajorityLabelVoter(labels=list(range(k))).fit(sim.votes).labels_.to_numpy(dtype=int)
        on = fit(sim.votes, k, True).labels_.to_numpy(dtype=int)
        off = fit(sim.votes, k, False).labels_.to_numpy(dtype=int)
        assert voted_accuracy(off, sim) < voted_accuracy(mv, sim) - 0.05
        assert voted_accuracy(on, sim) >= voted_accuracy(mv, sim)

    def test_the_default_fit_is_not_below_majority_vote_where_main_s_refit_emptied_a_class(self) -> None:
        """Seed 5127 with the label model's defaults: every class keeps a share, and the voted items are labelled no
        worse than by majority vote (main: class 2 empty, 14 points below it)."""
        k, sim = seen_5127()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = weak.LabelModel(labels=list(range(k))).fit(sim.votes)
        labels = model.labels_.to_numpy(dtype=int)
        mv = weak.MajorityLabelVoter(labels=list(range(k))).fit(sim.votes).labels_.to_numpy(dtype=int)
        assert (np.bincount(labels, minlength=k) / len(labels)).min() > 0.15
        assert voted_accuracy(labels, sim) >= voted_accuracy(mv, sim)

    def test_a_given_class_balance_is_untouched(self) -> None:
        """With ``class_balance="uniform"`` the balance is not estimated: the switch changes nothing."""
        k, sim = seen_5127()
        off = fit(sim.votes, k, False, class_balance="uniform")
        on = fit(sim.votes, k, True, class_balance="uniform")
        np.testing.assert_array_equal(on.probas_.to_numpy(), off.probas_.to_numpy())

    @pytest.mark.parametrize("seed", [5100, 5103])
    def test_a_refit_that_relabels_nothing_is_returned_as_it_is(self, seed: int) -> None:
        """Where the MAP refit relabels no class the switch changes no bit (seen seeds where it does not fire)."""
        k, sim = family_set(seed)
        off, on = fit(sim.votes, k, False), fit(sim.votes, k, True)
        np.testing.assert_array_equal(on.probas_.to_numpy(), off.probas_.to_numpy())

    def test_two_classes_are_left_to_the_refit(self) -> None:
        """K = 2 (seen seed 5197, where main's refit relabels the smaller class and beats majority vote): no change."""
        k, sim = family_set(5197)
        assert k == 2
        off, on = fit(sim.votes, k, False), fit(sim.votes, k, True)
        np.testing.assert_array_equal(on.probas_.to_numpy(), off.probas_.to_numpy())


class TestInvariants:
    @settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.permutations([0, 1, 2]))
    def test_renaming_the_classes_renames_the_held_refit_s_posterior(self, perm: list[int]) -> None:
        """Seed 5127 with its class codes renamed: the posterior's columns follow the new names."""
        k, sim = seen_5127()
        matrix = sim.votes.matrix()
        classes = np.asarray(sim.votes.classes, dtype=int)
        codes = np.where(matrix >= 0, classes[np.maximum(matrix, 0)], -1)
        renamed = np.where(codes >= 0, np.asarray(perm)[np.maximum(codes, 0)], -1)
        base = fit(codes, k, True).probas_.to_numpy()
        moved = fit(renamed, k, True).probas_.to_numpy()
        np.testing.assert_allclose(moved[:, perm], base, atol=1e-6)
        assert (np.bincount(moved.argmax(axis=1), minlength=k) / len(moved)).min() > 0.15  # the held refit's

    @settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.randoms(use_true_random=False))
    def test_reordering_the_rows_reorders_the_held_refit_s_posterior(self, rnd) -> None:
        """Seed 5127 with its items shuffled: each item keeps its posterior."""
        k, sim = seen_5127()
        matrix = sim.votes.matrix()
        classes = np.asarray(sim.votes.classes, dtype=int)
        codes = np.where(matrix >= 0, classes[np.maximum(matrix, 0)], -1)
        order = np.arange(len(codes))
        rnd.shuffle(order)
        base = fit(codes, k, True).probas_.to_numpy()
        moved = fit(codes[order], k, True).probas_.to_numpy()
        np.testing.assert_allclose(moved, base[order], atol=1e-6)
