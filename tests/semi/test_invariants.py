"""Invariants of the pseudo-label selection rules on tied confidences: row permutation and class
renaming (a random bijection of the class codes)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.semi import (
    flexmatch_thresholds,
    freematch_thresholds,
    select_class_balanced,
    select_k_best,
    select_threshold,
    softmatch_weights,
)

SETTINGS = settings(max_examples=25, deadline=None)
cases = st.fixed_dictionaries(
    {"n": st.integers(1, 60), "k": st.integers(2, 4), "seed": st.integers(0, 10_000), "best": st.integers(1, 20)}
)


def _tied(case):
    """Confidences on a grid of tenths (ties), predicted codes, a row permutation and a renaming."""
    rng = np.random.default_rng(case["seed"])
    conf = rng.integers(5, 11, case["n"]) / 10
    pred = rng.integers(0, case["k"], case["n"])
    return conf, pred, rng.permutation(case["n"]), rng.permutation(case["k"])


@SETTINGS
@given(case=cases, threshold=st.sampled_from([0.5, 0.7, 0.9]))
def test_selections_follow_a_permutation_of_the_rows(case, threshold):
    """``select_threshold`` is per row, so permuting the rows permutes its mask. ``select_k_best``
    and ``select_class_balanced`` break ties by position (documented): they admit the same number
    of candidates, with the same confidences (per predicted class for the class-balanced rule),
    and exactly the permuted mask when no confidence ties at the cut."""
    conf, pred, perm, _ = _tied(case)
    k, n_classes = case["best"], case["k"]
    np.testing.assert_array_equal(select_threshold(conf[perm], threshold), select_threshold(conf, threshold)[perm])
    a, b = select_k_best(conf, k), select_k_best(conf[perm], k)
    np.testing.assert_array_equal(np.sort(conf[perm][b]), np.sort(conf[a]))
    a = select_class_balanced(conf, pred, n_classes, k)
    b = select_class_balanced(conf[perm], pred[perm], n_classes, k)
    for c in range(n_classes):
        np.testing.assert_array_equal(np.sort(conf[perm][b & (pred[perm] == c)]), np.sort(conf[a & (pred == c)]))
    if len(np.unique(conf)) == len(conf):
        np.testing.assert_array_equal(b, a[perm])


@SETTINGS
@given(case=cases)
def test_renaming_classes_renames_the_per_class_rules(case):
    """Renaming the class codes by a bijection sigma leaves the class-balanced mask unchanged and
    permutes FlexMatch's per-class thresholds (``t'[sigma[c]] = t[c]``); FreeMatch's and
    SoftMatch's outputs follow the renamed probability columns."""
    conf, pred, _, sigma = _tied(case)
    n_classes = case["k"]
    np.testing.assert_array_equal(
        select_class_balanced(conf, sigma[pred], n_classes, case["best"]),
        select_class_balanced(conf, pred, n_classes, case["best"]),
    )
    for warmup in (True, False):
        a = flexmatch_thresholds(conf, pred, n_classes, warmup=warmup)
        b = flexmatch_thresholds(conf, sigma[pred], n_classes, warmup=warmup)
        np.testing.assert_array_equal(b[sigma], a)
    rng = np.random.default_rng(case["seed"])
    probs = rng.integers(1, 4, (case["n"], n_classes)).astype(float)
    probs /= probs.sum(axis=1, keepdims=True)
    renamed = np.empty_like(probs)
    renamed[:, sigma] = probs
    free_a, free_b = freematch_thresholds(probs), freematch_thresholds(renamed)
    np.testing.assert_allclose(free_b.class_level[sigma], free_a.class_level, rtol=0, atol=1e-12)
    np.testing.assert_allclose(free_b.thresholds[sigma], free_a.thresholds, rtol=0, atol=1e-12)
    np.testing.assert_allclose(softmatch_weights(renamed).weights, softmatch_weights(probs).weights, atol=1e-12)
