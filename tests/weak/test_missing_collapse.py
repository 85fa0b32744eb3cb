"""On few multi-class functions of low coverage the default label model's missing-abstain MAP refit emptied a class,
or every class but one (session 51, lowcov51; known failures then); since session 54 (lowmap54, ``weak._map_keep``)
such a refit is redone with the maximum-likelihood fit's class balance held."""

from __future__ import annotations

import warnings

import numpy as np

from labelwise import weak


def sparse_set(seed: int, n_items: int, n_lfs: int, k: int, unipolar: float, imbalance: float) -> weak.SimulatedVotes:
    """A set of ``benchmarks/dev_weak_low_coverage.py``'s family (one copied function, coverage 0.05-0.6), its draws
    given."""
    return weak.simulate_lfs(
        n_items=n_items,
        n_lfs=n_lfs,
        n_classes=k,
        coverage=(0.05, 0.6),
        accuracy=(0.3 + 0.5 / k, 0.9),
        unipolar=unipolar,
        n_correlated=1,
        imbalance=imbalance,
        random_state=seed,
    )


def test_default_fit_on_few_low_coverage_multi_class_rules_keeps_every_class() -> None:
    """Every class keeps a share of the labels near the one majority vote gives it (each about a third here)."""
    sim = sparse_set(5127, 882, 5, 3, 0.25545, 1.21085)  # the script's seed 5127: K 3, five functions
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = weak.LabelModel(labels=[0, 1, 2]).fit(sim.votes)
    assert model.abstains_ == "missing"
    shares = np.bincount(model.labels_.to_numpy(dtype=int), minlength=3) / len(model.labels_)
    assert shares.min() > 0.1


def test_default_fit_on_few_low_coverage_five_class_rules_names_more_than_one_class() -> None:
    """Majority vote names all five classes on the voted items; the label model should name more than one."""
    sim = sparse_set(5445, 305, 14, 5, 0.5869075256991368, 3.79630034452405)  # seed 5445: K 5, 14 functions
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = weak.LabelModel(labels=list(range(5))).fit(sim.votes)
    assert model.abstains_ == "missing"
    voted = (sim.votes.matrix() >= 0).any(axis=1)
    assert np.unique(model.labels_.to_numpy()[voted]).size > 1
