"""MaskMajorityVote and STAPLE: behaviour, a dense reference of STAPLE, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import STAPLE, MaskMajorityVote
from labelwise.aggregate._masks_simulate import simulate_masks
from labelwise.errors import (
    AnnotationError,
    InvalidLabelsError,
    InvalidParameterError,
    MissingColumnError,
    ShapeMismatchError,
)


def dense_staple(masks: dict, *, prior: str = "item", init: float = 0.99, tol: float = 1e-12, max_iter: int = 5000):
    """STAPLE as Warfield, Zou & Wells (2004) write it, on one dense (raters, pixels) matrix of all items
    with a presence matrix (a rater who did not draw an item is absent from its pixels' products)."""
    raters = sorted({a for drawn in masks.values() for a in drawn})
    cols, present, gammas = [], [], []
    for drawn in masks.values():
        n = next(iter(drawn.values())).size
        d = np.zeros((len(raters), n))
        m = np.zeros((len(raters), n))
        for a, mask in drawn.items():
            d[raters.index(a)] = mask.ravel()
            m[raters.index(a)] = 1
        cols.append(d)
        present.append(m)
        gammas.append(np.full(n, d.sum() / m.sum()))
    d, m, g = np.hstack(cols), np.hstack(present), np.concatenate(gammas)
    if prior == "all":
        g = np.full_like(g, d.sum() / m.sum())
    p = np.full(len(raters), init)
    q = np.full(len(raters), init)
    for _ in range(max_iter):
        a = g * np.prod(np.where(m > 0, p[:, None] ** d * (1 - p[:, None]) ** (1 - d), 1.0), axis=0)
        b = (1 - g) * np.prod(np.where(m > 0, q[:, None] ** (1 - d) * (1 - q[:, None]) ** d, 1.0), axis=0)
        w = a / (a + b)
        new_p = (w * d * m).sum(axis=1) / (w * m).sum(axis=1)
        new_q = ((1 - w) * (1 - d) * m).sum(axis=1) / ((1 - w) * m).sum(axis=1)
        done = max(np.abs(new_p - p).max(), np.abs(new_q - q).max()) <= tol
        p, q = new_p, new_q
        if done:
            break
    return p, q, w, raters


class TestMaskMajorityVote:
    def test_a_pixel_is_foreground_when_at_least_half_marked_it(self):
        """Two of four marks is a tie, which goes to the foreground; one of four does not."""
        stack = np.array([[[1, 1]], [[1, 0]], [[0, 0]], [[0, 0]]])
        model = MaskMajorityVote().fit({"x": stack})
        assert model.masks_["x"].tolist() == [[True, False]]
        assert model.probas_["x"].tolist() == [[0.5, 0.25]]

    def test_missing_annotators_do_not_vote_as_background(self):
        """An item drawn by one annotator of three gets that annotator's mask, not an empty one."""
        table = pd.DataFrame(
            {
                "item": ["a", "a", "a", "b"],
                "annotator": ["u", "v", "w", "u"],
                "mask": [np.ones((2, 2)), np.ones((2, 2)), np.zeros((2, 2)), np.eye(2)],
            }
        )
        model = MaskMajorityVote().fit(table)
        assert model.masks_["b"].tolist() == np.eye(2, dtype=bool).tolist()
        assert model.items_.loc["b", "n_annotators"] == 1
        assert model.annotators_.loc["u", "n_items"] == 2

    def test_dice_to_the_consensus_per_item_and_annotator(self):
        """The item's agreement is the mean Dice of its annotators' masks to the consensus."""
        stack = np.array([[[1, 1, 0, 0]], [[1, 1, 0, 0]], [[1, 0, 0, 0]]])
        model = MaskMajorityVote().fit({"x": stack})
        assert model.dice_.tolist() == pytest.approx([1.0, 1.0, 2 / 3])
        assert model.agreement_["x"] == pytest.approx((2 + 2 / 3) / 3)

    def test_two_empty_masks_agree_fully(self):
        """An empty mask against an empty consensus has Dice 1."""
        model = MaskMajorityVote().fit({"x": np.zeros((2, 3, 3))})
        assert model.dice_.tolist() == [1.0, 1.0]


class TestSTAPLE:
    def test_one_item_matches_the_papers_equations(self):
        """On one image, the sensitivities, specificities and W equal a dense transcription of the paper."""
        masks, _ = simulate_masks(1, 24, 5, random_state=3)
        model = STAPLE(tol=1e-12, max_iter=5000).fit(masks)
        p, q, w, raters = dense_staple(masks)
        np.testing.assert_allclose(model.annotator_sensitivity_.loc[raters], p, atol=1e-9)
        np.testing.assert_allclose(model.annotator_specificity_.loc[raters], q, atol=1e-9)
        np.testing.assert_allclose(model.probas_[0].ravel(), w, atol=1e-9)

    @pytest.mark.parametrize("prior", ["item", "all"])
    def test_pooled_items_with_missing_annotators_match_the_dense_reference(self, prior):
        """Pooled over items, with annotators missing from some items, STAPLE equals the dense reference."""
        masks, _ = simulate_masks(4, 16, 5, missing=0.3, random_state=1)
        assert min(len(d) for d in masks.values()) < 5  # some annotator is missing somewhere
        model = STAPLE(prior=prior, tol=1e-12, max_iter=5000, block_size=37).fit(masks)
        p, q, w, raters = dense_staple(masks, prior=prior)
        np.testing.assert_allclose(model.annotator_sensitivity_.loc[raters], p, atol=1e-8)
        np.testing.assert_allclose(model.annotator_specificity_.loc[raters], q, atol=1e-8)
        np.testing.assert_allclose(np.concatenate([model.probas_[i].ravel() for i in masks]), w, atol=1e-8)

    def test_pool_item_runs_the_paper_on_each_item(self):
        """``pool="item"`` gives each item the estimates of STAPLE run on that item alone."""
        masks, _ = simulate_masks(3, 16, 4, random_state=2)
        model = STAPLE(pool="item", prior="item", tol=1e-12, max_iter=5000).fit(masks)
        for item, drawn in masks.items():
            p, _, w, raters = dense_staple({item: drawn})
            np.testing.assert_allclose(model.annotator_sensitivity_.loc[item].loc[raters], p, atol=1e-8)
            np.testing.assert_allclose(model.probas_[item].ravel(), w, atol=1e-8)

    def test_a_spammer_gets_a_lower_sensitivity_than_careful_annotators(self):
        """The random annotator's estimated sensitivity + specificity is the lowest."""
        masks, truth = simulate_masks(6, 32, 5, n_spammers=1, random_state=0)
        model = STAPLE().fit(masks)
        youden = model.annotator_sensitivity_ + model.annotator_specificity_
        assert youden.idxmin() == 4
        assert model.converged_ and model.n_iter_ >= 1
        assert np.mean([(model.masks_[i] == truth[i]).mean() for i in truth]) > 0.95

    def test_an_item_nobody_marked_stays_empty(self):
        """A prior of 0 (no foreground decision) gives an empty consensus, without NaN."""
        model = STAPLE().fit({"blank": np.zeros((3, 4, 4)), "box": np.ones((3, 4, 4))})
        assert not model.masks_["blank"].any() and model.masks_["box"].all()
        assert np.isfinite(model.loss_history_).all()


class TestMemoryMappedMasks:
    def test_memory_mapped_masks_are_read_in_place_and_give_the_in_memory_answer(self, tmp_path):
        """``.npy`` masks opened with ``mmap_mode="r"`` are not copied, and any block size gives the
        answer of the masks held in memory."""
        from labelwise.aggregate._masks_input import as_mask_set

        masks, _ = simulate_masks(2, 24, 4, random_state=6)
        mapped = {}
        for item, drawn in masks.items():
            mapped[item] = {}
            for a, m in drawn.items():
                np.save(tmp_path / f"{item}_{a}.npy", m)
                mapped[item][a] = np.load(tmp_path / f"{item}_{a}.npy", mmap_mode="r")
        grouped = as_mask_set(mapped)
        assert all(np.shares_memory(f, mapped[0][a]) for f, a in zip(grouped.masks[0], mapped[0], strict=True))
        a, b = STAPLE(block_size=13).fit(mapped), STAPLE().fit(masks)
        for item in masks:
            np.testing.assert_array_equal(a.probas_[item], b.probas_[item])


class TestManyAnnotators:
    def test_twenty_annotators_per_item_match_the_dense_reference(self):
        """Above 16 annotators an item's vote patterns are sorted, not tabled: the same estimates."""
        masks, _ = simulate_masks(2, 16, 20, n_spammers=3, missing=0.1, random_state=4)
        model = STAPLE(tol=1e-12, max_iter=5000, block_size=50).fit(masks)
        p, q, w, raters = dense_staple(masks, prior="all")
        np.testing.assert_allclose(model.annotator_sensitivity_.loc[raters], p, atol=1e-8)
        np.testing.assert_allclose(np.concatenate([model.probas_[i].ravel() for i in masks]), w, atol=1e-8)

    def test_seventy_annotators_vote_as_a_plain_mean_in_any_block_size(self):
        """Above 64 annotators a pattern takes two words: the vote is still the share of marks per pixel."""
        rng = np.random.default_rng(0)
        stack = (rng.random((70, 9, 7)) < 0.5).astype(np.uint8)
        for block in (5, 63, 1 << 20):
            model = MaskMajorityVote(block_size=block).fit({"x": stack})
            np.testing.assert_array_equal(model.probas_["x"], stack.mean(axis=0))
            np.testing.assert_array_equal(model.masks_["x"], 2 * stack.sum(axis=0) >= 70)
        a, b = STAPLE(block_size=4).fit({"x": stack}), STAPLE().fit({"x": stack})
        np.testing.assert_array_equal(a.probas_["x"], b.probas_["x"])


class TestBadInput:
    @pytest.mark.parametrize("cls", [MaskMajorityVote, STAPLE])
    def test_masks_of_one_item_with_different_shapes_are_refused_naming_the_item(self, cls):
        """Two sizes for one item: the error names the item and both shapes."""
        with pytest.raises(ShapeMismatchError, match=r"item 'cat'.*|.*\(3, 3\).*item 'cat'"):
            cls().fit({"cat": {"u": np.zeros((2, 2)), "v": np.zeros((3, 3))}})

    @pytest.mark.parametrize("cls", [MaskMajorityVote, STAPLE])
    def test_a_value_outside_the_given_classes_is_refused_naming_item_and_annotator(self, cls):
        """A 255 in a mask of classes [0, 1] names the item, annotator, value and pixel."""
        stack = np.zeros((2, 2, 2), dtype=np.int64)
        stack[1, 0, 1] = 255
        with pytest.raises(InvalidLabelsError, match=r"255.*item 'x', annotator 1 \(pixel 1\)"):
            cls(block_size=1, classes=[0, 1]).fit({"x": stack})

    @pytest.mark.parametrize("cls", [MaskMajorityVote, STAPLE])
    def test_a_fractional_value_is_refused_naming_item_and_annotator(self, cls):
        """0.5 is neither a binary value nor a class label."""
        stack = np.zeros((2, 2, 2))
        stack[1, 1, 0] = 0.5
        with pytest.raises(InvalidLabelsError, match=r"whole-number.*0.5.*item 'x', annotator 1 \(pixel 2\)"):
            cls(block_size=3).fit({"x": stack})

    @pytest.mark.parametrize("cls", [MaskMajorityVote, STAPLE])
    @pytest.mark.parametrize("classes", [[1], [0, 0], ["a", "b"], [0.5, 1.0], 3, [[0, 1]]])
    def test_bad_classes_are_refused_naming_the_parameter(self, cls, classes):
        """classes must be at least two distinct integers."""
        with pytest.raises(InvalidParameterError, match="classes must be"):
            cls(classes=classes).fit({"x": np.zeros((2, 2, 2))})

    def test_a_repeated_item_annotator_pair_is_refused(self):
        """The same annotator twice for one item is refused."""
        table = pd.DataFrame({"item": [1, 1], "annotator": ["u", "u"], "mask": [np.zeros(2), np.ones(2)]})
        with pytest.raises(AnnotationError, match="one mask per"):
            STAPLE().fit(table)

    @pytest.mark.parametrize("cls", [MaskMajorityVote, STAPLE])
    def test_a_repeated_pair_names_both_rows(self, cls):
        """The message names the first row of the pair and its repeat, by position and index label."""
        table = pd.DataFrame(
            {"item": [1, 2, 1], "annotator": ["u", "u", "u"], "mask": [np.zeros(2), np.ones(2), np.ones(2)]},
            index=[30, 20, 10],
        )
        with pytest.raises(AnnotationError, match=r"annotator 'u' \(row 0 \(index 30\) and row 2 \(index 10\)\)"):
            cls().fit(table)

    @pytest.mark.parametrize("cls", [MaskMajorityVote, STAPLE])
    def test_a_missing_mask_is_named_as_missing(self, cls):
        """A None mask is a missing value named by its row (main called it a mask of shape ())."""
        table = pd.DataFrame({"item": [1, 1], "annotator": ["u", "v"], "mask": [np.zeros((2, 2)), None]})
        with pytest.raises(
            AnnotationError, match=r"masks column 'mask' must not contain missing values .* row 1 is None"
        ):
            cls().fit(table)

    def test_a_table_without_the_mask_column_is_refused(self):
        """The missing column is named."""
        with pytest.raises(MissingColumnError, match="mask"):
            STAPLE().fit(pd.DataFrame({"item": [1], "annotator": [2]}))

    @pytest.mark.parametrize(
        ("params", "name"),
        [
            ({"pool": "pixel"}, "pool"),
            ({"prior": "image"}, "prior"),
            ({"prior": 1.0}, "prior"),
            ({"init": 0}, "init"),
            ({"threshold": 1.5}, "threshold"),
            ({"max_iter": 0}, "max_iter"),
            ({"tol": -1}, "tol"),
            ({"block_size": 0}, "block_size"),
        ],
    )
    def test_bad_parameters_are_refused_by_name(self, params, name):
        """Each parameter outside its range is named in the error."""
        with pytest.raises(InvalidParameterError, match=name):
            STAPLE(**params).fit({"x": np.zeros((2, 2, 2))})

    def test_something_that_is_not_masks_is_refused(self):
        """A list is neither a table nor a mapping."""
        with pytest.raises(AnnotationError, match="masks must be"):
            MaskMajorityVote().fit([np.zeros((2, 2))])
