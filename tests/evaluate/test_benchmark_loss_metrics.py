"""``corrected_benchmark`` refuses a loss as its metric (session 47: ``zero_one_loss`` ranked the worst model
first and its crossovers took the higher loss for the better model, without a word)."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.errors import InvalidParameterError
from labelwise.evaluate import corrected_benchmark


@pytest.fixture()
def models():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    given = np.where(rng.random(200) < 0.1, (y + 1) % 3, y)
    good = np.where(rng.random(200) < 0.9, y, (y + 1) % 3)
    bad = np.where(rng.random(200) < 0.6, y, (y + 2) % 3)
    return {"good": good, "bad": bad}, given, y


class TestLossMetricsRefused:
    @pytest.mark.parametrize("metric", ["zero_one_loss", "hamming_loss", "mean_squared_error", "max_error"])
    def test_a_loss_is_refused_naming_the_metric(self, models, metric):
        """A scikit-learn *_loss or *_error would rank models upside down: an error names it and says what to use."""
        preds, given, y = models
        with pytest.raises(InvalidParameterError, match=f"metric must be a score where higher is better.*{metric!r}"):
            corrected_benchmark(preds, given, y, metric=metric, seeds=2)

    def test_zero_one_loss_points_to_accuracy(self, models):
        preds, given, y = models
        with pytest.raises(InvalidParameterError, match=r"use 'accuracy' \(1 - zero_one_loss\)"):
            corrected_benchmark(preds, given, y, metric="zero_one_loss", seeds=2)

    def test_a_callable_returning_minus_the_loss_ranks_the_better_model_first(self, models):
        """The way the message gives: minus zero_one_loss ranks as accuracy does."""
        from sklearn.metrics import zero_one_loss

        preds, given, y = models
        ev = corrected_benchmark(preds, given, y, metric=lambda a, b: -zero_one_loss(a, b), seeds=2)
        acc = corrected_benchmark(preds, given, y, metric="accuracy", seeds=2)
        assert ev.table["corrected_rank"].tolist() == acc.table["corrected_rank"].tolist()
        assert ev.table.loc["good", "corrected_rank"] == 1

    @pytest.mark.parametrize("metric", ["accuracy", "balanced_accuracy", "f1", "matthews_corrcoef", "jaccard_macro"])
    def test_scores_still_rank_the_better_model_first(self, models, metric):
        preds, given, y = models
        assert corrected_benchmark(preds, given, y, metric=metric, seeds=2).table.loc["good", "corrected_rank"] == 1
