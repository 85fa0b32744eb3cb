"""Differential tests: the dataset-level estimates of confident learning against cleanlab 2.9's
``cleanlab.dataset`` and ``cleanlab.count`` on the same input.

labelwise's counterparts are fields of :class:`labelwise.LabelIssues`: ``class_summary``
(``rank_classes_by_label_quality``), ``1 - noise_rate`` (``overall_label_health_score`` from the
joint), ``noise_matrix`` / ``inverse_noise_matrix`` (``estimate_latent``,
``estimate_py_and_noise_matrices_from_probabilities``), and :func:`labelwise.out_of_fold_probs`
(``estimate_cv_predicted_probabilities``). cleanlab's ``find_overlapping_classes`` and
``health_summary`` have no labelwise counterpart and are not compared.

Every comparison uses ``confident_class_rule="argmax"`` (cleanlab's rule, issue #1248) and hands
cleanlab labelwise's calibrated confident joint where cleanlab accepts one; where cleanlab
computes its own, the test first asserts that it is labelwise's (they may differ by one among
exactly equal rounding remainders, see RESULTS.md).
"""

from __future__ import annotations

import numpy as np
import pytest

cleanlab_count = pytest.importorskip("cleanlab.count")
cleanlab_dataset = pytest.importorskip("cleanlab.dataset")

import labelwise as lw  # noqa: E402
from tests.audit._data import noisy_probs  # noqa: E402
from tests.audit.test_find_label_issues_vs_cleanlab import _imbalanced  # noqa: E402

CASES = [
    pytest.param(lambda: noisy_probs(800, 10, seed=21)[:2], id="random-k10"),
    pytest.param(lambda: noisy_probs(900, 2, seed=22, noise=0.25)[:2], id="binary-noisy"),
    pytest.param(lambda: noisy_probs(700, 25, seed=23, sharpness=6.0)[:2], id="k25-sharp"),
    pytest.param(lambda: noisy_probs(800, 5, seed=24, noise=0.05, dtype=np.float32)[:2], id="float32-low-noise"),
    pytest.param(lambda: _imbalanced(seed=7), id="imbalanced"),
]


def _audit(make):
    labels, probs = make()
    return labels, probs, lw.find_label_issues(labels, probs, confident_class_rule="argmax")


class TestRankClassesByLabelQuality:
    """``LabelIssues.class_summary`` equals ``cleanlab.dataset.rank_classes_by_label_quality``."""

    @pytest.mark.parametrize("make", CASES)
    def test_per_class_columns_equal_cleanlab(self, make):
        """Estimated issues, noise, inverse noise and quality per class, given the same joint."""
        labels, probs, ours = _audit(make)
        theirs = cleanlab_dataset.rank_classes_by_label_quality(
            labels, probs, joint=ours.joint, num_examples=len(labels)
        ).sort_values("Class Index")
        summary = ours.class_summary
        np.testing.assert_array_equal(summary["estimated_issues"], theirs["Label Issues"])
        np.testing.assert_allclose(summary["noise_rate"], theirs["Label Noise"], atol=1e-12)
        np.testing.assert_allclose(summary["inverse_noise_rate"], theirs["Inverse Label Noise"], atol=1e-12)
        np.testing.assert_allclose(summary["label_quality"], theirs["Label Quality Score"], atol=1e-12)

    def test_classes_ranked_in_cleanlabs_order(self):
        """Sorting labelwise's summary by label quality gives cleanlab's class order (distinct qualities)."""
        labels, probs, ours = _audit(lambda: _imbalanced(seed=7))
        theirs = cleanlab_dataset.rank_classes_by_label_quality(labels, probs, joint=ours.joint)
        quality = ours.class_summary["label_quality"].to_numpy()
        assert np.unique(quality).size == quality.size
        np.testing.assert_array_equal(np.argsort(quality), theirs["Class Index"])


class TestOverallLabelHealthScore:
    """``1 - noise_rate`` and the flagged share equal cleanlab's two health scores."""

    @pytest.mark.parametrize("make", CASES)
    def test_health_from_the_joint_equals_cleanlab(self, make):
        """From the joint: ``trace(joint) = 1 - noise_rate``."""
        labels, _, ours = _audit(make)
        theirs = cleanlab_dataset.overall_label_health_score(
            labels=None, pred_probs=None, joint=ours.joint, num_examples=len(labels), verbose=False
        )
        assert 1.0 - ours.noise_rate == pytest.approx(theirs, abs=1e-12)

    @pytest.mark.parametrize("make", CASES)
    def test_health_from_probabilities_is_the_confident_learning_share(self, make):
        """From labels and probs, cleanlab counts the ``confident_learning`` filter's flags."""
        labels, probs = make()
        flagged = lw.find_label_issues(labels, probs, filter_by="confident_learning", confident_class_rule="argmax")
        theirs = cleanlab_dataset.overall_label_health_score(labels, probs, verbose=False)
        assert 1.0 - flagged.n_issues / len(labels) == pytest.approx(theirs, abs=1e-12)
        assert flagged.n_issues == cleanlab_count.num_label_issues(labels, probs)


class TestLatentEstimates:
    """Noise matrices, inverse noise matrices and the prior of true labels equal cleanlab's."""

    @pytest.mark.parametrize("make", CASES)
    def test_estimate_latent_equals_the_matrices_given_the_same_counts(self, make):
        """``estimate_latent`` on labelwise's calibrated joint: same matrices, prior = joint's column sums."""
        labels, _, ours = _audit(make)
        py, noise, inverse = cleanlab_count.estimate_latent(ours.calibrated_confident_joint, labels)
        assert (ours.noise_matrix[~np.eye(len(py), dtype=bool)] < 0.9999).all()  # cleanlab's clip is inactive
        np.testing.assert_allclose(ours.noise_matrix, noise, atol=1e-12)
        np.testing.assert_allclose(ours.inverse_noise_matrix, inverse, atol=1e-12)
        np.testing.assert_allclose(ours.joint.sum(axis=0), py, atol=1e-12)

    @pytest.mark.parametrize("make", [c for c in CASES if c.id in ("binary-noisy", "float32-low-noise", "imbalanced")])
    def test_estimate_from_probabilities_equals_where_the_rounding_agrees(self, make):
        """``estimate_py_and_noise_matrices_from_probabilities``: same counts, same matrices.

        Only inputs where cleanlab's own calibration rounds as labelwise's does (the other two
        cases have an exactly tied remainder that the two roundings break differently).
        """
        labels, probs, ours = _audit(make)
        _, noise, inverse, counts = cleanlab_count.estimate_py_and_noise_matrices_from_probabilities(labels, probs)
        np.testing.assert_array_equal(counts, ours.calibrated_confident_joint)
        np.testing.assert_allclose(ours.noise_matrix, noise, atol=1e-12)
        np.testing.assert_allclose(ours.inverse_noise_matrix, inverse, atol=1e-12)


@pytest.mark.slow
class TestOutOfFoldProbs:
    """:func:`labelwise.out_of_fold_probs` equals ``cleanlab.count.estimate_cv_predicted_probabilities``."""

    def test_same_folds_and_model_give_the_same_probabilities(self):
        """Both split by shuffled stratified K-fold with the same seed and fit clones of the model."""
        linear_model = pytest.importorskip("sklearn.linear_model")
        rng = np.random.default_rng(3)
        labels = rng.integers(0, 3, 300)
        X = rng.normal(0, 1, (300, 4)) + labels[:, None] * np.array([1.0, -0.5, 0.0, 0.3])
        model = linear_model.LogisticRegression(max_iter=500)
        ours = lw.out_of_fold_probs(model, X, labels, cv=4, random_state=5, verbose=False)
        theirs = cleanlab_count.estimate_cv_predicted_probabilities(X, labels, model, cv_n_folds=4, seed=5)
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_real_data_class_summary_and_health_equal_cleanlab(shared_data, name):
    """On the published MNIST / CIFAR-10 probabilities: per-class table, health and matrices."""
    folder = shared_data / "label_errors" / name
    labels, probs = np.load(folder / "labels.npy"), np.load(folder / "pred_probs.npy")
    ours = lw.find_label_issues(labels, probs, confident_class_rule="argmax")
    theirs = cleanlab_dataset.rank_classes_by_label_quality(labels, probs, joint=ours.joint).sort_values("Class Index")
    np.testing.assert_array_equal(ours.class_summary["estimated_issues"], theirs["Label Issues"])
    np.testing.assert_allclose(ours.class_summary["label_quality"], theirs["Label Quality Score"], atol=1e-12)
    flagged = lw.find_label_issues(labels, probs, filter_by="confident_learning", confident_class_rule="argmax")
    health = cleanlab_dataset.overall_label_health_score(labels, probs, verbose=False)
    assert 1.0 - flagged.n_issues / len(labels) == pytest.approx(health, abs=1e-12)
    _, noise, inverse = cleanlab_count.estimate_latent(ours.calibrated_confident_joint, labels)
    np.testing.assert_allclose(ours.noise_matrix, noise, atol=1e-12)
    np.testing.assert_allclose(ours.inverse_noise_matrix, inverse, atol=1e-12)
