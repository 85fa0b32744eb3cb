"""A new user's bad inputs to ``labelwise.evaluate`` that main answered unclearly or not at all (session 42)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import InvalidParameterError, TooFewExamplesError
from labelwise.evaluate import (
    corrected_benchmark,
    corrections_from_changes,
    kendall_tau,
    ranking_agreement,
    rbo_ext,
    read_corrections,
    slice_scores,
    spearman_rho,
)

GIVEN = np.array([0, 1, 1, 0, 1, 0])
FIXED = np.array([0, 1, 0, 0, 1, 1])


class TestCorrectedBenchmark:
    def test_one_model_name_as_a_string_is_refused_not_read_letter_by_letter(self):
        """prevalence_curve(models="cv_model") said "unknown ['c', 'v', ...]"; now it names the string and the fix."""
        ev = corrected_benchmark({"cv_model": GIVEN, "other": FIXED}, GIVEN, FIXED)
        with pytest.raises(
            InvalidParameterError,
            match=r"models must be a non-empty list of model names \(among "
            r"\['cv_model', 'other'\]\), got str 'cv_model'; write \['cv_model'\]",
        ):
            ev.prevalence_curve(models="cv_model")
        with pytest.raises(InvalidParameterError, match=r"models must be a non-empty list .* got list \[\]"):
            ev.prevalence_curve(models=[])
        assert ev.prevalence_curve(models=["cv_model"]).models == ("cv_model",)

    @pytest.mark.parametrize("metric", ["roc_auc", "roc_auc_score", "log_loss", "brier"])
    def test_a_probability_metric_says_the_benchmark_scores_labels(self, metric):
        """roc_auc failed inside scikit-learn ("multi_class must be in ('ovo', 'ovr')"); now the message says why."""
        probs = np.tile([0.3, 0.7], (6, 1))
        with pytest.raises(
            InvalidParameterError,
            match=rf"metric must score predicted labels .* got '{metric}', "
            "which scores probabilities",
        ):
            corrected_benchmark({"a": probs}, GIVEN, FIXED, metric=metric)

    def test_changes_that_are_not_a_frame_name_the_parameter(self):
        """A dict of columns raised AttributeError ('dict' object has no attribute 'columns')."""
        with pytest.raises(
            InvalidParameterError, match="changes must be a DataFrame with columns row, action and new_label, got dict"
        ):
            corrections_from_changes({"row": [0], "action": ["relabel"], "new_label": [1]}, GIVEN)

    def test_read_corrections_without_a_path_names_the_parameter(self):
        """read_corrections(None, given) raised pathlib's TypeError."""
        with pytest.raises(
            InvalidParameterError,
            match="path must be a review export folder or a corrections file path, got NoneType None",
        ):
            read_corrections(None, GIVEN)


class TestSliceScores:
    def test_metrics_that_are_neither_a_name_nor_a_list_are_refused(self):
        """metrics=5 raised "'int' object is not iterable"."""
        with pytest.raises(
            InvalidParameterError, match="metrics must be a metric name, a callable or a list of them, got int 5"
        ):
            slice_scores(GIVEN, FIXED, {"s": GIVEN > 0}, metrics=5)


class TestRanking:
    def test_ci_of_zero_is_refused(self):
        """ci=0 was accepted and gave intervals whose ends are both the median."""
        a = pd.Series({"x": 1.0, "y": 2.0, "z": 3.0})
        with pytest.raises(InvalidParameterError, match=r"ci must be a number in \(0, 1\), got 0"):
            ranking_agreement(a, a, ci=0)

    def test_persistence_says_the_open_interval_once(self):
        """p=0 said "p must be in (0, 1)" but p=1.5 "p must be in [0, 1)": both now say (0, 1), in both functions."""
        a = pd.Series({"x": 1.0, "y": 2.0, "z": 3.0})
        for p in (0, 1.5):
            with pytest.raises(InvalidParameterError, match=r"p must be a number in \(0, 1\)"):
                rbo_ext(["x", "y"], ["y", "x"], p=p)
            with pytest.raises(InvalidParameterError, match=r"p must be a number in \(0, 1\)"):
                ranking_agreement(a, a, p=p, n_boot=0)

    @pytest.mark.parametrize(("fn", "name"), [(kendall_tau, "kendall_tau"), (spearman_rho, "spearman_rho")])
    def test_fewer_than_two_systems_are_refused(self, fn, name):
        """Empty lists gave NaN (and numpy's "Mean of empty slice" for Spearman); tau_ap refused them already."""
        with pytest.raises(TooFewExamplesError, match=rf"{name} needs at least 2 systems, got 0"):
            fn([], [])
        with pytest.raises(TooFewExamplesError, match=rf"{name} needs at least 2 systems, got 1"):
            fn([1.0], [2.0])
