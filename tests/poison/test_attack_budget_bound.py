"""An attack whose budget flips more than (K-1)/K of the labels says so (the noise matrices' bound)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from labelwise import poison
from labelwise.errors import LabelwiseWarning


def _binary() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = np.repeat(["neg", "pos"], 30)
    return rng.normal(size=(60, 2)) + 2.0 * (y == "pos")[:, None], y


@pytest.mark.parametrize(
    ("attack", "name"),
    [
        ("random_flips", "random"),
        ("farthest_first", "farthest"),
        ("topk_sv", "topk_sv"),
        ("alfa", "alfa"),
        ("lfa", "lfa"),
    ],
)
def test_a_binary_budget_above_half_warns_that_the_classes_come_out_swapped(attack, name):
    """Flipping 36 of 60 binary labels warns, naming the attack, the counts and the swap; the flips are made."""
    X, y = _binary()
    with pytest.warns(
        LabelwiseWarning, match=rf"the '{name}' attack's budget flips 36 of 60 labels.*two classes swapped"
    ):
        out = getattr(poison, attack)(X, y, 0.6, random_state=0)
    assert out.n_flipped == 36


@pytest.mark.parametrize("budget", [0.0, 0.25, 0.5, 30])
def test_a_budget_up_to_half_says_nothing(budget):
    """Budgets 0, a quarter, exactly half (and the count 30 of 60) raise no warning; budget 0 flips nothing."""
    X, y = _binary()
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelwiseWarning)
        out = poison.farthest_first(X, y, budget, random_state=0)
    if budget == 0.0:
        assert out.n_flipped == 0
        np.testing.assert_array_equal(out.labels, y)


def test_three_classes_warn_only_above_two_thirds():
    """For K=3 the bound is 2/3: 0.6 is quiet, 0.7 warns with the bound written."""
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], 20)
    X = rng.normal(size=(60, 2)) + 3.0 * y[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelwiseWarning)
        poison.random_flips(X, y, 0.6, random_state=0)
    with pytest.warns(LabelwiseWarning, match=r"42 of 60 labels.*\(K-1\)/K = 0\.6667"):
        poison.random_flips(X, y, 0.7, random_state=0)
