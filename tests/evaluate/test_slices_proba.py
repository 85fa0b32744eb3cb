"""``evaluate.slice_scores`` with metrics of the probabilities: ROC AUC, log loss, Brier score."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from labelwise.errors import InvalidParameterError
from labelwise.evaluate import slice_scores

RNG = np.random.default_rng(0)
N = 300
Y3 = RNG.integers(0, 3, N)
P3 = RNG.dirichlet(np.ones(3), N)
P3[np.arange(N), Y3] += 1.0
P3 /= P3.sum(axis=1, keepdims=True)
Y2 = RNG.integers(0, 2, N)
P2 = np.column_stack([1 - (q := np.clip(0.3 + 0.4 * Y2 + RNG.normal(0, 0.2, N), 0.01, 0.99)), q])
SLICES = {"first_half": np.arange(N) < N // 2, "odd": np.arange(N) % 2 == 1}


class TestProbabilityMetrics:
    @pytest.mark.parametrize(("y", "p"), [(Y2, P2), (Y3, P3)])
    def test_values_are_scikit_learns_on_each_slice(self, y, p):
        """Log loss, Brier score and ROC AUC equal scikit-learn's on the whole data and each slice."""
        k = p.shape[1]
        scores = slice_scores(y, slices=SLICES, probs=p, metrics=["log_loss", "brier", "roc_auc"], n_bootstrap=20)
        masks = {"overall": np.ones(N, dtype=bool), **SLICES}
        for name, mask in masks.items():
            row = scores.table.loc[name]
            assert row["log_loss"] == pytest.approx(log_loss(y[mask], p[mask], labels=np.arange(k)))
            assert row["brier"] == pytest.approx(
                brier_score_loss(y[mask], p[mask] if k > 2 else p[mask, 1], labels=np.arange(k))
            )
            auc = roc_auc_score(y[mask], p[mask, 1]) if k == 2 else roc_auc_score(y[mask], p[mask], multi_class="ovr")
            assert row["roc_auc"] == pytest.approx(auc)
            assert row["roc_auc_low"] <= row["roc_auc"] <= row["roc_auc_high"]
            assert row["log_loss_low"] < row["log_loss"] < row["log_loss_high"]
        assert scores.intervals == {"log_loss": "normal", "brier": "normal", "roc_auc": "bootstrap"}

    def test_loss_intervals_stay_in_the_losses_range(self):
        """A small slice with one confident mistake: the normal interval would reach below 0 (and the
        Brier score's above its maximum); it is cut to [0, inf) for log loss, [0, 1] for a two-class
        Brier score, [0, 2] for more classes."""
        y = np.array([0, 1, 0, 1, 1, 0])
        p = np.array([[1.0, 0], [1, 0], [1, 0], [0, 1], [0, 1], [1, 0]])
        small = {"s": np.array([1, 1, 1, 0, 0, 0], dtype=bool)}
        table = slice_scores(y, slices=small, probs=p, metrics=["log_loss", "brier"]).table
        assert (table[["log_loss_low", "brier_low"]] >= 0).all().all()
        assert (table["brier_high"] <= 1).all() and (table["log_loss_high"] > table["log_loss"]).all()
        y3 = np.array([0, 1, 0, 1, 2, 2])
        p3 = np.column_stack([p, np.zeros(6)])
        p3[4:] = [0, 0, 1]
        table3 = slice_scores(y3, slices=small, probs=p3, metrics=["brier"]).table
        assert (table3["brier_low"] >= 0).all() and (table3["brier_high"] <= 2).all()
        assert table3.loc["s", "brier"] == pytest.approx(2 / 3)

    def test_auc_is_not_the_auc_of_the_hard_predictions(self):
        """Before, ``roc_auc`` was scikit-learn's on the predicted labels (one threshold)."""
        scores = slice_scores(Y2, P2.argmax(1), SLICES, probs=P2, metrics=["roc_auc"], n_bootstrap=0)
        assert scores.table.loc["overall", "roc_auc"] == pytest.approx(roc_auc_score(Y2, P2[:, 1]))
        assert scores.table.loc["overall", "roc_auc"] != pytest.approx(roc_auc_score(Y2, P2.argmax(1)))

    def test_a_slice_of_one_class_has_no_auc(self):
        """ROC AUC needs both classes in the slice: NaN otherwise (log loss is still defined)."""
        scores = slice_scores(Y2, slices={"ones": Y2 == 1}, probs=P2, metrics=["roc_auc", "log_loss"], n_bootstrap=5)
        assert np.isnan(scores.table.loc["ones", "roc_auc"]) and np.isfinite(scores.table.loc["ones", "log_loss"])

    def test_a_probability_metric_without_probs_is_refused(self):
        """``roc_auc`` with predicted labels only is an error naming the metric and probs."""
        with pytest.raises(InvalidParameterError, match="probs must be given .* for the metric 'roc_auc'"):
            slice_scores(Y2, Y2, SLICES, metrics=["accuracy", "roc_auc"])

    @given(st.integers(0, 2**16), st.integers(0, 2**16))
    @settings(max_examples=6, deadline=None)
    def test_permuting_rows_and_renaming_classes_keep_the_scores(self, seed, shuffle):
        """Row order and class names do not change the values; the bootstrap is seeded."""
        rng = np.random.default_rng(seed)
        y = rng.integers(0, 3, 60)
        p = rng.dirichlet(np.ones(3), 60)
        mask = rng.random(60) < 0.5
        order = np.random.default_rng(shuffle).permutation(60)
        kw = {"metrics": ["log_loss", "brier", "roc_auc"], "n_bootstrap": 0}
        base = slice_scores(y, slices={"s": mask}, probs=p, **kw).table
        moved = slice_scores(y[order], slices={"s": mask[order]}, probs=p[order], **kw).table
        names = np.array(["ant", "bee", "cat"])[y]
        renamed = slice_scores(names, slices={"s": mask}, probs=p, **kw).table
        cols = ["log_loss", "brier", "roc_auc"]
        np.testing.assert_allclose(moved[cols].to_numpy(float), base[cols].to_numpy(float))
        np.testing.assert_allclose(renamed[cols].to_numpy(float), base[cols].to_numpy(float))

    def test_the_auc_bootstrap_is_seeded(self):
        """Two runs with one seed give the same interval."""
        kw = {"slices": SLICES, "probs": P3, "metrics": ["roc_auc"], "n_bootstrap": 10}
        assert slice_scores(Y3, **kw).table.equals(slice_scores(Y3, **kw).table)
