"""Tests of weak.DawidSkeneLabelModel (a wrapper over labelwise.aggregate.DawidSkene)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from labelwise.aggregate import DawidSkene
from labelwise.errors import InvalidParameterError
from labelwise.weak import DawidSkeneLabelModel, simulate_lfs


class TestDawidSkeneLabelModel:
    def test_labels_on_voted_items_are_those_of_aggregate_dawid_skene(self):
        """On items with votes the labels are exactly those of lw.aggregate.DawidSkene."""
        sim = simulate_lfs(1500, 6, 3, unipolar=0.0, random_state=3)
        ours = DawidSkeneLabelModel().fit(sim.votes)
        theirs = DawidSkene(labels=[0, 1, 2]).fit(sim.votes.to_annotations())
        assert (ours.labels_.reindex(theirs.labels_.index) == theirs.labels_).all()

    def test_unvoted_items_get_the_class_balance(self):
        """Items nobody voted on have the class balance as posterior."""
        sim = simulate_lfs(800, 3, 2, coverage=(0.05, 0.2), random_state=1)
        model = DawidSkeneLabelModel().fit(sim.votes)
        empty = model.n_votes_.to_numpy() == 0
        assert empty.any()
        np.testing.assert_allclose(model.probas_.to_numpy()[empty], np.tile(model.class_balance_, (empty.sum(), 1)))

    def test_fixed_class_balance_shifts_posteriors_toward_it(self):
        """A fixed class balance replaces the fitted prior in the posterior."""
        sim = simulate_lfs(1000, 5, 2, unipolar=0.0, random_state=6)
        free = DawidSkeneLabelModel().fit(sim.votes)
        skewed = DawidSkeneLabelModel(class_balance=[0.95, 0.05]).fit(sim.votes)
        assert skewed.probas_[0].mean() > free.probas_[0].mean()
        np.testing.assert_allclose(skewed.probas_.sum(axis=1), 1.0)

    def test_confusion_rows_sum_to_one_and_accuracies_in_unit_interval(self):
        """Confusion rows are distributions; accuracies are probabilities."""
        sim = simulate_lfs(1000, 5, 3, random_state=2)
        model = DawidSkeneLabelModel().fit(sim.votes)
        np.testing.assert_allclose(model.confusion_.sum(axis=2), 1.0, atol=1e-6)
        assert model.accuracies_.between(0, 1).all()

    def test_an_unknown_parameter_is_named_at_fit(self):
        """DawidSkeneLabelModel(foo=1).fit raised DawidSkene's TypeError; now an error naming it and the valid ones."""
        sim = simulate_lfs(200, 3, 2, random_state=0)
        with pytest.raises(InvalidParameterError, match=r"unknown parameter\(s\) \['foo'\].*'max_iter'"):
            DawidSkeneLabelModel(foo=1).fit(sim.votes)

    def test_set_params_reaches_dawid_skenes_parameters(self):
        """set_params(max_iter=...) was refused (only the wrapper's own names were valid); clone keeps them."""
        sim = simulate_lfs(300, 4, 2, random_state=1)
        model = clone(DawidSkeneLabelModel()).set_params(max_iter=3, class_balance="uniform")
        assert model.get_params()["max_iter"] == 3 and model.class_balance == "uniform"
        model.fit(sim.votes)
        assert model.estimator_.max_iter == 3 and model.estimator_.n_iter_ <= 3
        with pytest.raises(InvalidParameterError, match=r"unknown parameter\(s\) \['item_col'\]"):
            model.set_params(item_col="x")
