"""corrected_benchmark: F1, precision, recall and Jaccard score what scikit-learn scores on the labels themselves.

The models' predictions are class codes 0..K-1 inside; scikit-learn's binary default (``pos_label=1``)
means the class 1, which is code 0 when the classes are 1 and 2.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.evaluate import corrected_benchmark


def _problem(classes, seed=0, n=120):
    rng = np.random.default_rng(seed)
    classes = np.asarray(classes)
    given = classes[rng.integers(0, len(classes), n)]
    corrected = given.astype(object)
    flip = rng.random(n) < 0.15
    corrected[flip] = classes[rng.integers(0, len(classes), int(flip.sum()))]
    corrected[rng.random(n) < 0.05] = None
    preds = {f"m{i}": np.where(rng.random(n) < 0.7, given, classes[rng.integers(0, len(classes), n)]) for i in range(3)}
    return preds, given, corrected


def _expected(fn, preds, given, corrected):
    kept = np.array([c is not None for c in corrected])
    c = corrected[kept].astype(given.dtype)
    fixable = c != given[kept]
    return {m: (fn(given, p), fn(c, p[kept]), fn(c[fixable], p[kept][fixable])) for m, p in preds.items()}


@pytest.mark.parametrize("metric", ["f1", "precision", "recall_score", "jaccard"])
def test_binary_metric_scores_the_class_one_not_the_second_code(metric):
    """Labels 1 and 2: every column equals scikit-learn's score on the labels (pos_label=1); it was the F1
    of class 2 (code 1), under the name 'f1'."""
    preds, given, corrected = _problem([1, 2])
    fn = getattr(skm, f"{metric.removesuffix('_score')}_score")
    ev = corrected_benchmark(preds, given, corrected, metric=metric)
    assert ev.metric_name == metric
    for model, want in _expected(fn, preds, given, corrected).items():
        np.testing.assert_allclose(ev.table.loc[model, ["original", "corrected", "correctable"]], want)


@pytest.mark.parametrize("metric", ["f1", "precision", "recall", "jaccard"])
def test_binary_name_on_text_classes_is_the_macro_average_as_slices_reads_it(metric):
    """'f1' on classes 'no'/'yes' scored the F1 of 'yes' (code 1) as binary; scikit-learn refuses
    pos_label=1 there, and slice_scores reports the macro average as 'f1_macro': so does evaluate now."""
    preds, given, corrected = _problem(["no", "yes"], seed=1)
    fn = getattr(skm, f"{metric}_score")
    ev = corrected_benchmark(preds, given, corrected, metric=metric)
    assert ev.metric_name == f"{metric}_macro"
    macro = lambda t, p: fn(t, p, average="macro")  # noqa: E731
    for model, want in _expected(macro, preds, given, corrected).items():
        np.testing.assert_allclose(ev.table.loc[model, ["original", "corrected", "correctable"]], want)


@pytest.mark.parametrize("metric", ["f1_macro", "jaccard_weighted", "precision_score_micro"])
def test_named_averages_are_accepted_and_match_scikit_learn(metric):
    """'f1_macro' was refused ('must name a function of sklearn.metrics'), though slices takes it."""
    preds, given, corrected = _problem([0, 1, 2], seed=2)
    base, _, average = metric.rpartition("_")
    fn = getattr(skm, f"{base.removesuffix('_score')}_score")
    ev = corrected_benchmark(preds, given, corrected, metric=metric)
    avg = lambda t, p: fn(t, p, average=average)  # noqa: E731
    for model, want in _expected(avg, preds, given, corrected).items():
        np.testing.assert_allclose(ev.table.loc[model, ["original", "corrected", "correctable"]], want)


def test_prevalence_curve_uses_the_same_positive_class():
    """The curve's first point (nothing removed) is the corrected column's score: the removal path scores
    with pos_label of the class 1 too."""
    preds, given, corrected = _problem([1, 2], seed=3)
    ev = corrected_benchmark(preds, given, corrected, metric="f1", seeds=2)
    curve = ev.prevalence_curve().to_frame()
    first = curve[curve["n_removed"] == 0].groupby("model")["mean"].first()
    np.testing.assert_allclose(first.loc[list(preds)], ev.table.loc[list(preds), "corrected"])
    kept = np.array([c is not None for c in corrected])
    np.testing.assert_allclose(first.loc["m0"], skm.f1_score(corrected[kept].astype(int), preds["m0"][kept]))


def test_cli_names_the_macro_average_it_scored(tmp_path):
    """evaluate --metric f1 on three classes failed ('Target is multiclass but average=binary'); it scores
    f1_macro and says so in summary.json."""
    preds, given, corrected = _problem([0, 1, 2], seed=4)
    (tmp_path / "preds").mkdir()
    for m, p in preds.items():
        np.save(tmp_path / "preds" / f"{m}.npy", p)
    np.save(tmp_path / "labels.npy", given)
    rows = [i for i, c in enumerate(corrected) if c != given[i]]
    pd.DataFrame({"row": rows, "label": [corrected[i] for i in rows]}).to_csv(tmp_path / "fix.csv", index=False)
    out = tmp_path / "out"
    args = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "labels.npy")]
    res = CliRunner().invoke(
        main, [*args, "--corrections", str(tmp_path / "fix.csv"), "--metric", "f1", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["metric"] == "f1_macro"
    table = pd.read_csv(out / "table.csv").set_index("model")
    assert table.loc["m0", "original"] == pytest.approx(skm.f1_score(given, preds["m0"], average="macro"))
