""":mod:`labelwise.audit.overlap`: overlapping class pairs, classes by label quality and the health
score, from an audit, from ``(labels, probs)`` and from a joint; the errors of the public entries."""

from __future__ import annotations

import json

import numpy as np
import pytest

import labelwise as lw
from labelwise.audit.overlap import MIN_OVERLAP_JOINT, ClassOverlap
from labelwise.errors import InvalidLabelsError, InvalidParameterError, InvalidProbabilitiesError, ShapeMismatchError
from tests.audit._data import noisy_probs

JOINT = np.array([[0.4, 0.1, 0.0], [0.05, 0.25, 0.0], [0.0, 0.0, 0.2]])


def _overlapping(n=3000, k=6, seed=0):
    """Labels where half of class 1's true examples carry label 4, and probabilities that know it."""
    labels, probs, true = noisy_probs(n, k, seed=seed, noise=0.02, sharpness=8.0)
    rng = np.random.default_rng(seed)
    swap = (true == 1) & (rng.random(n) < 0.5)
    labels = labels.copy()
    labels[swap] = 4
    return labels, probs


class TestPairs:
    """:meth:`ClassOverlap.pairs` ranks the class pairs by their joint probability."""

    def test_symmetric_pairs_sum_both_directions(self):
        """The pair {cat, dog} holds Q[cat, dog] + Q[dog, cat]; pairs of joint 0 are left out."""
        overlap = ClassOverlap.from_joint(JOINT, 200, classes=["cat", "dog", "owl"])
        pairs = overlap.pairs()
        assert pairs[["class_a", "class_b"]].values.tolist() == [["cat", "dog"]]
        assert pairs["joint_probability"].iloc[0] == pytest.approx(0.15)
        assert pairs["n_overlapping"].iloc[0] == 30

    def test_asymmetric_pairs_are_given_then_true(self):
        """asymmetric=True: one row per ordered pair, (given, true), each with its own cell."""
        pairs = ClassOverlap.from_joint(JOINT, 200, classes=["cat", "dog", "owl"]).pairs(asymmetric=True)
        assert pairs[["class_a", "class_b"]].values.tolist() == [["cat", "dog"], ["dog", "cat"]]
        np.testing.assert_allclose(pairs["joint_probability"], [0.1, 0.05])

    def test_min_joint_keeps_pairs_at_or_above_it(self):
        """min_joint drops the pairs under it, keeps one exactly at it."""
        overlap = ClassOverlap.from_joint(JOINT, 200)
        assert len(overlap.pairs(asymmetric=True, min_joint=0.1)) == 1
        assert len(overlap.pairs(asymmetric=True, min_joint=0.11)) == 0

    def test_ties_follow_class_order(self):
        """Equal joint probabilities are listed in class order (a, then b)."""
        joint = np.full((3, 3), 1 / 9)
        pairs = ClassOverlap.from_joint(joint, 90).pairs()
        assert pairs[["class_a", "class_b"]].values.tolist() == [[0, 1], [0, 2], [1, 2]]

    def test_the_swapped_pair_comes_first(self):
        """Half of class 1 labelled 4: the pair (1, 4) tops the ranking, with about that many examples."""
        labels, probs = _overlapping()
        overlap = lw.audit.class_overlap(labels, probs)
        top = overlap.pairs().iloc[0]
        assert (top["class_a"], top["class_b"]) == (1, 4)
        n_swapped = int(((labels == 4) & (probs.argmax(axis=1) == 1)).sum())
        assert abs(top["n_overlapping"] - n_swapped) <= 0.25 * n_swapped


class TestOverlapFloor:
    """The floor of a reported pair: three times a pair's share of the noise, at least 0.1%."""

    def test_floor_is_three_times_the_mean_pair(self):
        """Noise 0.2 over 6 pairs (K = 4): floor 3 * 0.2 / 6 = 0.1."""
        joint = np.diag([0.2, 0.2, 0.2, 0.2]) + np.array(
            [[0, 0.15, 0, 0], [0.05, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], dtype=float
        )
        assert ClassOverlap.from_joint(joint, 100).overlap_floor == pytest.approx(0.1)

    def test_floor_with_three_classes_is_half_the_noise(self):
        """Noise 0.15 over 3 pairs, capped at half the noise: floor 0.075; only pairs above it are summarised."""
        overlap = ClassOverlap.from_joint(JOINT, 200)
        assert overlap.overlap_floor == pytest.approx(0.075)
        assert [p["class_a"] for p in overlap.summary()["overlapping_pairs"]] == [0]
        assert overlap.summary(min_joint=0.2)["overlapping_pairs"] == []

    def test_with_two_or_three_classes_half_the_noise_is_enough(self):
        """K = 2: the one pair holds all the noise and is reported (the floor is half the noise)."""
        joint = np.array([[0.5, 0.2], [0.05, 0.25]])
        overlap = ClassOverlap.from_joint(joint, 100)
        assert overlap.overlap_floor == pytest.approx(0.125)
        assert len(overlap.summary()["overlapping_pairs"]) == 1
        assert ClassOverlap.from_joint(np.array([[0.0, 0.9], [0.1, 0.0]]), 10).overlap_floor == 0.5

    def test_floor_has_a_minimum(self):
        """Almost clean labels: the floor is 0.1% of the examples, not a sliver of a tiny noise."""
        joint = np.diag([0.4999, 0.5]) + np.array([[0.0, 0.0001], [0.0, 0.0]])
        assert ClassOverlap.from_joint(joint, 10_000).overlap_floor == MIN_OVERLAP_JOINT

    def test_diffuse_noise_is_not_reported(self):
        """Labels flipped uniformly at random among 10 classes: no pair reaches the floor."""
        labels, probs, _ = noisy_probs(20_000, 10, seed=8, noise=0.1, sharpness=8.0)
        assert lw.audit.class_overlap(labels, probs).summary()["overlapping_pairs"] == []


class TestClassesByQuality:
    """:meth:`ClassOverlap.classes_by_quality`: noise, inverse noise and quality per class."""

    def test_columns_from_the_joint(self):
        """cat: 0.1 of 0.5 given cat is another class (noise 0.2); 0.05 of 0.45 true cats labelled dog."""
        frame = ClassOverlap.from_joint(JOINT, 200, classes=["cat", "dog", "owl"]).classes_by_quality()
        assert frame["class"].tolist() == ["cat", "dog", "owl"]  # quality 0.8, 0.833, 1
        cat = frame.iloc[0]
        assert cat["n_label_issues"] == 20 and cat["n_inverse_label_issues"] == 10
        assert cat["label_noise"] == pytest.approx(0.2)
        assert cat["inverse_label_noise"] == pytest.approx(0.05 / 0.45)
        assert cat["label_quality"] == pytest.approx(0.8)

    def test_same_numbers_as_the_class_summary(self):
        """The audit's class_summary and this table agree class by class."""
        labels, probs, _ = noisy_probs(600, 5, seed=3)
        result = lw.find_label_issues(labels, probs)
        frame = result.class_overlap().classes_by_quality().sort_values("class")
        summary = result.class_summary
        np.testing.assert_array_equal(frame["n_label_issues"], summary["estimated_issues"])
        np.testing.assert_allclose(frame["label_noise"], summary["noise_rate"], atol=1e-12)
        np.testing.assert_allclose(frame["inverse_label_noise"], summary["inverse_noise_rate"], atol=1e-12)


class TestHealth:
    """The health score and the JSON-ready summary."""

    def test_score_is_one_minus_the_confident_learning_share(self):
        """From an audit: 1 - (the confident_learning filter's count) / n, whatever filter_by."""
        labels, probs, _ = noisy_probs(700, 4, seed=5)
        flagged = lw.find_label_issues(labels, probs, filter_by="confident_learning")
        other = lw.find_label_issues(labels, probs, filter_by="prune_by_class")
        assert other.class_overlap().health_score == pytest.approx(1 - flagged.n_issues / 700)

    def test_score_from_a_joint_is_its_trace(self):
        """Without an audit's count, the joint's trace."""
        assert ClassOverlap.from_joint(JOINT, 200).health_score == pytest.approx(0.85)

    def test_health_is_json_ready_with_the_users_class_names(self):
        """health() dumps to JSON; pairs name the classes as given, at most five, above the floor."""
        labels, probs = _overlapping(k=8)
        names = np.array(["a", "b", "c", "d", "e", "f", "g", "h"])
        health = lw.find_label_issues(names[labels], probs, classes=names).health()
        json.dumps(health)
        assert health["overlapping_pairs"][0]["class_a"] == "b"
        assert health["overlapping_pairs"][0]["class_b"] == "e"
        assert len(health["overlapping_pairs"]) <= 5
        assert health["overlap_floor"] >= MIN_OVERLAP_JOINT
        assert all(p["joint_probability"] >= health["overlap_floor"] for p in health["overlapping_pairs"])
        assert [c["class"] for c in health["classes_by_quality"]][0] in {"b", "e"}

    def test_chunked_result_answers_without_computing(self):
        """A Dask audit's class_overlap equals the in-memory one."""
        da = pytest.importorskip("dask.array")
        labels, probs = _overlapping(n=2000)
        ours = lw.find_label_issues(labels, probs).class_overlap()
        chunked = lw.find_label_issues(da.from_array(labels, chunks=300), da.from_array(probs, chunks=(300, -1)))
        theirs = chunked.class_overlap()
        np.testing.assert_array_equal(theirs.joint, ours.joint)
        assert theirs.n_label_issues == ours.n_label_issues
        assert chunked.health() == lw.find_label_issues(labels, probs).health()


class TestErrors:
    """The public entries name the parameter, the expectation and what they got."""

    @pytest.mark.parametrize(
        ("joint", "error", "words"),
        [
            (np.ones(3) / 3, ShapeMismatchError, "joint must be a square"),
            (np.ones((2, 3)) / 6, ShapeMismatchError, "joint must be a square"),
            (np.array([[0.5]]), ShapeMismatchError, "K >= 2"),
            (np.array([[0.6, 0.5], [0.0, -0.1]]), InvalidParameterError, "non-negative"),
            (np.array([[np.nan, 0.5], [0.0, 0.5]]), InvalidParameterError, "finite"),
            (np.array([[0.5, 0.1], [0.1, 0.5]]), InvalidParameterError, "sum of 1.2"),
            ([["a", "b"], ["c", "d"]], InvalidParameterError, "matrix of numbers"),
        ],
    )
    def test_bad_joint(self, joint, error, words):
        """A joint that is not a K x K probability matrix."""
        with pytest.raises(error, match=words):
            ClassOverlap.from_joint(joint, 10)

    @pytest.mark.parametrize("n", [0, -3, 2.5, True, "10"])
    def test_bad_n_examples(self, n):
        """n_examples must be a positive integer."""
        with pytest.raises(InvalidParameterError, match="n_examples must be an integer >= 1"):
            ClassOverlap.from_joint(JOINT, n)

    def test_bad_classes(self):
        """classes: one per row of the joint, unique."""
        with pytest.raises(ShapeMismatchError, match=r"one entry per row of joint \(3\)"):
            ClassOverlap.from_joint(JOINT, 10, classes=["a", "b"])
        with pytest.raises(InvalidParameterError, match="classes must be unique"):
            ClassOverlap.from_joint(JOINT, 10, classes=["a", "b", "a"])

    @pytest.mark.parametrize("value", [-0.1, 1.5, "0.1", None, True])
    def test_bad_min_joint(self, value):
        """min_joint must be a number in [0, 1]."""
        with pytest.raises(InvalidParameterError, match=r"min_joint must be a number in \[0, 1\]"):
            ClassOverlap.from_joint(JOINT, 10).pairs(min_joint=value)

    def test_bad_asymmetric_and_max_pairs(self):
        """asymmetric must be a bool; max_pairs a non-negative integer."""
        overlap = ClassOverlap.from_joint(JOINT, 10)
        with pytest.raises(InvalidParameterError, match="asymmetric must be True or False, got 'yes'"):
            overlap.pairs(asymmetric="yes")
        with pytest.raises(InvalidParameterError, match="max_pairs must be an integer >= 0, got -1"):
            overlap.summary(max_pairs=-1)

    def test_bad_labels_and_probs_through_class_overlap(self):
        """class_overlap validates as find_label_issues does."""
        labels, probs, _ = noisy_probs(50, 3, seed=1)
        bad = probs.copy()
        bad[7] *= 2
        with pytest.raises(InvalidProbabilitiesError, match="row 7"):
            lw.audit.class_overlap(labels, bad)
        with pytest.raises(InvalidLabelsError):
            lw.audit.class_overlap(labels + 5, probs)
        with pytest.raises(ShapeMismatchError):
            lw.audit.class_overlap(labels[:-1], probs)
        with pytest.raises(InvalidParameterError, match="confident_class_rule"):
            lw.audit.class_overlap(labels, probs, confident_class_rule="max")
