"""Differential tests: labelwise's confident learning against cleanlab 2.9 on the same input."""

from __future__ import annotations

import numpy as np
import pytest

cleanlab_filter = pytest.importorskip("cleanlab.filter")
cleanlab_count = pytest.importorskip("cleanlab.count")
cleanlab_rank = pytest.importorskip("cleanlab.rank")

import labelwise as lw  # noqa: E402
from labelwise.audit import FILTERS  # noqa: E402
from tests.audit._data import noisy_probs  # noqa: E402

PRUNE_FILTERS = ["prune_by_noise_rate", "prune_by_class", "both"]
CASES = [
    pytest.param(dict(n=2000, k=10, seed=1), id="random-n2000-k10"),
    pytest.param(dict(n=3000, k=2, seed=2, noise=0.25), id="binary-noisy"),
    pytest.param(dict(n=1500, k=25, seed=3, sharpness=6.0), id="k25-sharp"),
    pytest.param(dict(n=2500, k=5, seed=4, noise=0.05, dtype=np.float32), id="float32-low-noise"),
]


def _imbalanced(seed: int):
    """Structured input: three classes of very different size with class-dependent noise."""
    rng = np.random.default_rng(seed)
    sizes = [1500, 300, 60]
    labels = np.repeat([0, 1, 2], sizes)
    centres = np.array([[2.0, 0, 0], [0, 2.0, 0], [0, 0, 2.0]])
    logits = centres[labels] + rng.normal(0, 1.2, (labels.size, 3))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    given = labels.copy()
    flip = rng.random(labels.size) < np.array([0.02, 0.2, 0.3])[labels]
    given[flip] = (labels[flip] + 1) % 3
    return given, probs


class TestCalibratedConfidentJoint:
    """The calibrated confident joint matches cleanlab's up to tie-breaking of equal remainders."""

    @pytest.mark.parametrize("case", CASES)
    def test_calibrated_joint_matches_cleanlab_up_to_rounding_ties(self, case):
        """Row totals agree exactly; entries differ by at most one, only where remainders tie."""
        labels, probs, _ = noisy_probs(**case)
        ours = lw.find_label_issues(labels, probs, confident_class_rule="argmax")
        theirs = cleanlab_count.compute_confident_joint(labels, probs)
        raw = cleanlab_count.compute_confident_joint(labels, probs, calibrate=False)
        np.testing.assert_array_equal(ours.confident_joint, raw)
        np.testing.assert_array_equal(ours.calibrated_confident_joint.sum(axis=1), theirs.sum(axis=1))
        assert np.abs(ours.calibrated_confident_joint - theirs).max() <= 1

    @pytest.mark.parametrize("case", CASES)
    def test_estimated_joint_matches_cleanlab_given_the_same_counts(self, case):
        """The joint is the calibrated confident joint normalised to sum to one, as in cleanlab."""
        labels, probs, _ = noisy_probs(**case)
        ours = lw.find_label_issues(labels, probs, confident_class_rule="argmax")
        theirs = cleanlab_count.estimate_joint(labels, probs, confident_joint=ours.calibrated_confident_joint)
        np.testing.assert_allclose(ours.joint, theirs, atol=1e-12)


class TestFlaggedSetsMatchCleanlab:
    """Every filter flags exactly the examples cleanlab 2.9 flags (with cleanlab's argmax rule)."""

    @pytest.mark.parametrize("case", CASES)
    @pytest.mark.parametrize("filter_by", PRUNE_FILTERS)
    def test_pruning_filters_match_given_the_same_confident_joint(self, case, filter_by):
        """Given the same calibrated counts, pruning flags the same examples."""
        labels, probs, _ = noisy_probs(**case)
        ours = lw.find_label_issues(labels, probs, filter_by=filter_by, confident_class_rule="argmax")
        theirs = cleanlab_filter.find_label_issues(
            labels, probs, filter_by=filter_by, confident_joint=ours.calibrated_confident_joint
        )
        np.testing.assert_array_equal(ours.is_issue, theirs)

    @pytest.mark.parametrize("case", CASES)
    @pytest.mark.parametrize(
        "filter_by", ["confident_learning", "predicted_neq_given", "low_self_confidence", "low_normalized_margin"]
    )
    def test_count_and_score_filters_match_exactly(self, case, filter_by):
        """Filters that do not depend on rounded counts match cleanlab with no help at all."""
        labels, probs, _ = noisy_probs(**case)
        ours = lw.find_label_issues(labels, probs, filter_by=filter_by, confident_class_rule="argmax")
        theirs = cleanlab_filter.find_label_issues(labels, probs, filter_by=filter_by)
        np.testing.assert_array_equal(ours.is_issue, theirs)

    @pytest.mark.parametrize("filter_by", list(FILTERS))
    def test_structured_imbalanced_input_matches(self, filter_by):
        """Imbalanced classes with class-dependent noise: same flagged set as cleanlab."""
        labels, probs = _imbalanced(seed=7)
        ours = lw.find_label_issues(labels, probs, filter_by=filter_by, confident_class_rule="argmax")
        kwargs = {"confident_joint": ours.calibrated_confident_joint} if filter_by in PRUNE_FILTERS else {}
        theirs = cleanlab_filter.find_label_issues(labels, probs, filter_by=filter_by, **kwargs)
        np.testing.assert_array_equal(ours.is_issue, theirs)

    @pytest.mark.parametrize("filter_by", list(FILTERS))
    def test_paper_rule_matches_where_issue_1248_does_not_arise(self, filter_by):
        """With the paper's default rule, results equal cleanlab's when no example passes several thresholds with a non-passing argmax."""
        labels, probs, _ = noisy_probs(2000, 4, seed=11, sharpness=8.0)
        ours = lw.find_label_issues(labels, probs, filter_by=filter_by)
        cut = ours.thresholds - 1e-6
        passed = probs >= cut
        argmax_passes = passed[np.arange(len(labels)), probs.argmax(axis=1)]
        assert not ((passed.sum(axis=1) > 1) & ~argmax_passes).any()
        kwargs = {"confident_joint": ours.calibrated_confident_joint} if filter_by in PRUNE_FILTERS else {}
        theirs = cleanlab_filter.find_label_issues(labels, probs, filter_by=filter_by, **kwargs)
        np.testing.assert_array_equal(ours.is_issue, theirs)


class TestIssue1248:
    """Where several classes pass their thresholds, the paper counts the most probable of those."""

    def _case(self):
        # Thresholds (mean self-confidence per class) are 0.9, 0.325 and 0.2. Example 2
        # (labelled 1) has p = [0.45, 0.35, 0.20]: classes 1 and 2 pass their thresholds, class 0
        # (the argmax) does not (0.45 < 0.9).
        probs = np.array(
            [
                [0.95, 0.03, 0.02],
                [0.85, 0.10, 0.05],
                [0.45, 0.35, 0.20],
                [0.30, 0.30, 0.40],
                [0.50, 0.30, 0.20],
                [0.60, 0.20, 0.20],
            ]
        )
        labels = np.array([0, 0, 1, 1, 2, 2])
        return labels, probs

    def test_confident_joint_counts_the_example_in_a_class_that_passed(self):
        """The paper counts example 2 in class 1 (most probable of those passing); cleanlab in class 0, which did not pass."""
        labels, probs = self._case()
        paper = lw.find_label_issues(labels, probs, filter_by="confident_learning")
        np.testing.assert_allclose(paper.thresholds, [0.9, 0.325, 0.2], atol=1e-9)
        np.testing.assert_array_equal(paper.confident_joint, [[1, 0, 0], [0, 1, 1], [0, 0, 2]])
        argmax = lw.find_label_issues(labels, probs, filter_by="confident_learning", confident_class_rule="argmax")
        theirs_cj = cleanlab_count.compute_confident_joint(labels, probs, calibrate=False)
        np.testing.assert_array_equal(argmax.confident_joint, theirs_cj)
        assert theirs_cj[1, 0] == 1 and paper.confident_joint[1, 0] == 0

    def test_off_diagonal_flags_differ_only_by_the_1248_rule(self):
        """cleanlab's confident_learning filter flags example 2; the paper's rule does not; both flag example 3."""
        labels, probs = self._case()
        paper = lw.find_label_issues(labels, probs, filter_by="confident_learning")
        theirs = cleanlab_filter.find_label_issues(labels, probs, filter_by="confident_learning")
        argmax = lw.find_label_issues(labels, probs, filter_by="confident_learning", confident_class_rule="argmax")
        np.testing.assert_array_equal(argmax.is_issue, theirs)
        np.testing.assert_array_equal(np.flatnonzero(theirs), [2, 3])
        np.testing.assert_array_equal(np.flatnonzero(paper.is_issue), [3])


class TestScoresMatchCleanlab:
    """Label quality scores equal cleanlab's get_label_quality_scores."""

    @pytest.mark.parametrize("method", ["self_confidence", "normalized_margin", "confidence_weighted_entropy"])
    def test_scores_equal(self, method):
        """Same score for every example, to floating-point precision."""
        labels, probs, _ = noisy_probs(1000, 6, seed=5)
        ours = lw.label_quality_scores(labels, probs, method=method)
        theirs = cleanlab_rank.get_label_quality_scores(labels, probs, method=method)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)

    def test_ranked_indices_follow_cleanlab_order(self):
        """Flagged examples come out in the same order as cleanlab's ranked indices."""
        labels, probs, _ = noisy_probs(1500, 8, seed=6)
        ours = lw.find_label_issues(labels, probs, rank_by="normalized_margin", confident_class_rule="argmax")
        theirs = cleanlab_filter.find_label_issues(
            labels, probs, confident_joint=ours.calibrated_confident_joint, return_indices_ranked_by="normalized_margin"
        )
        np.testing.assert_array_equal(ours.ranked_indices, theirs)


class TestRoundingRows:
    """The calibration's rounding follows cleanlab's rule (nearest, halves to even, then the row
    total restored by the entries rounding moved furthest)."""

    @staticmethod
    def _cleanlab_rounding():
        return pytest.importorskip("cleanlab.internal.util").round_preserving_row_totals

    @pytest.mark.parametrize("halves", [False, True])
    def test_rounding_equals_cleanlab_except_among_equal_differences(self, halves):
        from labelwise.audit.confident_joint import round_preserving_row_totals

        theirs_fn = self._cleanlab_rounding()
        rng = np.random.default_rng(7)
        for _ in range(300):
            k = int(rng.integers(1, 30))
            m = rng.random((3, k)) * rng.integers(1, 50)
            if halves:
                m = np.round(m * 2) / 2
            ours, theirs = round_preserving_row_totals(m), theirs_fn(m)
            np.testing.assert_array_equal(ours.sum(axis=1), theirs.sum(axis=1))
            for row, a, b in zip(m, ours, theirs, strict=True):
                differ = np.flatnonzero(a != b)
                moved = row[differ] - np.rint(row[differ])
                assert np.unique(moved).size <= 1, (row, a, b)

    def test_a_half_way_entry_is_rounded_by_its_value_as_cleanlab_does(self):
        from labelwise.audit.confident_joint import round_preserving_row_totals

        m = np.array([[1.5, 10.5], [10.5, 1.5]])
        np.testing.assert_array_equal(round_preserving_row_totals(m), [[2, 10], [10, 2]])
        np.testing.assert_array_equal(round_preserving_row_totals(m), self._cleanlab_rounding()(m))
