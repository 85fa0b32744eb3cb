"""CrowdClassifier against crowd-kit 1.4.2: with a features-blind model it is Dawid-Skene.

With ``DummyClassifier(strategy="prior")`` the classifier's ``P(k | x)`` is the weighted class
frequency of the soft labels, i.e. Dawid-Skene's class prior ``mean_i T[i, k]``; with ``cv=None``,
``smoothing=0`` and the same start (majority vote shares) and number of iterations, EM's
posterior must be crowd-kit's ``DawidSkene.probas_``. Tolerance 1e-8: both floor probabilities
at 1e-10, crowd-kit only the confusion cells an annotator used, labelwise every cell (an
unused cell adds 1e-10 to a row's total), which moves posteriors by about 1e-10.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier

from labelwise.aggregate import DawidSkene as LabelwiseDawidSkene
from labelwise.robust import CrowdClassifier

from ._crowd_data import simulated_crowd

crowdkit = pytest.importorskip("crowdkit.aggregation")


def _dummy_fit(X, answers, n_iter, **params):
    model = CrowdClassifier(
        DummyClassifier(strategy="prior"), cv=None, smoothing=0.0, max_iter=n_iter, tol=0.0, **params
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tol=0: runs exactly n_iter iterations, "did not converge"
        return model.fit(X, answers)


class TestCrowdKitDawidSkene:
    @pytest.mark.parametrize("n_iter", [1, 4, 15])
    @pytest.mark.parametrize("seed", [0, 1])
    def test_posterior_equals_crowdkit_dawid_skene(self, n_iter, seed):
        """Same start, same iterations: the soft labels equal crowd-kit's DawidSkene posterior (1e-8)."""
        X, _, answers = simulated_crowd(150, k=3, seed=seed, per_row=3)
        ours = _dummy_fit(X, answers, n_iter)
        peer = crowdkit.DawidSkene(n_iter=n_iter, tol=-np.inf).fit(
            answers.rename(columns={"item": "task", "annotator": "worker"})
        )
        theirs = peer.probas_.sort_index()[list(ours.classes_)].to_numpy()
        np.testing.assert_allclose(ours.posterior_, theirs, atol=1e-8)

    def test_confusions_equal_crowdkit_errors(self):
        """The confusion matrices equal crowd-kit's errors_ (given x true per annotator, 1e-8)."""
        X, _, answers = simulated_crowd(150, k=3, seed=2, per_row=3)
        n_iter = 10
        ours = _dummy_fit(X, answers, n_iter)
        peer = crowdkit.DawidSkene(n_iter=n_iter, tol=-np.inf).fit(
            answers.rename(columns={"item": "task", "annotator": "worker"})
        )
        for j, annotator in enumerate(ours.annotators_):
            errors = peer.errors_.loc[annotator].reindex(index=ours.classes_, columns=ours.classes_, fill_value=0.0)
            np.testing.assert_allclose(ours.confusions_[j].T, errors.to_numpy(), atol=1e-8)


class TestLabelwiseDawidSkene:
    def test_posterior_equals_labelwise_dawid_skene_with_the_same_pseudo_counts(self):
        """With smoothing=1 the MAP fit equals labelwise's own DawidSkene (no dependency check), 1e-8."""
        X, _, answers = simulated_crowd(150, k=3, seed=3, per_row=2)
        model = CrowdClassifier(DummyClassifier(strategy="prior"), cv=None, smoothing=1.0, max_iter=25, tol=0.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = model.fit(X, answers)
            ds = LabelwiseDawidSkene(smoothing=1.0, dependency_threshold=None, max_iter=25, tol=0.0).fit(answers)
        np.testing.assert_allclose(ours.posterior_, ds.probas_.sort_index().to_numpy(), atol=1e-8)
        np.testing.assert_allclose(ours.confusions_, ds.annotator_confusion_, atol=1e-8)
