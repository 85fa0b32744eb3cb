"""SegmentationEM(pool="annotator"): one accuracy per annotator over all the items they drew (session 40).

On main SegmentationEM had no ``pool``: one accuracy per (item, annotator) only, so these tests fail
there (a TypeError, or per-item accuracies where one per annotator is expected).
"""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.aggregate import SegmentationEM
from labelwise.aggregate._masks_simulate import simulate_masks
from labelwise.errors import InvalidParameterError

IGNORE = -1


def _crowd(seed: int, n_items: int = 3, n_ann: int = 4, shape=(6, 7), hole: float = 0.2) -> dict:
    """``n_items`` items drawn by the same ``n_ann`` annotators, who flip 5-35% of pixels each and
    leave a share ``hole`` of pixels unlabelled."""
    rng = np.random.default_rng(seed)
    flips = np.linspace(0.05, 0.35, n_ann)
    out = {}
    for i in range(n_items):
        truth = (rng.random(shape) < 0.4).astype(int)
        stack = np.stack([np.where(rng.random(shape) < f, 1 - truth, truth) for f in flips])
        out[f"img{i}"] = np.where(rng.random(stack.shape) < hole, IGNORE, stack)
    return out


def _pooled_by_hand(stacks: dict, steps: int, crowdkit: bool) -> dict:
    """The one-coin EM with annotator ``j``'s accuracy pooled over the items, pixel by pixel: ``e_j = 1 -
    sum_i (|D_ij| + sum W - 2 sum W D_ij) / sum_i R_ij``, each sum over the region's pixels ``j``
    labelled in item ``i``; the prior per pixel (``crowdkit``) or per item."""
    items = list(stacks)
    seen = {i: stacks[i] != IGNORE for i in items}
    d = {i: (stacks[i] == 1).astype(float) for i in items}
    n_seen = {i: seen[i].sum(axis=0) for i in items}
    share = {
        i: np.divide(d[i].sum(axis=0), n_seen[i], out=np.zeros(n_seen[i].shape), where=n_seen[i] > 0) for i in items
    }
    region = {i: d[i].sum(axis=0) > 0 for i in items}
    n_ann = len(stacks[items[0]])

    def accuracy(w: dict) -> np.ndarray:
        out = []
        for j in range(n_ann):
            wrong = size = 0.0
            for i in items:
                r = region[i] & seen[i][j]
                wrong += d[i][j][r].sum() + w[i][r].sum() - 2 * (w[i] * d[i][j])[r].sum()
                size += r.sum()
            out.append(1 - wrong / max(size, 1))
        return np.array(out)

    def likelihoods(i: str, acc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        on, off = np.ones(share[i].shape), np.ones(share[i].shape)
        for j, e in enumerate(acc):
            on = on * np.where(seen[i][j], np.where(d[i][j] == 1, e, 1 - e), 1)
            off = off * np.where(seen[i][j], np.where(d[i][j] == 1, 1 - e, e), 1)
        return on, off

    if crowdkit:
        prior = dict(share)
        acc = accuracy({i: np.round(share[i]) for i in items})
        for _ in range(steps):
            post = {}
            for i in items:
                on, off = likelihoods(i, acc)
                with np.errstate(invalid="ignore", divide="ignore"):
                    p = np.nan_to_num(prior[i] * on / (prior[i] * on + (1 - prior[i]) * off), nan=0)
                p[p < 1e-15] = 0
                post[i] = p
            prior, acc = post, accuracy(post)
        return prior
    post = {i: np.where(region[i] & (share[i] > 0.5), 1.0, 0.0) for i in items}
    acc, pi = accuracy(post), {i: post[i][region[i]].mean() for i in items}
    for _ in range(steps + 1):
        for i in items:
            on, off = likelihoods(i, np.clip(acc, 1e-10, 1 - 1e-10))
            post[i] = np.where(region[i], pi[i] * on / (pi[i] * on + (1 - pi[i]) * off), 0.0)
        acc, pi = accuracy(post), {i: post[i][region[i]].mean() for i in items}
    return post


@pytest.mark.parametrize("seed", [20, 21, 22])
@pytest.mark.parametrize(("prior", "steps"), [("posterior", 2), ("item", 6)])
@pytest.mark.parametrize("hole", [0.0, 0.2])
def test_pooled_em_equals_the_loop_over_items_and_pixels(seed, prior, steps, hole):
    """pool="annotator": each step equals the pooled EM written item by item and pixel by pixel (fixed steps)."""
    stacks = _crowd(seed, hole=hole)
    fit = SegmentationEM(pool="annotator", prior=prior, ignore_value=IGNORE, max_iter=steps, tol=0).fit(stacks)
    want = _pooled_by_hand(stacks, steps, crowdkit=prior == "posterior")
    for item in stacks:
        np.testing.assert_allclose(fit.probas_[item][..., 1], want[item], atol=1e-10)
    assert fit.annotator_accuracy_.index.name == "annotator" and len(fit.annotator_accuracy_) == 4


@pytest.mark.parametrize("prior", ["posterior", "item"])
def test_with_one_item_pooling_changes_nothing(prior):
    """One item: one accuracy per annotator is one per (item, annotator); the same posteriors and masks."""
    masks, _ = simulate_masks(1, 24, 5, random_state=4)
    pooled = SegmentationEM(prior=prior, pool="annotator").fit(masks)
    alone = SegmentationEM(prior=prior, pool="item").fit(masks)
    np.testing.assert_array_equal(pooled.masks_[0], alone.masks_[0])
    np.testing.assert_allclose(pooled.probas_[0], alone.probas_[0], atol=1e-12)
    np.testing.assert_allclose(pooled.annotator_accuracy_.to_numpy(), alone.annotator_accuracy_.to_numpy(), atol=1e-12)


def test_pooled_items_iterate_and_stop_together():
    """The pooled items are one model: every item takes the same number of steps."""
    masks, _ = simulate_masks(5, 24, 4, missing=0.2, random_state=8)
    fit = SegmentationEM(prior="item", max_iter=500).fit(masks)
    assert fit.n_iter_.nunique() == 1 and fit.converged_ and fit.n_iter_.iloc[0] > 1
    assert np.all(np.diff(fit.loss_history_) <= 1e-12)  # EM of one model: its loss never rises


def test_an_annotator_drawing_badly_everywhere_is_found_on_every_item():
    """A spammer's pooled accuracy is the lowest, and its accuracy is one number over all its items."""
    masks, _ = simulate_masks(6, 32, 5, n_spammers=1, random_state=7)
    fit = SegmentationEM().fit(masks)
    acc = fit.annotator_accuracy_
    assert list(acc.index) == [0, 1, 2, 3, 4] and acc.idxmin() == 4
    np.testing.assert_array_equal(fit.annotators_["accuracy"].to_numpy(), acc.to_numpy())


def test_a_bad_pool_is_refused():
    """pool must be "annotator" or "item", named in the error."""
    with pytest.raises(InvalidParameterError, match=r"pool must be one of \['item', 'annotator'\], got 'x'"):
        SegmentationEM(pool="x").fit({"img": np.zeros((2, 2, 2), dtype=int)})
