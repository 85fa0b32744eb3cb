"""``labelwise pseudolabel``'s model.joblib: the fitted trainer without the per-row attributes."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
from click.testing import CliRunner
from sklearn.linear_model import LogisticRegression

from labelwise.cli import main
from labelwise.cli.pseudolabel import PER_ROW_ATTRIBUTES, model_to_save
from labelwise.semi import SelfTrainer


def _table(n, seed=0):
    """Two Gaussian blobs, a fifth labeled; the rest have an empty label."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n)
    xy = np.where(truth[:, None] == 1, 2.0, -2.0) + rng.normal(0, 1.0, (n, 2))
    labels = np.array(["ant", "bee"], dtype=object)[truth]
    labels[rng.random(n) > 0.2] = ""
    return pd.DataFrame({"a": xy[:, 0], "b": xy[:, 1], "y": labels})


def _model_size(tmp_path, n):
    path = tmp_path / f"d{n}.csv"
    _table(n).to_csv(path, index=False)
    out = tmp_path / f"out{n}"
    args = ["pseudolabel", str(path), "--label", "y", "--unlabeled-value", "", "--model", "logistic"]
    result = CliRunner().invoke(main, [*args, "--max-iter", "2", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return (out / "model.joblib").stat().st_size, out


class TestPseudolabelModelFile:
    """model.joblib's size and predictions."""

    def test_model_file_does_not_grow_with_the_rows(self, tmp_path):
        """Ten times the rows give a model.joblib of about the same size (the per-row arrays are not in it)."""
        small, _ = _model_size(tmp_path, 300)
        large, out = _model_size(tmp_path, 3000)
        assert abs(large - small) < 2000, (small, large)  # the arrays would add about 20 bytes a row
        loaded = joblib.load(out / "model.joblib")
        assert not any(hasattr(loaded, name) for name in PER_ROW_ATTRIBUTES)
        table = pd.read_csv(out / "pseudolabeled.csv", keep_default_na=False)
        assert len(loaded.predict(table[["a", "b"]])) == len(table)

    def test_saved_model_predicts_as_the_fitted_one_which_keeps_its_attributes(self, tmp_path):
        """The saved copy predicts the same probabilities; the fitted trainer in memory keeps transduction_ etc."""
        frame = _table(500, seed=1)
        y = frame["y"].replace("", None)
        trainer = SelfTrainer(LogisticRegression(), unlabeled_value=None, max_iter=3).fit(frame[["a", "b"]], y)
        joblib.dump(model_to_save(trainer), tmp_path / "m.joblib")
        loaded = joblib.load(tmp_path / "m.joblib")
        np.testing.assert_array_equal(loaded.predict_proba(frame[["a", "b"]]), trainer.predict_proba(frame[["a", "b"]]))
        assert all(getattr(trainer, name).shape == (500,) for name in PER_ROW_ATTRIBUTES)
