"""MaskMajorityVote against crowd-kit 1.4.2's SegmentationMajorityVote on the same masks.

crowd-kit has no STAPLE (its SegmentationEM is a different model, per item and with a per-pixel
prior), so STAPLE is compared with SimpleITK in ``test_masks_vs_simpleitk.py`` and with a dense
transcription of the paper in ``test_masks.py``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import MaskMajorityVote
from labelwise.aggregate._masks_simulate import simulate_masks

crowdkit = pytest.importorskip("crowdkit.aggregation")


def _long(masks: dict) -> pd.DataFrame:
    rows = [(item, a, m.astype(bool)) for item, drawn in masks.items() for a, m in drawn.items()]
    return pd.DataFrame(rows, columns=["task", "worker", "segmentation"])


@pytest.mark.parametrize(("n_annotators", "missing"), [(4, 0.0), (5, 0.0), (6, 0.4)])
def test_majority_vote_equals_crowdkit_pixel_for_pixel(n_annotators, missing):
    """Every pixel of every item gets crowd-kit's vote, ties (even annotator counts) included."""
    masks, _ = simulate_masks(6, 24, n_annotators, missing=missing, random_state=n_annotators)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = crowdkit.SegmentationMajorityVote().fit_predict(_long(masks))
    ours = MaskMajorityVote(block_size=100).fit(masks).masks_
    for item in masks:
        np.testing.assert_array_equal(ours[item], np.asarray(theirs.loc[item], dtype=bool))
