"""STAPLE against SimpleITK 2.5.7's ``STAPLEImageFilter`` (ITK's implementation of Warfield et al., 2004).

SimpleITK runs STAPLE on one image; labelwise's ``pool="item"`` runs it on each item, and on one
item both pools are the paper's model. SimpleITK stops on its own criterion (a change of the
estimates' sum below its tolerance), so the estimates agree to that tolerance, not bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.aggregate import STAPLE
from labelwise.aggregate._masks_simulate import simulate_masks

sitk = pytest.importorskip("SimpleITK")


def _sitk_staple(drawn: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    images = [sitk.GetImageFromArray(np.asarray(m, dtype=np.uint8)) for m in drawn.values()]
    staple = sitk.STAPLEImageFilter()
    staple.SetForegroundValue(1)
    staple.SetMaximumIterations(5000)
    w = sitk.GetArrayFromImage(staple.Execute(images))
    return np.array(staple.GetSensitivity()), np.array(staple.GetSpecificity()), w


@pytest.mark.parametrize(("seed", "n_annotators"), [(3, 5), (7, 3), (11, 8)])
def test_staple_equals_simpleitk_on_one_image(seed, n_annotators):
    """Sensitivities, specificities and the posterior map equal SimpleITK's to its tolerance."""
    masks, _ = simulate_masks(1, 48, n_annotators, random_state=seed)
    p, q, w = _sitk_staple(masks[0])
    model = STAPLE(tol=1e-12, max_iter=5000).fit(masks)
    np.testing.assert_allclose(model.annotator_sensitivity_.to_numpy(), p, atol=1e-5)
    np.testing.assert_allclose(model.annotator_specificity_.to_numpy(), q, atol=1e-5)
    np.testing.assert_allclose(model.probas_[0], w, atol=1e-4)


def test_pool_item_equals_simpleitk_run_on_each_image():
    """``pool="item", prior="item"``: every item gets SimpleITK's estimates for that image alone."""
    masks, _ = simulate_masks(3, 32, 4, random_state=5)
    model = STAPLE(pool="item", prior="item", tol=1e-12, max_iter=5000).fit(masks)
    for item, drawn in masks.items():
        p, _, w = _sitk_staple(drawn)
        np.testing.assert_allclose(model.annotator_sensitivity_.loc[item].to_numpy(), p, atol=1e-5)
        np.testing.assert_allclose(model.probas_[item], w, atol=1e-4)


def _label_maps(seed: int, n_annotators: int, n_classes: int) -> dict:
    rng = np.random.default_rng(seed)
    truth = np.zeros((40, 36), dtype=np.uint8)
    for c in range(1, n_classes):
        y, x = rng.integers(0, 24, size=2)
        truth[y : y + 16, x : x + 12] = c
    return {
        j: np.where(
            rng.random(truth.shape) < 0.65 + 0.3 * j / n_annotators, truth, rng.integers(0, n_classes, truth.shape)
        ).astype(np.uint8)
        for j in range(n_annotators)
    }


@pytest.mark.parametrize(("seed", "n_annotators", "n_classes"), [(1, 4, 3), (2, 5, 4), (3, 3, 5)])
def test_multiclass_staple_equals_simpleitks_multilabel_staple(seed, n_annotators, n_classes):
    """Confusion matrices and the label map equal ``MultiLabelSTAPLEImageFilter``'s (Rohlfing et al.'s
    form: rows the drawn label, columns the true one; SimpleITK adds a row for rejected votes)."""
    drawn = _label_maps(seed, n_annotators, n_classes)
    f = sitk.MultiLabelSTAPLEImageFilter()
    f.SetTerminationUpdateThreshold(1e-10)
    f.SetMaximumNumberOfIterations(5000)
    out = sitk.GetArrayFromImage(f.Execute([sitk.GetImageFromArray(m) for m in drawn.values()]))
    theirs = np.stack([np.array(f.GetConfusionMatrix(j)).reshape(n_classes + 1, n_classes)[:n_classes] for j in drawn])
    model = STAPLE(tol=1e-12, max_iter=5000).fit({"x": drawn})
    np.testing.assert_allclose(model.annotator_confusion_, theirs, atol=1e-6)
    assert (model.masks_["x"] == out).all()
