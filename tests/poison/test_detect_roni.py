"""labelwise.poison.roni: what it flags, its draws, its checks, and properties (row order, class
names, repeat runs, workers)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neighbors import KNeighborsClassifier

import labelwise as lw
from labelwise.errors import InvalidParameterError, ShapeMismatchError, TooFewExamplesError

ONE_NN = KNeighborsClassifier(n_neighbors=1)


def problem(seed: int, n: int = 24, n_valid: int = 45, flips: int = 3):
    """Two classes split by the first feature; the first ``flips`` rows sit deep in one class with
    the other's label."""
    rng = np.random.default_rng(seed)
    X_valid = rng.normal(size=(n_valid, 2))
    y_valid = (X_valid[:, 0] > 0).astype(int)
    X = rng.normal(size=(n, 2))
    X[:flips, 0] = 1.5
    y = (X[:, 0] > 0).astype(int)
    y[:flips] = 0
    return X, y, X_valid, y_valid


def run(X, y, X_valid, y_valid, **kw):
    """``roni`` with 1-NN, seed 0 and one draw (five draws: tests/poison/test_detect_roni_draws.py)."""
    kw.setdefault("random_state", 0)
    kw.setdefault("n_draws", 1)
    return lw.poison.roni(X, y, estimator=ONE_NN, X_valid=X_valid, y_valid=y_valid, **kw)


class TestRoni:
    def test_flags_label_flipped_rows_deep_in_the_other_class(self):
        """Rows labelled against a clean 1-NN's neighbourhood lower the quiz accuracy and are flagged."""
        found = run(*problem(0))
        assert found.detector == "roni"
        assert found.is_flagged[:3].all()
        assert found.scores[:3].min() > 0

    def test_draws_partition_the_trusted_rows(self):
        """Base, calibration and quiz rows are disjoint, sorted and cover X_valid; sizes as asked."""
        found = run(*problem(1), n_base=10, n_calibration=15)
        p = found.params
        rows = np.concatenate([p["base_rows"], p["calibration_rows"], p["quiz_rows"]])
        np.testing.assert_array_equal(np.sort(rows), np.arange(45))
        assert (p["n_base"], p["n_calibration"], p["n_quiz"]) == (10, 15, 20)
        assert all(np.all(np.diff(p[k]) > 0) for k in ("base_rows", "calibration_rows", "quiz_rows"))

    def test_threshold_is_center_minus_k_std_of_calibration_impacts(self):
        """threshold = centre - k std, and a larger k flags a subset of what a smaller one flags."""
        data = problem(2)
        loose, strict = run(*data, k=0.5), run(*data, k=3.0)
        p = strict.params
        assert p["threshold"] == pytest.approx(p["calibration_center"] - 3.0 * p["calibration_std"])
        assert not (strict.is_flagged & ~loose.is_flagged).any()
        median = run(*data, center="median")
        assert median.params["center"] == "median"

    def test_only_suspects_are_judged(self):
        """Rows outside ``suspects`` (mask or row numbers) get a NaN score and no flag; the judged
        rows' scores do not depend on which others are judged."""
        data = problem(3)
        full = run(*data)
        mask = np.arange(24) % 2 == 0
        some = run(*data, suspects=mask)
        assert np.isnan(some.scores[~mask]).all() and not some.is_flagged[~mask].any()
        np.testing.assert_array_equal(some.scores[mask], full.scores[mask])
        by_number = run(*data, suspects=np.flatnonzero(mask)[::-1])
        np.testing.assert_array_equal(by_number.scores, some.scores, strict=True)
        assert some.per_class["suspects"].sum() == mask.sum()

    @pytest.mark.parametrize(
        ("kw", "error", "words"),
        [
            ({"k": -1.0}, InvalidParameterError, "k must be"),
            ({"center": "mode"}, InvalidParameterError, "center must be one of"),
            ({"n_base": 0}, InvalidParameterError, "n_base must be"),
            ({"n_base": 30, "n_calibration": 15}, TooFewExamplesError, "quiz"),
            ({"n_base": 2, "random_state": 5}, TooFewExamplesError, "at least 2 classes"),
            ({"suspects": np.array([0, 99])}, InvalidParameterError, "suspects must be row numbers"),
            ({"suspects": np.array([1, 1])}, InvalidParameterError, "at most once"),
            ({"suspects": np.zeros(3, dtype=bool)}, ShapeMismatchError, "one value per row"),
            ({"suspects": np.zeros(24, dtype=bool)}, TooFewExamplesError, "at least one row"),
            ({"estimator": "knn"}, InvalidParameterError, "estimator must be a classifier"),
        ],
    )
    def test_bad_parameters_are_refused_with_a_message_naming_them(self, kw, error, words):
        """Each bad parameter raises a labelwise error naming it and what was got."""
        X, y, X_valid, y_valid = problem(0)
        estimator = kw.pop("estimator", ONE_NN)
        kw.setdefault("random_state", 0)
        if kw.get("n_base") == 2:  # find a seed whose two base rows share a class
            kw["random_state"] = next(
                s for s in range(50) if np.unique(y_valid[np.random.default_rng(s).permutation(45)[:2]]).size == 1
            )
        with pytest.raises(error, match=words):
            lw.poison.roni(X, y, estimator=estimator, X_valid=X_valid, y_valid=y_valid, **kw)

    def test_mismatched_shapes_are_refused(self):
        """X_valid with other columns than X, and labels of another length, are refused by name."""
        X, y, X_valid, y_valid = problem(0)
        with pytest.raises(ShapeMismatchError, match="X_valid must have as many columns"):
            run(X, y, X_valid[:, :1], y_valid)
        with pytest.raises(ShapeMismatchError, match="y_valid"):
            run(X, y, X_valid, y_valid[:-1])
        with pytest.raises(ShapeMismatchError, match="labels"):
            run(X, y[:-1], X_valid, y_valid)


class TestRoniProperties:
    @pytest.mark.slow  # 4 runs of 50 1-NN fits per example
    @settings(max_examples=5, deadline=None)
    @given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
    def test_row_order_and_class_names_do_not_change_the_result(self, seed, perm_seed):
        """Permuting the suspect rows permutes the result; renaming the classes (reversing their
        order) changes nothing; a repeat run is identical."""
        X, y, X_valid, y_valid = problem(seed)
        a = run(X, y, X_valid, y_valid)
        order = np.random.default_rng(perm_seed).permutation(len(y))
        b = run(X[order], y[order], X_valid, y_valid)
        np.testing.assert_array_equal(b.scores, a.scores[order])
        np.testing.assert_array_equal(b.is_flagged, a.is_flagged[order])
        names = np.array(["zebra", "ant"])
        c = run(X, names[y], X_valid, names[y_valid])
        np.testing.assert_array_equal(c.scores, a.scores)
        np.testing.assert_array_equal(c.is_flagged, a.is_flagged)
        again = run(X, y, X_valid, y_valid)
        np.testing.assert_array_equal(again.scores, a.scores)

    @pytest.mark.slow  # starts a thread pool and fits 100 models twice
    def test_workers_do_not_change_the_result(self):
        """Two joblib workers (threads) give the result of one process."""
        from joblib import parallel_config

        data = problem(4, n=70)
        one = run(*data)
        with parallel_config(backend="threading"):
            two = run(*data, n_jobs=2)
        np.testing.assert_array_equal(two.scores, one.scores)
