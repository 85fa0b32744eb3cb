"""labelwise.models: default pipelines per family and the ``auto`` chooser."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin

import labelwise as lw
from labelwise.columns import infer_column_roles
from labelwise.errors import (
    EstimatorError,
    InvalidParameterError,
    LabelwiseError,
    ShapeMismatchError,
    TooFewExamplesError,
)
from labelwise.models import (
    FAMILIES,
    MODELS,
    Family,
    choose_model,
    column_kinds,
    default_model,
)
from labelwise.models._calibrate import log_loss

BIG = 1e6  # a time budget no test reaches, so that decisions never depend on timing


def _xor(n=400, seed=0):
    """Labels = XOR of two signs: no linear model can do better than chance; trees can."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    return pd.DataFrame(X, columns=["a", "b"]), y


def _linear(n=120, d=40, seed=0):
    """Many weak linear signals, few rows: the regularised linear model wins."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X @ rng.normal(size=d) + rng.normal(size=n) > 0).astype(int)
    return pd.DataFrame(X, columns=[f"f{i}" for i in range(d)]), y


class TestDefaultModel:
    def test_each_family_builds_and_fits(self):
        X, y = _xor(100)
        for name in MODELS:
            model = default_model(X, model=name).fit(X, y)
            assert model.predict_proba(X).shape == (100, 2)

    def test_column_kinds_keeps_its_three_groups(self):
        """Dates count as numeric, ids and constants are left out."""
        frame = pd.DataFrame(
            {
                "id": np.arange(30),
                "x": np.linspace(0, 1, 30),
                "d": pd.date_range("2020-01-01", periods=30),
                "c": ["a", "b", "c"] * 10,
                "k": ["z"] * 30,
            }
        )
        assert column_kinds(frame) == {"numeric": ["x", "d"], "categorical": ["c"], "text": []}

    @pytest.mark.parametrize("kwargs, match", [({"model": "svm"}, "model must be one of"), ({}, "at least one column")])
    def test_bad_input(self, kwargs, match):
        frame = pd.DataFrame(index=range(5)) if not kwargs else _xor(20)[0]
        with pytest.raises(InvalidParameterError, match=match):
            default_model(frame, **kwargs)


class TestChooser:
    def test_trees_win_on_xor(self):
        choice = choose_model(
            *_xor(), families=["logistic", "boosting", "forest"], blend=False, time_budget=BIG, random_state=0
        )
        assert choice.chosen in ("boosting", "forest")
        scores = {c.name: c.best_log_loss for c in choice.candidates}
        assert scores[choice.chosen] < 0.7 * scores["logistic"]

    def test_logistic_wins_on_many_weak_linear_signals(self):
        choice = choose_model(*_linear(), families=["logistic", "forest"], blend=False, time_budget=BIG, random_state=0)
        assert choice.chosen == "logistic"

    @pytest.mark.parametrize("family", ["logistic", "knn"])
    def test_candidates_use_the_folds_of_out_of_fold_probs(self, family):
        """Each fold-wise family's probabilities equal out_of_fold_probs with the same seed: all share those folds.

        (The forest's are out-of-bag, see tests/models/test_runner.py::TestOutOfBag.)
        """
        X, y = _xor(150)
        choice = choose_model(X, y, families=[family], calibrate=False, time_budget=BIG, random_state=7)
        audited = FAMILIES[family].build(infer_column_roles(X), 7, audit=True)  # logistic: the forward fit
        expected = lw.out_of_fold_probs(audited, X, y, random_state=7, verbose=False)
        np.testing.assert_allclose(choice.probs, expected, atol=1e-12)

    def test_default_menu_is_the_families_marked_for_it(self):
        """Without ``families`` auto compares the default menu (extra trees, not the forest), logistic first."""
        choice = choose_model(*_linear(), time_budget=BIG)
        names = [c.name for c in choice.candidates]
        assert names == ["logistic"] + [n for n, f in FAMILIES.items() if f.in_default_menu and n != "logistic"]
        assert "extra_trees" in names and "forest" not in names

    def test_estimator_string_auto_in_out_of_fold_probs(self):
        X, y = _linear(50, 3)
        probs = lw.out_of_fold_probs("auto", X, y, random_state=0, time_budget=BIG)
        direct = choose_model(X, y, random_state=0, time_budget=BIG).probs
        np.testing.assert_allclose(probs, direct)

    @settings(max_examples=3, deadline=None)
    @given(st.integers(0, 10_000))
    def test_calibration_never_raises_the_log_loss(self, seed):
        X, y = _xor(120, seed)
        choice = choose_model(X, y, families=["logistic", "forest"], blend=False, time_budget=BIG, random_state=seed)
        best = next(c for c in choice.candidates if c.name == choice.chosen)
        assert choice.log_loss <= best.log_loss + 1e-12
        assert choice.log_loss == pytest.approx(log_loss(choice.probs, y))
        assert choice.calibrated == (best.calibrated_log_loss < best.log_loss)

    def test_deterministic(self):
        X, y = _xor(150)
        a = choose_model(X, y, families=["logistic", "forest"], time_budget=BIG, random_state=3)
        b = choose_model(X, y, families=["logistic", "forest"], time_budget=BIG, random_state=3)
        assert a.chosen == b.chosen
        np.testing.assert_array_equal(a.probs, b.probs)

    def test_renaming_classes_changes_nothing(self):
        """An order-preserving renaming of the classes gives the same probabilities."""
        X, y = _xor(150)
        a = choose_model(X, y, families=["logistic"], time_budget=BIG, random_state=1)
        b = choose_model(X, np.array(["no", "yes"])[y], families=["logistic"], time_budget=BIG, random_state=1)
        np.testing.assert_allclose(a.probs, b.probs)

    def test_result_frame_and_dict(self):
        choice = choose_model(*_xor(100), families=["logistic", "forest"], blend=False, time_budget=BIG)
        frame = choice.to_frame()
        assert list(frame["model"]) == ["logistic", "forest"] and frame["chosen"].sum() == 1
        d = choice.to_dict()
        assert {"chosen", "calibrated", "candidates", "log_loss", "notices"} <= set(d)
        assert all({"name", "log_loss", "accuracy", "seconds", "skipped"} <= set(c) for c in d["candidates"])

    def test_knn_is_skipped_on_tables_with_text(self):
        """kNN (dense features) is skipped, with the reason, when a text column gives sparse TF-IDF ones."""
        X, y = _xor(100)
        words = np.array(["red green blue", "one two three four", "a b c d e"])
        X = X.assign(note=words[np.arange(100) % 3])
        choice = choose_model(X, y, families=["logistic", "knn"], time_budget=BIG)
        knn = next(c for c in choice.candidates if c.name == "knn")
        assert knn.log_loss is None and "text columns ['note']" in knn.skipped

    def test_knn_runs_on_a_small_numeric_table(self):
        choice = choose_model(*_xor(100), families=["logistic", "knn"], time_budget=BIG)
        knn = next(c for c in choice.candidates if c.name == "knn")
        assert knn.skipped is None and knn.log_loss is not None

    def test_default_menu_leaves_boosting_out_below_its_minimum_rows(self):
        choice = choose_model(*_xor(300), time_budget=BIG)
        boosting = next(c for c in choice.candidates if c.name == "boosting")
        assert boosting.skipped == f"tried from {FAMILIES['boosting'].min_rows:,} rows on, the table has 300"
        named = choose_model(*_xor(300), families=["logistic", "boosting"], time_budget=BIG)
        assert all(c.skipped is None for c in named.candidates)

    def test_blend_is_a_cross_fitted_convex_mix(self):
        X, y = _xor(200)
        choice = choose_model(X, y, families=["logistic", "knn", "forest"], blend=True, agree=False, time_budget=BIG)
        if choice.chosen == "blend":
            weights = np.array(list(choice.blend_weights.values()))
            assert (weights >= 0).all() and weights.sum() == pytest.approx(1.0)
        assert choice.log_loss <= min(c.best_log_loss for c in choice.candidates)


class TestBudgetAndFailures:
    def test_budget_too_small_falls_back_to_logistic(self):
        choice = choose_model(*_xor(200), time_budget=1e-9, random_state=0)
        assert choice.chosen == "logistic"
        assert any("too small for even one candidate" in n and "fell back to logistic" in n for n in choice.notices)
        others = [c for c in choice.candidates if c.name != "logistic"]
        assert all(c.log_loss is None and c.skipped for c in others)

    def test_no_usable_column_is_one_error_not_one_per_family(self):
        """Only constant and identifier columns: the columns' error once (it was repeated by every family)."""
        frame = pd.DataFrame({"a": np.ones(60), "id": np.arange(60)})
        with pytest.raises(InvalidParameterError, match="at least one usable column") as caught:
            choose_model(frame, np.array([0, 1] * 30), cv=2, time_budget=BIG)
        assert str(caught.value).count("dropped column 'a'") == 1 and "failed on this data" not in str(caught.value)

    def test_a_failing_family_is_skipped_with_its_reason(self, monkeypatch):
        class Broken(ClassifierMixin, BaseEstimator):
            def fit(self, X, y):
                raise RuntimeError("cannot fit this\nsecond line")

        monkeypatch.setitem(FAMILIES, "broken", Family("broken", "always fails", lambda rs: Broken()))
        choice = choose_model(*_xor(100), families=["logistic", "broken"], time_budget=BIG)
        broken = next(c for c in choice.candidates if c.name == "broken")
        assert broken.skipped == "failed on this data: RuntimeError: cannot fit this"
        assert choice.chosen == "logistic"

    def test_every_family_failing_is_an_error(self, monkeypatch):
        class Broken(ClassifierMixin, BaseEstimator):
            def fit(self, X, y):
                raise RuntimeError("no")

        monkeypatch.setitem(FAMILIES, "broken", Family("broken", "always fails", lambda rs: Broken()))
        with pytest.raises(EstimatorError, match="every model family failed"):
            choose_model(*_xor(60), families=["broken"], time_budget=BIG)

    @pytest.mark.parametrize(
        "kwargs, error, match",
        [
            ({"time_budget": 0}, InvalidParameterError, "time_budget must be a positive"),
            ({"time_budget": "soon"}, InvalidParameterError, "time_budget must be a positive"),
            ({"families": ["svm"]}, InvalidParameterError, "families must be a non-empty subset"),
            ({"families": []}, InvalidParameterError, "families must be a non-empty subset"),
            ({"cv": 1}, LabelwiseError, "cv"),
        ],
    )
    def test_bad_parameters(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            choose_model(*_xor(60), **kwargs)

    def test_bad_data(self):
        X, y = _xor(60)
        with pytest.raises(ShapeMismatchError, match="same length"):
            choose_model(X, y[:-1])
        with pytest.raises(TooFewExamplesError, match="at least 2 classes"):
            choose_model(X, np.zeros(60, dtype=int))
        with pytest.raises(TooFewExamplesError, match="lower --cv"):
            choose_model(X, np.r_[np.ones(57, dtype=int), [0, 0, 0]])
        with pytest.raises(InvalidParameterError, match="DataFrame or a 2-D array"):
            choose_model(np.arange(60), y)
