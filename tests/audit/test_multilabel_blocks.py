"""The multi-label audit's passes over row blocks: any block size gives the same audit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise._chunks as chunks  # row_blocks reads BLOCK_ELEMENTS from here
from labelwise.audit import multilabel


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 150),
    k=st.integers(1, 5),
    seed=st.integers(0, 100_000),
    elements=st.integers(1, 20),
    floor=st.integers(0, 3),
    tied=st.booleans(),
)
def test_any_row_block_size_gives_the_same_audit(n, k, seed, elements, floor, tied):
    """Blocks of ``elements // K`` rows (down to one row) against the default blocks: the same flags,
    qualities, example scores, ranking and calibrated joints bit for bit, the thresholds (means
    summed block by block) to rounding; with probabilities in eighths (ties at the thresholds and
    at 0.5) or in hundredths."""
    rng = np.random.default_rng(seed)
    given_tags = rng.random((n, k)) < rng.uniform(0.05, 0.9)
    if tied:
        probs = np.clip(np.where(given_tags, 5, 3) + rng.integers(-4, 5, (n, k)), 0, 8) / 8
    else:
        probs = rng.random((n, k)).round(2)
    a = multilabel.find_label_issues(given_tags, probs, min_examples_per_class=floor)
    default = chunks.BLOCK_ELEMENTS
    chunks.BLOCK_ELEMENTS = elements
    try:
        b = multilabel.find_label_issues(given_tags, probs, min_examples_per_class=floor)
    finally:
        chunks.BLOCK_ELEMENTS = default
    for name in ("is_issue", "label_quality", "example_quality", "ranked_indices", "joints"):
        np.testing.assert_array_equal(getattr(b, name), getattr(a, name), err_msg=name)
    np.testing.assert_allclose(b.thresholds, a.thresholds, rtol=1e-12, atol=0)
