"""MaskMajorityVote(weights=...): a vote weighted by given annotator weights, equal pixel for pixel to
crowd-kit 1.4.2's ``SegmentationMajorityVote().fit(data, skills)``; properties and bad weights."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import MaskMajorityVote
from labelwise.aggregate._masks_simulate import simulate_masks
from labelwise.errors import InvalidParameterError

SETTINGS = settings(max_examples=15, deadline=None)


def _long(masks: dict) -> pd.DataFrame:
    rows = [(item, a, m.astype(bool)) for item, drawn in masks.items() for a, m in drawn.items()]
    return pd.DataFrame(rows, columns=["task", "worker", "segmentation"])


@pytest.mark.parametrize(
    ("n_annotators", "missing", "skills"),
    [
        (4, 0.0, [0.5, 1.5, 1.0, 1.0]),  # 0.5 + 1.5 = 1 + 1: exact ties, foreground as in crowd-kit
        (5, 0.0, [3.0, 0.2, 0.7, 1.1, 0.4]),  # one annotator outweighs the other four together
        (6, 0.4, [0.25, 2.0, 0.5, 1.0, 0.75, 1.5]),
    ],
)
def test_weighted_vote_equals_crowdkit_with_skills_pixel_for_pixel(n_annotators, missing, skills):
    """Every pixel of every item gets crowd-kit's skill-weighted vote, annotators missing from items included."""
    crowdkit = pytest.importorskip("crowdkit.aggregation")
    masks, _ = simulate_masks(6, 24, n_annotators, missing=missing, random_state=n_annotators)
    weights = pd.Series(skills, index=range(n_annotators))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = crowdkit.SegmentationMajorityVote().fit(_long(masks), skills=weights).segmentations_
    ours = MaskMajorityVote(block_size=100, weights=weights).fit(masks)
    plain = MaskMajorityVote().fit(masks).masks_
    for item in masks:
        np.testing.assert_array_equal(ours.masks_[item], np.asarray(theirs.loc[item], dtype=bool))
    assert any((ours.masks_[i] != plain[i]).any() for i in masks)  # the weights change some pixels


def test_the_weighted_share_is_the_probability_and_a_dict_is_taken():
    """probas_ is the weight of the annotators marking a pixel over the weight of the item's annotators."""
    masks = {"img": {"a": np.array([1, 0, 1]), "b": np.array([0, 1, 1]), "c": np.array([0, 0, 1])}}
    fitted = MaskMajorityVote(weights={"a": 3.0, "b": 1.0, "c": 1.0}).fit(masks)
    np.testing.assert_allclose(fitted.probas_["img"], [0.6, 0.2, 1.0])
    assert fitted.masks_["img"].tolist() == [True, False, True]


def test_weights_weigh_the_classes_of_label_maps():
    """A label map: the class with the most weight wins (one heavy annotator against two)."""
    masks = {"img": {"a": np.array([2, 0]), "b": np.array([1, 0]), "c": np.array([1, 2])}}
    assert MaskMajorityVote().fit(masks).masks_["img"].tolist() == [1, 0]
    fitted = MaskMajorityVote(weights={"a": 5.0, "b": 1.0, "c": 1.0}).fit(masks)
    assert fitted.masks_["img"].tolist() == [2, 0]


@given(
    st.lists(st.floats(0.1, 10.0), min_size=4, max_size=4),
    st.permutations(range(4)),
    st.integers(0, 10_000),
)
@SETTINGS
def test_renamed_annotators_and_row_order_change_nothing(skills, order, seed):
    """Renaming the annotators (weights renamed alike) and shuffling the long table's rows give the same masks."""
    masks, _ = simulate_masks(3, 12, 4, missing=0.2, random_state=seed)
    table = pd.DataFrame(
        [(i, a, m) for i, drawn in masks.items() for a, m in drawn.items()], columns=["item", "annotator", "mask"]
    )
    weights = dict(enumerate(skills))
    ours = MaskMajorityVote(weights=weights).fit(table).masks_
    renamed = table.assign(annotator=table.annotator.map(lambda a: f"rater-{order[a]}"))
    shuffled = renamed.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    theirs = MaskMajorityVote(weights={f"rater-{order[a]}": w for a, w in weights.items()}).fit(shuffled).masks_
    for item in ours:
        np.testing.assert_array_equal(ours[item], theirs[item])
    scaled = MaskMajorityVote(weights={a: 4.0 * w for a, w in weights.items()}).fit(table).masks_
    for item in ours:
        np.testing.assert_array_equal(ours[item], scaled[item])


class TestBadWeights:
    masks = {"img": {"a": np.array([1, 0]), "b": np.array([0, 1])}}

    @pytest.mark.parametrize(
        ("weights", "message"),
        [
            ([1.0, 2.0], "weights must be a mapping annotator -> weight .* got list"),
            ({"a": 1.0}, "weights must give a weight for every annotator of the masks, got none for 'b'"),
            ({"a": 1.0, "b": 0.0}, "weights must be positive finite numbers, got 0.0 for annotator 'b'"),
            ({"a": float("nan"), "b": 1.0}, "weights must be positive finite numbers, got nan for annotator 'a'"),
            ({"a": "x", "b": 1.0}, "weights must be positive finite numbers, got 'x' for annotator 'a'"),
        ],
    )
    def test_refused_naming_weights_and_what_was_given(self, weights, message):
        """Not a mapping, an annotator without a weight, a weight not positive and finite: each refused."""
        with pytest.raises(InvalidParameterError, match=message):
            MaskMajorityVote(weights=weights).fit(self.masks)
