"""The batched confusion-matrix metrics of the per-slice bootstrap equal scikit-learn's on the same rows."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm

from labelwise.evaluate._confusion_metrics import batch_metric

NAMES = ["accuracy", "balanced_accuracy", "f1", "precision", "recall", "matthews_corrcoef"]


def _sklearn(name: str, counts: np.ndarray, classes: np.ndarray) -> float:
    k = len(classes)
    keep = np.flatnonzero(counts)
    fn = getattr(skm, name if hasattr(skm, name) and name == "matthews_corrcoef" else f"{name}_score")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(fn(classes[keep // k], classes[keep % k], sample_weight=counts[keep]))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("k", [2, 3])
def test_batched_metric_equals_sklearn(name, k):
    """On random confusion counts, sparse ones (classes absent, no predicted positive) included."""
    classes = np.arange(k)
    batched = batch_metric(name, classes)
    if batched is None:
        assert name in ("f1", "precision", "recall") and k != 2  # binary metrics need two classes
        return
    rng = np.random.default_rng(k)
    counts = rng.integers(0, 6, size=(60, k * k)) * (rng.random((60, k * k)) < 0.6)
    counts[counts.sum(axis=1) == 0, 0] = 1
    got = batched(counts)
    expected = [_sklearn(name, row, classes) for row in counts]
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_unknown_or_non_binary_metric_is_not_batched():
    """A metric not computed here, or binary F1 without the class 1, falls back to scikit-learn."""
    assert batch_metric("cohen_kappa", np.arange(2)) is None
    assert batch_metric("f1", np.array(["ham", "spam"])) is None
    assert batch_metric("f1_score", np.arange(2)) is not None
