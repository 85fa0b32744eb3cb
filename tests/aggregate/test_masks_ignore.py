"""STAPLE, SegmentationEM and SegmentationRASA with ``ignore_value``: an ignored pixel is a missing rating.

On main only MaskMajorityVote took ``ignore_value``; the three others refused the parameter (a
TypeError), so every test here fails there. The references below are written pixel by pixel and
annotator by annotator, skipping the ignored pixels, without the pattern tables of the estimators.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from labelwise.aggregate import STAPLE, SegmentationEM, SegmentationRASA
from labelwise.errors import InvalidLabelsError, InvalidParameterError

IGNORE = -1


def _crowd(seed: int, n_ann: int = 4, shape=(6, 7), k: int = 2, flip: float = 0.15, hole: float = 0.25):
    """Truth, and ``n_ann`` noisy label maps of it with a share ``hole`` of pixels ignored."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, size=shape)
    stack = np.stack([np.where(rng.random(shape) < flip, rng.integers(0, k, size=shape), truth) for _ in range(n_ann)])
    return truth, np.where(rng.random(stack.shape) < hole, IGNORE, stack)


def _staple_by_hand(stack: np.ndarray, k: int, steps: int = 20000, tol: float = 1e-14):
    """STAPLE's EM (Warfield et al., 2004) over the decisions that were made only: plain EM of
    ``theta[j, d, s]``, annotator by annotator (an ignored pixel is a factor 1 and no count), the prior
    the share of labelled votes for each class, from ``theta = 0.99`` on the diagonal."""
    a = stack.shape[0]
    votes = stack.reshape(a, -1)
    seen = votes != IGNORE
    prior = np.array([(votes[seen] == s).mean() for s in range(k)])
    theta = np.full((a, k, k), 0.01 / (k - 1))
    for j in range(a):
        np.fill_diagonal(theta[j], 0.99)
    for _ in range(steps):
        w = np.tile(prior, (votes.shape[1], 1))
        for j in range(a):
            w = w * np.where(seen[j][:, None], theta[j, np.maximum(votes[j], 0), :], 1.0)
        w = np.where(seen.any(axis=0)[:, None], w / w.sum(axis=1, keepdims=True), 0.0)
        new = np.zeros((a, k, k))
        for j in range(a):
            for d in range(k):
                new[j, d, :] = w[seen[j] & (votes[j] == d)].sum(axis=0)
        new = new / new.sum(axis=1, keepdims=True)
        moved = np.abs(new - theta).max()
        theta = new
        if moved < tol:
            break
    return w.reshape(*stack.shape[1:], k), theta


@pytest.mark.parametrize(("seed", "k"), [(0, 2), (1, 2), (2, 3), (3, 3)])
def test_staple_equals_em_over_the_decisions_made(seed, k):
    """STAPLE with ignored pixels is the EM of the votes that were cast, annotator by annotator (by hand)."""
    _, stack = _crowd(seed, k=k)
    want_w, want_theta = _staple_by_hand(stack, k)
    fit = STAPLE(ignore_value=IGNORE, tol=1e-13, max_iter=5000).fit({"img": stack})
    assert fit.converged_
    np.testing.assert_allclose(fit.probas_["img"], want_w, atol=1e-7)
    np.testing.assert_allclose(fit.annotator_confusion_, want_theta, atol=1e-7)


def _seen(stack: np.ndarray) -> np.ndarray:
    return stack != IGNORE


def _em_by_hand(stack: np.ndarray, steps: int, crowdkit: bool) -> np.ndarray:
    """SegmentationEM's loop written over pixels: the vote share, the region and each annotator's accuracy
    over the pixels they labelled. ``crowdkit``: the prior becomes the posterior each step; else one prior
    per item (the mean posterior over the region)."""
    seen, d = _seen(stack), (stack == 1).astype(float)
    n_seen = seen.sum(axis=0)
    share = np.divide(d.sum(axis=0), n_seen, out=np.zeros(n_seen.shape), where=n_seen > 0)
    region = d.sum(axis=0) > 0

    def accuracy(w):
        out = []
        for j in range(len(stack)):
            r = region & seen[j]
            out.append(1 - (d[j][r].sum() + w[r].sum() - 2 * (w * d[j])[r].sum()) / max(r.sum(), 1))
        return np.array(out)

    def likelihoods(acc):
        on, off = np.ones(share.shape), np.ones(share.shape)
        for j, e in enumerate(acc):
            on = on * np.where(seen[j], np.where(d[j] == 1, e, 1 - e), 1)
            off = off * np.where(seen[j], np.where(d[j] == 1, 1 - e, e), 1)
        return on, off

    if crowdkit:
        prior, acc = share, accuracy(np.round(share))
        for _ in range(steps):
            on, off = likelihoods(acc)
            with np.errstate(invalid="ignore", divide="ignore"):
                post = np.nan_to_num(prior * on / (prior * on + (1 - prior) * off), nan=0)
            post[post < 1e-15] = 0
            prior, acc = post, accuracy(post)
        return prior
    post = np.where(region & (share > 0.5), 1.0, 0.0)
    acc, pi = accuracy(post), post[region].mean()
    for _ in range(steps + 1):
        on, off = likelihoods(np.clip(acc, 1e-10, 1 - 1e-10))
        post = np.where(region, pi * on / (pi * on + (1 - pi) * off), 0.0)
        acc, pi = accuracy(post), post[region].mean()
    return post


@pytest.mark.parametrize("seed", [4, 5, 6])
@pytest.mark.parametrize(("prior", "steps"), [("posterior", 2), ("item", 7)])
def test_segmentation_em_equals_the_loop_over_labelled_pixels(seed, prior, steps):
    """SegmentationEM with ignored pixels: each step equals the loop written pixel by pixel (fixed steps)."""
    _, stack = _crowd(seed, n_ann=5)
    fit = SegmentationEM(prior=prior, ignore_value=IGNORE, max_iter=steps, tol=0).fit({"img": stack})
    want = _em_by_hand(stack, steps, crowdkit=prior == "posterior")
    np.testing.assert_allclose(fit.probas_["img"][..., 1], want, atol=1e-10)


def _rasa_by_hand(stack: np.ndarray, steps: int) -> np.ndarray:
    """crowd-kit's RASA loop over pixels: each pixel's vote over its labellers' weights, each annotator's
    distance ``1 - IoU`` over the pixels they labelled."""
    seen, d = _seen(stack), (stack == 1).astype(float)
    w = np.full(len(stack), 1.0 / len(stack))
    vote = np.zeros(stack.shape[1:])
    for _ in range(steps):
        weight = (w[:, None, None] * seen).sum(axis=0)
        vote = np.divide((w[:, None, None] * d).sum(axis=0), weight, out=np.zeros(weight.shape), where=weight > 0)
        on = vote >= 0.5 - 1e-9
        dist = []
        for j in range(len(stack)):
            inter = (d[j] * on * seen[j]).sum()
            union = d[j][seen[j]].sum() + (on & seen[j]).sum() - inter
            dist.append(1 - inter / union if union else 0.0)
        w = np.log(1 / (np.array(dist) + 1e-5) + 1)
        w = w / w.sum()
    return vote


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_segmentation_rasa_equals_the_loop_over_labelled_pixels(seed):
    """SegmentationRASA with ignored pixels: the vote of every step equals the loop written pixel by pixel."""
    _, stack = _crowd(seed, n_ann=5, flip=0.3)
    fit = SegmentationRASA(ignore_value=IGNORE, max_iter=4, tol=0).fit({"img": stack})
    np.testing.assert_allclose(fit.probas_["img"][..., 1], _rasa_by_hand(stack, 4), atol=1e-12)


MODELS = [
    pytest.param(STAPLE, {"tol": 1e-12, "max_iter": 3000}, id="staple"),
    pytest.param(STAPLE, {"pool": "item", "tol": 1e-12, "max_iter": 3000}, id="staple-item"),
    pytest.param(SegmentationEM, {}, id="em-posterior"),
    pytest.param(SegmentationEM, {"prior": "item"}, id="em-item"),
    pytest.param(SegmentationEM, {"pool": "item"}, id="em-posterior-per-item"),
    pytest.param(SegmentationEM, {"prior": "item", "pool": "item"}, id="em-item-per-item"),
    pytest.param(SegmentationRASA, {}, id="rasa-item"),
    pytest.param(SegmentationRASA, {"pool": "annotator"}, id="rasa-annotator"),
]


@pytest.mark.parametrize(("cls", "params"), MODELS)
def test_an_item_an_annotator_ignored_whole_is_as_if_they_had_not_drawn_it(cls, params):
    """Ignoring every pixel of an item is not drawing it: the fit equals the one without that mask."""
    _, one = _crowd(10, n_ann=4, hole=0.0)
    _, two = _crowd(11, n_ann=4, hole=0.0)
    ignored = {"a": one, "b": np.concatenate([two[:3], np.full_like(two[:1], IGNORE)])}
    absent = {"a": dict(enumerate(one)), "b": dict(enumerate(two[:3]))}
    x, y = cls(ignore_value=IGNORE, **params).fit(ignored), cls(ignore_value=IGNORE, **params).fit(absent)
    for item in ("a", "b"):
        np.testing.assert_array_equal(x.masks_[item], y.masks_[item])
        np.testing.assert_allclose(x.probas_[item], y.probas_[item], atol=1e-9)
    assert x.dice_.loc[("b", 3)] == 1.0  # an annotator who labelled nothing is never away from the consensus


@pytest.mark.parametrize(("cls", "params"), MODELS)
def test_an_ignore_value_nobody_used_changes_no_mask(cls, params):
    """With masks holding no ignored pixel, the fit with ``ignore_value`` is the plain binary fit."""
    _, stack = _crowd(12, n_ann=4, hole=0.0)
    plain, given_ = cls(**params).fit({"img": stack}), cls(ignore_value=255, **params).fit({"img": stack})
    np.testing.assert_array_equal(given_.masks_["img"], plain.masks_["img"].astype(int))
    np.testing.assert_allclose(given_.probas_["img"][..., 1], plain.probas_["img"], atol=1e-9)


@pytest.mark.parametrize(("cls", "params"), MODELS)
def test_a_pixel_every_annotator_ignored_keeps_the_ignore_value(cls, params):
    """Pixels nobody labelled, and an item nobody labelled, keep the ignore value and have no probability
    (as MaskMajorityVote's: tests/aggregate/test_walk39_mask_ignore.py)."""
    _, stack = _crowd(13, n_ann=3)
    stack[:, 0, :3] = IGNORE
    fit = cls(ignore_value=IGNORE, **params).fit({"a": stack, "b": np.full((2, 3, 3), IGNORE)})
    nobody = (stack == IGNORE).all(axis=0)
    np.testing.assert_array_equal(fit.masks_["a"] == IGNORE, nobody)
    np.testing.assert_array_equal(fit.probas_["a"][nobody], 0.0)
    np.testing.assert_array_equal(fit.masks_["b"], np.full((3, 3), IGNORE))
    assert fit.items_.loc["b", "foreground"] == 0.0
    np.testing.assert_array_equal(fit.classes_, [0, 1])


@pytest.mark.parametrize(
    ("model", "said"),
    [
        (STAPLE(classes=[0, 1, 2], ignore_value=2), "ignore_value must not be one of the classes [0, 1, 2], got 2"),
        (SegmentationEM(ignore_value=1), "ignore_value must not be one of the classes [0, 1], got 1"),
        (SegmentationRASA(ignore_value=0), "ignore_value must not be one of the classes [0, 1], got 0"),
        (STAPLE(ignore_value=1.5), "ignore_value must be None or an integer, got 1.5"),
        (SegmentationEM(ignore_value="x"), "ignore_value must be None or an integer, got 'x'"),
        (SegmentationRASA(ignore_value=True), "ignore_value must be None or an integer, got True"),
    ],
)
def test_an_ignore_value_that_is_a_class_or_no_integer_is_refused(model, said):
    """An ignore value among the classes (or not an integer) is refused, naming the parameter."""
    with pytest.raises(InvalidParameterError) as err:
        model.fit({"img": np.zeros((2, 2, 2), dtype=int)})
    assert said in str(err.value)


@pytest.mark.parametrize("cls", [SegmentationEM, SegmentationRASA])
def test_binary_models_refuse_a_third_value_beside_the_ignore_value(cls):
    """em and rasa model 0/1 masks: a value other than 0, 1 and the ignore value is refused (item, pixel)."""
    stack = np.array([[[0, 1], [2, -1]], [[0, 1], [1, 1]]])
    with pytest.raises(InvalidLabelsError, match=r"masks must hold only the classes \[0, 1\], got 2 for item 'img'"):
        cls(ignore_value=-1).fit({"img": stack})


def _stacks(k: int):
    return st.integers(2, 4).flatmap(
        lambda a: arrays(np.int64, (a, 3, 5), elements=st.sampled_from([IGNORE, *range(k)]))
    )


@settings(max_examples=25, deadline=None)
@given(stack=_stacks(2), other=_stacks(2), block=st.integers(1, 16), which=st.sampled_from(range(len(MODELS))))
def test_any_block_size_gives_the_same_answer_bit_for_bit(stack, other, block, which):
    """Ignored pixels are one more vote index of the integer pattern counts: no block size changes a bit."""
    cls, params = MODELS[which].values
    masks = {"a": stack, "b": other}
    whole, blocked = cls(ignore_value=IGNORE, **params).fit(masks), cls(ignore_value=IGNORE, block_size=block, **params)
    blocked = blocked.fit(masks)
    for item in masks:
        np.testing.assert_array_equal(whole.masks_[item], blocked.masks_[item])
        np.testing.assert_array_equal(whole.probas_[item], blocked.probas_[item])
    np.testing.assert_array_equal(whole.dice_.to_numpy(), blocked.dice_.to_numpy())


@settings(max_examples=25, deadline=None)
@given(stack=_stacks(3), block=st.integers(1, 16))
def test_staple_label_maps_any_block_size(stack, block):
    """Label maps of three classes with ignored pixels: any block size, the same answer bit for bit."""
    a = STAPLE(ignore_value=IGNORE, classes=[0, 1, 2]).fit({"img": stack})
    b = STAPLE(ignore_value=IGNORE, classes=[0, 1, 2], block_size=block).fit({"img": stack})
    np.testing.assert_array_equal(a.masks_["img"], b.masks_["img"])
    np.testing.assert_array_equal(a.annotator_confusion_, b.annotator_confusion_)


@pytest.mark.parametrize(("cls", "params"), MODELS)
def test_renaming_the_ignore_value_and_the_classes_renames_the_masks(cls, params):
    """-1 as 255 (and, for STAPLE, classes 0/1/2 as 0/10/20) gives the same fit under the new names."""
    three = cls is STAPLE
    _, stack = _crowd(14, n_ann=4, k=3 if three else 2)
    values = np.array([0, 10, 20]) if three else np.array([0, 1])
    renamed = np.where(stack == IGNORE, 255, values[np.maximum(stack, 0)])
    a = cls(ignore_value=IGNORE, **params).fit({"img": stack})
    b = cls(ignore_value=255, **params).fit({"img": renamed})
    want = np.where(a.masks_["img"] == IGNORE, 255, values[np.maximum(a.masks_["img"], 0)])
    np.testing.assert_array_equal(b.masks_["img"], want)
    np.testing.assert_allclose(b.probas_["img"], a.probas_["img"], atol=1e-12)
    np.testing.assert_array_equal(b.classes_, values)
