"""Differential tests: :mod:`labelwise.audit.overlap` against cleanlab 2.9's ``cleanlab.dataset``
(``find_overlapping_classes``, ``rank_classes_by_label_quality``, ``overall_label_health_score``,
``health_summary``) on the same ``(labels, probs)``.

labelwise runs with ``confident_class_rule="argmax"`` (cleanlab's rule, issue #1248). cleanlab's
calibration may round an exactly tied remainder the other way (RESULTS.md): each test from
``(labels, probs)`` first asserts that cleanlab's joint is labelwise's, on cases where it is. Pairs
are compared as sets keyed by (class a, class b): cleanlab sorts with an unstable sort, so equal
joint probabilities may come in any order there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

cleanlab_count = pytest.importorskip("cleanlab.count")
cleanlab_dataset = pytest.importorskip("cleanlab.dataset")

import labelwise as lw  # noqa: E402
from tests.audit._data import noisy_probs  # noqa: E402
from tests.audit.test_find_label_issues_vs_cleanlab import _imbalanced  # noqa: E402
from tests.audit.test_overlap import _overlapping  # noqa: E402

CASES = [
    pytest.param(lambda: noisy_probs(900, 2, seed=22, noise=0.25)[:2], id="binary-noisy"),
    pytest.param(lambda: noisy_probs(800, 5, seed=24, noise=0.05, dtype=np.float32)[:2], id="float32-low-noise"),
    pytest.param(lambda: _imbalanced(seed=7), id="imbalanced"),
    pytest.param(lambda: _overlapping(n=2500, k=7, seed=4), id="swapped-pair"),
]


def _ours_and_joint(make):
    labels, probs = make()
    ours = lw.audit.class_overlap(labels, probs, confident_class_rule="argmax")
    theirs_joint = cleanlab_count.estimate_joint(labels, probs)
    np.testing.assert_array_equal(ours.joint, theirs_joint)  # the same calibration (see the module doc)
    return labels, probs, ours


def _keyed(frame: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    return frame.set_index([a, b]).sort_index()


def _assert_same_pairs(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    """Same pairs of non-zero joint, same counts and probabilities, both ranked by joint descending."""
    theirs = theirs[theirs["Joint Probability"] > 0]
    left = _keyed(ours, "class_a", "class_b")
    right = _keyed(theirs, "Class Index A", "Class Index B")
    assert left.index.tolist() == right.index.tolist()
    np.testing.assert_array_equal(left["n_overlapping"], right["Num Overlapping Examples"])
    np.testing.assert_allclose(left["joint_probability"], right["Joint Probability"], rtol=0, atol=1e-15)
    assert np.all(np.diff(ours["joint_probability"].to_numpy()) <= 0)


class TestFindOverlappingClasses:
    """:meth:`ClassOverlap.pairs` equals ``find_overlapping_classes``."""

    @pytest.mark.parametrize("make", CASES)
    @pytest.mark.parametrize("asymmetric", [False, True])
    def test_pairs_equal_cleanlab_from_labels_and_probs(self, make, asymmetric):
        """Both directions of the option, from the same (labels, probs)."""
        labels, probs, ours = _ours_and_joint(make)
        theirs = cleanlab_dataset.find_overlapping_classes(labels, probs, asymmetric=asymmetric)
        _assert_same_pairs(ours.pairs(asymmetric=asymmetric), theirs)

    @pytest.mark.parametrize("seed", [21, 23])
    def test_pairs_equal_cleanlab_given_the_same_joint(self, seed):
        """Where the two calibrations may round a tie apart (K = 10, 25), given labelwise's joint."""
        labels, probs, _ = noisy_probs(800, 10 if seed == 21 else 25, seed=seed)
        result = lw.find_label_issues(labels, probs, confident_class_rule="argmax")
        theirs = cleanlab_dataset.find_overlapping_classes(joint=result.joint, num_examples=len(labels))
        _assert_same_pairs(result.class_overlap().pairs(), theirs)

    def test_the_swapped_pair_is_cleanlabs_top_pair_too(self):
        """On the simulated overlap both rank the swapped pair (1, 4) first."""
        labels, probs, ours = _ours_and_joint(CASES[3].values[0])
        theirs = cleanlab_dataset.find_overlapping_classes(labels, probs)
        assert tuple(ours.pairs().iloc[0][["class_a", "class_b"]]) == (1, 4)
        assert tuple(theirs.iloc[0][["Class Index A", "Class Index B"]]) == (1, 4)

    def test_class_names_are_carried(self):
        """With class names, the pairs name the classes as cleanlab's Class Name columns do."""
        labels, probs = _overlapping(n=1500, k=6, seed=9)
        names = np.array(["ant", "bee", "cat", "dog", "eel", "fox"])
        ours = lw.audit.class_overlap(names[labels], probs, classes=names, confident_class_rule="argmax")
        theirs = cleanlab_dataset.find_overlapping_classes(labels, probs, class_names=list(names))
        theirs = theirs[theirs["Joint Probability"] > 0]
        assert set(zip(ours.pairs()["class_a"], ours.pairs()["class_b"], strict=True)) == set(
            zip(theirs["Class Name A"], theirs["Class Name B"], strict=True)
        )


class TestHealthSummary:
    """:meth:`ClassOverlap.classes_by_quality` and ``health_score`` equal ``health_summary``'s parts."""

    @pytest.mark.parametrize("make", CASES)
    def test_health_summary_equals_cleanlab(self, make):
        """Health score, joint, classes by label quality (ranked the same way), overlapping pairs."""
        labels, probs, ours = _ours_and_joint(make)
        theirs = cleanlab_dataset.health_summary(labels, probs, verbose=False)
        assert ours.health_score == pytest.approx(theirs["overall_label_health_score"], abs=1e-12)
        np.testing.assert_array_equal(ours.joint, theirs["joint"])
        by_quality = ours.classes_by_quality()
        table = theirs["classes_by_label_quality"]
        quality = by_quality["label_quality"].to_numpy()
        if np.unique(quality).size == quality.size:  # distinct: the same order
            np.testing.assert_array_equal(by_quality["class"], table["Class Index"])
        table = table.sort_values("Class Index")
        by_quality = by_quality.sort_values("class")
        np.testing.assert_array_equal(by_quality["n_label_issues"], table["Label Issues"])
        np.testing.assert_array_equal(by_quality["n_inverse_label_issues"], table["Inverse Label Issues"])
        for ours_col, their_col in (
            ("label_noise", "Label Noise"),
            ("inverse_label_noise", "Inverse Label Noise"),
            ("label_quality", "Label Quality Score"),
        ):
            np.testing.assert_allclose(by_quality[ours_col], table[their_col], rtol=0, atol=1e-12)
        _assert_same_pairs(ours.pairs(), theirs["overlapping_classes"])

    def test_health_from_a_joint_equals_cleanlab(self):
        """From a joint and a count alone: the trace, as cleanlab's."""
        labels, probs, _ = noisy_probs(800, 10, seed=21)
        joint = lw.find_label_issues(labels, probs).joint
        ours = lw.audit.ClassOverlap.from_joint(joint, len(labels)).health_score
        theirs = cleanlab_dataset.overall_label_health_score(joint=joint, num_examples=len(labels), verbose=False)
        assert ours == pytest.approx(theirs, abs=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_real_data_overlap_and_health_equal_cleanlab(shared_data, name):
    """On the published MNIST / CIFAR-10 probabilities: the same pairs, classes and health score."""
    folder = shared_data / "label_errors" / name
    labels, probs = np.load(folder / "labels.npy"), np.load(folder / "pred_probs.npy")
    result = lw.find_label_issues(labels, probs, confident_class_rule="argmax")
    ours = result.class_overlap()
    theirs = cleanlab_dataset.find_overlapping_classes(joint=result.joint, num_examples=len(labels))
    _assert_same_pairs(ours.pairs(), theirs)
    health = cleanlab_dataset.overall_label_health_score(labels, probs, verbose=False)
    assert ours.health_score == pytest.approx(health, abs=1e-12)
