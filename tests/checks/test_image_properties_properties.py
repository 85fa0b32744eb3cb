"""image_properties' properties: row order, block size and threads, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks.image_properties import image_properties

from ._image_data import issue_images

IMAGES = issue_images(24, seed=5)


def _renumber(sets: list[list[int]], perm: np.ndarray) -> list[list[int]]:
    """Sets of permuted rows written in the original rows' numbers."""
    return sorted(sorted(int(perm[i]) for i in s) for s in sets)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**16), distance=st.sampled_from([0, 4]))
def test_permuting_the_images_permutes_scores_and_sets(seed, distance):
    """Row order does not change any image's scores or which images form a set (odd_size reads all rows)."""
    perm = np.random.default_rng(seed).permutation(len(IMAGES))
    a = image_properties(IMAGES, near_duplicate_distance=distance)
    b = image_properties([IMAGES[i] for i in perm], near_duplicate_distance=distance)
    pd.testing.assert_frame_equal(b.scores, a.scores.iloc[perm].reset_index(drop=True))
    pd.testing.assert_frame_equal(b.flags, a.flags.iloc[perm].reset_index(drop=True))
    assert _renumber(b.exact_duplicate_sets, perm) == sorted(a.exact_duplicate_sets)
    assert _renumber(b.near_duplicate_sets, perm) == sorted(a.near_duplicate_sets)


@settings(max_examples=5, deadline=None)
@given(block_size=st.integers(1, 30), n_jobs=st.integers(1, 3))
def test_block_size_and_threads_do_not_change_the_result(block_size, n_jobs):
    """Any block size (chunking) and thread count give the same measures, scores and sets."""
    a = image_properties(IMAGES)
    b = image_properties(IMAGES, block_size=block_size, n_jobs=n_jobs)
    pd.testing.assert_frame_equal(b.to_frame(), a.to_frame())
    assert b.exact_duplicate_sets == a.exact_duplicate_sets and b.near_duplicate_sets == a.near_duplicate_sets
    np.testing.assert_array_equal(b.hashes, a.hashes)


def test_the_result_is_deterministic():
    """Two runs give identical frames and hashes."""
    a, b = image_properties(IMAGES), image_properties(IMAGES)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    np.testing.assert_array_equal(a.hashes, b.hashes)


@settings(max_examples=30, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 20), st.integers(1, 20), st.sampled_from([0, 3, 4])),
    seed=st.integers(0, 2**16),
    percentile=st.floats(0, 100),
)
def test_brightness_percentiles_equal_numpy_percentile_of_the_brightness(shape, seed, percentile):
    """The integer-key partition gives numpy's percentile of the float brightness image."""
    from labelwise.checks._image_scores import brightness, brightness_percentiles

    h, w, c = shape
    pixels = np.random.default_rng(seed).integers(0, 256, (h, w) if c == 0 else (h, w, c)).astype(np.uint8)
    got = brightness_percentiles(pixels, (percentile, 99, 5))
    np.testing.assert_allclose(got, np.percentile(brightness(pixels), [percentile, 99, 5]), rtol=0, atol=1e-12)
