"""Jaccard (binary, macro, micro, weighted) and the micro / weighted F1, precision and recall in the
per-slice bootstrap's batched metrics: each resample's value equals scikit-learn's on that resample."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm

from labelwise.evaluate import slice_scores
from labelwise.evaluate._confusion_metrics import batch_metric


def _resamples(counts: np.ndarray, n_bootstrap: int, seed: int) -> np.ndarray:
    """Multinomial resamples of the confusion ``counts``, drawn as the slice bootstrap draws them."""
    rng = np.random.default_rng(seed)
    n, cells = int(counts.sum()), np.flatnonzero(counts)
    full = np.zeros((n_bootstrap, len(counts)), dtype=np.int64)
    full[:, cells] = rng.multinomial(n, counts[cells] / n, size=n_bootstrap)
    return full


def _on_rows(fn, counts: np.ndarray, classes: np.ndarray, **kw) -> float:
    """scikit-learn's metric on the rows the counts stand for (each (true, pred) cell repeated)."""
    k = len(classes)
    cells = np.arange(k * k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(fn(np.repeat(classes[cells // k], counts), np.repeat(classes[cells % k], counts), **kw))


@pytest.mark.parametrize("k", [3, 5])
def test_jaccard_macro_of_each_bootstrap_replicate_equals_jaccard_score(k):
    """batch_metric('jaccard_macro') was None (each resample called jaccard_score); now every replicate's
    value equals jaccard_score(average='macro'), sparse replicates (a class absent) included."""
    rng = np.random.default_rng(k)
    counts = rng.integers(0, 9, k * k) * (rng.random(k * k) < 0.5)
    counts[0] += 1
    counts[[i * (k + 1) for i in range(k)]] += 3  # a usable classifier: some mass on the diagonal
    classes = np.array([f"c{i}" for i in range(k)])
    batched = batch_metric("jaccard_macro", classes)
    assert batched is not None
    replicates = _resamples(counts, 60, seed=k)
    expected = [_on_rows(skm.jaccard_score, row, classes, average="macro") for row in replicates]
    np.testing.assert_allclose(batched(replicates), expected, atol=1e-12)


@pytest.mark.parametrize("base", ["f1", "precision", "recall", "jaccard"])
@pytest.mark.parametrize("average", ["micro", "weighted"])
def test_micro_and_weighted_averages_of_each_replicate_equal_scikit_learn(base, average):
    """The other named averages were per-resample scikit-learn calls too; they equal them, replicate by replicate."""
    k, rng = 4, np.random.default_rng(7)
    counts = rng.integers(0, 6, k * k) * (rng.random(k * k) < 0.6)
    counts[0] += 1
    classes = np.arange(k)
    batched = batch_metric(f"{base}_{average}", classes)
    assert batched is not None
    replicates = _resamples(counts, 40, seed=1)
    fn = getattr(skm, f"{base}_score")
    expected = [_on_rows(fn, row, classes, average=average) for row in replicates]
    np.testing.assert_allclose(batched(replicates), expected, atol=1e-12)


def test_binary_jaccard_of_each_replicate_equals_jaccard_score():
    """Binary Jaccard (pos_label=1) on classes 0/1, and 1/2 where class 1 is the first code."""
    rng = np.random.default_rng(3)
    for classes in (np.array([0, 1]), np.array([1, 2])):
        counts = rng.integers(0, 12, 4)
        counts[0] += 1
        batched = batch_metric("jaccard_score", classes)
        assert batched is not None
        replicates = _resamples(counts, 40, seed=2)
        expected = [_on_rows(skm.jaccard_score, row, classes) for row in replicates]
        np.testing.assert_allclose(batched(replicates), expected, atol=1e-12)


def test_slice_scores_bootstraps_jaccard_macro_without_a_call_per_resample(monkeypatch):
    """slice_scores called jaccard_score once per resample and slice (the slow path); now once per slice for
    the value, and its interval is still the percentile interval of jaccard_score over the resamples its
    seed draws (the overall row: stream [seed, 0])."""
    calls = []
    original = skm.jaccard_score

    @functools.wraps(original)
    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(skm, "jaccard_score", counted)
    rng = np.random.default_rng(0)
    n, classes = 400, np.array(["a", "b", "c"])
    y = classes[rng.integers(0, 3, n)]
    p = np.where(rng.random(n) < 0.7, y, classes[rng.integers(0, 3, n)])
    res = slice_scores(y, p, {"half": np.arange(n) < n // 2}, metrics=["jaccard"], n_bootstrap=100, random_state=5)
    assert len(calls) == 2  # the value of the overall row and of the slice
    row = res.table.loc["overall"]
    pair = pd.Index(classes).get_indexer(y) * 3 + pd.Index(classes).get_indexer(p)
    replicates = _resamples(np.bincount(pair, minlength=9), 100, seed=[5, 0])  # type: ignore[arg-type]
    values = [_on_rows(original, r, classes, average="macro") for r in replicates]
    np.testing.assert_allclose(
        [row["jaccard_macro_low"], row["jaccard_macro_high"]], np.quantile(values, [0.025, 0.975]), atol=1e-12
    )
    assert row["jaccard_macro"] == pytest.approx(original(y, p, average="macro"))
