"""``find_data_issues(check_options=...)``: names no check reads and values out of range are refused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import CHECKS, find_data_issues
from labelwise.errors import InvalidParameterError


@pytest.fixture(scope="module")
def table() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    return X, (X[:, 0] > 0).astype(int)


class TestOptionNames:
    def test_misspelled_option_is_refused_with_the_close_name(self, table):
        """A typo ('thresh') was ignored and the run used the default threshold without a word."""
        X, y = table
        with pytest.raises(
            InvalidParameterError, match=r"check_options\['near_duplicate'\] has no option 'thresh'"
        ) as e:
            find_data_issues(X, y, checks=["near_duplicate"], check_options={"near_duplicate": {"thresh": 0.2}})
        assert "did you mean 'threshold'" in str(e.value) and "'texts_must_match'" in str(e.value)

    def test_key_that_is_no_check_is_refused(self, table):
        """A check's name written wrong ('near_duplicates') was ignored too."""
        X, y = table
        with pytest.raises(
            InvalidParameterError, match="has no check 'near_duplicates' .did you mean 'near_duplicate'"
        ):
            find_data_issues(X, y, checks=["near_duplicate"], check_options={"near_duplicates": {"threshold": 0.2}})

    def test_option_of_a_check_that_takes_none_is_refused(self, table):
        X, y = table
        with pytest.raises(
            InvalidParameterError, match=r"check_options\['null'\] has no option 'x': it takes no options"
        ):
            find_data_issues(X, y, checks=["null"], check_options={"null": {"x": 1}})

    def test_options_not_a_dict_are_refused(self, table):
        X, y = table
        with pytest.raises(InvalidParameterError, match=r"check_options\['outlier'\] must be a dict"):
            find_data_issues(X, y, checks=["outlier"], check_options={"outlier": 3.0})

    def test_misspelled_option_is_refused_on_dask_features_too(self, table):
        da = pytest.importorskip("dask.array")
        X, y = table
        with pytest.raises(InvalidParameterError, match="has no option 'fences'"):
            find_data_issues(
                da.from_array(X, chunks=(30, 3)), y, checks=["outlier"], check_options={"outlier": {"fences": 1}}
            )

    @settings(max_examples=30, deadline=None)
    @given(check=st.sampled_from(sorted(CHECKS)), name=st.text(min_size=1, max_size=12))
    def test_any_name_a_check_does_not_declare_is_refused(self, check, name):
        """Every registered check refuses every option name it does not declare, before any work."""
        if name in CHECKS[check].options:
            return
        with pytest.raises(InvalidParameterError, match=r"has no option"):
            find_data_issues(np.zeros((4, 1)), checks=[check], check_options={check: {name: 1}})


class TestOptionValues:
    @pytest.mark.parametrize(
        ("check", "option", "value", "expected"),
        [
            ("near_duplicate", "threshold", -1, "a positive number"),
            ("near_duplicate", "threshold", "0.2", "a positive number"),
            ("class_imbalance", "threshold", 5, r"a number in \(0, 1\]"),
            ("outlier", "fence", -1.0, "a positive number"),
            ("underperforming_group", "threshold", -3, r"in \[0, 1\]"),
            ("underperforming_group", "min_cluster_size", 0, "an integer >= 1"),
            ("data_valuation", "k", 0, "an integer >= 1"),
        ],
    )
    def test_value_out_of_range_is_refused(self, table, check, option, value, expected):
        """These ran before (a negative radius flags nothing, a share of 5 flags every row)."""
        X, y = table
        with pytest.raises(
            InvalidParameterError, match=rf"check_options\['{check}'\]\['{option}'\] must be {expected}"
        ):
            find_data_issues(X, y, checks=[check], check_options={check: {option: value}})

    def test_data_valuation_k_above_the_graph_k_is_refused(self, table):
        """It was lowered to the graph's k without a word."""
        X, y = table
        with pytest.raises(InvalidParameterError, match=r"at most the graph's k \(10.*got 500"):
            find_data_issues(X, y, k=10, checks=["data_valuation"], check_options={"data_valuation": {"k": 500}})

    def test_documented_options_run(self, table):
        """docs/checks.md's example options (leakage reads near_duplicate's threshold, so an option of a
        check that is not run is accepted)."""
        X, y = table
        options = {
            "near_duplicate": {"threshold": 0.2},
            "non_iid": {"n_permutations": 100},
            "label": {"filter_by": "predicted_neq_given"},
            "data_valuation": {"k": 5},
            "underperforming_group": {"min_group_size": 1},
            "outlier": {"ratio": 0.13},
        }
        found = find_data_issues(X, y, checks=["outlier", "near_duplicate"], check_options=options)
        assert found.info["near_duplicate"]["threshold"] == 0.2


def test_a_misspelled_check_name_in_checks_names_the_close_one(table):
    """``checks=["near_duplicates"]`` listed every name only."""
    X, y = table
    with pytest.raises(InvalidParameterError, match=r"got \['near_duplicates'\] \(did you mean 'near_duplicate'\?\)"):
        find_data_issues(X, y, checks=["near_duplicates"])
