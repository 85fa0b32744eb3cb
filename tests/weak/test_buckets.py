"""Tests of ``weak.label_buckets``, ``weak.filter_unlabeled`` and ``weak.lf_empirical_probs``, with
Snorkel 0.10 (its own virtualenv, by subprocess) computing the same on the same arrays.

Snorkel pins packages the project's environment cannot hold, so it is not a test dependency: the
comparison runs when ``LABELWISE_SNORKEL_PYTHON`` names the Python of a virtualenv holding Snorkel
0.10 (``benchmarks/bench_weak_pre.py`` makes the same comparison on every run)."""

from __future__ import annotations

import json
import os
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import (
    InvalidParameterError,
    InvalidProbabilitiesError,
    LabelwiseWarning,
    ShapeMismatchError,
)
from labelwise.weak import Votes, apply, filter_unlabeled, label_buckets, labeling_function, lf_empirical_probs

SETTINGS = settings(max_examples=30, deadline=None)
SNORKEL_PYTHON = Path(os.environ.get("LABELWISE_SNORKEL_PYTHON", "/nonexistent/snorkel-python"))

labels = st.lists(st.integers(-1, 2), min_size=1, max_size=40)


class TestLabelBuckets:
    def test_buckets_hold_the_rows_of_each_pair_in_order_of_first_row(self):
        """Snorkel's docstring example: true positives, abstained positives and negatives."""
        buckets = label_buckets(np.array([1, 1, 1, 0]), np.array([1, 1, -1, -1]))
        assert list(buckets) == [(1, 1), (1, -1), (0, -1)]
        assert buckets[(1, 1)].tolist() == [0, 1] and buckets[(0, -1)].dtype == np.int64

    def test_any_labels_and_any_number_of_arrays(self):
        """String labels, a Series, a column vector and three arrays are taken alike."""
        buckets = label_buckets(pd.Series(["a", "b", "a"]), np.array([[1], [1], [1]]), ["x", "x", "y"])
        assert {k: v.tolist() for k, v in buckets.items()} == {
            ("a", 1, "x"): [0],
            ("b", 1, "x"): [1],
            ("a", 1, "y"): [2],
        }

    def test_missing_labels_are_a_bucket_of_their_own(self):
        """NaN is one label value, not dropped."""
        buckets = label_buckets(np.array([1.0, np.nan, np.nan]), np.array([0, 0, 0]))
        assert len(buckets) == 2 and sorted(len(v) for v in buckets.values()) == [1, 2]

    def test_a_missing_label_is_the_key_none_which_a_lookup_finds(self):
        """NaN, None and pd.NA are one bucket keyed ``None`` (a NaN key could not be looked up)."""
        buckets = label_buckets(np.array([1.0, np.nan, np.nan]), np.array([0, 0, 0]))
        assert buckets[(None, 0)].tolist() == [1, 2] and buckets[(1.0, 0)].tolist() == [0]
        mixed = label_buckets(pd.Series(["a", None, np.nan, pd.NA], dtype=object), [0, 0, 0, 0])
        assert {k: v.tolist() for k, v in mixed.items()} == {("a", 0): [0], (None, 0): [1, 2, 3]}

    def test_arrays_of_different_lengths_are_refused(self):
        """The error names the array and both lengths."""
        with pytest.raises(ShapeMismatchError, match=r"y\[1\] must have as many labels as y\[0\] \(3\), got 2"):
            label_buckets([0, 1, 1], [0, 1])

    def test_no_array_or_a_non_array_is_refused(self):
        """At least one label array is needed; a scalar is not one."""
        with pytest.raises(InvalidParameterError, match="at least one label array"):
            label_buckets()
        with pytest.raises(InvalidParameterError, match=r"y\[0\] must be an array of labels"):
            label_buckets(3)
        with pytest.raises(ShapeMismatchError, match=r"y\[0\] must be a 1-D array"):
            label_buckets(np.zeros((2, 2)))

    @given(labels, st.randoms(use_true_random=False))
    @SETTINGS
    def test_buckets_partition_the_rows_and_follow_a_permutation(self, y, rng):
        """Every row is in the bucket of its labels; permuting rows permutes the positions; renaming
        the labels renames the keys."""
        a = np.array(y)
        b = a[::-1].copy()
        buckets = label_buckets(a, b)
        rows = np.sort(np.concatenate(list(buckets.values())))
        assert rows.tolist() == list(range(len(a)))
        assert all((a[v] == k[0]).all() and (b[v] == k[1]).all() for k, v in buckets.items())
        order = list(range(len(a)))
        rng.shuffle(order)
        moved = label_buckets(a[order], b[order])
        assert {k: sorted(np.array(order)[v].tolist()) for k, v in moved.items()} == {
            k: v.tolist() for k, v in buckets.items()
        }
        renamed = label_buckets(np.array([f"c{v}" for v in a]), b)
        assert {(int(k[0][1:]), k[1]): v.tolist() for k, v in renamed.items()} == {
            k: v.tolist() for k, v in buckets.items()
        }


class TestFilterUnlabeled:
    def test_rows_every_function_abstained_on_are_dropped_with_their_probabilities(self):
        """A matrix filters by position; the probabilities follow."""
        df = pd.DataFrame({"x": [1, 2, 3]}, index=["a", "b", "c"])
        probas = np.array([[1.0, 0.0], [0.5, 0.5], [0.25, 0.75]])
        kept = filter_unlabeled(df, np.array([[0, -1], [-1, -1], [-1, 1]]), probas)
        assert kept.frame.index.tolist() == ["a", "c"] and kept.probas.tolist() == [[1.0, 0.0], [0.25, 0.75]]

    def test_votes_filter_by_item(self):
        """Votes from ``weak.apply`` are matched to the frame by its index, whatever its order."""
        df = pd.DataFrame({"x": [1, 0, 3]}, index=[7, 8, 9])
        votes = apply([labeling_function(lambda r: "p" if r.x else None, name="f")], df)
        assert isinstance(votes, Votes)
        assert filter_unlabeled(df.iloc[::-1], votes).frame.index.tolist() == [9, 7]
        assert filter_unlabeled(df, votes.answers).kept.tolist() == [True, False, True]

    def test_bad_inputs_are_named(self):
        """A matrix or probabilities of another length, a non-frame and a float matrix are refused."""
        df = pd.DataFrame({"x": [1, 2]})
        with pytest.raises(ShapeMismatchError, match=r"one row per row of df \(2\), got shape \(3, 1\)"):
            filter_unlabeled(df, np.zeros((3, 1), dtype=int))
        with pytest.raises(ShapeMismatchError, match="probas must have one row per row of df"):
            filter_unlabeled(df, np.zeros((2, 1), dtype=int), np.full((3, 2), 0.5))
        with pytest.raises(InvalidParameterError, match="df must be a pandas DataFrame, got list"):
            filter_unlabeled([1, 2], np.zeros((2, 1), dtype=int))
        with pytest.raises(InvalidParameterError, match="integer label matrix"):
            filter_unlabeled(df, np.zeros((2, 1)))

    def test_probabilities_that_are_not_are_refused(self):
        """probas with a NaN, a row not summing to 1 or text: refused naming probas and the row, not
        filtered into an end model's training set."""
        df = pd.DataFrame({"x": [1, 2]})
        votes = np.array([[0, -1], [1, 0]])
        with pytest.raises(InvalidProbabilitiesError, match="probas must be finite .* row 1 contains nan"):
            filter_unlabeled(df, votes, np.array([[0.5, 0.5], [np.nan, 0.5]]))
        with pytest.raises(InvalidProbabilitiesError, match="probas must sum to 1 in every row .* row 0 sums to 1.4"):
            filter_unlabeled(df, votes, np.array([[0.9, 0.5], [0.5, 0.5]]))
        with pytest.raises(InvalidProbabilitiesError, match="probas must be a numeric array"):
            filter_unlabeled(df, votes, np.array([["a", "b"], ["c", "d"]]))


class TestEmpiricalProbs:
    def test_each_column_is_the_vote_distribution_on_the_gold_class(self):
        """``P[j, l + 1, y]`` = P(vote l | gold y), abstain in row 0; a class without gold is NaN."""
        P = lf_empirical_probs(np.array([[0, -1], [1, 1], [1, 0], [0, 0]]), np.array([0, 1, 1, 0]), classes=range(3))
        assert P.shape == (2, 4, 3)
        np.testing.assert_allclose(P[0, :, :2], [[0, 0], [1, 0], [0, 1], [0, 0]])
        np.testing.assert_allclose(P[1, :, :2], [[0.5, 0], [0.5, 0.5], [0, 0.5], [0, 0]])
        assert np.isnan(P[:, :, 2]).all()

    @given(st.lists(st.tuples(st.integers(-1, 2), st.integers(-1, 2), st.integers(0, 2)), min_size=2, max_size=40))
    @SETTINGS
    def test_columns_with_gold_sum_to_one_and_rows_may_be_permuted(self, rows):
        """Each gold class's column is a distribution; the table does not depend on the rows' order."""
        arr = np.array(rows)
        if (arr[:, :2] == -1).all():
            arr[0, 0] = 0
        L, y = arr[:, :2], arr[:, 2]
        P = lf_empirical_probs(L, y, classes=range(3))
        present = np.bincount(y, minlength=3) > 0
        np.testing.assert_allclose(P[:, :, present].sum(axis=1), 1.0)
        np.testing.assert_allclose(lf_empirical_probs(L[::-1], y[::-1], classes=range(3)), P)

    def test_gold_is_required_and_an_unvoted_class_warns(self):
        """No gold is an error; a gold class no function voted is warned about and left out."""
        with pytest.raises(InvalidParameterError, match="gold must hold the true labels"):
            lf_empirical_probs(np.array([[0]]), None)
        with pytest.warns(LabelwiseWarning, match="no labeler voted"):
            P = lf_empirical_probs(pd.DataFrame({"item": [0, 1], "labeler": "f", "label": "a"}), np.array(["a", "b"]))
        assert P.shape == (1, 2, 1) and P[0, 1, 0] == 1.0

    def test_a_gold_minus_one_is_no_gold_without_a_warning(self):
        """Gold ``-1`` (Snorkel's unlabeled) leaves its item out, silently, in arrays and Series."""
        L = np.array([[0, -1], [1, 1], [1, 0], [0, 0]])
        expected = lf_empirical_probs(L[:3], np.array([0, 1, 1]))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            P = lf_empirical_probs(L, np.array([0, 1, 1, -1]))
            from_series = lf_empirical_probs(L, pd.Series([0, 1, 1, -1]))
        np.testing.assert_array_equal(P, expected)
        np.testing.assert_array_equal(from_series, expected)


SNORKEL = """
import json, sys
import numpy as np
from snorkel.analysis import get_label_buckets
from snorkel.labeling import LFAnalysis
d = json.loads(sys.stdin.read())
L, y, p = np.array(d["L"]), np.array(d["y"]), np.array(d["p"])
b = get_label_buckets(y, p, L[:, 0])
P = LFAnalysis(L).lf_empirical_probs(y, 3)
print(json.dumps({"buckets": [[list(map(int, k)), v.tolist()] for k, v in b.items()], "P": P.tolist()}))
"""


@pytest.mark.slow
@pytest.mark.skipif(
    not SNORKEL_PYTHON.exists(), reason="LABELWISE_SNORKEL_PYTHON does not name a Python with Snorkel 0.10"
)
def test_buckets_and_empirical_probs_match_snorkel():
    """Snorkel's get_label_buckets and lf_empirical_probs on the same random arrays agree exactly."""
    rng = np.random.default_rng(3)
    L = rng.integers(-1, 3, size=(300, 4))
    y = rng.integers(0, 3, size=300)
    y[::17] = -1  # unlabeled gold: Snorkel counts it in no class
    p = rng.integers(-1, 3, size=300)
    data = json.dumps({"L": L.tolist(), "y": y.tolist(), "p": p.tolist()})
    done = subprocess.run([str(SNORKEL_PYTHON), "-c", SNORKEL], input=data, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    ours = label_buckets(y, p, L[:, 0])
    assert [[list(k), v.tolist()] for k, v in ours.items()] == theirs["buckets"]
    np.testing.assert_allclose(lf_empirical_probs(L, y, classes=range(3)), np.array(theirs["P"]))
