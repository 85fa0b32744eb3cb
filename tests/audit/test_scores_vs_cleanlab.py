"""Differential tests: label quality scores, rankings and ``min_examples_per_class`` against
``cleanlab.rank`` and ``cleanlab.filter`` 2.9 on the same input.

Every comparison uses ``confident_class_rule="argmax"`` (cleanlab's rule, see issue #1248 in
``test_find_label_issues_vs_cleanlab.py``) and, for the three pruning filters, hands cleanlab
labelwise's calibrated confident joint, whose rounding may differ from cleanlab's among exactly
equal remainders (documented in benchmarks/RESULTS.md). cleanlab orders flagged examples with an
unstable ``np.argsort``; labelwise breaks ties by row. Rankings are therefore compared only where
the flagged examples' scores are distinct, which each test asserts first.

Not compared, because labelwise has no counterpart: ``adjust_pred_probs`` of
``get_label_quality_scores`` and the ``frac_noise`` / ``num_to_remove_per_class`` options of
``find_label_issues`` (labelwise always removes the whole estimated count).
"""

from __future__ import annotations

import numpy as np
import pytest

cleanlab_filter = pytest.importorskip("cleanlab.filter")
cleanlab_rank = pytest.importorskip("cleanlab.rank")

import labelwise as lw  # noqa: E402
from labelwise.audit import FILTERS, SCORERS  # noqa: E402
from labelwise.audit.filters import keep_at_least  # noqa: E402
from tests.audit._data import noisy_probs  # noqa: E402
from tests.audit.test_find_label_issues_vs_cleanlab import PRUNE_FILTERS, _imbalanced  # noqa: E402

CASES = [
    pytest.param(dict(n=800, k=10, seed=21), id="random-k10"),
    pytest.param(dict(n=900, k=2, seed=22, noise=0.25), id="binary-noisy"),
    pytest.param(dict(n=700, k=25, seed=23, sharpness=6.0), id="k25-sharp"),
    pytest.param(dict(n=800, k=5, seed=24, noise=0.05, dtype=np.float32), id="float32-low-noise"),
]
METHODS = list(SCORERS)


def _case(case):
    labels, probs, _ = noisy_probs(**case)
    return labels, probs


def _cleanlab_issues(labels, probs, ours, filter_by, **kwargs):
    """cleanlab's find_label_issues, given labelwise's calibrated joint where the filter prunes."""
    if filter_by in PRUNE_FILTERS:
        kwargs["confident_joint"] = ours.calibrated_confident_joint
    return cleanlab_filter.find_label_issues(labels, probs, filter_by=filter_by, **kwargs)


def _tolerance(method, dtype):
    """rtol and atol of a score comparison.

    float32 inputs: 1e-5 relative. confidence_weighted_entropy: cleanlab computes
    ``log(x + 1) / x`` where labelwise uses ``log1p(x) / x``; the absolute error of ``log(x + 1)``
    (about 1.1e-16) divided by ``x >= 1e-6`` (the clip both apply) is at most about 1e-10.
    """
    rtol = 1e-5 if dtype == np.float32 else 1e-10
    return rtol, (1e-9 if method == "confidence_weighted_entropy" else 1e-12)


def _one_hot_rows(labels, probs):
    """Rows whose entropy-to-self-confidence ratio is below the 1e-6 clip (one-hot predictions)."""
    from labelwise.audit.scores import normalized_entropy

    confidence = np.clip(probs[np.arange(len(labels)), labels], 1e-6, None)
    return normalized_entropy(probs) / confidence < 1e-6


def _assert_distinct(scores):
    """The precondition of an order comparison: no two compared scores are equal."""
    assert np.unique(scores).size == scores.size, "tied scores: cleanlab's order is unspecified"


class TestLabelQualityScores:
    """``label_quality_scores`` equals ``cleanlab.rank.get_label_quality_scores``."""

    @pytest.mark.parametrize("case", CASES)
    @pytest.mark.parametrize("method", METHODS)
    def test_every_method_equals_cleanlab(self, case, method):
        """Same score for every example, float32 and float64 (kept), binary to 25 classes."""
        labels, probs = _case(case)
        ours = lw.label_quality_scores(labels, probs, method=method)
        assert ours.dtype == probs.dtype
        theirs = cleanlab_rank.get_label_quality_scores(labels, probs, method=method, adjust_pred_probs=False)
        rtol, atol = _tolerance(method, probs.dtype)
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)

    @pytest.mark.parametrize("method", METHODS)
    def test_extreme_probabilities_equal_cleanlab(self, method):
        """Zeros, ones and self-confidence below cleanlab's clip of 1e-6 score as in cleanlab."""
        probs = np.array(
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1e-9, 1 - 2e-9, 1e-9], [0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]] * 2
        )
        labels = np.array([0, 0, 0, 2, 1, 1, 2, 1, 0, 2])
        ours = lw.label_quality_scores(labels, probs, method=method)
        theirs = cleanlab_rank.get_label_quality_scores(labels, probs, method=method)
        same = slice(None)
        if method == "confidence_weighted_entropy":
            same = ~_one_hot_rows(labels, probs)  # the limit there, below
            assert same.sum() >= 5
        np.testing.assert_allclose(ours[same], theirs[same], rtol=1e-10, atol=_tolerance(method, probs.dtype)[1])

    def test_confidence_weighted_entropy_takes_the_limit_on_one_hot_rows(self):
        """A one-hot prediction scores 1 for its own class and 0 for another; cleanlab scores both 0.

        cleanlab divides ``log(1 + x)`` by ``max(x, 1e-6)``, so the ratio ``x = 0`` of a certain,
        correct prediction gets its worst score; labelwise takes the limit along the path.
        """
        probs = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
        labels = np.array([0, 1, 0, 2])
        ours = lw.label_quality_scores(labels, probs, method="confidence_weighted_entropy")
        np.testing.assert_array_equal(ours, [1.0, 1.0, 0.0, 0.0])
        theirs = cleanlab_rank.get_label_quality_scores(labels, probs, method="confidence_weighted_entropy")
        np.testing.assert_array_equal(theirs, [0.0, 0.0, 0.0, 0.0])

    @pytest.mark.parametrize("method", METHODS)
    def test_the_result_field_equals_cleanlab(self, method):
        """``LabelIssues.label_quality`` is the ``rank_by`` score, cleanlab's for that method."""
        labels, probs = _imbalanced(seed=8)
        ours = lw.find_label_issues(labels, probs, rank_by=method)
        theirs = cleanlab_rank.get_label_quality_scores(labels, probs, method=method)
        np.testing.assert_allclose(ours.label_quality, theirs, rtol=1e-10, atol=_tolerance(method, probs.dtype)[1])


class TestRankedIndices:
    """``ranked_indices`` equals cleanlab's ``return_indices_ranked_by`` for every filter and score."""

    @pytest.mark.parametrize("case", CASES)
    @pytest.mark.parametrize("filter_by", list(FILTERS))
    @pytest.mark.parametrize("method", METHODS)
    def test_ranked_indices_equal_cleanlab(self, case, filter_by, method):
        """The flagged examples, worst first, in cleanlab's order (away from tied scores)."""
        labels, probs = _case(case)
        ours = lw.find_label_issues(labels, probs, filter_by=filter_by, rank_by=method, confident_class_rule="argmax")
        _assert_distinct(ours.label_quality[ours.is_issue])
        theirs = _cleanlab_issues(labels, probs, ours, filter_by, return_indices_ranked_by=method)
        np.testing.assert_array_equal(ours.ranked_indices, theirs)

    @pytest.mark.parametrize("method", METHODS)
    def test_order_label_issues_equals_the_ranking(self, method):
        """``cleanlab.rank.order_label_issues`` of labelwise's own mask gives its ranked indices."""
        labels, probs = _imbalanced(seed=9)
        ours = lw.find_label_issues(labels, probs, rank_by=method)
        _assert_distinct(ours.label_quality[ours.is_issue])
        theirs = cleanlab_rank.order_label_issues(ours.is_issue, labels, probs, rank_by=method)
        np.testing.assert_array_equal(ours.ranked_indices, theirs)


class TestMinExamplesPerClass:
    """``min_examples_per_class`` keeps the same examples as cleanlab's option of that name.

    Both raise a class's kept count (the diagonal) to the minimum and lower its nonzero estimated
    errors evenly; the fractional counts are then rounded keeping a total. labelwise keeps the
    total of each given class (its row of the confident joint: kept + removed = class size);
    cleanlab 2.9 rounds its transposed matrix, so it keeps the total of each *true* class. The
    two roundings can differ by one in an off-diagonal cell, never on the diagonal; where they
    differ, ``prune_by_noise_rate`` (which uses the cells) may flag one example more or less, so
    it is compared where the rounded matrices coincide. ``prune_by_class`` uses only the diagonal
    and is compared everywhere.
    """

    MINIMUMS = [0, 1, 2, 5, 10, 20, 50, 60, 80, 100, 150, 250, 300, 400]

    @staticmethod
    def _matrices(calibrated, minimum):
        theirs = cleanlab_filter._keep_at_least_n_per_class(calibrated.T, minimum).T
        return keep_at_least(calibrated, minimum), theirs

    @pytest.mark.parametrize("filter_by", list(FILTERS))
    @pytest.mark.parametrize("minimum", [0, 2, 50, 300, 400])
    def test_imbalanced_classes_match_cleanlab(self, filter_by, minimum):
        """Classes of 1500, 300 and 60 examples: minimums below, between and above their sizes."""
        labels, probs = _imbalanced(seed=7)
        ours = lw.find_label_issues(
            labels, probs, filter_by=filter_by, min_examples_per_class=minimum, confident_class_rule="argmax"
        )
        mine, theirs_counts = self._matrices(ours.calibrated_confident_joint, minimum)
        np.testing.assert_array_equal(mine, theirs_counts)  # the precondition: the same counts
        theirs = _cleanlab_issues(labels, probs, ours, filter_by, min_examples_per_class=minimum)
        np.testing.assert_array_equal(ours.is_issue, theirs)

    @pytest.mark.parametrize("case", [*CASES, pytest.param("imbalanced", id="imbalanced")])
    def test_counts_differ_only_by_the_rounding_axis(self, case):
        """For every minimum: the same diagonal, cells within one, and equal for at least half of the minimums."""
        labels, probs = _imbalanced(seed=7) if case == "imbalanced" else _case(case)
        calibrated = lw.find_label_issues(labels, probs, confident_class_rule="argmax").calibrated_confident_joint
        n_same = 0
        for minimum in self.MINIMUMS:
            mine, theirs = self._matrices(calibrated, minimum)
            np.testing.assert_array_equal(mine.diagonal(), theirs.diagonal())
            assert np.abs(mine - theirs).max() <= 1
            n_same += int(np.array_equal(mine, theirs))
        assert n_same >= len(self.MINIMUMS) // 2

    @pytest.mark.slow
    @pytest.mark.parametrize("case", [*CASES, pytest.param("imbalanced", id="imbalanced")])
    @pytest.mark.parametrize("filter_by", PRUNE_FILTERS)
    def test_flags_match_cleanlab_where_the_counts_coincide(self, case, filter_by):
        """Over all minimums: prune_by_class always, the cell filters wherever the rounded counts agree."""
        labels, probs = _imbalanced(seed=7) if case == "imbalanced" else _case(case)
        for minimum in self.MINIMUMS:
            ours = lw.find_label_issues(
                labels, probs, filter_by=filter_by, min_examples_per_class=minimum, confident_class_rule="argmax"
            )
            mine, theirs_counts = self._matrices(ours.calibrated_confident_joint, minimum)
            if filter_by != "prune_by_class" and not np.array_equal(mine, theirs_counts):
                continue
            theirs = _cleanlab_issues(labels, probs, ours, filter_by, min_examples_per_class=minimum)
            np.testing.assert_array_equal(ours.is_issue, theirs, err_msg=f"min_examples_per_class={minimum}")


@pytest.mark.slow
class TestRealData:
    """The human-validated MNIST and CIFAR-10 test-set probabilities (Northcutt et al. 2021)."""

    @staticmethod
    def _load(shared_data, name):
        folder = shared_data / "label_errors" / name
        return np.load(folder / "labels.npy"), np.load(folder / "pred_probs.npy")

    @pytest.mark.parametrize("name", ["mnist", "cifar10"])
    @pytest.mark.parametrize("method", METHODS)
    def test_scores_equal_cleanlab(self, shared_data, name, method):
        """Every example's score equals cleanlab's on the published probabilities."""
        labels, probs = self._load(shared_data, name)
        ours = lw.label_quality_scores(labels, probs, method=method)
        theirs = cleanlab_rank.get_label_quality_scores(labels, probs, method=method)
        same = slice(None)
        if method == "confidence_weighted_entropy":
            same = ~_one_hot_rows(labels, probs)  # labelwise takes the limit there
        rtol, atol = _tolerance(method, probs.dtype)
        np.testing.assert_allclose(ours[same], theirs[same], rtol=rtol, atol=atol)

    def test_confidence_weighted_entropy_ranks_validated_errors_first_on_mnist(self, shared_data):
        """MNIST's one-hot, correct rows no longer fill the lowest scores; validated errors do.

        Over a quarter of MNIST's rows have an entropy-to-confidence ratio below 1e-6; cleanlab
        scores them about 0, so its 100 lowest scores hold no validated error.
        """
        labels, probs = self._load(shared_data, "mnist")
        errors = np.zeros(len(labels), dtype=bool)
        errors[np.load(shared_data / "label_errors" / "mnist" / "validated_errors.npy")] = True
        ours = lw.label_quality_scores(labels, probs, method="confidence_weighted_entropy")
        theirs = cleanlab_rank.get_label_quality_scores(labels, probs, method="confidence_weighted_entropy")
        lowest = lw.label_quality_scores(labels, probs, method="self_confidence").argsort(kind="stable")[:100]
        assert errors[np.argsort(ours, kind="stable")[:100]].sum() >= errors[lowest].sum() > 0
        assert errors[np.argsort(theirs, kind="stable")[:100]].sum() == 0

    @pytest.mark.parametrize("name", ["mnist", "cifar10"])
    @pytest.mark.parametrize("filter_by", list(FILTERS))
    def test_ranked_flags_equal_cleanlab(self, shared_data, name, filter_by):
        """Each filter's flagged set, ranked by self-confidence, is cleanlab's (cleanlab's rule)."""
        labels, probs = self._load(shared_data, name)
        ours = lw.find_label_issues(labels, probs, filter_by=filter_by, confident_class_rule="argmax")
        _assert_distinct(ours.label_quality[ours.is_issue])
        theirs = _cleanlab_issues(labels, probs, ours, filter_by, return_indices_ranked_by="self_confidence")
        np.testing.assert_array_equal(ours.ranked_indices, theirs)
