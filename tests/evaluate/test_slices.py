"""``evaluate.slice_scores``: each slice's metrics equal scikit-learn's on the masked rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

from labelwise.errors import InvalidLabelsError, InvalidParameterError, ShapeMismatchError
from labelwise.evaluate import slice_scores
from labelwise.evaluate.slices import wilson_interval
from labelwise.weak import apply_slices, slicing_function

RNG = np.random.default_rng(0)
N = 400
Y = RNG.integers(0, 3, N)
PRED = np.where(RNG.random(N) < 0.7, Y, RNG.integers(0, 3, N))
SLICES = {"a": RNG.random(N) < 0.3, "b": RNG.random(N) < 0.05, "none": np.zeros(N, bool)}


class TestSliceScores:
    def test_metrics_match_sklearn_on_masked_rows(self):
        """Accuracy, macro F1 and balanced accuracy of each slice are scikit-learn's on its rows."""
        macro_f1 = lambda t, p, sample_weight=None: f1_score(t, p, average="macro", sample_weight=sample_weight)  # noqa: E731
        macro_f1.__name__ = "macro_f1"
        got = slice_scores(Y, PRED, SLICES, metrics=["accuracy", macro_f1, "balanced_accuracy"], n_bootstrap=0).table
        for name, mask in [("overall", np.ones(N, bool)), ("a", SLICES["a"]), ("b", SLICES["b"])]:
            row = got.loc[name]
            assert row["n"] == mask.sum() and row["share"] == pytest.approx(mask.mean())
            assert row["accuracy"] == pytest.approx(accuracy_score(Y[mask], PRED[mask]))
            assert row["macro_f1"] == pytest.approx(f1_score(Y[mask], PRED[mask], average="macro"))
            assert row["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(Y[mask], PRED[mask]))

    def test_metric_without_sample_weight_is_called_on_the_rows(self):
        """A callable that takes no weights is given the slice's rows (regrouped), with the same value."""

        def errors(t, p):
            return float(np.sum(np.asarray(t) != np.asarray(p)))

        got = slice_scores(Y, PRED, SLICES, metrics=[errors], n_bootstrap=0).table
        assert got.loc["a", "errors"] == np.sum(Y[SLICES["a"]] != PRED[SLICES["a"]])

    def test_accuracy_interval_is_wilson(self):
        """The accuracy interval is the Wilson score interval (scipy's binomtest) of the slice."""
        got = slice_scores(Y, PRED, SLICES, confidence=0.9)
        mask = SLICES["b"]
        ci = binomtest(int((Y[mask] == PRED[mask]).sum()), int(mask.sum())).proportion_ci(0.9, method="wilson")
        assert got.table.loc["b", "accuracy_low"] == pytest.approx(ci.low)
        assert got.table.loc["b", "accuracy_high"] == pytest.approx(ci.high)
        assert got.intervals == {"accuracy": "wilson"}

    def test_bootstrap_interval_brackets_the_value_and_is_seeded(self):
        """Other metrics get a seeded percentile bootstrap that holds the point value."""
        first = slice_scores(Y, PRED, SLICES, metrics=["balanced_accuracy"], n_bootstrap=50, random_state=3)
        again = slice_scores(Y, PRED, SLICES, metrics=["balanced_accuracy"], n_bootstrap=50, random_state=3)
        pd.testing.assert_frame_equal(first.table, again.table)
        t = first.table.drop(index="none")
        assert (t["balanced_accuracy_low"] <= t["balanced_accuracy"]).all()
        assert (t["balanced_accuracy"] <= t["balanced_accuracy_high"]).all()
        assert first.intervals == {"balanced_accuracy": "bootstrap"}

    def test_small_and_empty_slices_are_flagged_not_hidden(self):
        """A slice under min_size is flagged; an empty one has NaN scores and stays in the table."""
        got = slice_scores(Y, PRED, SLICES, min_size=50).table
        assert got["small"].to_dict() == {"overall": False, "a": False, "b": True, "none": True}
        assert np.isnan(got.loc["none", "accuracy"]) and got.loc["none", "n"] == 0

    def test_issue_share_per_slice(self):
        """The flagged share per slice is the mean of the flags on its rows; lift is over overall."""
        flagged = RNG.random(N) < 0.2
        quality = RNG.random(N)
        got = slice_scores(Y, None, SLICES, issues=flagged, label_quality=quality).table
        assert "accuracy" not in got.columns
        assert got.loc["a", "issue_share"] == pytest.approx(flagged[SLICES["a"]].mean())
        assert got.loc["a", "issue_lift"] == pytest.approx(flagged[SLICES["a"]].mean() / flagged.mean())
        assert got.loc["a", "mean_label_quality"] == pytest.approx(quality[SLICES["a"]].mean())
        lo, hi = wilson_interval(flagged[SLICES["a"]].sum(), SLICES["a"].sum())
        assert (got.loc["a", "issue_share_low"], got.loc["a", "issue_share_high"]) == pytest.approx((lo, hi))

    def test_audit_result_gives_its_is_issue(self):
        """An object with ``is_issue`` (an audit result) is read through that attribute."""

        class Audit:
            is_issue = np.arange(N) % 4 == 0

        got = slice_scores(Y, PRED, SLICES, issues=Audit()).table
        assert got.loc["overall", "n_issues"] == N // 4

    def test_probs_give_predictions_by_argmax(self):
        """Without y_pred, the argmax of probs is the prediction."""
        probs = np.eye(3)[PRED] * 0.7 + 0.1
        got = slice_scores(Y, None, SLICES, probs=probs).table
        assert got.loc["a", "accuracy"] == pytest.approx(accuracy_score(Y[SLICES["a"]], PRED[SLICES["a"]]))

    def test_slice_membership_from_slicing_functions(self):
        """A SliceMembership is accepted as slices; string labels work."""
        frame = pd.DataFrame({"x": np.arange(10)})
        members = apply_slices([slicing_function(lambda r: r.x < 4, name="low")], frame)
        labels = np.array(["u", "v"])[np.arange(10) % 2]
        got = slice_scores(labels, np.full(10, "u"), members).table
        assert got.loc["low", "accuracy"] == 0.5 and got.loc["low", "n"] == 4

    def test_bad_inputs_name_the_parameter(self):
        """Each bad argument is refused naming it, with what was expected and got."""
        with pytest.raises(InvalidParameterError, match="slices must be given"):
            slice_scores(Y, PRED)
        with pytest.raises(InvalidParameterError, match="slices must be a SliceMembership"):
            slice_scores(Y, PRED, [1, 2])
        with pytest.raises(InvalidParameterError, match="distinct names other than 'overall'"):
            slice_scores(Y, PRED, {"overall": SLICES["a"]})
        with pytest.raises(ShapeMismatchError, match="slice 'a' must have one value per row"):
            slice_scores(Y, PRED, {"a": SLICES["a"][:5]})
        with pytest.raises(InvalidParameterError, match="slice 'a' must be a boolean mask"):
            slice_scores(Y, PRED, {"a": SLICES["a"].astype(int)})
        with pytest.raises(ShapeMismatchError, match="y_pred must have one label per row"):
            slice_scores(Y, PRED[:3], SLICES)
        with pytest.raises(InvalidLabelsError, match="y_true must not contain missing values, row 1"):
            slice_scores([1.0, np.nan], [1.0, 1.0], {"a": np.ones(2, bool)})
        with pytest.raises(InvalidParameterError, match="metric must name a function of sklearn.metrics"):
            slice_scores(Y, PRED, SLICES, metrics=["nope"])
        with pytest.raises(InvalidParameterError, match="metric 'average_precision' failed on these labels"):
            slice_scores(Y, PRED, SLICES, metrics=["average_precision"])  # a score metric given labels
        with pytest.raises(InvalidParameterError, match="confidence must be a number in"):
            slice_scores(Y, PRED, SLICES, confidence=1.0)
        with pytest.raises(InvalidParameterError, match="n_bootstrap must be an integer >= 0"):
            slice_scores(Y, PRED, SLICES, n_bootstrap=-1)
        with pytest.raises(InvalidParameterError, match="min_size must be an integer >= 1"):
            slice_scores(Y, PRED, SLICES, min_size=1.5)
        with pytest.raises(InvalidParameterError, match="issues must be booleans"):
            slice_scores(Y, PRED, SLICES, issues=np.zeros(N))
        with pytest.raises(ShapeMismatchError, match="probs must have one row per label"):
            slice_scores(Y, None, SLICES, probs=np.full((N, 4), 0.25))
