"""Properties of :mod:`labelwise.audit.overlap`: renaming and reordering the classes permutes the
tables accordingly; permuting the rows, chunking them (in memory or on Dask, any block size) and a
second call change nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.audit.overlap import ClassOverlap
from tests.audit._data import noisy_probs


@st.composite
def joints(draw):
    """A K x K joint with some zero cells and, often, equal cells (ties), its n and a permutation."""
    k = draw(st.integers(2, 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    counts = rng.integers(0, draw(st.sampled_from([3, 50])), (k, k)).astype(np.float64)
    counts[np.arange(k), np.arange(k)] += rng.integers(1, 200, k)
    return counts / counts.sum(), int(counts.sum()), rng.permutation(k)


@st.composite
def audits(draw):
    """Labels and continuous probabilities (no exact ties) of a few hundred rows."""
    n = draw(st.integers(40, 600))
    k = draw(st.integers(2, 8))
    labels, probs, _ = noisy_probs(n, k, seed=draw(st.integers(0, 2**31)), noise=draw(st.sampled_from([0.05, 0.3])))
    return labels, probs


def _keyed_pairs(overlap: ClassOverlap, asymmetric: bool = False) -> dict:
    """Pairs as {(a, b) or {a, b}: (count, joint)}: the order of equal joints is class order, not compared."""
    pairs = overlap.pairs(asymmetric=asymmetric)
    values = pairs["joint_probability"].to_numpy()
    assert np.all(np.diff(values) <= 0)
    key = tuple if asymmetric else frozenset
    return {
        key((a, b)): (n, p)
        for a, b, n, p in zip(pairs["class_a"], pairs["class_b"], pairs["n_overlapping"], values, strict=True)
    }


def _keyed_classes(overlap: ClassOverlap) -> pd.DataFrame:
    frame = overlap.classes_by_quality()
    assert np.all(np.diff(frame["label_quality"].to_numpy()) >= 0)
    return frame.set_index("class").sort_index()


def _assert_same(a: ClassOverlap, b: ClassOverlap) -> None:
    np.testing.assert_array_equal(a.joint, b.joint)
    np.testing.assert_array_equal(a.classes, b.classes)
    assert (a.n_examples, a.n_label_issues) == (b.n_examples, b.n_label_issues)
    pd.testing.assert_frame_equal(a.pairs(), b.pairs())
    pd.testing.assert_frame_equal(a.classes_by_quality(), b.classes_by_quality())
    assert a.summary() == b.summary()


class TestRenamingClasses:
    """Reordering and renaming the classes of a joint permutes every table."""

    @settings(max_examples=60, deadline=None)
    @given(joints(), st.booleans())
    def test_reordered_renamed_joint_permutes_pairs_and_classes(self, case, asymmetric):
        """Q'[s[i], s[j]] = Q[i, j] with class s[i] named 'c{i}': the same pairs and per-class rows by name."""
        joint, n, sigma = case
        k = joint.shape[0]
        names = np.array([f"c{i}" for i in range(k)], dtype=object)
        renamed = np.empty_like(joint)
        renamed[np.ix_(sigma, sigma)] = joint
        new_names = np.empty(k, dtype=object)
        new_names[sigma] = names
        a = ClassOverlap.from_joint(joint, n, classes=names)
        b = ClassOverlap.from_joint(renamed, n, classes=new_names)
        assert _keyed_pairs(a, asymmetric) == _keyed_pairs(b, asymmetric)
        pd.testing.assert_frame_equal(_keyed_classes(a), _keyed_classes(b))
        assert a.health_score == b.health_score

    @settings(max_examples=25, deadline=None)
    @given(audits())
    def test_string_names_in_the_same_column_order_change_nothing_but_names(self, case):
        """Labels as strings, with classes naming the columns in their order: the same numbers."""
        labels, probs = case
        names = np.array([f"class {i}" for i in range(probs.shape[1])], dtype=object)
        a = lw.audit.class_overlap(labels, probs)
        b = lw.audit.class_overlap(names[labels], probs, classes=names)
        np.testing.assert_array_equal(a.joint, b.joint)
        assert a.n_label_issues == b.n_label_issues
        pairs_a, pairs_b = a.pairs(), b.pairs()
        np.testing.assert_array_equal(names[pairs_a["class_a"].to_numpy(int)], pairs_b["class_a"])
        np.testing.assert_array_equal(pairs_a["joint_probability"], pairs_b["joint_probability"])

    @settings(max_examples=25, deadline=None)
    @given(audits(), st.integers(0, 2**31))
    def test_reordered_columns_keep_the_health_score_and_permute_the_counts(self, case, seed):
        """Columns (and labels) reordered: the same health score and the confident joint renamed.

        The calibrated joint is renamed too unless the calibration's rounding had to choose among
        equal remainders of a row (documented in find_label_issues); then only the score is compared.
        """
        labels, probs = case
        k = probs.shape[1]
        sigma = np.random.default_rng(seed).permutation(k)
        moved = np.empty_like(probs)
        moved[:, sigma] = probs
        a = lw.find_label_issues(labels, probs)
        b = lw.find_label_issues(sigma[labels], moved)
        assert a.class_overlap().health_score == b.class_overlap().health_score
        np.testing.assert_array_equal(b.confident_joint[np.ix_(sigma, sigma)], a.confident_joint)
        if (b.calibrated_confident_joint[np.ix_(sigma, sigma)] == a.calibrated_confident_joint).all():
            renamed = ClassOverlap.from_joint(b.joint, len(labels), classes=np.argsort(sigma))
            assert _keyed_pairs(renamed) == _keyed_pairs(ClassOverlap.from_joint(a.joint, len(labels)))


class TestRowsAndChunks:
    """The estimates are sums over rows: their order and blocks change nothing."""

    @settings(max_examples=25, deadline=None)
    @given(audits(), st.integers(0, 2**31))
    def test_permuting_rows_changes_nothing(self, case, seed):
        """Rows in any order: the same joint, count, pairs and summary."""
        labels, probs = case
        perm = np.random.default_rng(seed).permutation(len(labels))
        _assert_same(lw.audit.class_overlap(labels, probs), lw.audit.class_overlap(labels[perm], probs[perm]))

    @settings(max_examples=25, deadline=None)
    @given(audits(), st.integers(1, 97), st.sampled_from([1, 2]))
    def test_any_chunk_rows_and_threads_give_the_same(self, case, chunk_rows, n_jobs):
        """In-memory chunks of any size, over one or two threads, and a second call: identical."""
        labels, probs = case
        ref = lw.audit.class_overlap(labels, probs)
        _assert_same(ref, lw.audit.class_overlap(labels, probs, chunk_rows=chunk_rows, n_jobs=n_jobs))
        _assert_same(ref, lw.audit.class_overlap(labels, probs))

    @settings(max_examples=10, deadline=None)
    @given(audits(), st.integers(7, 300))
    def test_dask_blocks_of_any_size_give_the_in_memory_result(self, case, block):
        """The chunked (Dask) audit's class_overlap equals the in-memory one for any block size."""
        da = pytest.importorskip("dask.array")
        labels, probs = case
        chunked = lw.audit.class_overlap(da.from_array(labels, chunks=block), da.from_array(probs, chunks=(block, -1)))
        _assert_same(lw.audit.class_overlap(labels, probs), chunked)
