"""CIFAR-10 test labels with the paper's Mechanical Turk corrections: table and crossovers against a direct loop."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score

import labelwise.evaluate.benchmark as benchmark_module
from labelwise.evaluate import corrected_benchmark
from labelwise.evaluate.prevalence import removal_order


@pytest.fixture(scope="module")
def cifar(shared_data):
    d = shared_data / "label_errors" / "cifar10"
    given = np.load(d / "labels.npy")
    probs = np.load(d / "pred_probs.npy")
    votes = pd.read_csv(d / "mturk_votes.csv")
    corrected = given.astype(object)
    ok = votes[votes["consensus"] == "guessed"]
    corrected[ok["index"].to_numpy()] = ok["cv_pred_label"].to_numpy()
    bad = votes[votes["consensus"].isin(["neither", "non-agreement"])]
    corrected[bad["index"].to_numpy()] = None
    rng = np.random.default_rng(0)
    preds = {"cv": probs.argmax(1), "memoriser": np.where(rng.random(len(given)) < 0.7, given, probs.argmax(1))}
    return preds, given, corrected


@pytest.mark.slow
def test_cifar10_counts_table_and_crossover(cifar):
    """18 correctable and 36 excluded items; the table equals sklearn, the crossover a one-item-at-a-time loop."""
    preds, given, corrected = cifar
    ev = corrected_benchmark(preds, given, corrected, seeds=2, random_state=0)
    assert int(ev.correctable.sum()) == 18 and int((ev.corrected < 0).sum()) == 36
    keep = np.array([c is not None for c in corrected])
    fix = keep & (corrected != given)
    for name, p in preds.items():
        assert ev.table.loc[name, "corrected"] == pytest.approx(accuracy_score(corrected[keep].astype(int), p[keep]))
        assert ev.table.loc[name, "correctable"] == pytest.approx(accuracy_score(corrected[fix].astype(int), p[fix]))
    row = ev.crossovers.iloc[0]
    assert (row["model_a"], row["model_b"]) == ("memoriser", "cv")
    y = np.array([-1 if c is None else c for c in corrected])
    clean, c_idx = np.flatnonzero(ev.clean), np.flatnonzero(ev.correctable)
    flips = []
    for s in range(2):
        order = removal_order(clean, s, 0)
        for m in range(len(order), -1, -1):
            idx = np.concatenate([c_idx, order[:m]])
            if np.mean(preds["cv"][idx] == y[idx]) > np.mean(preds["memoriser"][idx] == y[idx]):
                flips.append(18 / (18 + m))
                break
    assert row["share_flipped"] == 1.0 and row["prevalence"] == pytest.approx(np.median(flips))


def test_docstring_example_runs():
    """The example in corrected_benchmark's docstring gives its documented output."""
    result = doctest.testmod(benchmark_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
