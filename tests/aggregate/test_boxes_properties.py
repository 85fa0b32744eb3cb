"""Properties of the box estimators: row order, names, repeated fits and translation do not matter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate.boxes import BoxConsensus, WeightedBoxesFusion, simulate_boxes
from labelwise.errors import LabelwiseWarning

COORDS = ["x_min", "y_min", "x_max", "y_max"]
ESTIMATORS = {
    "wbf": lambda: WeightedBoxesFusion(score_col="score"),
    "wbf-unscored": lambda: WeightedBoxesFusion(iou_thr=0.4),
    "consensus": lambda: BoxConsensus(),
    "consensus-mean": lambda: BoxConsensus(fuse="mean", min_votes=2),
}
SETTINGS = settings(max_examples=12, deadline=None)


def _boxes(seed: int) -> pd.DataFrame:
    """Pixel boxes (integer coordinates: IoU of translated boxes is exact) with ties in coordinates."""
    boxes = simulate_boxes(8, 4, jitter=0.06, false_rate=0.4, n_spammers=1, random_state=seed).boxes
    boxes[COORDS] = boxes[COORDS].round()
    return boxes[(boxes.x_max > boxes.x_min) & (boxes.y_max > boxes.y_min)].reset_index(drop=True)


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["image", "label", "score", *COORDS]
    return frame.assign(image=frame.image.astype(str)).sort_values(keys, ignore_index=True)


@SETTINGS
@given(seed=st.integers(0, 10_000), method=st.sampled_from(sorted(ESTIMATORS)), shuffle=st.integers(0, 2**31))
def test_row_order_does_not_matter(seed, method, shuffle):
    """Shuffled rows give the same boxes_, and each row keeps its fused box."""
    boxes = _boxes(seed)
    order = np.random.default_rng(shuffle).permutation(len(boxes))
    first = ESTIMATORS[method]().fit(boxes)
    second = ESTIMATORS[method]().fit(boxes.iloc[order])
    pd.testing.assert_frame_equal(first.boxes_, second.boxes_)
    np.testing.assert_array_equal(first.box_index_[order], second.box_index_)


@SETTINGS
@given(seed=st.integers(0, 10_000), method=st.sampled_from(sorted(ESTIMATORS)))
def test_renaming_images_annotators_and_classes_does_not_matter(seed, method):
    """Names that sort in another order give the same boxes under the new names."""
    boxes = _boxes(seed)
    renamed = boxes.assign(
        image=1000 - boxes.image, annotator="z" + boxes.annotator.str[::-1], label=boxes.label.str.upper() + "!"
    )
    ours = ESTIMATORS[method]().fit(boxes).boxes_
    theirs = ESTIMATORS[method]().fit(renamed).boxes_
    back = theirs.assign(image=1000 - theirs.image, label=theirs.label.str[:-1].str.lower())
    pd.testing.assert_frame_equal(_canonical(ours), _canonical(back))


@SETTINGS
@given(seed=st.integers(0, 10_000), method=st.sampled_from(sorted(ESTIMATORS)))
def test_repeated_fits_are_equal(seed, method):
    """Two fits on one table give equal results (skill table included)."""
    boxes = _boxes(seed)
    first, second = ESTIMATORS[method]().fit(boxes), ESTIMATORS[method]().fit(boxes)
    pd.testing.assert_frame_equal(first.boxes_, second.boxes_)
    if hasattr(first, "annotators_"):
        pd.testing.assert_frame_equal(first.annotators_, second.annotators_)


@SETTINGS
@given(
    seed=st.integers(0, 10_000),
    method=st.sampled_from(sorted(ESTIMATORS)),
    dx=st.integers(-500, 500),
    dy=st.integers(-500, 500),
)
def test_translation_moves_the_fused_boxes(seed, method, dx, dy):
    """Moving every box by (dx, dy) moves every fused box by (dx, dy); scores and votes stay."""
    boxes = _boxes(seed)
    moved = boxes.assign(x_min=boxes.x_min + dx, x_max=boxes.x_max + dx, y_min=boxes.y_min + dy, y_max=boxes.y_max + dy)
    ours = ESTIMATORS[method]().fit(boxes).boxes_
    theirs = ESTIMATORS[method]().fit(moved).boxes_
    np.testing.assert_array_equal(ours[["votes", "n_boxes"]], theirs[["votes", "n_boxes"]])
    np.testing.assert_allclose(ours.score, theirs.score, rtol=1e-12)
    shift = np.array([dx, dy, dx, dy], dtype=float)
    np.testing.assert_allclose(ours[COORDS].to_numpy() + shift, theirs[COORDS].to_numpy(), atol=1e-9)


@SETTINGS
@given(seed=st.integers(0, 10_000), copies=st.lists(st.integers(0, 10_000), min_size=1, max_size=6))
def test_exact_copies_of_rows_change_no_consensus_box(seed, copies):
    """Rows repeated exactly (a double submission), anywhere in the table: the consensus boxes and
    skill table of the table without them, each copy pointing to its original's box."""
    boxes = _boxes(seed)
    boxes = boxes.drop_duplicates(["image", "annotator", "label", *COORDS], ignore_index=True)
    rows = [c % len(boxes) for c in copies]
    doubled = pd.concat([boxes, boxes.iloc[rows]], ignore_index=True).sample(frac=1, random_state=seed)
    once = BoxConsensus().fit(boxes)
    with pytest.warns(LabelwiseWarning, match=f"{len(rows)} exact copies"):
        twice = BoxConsensus().fit(doubled)
    pd.testing.assert_frame_equal(once.boxes_, twice.boxes_)
    pd.testing.assert_frame_equal(once.annotators_, twice.annotators_)
    source = np.r_[np.arange(len(boxes)), rows][doubled.index.to_numpy()]  # each row's row of boxes
    np.testing.assert_array_equal(twice.box_index_, once.box_index_[source])
