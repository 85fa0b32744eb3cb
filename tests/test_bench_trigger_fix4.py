"""``benchmarks/dev_weak_trigger_fix4.py``'s pooled-weight prior (trig2): without it the script's fit is the default
label model's, with it the wrapped step is put back after the fit and a recorded seen set moves; the prior's mean is a
distribution per group and class, and its type-II estimate is the evidence's maximum."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
fix4 = importlib.import_module("dev_weak_trigger_fix4")


def test_without_the_prior_the_scripts_fit_is_the_default_label_models():
    """``rounds=None`` fits ``LabelModel()`` unchanged (``_dev_weak_judge.fits_with_switch``'s plain fit)."""
    from _dev_weak_judge import fits_with_switch

    from labelwise.weak import label_model

    matrix, _, _ = fix4.shared_trigger_set(397, 3)
    held = label_model.checked_run
    default = fits_with_switch(label_model, "checked_run", matrix, values=(held,), labels=[0, 1, 2])[held].labels
    np.testing.assert_array_equal(fix4.fit_labels(matrix, 3, None), default.astype(int))


def test_the_prior_moves_its_recorded_seen_set_and_the_wrapped_step_is_put_back():
    """Seen set 397 K=3 rises above majority vote with the prior (docstring), and ``checked_run`` is restored."""
    from labelwise.weak import _fit_tail, label_model

    matrix, y, _ = fix4.shared_trigger_set(397, 3)
    main = fix4.accuracy(fix4.fit_labels(matrix, 3, None), matrix, y)
    cand = fix4.accuracy(fix4.fit_labels(matrix, 3, 1), matrix, y)
    assert label_model.checked_run is _fit_tail.checked_run
    mv = fix4.accuracy(fix4.bench_majority(matrix), matrix, y)
    assert main < mv - 0.005 < mv <= cand


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 3), min_size=1, max_size=4),
    k=st.integers(2, 3),
    theta=st.floats(-3.0, 5.0),
    seed=st.integers(0, 2**16),
)
def test_the_prior_mean_is_a_distribution_per_group_and_class(sizes, k, theta, seed):
    """Every group's prior mean sums to 1 under every class, whatever the weight and the outcome shares."""
    groups, j = [], 0
    for size in sizes:
        groups.append(list(range(j, j + size)))
        j += size
    features = fix4.outcome_features(groups, k)
    starts = np.cumsum([0] + [(k + 1) ** len(g) for g in groups])[:-1]
    raw = np.random.default_rng(seed).random(features.shape[0])
    shares = raw / np.repeat(np.add.reduceat(raw, starts), np.diff(np.append(starts, len(raw))))
    mean = fix4.prior_mean(shares, features, starts, np.array([theta]))
    np.testing.assert_allclose(np.add.reduceat(mean, starts, axis=0), 1.0, rtol=1e-9)


def test_the_type2_estimate_is_the_evidences_maximum():
    """On a seen set's posterior counts, no point of a grid of weights and strengths has a higher evidence."""
    from labelwise.weak._posterior import _mass, _outcome_counts, voted_outcomes

    matrix, y, _ = fix4.shared_trigger_set(202, 2)
    voted = matrix[(matrix >= 0).any(axis=1)]
    groups = [[j] for j in range(matrix.shape[1])]
    outcomes = voted_outcomes(voted, 2, groups)[0]
    post = np.eye(2)[y[(matrix >= 0).any(axis=1)]] * 0.8 + 0.1
    counts = _outcome_counts(outcomes, post, _mass(outcomes, post))
    features = fix4.outcome_features(groups, 2)
    starts = np.asarray(outcomes.starts)
    weights, strength = fix4.type2_estimate(counts, features, starts)
    shares = fix4._group_shares(counts, starts)
    best = fix4._evidence(counts, fix4.prior_mean(shares, features, starts, weights), strength, starts)
    for theta in np.linspace(-1.0, 4.0, 11):
        for s in np.geomspace(0.1, 1e5, 13):
            other = fix4._evidence(counts, fix4.prior_mean(shares, features, starts, np.array([theta])), s, starts)
            assert other <= best + 1e-6
