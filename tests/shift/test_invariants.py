"""Invariants of the label-shift estimators: row permutation, class renaming, determinism.

Renaming is a random bijection sigma of the classes (labels -> sigma[labels], probability column c
-> column sigma[c]); the probabilities are continuous, so argmax predictions (BBSE, RLLS) do not
tie.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.shift import METHODS, PriorShiftAdjuster, estimate_priors, familiarity

SETTINGS = settings(max_examples=8, deadline=None)


def _problem(seed: int, k: int):
    rng = np.random.default_rng(seed)
    vp = rng.dirichlet(np.ones(k) * 0.5, 120)
    yv = np.array([rng.choice(k, p=p) for p in vp])
    tp = rng.dirichlet(np.ones(k) * 0.5, 90)
    return rng, vp, yv, tp


@SETTINGS
@given(seed=st.integers(0, 1000), k=st.integers(2, 4), method=st.sampled_from(list(METHODS)))
def test_permuting_validation_and_target_rows_keeps_the_priors(seed, k, method):
    """Permuting the validation rows (probabilities and labels together) and the target rows
    gives the same source priors (to 1e-12) and target priors (to 1e-7): the estimators are sums
    over rows, whose order only changes floating-point rounding, and iterative fits."""
    rng, vp, yv, tp = _problem(seed, k)
    pv, pt = rng.permutation(len(yv)), rng.permutation(len(tp))
    a = estimate_priors(vp, yv, tp, method=method)
    b = estimate_priors(vp[pv], yv[pv], tp[pt], method=method)
    np.testing.assert_allclose(a.source_priors, b.source_priors, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.priors, b.priors, atol=1e-7)


@SETTINGS
@given(seed=st.integers(0, 1000), k=st.integers(2, 4), method=st.sampled_from(list(METHODS)))
def test_renaming_classes_renames_the_priors(seed, k, method):
    """A bijection of the classes renames the source and target priors and the weights
    (``priors'[sigma[c]] = priors[c]``, to 1e-7)."""
    rng, vp, yv, tp = _problem(seed, k)
    sigma = rng.permutation(k)
    while (sigma == np.arange(k)).all():  # a renaming that renames (k=2: half the draws did not)
        sigma = rng.permutation(k)
    inverse = np.argsort(sigma)
    a = estimate_priors(vp, yv, tp, method=method, classes=np.arange(k))
    b = estimate_priors(vp[:, inverse], sigma[yv], tp[:, inverse], method=method, classes=np.arange(k))
    np.testing.assert_allclose(b.source_priors[sigma], a.source_priors)
    np.testing.assert_allclose(b.priors[sigma], a.priors, atol=1e-7)
    np.testing.assert_allclose(b.weights[sigma], a.weights, atol=1e-6)


@SETTINGS
@given(seed=st.integers(0, 1000), method=st.sampled_from(list(METHODS)))
def test_same_random_state_same_bootstrap_interval(seed, method):
    """Two calls with the same ``random_state`` give bit-identical priors and bootstrap bounds."""
    _, vp, yv, tp = _problem(seed, 3)
    a = estimate_priors(vp, yv, tp, method=method, n_boot=5, random_state=seed)
    b = estimate_priors(vp, yv, tp, method=method, n_boot=5, random_state=seed)
    np.testing.assert_array_equal(a.priors, b.priors)
    np.testing.assert_array_equal(a.ci_low, b.ci_low)
    np.testing.assert_array_equal(a.ci_high, b.ci_high)


WORDS = ["person", "location", "town", "city", "organization", "date", "money", "event"]


@settings(max_examples=15, deadline=None)
@given(
    train=st.lists(st.sampled_from(WORDS), min_size=1, max_size=12),
    evaluation=st.lists(st.sampled_from(WORDS), min_size=1, max_size=6, unique=True),
    seed=st.integers(0, 1000),
)
def test_familiarity_does_not_depend_on_the_order_of_the_labels(train, evaluation, seed):
    """Permuting the training labels (a multiset: only counts matter) and the evaluation labels
    gives the same nearest training label, also when several training labels are equally similar
    (the nearest is then the most frequent, then the first by name), and the same score and
    per-label familiarity to 1e-12 (the embedding and the mean sum in another order)."""
    rng = np.random.default_rng(seed)
    a = familiarity(train, evaluation, k=3)
    b = familiarity(list(rng.permutation(train)), list(rng.permutation(evaluation)), k=3)
    np.testing.assert_allclose(b.score, a.score, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.per_label[a.per_label.index].to_numpy(), a.per_label.to_numpy(), rtol=0, atol=1e-12)
    assert (b.nearest[a.nearest.index] == a.nearest).all()


class _GivenProbs:
    """A fitted "model" whose features are its probabilities, columns in the order of ``classes_``."""

    def __init__(self, classes: np.ndarray, columns: np.ndarray) -> None:
        self.classes_ = classes
        self.columns = columns

    def fit(self, X: np.ndarray, y: np.ndarray) -> _GivenProbs:  # already "fitted"
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X)[:, self.columns]


@SETTINGS
@given(seed=st.integers(0, 1000), k=st.integers(2, 4), method=st.sampled_from(list(METHODS)))
def test_adjuster_follows_permuted_rows(seed, k, method):
    """PriorShiftAdjuster fitted on permuted validation rows and adapted to permuted target rows
    estimates the same priors and gives the same adapted posteriors (to 1e-7) and predictions."""
    rng, vp, yv, tp = _problem(seed, k)
    pv, pt = rng.permutation(len(yv)), rng.permutation(len(tp))
    model = _GivenProbs(np.arange(k), np.arange(k))
    a = PriorShiftAdjuster(model, method=method).fit(vp, yv).adapt(tp)
    b = PriorShiftAdjuster(model, method=method).fit(vp[pv], yv[pv]).adapt(tp[pt])
    np.testing.assert_allclose(b.priors_, a.priors_, atol=1e-7)
    np.testing.assert_allclose(b.predict_proba(tp), a.predict_proba(tp), atol=1e-7)
    p = a.predict_proba(tp)
    top2 = np.sort(p, axis=1)[:, -2:]
    away = top2[:, 1] - top2[:, 0] > 1e-6
    np.testing.assert_array_equal(b.predict(tp)[away], a.predict(tp)[away])


@SETTINGS
@given(seed=st.integers(0, 1000), k=st.integers(2, 4), method=st.sampled_from(list(METHODS)))
def test_adjuster_renames_its_predictions(seed, k, method):
    """Renaming the classes to strings whose sorted order is another (the model's columns follow
    its sorted ``classes_``, as scikit-learn's do) renames the priors, the adapted posteriors'
    columns (to 1e-6) and the predictions."""
    rng, vp, yv, tp = _problem(seed, k)
    names = np.array(["d", "b", "c", "a"][:k])
    order = np.argsort(names)
    a = PriorShiftAdjuster(_GivenProbs(np.arange(k), np.arange(k)), method=method).fit(vp, yv).adapt(tp)
    b = PriorShiftAdjuster(_GivenProbs(names[order], order), method=method).fit(vp, names[yv]).adapt(tp)
    np.testing.assert_allclose(b.priors_, a.priors_[order], atol=1e-7)
    np.testing.assert_allclose(b.predict_proba(tp), a.predict_proba(tp)[:, order], atol=1e-6)
    p = a.predict_proba(tp)
    top2 = np.sort(p, axis=1)[:, -2:]
    away = top2[:, 1] - top2[:, 0] > 1e-5
    np.testing.assert_array_equal(b.predict(tp)[away], names[a.predict(tp)][away])


@SETTINGS
@given(
    seed=st.integers(0, 1000),
    method=st.sampled_from(list(METHODS)),
    val_order=st.permutations(range(3)),
    target_order=st.permutations(range(3)),
)
def test_class_named_frames_in_any_column_order_give_the_array_priors(seed, method, val_order, target_order):
    """Probability DataFrames whose columns name the classes (names whose sorted order is not the
    columns' order), each table's columns in any order, with text labels: the priors of each class
    are those of the plain arrays with ``classes`` given, listed in the validation table's column
    order: source priors to 1e-12 (label counts), target priors to 1e-7 as in the renaming test
    (reordered columns change only the rounding of row sums, and the iterative fits stop at a
    tolerance)."""
    import pandas as pd

    _, vp, yv, tp = _problem(seed, 3)
    names = np.array(["dog", "cat", "fox"], dtype=object)
    ref = estimate_priors(vp, names[yv], tp, method=method, classes=names, random_state=0)
    v, t = list(val_order), list(target_order)
    got = estimate_priors(
        pd.DataFrame(vp[:, v], columns=names[v]),
        names[yv],
        pd.DataFrame(tp[:, t], columns=names[t]),
        method=method,
        random_state=0,
    )
    assert got.classes.tolist() == names[v].tolist()
    np.testing.assert_allclose(got.priors, ref.priors[v], rtol=0, atol=1e-7)
    np.testing.assert_allclose(got.source_priors, ref.source_priors[v], rtol=0, atol=1e-12)
