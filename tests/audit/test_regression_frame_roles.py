"""``regression.find_label_issues(y, X=frame)`` without a model reads the frame by the column roles, as
``labelwise audit --task regression`` does (``regression.default_model``: one pipeline for both), and says
how in ``column_roles``; ``CleanRegressor()`` on a frame does the same."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.audit import regression
from labelwise.audit._regression_columns import column_regressor
from labelwise.cli import main
from labelwise.columns import infer_column_roles
from labelwise.errors import InvalidParameterError
from labelwise.noise import corrupt_targets


def _shops(n: int = 400, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Eight shops (text) whose effects (sd 10) carry most of the target, a weak number, noise sd 0.5."""
    rng = np.random.default_rng(seed)
    names = [f"s{i}" for i in range(8)]
    shop = rng.choice(names, n)
    effect = dict(zip(names, rng.normal(0, 10, 8), strict=True))
    x = rng.normal(size=n)
    y = pd.Series(shop).map(effect).to_numpy() + x + rng.normal(0, 0.5, n)
    return pd.DataFrame({"shop": shop, "x": x}), y


def _f1(flags: np.ndarray, truth: np.ndarray) -> float:
    return 2 * float((flags & truth).sum()) / float(flags.sum() + truth.sum())


def test_a_categorical_column_that_carries_the_target_is_read_and_finds_the_errors():
    """5% of the targets shifted by 1-2 target sds: read with the shop column the audit finds them (F1 >= 0.8);
    the number alone (what a model of the numeric columns sees) cannot tell a shift from a shop (F1 < 0.3)."""
    frame, y = _shops()
    noisy = corrupt_targets(y, rate=0.05, kind="shift", magnitude=1.0, random_state=1)
    read = regression.find_label_issues(noisy.labels, X=frame)
    numbers = regression.find_label_issues(noisy.labels, X=frame[["x"]])
    assert _f1(read.is_issue, noisy.is_corrupted) >= 0.8
    assert _f1(numbers.is_issue, noisy.is_corrupted) < 0.3
    assert read.column_roles is not None and read.column_roles.roles == {"shop": "categorical", "x": "numeric"}


def _mixed(n: int = 120) -> pd.DataFrame:
    """A number, a category, dates written as text, and an identifier."""
    rng = np.random.default_rng(3)
    days = pd.date_range("2024-01-01", periods=n).strftime("%Y-%m-%d")
    return pd.DataFrame(
        {
            "id": [f"r{i:03d}" for i in range(n)],
            "x": rng.normal(size=n).round(4),
            "kind": rng.choice(["a", "b", "c"], n),
            "day": rng.permutation(days),
        }
    )


class TestDefaultModelOnAFrame:
    def test_the_default_is_the_column_roles_pipeline_and_its_roles_are_reported(self):
        """No model: the same result as column_regressor(infer_column_roles(X), default_regressor(0), 0), the
        identifier left out (a notice), the dates read; ``column_roles`` and ``summary()`` say so."""
        frame = _mixed()
        y = frame["x"] * 3 + (frame["kind"] == "b") * 5 + np.random.default_rng(0).normal(0, 0.2, len(frame))
        y = y.to_numpy(dtype=float, copy=True)
        y[:3] += 20
        got = regression.find_label_issues(y, X=frame)
        model = column_regressor(infer_column_roles(frame), regression.default_regressor(0), 0)
        expected = regression.find_label_issues(y, X=frame, model=model)
        np.testing.assert_array_equal(got.predicted, expected.predicted)
        np.testing.assert_array_equal(got.is_issue, expected.is_issue)
        roles = got.column_roles
        assert roles.roles == {"id": "identifier", "x": "numeric", "kind": "categorical", "day": "date"}
        assert any("dropped column 'id'" in line for line in roles.notices)
        assert got.summary()["column_roles"] == roles.to_dict()
        assert expected.column_roles is None and "column_roles" not in expected.summary()

    def test_the_api_flags_what_the_command_flags(self, tmp_path):
        """``labelwise audit --task regression`` on the same table as a CSV: the same rows flagged."""
        frame, y = _shops(n=200)
        y[[3, 50, 120]] += 40
        frame.assign(target=y).to_csv(tmp_path / "d.csv", index=False)
        out = tmp_path / "audit"
        argv = ["audit", str(tmp_path / "d.csv"), "--label", "target", "--task", "regression", "--out", str(out)]
        result = CliRunner().invoke(main, [*argv, "--quiet"])
        assert result.exit_code == 0, result.output
        flagged = pd.read_csv(out / "issues.csv").query("is_issue")["row"].sort_values().tolist()
        api = regression.find_label_issues(pd.read_csv(tmp_path / "d.csv")["target"], X=frame)
        assert flagged == np.flatnonzero(api.is_issue).tolist() and {50, 120} <= set(flagged)

    def test_arrays_keep_the_plain_regressor_and_report_no_roles(self):
        """An array X: default_regressor as before (the same predictions), no column roles."""
        rng = np.random.default_rng(0)
        X = rng.normal(size=(80, 3))
        y = X @ [1.0, 2.0, 3.0] + rng.normal(0, 0.1, 80)
        got = regression.find_label_issues(y, X=X)
        np.testing.assert_array_equal(
            got.predicted, regression.find_label_issues(y, X=X, model=regression.default_regressor(0)).predicted
        )
        assert got.column_roles is None and "column_roles" not in got.summary()

    def test_a_frame_with_nothing_to_read_is_refused_naming_x_and_the_roles(self):
        """Only an identifier and a constant: an error naming X and both columns' roles."""
        frame = pd.DataFrame({"id": [f"r{i}" for i in range(40)], "same": 1.0})
        with pytest.raises(
            InvalidParameterError, match=r"X must have a column .* 'id' \(identifier\), 'same' \(constant\)"
        ):
            regression.find_label_issues(np.arange(40.0), X=frame)


def test_clean_regressor_reads_a_frame_by_its_roles():
    """CleanRegressor() on a frame with a text column: the roles' pipeline is fitted and predicts, and
    ``label_issues_`` reports the roles; shifted targets are among the rows removed."""
    frame, y = _shops(n=200)
    y[[3, 50, 120]] += 40
    model = regression.CleanRegressor().fit(frame, y)
    assert model.label_issues_.column_roles.roles == {"shop": "categorical", "x": "numeric"}
    assert {50, 120} <= set(np.flatnonzero(model.label_issues_.is_issue).tolist())
    assert np.isfinite(model.predict(frame.head(5))).all()
