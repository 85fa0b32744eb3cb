"""Differential tests: multi-label scores, ranking and summaries against
``cleanlab.multilabel_classification`` 2.9 (``rank``, ``filter``, ``dataset``).

The flagged pairs are compared in ``test_multilabel.py``. Here: per-tag and per-example scores
(self-confidence pooled by an exponential moving average), the ranked examples, the
``min_examples_per_class`` option, and the per-class counts and health score that cleanlab's
``dataset`` module derives from the flags. labelwise ranks by self-confidence only; for one tag's
two classes the normalised margin ``(p_given - p_other + 1) / 2`` equals ``p_given``, so cleanlab's
``normalized_margin`` ranking is compared too (its ``confidence_weighted_entropy`` has no
counterpart).
"""

from __future__ import annotations

import numpy as np
import pytest

ml_rank = pytest.importorskip("cleanlab.multilabel_classification.rank")
ml_filter = pytest.importorskip("cleanlab.multilabel_classification.filter")
ml_dataset = pytest.importorskip("cleanlab.multilabel_classification.dataset")

from labelwise.audit import multilabel  # noqa: E402

from ._tasks_data import multilabel_case  # noqa: E402

SEEDS = [0, 3, 6]


def _case(seed, **kwargs):
    _, noisy, probs = multilabel_case(seed=seed, **kwargs)
    return noisy.labels, [np.flatnonzero(r).tolist() for r in noisy.labels], probs


class TestScores:
    """Per-tag and per-example quality equal cleanlab's ``rank`` functions."""

    @pytest.mark.parametrize("seed", SEEDS)
    def test_per_tag_quality_equals_cleanlab(self, seed):
        """``label_quality[i, k]`` is the self-confidence of the given presence/absence of tag k."""
        given, tags, probs = _case(seed)
        ours = multilabel.find_label_issues(given, probs)
        theirs = ml_rank.get_label_quality_scores_per_class(tags, probs)
        np.testing.assert_allclose(ours.label_quality, np.asarray(theirs), rtol=1e-12, atol=1e-15)

    @pytest.mark.parametrize("seed", SEEDS)
    @pytest.mark.parametrize("alpha", [0.8, 0.5, 1.0])
    def test_example_quality_equals_cleanlabs_moving_average(self, seed, alpha):
        """The example score pools the tags' scores as cleanlab's exponential moving average."""
        given, tags, probs = _case(seed)
        ours = multilabel.find_label_issues(given, probs, alpha=alpha)
        theirs = ml_rank.get_label_quality_scores(
            tags, probs, aggregator_kwargs={"method": "exponential_moving_average", "alpha": alpha}
        )
        np.testing.assert_allclose(ours.example_quality, theirs, rtol=1e-12, atol=1e-15)


class TestRanking:
    """The flagged examples, worst first, as cleanlab's ``return_indices_ranked_by``."""

    @pytest.mark.parametrize("seed", SEEDS)
    @pytest.mark.parametrize("rank_by", ["self_confidence", "normalized_margin"])
    def test_ranked_indices_equal_cleanlab(self, seed, rank_by):
        """Same examples in the same order (the flagged examples' scores are distinct)."""
        given, tags, probs = _case(seed)
        ours = multilabel.find_label_issues(given, probs)
        flagged = ours.example_quality[ours.is_example_issue]
        assert np.unique(flagged).size == flagged.size
        theirs = ml_filter.find_label_issues(tags, probs, return_indices_ranked_by=rank_by)
        np.testing.assert_array_equal(ours.ranked_indices, theirs)

    @pytest.mark.slow
    @pytest.mark.parametrize("minimum", [0, 5, 40, 150])
    def test_min_examples_per_class_keeps_what_cleanlab_keeps(self, minimum):
        """Per-tag minimum of present and absent labels kept: same flagged pairs and examples."""
        given, tags, probs = _case(1, n=400)
        ours = multilabel.find_label_issues(given, probs, min_examples_per_class=minimum)
        per_class = ml_filter.find_multilabel_issues_per_class(tags, probs, min_examples_per_class=minimum)
        np.testing.assert_array_equal(ours.is_issue, np.asarray(per_class))
        theirs = ml_filter.find_label_issues(tags, probs, min_examples_per_class=minimum)
        np.testing.assert_array_equal(ours.is_example_issue, theirs)


@pytest.mark.slow
class TestDatasetSummaries:
    """Per-class counts and the health score equal cleanlab's ``dataset`` module."""

    @pytest.mark.parametrize("seed", SEEDS)
    def test_common_issues_are_the_flagged_counts(self, seed):
        """``common_multilabel_issues``: spurious (in given label) and missing (in suggested) per tag."""
        given, tags, probs = _case(seed)
        summary = multilabel.find_label_issues(given, probs).class_summary
        theirs = ml_dataset.common_multilabel_issues(tags, probs)
        spurious = theirs[theirs["In Given Label"]].set_index("Class Index").sort_index()
        missing = theirs[~theirs["In Given Label"]].set_index("Class Index").sort_index()
        np.testing.assert_array_equal(summary["n_spurious_flagged"], spurious["Num Examples"])
        np.testing.assert_array_equal(summary["n_missing_flagged"], missing["Num Examples"])

    @pytest.mark.parametrize("seed", SEEDS)
    def test_class_ranking_and_health_equal_cleanlab(self, seed):
        """``rank_classes_by_multilabel_quality`` counts and ``overall_multilabel_health_score``."""
        given, tags, probs = _case(seed)
        ours = multilabel.find_label_issues(given, probs)
        summary = ours.class_summary
        theirs = ml_dataset.rank_classes_by_multilabel_quality(tags, probs).set_index("Class Index").sort_index()
        np.testing.assert_array_equal(summary["n_spurious_flagged"], theirs["Label Issues"])
        np.testing.assert_array_equal(summary["n_missing_flagged"], theirs["Inverse Label Issues"])
        health = ml_dataset.overall_multilabel_health_score(tags, probs)
        assert 1.0 - ours.n_issues / len(tags) == pytest.approx(health, abs=1e-12)
