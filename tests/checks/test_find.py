"""find_data_issues: columns, summary, skipping, determinism, permutation invariance, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.checks import CHECKS, DataIssues, find_data_issues
from labelwise.errors import (
    InvalidParameterError,
    LabelwiseError,
    LabelwiseWarning,
    ShapeMismatchError,
)

from ._data import blobs_with_issues


@pytest.fixture(scope="module")
def data():
    return blobs_with_issues()


class TestResult:
    def test_every_check_that_applies_adds_its_two_columns(self, data):
        """With features and labels, every default check but leakage (a split) and near_duplicate_text (texts)
        runs and adds is_/score columns."""
        found = find_data_issues(data.X, data.y)
        assert isinstance(found, DataIssues)
        ran = set(found.checks_run)
        assert ran == {name for name, check in CHECKS.items() if check.default} - {"leakage", "near_duplicate_text"}
        for name in ran:
            assert found.issues[f"is_{name}_issue"].dtype == bool
            score = found.issues[f"{name}_score"]
            assert ((score >= 0) & (score <= 1)).all()
        assert len(found.issues) == len(data.X)
        assert {"given_label", "predicted_label"} <= set(found.issues.columns)

    def test_a_check_without_its_inputs_is_skipped_with_a_reason(self, data):
        """Leakage without a split, label checks without labels: skipped, one-line reason."""
        found = find_data_issues(data.X)
        rows = found.summary.set_index("check")
        assert rows.loc["leakage", "status"] == "skipped"
        assert "split" in rows.loc["leakage", "reason"]
        assert rows.loc["label", "status"] == "skipped"
        assert "labels" in rows.loc["label", "reason"]
        assert rows.loc["outlier", "status"] == "ran"

    def test_leakage_with_a_graph_but_no_features_is_skipped(self, data):
        """Leakage's exact train/test twins are found on the features, so a graph alone is not enough."""
        graph = find_data_issues(data.X, checks="outlier").graph
        split = np.where(np.arange(len(data.X)) % 2 == 0, "train", "test")
        rows = find_data_issues(graph=graph, split=split, checks="leakage").summary.set_index("check")
        assert rows.loc["leakage", "status"] == "skipped"
        assert "features" in rows.loc["leakage", "reason"]

    def test_a_skip_reason_names_only_what_is_missing(self, data):
        """The reason names the missing inputs of the closest alternative, each once."""
        rows = find_data_issues(data.X, data.y).summary.set_index("check")
        assert rows.loc["leakage", "reason"] == "needs a split (split= / --split-column)"
        graph = find_data_issues(data.X, checks="outlier").graph
        rows = find_data_issues(graph=graph, labels=data.y).summary.set_index("check")
        assert rows.loc["null", "reason"] == "needs features"
        assert rows.loc["leakage", "reason"] == "needs a split (split= / --split-column) and features"

    def test_checks_argument_runs_only_the_named_checks(self, data):
        """checks='label' runs only the label check."""
        found = find_data_issues(data.X, data.y, checks="label")
        assert found.summary["check"].tolist() == ["label"]
        assert [c for c in found.issues.columns if c.startswith("is_")] == ["is_label_issue"]

    def test_probs_only_runs_label_and_entropy_outliers_without_a_graph(self, data):
        """Without features no graph is built; outlier falls back to the entropy score."""
        rng = np.random.default_rng(0)
        probs = rng.dirichlet(np.ones(3), size=len(data.y))
        found = find_data_issues(labels=data.y, probs=probs)
        assert found.graph is None
        assert {"label", "outlier", "class_imbalance"} <= set(found.checks_run)
        assert found.info["outlier"]["method"] == "entropy of probs"

    def test_is_deterministic(self, data):
        """Two runs give identical tables and info."""
        a = find_data_issues(data.X, data.y, random_state=3)
        b = find_data_issues(data.X, data.y, random_state=3)
        pd.testing.assert_frame_equal(a.issues, b.issues)
        assert a.info == b.info

    def test_scores_follow_a_permutation_of_the_rows(self, data):
        """Permuting the rows permutes every order-free score (non_iid is about order itself)."""
        perm = np.random.default_rng(5).permutation(len(data.y))
        a = find_data_issues(data.X, data.y)
        b = find_data_issues(data.X[perm], data.y[perm])
        for name in ["label", "outlier", "exact_duplicate", "near_duplicate", "class_imbalance"]:
            np.testing.assert_allclose(
                b.issues[f"{name}_score"], a.issues[f"{name}_score"].to_numpy()[perm], atol=1e-9, err_msg=name
            )

    def test_data_valuation_follows_a_permutation_of_rows_without_exact_twins(self, data):
        """Without identical rows (whose cut at the k-th neighbour is a tie), valuation is order-free."""
        keep = np.setdiff1d(np.arange(len(data.y)), data.exact)
        X, y = data.X[keep], data.y[keep]
        perm = np.random.default_rng(6).permutation(len(y))
        a = find_data_issues(X, y, checks="data_valuation")
        b = find_data_issues(X[perm], y[perm], checks="data_valuation")
        np.testing.assert_allclose(b.issues["data_valuation_score"], a.issues["data_valuation_score"].to_numpy()[perm])

    def test_summary_dict_has_a_section_per_check_and_the_graph(self, data):
        """summary_dict() is JSON-ready with one section per check."""
        import json

        out = find_data_issues(data.X, data.y).summary_dict()
        assert {name for name, check in CHECKS.items() if check.default} <= set(out)
        assert out["graph"]["metric"] == "euclidean"
        json.dumps(out, default=str)


class TestBadInput:
    def test_nan_features_name_the_rows(self):
        """NaN features are an error naming the rows, unless impute=True."""
        X = np.random.default_rng(0).normal(size=(30, 3))
        X[[4, 9], 1] = np.nan
        with pytest.raises(InvalidParameterError, match=r"rows \[4, 9\].*impute"):
            find_data_issues(X)
        found = find_data_issues(X, impute=True)
        assert found.issues["null_score"].iloc[4] == pytest.approx(2 / 3)

    def test_infinite_features_are_an_error(self):
        """inf is not a feature value."""
        X = np.random.default_rng(0).normal(size=(30, 3))
        X[7, 0] = np.inf
        with pytest.raises(InvalidParameterError, match=r"rows \[7\]"):
            find_data_issues(X)

    def test_features_and_labels_of_different_lengths(self):
        """The message gives both lengths."""
        with pytest.raises(ShapeMismatchError, match="30 rows and 29 labels"):
            find_data_issues(np.random.default_rng(0).normal(size=(30, 3)), np.zeros(29))

    def test_k_at_least_n_is_lowered_with_a_warning(self):
        """k not below the number of rows is lowered to n - 1, as audit --k is (tests/checks/test_small_tables.py)."""
        with pytest.warns(
            LabelwiseWarning, match="k 10 is not below the number of rows \\(10\\); the data checks use k=9"
        ):
            found = find_data_issues(np.random.default_rng(0).normal(size=(10, 3)))
        assert found.graph.k == 9

    def test_string_feature_matrix(self):
        """A matrix of strings is refused, pointing to a DataFrame; a frame's free-text column is refused,
        naming it (its short strings are one-hot encoded since session 47: tests/checks/test_table_features.py)."""
        with pytest.raises(InvalidParameterError, match="numeric.*a pandas DataFrame's category and string columns"):
            find_data_issues(np.array([["a", "b"]] * 20))
        frame = pd.DataFrame({"x": np.arange(20.0), "colour": ["a red and blue one"] * 20})
        with pytest.raises(InvalidParameterError, match="colour.*free text"):
            find_data_issues(frame)

    def test_all_constant_features(self):
        """Every column constant: the graph checks have nothing to compare, and the error names them."""
        with pytest.raises(InvalidParameterError, match="every column is constant"):
            find_data_issues(np.ones((20, 3)))

    @pytest.mark.parametrize("check", ["outlier", "near_duplicate", "non_iid", "data_valuation"])
    def test_a_graph_check_refuses_features_constant_after_imputation(self, check):
        """Features that vary only where values are missing: the graph check asked for is refused, named."""
        X = np.ones((20, 3))
        X[::3, 1] = np.nan
        with pytest.raises(InvalidParameterError, match=rf"features must vary .*\b{check}\b.*every column is constant"):
            find_data_issues(X, labels=np.arange(20) % 2, checks=[check], impute=True)

    def test_a_given_graph_needs_no_varying_features(self):
        """With a graph given, constant features are not searched: the graph checks run on the graph."""
        from labelwise.checks import NeighborGraph

        graph = NeighborGraph.build(np.random.default_rng(0).normal(size=(20, 3)), k=3)
        found = find_data_issues(np.ones((20, 3)), graph=graph, checks=["outlier", "null"])
        assert found.summary.set_index("check").loc[["outlier", "null"], "status"].tolist() == ["ran", "ran"]

    def test_split_with_one_value(self):
        """A split must have training and evaluation rows."""
        X = np.random.default_rng(0).normal(size=(20, 3))
        with pytest.raises(InvalidParameterError, match="split must have at least 2 values.*'train'"):
            find_data_issues(X, split=["train"] * 20)

    def test_split_without_the_training_value(self):
        """The training value must appear in the split; its values are shown once quoted."""
        X = np.random.default_rng(0).normal(size=(20, 3))
        with pytest.raises(InvalidParameterError, match="train_value.*got values 'a', 'b'$"):
            find_data_issues(X, split=["a", "b"] * 10)

    def test_an_object_array_of_numbers_is_read_as_numbers(self):
        """Numbers held in an object array (None as missing) give the same result as floats."""
        X = np.random.default_rng(0).normal(size=(30, 3))
        as_objects = X.astype(object)
        expected = find_data_issues(X, checks="outlier").issues
        pd.testing.assert_frame_equal(find_data_issues(as_objects, checks="outlier").issues, expected)
        as_objects[4, 1] = None
        with pytest.raises(InvalidParameterError, match=r"rows \[4\]"):
            find_data_issues(as_objects, checks="outlier")

    def test_an_object_array_with_a_string_names_the_value_and_where(self):
        """A string among numbers is refused at its index."""
        X = np.random.default_rng(0).normal(size=(30, 3)).astype(object)
        X[7, 2] = "n/a"
        with pytest.raises(InvalidParameterError, match=r"got 'n/a' at index \(7, 2\)"):
            find_data_issues(X, checks="outlier")

    def test_unknown_check_name(self):
        """The message lists the known checks."""
        with pytest.raises(InvalidParameterError, match="outlier"):
            find_data_issues(np.random.default_rng(0).normal(size=(20, 3)), checks=["outliers"])

    def test_no_input_at_all(self):
        """At least one input is needed."""
        with pytest.raises(LabelwiseError, match="at least one of"):
            find_data_issues()


def test_a_shared_intermediate_is_dropped_after_the_last_check_that_names_it(data):
    """The label check's given-label votes stay in the cache until the group check (which names them)
    has run, and are gone before the next check; when the group check does not name them, they go
    right after the label check and the group check counts them again. The columns are the same."""
    from dataclasses import replace

    from labelwise.checks import find as find_module
    from labelwise.checks._base import Check, CheckInputs, CheckResult

    seen: list[set[str]] = []

    def probe(inputs: CheckInputs) -> CheckResult:
        seen.append(set(inputs.cache))
        return CheckResult({}, {"check": "probe", "status": "ran", "n_issues": 0, "score": 1.0, "reason": ""})

    probe_check = Check("probe", requires=(("labels",),), run=probe)
    names = ["label", "underperforming_group"]
    found = find_data_issues(data.X, data.y, checks=names)
    codes = np.unique(data.y, return_inverse=True)[1]
    undeclared = replace(CHECKS["underperforming_group"], shares=())
    for group, kept_for_group in ((CHECKS["underperforming_group"], True), (undeclared, False)):
        seen.clear()
        graph = found.label_graph
        inputs = CheckInputs(n=len(data.y), features=data.X, labels=codes, classes=np.unique(data.y), graph=graph)
        got = find_module._run_checks([CHECKS["label"], probe_check, group, probe_check], inputs, graph, None)
        assert ("label_given_probs" in seen[0]) == kept_for_group  # between the label and the group check
        assert "label_given_probs" not in seen[1]  # after the group check
        pd.testing.assert_frame_equal(got.issues, found.issues, check_exact=True)
