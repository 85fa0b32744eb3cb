"""``corrected_benchmark``'s crossovers do not depend on the order the models are given in: a pair
tied on the corrected labels took the first listed as ``model_a`` (props38)."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from labelwise.evaluate import corrected_benchmark


def _by_pair(frame):
    """The crossover rows keyed by the (unordered) pair of models, in the pairs' sorted order."""
    pair = [tuple(sorted(p)) for p in zip(frame.model_a, frame.model_b, strict=True)]
    return frame.assign(pair=pair).sort_values("pair").reset_index(drop=True)


def _case(seed: int, n: int, n_models: int):
    """Small test sets (ties between models' accuracies are common) with a fifth relabelled."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n)
    given_labels = truth.copy()
    flip = rng.random(n) < 0.2
    flip[0] = True  # at least one correctable item
    given_labels[flip] = (truth[flip] + 1) % 3
    preds = {f"m{m}": np.where(rng.random(n) < 0.3, rng.integers(0, 3, n), truth) for m in range(n_models)}
    return preds, given_labels, truth, rng.permutation(n_models)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(10, 60), n_models=st.integers(2, 4))
@example(seed=6893, n=10, n_models=2)  # no item of class 0, which m1 predicts (deep seed 7373)
@example(seed=0, n=10, n_models=4)  # m2 and m3 tied at 0.6: share_flipped 1.0 or 0.4 by their order
def test_reordering_the_models_reorders_the_crossover_rows(seed, n, n_models):
    """The models given in another order: the same crossover row for every pair (the same
    ``model_a``, flips, prevalences) and the same table, reordered. The three classes are named:
    a small test set may lack one that a model predicts (refused otherwise, deep seeds 7373, 8484)."""
    preds, given_labels, truth, order = _case(seed, n, n_models)
    names = list(preds)
    a = corrected_benchmark(preds, given_labels, truth, seeds=5, classes=[0, 1, 2])
    b = corrected_benchmark({names[i]: preds[names[i]] for i in order}, given_labels, truth, seeds=5, classes=[0, 1, 2])
    assert _by_pair(a.crossovers).equals(_by_pair(b.crossovers))
    assert a.table.loc[names].equals(b.table.loc[names])


def test_models_tied_on_corrected_labels_are_ordered_by_the_original_labels():
    """Two models equally accurate on the corrected labels: ``model_a`` is the one better on the
    original labels, listed first or second."""
    given_labels = np.array([0, 0, 1, 1, 2, 2, 0, 1])
    corrected = np.array([0, 0, 1, 1, 2, 2, 1, 0])  # the last two relabelled
    fits_given = np.array([0, 0, 1, 1, 2, 2, 0, 1])  # 6/8 on the corrected labels, 8/8 on the original
    fits_fixes = np.array([0, 0, 1, 2, 2, 2, 1, 0])  # 7/8 on the corrected, 5/8 on the original
    other = np.array([0, 0, 1, 1, 0, 0, 1, 0])  # 6/8 on the corrected, 4/8 on the original
    for preds in ({"x": fits_given, "y": other, "z": fits_fixes}, {"y": other, "z": fits_fixes, "x": fits_given}):
        rows = corrected_benchmark(preds, given_labels, corrected, seeds=3).crossovers
        row = rows[(rows.model_a + rows.model_b).isin(["xy", "yx"])].iloc[0]
        assert (row.model_a, row.score_a, row.score_b) == ("x", 0.75, 0.75)
