"""Tests of custom metric functions in weak.score_predictions and the label models' score."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, log_loss

from labelwise.errors import InvalidParameterError
from labelwise.weak import (
    DawidSkeneLabelModel,
    LabelModel,
    MajorityLabelVoter,
    probs_to_preds,
    score_predictions,
    simulate_lfs,
)

GOLDS = np.array([0, 1, 2, -1, 1, 0, 2, 2])
PREDS = np.array([0, 2, 2, 1, -1, 0, 1, 2])
PROBS = np.random.default_rng(0).dirichlet(np.ones(3), size=8)


def kept() -> np.ndarray:
    return (GOLDS >= 0) & (PREDS >= 0)


class TestScorePredictions:
    def test_a_function_gets_the_scored_rows_and_its_value_is_returned(self):
        """f(golds, preds, probs) is called on the rows with a known gold and a prediction, with
        their rows of probs, and its value is keyed by the function's name."""
        seen = {}

        def errors(golds, preds, probs):
            seen.update(golds=golds, preds=preds, probs=probs)
            return int((golds != preds).sum())

        out = score_predictions(GOLDS, PREDS, PROBS, metrics=["accuracy", errors])
        assert out == {"accuracy": 4 / 6, "errors": 2.0}
        np.testing.assert_array_equal(seen["golds"], GOLDS[kept()])
        np.testing.assert_array_equal(seen["preds"], PREDS[kept()])
        np.testing.assert_array_equal(seen["probs"], PROBS[kept()])

    def test_a_dict_names_the_functions_and_a_wrapped_scikit_learn_metric_equals_it(self):
        """{name: metric} keys the result; a scikit-learn metric wrapped in a lambda gives its value
        on the scored rows; probs is None when not given."""
        out = score_predictions(
            GOLDS, PREDS, metrics={"kappa": lambda g, p, _: cohen_kappa_score(g, p), "acc": "accuracy"}
        )
        assert out["kappa"] == pytest.approx(cohen_kappa_score(GOLDS[kept()], PREDS[kept()]), abs=1e-15)
        assert out["acc"] == 4 / 6
        got = score_predictions(GOLDS, PREDS, metrics=[lambda g, p, q: float(q is None)])
        assert got == {"<lambda>": 1.0}

    def test_no_row_to_score_gives_nan_without_calling(self):
        """With every prediction abstained the custom metric is NaN, as a named one (and not called)."""

        def boom(golds, preds, probs):
            raise AssertionError("called")

        out = score_predictions([0, 1], [-1, -1], metrics=["accuracy", "coverage", boom])
        assert np.isnan(out["boom"]) and np.isnan(out["accuracy"]) and out["coverage"] == 0.0

    @pytest.mark.parametrize(
        ("metrics", "message"),
        [
            ([lambda g, p: 1.0], r"metrics '<lambda>' must be a metric name or a function f\(golds, preds, probs\)"),
            ({"two": lambda g: 1.0}, r"metrics 'two' must be a metric name or a function"),
            ([3], r"metrics '3' must be a metric name or a function"),
            ({"x": "auc"}, r"metrics must be names from .*got 'auc'"),
            ([lambda g, p, q: 1.0, lambda g, p, q: 2.0], r"metrics must name each metric once, got '<lambda>' twice"),
            ({"": "accuracy"}, r"metrics must be a dict of non-empty names"),
            ({}, r"metrics must be a dict of non-empty names to metrics, got an empty dict"),
            ([], r"metrics must be metric names from .* or functions f\(golds, preds, probs\)"),
            (5, r"metrics must be metric names from .*got 5"),
        ],
    )
    def test_bad_metrics_are_named(self, metrics, message):
        """A function of the wrong arity, a non-callable, an unknown name, two of one name, an
        empty or badly keyed collection: each an InvalidParameterError naming metrics."""
        with pytest.raises(InvalidParameterError, match=message):
            score_predictions(GOLDS, PREDS, PROBS, metrics=metrics)

    def test_a_function_that_raises_or_returns_no_number_is_named(self):
        """The function's own error, and a return that is not a number, name the metric."""
        with pytest.raises(InvalidParameterError, match=r"metrics 'bad' raised ZeroDivisionError"):
            score_predictions(GOLDS, PREDS, metrics={"bad": lambda g, p, q: 1 / 0})
        for value in ("0.5", [0.5], None, True, np.array([0.5])):
            with pytest.raises(InvalidParameterError, match=r"metrics 'odd' must return a number"):
                score_predictions(GOLDS, PREDS, metrics={"odd": lambda g, p, q, v=value: v})
        assert score_predictions(GOLDS, PREDS, metrics={"np": lambda g, p, q: np.float32(0.5)}) == {"np": 0.5}


class TestModelScore:
    @pytest.mark.parametrize("make", [LabelModel, DawidSkeneLabelModel, MajorityLabelVoter])
    def test_a_custom_metric_scores_the_models_predictions(self, make):
        """A custom accuracy equals the named one; a log loss gets the posterior rows of the scored
        items (classes as codes), equal to scikit-learn's on them."""
        sim = simulate_lfs(400, 5, 3, unipolar=0.0, random_state=3)
        truth = sim.truth.to_numpy()
        model = make().fit(sim.votes)
        out = model.score(
            sim.votes,
            truth,
            metrics={
                "acc": lambda g, p, _: float(np.mean(g == p)),
                "named": "accuracy",
                "loss": lambda g, _, q: log_loss(g, q, labels=[0, 1, 2]),
            },
        )
        assert out["acc"] == out["named"]
        probs = model.predict_proba(sim.votes).to_numpy()
        preds = probs_to_preds(probs, tie_break_policy="abstain")
        keep = preds >= 0
        assert out["loss"] == pytest.approx(log_loss(truth[keep], probs[keep], labels=[0, 1, 2]), rel=1e-12)

    def test_bad_metrics_are_named_before_predicting(self):
        """score checks metrics first: a bad function is named even with votes that would fail later."""
        model = LabelModel().fit(simulate_lfs(200, 4, 2, random_state=0).votes)
        with pytest.raises(InvalidParameterError, match=r"metrics 'f' must be a metric name or a function"):
            model.score("not votes", [0], metrics={"f": lambda: 1.0})
