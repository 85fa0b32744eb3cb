"""Tests for labelwise.poison.robustness_curve and its plot."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.svm import SVC

from labelwise.errors import InvalidLabelsError, InvalidParameterError, TooFewExamplesError
from labelwise.poison import RobustnessCurve, farthest_first, robustness_curve


class TestRobustnessCurve:
    def test_table_has_one_row_per_model_attack_budget_seed(self, moons):
        """The tidy table covers the whole grid plus the clean reference under each attack."""
        X, y, _, _ = moons
        curve = robustness_curve(["svc", "ls-svm"], X, y, attacks=["random", "farthest"], budgets=[0.1, 0.2], seeds=2)
        table = curve.to_frame()
        assert list(table.columns) == [
            "model",
            "attack",
            "budget",
            "n_flipped",
            "seed",
            "accuracy",
            "fit_seconds",
            "attack_seconds",
        ]
        assert len(table) == 2 * 2 * 3 * 2  # models x attacks x (clean + 2 budgets) x seeds
        assert set(table.loc[table["budget"] == 0.1, "n_flipped"]) == {14}  # 10% of 140 training rows
        assert table["accuracy"].between(0, 1).all()

    def test_accuracy_falls_with_the_farthest_first_budget(self, moons):
        """Mean plain-SVC accuracy drops as the farthest-first budget grows."""
        X, y, _, _ = moons
        summ = robustness_curve(["svc"], X, y, attacks=["farthest"], budgets=[0.1, 0.3], seeds=2).summary()
        means = summ.sort_values("budget")["mean"].to_numpy()
        assert means[0] > means[1] > means[2]

    def test_fixed_test_set_and_custom_models_and_attacks(self, moons):
        """A given test set, an estimator object and a callable attack are all accepted."""
        X, y, X_test, y_test = moons
        curve = robustness_curve(
            {"rbf": SVC(gamma="scale")},
            X,
            y,
            attacks={"mine": farthest_first},
            budgets=[5],
            seeds=[7],
            test=(X_test, y_test),
            include_clean=False,
        )
        row = curve.to_frame().iloc[0]
        assert (row["model"], row["attack"], row["budget"], row["n_flipped"], row["seed"]) == ("rbf", "mine", 5, 5, 7)
        expected = SVC(gamma="scale").fit(X, farthest_first(X, y, 5).labels).score(X_test, y_test)
        assert row["accuracy"] == pytest.approx(expected)

    def test_plot_writes_a_png(self, moons, tmp_path):
        """plot(path) writes a PNG file atomically."""
        X, y, _, _ = moons
        curve = robustness_curve(["svc"], X, y, attacks=["random"], budgets=[0.1], seeds=2)
        assert isinstance(curve, RobustnessCurve)
        curve.plot(tmp_path / "sub" / "curve.png")
        data = (tmp_path / "sub" / "curve.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert not list((tmp_path / "sub").glob(".*tmp"))

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"attacks": ["chaos"]}, InvalidParameterError, "attack must be one of"),
            ({"models": ["forest"]}, InvalidParameterError, "model must be one of"),
            ({"budgets": [1.2]}, InvalidParameterError, r"budgets as a fraction must be in \[0, 1\)"),
            (
                {"budgets": [500]},
                InvalidParameterError,
                r"number of examples \(140\), got 500 \(a count is of the 140 training",
            ),
            ({"seeds": 0}, InvalidParameterError, "seeds must be an integer >= 1"),
            ({"test": 1.5}, InvalidParameterError, r"test must be in \[0, 1\)"),
            # session 15: these reached SVC.fit / train_test_split and raised sklearn's errors mid-run
            ({"gamma": "xyz"}, InvalidParameterError, "gamma must be 'scale', 'auto' or a positive number, got 'xyz'"),
            ({"gamma": -1.0}, InvalidParameterError, "gamma must be 'scale', 'auto' or a positive number"),
            ({"test": 0.005}, TooFewExamplesError, r"test=0.005 puts 1 of 200 examples in the test set"),
            # session 27: the message starts with the parameter (the command renames it) and gives the window
            ({"test": 0.995}, TooFewExamplesError, r"^test must .* with 200 examples be above 0.005 and at most 0.99;"),
        ],
    )
    def test_bad_arguments_raise(self, moons, kwargs, error, match):
        """Unknown names, impossible budgets, zero seeds and a bad test fraction are rejected up front."""
        X, y, _, _ = moons
        args = {"models": ["svc"], "attacks": ["random"], "budgets": [0.1], "seeds": 1}
        args.update(kwargs)
        with pytest.raises(error, match=match):
            robustness_curve(args.pop("models"), X, y, **args)

    def test_a_class_of_one_example_is_rejected_before_the_split(self, moons):
        """A class with one example made train_test_split raise its own ValueError; now the class is named."""
        X, y, _, _ = moons
        y = np.asarray(y).copy()
        y[0] = 7
        with pytest.raises(TooFewExamplesError, match="class 7 has 1"):
            robustness_curve(["svc"], X, y, attacks=["random"], budgets=[0.1], seeds=1)

    def test_binary_only_attack_on_multiclass_labels_is_rejected(self):
        """ALFA on three classes raises before any work, naming the multi-class capable attacks."""
        X = np.random.default_rng(0).normal(size=(60, 2))
        y = np.repeat([0, 1, 2], 20)
        with pytest.raises(InvalidLabelsError, match="multi-class capable attacks"):
            robustness_curve(["svc"], X, y, attacks=["alfa"], budgets=[0.1], seeds=1)
