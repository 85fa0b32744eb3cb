"""The shared graph's column scaling: the common scale, the labels' choice, and how find_data_issues uses it."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

from labelwise.checks import NeighborGraph, find_data_issues
from labelwise.checks import _scaling as scaling
from labelwise.checks.graph import StandardizedRows, exact_knn
from labelwise.errors import InvalidParameterError


def pixels(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Columns in one unit: three classes in six strong columns plus twenty rarely-on dim ones.

    Z-scores blow the rare columns up to the size of the strong ones; on their own common scale
    they stay small, so the classes are clearer to the neighbours.
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    strong = 8.0 * (np.arange(6)[None, :] // 2 == y[:, None]) + rng.normal(scale=2.0, size=(n, 6))
    rare = np.where(rng.random((n, 20)) < 0.02, rng.uniform(1.0, 3.0, (n, 20)), 0.0)
    return np.hstack([strong, rare]), y


def mixed_units(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three classes in two columns measured in small units beside two noise columns in large ones."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    informative = 0.01 * (rng.normal(size=(n, 2)) + 3.0 * np.c_[np.cos(2 * np.pi * y / 3), np.sin(2 * np.pi * y / 3)])
    return np.hstack([informative, 1000.0 * rng.normal(size=(n, 2))]), y


class TestCommonScale:
    def test_neighbours_are_those_of_the_raw_features(self):
        """One scale for all columns: the same neighbours as the raw features, distances over that scale."""
        X, _ = pixels()
        zscore = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        common = scaling.common_scale(zscore)
        assert np.all(common.scale == common.scale[0])
        assert common.scale[0] == pytest.approx(np.sqrt(np.mean(X.std(axis=0) ** 2)))
        idx, sq = exact_knn(common.materialize(), 10)
        raw_idx, raw_sq = exact_knn((X - X.mean(axis=0)).astype(np.float32), 10)
        np.testing.assert_array_equal(idx, raw_idx)
        np.testing.assert_allclose(sq, raw_sq / common.scale[0] ** 2, rtol=1e-4)

    def test_the_graph_records_it(self):
        """NeighborGraph.build(scaling='common') searches the common scale and says so."""
        X, _ = pixels()
        graph = NeighborGraph.build(X, k=5, scaling="common")
        assert graph.scaling == "common" and graph.standardized
        raw = NeighborGraph.build(X, k=5, standardize=False)
        np.testing.assert_array_equal(graph.indices, raw.indices)

    @pytest.mark.parametrize("how", ["fenced", "common"])
    def test_cosine_rows_stay_unit_rows_under_any_scaling(self, how):
        """metric='cosine' with standardised columns: the distances are 1 - cos of the scaled rows."""
        X = np.random.default_rng(0).normal(size=(200, 5)) * [1, 2, 3, 4, 100] + 3.0
        graph = NeighborGraph.build(X, k=5, metric="cosine", standardize=True, scaling=how)
        zscore = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        divisor = scaling.common_scale(zscore).scale if how == "common" else scaling.fenced_range(zscore)[0]
        Z = (X - X.mean(axis=0)) / divisor
        Z /= np.linalg.norm(Z, axis=1, keepdims=True)
        cos = np.einsum("ij,ij->i", Z[np.repeat(np.arange(200), 5)], Z[graph.indices.ravel()]).reshape(200, 5)
        assert graph.scaling == how
        np.testing.assert_allclose(graph.distances, 1.0 - cos, atol=1e-5)


class TestLabelsChoice:
    def test_labels_choose_the_common_scale_for_features_in_one_unit(self):
        """Rare dim columns: the neighbours agree with the labels better on the common scale, so it is chosen."""
        X, y = pixels()
        found = find_data_issues(X, y, checks=["label", "outlier"])
        record = found.info["scaling"]
        assert record["requested"] == "auto" and record["reason"] == "labels' choice"
        assert record["chosen"] == "common" and record["statistic"] > scaling.CHOICE_Z
        assert found.graph.scaling == "common" and found.label_graph is found.graph

    def test_labels_keep_z_scores_for_columns_in_different_units(self):
        """Informative columns in small units beside noise in large ones: z-scores are kept."""
        X, y = mixed_units()
        record = find_data_issues(X, y, checks="label").info["scaling"]
        assert record["chosen"] == "zscore" and record["statistic"] < 0

    def test_digits_pixels_take_the_common_scale(self):
        """scikit-learn's digits (8x8 pixels, one unit): the labels choose the common scale."""
        digits = load_digits()
        assert find_data_issues(digits.data, digits.target, checks="label").info["scaling"]["chosen"] == "common"

    def test_without_labels_z_scores(self):
        """No labels, no choice: z-scores, and the record says why."""
        X, _ = pixels()
        found = find_data_issues(X, checks="outlier")
        assert found.graph.scaling == "zscore"
        assert found.info["scaling"]["reason"] == "no labels" and found.info["scaling"]["statistic"] is None

    def test_every_check_uses_the_chosen_graph(self):
        """The label-free checks run on the chosen graph: their columns equal a run on that graph passed in."""
        X, y = pixels()
        found = find_data_issues(X, y, checks=["label", "outlier", "near_duplicate"])
        alone = find_data_issues(
            X, y, checks=["label", "outlier", "near_duplicate"], graph=NeighborGraph.build(X, k=10, scaling="common")
        )
        for column in ("label_score", "outlier_score", "near_duplicate_score", "is_outlier_issue"):
            np.testing.assert_array_equal(found.issues[column], alone.issues[column], err_msg=column)

    def test_asked_for_scalings_make_no_choice(self):
        """scaling='zscore' or 'common' is used as asked, without the labels' test."""
        X, y = pixels()
        for asked in ("zscore", "common"):
            found = find_data_issues(X, y, checks="outlier", scaling=asked)
            assert found.graph.scaling == asked
            assert found.info["scaling"] == {
                **found.info["scaling"],
                "requested": asked,
                "reason": "requested",
                "statistic": None,
            }

    def test_renaming_classes_and_permuting_rows_keep_the_choice(self):
        """The statistic depends on which rows share a label, not on the labels' names or the rows' order."""
        X, y = pixels()
        base = find_data_issues(X, y, checks="label").info["scaling"]
        order = np.random.default_rng(3).permutation(len(y))
        names = np.array(["cat", "dog", "emu"])[y]
        for X2, y2 in ((X[order], y[order]), (X, names)):
            got = find_data_issues(X2, y2, checks="label").info["scaling"]
            assert got["chosen"] == base["chosen"]
            assert got["statistic"] == pytest.approx(base["statistic"], rel=1e-9)

    def test_above_its_rows_the_choice_is_made_on_a_seeded_subsample(self):
        """Above COLUMN_CHOICE_ROWS rows the labels choose on that many, drawn by random_state."""
        X, y = pixels(n=1500)
        runs = [find_data_issues(X, y, checks="label", random_state=s).info["scaling"] for s in (0, 0, 1)]
        assert runs[0]["rows"] == scaling.COLUMN_CHOICE_ROWS
        assert runs[0] == runs[1]
        assert runs[2]["statistic"] != runs[0]["statistic"]

    @pytest.mark.parametrize("checks", [["outlier"], ["label", "outlier"]])
    def test_a_label_scaling_of_its_own_keeps_z_scores_for_the_shared_graph(self, checks):
        """With label_scaling 'fenced' the shared graph keeps z-scores, whether or not a check reads the labels."""
        X, y = pixels()
        found = find_data_issues(X, y, checks=checks, label_scaling="fenced")
        assert found.graph.scaling == "zscore"
        assert found.info["scaling"] == {**found.info["scaling"], "chosen": "zscore", "reason": "label_scaling given"}

    def test_summary_dict_reports_the_shared_scaling(self):
        """summary_dict carries the record next to the graph's settings."""
        X, y = pixels()
        sections = find_data_issues(X, y, checks="outlier").summary_dict()
        assert sections["scaling"]["chosen"] == sections["graph"]["scaling"] == "common"


class TestBadScaling:
    @pytest.mark.parametrize(
        ("options", "names"),
        [
            ({"scaling": "minmax"}, "scaling"),
            ({"scaling": "common", "metric": "cosine"}, "metric='cosine'"),
            ({"scaling": "zscore", "graph": "given"}, "a graph passed in"),
            ({"scaling": "common", "label_scaling": "fenced"}, "label_scaling='fenced'"),
        ],
    )
    def test_contradictory_or_unknown_options_are_named(self, options, names):
        """An unknown scaling, or one that cannot apply, is a clear error naming what conflicts."""
        X, y = pixels()
        if options.get("graph") == "given":
            options = {**options, "graph": NeighborGraph.build(X, k=10)}
        with pytest.raises(InvalidParameterError, match=names.replace("(", r"\(")):
            find_data_issues(X, y, checks="outlier", **options)
