"""Label maps of K classes: the multi-category STAPLE against a dense transcription of the paper,
two classes as the binary model, the K-class vote and its ties, pattern tables of every size."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.aggregate import STAPLE, MaskMajorityVote
from labelwise.aggregate._masks_simulate import simulate_masks
from labelwise.errors import InvalidLabelsError, InvalidParameterError


def noisy_maps(n_items: int, size: int, n_annotators: int, n_classes: int, seed: int, missing: float = 0.0) -> dict:
    """Label maps: a truth of horizontal bands, each annotator keeping a pixel's class with their own accuracy."""
    rng = np.random.default_rng(seed)
    maps = {}
    for i in range(n_items):
        truth = (np.arange(size)[:, None] * n_classes // size + i) % n_classes * np.ones((1, size), dtype=np.int64)
        drawn = {}
        for j in range(n_annotators):
            if j and rng.random() < missing:
                continue
            keep = rng.random(truth.shape) < 0.55 + 0.4 * j / max(n_annotators - 1, 1)
            drawn[f"a{j}"] = np.where(keep, truth, rng.integers(0, n_classes, truth.shape))
        maps[f"img{i}"] = drawn
    return maps


def dense_multiclass(maps: dict, classes: list, prior: str = "all", tol: float = 1e-13, max_iter: int = 20000):
    """Warfield et al. (2004), multi-category STAPLE, on one dense (raters, pixels) matrix with presence."""
    raters = sorted({a for drawn in maps.values() for a in drawn})
    k = len(classes)
    d_all, m_all, f_all = [], [], []
    for drawn in maps.values():
        n = next(iter(drawn.values())).size
        d = np.zeros((len(raters), n), dtype=np.int64)
        m = np.zeros((len(raters), n), dtype=bool)
        for a, x in drawn.items():
            d[raters.index(a)] = np.searchsorted(classes, x.ravel())
            m[raters.index(a)] = True
        d_all.append(d)
        m_all.append(m)
        f_all.append(np.tile(np.bincount(d[m], minlength=k) / m.sum(), (n, 1)))
    d, m, f = np.hstack(d_all), np.hstack(m_all), np.vstack(f_all)
    if prior == "all":
        f = np.tile(np.bincount(d[m], minlength=k) / m.sum(), (d.shape[1], 1))
    theta = np.full((len(raters), k, k), 0.01 / (k - 1))
    theta[:, np.arange(k), np.arange(k)] = 0.99
    for _ in range(max_iter):
        with np.errstate(divide="ignore"):
            logw = np.log(f) + sum(np.where(m[j][:, None], np.log(theta[j][d[j]]), 0.0) for j in range(len(raters)))
        w = np.exp(logw - logw.max(axis=1, keepdims=True))
        w /= w.sum(axis=1, keepdims=True)
        new = np.stack(
            [
                np.stack([((d[j] == s)[:, None] * m[j][:, None] * w).sum(0) for s in range(k)])
                for j in range(len(raters))
            ]
        )
        new /= new.sum(axis=1, keepdims=True)
        done = np.abs(new - theta).max() <= tol
        theta = new
        if done:
            break
    return theta, w, raters


@pytest.mark.parametrize(("prior", "pool"), [("all", "annotator"), ("item", "annotator")])
def test_multiclass_staple_equals_the_papers_equations_with_missing_annotators(prior, pool):
    """Confusion matrices and W equal the dense transcription, pooled over items with annotators missing."""
    maps = noisy_maps(3, 12, 4, 3, seed=1, missing=0.3)
    model = STAPLE(prior=prior, pool=pool, tol=1e-12, max_iter=5000, block_size=17).fit(maps)
    theta, w, raters = dense_multiclass(maps, [0, 1, 2], prior=prior)
    order = model.annotators_.index.get_indexer(raters)
    assert model.converged_ and model.classes_.tolist() == [0, 1, 2]
    np.testing.assert_allclose(model.annotator_confusion_[order], theta, atol=1e-8)
    np.testing.assert_allclose(np.vstack([model.probas_[i].reshape(-1, 3) for i in maps]), w, atol=1e-8)
    assert model.annotator_recall_.loc["a3"].tolist() == pytest.approx(np.diag(theta[raters.index("a3")]).tolist())


def test_pool_item_runs_the_multiclass_paper_on_each_item():
    """``pool="item"``: each item's confusion matrices are those of STAPLE run on it alone."""
    maps = noisy_maps(2, 10, 3, 4, seed=2)
    model = STAPLE(pool="item", prior="item", tol=1e-12, max_iter=5000).fit(maps)
    for n, (item, drawn) in enumerate(maps.items()):
        theta, w, _ = dense_multiclass({item: drawn}, [0, 1, 2, 3], prior="item")
        np.testing.assert_allclose(model.annotator_confusion_[3 * n : 3 * n + 3], theta, atol=1e-8)
        np.testing.assert_allclose(model.probas_[item].reshape(-1, 4), w, atol=1e-8)


@pytest.mark.parametrize("values", [(0, 255), (3, 7)])
def test_two_classes_other_than_0_1_are_the_binary_model(values):
    """0/255 (or 3/7) maps give binary STAPLE's estimates and masks, written with the class values."""
    masks, _ = simulate_masks(4, 24, 4, random_state=3)
    as_values = {i: {a: np.where(x > 0, values[1], values[0]) for a, x in d.items()} for i, d in masks.items()}
    binary = STAPLE(tol=1e-12, max_iter=5000, prior=0.3).fit(masks)
    labels = STAPLE(tol=1e-12, max_iter=5000, prior=0.3).fit(as_values)
    np.testing.assert_allclose(labels.annotator_sensitivity_, binary.annotator_sensitivity_, atol=1e-9)
    np.testing.assert_allclose(labels.annotator_specificity_, binary.annotator_specificity_, atol=1e-9)
    np.testing.assert_allclose(labels.annotator_confusion_, binary.annotator_confusion_, atol=1e-9)
    for i in masks:
        assert (labels.masks_[i] == np.where(binary.masks_[i], values[1], values[0])).all()
        np.testing.assert_allclose(labels.probas_[i][..., 1], binary.probas_[i], atol=1e-9)
    np.testing.assert_allclose(labels.dice_, binary.dice_, atol=1e-12)


def test_the_k_class_vote_takes_the_most_frequent_class_and_a_tie_goes_to_the_higher_class():
    """Votes (2, 2, 5): class 2; (1, 2, 5) three ways tied: class 5; (0, 0, 1): class 0."""
    stack = np.array([[[2, 1, 0]], [[2, 2, 0]], [[5, 5, 1]]])
    model = MaskMajorityVote().fit({"x": stack})
    assert model.masks_["x"].tolist() == [[2, 5, 0]]
    assert model.probas_["x"].shape == (1, 3, 4)
    assert model.classes_.tolist() == [0, 1, 2, 5]


def test_per_class_dice_leaves_out_the_background_and_absent_classes():
    """Dice averages the non-background classes present in the annotator's map or the consensus."""
    stack = np.array([[[1, 1, 2, 0]], [[1, 1, 2, 0]], [[1, 2, 2, 0]]])
    model = MaskMajorityVote().fit({"x": stack})
    assert model.masks_["x"].tolist() == [[1, 1, 2, 0]]
    # annotator 2: class 1: 2*1/(1+2), class 2: 2*1/(2+1)
    assert model.dice_.tolist() == pytest.approx([1.0, 1.0, 2 / 3])


@pytest.mark.parametrize("n_annotators", [15, 45])
def test_many_annotators_use_sorted_keys_or_rows_and_give_the_dense_answer(n_annotators):
    """3**15 cells is past the dense table (sorted int64 keys), 3**45 past 62 bits (sorted rows)."""
    maps = noisy_maps(1, 12, n_annotators, 3, seed=4)
    model = STAPLE(tol=1e-12, max_iter=3000, block_size=50).fit(maps)
    theta, w, raters = dense_multiclass(maps, [0, 1, 2])
    order = model.annotators_.index.get_indexer(raters)
    np.testing.assert_allclose(model.annotator_confusion_[order], theta, atol=1e-7)
    np.testing.assert_allclose(model.probas_["img0"].reshape(-1, 3), w, atol=1e-7)
    again = STAPLE(tol=1e-12, max_iter=3000, block_size=7).fit(maps)
    assert (again.annotator_confusion_ == model.annotator_confusion_).all()


@pytest.mark.parametrize("cls", [MaskMajorityVote, STAPLE])
def test_any_block_size_gives_the_same_label_maps_bit_for_bit(cls):
    """Pattern counts are integers: block sizes 1, 13 and all pixels agree exactly."""
    maps = noisy_maps(2, 9, 4, 3, seed=5, missing=0.2)
    fits = [cls(block_size=b).fit(maps) for b in (1, 13, 1 << 20)]
    for other in fits[1:]:
        for i in maps:
            assert (other.masks_[i] == fits[0].masks_[i]).all()
            assert (other.probas_[i] == fits[0].probas_[i]).all()
        assert (other.dice_ == fits[0].dice_).all()


def test_given_classes_may_include_a_class_nobody_drew():
    """classes=[0, 1, 2, 3] on maps of 0-2: class 3 gets probability 0 everywhere."""
    maps = noisy_maps(2, 8, 3, 3, seed=6)
    model = STAPLE(classes=[0, 1, 2, 3]).fit(maps)
    assert model.classes_.tolist() == [0, 1, 2, 3]
    assert all((model.probas_[i][..., 3] == 0).all() for i in maps)
    assert all(np.isin(model.masks_[i], [0, 1, 2]).all() for i in maps)


def test_a_fixed_prior_is_refused_for_more_than_two_classes():
    """A number as the prior names the parameter and the class count."""
    with pytest.raises(InvalidParameterError, match=r"prior must be 'all' or 'item' for label maps of 3 classes"):
        STAPLE(prior=0.2).fit(noisy_maps(1, 6, 3, 3, seed=7))


def test_a_negative_class_value_outside_given_classes_names_the_pixel():
    """A -1 in maps of classes [0, 1, 2] names the item, annotator and pixel."""
    maps = noisy_maps(1, 6, 3, 3, seed=8)
    maps["img0"]["a1"][0, 4] = -1
    with pytest.raises(
        InvalidLabelsError, match=r"classes \[0, 1, 2\], got -1 for item 'img0', annotator 'a1' \(pixel 4\)"
    ):
        STAPLE(classes=[0, 1, 2]).fit(maps)
