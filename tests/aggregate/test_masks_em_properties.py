"""Properties of SegmentationEM and SegmentationRASA: block size, row order, renaming, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelwise.aggregate import SegmentationEM, SegmentationRASA

from .test_masks_properties import SETTINGS, crowds

MODELS = [
    pytest.param(SegmentationEM, {"prior": "posterior", "pool": "item"}, "annotator_accuracy_", id="em-posterior"),
    pytest.param(
        SegmentationEM, {"prior": "item", "max_iter": 30, "pool": "item"}, "annotator_accuracy_", id="em-item"
    ),
    pytest.param(
        SegmentationEM, {"prior": "posterior", "pool": "annotator"}, "annotator_accuracy_", id="em-pooled-posterior"
    ),
    pytest.param(
        SegmentationEM,
        {"prior": "item", "max_iter": 30, "pool": "annotator"},
        "annotator_accuracy_",
        id="em-pooled-item",
    ),
    pytest.param(SegmentationRASA, {"pool": "item"}, "weights_", id="rasa-item"),
    pytest.param(SegmentationRASA, {"pool": "annotator"}, "weights_", id="rasa-annotator"),
]


def _same(a, b, atol):
    assert list(a.masks_) == list(b.masks_) or set(a.masks_) == set(b.masks_)
    for item in a.masks_:
        np.testing.assert_array_equal(a.masks_[item], b.masks_[item])
        np.testing.assert_allclose(a.probas_[item], b.probas_[item], atol=atol, rtol=0)
    pd.testing.assert_frame_equal(a.items_.sort_index(), b.items_.sort_index(), atol=atol)


@pytest.mark.parametrize(("cls", "params", "skill"), MODELS)
@SETTINGS
@given(table=crowds(), block=st.integers(1, 50))
def test_any_block_size_gives_the_same_answer_bit_for_bit(cls, params, skill, table, block):
    """The vote patterns' counts are integers added over blocks: nothing depends on the block size."""
    whole, blocked = cls(**params).fit(table), cls(**params, block_size=block).fit(table)
    _same(whole, blocked, atol=0)
    pd.testing.assert_series_equal(getattr(whole, skill), getattr(blocked, skill), atol=0, rtol=0)
    assert whole.loss_history_ == blocked.loss_history_


@pytest.mark.parametrize(("cls", "params", "skill"), MODELS)
@SETTINGS
@given(table=crowds(), random=st.randoms(use_true_random=False))
def test_row_order_changes_nothing(cls, params, skill, table, random):
    """Shuffling the table's rows (items and annotators in another order) gives the same estimates."""
    order = list(range(len(table)))
    random.shuffle(order)
    a, b = cls(**params).fit(table), cls(**params).fit(table.iloc[order].reset_index(drop=True))
    _same(a, b, atol=1e-9)
    pd.testing.assert_series_equal(getattr(a, skill).sort_index(), getattr(b, skill).sort_index(), atol=1e-9)
    pd.testing.assert_frame_equal(a.annotators_, b.annotators_, atol=1e-9)


@pytest.mark.parametrize(("cls", "params", "skill"), MODELS)
@SETTINGS
@given(table=crowds())
def test_renaming_annotators_and_items_renames_the_results(cls, params, skill, table):
    """Annotators renamed in reverse order and items renamed get the same estimates under their new names."""
    names = {f"a{j}": f"z{99 - j}" for j in range(20)}
    renamed = table.assign(annotator=table.annotator.map(names), item=table["item"].map(lambda s: "new-" + s))
    a, b = cls(**params).fit(table), cls(**params).fit(renamed)
    for item in a.masks_:
        np.testing.assert_array_equal(a.masks_[item], b.masks_["new-" + item])
        np.testing.assert_allclose(a.probas_[item], b.probas_["new-" + item], atol=1e-9)
    back = (
        getattr(b, skill).rename(index=lambda s: s.removeprefix("new-")).rename(index={v: k for k, v in names.items()})
    )
    pd.testing.assert_series_equal(getattr(a, skill).sort_index(), back.sort_index(), atol=1e-9)


@pytest.mark.parametrize(("cls", "params", "skill"), MODELS)
@SETTINGS
@given(table=crowds())
def test_fitting_twice_gives_identical_results(cls, params, skill, table):
    """No randomness: two fits are equal bit for bit."""
    a, b = cls(**params).fit(table), cls(**params).fit(table)
    _same(a, b, atol=0)
    assert a.loss_history_ == b.loss_history_
