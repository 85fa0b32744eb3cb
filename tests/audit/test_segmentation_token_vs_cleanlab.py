"""Differential tests: segmentation and token scores, ranks and filters against
``cleanlab.segmentation`` and ``cleanlab.token_classification`` 2.9.

Both audits are confident learning over pixels or tokens, so their flags are compared with
``cleanlab.filter`` on the flattened pixels (every segmentation filter) and with cleanlab's token
filter (every filter, in cleanlab's ranked order); token confusions by word against cleanlab's
``summary.common_label_issues``. labelwise counts an example passing several
thresholds in the most probable class among those (the paper's rule; cleanlab issue #1248); each
test first asserts that its input has no such example (the raw confident joints are equal).
cleanlab ranks with an unstable ``np.argsort``, so orders are compared where scores are distinct.
"""

from __future__ import annotations

import numpy as np
import pytest

cleanlab_count = pytest.importorskip("cleanlab.count")
cleanlab_dataset = pytest.importorskip("cleanlab.dataset")
cleanlab_filter = pytest.importorskip("cleanlab.filter")
seg_rank = pytest.importorskip("cleanlab.segmentation.rank")
seg_filter = pytest.importorskip("cleanlab.segmentation.filter")
tok_rank = pytest.importorskip("cleanlab.token_classification.rank")
tok_filter = pytest.importorskip("cleanlab.token_classification.filter")
tok_summary = pytest.importorskip("cleanlab.token_classification.summary")

from labelwise.audit import FILTERS, segmentation, token  # noqa: E402

from ._tasks_data import TAGS, segmentation_case, token_case  # noqa: E402


def _flat_pixels(labels, probs):
    return labels.reshape(-1), probs.transpose(0, 2, 3, 1).reshape(-1, probs.shape[1])


class TestSegmentation:
    """Image scores and pixel flags equal cleanlab's."""

    @pytest.mark.parametrize("seed", [0, 1])
    @pytest.mark.parametrize("temperature", [0.1, 0.5])
    def test_image_scores_equal_cleanlabs_softmin(self, seed, temperature):
        """``image_quality`` is cleanlab's softmin of the pixels' self-confidence."""
        noisy, probs = segmentation_case(seed=seed)
        ours = segmentation.find_label_issues(noisy.labels, probs, temperature=temperature)
        theirs, _ = seg_rank.get_label_quality_scores(noisy.labels, probs, temperature=temperature, verbose=False)
        np.testing.assert_allclose(ours.image_quality, theirs, rtol=1e-10, atol=1e-14)

    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_default_flags_equal_cleanlabs_segmentation_filter(self, seed):
        """The default filter flags exactly cleanlab's segmentation filter's pixels (no downsampling)."""
        noisy, probs = segmentation_case(seed=seed)
        ours = segmentation.find_label_issues(noisy.labels, probs)
        theirs = seg_filter.find_label_issues(noisy.labels, probs, downsample=1, verbose=False)
        np.testing.assert_array_equal(ours.is_issue, theirs)

    @pytest.mark.parametrize("seed", [0, 1, 2])
    @pytest.mark.parametrize("filter_by", segmentation.SEGMENTATION_FILTERS)
    def test_every_filter_equals_cleanlab_on_the_flat_pixels(self, seed, filter_by):
        """Each filter equals ``cleanlab.filter.find_label_issues`` over all pixels."""
        noisy, probs = segmentation_case(seed=seed)
        ours = segmentation.find_label_issues(noisy.labels, probs, filter_by=filter_by)
        flat_labels, flat_probs = _flat_pixels(noisy.labels, probs)
        raw = cleanlab_count.compute_confident_joint(flat_labels, flat_probs, calibrate=False)
        np.testing.assert_array_equal(ours.confident_joint, raw)  # no issue-1248 pixel
        kwargs = {"confident_joint": ours.calibrated_confident_joint} if filter_by == "prune_by_class" else {}
        theirs = cleanlab_filter.find_label_issues(flat_labels, flat_probs, filter_by=filter_by, **kwargs)
        np.testing.assert_array_equal(ours.is_issue.reshape(-1), theirs)

    @pytest.mark.parametrize("seed", [0, 1])
    def test_an_ignore_index_no_pixel_holds_keeps_cleanlabs_results(self, seed):
        """ignore_index=255 on uint8 masks without a 255: image scores and default flags still equal cleanlab's."""
        noisy, probs = segmentation_case(seed=seed)
        masks = noisy.labels.astype(np.uint8)
        ours = segmentation.find_label_issues(masks, probs, ignore_index=255)
        scores, _ = seg_rank.get_label_quality_scores(masks, probs, verbose=False)
        np.testing.assert_allclose(ours.image_quality, scores, rtol=1e-10, atol=1e-14)
        theirs = seg_filter.find_label_issues(masks, probs, downsample=1, verbose=False)
        np.testing.assert_array_equal(ours.is_issue, theirs)

    @pytest.mark.parametrize("seed", [0, 1])
    def test_class_summary_equals_cleanlabs_class_ranking_over_pixels(self, seed):
        """Per-class pixel noise rates: ``rank_classes_by_label_quality`` on the same pixel joint."""
        noisy, probs = segmentation_case(seed=seed)
        ours = segmentation.find_label_issues(noisy.labels, probs)
        flat_labels, flat_probs = _flat_pixels(noisy.labels, probs)
        theirs = cleanlab_dataset.rank_classes_by_label_quality(flat_labels, flat_probs, joint=ours.joint)
        theirs = theirs.sort_values("Class Index")
        np.testing.assert_array_equal(ours.class_summary["n_pixels"], np.bincount(flat_labels))
        np.testing.assert_allclose(ours.class_summary["noise_rate"], theirs["Label Noise"], atol=1e-12)
        np.testing.assert_allclose(ours.class_summary["inverse_noise_rate"], theirs["Inverse Label Noise"], atol=1e-12)


class TestToken:
    """Token and sentence scores and every filter's ranked issues equal cleanlab's."""

    @staticmethod
    def _case(seed, n=150):
        noisy, probs = token_case(n_sentences=n, seed=seed)
        index = {t: i for i, t in enumerate(TAGS)}
        return [[index[t] for t in s] for s in noisy.labels], probs

    @pytest.mark.parametrize("seed", [0, 1])
    def test_token_and_min_sentence_scores_equal_cleanlab(self, seed):
        """Per-token self-confidence and the worst-token sentence score."""
        labels, probs = self._case(seed)
        ours = token.find_label_issues(labels, probs)
        sentences, tokens = tok_rank.get_label_quality_scores(labels, probs, sentence_score_method="min")
        np.testing.assert_allclose(ours.sentence_quality, sentences, rtol=1e-12)
        np.testing.assert_allclose(
            ours.tokens.label_quality, np.concatenate([np.asarray(t) for t in tokens]), rtol=1e-12
        )

    @pytest.mark.parametrize("temperature", [0.5, 0.01])
    def test_softmin_at_other_temperatures_equals_cleanlab(self, temperature):
        """The softmin sentence score at a warmer and a colder temperature than the default."""
        labels, probs = self._case(2)
        ours = token.find_label_issues(labels, probs, sentence_score="softmin", temperature=temperature)
        theirs, _ = tok_rank.get_label_quality_scores(
            labels, probs, sentence_score_method="softmin", sentence_score_kwargs={"temperature": temperature}
        )
        np.testing.assert_allclose(ours.sentence_quality, theirs, rtol=1e-9, atol=1e-12)

    @pytest.mark.parametrize("seed", [0, 3])
    @pytest.mark.parametrize("filter_by", list(FILTERS))
    def test_ranked_issues_equal_cleanlabs_token_filter(self, seed, filter_by):
        """The flagged (sentence, token) pairs, worst first, for every filter."""
        labels, probs = self._case(seed)
        ours = token.find_label_issues(labels, probs, filter_by=filter_by)
        flat_labels, flat_probs = np.concatenate(labels), np.concatenate(probs)
        raw = cleanlab_count.compute_confident_joint(flat_labels, flat_probs, calibrate=False)
        np.testing.assert_array_equal(ours.tokens.confident_joint, raw)  # no issue-1248 token
        flagged = ours.tokens.label_quality[ours.is_issue]
        assert flagged.size > 0 and np.unique(flagged).size == flagged.size
        pruning = filter_by in ("prune_by_noise_rate", "prune_by_class", "both")
        kwargs = {"confident_joint": ours.tokens.calibrated_confident_joint} if pruning else {}
        theirs = tok_filter.find_label_issues(labels, probs, filter_by=filter_by, **kwargs)
        assert ours.issues == [tuple(int(v) for v in pair) for pair in theirs]

    def test_common_confusions_by_word_equal_cleanlabs_common_label_issues(self):
        """Per (word, given, suggested): the same counts of flagged tokens (order of equal counts aside)."""
        labels, probs = self._case(0)
        rng = np.random.default_rng(0)
        words = [[f"w{int(rng.integers(0, 30))}" for _ in s] for s in labels]
        ours = token.find_label_issues(labels, probs, tokens=words).common_confusions("token", top=10_000)
        issues = tok_filter.find_label_issues(labels, probs)
        theirs = tok_summary.common_label_issues(
            issues, words, labels=labels, pred_probs=probs, top=10_000, exclude=[], verbose=False
        ).rename(columns={"given_label": "given", "predicted_label": "suggested", "num_label_issues": "count"})
        assert len(ours) >= 10
        key = ["token", "given", "suggested"]
        left = ours.astype({"token": str}).sort_values(key).reset_index(drop=True)
        right = theirs[[*key, "count"]].astype({"token": str}).sort_values(key).reset_index(drop=True)
        assert left[key].values.tolist() == right[key].values.tolist()
        np.testing.assert_array_equal(left["count"], right["count"])
        assert (np.diff(ours["count"].to_numpy()) <= 0).all()
