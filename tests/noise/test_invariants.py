"""Invariants of the noise generators: determinism under ``random_state`` and class renaming.

Renaming uses string names whose sorted order is not the integers' order (``classes`` then says
which name is which column of the noise matrix or of ``probs``).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.noise import (
    MASK_NOISE_KINDS,
    OUTLIER_KINDS,
    corrupt_boxes,
    corrupt_masks,
    corrupt_targets,
    flip_counts,
    flip_labels,
    flip_tags,
    flip_token_tags,
    instance_dependent_flips,
    kms_field,
    noise_matrix,
)

SETTINGS = settings(max_examples=15, deadline=None)
NAMES = np.array(["zeta", "alpha", "mu", "beta", "kappa"], dtype=object)


def _equal_lists(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


class TestDeterminism:
    @SETTINGS
    @given(seed=st.integers(0, 10_000), n=st.integers(1, 12), k=st.integers(2, 4))
    def test_corrupt_boxes(self, seed, n, k):
        """The same ``random_state`` gives bit-identical boxes, labels, kinds and drops."""
        rng = np.random.default_rng(seed)
        labels = []
        for _ in range(n):
            m = int(rng.integers(0, 4))
            xy = rng.uniform(0, 50, (m, 2))
            labels.append({"boxes": np.hstack([xy, xy + 10]), "labels": rng.integers(0, k, m)})
        kw = {"drop_rate": 0.2, "swap_rate": 0.2, "jitter_rate": 0.2, "n_classes": k, "random_state": seed}
        a, b = corrupt_boxes(labels, **kw), corrupt_boxes(labels, **kw)
        for x, y in zip(a.labels, b.labels, strict=True):
            np.testing.assert_array_equal(x["boxes"], y["boxes"])
            np.testing.assert_array_equal(x["labels"], y["labels"])
        assert _equal_lists(a.kind, b.kind)
        assert _equal_lists([d["labels"] for d in a.dropped], [d["labels"] for d in b.dropped])

    @SETTINGS
    @given(seed=st.integers(0, 10_000), kind=st.sampled_from(MASK_NOISE_KINDS))
    def test_corrupt_masks_and_kms_field(self, seed, kind):
        """``corrupt_masks`` and ``kms_field`` are bit-identical for the same ``random_state``."""
        masks = np.random.default_rng(seed).integers(0, 3, (2, 12, 12))
        a = corrupt_masks(masks, kind=kind, n_classes=3, random_state=seed)
        b = corrupt_masks(masks, kind=kind, n_classes=3, random_state=seed)
        np.testing.assert_array_equal(a.labels, b.labels)
        np.testing.assert_array_equal(kms_field((2, 8, 8), 0.7, seed), kms_field((2, 8, 8), 0.7, seed))

    @SETTINGS
    @given(seed=st.integers(0, 10_000), kind=st.sampled_from(OUTLIER_KINDS))
    def test_corrupt_targets(self, seed, kind):
        """``corrupt_targets`` is bit-identical for the same ``random_state``."""
        y = np.round(np.random.default_rng(seed).normal(size=40), 1)
        a = corrupt_targets(y, rate=0.2, kind=kind, random_state=seed)
        b = corrupt_targets(y, rate=0.2, kind=kind, random_state=seed)
        np.testing.assert_array_equal(a.labels, b.labels)
        np.testing.assert_array_equal(a.is_corrupted, b.is_corrupted)

    @SETTINGS
    @given(seed=st.integers(0, 10_000))
    def test_tags_and_token_tags(self, seed):
        """``flip_tags`` and ``flip_token_tags`` are bit-identical for the same ``random_state``."""
        rng = np.random.default_rng(seed)
        truth = rng.random((20, 4)) < 0.4
        np.testing.assert_array_equal(
            flip_tags(truth, random_state=seed).labels, flip_tags(truth, random_state=seed).labels
        )
        tags = ["O", "B-PER", "I-PER", "B-LOC"]
        sentences = [list(rng.choice(tags, int(rng.integers(1, 6)))) for _ in range(8)]
        a = flip_token_tags(sentences, within_rate=0.2, between_rate=0.2, random_state=seed)
        b = flip_token_tags(sentences, within_rate=0.2, between_rate=0.2, random_state=seed)
        assert _equal_lists(a.labels, b.labels)


class TestRenaming:
    @SETTINGS
    @given(seed=st.integers(0, 10_000), k=st.integers(2, 5))
    def test_flip_labels_with_unsorted_names(self, seed, k):
        """Flipping names listed in ``classes`` (not in sorted order) equals flipping the integer
        codes with the same matrix, then renaming."""
        rng = np.random.default_rng(seed)
        y = rng.integers(0, k, 40)
        m = noise_matrix(k, 0.3, kind="random", random_state=seed)
        names = NAMES[:k]
        ints = flip_labels(y, m, random_state=seed, classes=np.arange(k))
        strs = flip_labels(names[y], m, random_state=seed, classes=names)
        np.testing.assert_array_equal(names[ints.labels], strs.labels)
        np.testing.assert_array_equal(ints.is_flipped, strs.is_flipped)

    @SETTINGS
    @given(seed=st.integers(0, 10_000), k=st.integers(2, 5))
    def test_instance_dependent_flips_with_unsorted_names(self, seed, k):
        """Names listed in ``classes`` for the columns of ``probs``, with tied probabilities, flip
        the same rows to the renamed classes."""
        rng = np.random.default_rng(seed)
        y = rng.integers(0, k, 40)
        probs = rng.integers(1, 3, (40, k)).astype(float)
        probs /= probs.sum(axis=1, keepdims=True)
        names = NAMES[:k]
        ints = instance_dependent_flips(y, probs, 0.2, random_state=seed, classes=np.arange(k))
        strs = instance_dependent_flips(names[y], probs, 0.2, random_state=seed, classes=names)
        np.testing.assert_array_equal(names[ints.labels], strs.labels)

    @SETTINGS
    @given(seed=st.integers(0, 10_000), k=st.integers(2, 5))
    def test_flip_counts_follow_a_permutation_of_the_classes(self, seed, k):
        """Permuting the classes of the counts and of both axes of the matrix permutes both axes
        of the expected flip counts."""
        rng = np.random.default_rng(seed)
        counts = rng.integers(0, 30, k)
        m = noise_matrix(k, 0.4, kind="random", random_state=seed)
        sigma = rng.permutation(k)
        out = flip_counts(counts, m)
        renamed = flip_counts(counts[sigma], m[np.ix_(sigma, sigma)])
        np.testing.assert_array_equal(renamed, out[np.ix_(sigma, sigma)])
