"""SegmentationEM and SegmentationRASA: behaviour, dense per-pixel references of the modes crowd-kit
does not have (EM with a per-item prior, RASA's pooled reliability), and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from labelwise.aggregate import MaskMajorityVote, SegmentationEM, SegmentationRASA
from labelwise.aggregate._masks_simulate import simulate_masks
from labelwise.errors import InvalidLabelsError, InvalidParameterError


def dense_em(stack: np.ndarray, steps: int = 500, tol: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """The one-coin EM with one prior per item, per pixel of one item's (annotators, pixels) matrix."""
    d = stack.reshape(len(stack), -1).astype(float)
    region = d.any(axis=0)
    w = (d.mean(axis=0) > 0.5) & region
    e = 1 - (np.abs(d - w) * region).sum(axis=1) / region.sum()
    pi = w.sum() / region.sum()
    for _ in range(steps):
        a = pi * np.prod(np.where(d == 1, e[:, None], 1 - e[:, None]), axis=0)
        b = (1 - pi) * np.prod(np.where(d == 1, 1 - e[:, None], e[:, None]), axis=0)
        w = np.where(region, a / (a + b), 0.0)
        new_e = 1 - (d * (1 - w) + (1 - d) * w).sum(axis=1) / region.sum()
        new_pi = w.sum() / region.sum()
        done = max(abs(new_pi - pi), np.abs(new_e - e).max()) <= tol
        e, pi = new_e, new_pi
        if done:
            break
    a = pi * np.prod(np.where(d == 1, e[:, None], 1 - e[:, None]), axis=0)
    b = (1 - pi) * np.prod(np.where(d == 1, 1 - e[:, None], e[:, None]), axis=0)
    return np.where(region, a / (a + b), 0.0), e


class TestSegmentationEM:
    def test_the_per_item_prior_matches_a_dense_transcription(self):
        """prior="item" is EM of the one-coin model, pixel by pixel: the same posteriors and accuracies."""
        masks, _ = simulate_masks(3, 16, 4, random_state=1)
        model = SegmentationEM(prior="item", pool="item", tol=1e-12, max_iter=500, block_size=37).fit(masks)
        for item, drawn in masks.items():
            w, e = dense_em(np.stack(list(drawn.values())))
            np.testing.assert_allclose(model.probas_[item].ravel(), w, atol=1e-8)
            np.testing.assert_allclose(model.annotator_accuracy_.loc[item].to_numpy(), e, atol=1e-8)

    def test_the_per_item_prior_never_raises_the_loss(self):
        """EM of the model: the negative log-likelihood does not increase from step to step."""
        masks, _ = simulate_masks(4, 24, 5, missing=0.2, random_state=3)
        history = SegmentationEM(prior="item", pool="item", max_iter=50).fit(masks).loss_history_
        assert np.all(np.diff(history) <= 1e-12)

    def test_missing_annotators_are_left_out_not_read_as_background(self):
        """An item's result uses only the masks drawn: an absent annotator differs from an empty mask."""
        masks, _ = simulate_masks(2, 16, 4, random_state=5)
        drawn = dict(masks[0])
        del drawn[1]
        for cls in (SegmentationEM, SegmentationRASA):  # per item: the other items change nothing
            with_gap = cls(pool="item").fit({"x": drawn, "y": masks[1]})
            alone = cls(pool="item").fit({"x": drawn})
            np.testing.assert_array_equal(with_gap.probas_["x"], alone.probas_["x"])
            assert with_gap.items_.loc["x", "n_annotators"] == 3

    def test_an_item_nobody_marked_is_empty_with_full_accuracy(self):
        """No pixel in the region: the empty mask, accuracies 1, no NaN."""
        model = SegmentationEM(pool="item").fit({"blank": np.zeros((3, 4, 4)), "box": np.ones((3, 4, 4))})
        assert not model.masks_["blank"].any() and model.masks_["box"].all()
        assert np.isfinite(model.annotator_accuracy_).all()
        assert (model.annotator_accuracy_.loc["blank"] == 1).all()

    def test_a_careless_annotator_gets_a_lower_accuracy(self):
        """The accuracy table ranks a spammer below careful annotators."""
        masks, _ = simulate_masks(6, 32, 5, n_spammers=1, random_state=7)
        acc = SegmentationEM().fit(masks).annotators_["accuracy"]
        assert acc.loc[4] < acc.drop(4).min()

    def test_memory_mapped_masks_give_the_in_memory_answer(self, tmp_path):
        """``.npy`` masks opened with ``mmap_mode="r"`` are read by blocks: the in-memory answer."""
        masks, _ = simulate_masks(2, 20, 4, random_state=6)
        mapped = {}
        for item, drawn in masks.items():
            mapped[item] = {}
            for a, m in drawn.items():
                np.save(tmp_path / f"{item}_{a}.npy", m)
                mapped[item][a] = np.load(tmp_path / f"{item}_{a}.npy", mmap_mode="r")
        for cls in (SegmentationEM, SegmentationRASA):
            a, b = cls(block_size=13).fit(mapped), cls().fit(masks)
            for item in masks:
                np.testing.assert_array_equal(a.probas_[item], b.probas_[item])

    def test_twenty_annotators_per_item_give_the_tabled_answer_in_any_block_size(self):
        """Above 16 annotators an item's vote patterns are sorted, not tabled: the same estimates."""
        masks, _ = simulate_masks(2, 16, 20, n_spammers=3, missing=0.1, random_state=4)
        for cls in (SegmentationEM, SegmentationRASA):
            a, b = cls(block_size=50).fit(masks), cls(block_size=7).fit(masks)
            for item in masks:
                np.testing.assert_array_equal(a.probas_[item], b.probas_[item])


class TestSegmentationRASA:
    def test_equal_masks_weigh_the_same_and_vote_as_the_majority(self):
        """Annotators equally far from the vote get equal weights: RASA is the majority vote."""
        truth = np.zeros((6, 6), dtype=int)
        truth[1:4, 1:4] = 1
        shifted = [np.roll(truth, s, axis=1) for s in (-1, 0, 1)]
        model = SegmentationRASA().fit({"x": np.stack(shifted)})
        np.testing.assert_allclose(model.weights_.loc["x"].to_numpy()[[0, 2]], model.weights_.loc["x"].iloc[0])
        np.testing.assert_array_equal(model.masks_["x"], MaskMajorityVote().fit({"x": np.stack(shifted)}).masks_["x"])

    def test_pooled_reliability_is_the_papers_chi_squared_ratio(self):
        """pool="annotator": each annotator's reliability is chi2_isf(alpha/2, n_j) / sum_i d_ij^2, and
        an item's weights are its annotators' reliabilities, normalised."""
        masks, _ = simulate_masks(4, 20, 4, missing=0.3, random_state=8)
        model = SegmentationRASA(pool="annotator", max_iter=1).fit(masks)
        distances = {}
        for drawn in masks.values():
            vote = np.mean(list(drawn.values()), axis=0) >= 0.5
            for a, m in drawn.items():
                union = (m.astype(bool) | vote).sum()
                distances.setdefault(a, []).append(1 - (m.astype(bool) & vote).sum() / union if union else 0.0)
        for a, ds in distances.items():
            expected = chi2.isf(0.025, len(ds)) / max(float(np.sum(np.square(ds))), 1e-5)
            assert model.annotators_.loc[a, "reliability"] == pytest.approx(expected, rel=1e-9)

    def test_two_empty_masks_are_at_distance_zero(self):
        """An annotator who drew nothing on an empty consensus is as close as can be (crowd-kit: NaN)."""
        model = SegmentationRASA().fit({"x": np.zeros((3, 4, 4))})
        assert np.isfinite(model.weights_).all() and not model.masks_["x"].any()


class TestBadInput:
    @pytest.mark.parametrize(
        ("cls", "params", "name"),
        [
            (SegmentationEM, {"prior": "all"}, "prior"),
            (SegmentationEM, {"max_iter": 0}, "max_iter"),
            (SegmentationEM, {"tol": -1}, "tol"),
            (SegmentationEM, {"threshold": 1.0}, "threshold"),
            (SegmentationEM, {"block_size": 0}, "block_size"),
            (SegmentationRASA, {"pool": "pixel"}, "pool"),
            (SegmentationRASA, {"alpha": 0}, "alpha"),
            (SegmentationRASA, {"max_iter": 1.5}, "max_iter"),
            (SegmentationRASA, {"tol": "x"}, "tol"),
        ],
    )
    def test_bad_parameters_are_refused_by_name(self, cls, params, name):
        """Each parameter outside its range is named in the error."""
        with pytest.raises(InvalidParameterError, match=name):
            cls(**params).fit({"x": np.zeros((2, 2, 2))})

    @pytest.mark.parametrize("cls", [SegmentationEM, SegmentationRASA])
    def test_a_label_map_is_refused_naming_item_and_annotator(self, cls):
        """Both model binary masks: a value other than 0 and 1 is refused, named with where it is."""
        with pytest.raises(InvalidLabelsError, match=r"only 0 and 1, got 2 for item 'x', annotator 1"):
            cls().fit({"x": np.array([[[0, 1]], [[2, 0]]])})
