"""Properties of CrowdClassifier: row order, names of annotators and classes, determinism."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.naive_bayes import GaussianNB

from labelwise.robust import CrowdClassifier

from ._crowd_data import simulated_crowd

SETTINGS = settings(max_examples=5, deadline=None)
crowds = st.builds(
    simulated_crowd,
    n=st.integers(20, 50),
    k=st.integers(2, 4),
    seed=st.integers(0, 10_000),
    per_row=st.integers(1, 3),
)


def _fit(X, answers, **params):
    params = {"estimator": GaussianNB(), "cv": None, "max_iter": 8, "random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CrowdClassifier(**params).fit(X, answers)


class TestCrowdClassifierProperties:
    @SETTINGS
    @given(crowd=crowds, seed=st.integers(0, 2**32 - 1))
    def test_permuting_rows_and_answers_permutes_the_posterior(self, crowd, seed):
        """Rows of X (named by a DataFrame index) and answers in another order: the same soft label per row."""
        X, _, answers = crowd
        rng = np.random.default_rng(seed)
        base = _fit(pd.DataFrame(X), answers)
        order = rng.permutation(len(X))
        shuffled = _fit(pd.DataFrame(X).iloc[order], answers.iloc[rng.permutation(len(answers))])
        np.testing.assert_allclose(shuffled.posterior_, base.posterior_[order], atol=1e-7)

    @SETTINGS
    @given(crowd=crowds, seed=st.integers(0, 2**32 - 1))
    def test_renaming_annotators_and_classes_changes_nothing_but_the_names(self, crowd, seed):
        """Annotators and classes renamed (class order permuted): the same posterior, columns following the names."""
        X, _, answers = crowd
        rng = np.random.default_rng(seed)
        k = int(answers["label"].max()) + 1
        names = np.array([f"c{v}" for v in rng.permutation(k)])  # sorted names order the classes anew
        renamed = answers.assign(label=names[answers["label"]], annotator="w-" + answers["annotator"] + "!")
        base = _fit(X, answers, labels=list(range(k)))
        other = _fit(X, renamed, labels=list(names))
        np.testing.assert_allclose(other.posterior_, base.posterior_, atol=1e-7)
        np.testing.assert_allclose(other.confusions_, base.confusions_, atol=1e-7)

    @SETTINGS
    @given(crowd=crowds, random_state=st.integers(0, 1000))
    def test_a_seeded_out_of_fold_fit_is_deterministic(self, crowd, random_state):
        """Two fits with the same random_state (cv folds) give identical soft labels and confusions."""
        X, _, answers = crowd
        a = _fit(X, answers, cv=2, random_state=random_state)
        b = _fit(X, answers, cv=2, random_state=random_state)
        np.testing.assert_array_equal(a.posterior_, b.posterior_)
        np.testing.assert_array_equal(a.confusions_, b.confusions_)
