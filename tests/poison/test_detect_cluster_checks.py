"""Activation clustering's distance analyses and exclusionary reclassification: what they flag,
against ART 1.20.1 on the same clusters, their checks and properties."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

import labelwise as lw
from labelwise.errors import InvalidParameterError, ShapeMismatchError

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # ART warns that PyTorch is absent
    poison_art = pytest.importorskip("art.defences.detector.poison")

LOGISTIC = LogisticRegression(max_iter=1000)


def source_poisoned(seed: int, n: int = 150, d: int = 40, poisoned: int = 20):
    """Three Gaussian classes; ``poisoned`` rows of class 1 carry a trigger and are labelled 0 (a
    backdoor from source class 1 to target class 0). Returns the features, labels and poisoned rows."""
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1, 2], n)
    features = rng.normal(size=(3 * n, d)) + 3.0 * rng.normal(size=(3, d))[labels]
    rows = np.flatnonzero(labels == 1)[:poisoned]
    features[rows] += 3.0 * np.eye(d)[5]
    labels[rows] = 0
    return features, labels, rows


class TestDistanceAnalysis:
    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_distance_flags_the_rows_taken_from_another_class(self, seed):
        """The poisoned cluster of class 0 sits near class 1's centre: exactly its rows are flagged."""
        features, labels, rows = source_poisoned(seed)
        found = lw.poison.activation_clustering(features, labels, reduce="pca", analysis="distance")
        assert found.flagged_indices.tolist() == rows.tolist()

    @pytest.mark.parametrize("seed", [0, 1])
    def test_distance_reduced_equals_arts_analyzer_on_the_same_clusters(self, seed):
        """ART's ``analyze_by_distance`` on ART's own PCA reduction of each class and labelwise's
        clusters flags what ``analysis="distance-reduced"`` flags (here much more than the poison:
        the classes' reductions live in different bases)."""
        from art.defences.detector.poison.activation_defence import reduce_dimensionality
        from art.defences.detector.poison.clustering_analyzer import ClusteringAnalyzer

        features, labels, rows = source_poisoned(seed)
        ours = lw.poison.activation_clustering(features, labels, reduce="pca", analysis="distance-reduced")
        clusters = [ours.clusters[labels == k] for k in range(3)]
        reduced = [reduce_dimensionality(features[labels == k], nb_dims=10, reduce="PCA") for k in range(3)]
        clean, _, _ = ClusteringAnalyzer().analyze_by_distance(clusters, reduced)
        art_flags = np.zeros(len(labels), dtype=bool)
        for k in range(3):
            art_flags[labels == k] = np.asarray(clean[k]) == 0
        np.testing.assert_array_equal(ours.is_flagged, art_flags)
        assert ours.n_flagged > 2 * len(rows)

    def test_distance_reduced_keeps_unreduced_features_uncentred_as_art(self):
        """With no more columns than n_components ART clusters the raw activations, so the classes'
        medians share a space: the poisoned cluster is found by either distance analysis."""
        features, labels, rows = source_poisoned(3, d=6)
        for analysis in ("distance", "distance-reduced"):
            found = lw.poison.activation_clustering(features, labels, analysis=analysis)
            assert found.flagged_indices.tolist() == rows.tolist()


class TestExclusionaryReclassification:
    def test_reclassification_unflags_the_clean_halves_the_smaller_analysis_flags(self):
        """``"smaller"`` flags a cluster in every class; refitting without them, only the poisoned
        cluster is predicted as another class (its source class 1), the rest is legitimate."""
        features, labels, rows = source_poisoned(0)
        plain = lw.poison.activation_clustering(features, labels, reduce="pca", analysis="smaller")
        assert plain.n_flagged > 2 * len(rows)
        found = lw.poison.activation_clustering(features, labels, reduce="pca", analysis="smaller", estimator=LOGISTIC)
        assert found.flagged_indices.tolist() == rows.tolist()
        table = found.per_class.set_index("class")
        assert table.loc[0, "source_class"] == 1
        assert table.loc[0, "reclassify_score"] == pytest.approx(0.0)
        assert np.isinf(table.loc[1, "reclassify_score"]) and table.loc[1, "source_class"] is None
        assert found.params["reclassify_threshold"] == 1.0

    def test_reclassification_reads_the_model_inputs_when_given(self):
        """``X`` replaces the features for the refit: inputs that encode each row's label predict
        every flagged cluster as its label, so nothing stays flagged."""
        features, labels, rows = source_poisoned(1)
        inputs = 5.0 * np.eye(3)[labels] + np.random.default_rng(0).normal(size=(len(labels), 3))
        kw = dict(reduce="pca", analysis="distance", estimator=LOGISTIC)
        assert lw.poison.activation_clustering(features, labels, **kw).flagged_indices.tolist() == rows.tolist()
        assert lw.poison.activation_clustering(features, labels, X=inputs, **kw).n_flagged == 0

    def test_reclassification_matches_art_on_a_clear_split(self):
        """ART's ``ex_re_threshold`` with a classifier refitted on the unflagged rows keeps exactly
        the rows labelwise keeps (``"smaller"`` analysis, PCA; a split any k-means start finds)."""
        features, labels, rows = source_poisoned(2)
        features[rows] += 12.0 * np.eye(40)[7]
        ours = lw.poison.activation_clustering(
            features, labels, reduce="pca", analysis="smaller", estimator=LOGISTIC, reclassify_threshold=1.0
        )
        logging.getLogger("art").setLevel(logging.ERROR)
        art = poison_art.ActivationDefence(Refittable(features, 3), np.arange(len(labels)), labels)
        _, is_clean = art.detect_poison(nb_clusters=2, reduce="PCA", cluster_analysis="smaller", ex_re_threshold=1.0)
        art_flags = np.asarray(is_clean) == 0
        np.testing.assert_array_equal(ours.is_flagged, art_flags)
        assert ours.flagged_indices.tolist() == rows.tolist()

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"reclassify_threshold": 0}, InvalidParameterError, "reclassify_threshold must be a positive number"),
            ({"estimator": "logistic"}, InvalidParameterError, "estimator must be a classifier"),
            ({"X": np.zeros((5, 2))}, InvalidParameterError, "X .* is read only with an estimator"),
            ({"X": np.zeros((5, 2)), "estimator": LOGISTIC}, ShapeMismatchError, "X"),
        ],
    )
    def test_bad_arguments_name_the_parameter(self, kwargs, error, match):
        """Each bad argument raises a labelwise error naming it."""
        features, labels, _ = source_poisoned(0, n=10, d=6, poisoned=2)
        with pytest.raises(error, match=match):
            lw.poison.activation_clustering(features, labels, **kwargs)


class Refittable:
    """An ART classifier over row numbers: activations are the features' rows, and
    ``clone_for_refitting`` gives a logistic regression fitted on those rows (as labelwise's)."""

    def __init__(self, features: np.ndarray, n_classes: int) -> None:
        self.features = features
        self.layer_names = ["features"]
        self.nb_classes = n_classes
        self.model = None

    def get_activations(self, x, layer, batch_size=128):
        return self.features[np.asarray(x)]

    def clone_for_refitting(self):
        return Refittable(self.features, self.nb_classes)

    def fit(self, x, y):
        y = np.asarray(y)
        self.model = LogisticRegression(max_iter=1000).fit(
            self.features[np.asarray(x)], y if y.ndim == 1 else y.argmax(1)
        )

    def predict(self, x):
        return np.eye(self.nb_classes)[self.model.predict(self.features[np.asarray(x)])]


class TestDistanceProperties:
    @settings(max_examples=10, deadline=None)
    @given(seed=st.integers(0, 2**31), shuffle=st.integers(0, 2**31), names=st.permutations(["x", "y", "z"]))
    def test_row_order_and_class_names_do_not_change_the_flags(self, seed, shuffle, names):
        """Shuffling the rows and renaming the classes leave the distance analysis's flags alone."""
        features, labels, _ = source_poisoned(seed % 1000, n=40, d=8, poisoned=6)
        order = np.random.default_rng(shuffle).permutation(len(labels))
        renamed = np.asarray(names)[labels]
        a = lw.poison.activation_clustering(features, labels, analysis="distance")
        b = lw.poison.activation_clustering(features[order], renamed[order], analysis="distance")
        np.testing.assert_array_equal(b.is_flagged[np.argsort(order)], a.is_flagged)
