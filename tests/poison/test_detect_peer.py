"""labelwise's poisoned-data detectors against ART 1.20.1's (``art.defences.detector.poison``).

ART's detectors ask a classifier for the activations of its last layer; :class:`FixedActivations`
hands them the features as they are, so both libraries see the same representations.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

import labelwise as lw

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # ART warns that PyTorch is absent
    poison_art = pytest.importorskip("art.defences.detector.poison")


class FixedActivations:
    """The part of an ART classifier its poison detectors call: ``layer_names``, ``nb_classes`` and
    ``get_activations`` returning the given features for the given rows."""

    def __init__(self, features: np.ndarray, n_classes: int) -> None:
        self.features = features
        self.layer_names = ["features"]
        self.nb_classes = n_classes

    def get_activations(self, x, layer, batch_size=128):
        return self.features[np.asarray(x)]


def backdoored(seed: int, n_per_class: int = 150, n_classes: int = 3, d: int = 40, poisoned: int = 15):
    """Gaussian classes, with ``poisoned`` rows labelled as class 0 that carry a shift along one
    direction (a trigger's signature); the rows of class 0 come first, the poisoned ones among them."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(n_classes), n_per_class)
    features = rng.normal(size=(len(labels), d)) + 3.0 * np.eye(n_classes, d)[labels]
    trigger = rng.normal(size=d)
    features[:poisoned] += 4.0 * trigger / np.linalg.norm(trigger)
    return features, labels


class TestSpectralSignaturesAgainstART:
    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_scores_and_flags_match_art_on_class_centred_features(self, seed):
        """On features centred in each class (where ART's uncentred projection equals the paper's),
        ART's score squared is labelwise's (to 1e-9 relative) and the flagged rows are the same."""
        features, labels = backdoored(seed)
        for k in np.unique(labels):
            features[labels == k] -= features[labels == k].mean(axis=0)
        ours = lw.poison.spectral_signatures(features, labels, eps=0.1)
        art = poison_art.SpectralSignatureDefense(
            FixedActivations(features, 3), np.arange(len(labels)), labels, expected_pp_poison=0.1
        )
        report, is_clean = art.detect_poison()
        flagged = np.asarray(is_clean) == 0
        np.testing.assert_array_equal(ours.is_flagged, flagged)
        rows = np.array(sorted(report))
        np.testing.assert_allclose(ours.scores[rows], np.array([report[r] for r in rows]) ** 2, rtol=1e-9)

    def test_both_find_the_poisoned_rows_on_uncentred_features(self):
        """With the classes' means left in (ART projects them, labelwise centres them), both flag
        every poisoned row in this well-separated case."""
        features, labels = backdoored(3)
        ours = lw.poison.spectral_signatures(features, labels, eps=0.1)
        art = poison_art.SpectralSignatureDefense(
            FixedActivations(features, 3), np.arange(len(labels)), labels, expected_pp_poison=0.1
        )
        assert ours.is_flagged[:15].all()
        assert art_flags_with(art)[:15].all()


class TestActivationClusteringAgainstART:
    @pytest.mark.parametrize(("reduce", "art_reduce"), [("ica", "FastICA"), ("pca", "PCA")])
    def test_clusters_match_kmeans_on_arts_reduction(self, reduce, art_reduce):
        """ART's reduction (its ``reduce_dimensionality``: FastICA or PCA to 10 dimensions) clustered
        by the best of 20 seeded k-means++ runs gives the backdoored class the split labelwise
        finds, and the relative-size analysis of both flags exactly the poisoned rows.
        (ART's ``detect_poison`` runs one unseeded k-means++ start, which lands in a worse local
        optimum for most seeds here, so its own clusters are not compared.)"""
        from art.defences.detector.poison.activation_defence import reduce_dimensionality
        from sklearn.cluster import KMeans

        features, labels = backdoored(0, poisoned=20)
        features[:20] += 6.0 * np.eye(40)[5]
        ours = lw.poison.activation_clustering(features, labels, reduce=reduce)
        assert ours.flagged_indices.tolist() == list(range(20))
        for k in range(3):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # FastICA's convergence warning
                reduced = reduce_dimensionality(features[labels == k], nb_dims=10, reduce=art_reduce)
            split = KMeans(2, n_init=20, random_state=0).fit_predict(reduced)
            smaller = np.argmin(np.bincount(split))
            share = np.mean(split == smaller)
            assert (share < 0.35) == (k == 0)
            if k == 0:
                np.testing.assert_array_equal(split == smaller, ours.clusters[labels == 0] == 1)

    def test_smaller_analysis_flags_the_backdoor_in_the_poisoned_class_as_art(self):
        """ART's default (``PCA``, ``smaller``) on the backdoored class flags the rows labelwise's
        ``reduce="pca", analysis="smaller"`` flags there (a clear split that any start finds)."""
        features, labels = backdoored(1, poisoned=20)
        features[:20] += 12.0 * np.eye(40)[5]
        ours = lw.poison.activation_clustering(features, labels, reduce="pca", analysis="smaller")
        art = poison_art.ActivationDefence(FixedActivations(features, 3), np.arange(len(labels)), labels)
        flagged = art_flags_with(art)
        np.testing.assert_array_equal(ours.is_flagged[labels == 0], flagged[labels == 0])


def art_flags_with(detector, **params) -> np.ndarray:
    logging.getLogger("art").setLevel(logging.ERROR)
    _, is_clean = detector.detect_poison(**params)
    return np.asarray(is_clean) == 0
