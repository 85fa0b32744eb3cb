"""F1 / precision / recall per slice on more than two classes: macro-averaged and named so
(scikit-learn's ``average='binary'`` default raised), or the average the metric's name asks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score, precision_score, recall_score

from labelwise.evaluate import slice_scores
from labelwise.evaluate._confusion_metrics import batch_metric

SK = {"f1": f1_score, "precision": precision_score, "recall": recall_score}


def _data(k, n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    pred = np.where(rng.random(n) < 0.7, y, rng.integers(0, k, n))
    return y, pred, {"first_half": np.arange(n) < n // 2, "odd": np.arange(n) % 2 == 1}


@pytest.mark.parametrize("metric", ["f1", "precision", "recall"])
def test_three_classes_are_macro_averaged_and_the_column_says_so(metric):
    y, pred, slices = _data(3)
    table = slice_scores(y, pred, slices, metrics=[metric], n_bootstrap=20).table
    assert f"{metric}_macro" in table and metric not in table
    for name, mask in [("overall", np.ones(len(y), bool)), *slices.items()]:
        expected = SK[metric](y[mask], pred[mask], average="macro")
        assert table.loc[name, f"{metric}_macro"] == pytest.approx(expected, abs=1e-12)


def test_two_classes_with_one_stay_binary_and_two_text_classes_are_macro():
    y, pred, slices = _data(2)
    binary = slice_scores(y, pred, slices, metrics=["f1"], n_bootstrap=0).table
    assert binary.loc["overall", "f1"] == pytest.approx(f1_score(y, pred))
    text = slice_scores(np.array(["a", "b"])[y], np.array(["a", "b"])[pred], slices, metrics=["f1"], n_bootstrap=0)
    assert text.table.loc["overall", "f1_macro"] == pytest.approx(f1_score(y, pred, average="macro"))


@pytest.mark.parametrize("average", ["micro", "weighted", "macro"])
def test_a_named_average_is_scikit_learns(average):
    y, pred, slices = _data(4, seed=1)
    table = slice_scores(y, pred, slices, metrics=[f"f1_{average}"], n_bootstrap=10).table
    mask = slices["odd"]
    assert table.loc["odd", f"f1_{average}"] == pytest.approx(f1_score(y[mask], pred[mask], average=average))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda k: st.tuples(
            st.just(k), st.lists(st.lists(st.integers(0, 4), min_size=k * k, max_size=k * k), min_size=1, max_size=4)
        )
    )
)
def test_batched_macro_metrics_match_scikit_learn_on_every_resample(case):
    """Resamples where a class is absent from the true labels, the predictions or both included."""
    k, rows = case
    counts = np.asarray(rows)
    counts = counts[counts.sum(axis=1) > 0]
    if len(counts) == 0:
        return
    classes = np.arange(k)
    for name, fn in SK.items():
        got = batch_metric(f"{name}_macro", classes)(counts)
        for row, value in zip(counts, got, strict=True):
            cells = np.repeat(np.arange(k * k), row)
            expected = fn(cells // k, cells % k, average="macro", zero_division=0)
            assert value == pytest.approx(expected, abs=1e-12)
