"""Poisoned-data detectors: what they flag, what they return, and the errors they raise."""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw
from labelwise.errors import InvalidParameterError, LabelwiseWarning, ShapeMismatchError, TooFewExamplesError
from labelwise.poison._detect_spectral import flag_count


def backdoor(
    seed: int = 0, n_per_class: int = 100, d: int = 12, poisoned: int = 10, shift: float = 6.0, modes: float = 0.0
):
    """Three Gaussian classes; the first ``poisoned`` rows (class "a") are shifted along one axis.
    ``modes`` > 0 gives every class two equal halves that far apart along axis 0 (a clean class's
    two comparable clusters, the premise of activation clustering)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.array(["a", "b", "c"]), n_per_class)
    features = rng.normal(size=(len(labels), d))
    features[:, 0] += modes * (np.arange(len(labels)) % 2)
    features[:poisoned, 3] += shift
    return features, labels


DETECTORS = [lw.poison.spectral_signatures, lw.poison.activation_clustering]


class TestSpectralSignatures:
    def test_flags_the_shifted_rows_in_the_poisoned_class(self):
        """Every shifted row is flagged, and each class loses the quantile rule's count."""
        features, labels = backdoor()
        found = lw.poison.spectral_signatures(features, labels, eps=0.1)
        assert found.is_flagged[:10].all()
        assert found.per_class["flagged"].tolist() == [flag_count(100, 0.15)] * 3

    def test_scores_are_squared_projections_on_the_top_direction(self):
        """A class's scores are its centred rows' squared projections on the top singular vector."""
        features, labels = backdoor()
        found = lw.poison.spectral_signatures(features, labels)
        rows = features[labels == "b"]
        centred = rows - rows.mean(axis=0)
        top = np.linalg.svd(centred, full_matrices=False)[2][0]
        np.testing.assert_allclose(found.scores[labels == "b"], (centred @ top) ** 2, rtol=1e-9)

    @pytest.mark.parametrize(("n", "share", "count"), [(100, 0.15, 15), (2, 0.75, 1), (101, 0.15, 16), (10, 0.01, 1)])
    def test_flag_count_is_arts_quantile_rule(self, n, share, count):
        """The count is the rows at or above numpy's linear-interpolation quantile 1 - share."""
        assert flag_count(n, share) == count
        scores = np.arange(n, dtype=float)
        assert int((scores >= np.quantile(scores, 1 - share)).sum()) == count

    def test_multiplier_times_eps_of_one_or_more_is_refused(self):
        """multiplier * eps >= 1 would flag whole classes: an error naming both."""
        features, labels = backdoor()
        with pytest.raises(InvalidParameterError, match="multiplier \\* eps must be below 1"):
            lw.poison.spectral_signatures(features, labels, eps=0.4, multiplier=2.5)

    @pytest.mark.parametrize("eps", [0.0, 0.5, -0.1, 0.7])
    def test_eps_outside_the_open_interval_is_refused(self, eps):
        """eps must lie in (0, 0.5)."""
        features, labels = backdoor()
        with pytest.raises(InvalidParameterError, match="eps must be a number in \\(0, 0.5\\)"):
            lw.poison.spectral_signatures(features, labels, eps=eps)

    def test_a_class_of_identical_rows_has_no_flag(self):
        """Identical rows have no direction: their scores are 0 and none is flagged."""
        features, labels = backdoor()
        features[labels == "b"] = 2.0
        found = lw.poison.spectral_signatures(features, labels)
        assert not found.is_flagged[labels == "b"].any()
        assert (found.scores[labels == "b"] == 0).all()


class TestActivationClustering:
    def test_relative_size_flags_only_the_small_cluster_of_the_poisoned_class(self):
        """The shifted rows form class a's small cluster; the clean classes split about evenly."""
        features, labels = backdoor(shift=8.0, modes=4.0)
        found = lw.poison.activation_clustering(features, labels)
        assert found.flagged_indices.tolist() == list(range(10))
        assert found.per_class["flagged"].tolist() == [10, 0, 0]
        assert (found.clusters[:10] == 1).all()

    def test_smaller_analysis_flags_a_cluster_in_every_class(self):
        """ART's default analysis calls the smaller cluster of every class poisoned."""
        features, labels = backdoor(shift=8.0, modes=4.0)
        found = lw.poison.activation_clustering(features, labels, analysis="smaller")
        assert (found.per_class["flagged"] > 0).all()

    def test_silhouette_analysis_reports_the_silhouette_and_keeps_a_clear_backdoor(self):
        """The silhouette of each split is reported; the clear backdoor passes its threshold."""
        features, labels = backdoor(shift=8.0, modes=4.0)
        found = lw.poison.activation_clustering(features, labels, analysis="silhouette")
        assert found.per_class["silhouette"].notna().all()
        assert found.flagged_indices.tolist() == list(range(10))

    def test_silhouette_threshold_above_every_split_flags_nothing(self):
        """A split whose silhouette is below the threshold is not called poisoned."""
        features, labels = backdoor(shift=8.0, modes=4.0)
        found = lw.poison.activation_clustering(features, labels, analysis="silhouette", silhouette_threshold=0.99)
        assert found.n_flagged == 0

    def test_ica_is_pca_whitened(self):
        """reduce="ica" clusters the whitened principal components: with few features (no
        reduction) both reductions give the same clusters."""
        features, labels = backdoor(d=6, shift=8.0, modes=4.0)
        ica = lw.poison.activation_clustering(features, labels, reduce="ica", n_components=10)
        pca = lw.poison.activation_clustering(features, labels, reduce="pca", n_components=10)
        np.testing.assert_array_equal(ica.clusters, pca.clusters)

    def test_identical_rows_make_one_cluster_and_no_flag(self):
        """A class of identical rows cannot be split: nothing in it is flagged."""
        features, labels = backdoor()
        features[labels == "b"] = 1.0
        found = lw.poison.activation_clustering(features, labels)
        assert not found.is_flagged[labels == "b"].any()
        assert found.per_class.set_index("class").loc["b", "smaller_share"] == 0.0


class TestResult:
    @pytest.mark.parametrize("detect", DETECTORS)
    def test_frame_lists_flagged_rows_first_then_by_score(self, detect):
        """to_frame: one row per example, flagged first, then highest score first."""
        features, labels = backdoor(shift=8.0, modes=4.0)
        frame = detect(features, labels).to_frame()
        assert len(frame) == len(labels) and frame.index.name == "row"
        flagged = frame["is_flagged"].to_numpy()
        assert flagged[: flagged.sum()].all()
        rest = frame["score"].to_numpy()[flagged.sum() :]
        assert (np.diff(rest) <= 0).all()
        assert set(frame["label"]) == {"a", "b", "c"}


class TestBadInput:
    @pytest.mark.parametrize("detect", DETECTORS)
    def test_features_not_two_dimensional(self, detect):
        """3-D activations are refused with the shape and how to flatten them."""
        with pytest.raises(ShapeMismatchError, match="features must be a 2-D array.*reshape"):
            detect(np.zeros((6, 2, 2)), [0, 1] * 3)

    @pytest.mark.parametrize("detect", DETECTORS)
    def test_ragged_rows(self, detect):
        """Rows of different lengths are refused as not 2-D."""
        with pytest.raises(ShapeMismatchError, match="same number of values in every row"):
            detect([[1.0, 2.0], [3.0]], [0, 1])

    @pytest.mark.parametrize("detect", DETECTORS)
    def test_lengths_differ(self, detect):
        """features and labels of different lengths are refused with both lengths."""
        with pytest.raises(ShapeMismatchError, match="same length, got 6 and 5"):
            detect(np.zeros((6, 2)), [0, 1, 0, 1, 0])

    @pytest.mark.parametrize("detect", DETECTORS)
    def test_non_finite_features(self, detect):
        """A NaN is reported with its row and column."""
        features, labels = backdoor()
        features[7, 2] = np.nan
        with pytest.raises(InvalidParameterError, match="features must be finite, got nan at row 7, column 2"):
            detect(features, labels)

    @pytest.mark.parametrize("detect", DETECTORS)
    def test_a_class_with_too_few_rows_is_skipped_with_a_warning(self, detect):
        """A one-row class is skipped: a warning names it, its row has no flag and a NaN score."""
        features, labels = backdoor()
        labels = labels.astype(object)
        labels[-1] = "lonely"
        with pytest.warns(LabelwiseWarning, match="fewer than .* rows \\(lonely\\)"):
            found = detect(features, labels)
        assert not found.is_flagged[-1] and np.isnan(found.scores[-1])

    @pytest.mark.parametrize("detect", DETECTORS)
    def test_no_class_with_enough_rows_is_an_error(self, detect):
        """When every class is too small the detector has nothing to do: an error."""
        with pytest.raises(TooFewExamplesError, match="at least one class"):
            detect(np.zeros((2, 3)), ["x", "y"])
