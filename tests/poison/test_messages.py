"""Error messages of the poison package name the parameter, what was expected and what was received."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from labelwise.errors import InvalidParameterError, TooFewExamplesError
from labelwise.poison import LNSVC, AuditThenTrain, alfa, lfa
from labelwise.poison._dual import project_dual


class TestDualProjection:
    def test_labels_outside_plus_minus_one_are_listed(self):
        """y with a 0 says so and shows the 0."""
        with pytest.raises(InvalidParameterError, match=r"y must contain only -1 and \+1, got also \[0\.0\]"):
            project_dual(np.zeros(3), np.array([1.0, 0.0, -1.0]), 1.0)


class TestAttacks:
    def test_missing_X_names_X_and_the_attack(self, moons):
        """An attack that needs features says X was None."""
        _, y, _, _ = moons
        with pytest.raises(
            InvalidParameterError, match=r"X is required by the 'alfa' attack.*X must be a feature array, got None"
        ):
            alfa(None, y, 0.1)

    def test_bad_cost_is_shown_with_its_position(self, moons):
        """A non-positive cost is named with its value and index."""
        X, y, _, _ = moons
        costs = np.ones(y.size)
        costs[7] = -2.0
        with pytest.raises(InvalidParameterError, match=r"costs must be positive and finite, got -2\.0 at position 7"):
            alfa(X, y, 0.1, costs=costs)

    def test_validation_pair_says_which_half_is_missing(self, moons):
        """X_val without y_val names both and which one is None."""
        X, y, _, _ = moons
        with pytest.raises(InvalidParameterError, match=r"got X_val but y_val=None"):
            lfa(X, y, 0.1, X_val=X)


class TestDefences:
    def test_fraction_parameters_use_the_shared_check(self, moons):
        """LNSVC's mu out of range is reported by check_fraction with the received value."""
        X, y, _, _ = moons
        with pytest.raises(InvalidParameterError, match=r"mu must be in \[0, 0\.5\), got 0\.7"):
            LNSVC(mu=0.7).fit(X, y)

    def test_drop_names_the_class_the_audit_emptied(self, moons, monkeypatch):
        """When the audit flags every example of a class, mode='drop' names that class."""
        import labelwise.audit as audit

        X, y, _, _ = moons
        real = audit.find_label_issues

        def flag_class_one(labels, probs, **kwargs):
            issues = real(labels, probs, **kwargs)
            return dataclasses.replace(issues, is_issue=np.asarray(labels) == 1)

        monkeypatch.setattr(audit, "find_label_issues", flag_class_one)
        with pytest.raises(TooFewExamplesError, match=r"flagged every example of class 1 \(\d+ of 200 examples kept\)"):
            AuditThenTrain(mode="drop").fit(X, y)


class TestSharedChecks:
    """check_fraction (open lower end) and check_positive live in labelwise._validate."""

    def test_open_lower_end_rejects_zero(self):
        """closed_low=False rejects the lower bound and says so with a parenthesis."""
        from labelwise._validate.arguments import check_fraction

        with pytest.raises(InvalidParameterError, match=r"eta must be a number in \(0, 1\], got 0"):
            check_fraction("eta", 0, closed_low=False, closed_high=True)
        assert check_fraction("eta", 1, closed_low=False, closed_high=True) == 1.0

    def test_booleans_are_not_fractions(self):
        """True is not accepted as 1.0."""
        from labelwise._validate.arguments import check_fraction

        with pytest.raises(InvalidParameterError, match=r"mu must be a number, got True"):
            check_fraction("mu", True, closed_high=True)

    @pytest.mark.parametrize("value", [0, -1.0, float("inf"), True, "1"])
    def test_check_positive_rejects_non_positive_values(self, value):
        """Zero, negatives, infinity, booleans and strings are rejected with the value shown."""
        from labelwise._validate.arguments import check_positive

        with pytest.raises(InvalidParameterError, match=r"^C must be a positive number, got"):
            check_positive("C", value)


def test_non_finite_feature_names_row_and_column():
    """check_X named only the row; it now says the column (by name for a DataFrame) and the value."""
    import pandas as pd

    from labelwise.poison._common import check_X

    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, float("inf"), 0.0]})
    with pytest.raises(InvalidParameterError, match=r"row 1 column 'b' is inf \(1 such row"):
        check_X(X)
    with pytest.raises(InvalidParameterError, match=r"row 1 column 1 is inf"):
        check_X(X.to_numpy())
