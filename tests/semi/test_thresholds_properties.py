"""Row order and class names for the adaptive threshold rules that tests/semi/test_invariants.py
leaves out: LLKD's thresholds (and their momentum update), Curriculum Labeling's cut-off, the
normalized entropy, and the row order of FlexMatch, FreeMatch and SoftMatch.

Each is a function of per-class or pool-wide averages, so permuting the rows changes nothing but
the order of per-row outputs (the averages to rounding: sums in another order), and renaming the
classes permutes the per-class outputs.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.semi import (
    curriculum_threshold,
    flexmatch_thresholds,
    freematch_thresholds,
    llkd_thresholds,
    normalized_entropy,
    softmatch_weights,
)

SETTINGS = settings(max_examples=30, deadline=None)
TOL = {"rtol": 1e-12, "atol": 1e-12}
cases = st.fixed_dictionaries({"n": st.integers(1, 60), "k": st.integers(2, 5), "seed": st.integers(0, 2**32 - 1)})


def draw(case):
    """Probabilities on a coarse grid (ties), their confidences and predictions, a row
    permutation and a class bijection ``sigma`` (old class c is new class sigma[c])."""
    rng = np.random.default_rng(case["seed"])
    probs = rng.integers(1, 4, (case["n"], case["k"])).astype(float)
    probs /= probs.sum(axis=1, keepdims=True)
    return probs, rng.permutation(case["n"]), rng.permutation(case["k"])


def rename_columns(probs: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    out = np.empty_like(probs)
    out[:, sigma] = probs
    return out


@given(case=cases, momentum=st.sampled_from([0.0, 0.5, 0.9]))
@SETTINGS
def test_llkd_thresholds_follow_rows_and_class_names_over_two_rounds(case, momentum):
    """LLKD's levels do not depend on the row order, and renaming the classes permutes its
    per-class levels and thresholds, in the first round and in a momentum update."""
    probs, perm, sigma = draw(case)
    signal, pred, k = probs.max(axis=1), probs.argmax(axis=1), case["k"]
    first = llkd_thresholds(signal, pred, k)
    second = llkd_thresholds(signal[::-1] ** 2, pred[::-1], k, previous=first, momentum=momentum)
    p_first = llkd_thresholds(signal[perm], pred[perm], k)
    p_second = llkd_thresholds((signal[::-1] ** 2)[perm], pred[::-1][perm], k, previous=p_first, momentum=momentum)
    r_first = llkd_thresholds(signal, sigma[pred], k)
    r_second = llkd_thresholds(signal[::-1] ** 2, sigma[pred[::-1]], k, previous=r_first, momentum=momentum)
    for a, p, r in ((first, p_first, r_first), (second, p_second, r_second)):
        np.testing.assert_allclose(p.global_level, a.global_level, **TOL)
        np.testing.assert_allclose(p.class_level, a.class_level, **TOL)
        np.testing.assert_allclose(p.thresholds, a.thresholds, **TOL)
        np.testing.assert_allclose(r.global_level, a.global_level, **TOL)
        np.testing.assert_allclose(r.class_level[sigma], a.class_level, **TOL)
        np.testing.assert_allclose(r.thresholds[sigma], a.thresholds, **TOL)


@given(case=cases, round_=st.integers(0, 12), step=st.sampled_from([5.0, 20.0, 33.3]))
@SETTINGS
def test_curriculum_threshold_does_not_depend_on_the_row_order(case, round_, step):
    """The round's cut-off is a percentile of the pool: the same for any order of the rows."""
    probs, perm, _ = draw(case)
    conf = probs.max(axis=1)
    assert curriculum_threshold(conf[perm], round_, step) == curriculum_threshold(conf, round_, step)


@given(case=cases)
@SETTINGS
def test_normalized_entropy_follows_rows_and_ignores_column_order(case):
    """Each row's normalized entropy moves with the row and does not depend on its columns' order."""
    probs, perm, sigma = draw(case)
    entropy = normalized_entropy(probs)
    np.testing.assert_array_equal(normalized_entropy(probs[perm]), entropy[perm])
    np.testing.assert_allclose(normalized_entropy(rename_columns(probs, sigma)), entropy, **TOL)
    assert ((entropy >= 0) & (entropy <= 1 + 1e-12)).all()


@given(case=cases)
@SETTINGS
def test_pool_rules_do_not_depend_on_the_row_order(case):
    """FlexMatch's and FreeMatch's thresholds and SoftMatch's mean and variance are the same for any
    order of the rows; SoftMatch's per-row weights follow the rows."""
    probs, perm, _ = draw(case)
    conf, pred, k = probs.max(axis=1), probs.argmax(axis=1), case["k"]
    for warmup in (True, False):
        np.testing.assert_allclose(
            flexmatch_thresholds(conf[perm], pred[perm], k, warmup=warmup),
            flexmatch_thresholds(conf, pred, k, warmup=warmup),
            **TOL,
        )
    a, b = freematch_thresholds(probs), freematch_thresholds(probs[perm])
    np.testing.assert_allclose(b.global_level, a.global_level, **TOL)
    np.testing.assert_allclose(b.class_level, a.class_level, **TOL)
    np.testing.assert_allclose(b.thresholds, a.thresholds, **TOL)
    a, b = softmatch_weights(probs), softmatch_weights(probs[perm])
    np.testing.assert_allclose([b.mean, b.variance], [a.mean, a.variance], **TOL)
    np.testing.assert_allclose(b.weights, a.weights[perm], **TOL)
