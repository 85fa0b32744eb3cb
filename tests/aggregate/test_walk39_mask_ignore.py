"""``MaskMajorityVote(ignore_value=...)``: a "not labelled" mask value is no vote and no class (session 39's walk).

On main, -1 (or VOC's 255) was one more class: an item nobody labelled became a label map of class
-1, an annotator's unlabelled pixels outvoted the others' classes, and they counted in Dice.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from labelwise.aggregate import MaskMajorityVote
from labelwise.errors import InvalidParameterError


def _by_hand(stack: np.ndarray, ignore: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pixel, the most frequent class among the annotators who did not ignore it (ties: the higher
    class), ``ignore`` where all did; the classes; each annotator's mean Dice over the non-first classes."""
    classes = np.unique(stack[stack != ignore])
    classes = np.array([0, 1]) if len(classes) == 0 or set(classes.tolist()) <= {0, 1} else classes
    out = np.full(stack.shape[1:], ignore)
    for idx in np.ndindex(*stack.shape[1:]):
        votes = stack[(slice(None), *idx)]
        votes = votes[votes != ignore]
        if len(votes):
            counts = np.array([(votes == c).sum() for c in classes])
            out[idx] = classes[np.flatnonzero(counts == counts.max())[-1]]
    dice = []
    for mask in stack:
        seen = mask != ignore
        scores = []
        for c in classes[1:]:
            a, b = (mask == c) & seen, (out == c) & seen
            if a.sum() + b.sum():
                scores.append(2 * (a & b).sum() / (a.sum() + b.sum()))
        dice.append(np.mean(scores) if scores else 1.0)
    return out, classes, np.array(dice)


@settings(max_examples=60, deadline=None)
@given(
    stack=st.integers(1, 4).flatmap(lambda a: arrays(np.int64, (a, 3, 4), elements=st.sampled_from([-1, -1, 0, 1, 2]))),
    block=st.integers(1, 12),
)
def test_ignored_pixels_are_no_votes_and_leave_dice(stack, block):
    """Consensus, classes and Dice equal the vote counted by hand over the annotators who labelled each pixel."""
    fit = MaskMajorityVote(ignore_value=-1, block_size=block).fit({"img": stack})
    want, classes, dice = _by_hand(stack, -1)
    np.testing.assert_array_equal(fit.masks_["img"], want)
    np.testing.assert_array_equal(fit.classes_, classes)
    np.testing.assert_allclose(fit.dice_.to_numpy(), dice, rtol=1e-12)
    labelled = (stack != -1).any(axis=0)
    np.testing.assert_allclose(fit.probas_["img"].sum(axis=-1), labelled.astype(float))


def test_an_item_nobody_labelled_keeps_the_ignore_value():
    """Walk38's case: binary masks beside an all -1 item give classes [0, 1] and that item stays -1."""
    masks = {"a": np.array([[[0, 1], [1, 1]], [[0, 1], [0, 1]]]), "b": np.full((2, 2, 2), -1)}
    fit = MaskMajorityVote(ignore_value=-1).fit(masks)
    np.testing.assert_array_equal(fit.classes_, [0, 1])
    np.testing.assert_array_equal(fit.masks_["b"], np.full((2, 2), -1))
    np.testing.assert_array_equal(fit.masks_["a"], [[0, 1], [1, 1]])
    assert fit.items_.loc["b", "foreground"] == 0.0


def test_voc_255_beside_classes_is_ignored():
    """255 beside classes 0..2: the one annotator who labelled a pixel decides it."""
    stack = np.array([[[1, 2], [0, 255]], [[1, 255], [255, 0]], [[2, 2], [255, 255]]])
    fit = MaskMajorityVote(ignore_value=255).fit({"img": stack})
    np.testing.assert_array_equal(fit.masks_["img"], [[1, 2], [0, 0]])
    np.testing.assert_array_equal(fit.classes_, [0, 1, 2])


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"ignore_value": "x"}, "ignore_value must be None or an integer, got 'x'"),
        ({"ignore_value": 1.5}, "ignore_value must be None or an integer, got 1.5"),
        ({"ignore_value": 2, "classes": [0, 1, 2]}, "ignore_value must not be one of the classes [0, 1, 2], got 2"),
    ],
)
def test_a_bad_ignore_value_is_refused(kwargs, said):
    """A non-integer ignore value, or one of the given classes, is refused naming the parameter."""
    with pytest.raises(InvalidParameterError) as err:
        MaskMajorityVote(**kwargs).fit({"img": np.zeros((2, 2, 2), dtype=int)})
    assert said in str(err.value)
