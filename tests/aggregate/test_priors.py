"""Tests for the confusion-matrix priors (labelwise.aggregate.priors)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate.priors import agreement_accuracy, diagonal_confusion_prior
from labelwise.errors import InvalidParameterError


def _one_coin_counts(n_items, k, a, per_item, seed):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    right = rng.random((n_items, per_item)) < a
    wrong = (truth[:, None] + rng.integers(1, k, (n_items, per_item))) % k
    answers = np.where(right, truth[:, None], wrong)
    counts = np.zeros((n_items, k))
    np.add.at(counts, (np.repeat(np.arange(n_items), per_item), answers.ravel()), 1)
    return counts


@pytest.mark.parametrize("k, a", [(2, 0.8), (5, 0.6), (20, 0.4)])
def test_agreement_accuracy_recovers_one_coin_accuracy(k, a):
    """On one-coin answers the estimate is within 0.02 of the true accuracy."""
    counts = _one_coin_counts(20000, k, a, 3, seed=k)
    assert agreement_accuracy(counts) == pytest.approx(a, abs=0.02)


def test_agreement_accuracy_is_none_without_pairs():
    """With one answer per item nothing can be estimated."""
    assert agreement_accuracy(np.eye(4)) is None


def test_agreement_accuracy_weights_equal_repeated_rows():
    """Row weights give the same estimate as repeating the rows."""
    counts = _one_coin_counts(300, 4, 0.7, 3, seed=1)
    w = np.arange(1, 301) % 3 + 1
    assert agreement_accuracy(counts, w) == pytest.approx(agreement_accuracy(np.repeat(counts, w, axis=0)))


def test_agreement_at_chance_gives_chance():
    """Agreement no better than chance gives accuracy 1/K."""
    counts = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])
    assert agreement_accuracy(counts) == pytest.approx(1 / 3)


@settings(max_examples=40, deadline=None)
@given(k=st.integers(2, 50), strength=st.floats(0, 100), acc=st.one_of(st.none(), st.floats(0, 1)))
def test_prior_rows_sum_to_strength_and_favour_the_diagonal(k, strength, acc):
    """Each row holds `strength` pseudo-answers and the diagonal is its largest cell."""
    prior = diagonal_confusion_prior(k, strength=strength, accuracy=acc)
    assert prior.shape == (k, k)
    np.testing.assert_allclose(prior.sum(axis=1), strength, rtol=1e-12, atol=1e-12)
    off = prior[~np.eye(k, dtype=bool)]
    if strength > 1e-6:
        assert np.diag(prior).min() > off.max()


def test_prior_zero_strength_is_no_prior():
    """strength=0 adds nothing (the maximum likelihood M-step)."""
    assert not diagonal_confusion_prior(3, strength=0, accuracy=0.7).any()


@pytest.mark.parametrize(
    "kw, param",
    [
        ({"strength": -1, "accuracy": 0.5}, "strength"),
        ({"strength": True, "accuracy": 0.5}, "strength"),
        ({"strength": 1, "accuracy": 1.5}, "accuracy"),
    ],
)
def test_prior_bad_parameters(kw, param):
    """Out-of-range parameters raise InvalidParameterError naming them."""
    with pytest.raises(InvalidParameterError, match=param):
        diagonal_confusion_prior(3, **kw)


def test_prior_rejects_one_class():
    """A prior needs at least two classes."""
    with pytest.raises(InvalidParameterError, match="n_classes"):
        diagonal_confusion_prior(1, strength=1, accuracy=None)
