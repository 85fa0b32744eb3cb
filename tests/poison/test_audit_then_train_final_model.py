"""AuditThenTrain exposes its final model's methods and checks it can take weights before auditing."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import labelwise.audit
from labelwise.errors import EstimatorError, LabelwiseWarning
from labelwise.poison import AuditThenTrain


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = np.repeat(["ant", "bee"], 40)
    return rng.normal(size=(80, 2)) + 2.5 * (y == "bee")[:, None], y


class TestWeightMode:
    def test_a_model_without_sample_weight_is_refused_by_name_before_the_audit(self, monkeypatch):
        """mode='weight' with KNN is an EstimatorError naming the model, raised before any audit fit."""
        X, y = _data()

        def no_audit(*args, **kwargs):
            raise AssertionError("the audit ran before the refusal")

        monkeypatch.setattr(labelwise.audit, "find_label_issues", no_audit)
        with pytest.raises(EstimatorError, match=r"mode='weight'.*sample_weight.*KNeighborsClassifier"):
            AuditThenTrain(KNeighborsClassifier(), mode="weight", cv=2).fit(X, y)

    def test_a_pipeline_gets_its_weights_through_its_last_step(self):
        """mode='weight' with a Pipeline fits (main passed sample_weight= to Pipeline.fit: a raw ValueError)."""
        X, y = _data()
        pipe = make_pipeline(StandardScaler(), LogisticRegression())
        model = AuditThenTrain(pipe, mode="weight", cv=2, random_state=0).fit(X, y)
        assert model.score(X, y) > 0.9


class TestFinalModelMethods:
    def test_decision_function_is_absent_when_the_final_model_has_none(self):
        """A random forest has no decision_function, so neither has the defence (hasattr is False, fitted or not)."""
        X, y = _data()
        model = AuditThenTrain(RandomForestClassifier(n_estimators=10, random_state=0), cv=2, random_state=0)
        assert not hasattr(model, "decision_function")
        model.fit(X, y)
        assert not hasattr(model, "decision_function")
        assert set(model.predict(X)) <= {"ant", "bee"}

    def test_predict_proba_is_the_final_models_in_the_order_of_classes(self):
        """predict_proba is present for a final model that has it: one column per class of y, rows summing to 1."""
        X, y = _data()
        model = AuditThenTrain(LogisticRegression(), cv=2, random_state=0).fit(X, y)
        proba = model.predict_proba(X)
        assert proba.shape == (80, 2)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X))

    def test_the_default_svc_has_decision_function_and_no_predict_proba(self):
        """The default final SVC (probability=False) keeps decision_function and has no predict_proba."""
        X, y = _data()
        model = AuditThenTrain(cv=2, random_state=0).fit(X, y)
        assert model.decision_function(X).shape == (80,)
        assert not hasattr(model, "predict_proba")

    def test_a_class_the_final_model_never_saw_is_named_and_gets_probability_zero(self, monkeypatch):
        """When dropping leaves a class without rows, a warning names it and predict_proba gives it a zero column."""
        rng = np.random.default_rng(1)
        y = np.repeat(["ant", "bee", "cow"], [40, 40, 12])
        X = rng.normal(size=(92, 2)) + 3.0 * (y == "bee")[:, None]
        real = labelwise.audit.find_label_issues

        def flag_every_cow(labels, probs, **kwargs):
            found = real(labels, probs, **kwargs)
            object.__setattr__(found, "is_issue", np.asarray(labels) == 2)
            return found

        monkeypatch.setattr(labelwise.audit, "find_label_issues", flag_every_cow)
        with pytest.warns(LabelwiseWarning, match=r"no example of class 'cow'"):
            model = AuditThenTrain(LogisticRegression(), probe=LogisticRegression(), cv=2, random_state=0).fit(X, y)
        proba = model.predict_proba(X)
        assert proba.shape == (92, 3)
        np.testing.assert_array_equal(proba[:, 2], 0.0)
