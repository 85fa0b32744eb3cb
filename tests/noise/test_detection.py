"""Tests of labelwise.noise.corrupt_boxes."""

import numpy as np
import pytest

from labelwise.errors import LabelwiseError
from labelwise.noise import corrupt_boxes


def _boxes(n=400):
    return [{"boxes": [[10, 10, 50, 50], [60, 60, 90, 100]], "labels": [0, 1]} for _ in range(n)]


def test_rates_and_kinds():
    """Drops remove boxes, swaps change the class only, jitters move the box only."""
    noisy = corrupt_boxes(_boxes(), drop_rate=0.1, swap_rate=0.1, jitter_rate=0.1, n_classes=3, random_state=0)
    n_dropped = sum(len(d["labels"]) for d in noisy.dropped)
    assert 50 < n_dropped < 110
    kinds = np.concatenate(noisy.kind)
    assert 50 < (kinds == "swap").sum() < 110 and 50 < (kinds == "jitter").sum() < 110
    for entry, kind in zip(noisy.labels, noisy.kind, strict=False):
        assert len(entry["labels"]) == len(kind)


def test_rates_above_one_are_rejected():
    """The three rates must sum to at most 1."""
    with pytest.raises(LabelwiseError, match="at most 1"):
        corrupt_boxes(_boxes(1), drop_rate=0.5, swap_rate=0.5, jitter_rate=0.5)
