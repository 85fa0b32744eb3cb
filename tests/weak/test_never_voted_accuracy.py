"""A labeling function that never voted has no estimated accuracy (NaN), in either label model."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.weak import LABEL_MODELS, analysis


def _matrix():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    cols = [np.where(rng.random(60) < acc, y, 1 - y) for acc in (0.85, 0.75)]
    cols.append(np.where(rng.random(60) < 0.5, y, -1))
    return np.stack(cols, axis=1), y


@pytest.mark.parametrize("name", sorted(LABEL_MODELS))
def test_a_silent_function_has_nan_accuracy(name):
    """An all-abstain column's accuracies_ is NaN; the voting functions' are finite."""
    matrix, _ = _matrix()
    silent = np.column_stack([matrix, np.full(len(matrix), -1)])
    acc = LABEL_MODELS[name]().fit(silent).accuracies_
    assert np.isnan(acc.iloc[-1])
    assert np.isfinite(acc.iloc[:-1]).all()


def test_dawid_skene_keeps_the_other_functions_numbers():
    """Dawid-Skene's accuracies of the functions that voted are those of the fit without the silent one."""
    matrix, _ = _matrix()
    silent = np.column_stack([matrix, np.full(len(matrix), -1)])
    with_silent = LABEL_MODELS["dawid-skene"]().fit(silent).accuracies_.to_numpy()
    without = LABEL_MODELS["dawid-skene"]().fit(matrix).accuracies_.to_numpy()
    np.testing.assert_allclose(with_silent[:-1], without, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", sorted(LABEL_MODELS))
def test_analysis_leaves_the_silent_functions_estimate_empty(name):
    """analysis(): coverage 0, empirical and estimated accuracy both NaN for the silent function."""
    matrix, y = _matrix()
    silent = np.column_stack([matrix, np.full(len(matrix), -1)])
    report = analysis(silent, gold=y, model=LABEL_MODELS[name]().fit(silent))
    last = report.iloc[-1]
    assert last["coverage"] == 0 and np.isnan(last["empirical_accuracy"]) and np.isnan(last["estimated_accuracy"])
    assert report["estimated_accuracy"].iloc[:-1].notna().all()
