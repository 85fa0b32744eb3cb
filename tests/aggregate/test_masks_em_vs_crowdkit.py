"""SegmentationEM and SegmentationRASA against crowd-kit 1.4.2's classes of the same names.

Tolerance: none on the masks. Both run crowd-kit's loop on each item's vote patterns (the same
logs and ratios, summed in the same annotator order), so every pixel of every item gets crowd-kit's
value; a pixel whose posterior or weighted vote lies within 1e-9 of 0.5 is a tie, settled by a rule
(EM: background, RASA: foreground) where crowd-kit's answer depends on the last bit, and the crowds
here have none. MaskMajorityVote against SegmentationMajorityVote is in ``test_masks_vs_crowdkit.py``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import SegmentationEM, SegmentationRASA
from labelwise.aggregate._masks_simulate import simulate_masks

crowdkit = pytest.importorskip("crowdkit.aggregation")

CROWDS = [(3, 0.0, 3), (4, 0.0, 4), (5, 0.0, 5), (6, 0.4, 6), (5, 0.3, 11)]


def _long(masks: dict) -> pd.DataFrame:
    rows = [(item, a, m.astype(bool)) for item, drawn in masks.items() for a, m in drawn.items()]
    return pd.DataFrame(rows, columns=["task", "worker", "segmentation"])


def _theirs(cls, masks: dict) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls().fit_predict(_long(masks))


@pytest.mark.parametrize(("n_annotators", "missing", "seed"), CROWDS)
def test_segmentation_em_equals_crowdkit_pixel_for_pixel(n_annotators, missing, seed):
    """prior="posterior" with crowd-kit's 10 steps: every pixel of every item is crowd-kit's."""
    masks, _ = simulate_masks(6, 24, n_annotators, missing=missing, random_state=seed)
    theirs = _theirs(crowdkit.SegmentationEM, masks)
    ours = SegmentationEM(prior="posterior", pool="item", max_iter=10, tol=1e-5, block_size=100).fit(masks).masks_
    for item in masks:
        np.testing.assert_array_equal(ours[item], np.asarray(theirs.loc[item], dtype=bool))


@pytest.mark.parametrize(("n_annotators", "missing", "seed"), CROWDS)
def test_segmentation_rasa_equals_crowdkit_pixel_for_pixel(n_annotators, missing, seed):
    """pool="item" with crowd-kit's 10 steps: every pixel of every item is crowd-kit's."""
    masks, _ = simulate_masks(6, 24, n_annotators, missing=missing, random_state=seed)
    theirs = _theirs(crowdkit.SegmentationRASA, masks)
    ours = SegmentationRASA(pool="item", max_iter=10, tol=1e-5, block_size=100).fit(masks).masks_
    for item in masks:
        np.testing.assert_array_equal(ours[item], np.asarray(theirs.loc[item], dtype=bool))


def test_the_defaults_but_the_pool_are_crowdkits():
    """SegmentationEM(pool="item") and SegmentationRASA() are crowd-kit's defaults (10 steps, tol 1e-5, its
    prior and pool); SegmentationEM's default pools each annotator's accuracy over items (session 40)."""
    masks, _ = simulate_masks(4, 20, 5, random_state=2)
    for ours, theirs in (
        (lambda: SegmentationEM(pool="item"), crowdkit.SegmentationEM),
        (SegmentationRASA, crowdkit.SegmentationRASA),
    ):
        expected = _theirs(theirs, masks)
        fitted = ours().fit(masks)
        assert int(fitted.n_iter_.max()) <= 10
        for item in masks:
            np.testing.assert_array_equal(fitted.masks_[item], np.asarray(expected.loc[item], dtype=bool))
