"""Behaviour of labelwise.find_label_issues: properties, result object, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.audit import FILTERS
from labelwise.errors import (
    InvalidLabelsError,
    InvalidParameterError,
    InvalidProbabilitiesError,
    LabelwiseError,
    LabelwiseWarning,
    ShapeMismatchError,
)
from tests.audit._data import noisy_probs

data_params = st.fixed_dictionaries(
    {
        "n": st.integers(60, 400),
        "k": st.integers(2, 7),
        "seed": st.integers(0, 10_000),
        "noise": st.floats(0.0, 0.4),
    }
)


class TestProperties:
    """Invariants: row permutation, class renaming, determinism."""

    @settings(max_examples=25, deadline=None)
    @given(params=data_params, filter_by=st.sampled_from(list(FILTERS)), perm_seed=st.integers(0, 1000))
    def test_permuting_rows_permutes_the_result(self, params, filter_by, perm_seed):
        """Shuffling the examples shuffles the flags, scores and suggestions the same way."""
        labels, probs, _ = noisy_probs(**params)
        perm = np.random.default_rng(perm_seed).permutation(len(labels))
        a = lw.find_label_issues(labels, probs, filter_by=filter_by)
        b = lw.find_label_issues(labels[perm], probs[perm], filter_by=filter_by)
        np.testing.assert_array_equal(a.is_issue[perm], b.is_issue)
        np.testing.assert_allclose(a.label_quality[perm], b.label_quality)
        np.testing.assert_array_equal(a.suggested_label[perm], b.suggested_label)
        np.testing.assert_array_equal(a.confident_joint, b.confident_joint)
        np.testing.assert_array_equal(np.sort(perm[b.ranked_indices]), np.sort(a.ranked_indices))

    @settings(max_examples=25, deadline=None)
    @given(params=data_params, filter_by=st.sampled_from(list(FILTERS)))
    def test_renaming_classes_renames_the_result(self, params, filter_by):
        """String class names in place of integers give the same flags, with names mapped back."""
        labels, probs, _ = noisy_probs(**params)
        names = np.array([f"class-{chr(97 + i)}" for i in range(probs.shape[1])], dtype=object)
        a = lw.find_label_issues(labels, probs, filter_by=filter_by)
        b = lw.find_label_issues(names[labels], probs, filter_by=filter_by, classes=names)
        np.testing.assert_array_equal(a.is_issue, b.is_issue)
        np.testing.assert_array_equal(names[a.suggested_label.astype(int)], b.suggested_label)
        np.testing.assert_array_equal(b.given_label, names[labels])
        assert list(b.class_summary["class"]) == list(names)

    @settings(max_examples=15, deadline=None)
    @given(params=data_params, filter_by=st.sampled_from(list(FILTERS)))
    def test_results_are_deterministic(self, params, filter_by):
        """The same input gives the same result twice."""
        labels, probs, _ = noisy_probs(**params)
        a = lw.find_label_issues(labels, probs, filter_by=filter_by)
        b = lw.find_label_issues(labels.copy(), probs.copy(), filter_by=filter_by)
        np.testing.assert_array_equal(a.is_issue, b.is_issue)
        np.testing.assert_array_equal(a.ranked_indices, b.ranked_indices)

    @settings(max_examples=20, deadline=None)
    @given(params=data_params)
    def test_noise_matrices_are_column_stochastic_and_joint_sums_to_one(self, params):
        """noise_matrix and inverse_noise_matrix columns sum to 1; the joint sums to 1; calibrated rows match label counts."""
        labels, probs, _ = noisy_probs(**params)
        r = lw.find_label_issues(labels, probs)
        np.testing.assert_allclose(r.noise_matrix.sum(axis=0), 1.0)
        np.testing.assert_allclose(r.inverse_noise_matrix.sum(axis=0), 1.0)
        assert r.joint.sum() == pytest.approx(1.0)
        np.testing.assert_array_equal(
            r.calibrated_confident_joint.sum(axis=1), np.bincount(labels, minlength=probs.shape[1])
        )

    @settings(max_examples=20, deadline=None)
    @given(params=data_params)
    def test_both_is_the_intersection_of_the_two_pruning_filters(self, params):
        """filter_by='both' flags exactly what prune_by_class and prune_by_noise_rate both flag."""
        labels, probs, _ = noisy_probs(**params)
        get = lambda f: lw.find_label_issues(labels, probs, filter_by=f).is_issue  # noqa: E731
        np.testing.assert_array_equal(get("both"), get("prune_by_class") & get("prune_by_noise_rate"))


class TestResult:
    """The LabelIssues object and its frame."""

    def test_flags_the_planted_errors(self):
        """On clearly separable probabilities, the flipped labels are the ones flagged."""
        labels, probs, true = noisy_probs(3000, 4, seed=3, sharpness=20.0, noise=0.1)
        r = lw.find_label_issues(labels, probs)
        flipped = labels != true
        precision = (r.is_issue & flipped).sum() / r.n_issues
        recall = (r.is_issue & flipped).sum() / flipped.sum()
        assert precision > 0.9 and recall > 0.8
        assert r.noise_rate == pytest.approx(flipped.mean(), abs=0.03)

    def test_frame_is_one_row_per_example_worst_first(self):
        """to_frame lists every example once, flagged ones first by increasing quality."""
        labels, probs, _ = noisy_probs(500, 3, seed=1)
        r = lw.find_label_issues(labels, probs)
        frame = r.to_frame()
        assert list(frame.columns) == ["row", "given_label", "suggested_label", "label_quality", "is_issue", "rank"]
        assert sorted(frame["row"]) == list(range(500))
        assert list(frame["rank"]) == list(range(1, 501))
        assert frame["is_issue"].iloc[: r.n_issues].all() and not frame["is_issue"].iloc[r.n_issues :].any()
        flagged = frame["label_quality"].iloc[: r.n_issues].to_numpy()
        assert np.all(np.diff(flagged) >= 0)
        np.testing.assert_array_equal(frame["row"].iloc[: r.n_issues], r.ranked_indices)

    def test_class_summary_counts_flags_per_class(self):
        """n_flagged per class adds up to n_issues and n_given to n."""
        labels, probs, _ = noisy_probs(800, 5, seed=2)
        r = lw.find_label_issues(labels, probs)
        s = r.class_summary
        assert s["n_flagged"].sum() == r.n_issues
        assert s["n_given"].sum() == 800
        assert ((s["noise_rate"] >= 0) & (s["noise_rate"] <= 1)).all()

    def test_summary_is_json_serialisable(self):
        """summary() holds only plain JSON types."""
        import json

        labels, probs, _ = noisy_probs(300, 3, seed=4)
        names = np.array(["x", "y", "z"])
        text = json.dumps(lw.find_label_issues(names[labels], probs).summary(), allow_nan=False)
        assert '"classes": ["x", "y", "z"]' in text

    def test_float32_probabilities_are_accepted_without_copy_semantics_change(self):
        """float32 input gives the same flags as the same values in float64."""
        labels, probs, _ = noisy_probs(1000, 4, seed=8, dtype=np.float32)
        a = lw.find_label_issues(labels, probs)
        b = lw.find_label_issues(labels, probs.astype(np.float64))
        np.testing.assert_array_equal(a.is_issue, b.is_issue)

    def test_pandas_inputs_work(self):
        """A Series of labels and a DataFrame of probabilities are accepted."""
        labels, probs, _ = noisy_probs(200, 3, seed=9)
        r = lw.find_label_issues(pd.Series(labels), pd.DataFrame(probs))
        assert r.n_examples == 200

    def test_min_examples_per_class_limits_flags(self):
        """A class is never pruned below min_examples_per_class examples."""
        labels, probs, _ = noisy_probs(300, 3, seed=10, noise=0.45)
        r = lw.find_label_issues(labels, probs, filter_by="prune_by_class", min_examples_per_class=90)
        kept = np.bincount(labels[~r.is_issue], minlength=3)
        assert (kept >= 90).all()


class TestBadInput:
    """Bad input raises a LabelwiseError naming the parameter, the expectation and what was found."""

    def _ok(self):
        return np.array([0, 1, 1, 0]), np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4]])

    def test_nan_probability_names_the_row(self):
        """A NaN is reported with its row."""
        labels, probs = self._ok()
        probs[2, 0] = np.nan
        with pytest.raises(InvalidProbabilitiesError, match=r"probs must be finite .*row 2"):
            lw.find_label_issues(labels, probs)

    def test_infinite_probability_is_rejected(self):
        """An infinite value is rejected."""
        labels, probs = self._ok()
        probs[1, 1] = np.inf
        with pytest.raises(InvalidProbabilitiesError, match="row 1"):
            lw.find_label_issues(labels, probs)

    def test_negative_probability_is_rejected(self):
        """A negative value is reported with its row and value."""
        labels, probs = self._ok()
        probs[3] = [1.2, -0.2]
        with pytest.raises(InvalidProbabilitiesError, match=r"non-negative, row 3 contains -0.2"):
            lw.find_label_issues(labels, probs)

    def test_rows_not_summing_to_one_name_the_first_bad_row(self):
        """Rows must sum to 1 within 1e-4; the message gives the row and its sum."""
        labels, probs = self._ok()
        probs[1] = [0.3, 0.32]
        with pytest.raises(InvalidProbabilitiesError, match=r"sum to 1 .*row 1 sums to 0.62"):
            lw.find_label_issues(labels, probs)

    def test_tiny_rounding_error_is_tolerated(self):
        """A row summing to 1 + 5e-5 is accepted."""
        labels, probs = self._ok()
        probs[0] = [0.90005, 0.1]
        assert lw.find_label_issues(labels, probs).n_examples == 4

    def test_shape_mismatch(self):
        """labels and probs of different lengths are rejected with both lengths."""
        labels, probs = self._ok()
        with pytest.raises(ShapeMismatchError, match="same length, got 3 and 4"):
            lw.find_label_issues(labels[:3], probs)

    def test_one_dimensional_probs(self):
        """probs must be 2-D."""
        with pytest.raises(InvalidProbabilitiesError, match="2-D"):
            lw.find_label_issues([0, 1], [0.5, 0.5])

    def test_label_outside_classes(self):
        """A label that is not a column of probs is reported with its row."""
        labels, probs = self._ok()
        labels[2] = 5
        with pytest.raises(InvalidLabelsError, match=r"integers in \[0, 1\].*row 2 is 5"):
            lw.find_label_issues(labels, probs)

    def test_fewer_than_two_classes(self):
        """All labels of one class is an error."""
        labels, probs = self._ok()
        with pytest.raises(InvalidLabelsError, match="at least 2 classes, got 1"):
            lw.find_label_issues(np.zeros(4, dtype=int), probs)

    def test_missing_label(self):
        """A missing label is reported with its row."""
        _, probs = self._ok()
        with pytest.raises(InvalidLabelsError, match="row 1"):
            lw.find_label_issues(np.array(["a", None, "b", "a"], dtype=object), probs)

    def test_string_labels_need_classes_when_counts_differ(self):
        """String labels with fewer distinct values than columns need classes=."""
        probs = np.full((4, 3), 1 / 3)
        with pytest.raises(InvalidLabelsError, match="pass classes="):
            lw.find_label_issues(["a", "b", "a", "b"], probs)

    def test_unknown_filter(self):
        """An unknown filter_by lists the valid ones."""
        labels, probs = self._ok()
        with pytest.raises(InvalidParameterError, match="filter_by must be one of"):
            lw.find_label_issues(labels, probs, filter_by="magic")

    def test_class_absent_from_labels_warns_and_works(self):
        """A class of probs that no example is given is handled, with a warning."""
        labels, probs, _ = noisy_probs(300, 3, seed=12)
        probs4 = np.hstack([probs * 0.99, np.full((300, 1), 0.01)])
        with pytest.warns(LabelwiseWarning, match="no examples"):
            r = lw.find_label_issues(labels, probs4)
        assert r.class_summary["n_given"].iloc[3] == 0
        assert r.confident_joint[:, 3].sum() == 1  # only the guaranteed diagonal entry

    def test_errors_are_value_errors(self):
        """LabelwiseError subclasses ValueError, so generic handlers still catch it."""
        assert issubclass(LabelwiseError, ValueError)


def test_label_quality_scores_doc_example():
    """Self-confidence is the probability of the given label."""
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]])
    np.testing.assert_allclose(lw.label_quality_scores([0, 1, 1], probs), [0.9, 0.8, 0.3])
    margin = lw.label_quality_scores([0, 1, 1], probs, method="normalized_margin")
    np.testing.assert_allclose(margin, [0.9, 0.8, 0.3])


def test_no_warning_on_clean_input():
    """Normal input raises no warnings."""
    labels, probs, _ = noisy_probs(200, 3, seed=13)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lw.find_label_issues(labels, probs)


def _reference_prune_by_noise_rate(labels, probs, counts, given_is_predicted):
    """Plain per-cell reference: for cell (k, j), the counts[k, j] examples labelled k with the
    largest p_j - p_k, ties to the earlier row; union over cells; minus given-is-predicted rows."""
    mask = np.zeros(len(labels), dtype=bool)
    for k in range(probs.shape[1]):
        members = np.flatnonzero(labels == k)
        if members.size <= 1:
            continue
        for j in range(probs.shape[1]):
            if j == k or counts[k, j] == 0:
                continue
            margin = probs[members, j] - probs[members, k]
            order = np.lexsort((members, -margin))
            mask[members[order[: counts[k, j]]]] = True
    return mask & ~given_is_predicted


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(8, 80),
    k=st.integers(2, 5),
    seed=st.integers(0, 10_000),
    noise=st.floats(0.0, 0.6),
    sharpness=st.floats(0.0, 5.0),
)
def test_prune_by_noise_rate_matches_a_plain_per_cell_reference(n, k, seed, noise, sharpness):
    """The fast pruning (candidate rows, one partition per class) equals the plain per-cell
    definition, including small, very noisy classes that need the all-rows fallback."""
    from labelwise.audit.filters import keep_at_least

    labels, probs, _ = noisy_probs(n, k, seed=seed, noise=noise, sharpness=sharpness)
    if np.unique(labels).size < 2:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LabelwiseWarning)
        result = lw.find_label_issues(labels, probs)
    counts = keep_at_least(result.calibrated_confident_joint, 1)
    given_is_predicted = probs[np.arange(n), labels] + 1e-6 >= probs.max(axis=1)
    expected = _reference_prune_by_noise_rate(labels, probs, counts, given_is_predicted)
    np.testing.assert_array_equal(result.is_issue, expected)


def test_prune_by_noise_rate_reaches_past_mispredicted_rows_when_a_cell_needs_more():
    """A cell asking for more examples than there are mispredicted rows selects among all rows of its class."""
    from labelwise.audit.confident_joint import RowStatistics
    from labelwise.audit.filters import FilterInputs, prune_by_noise_rate

    probs = np.array([[0.6, 0.4], [0.55, 0.45], [0.3, 0.7], [0.9, 0.1], [0.2, 0.8], [0.1, 0.9]])
    codes = np.array([0, 0, 0, 0, 1, 1])
    stats = RowStatistics(
        np.zeros(6, dtype=np.int16), probs.argmax(axis=1), probs[np.arange(6), codes] + 1e-6 >= probs.max(axis=1)
    )
    counts = np.array([[2, 2], [0, 2]])  # class 0 must give up 2 examples; only row 2 is mispredicted
    inputs = FilterInputs(codes, probs, probs[np.arange(6), codes], np.bincount(codes), stats, counts, 1)
    np.testing.assert_array_equal(np.flatnonzero(prune_by_noise_rate(inputs)), [1, 2])


class TestWorkerAndChunkParameters:
    """n_jobs and chunk_rows are checked before any pass runs (session 15 sweep)."""

    @pytest.mark.parametrize("chunk_rows", [0, -3, "100", 2.5])
    def test_bad_chunk_rows_names_the_parameter(self, chunk_rows):
        """chunk_rows=0 made empty chunks and a wrong 'at least 2 classes, got 0' error; now it names chunk_rows."""
        probs = np.tile([[0.7, 0.3], [0.2, 0.8]], (10, 1))
        with pytest.raises(InvalidParameterError, match="chunk_rows must be an integer >= 1"):
            lw.find_label_issues([0, 1] * 10, probs, chunk_rows=chunk_rows)

    @pytest.mark.parametrize("n_jobs", [0, "2", 1.5, True])
    def test_bad_n_jobs_names_the_parameter(self, n_jobs):
        """A string n_jobs raised int()'s ValueError; 0 and floats were silently accepted."""
        probs = np.tile([[0.7, 0.3], [0.2, 0.8]], (10, 1))
        with pytest.raises(InvalidParameterError, match="n_jobs must be None or a non-zero integer"):
            lw.find_label_issues([0, 1] * 10, probs, n_jobs=n_jobs)


def test_a_class_without_rows_is_never_flagged_for_but_may_be_suggested():
    """The warning says what holds: no row is flagged as belonging to the empty class, while the
    suggested label (the model's top class) can still name it."""
    labels = np.array([0, 1] * 10)
    probs = np.tile([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1]], (10, 1))
    probs[3] = [0.05, 0.05, 0.9]  # a row labelled 1 that the model puts in class 2 (no rows)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = lw.find_label_issues(labels, probs)
    assert any(issubclass(w.category, LabelwiseWarning) and "may still name them" in str(w.message) for w in caught)
    assert result.suggested_label[3] == 2
    assert not result.is_issue[3]
