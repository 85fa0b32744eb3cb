"""The backdoor attack (``poison.backdoor``) and its measure (``poison.attack_success_rate``)."""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw
from labelwise.errors import EstimatorError, InvalidLabelsError, InvalidParameterError, ShapeMismatchError


def images(n: int = 40, shape=(6, 6), seed: int = 0, dtype=np.float64) -> np.ndarray:
    return (np.random.default_rng(seed).random((n, *shape)) * 100).astype(dtype)


class Fixed:
    """A 'model' that answers ``target`` when the bottom-right pattern pixel is lit, else the row's
    first entry rounded (tests know what it will say)."""

    def __init__(self, target, lit: float = 1.0) -> None:
        self.target, self.lit, self.calls = target, lit, 0

    def predict(self, X):
        self.calls += 1
        flat = np.asarray(X).reshape(len(X), -1)
        return np.where(flat[:, -1] == self.lit, self.target, np.round(flat[:, 0]).astype(int))


class TestBackdoor:
    def test_poisons_exactly_the_budget_of_non_target_rows(self):
        """A fraction of all rows is poisoned, each was of another class and is now the target."""
        y = np.arange(40) % 4
        out = lw.poison.backdoor(images(), y, 0.25, target=3, random_state=0)
        assert out.n_flipped == out.budget == 10
        assert (y[out.flipped_indices] != 3).all()
        assert (out.labels[out.flipped_indices] == 3).all()
        np.testing.assert_array_equal(out.labels[~out.is_flipped], y[~out.is_flipped])
        np.testing.assert_array_equal(out.true_labels, y)

    def test_leaves_the_callers_array_and_other_rows_untouched(self):
        """X is copied: the input keeps its values, and only poisoned rows differ in the output."""
        X = images()
        before = X.copy()
        out = lw.poison.backdoor(X, np.arange(40) % 2, 8, target=0, random_state=1)
        np.testing.assert_array_equal(X, before)
        np.testing.assert_array_equal(out.X[~out.is_flipped], X[~out.is_flipped])
        assert not np.shares_memory(out.X, X)

    def test_pattern_sets_four_pixels_in_every_channel(self):
        """ART's pattern at distance 2 lights (H-2, W-2), (H-3, W-3), (H-2, W-4), (H-4, W-2) in 6x7 images."""
        X = np.zeros((4, 6, 7, 3))
        out = lw.poison.backdoor(X, [0, 1, 0, 1], 2, target=1, random_state=0)
        lit = np.argwhere(out.X[out.flipped_indices[0]] == 1)
        assert sorted({(int(r), int(c)) for r, c, _ in lit}) == [(2, 5), (3, 4), (4, 3), (4, 5)]
        assert len(lit) == 12

    def test_source_restricts_the_rows_drawn(self):
        """With ``source``, only rows of those classes are poisoned."""
        y = np.repeat(["a", "b", "c"], 10)
        out = lw.poison.backdoor(images(30), y, 10, target="a", source=["c"], random_state=0)
        assert set(out.true_labels[out.flipped_indices]) == {"c"}
        assert list(out.info["source"]) == ["c"]

    def test_user_mask_and_values_on_tabular_rows(self):
        """A (mask, values) trigger writes its values on any row shape, e.g. plain feature rows."""
        X = np.zeros((10, 5))
        mask = np.array([True, False, False, True, False])
        out = lw.poison.backdoor(
            X, np.arange(10) % 2, 3, target=1, trigger=(mask, [7.0, 0, 0, -2.0, 0]), random_state=0
        )
        np.testing.assert_array_equal(out.X[out.flipped_indices], np.tile([7.0, 0, 0, -2.0, 0], (3, 1)))
        assert out.trigger.name == "array"

    def test_keeps_integer_dtype_and_label_dtype(self):
        """uint8 images stay uint8 with 255 stamped; string labels stay strings."""
        X = images(dtype=np.uint8)
        out = lw.poison.backdoor(X, np.array(["x", "y"] * 20), 5, target="y", pixel_value=255, random_state=0)
        assert out.X.dtype == np.uint8 and out.labels.dtype == np.array(["x"]).dtype
        assert (out.X[out.flipped_indices, 4, 4] == 255).all()

    def test_to_frame_has_one_row_per_example(self):
        """``to_frame`` lists true label, poisoned label and the flag."""
        out = lw.poison.backdoor(images(), np.arange(40) % 2, 4, target=0, random_state=0)
        frame = out.to_frame()
        assert list(frame.columns) == ["true_label", "label", "is_flipped"] and frame.is_flipped.sum() == 4

    @pytest.mark.parametrize(
        ("kwargs", "error", "words"),
        [
            ({"target": 9}, InvalidLabelsError, "target must be one of the classes"),
            ({"target": 0.5}, InvalidLabelsError, "target must be one of the classes of labels [0, 1], got 0.5"),
            ({"source": [0, 1]}, InvalidParameterError, "source must not contain the target"),
            ({"source": []}, InvalidParameterError, "source must name at least one class"),
            ({"source": "q"}, InvalidLabelsError, "source must be one of the classes"),
            ({"budget": 30}, InvalidParameterError, "budget must be at most the 20 rows"),
            ({"trigger": "square"}, InvalidParameterError, "trigger must be one of ['pattern', 'pixel']"),
            ({"trigger": np.full((5, 6), np.nan)}, ShapeMismatchError, "trigger must have the shape of one row"),
            ({"trigger": np.full((6, 6), np.nan)}, InvalidParameterError, "at least one entry"),
            ({"trigger": (np.ones((6, 6)), 1.0)}, InvalidParameterError, "mask must be a boolean array"),
            ({"distance": 5}, InvalidParameterError, "distance must be between 1 and 4"),
            ({"distance": 0}, InvalidParameterError, "distance must be a positive integer, got 0"),
            ({"distance": 1.5}, InvalidParameterError, "distance must be a positive integer"),
            ({"pixel_value": "1"}, InvalidParameterError, "pixel_value must be a finite number"),
            ({"budget": 1.5}, InvalidParameterError, "budget as a fraction must be in [0, 1)"),
            ({"random_state": "x"}, InvalidParameterError, "random_state"),
        ],
    )
    def test_bad_arguments_name_the_parameter(self, kwargs, error, words):
        """Each bad argument raises a labelwise error naming it, what was expected and what came."""
        call = {"budget": 4, "target": 0, **kwargs}
        with pytest.raises(error, match=None) as info:
            lw.poison.backdoor(images(), np.arange(40) % 2, **call)
        assert words in str(info.value)

    def test_pixel_value_must_fit_an_integer_dtype(self):
        """0.5 or 300 cannot be written into uint8 images: refused, naming the range."""
        for value in (0.5, 300):
            with pytest.raises(InvalidParameterError, match=r"pixel_value must be a whole number in \[0, 255\]"):
                lw.poison.backdoor(images(dtype=np.uint8), np.arange(40) % 2, 4, target=0, pixel_value=value)

    def test_flat_rows_need_an_image_shape_that_fits(self):
        """Flat rows with a named trigger need ``image_shape``, whose size must be a row's."""
        flat = images().reshape(40, -1)
        with pytest.raises(ShapeMismatchError, match="image_shape=None"):
            lw.poison.backdoor(flat, np.arange(40) % 2, 4, target=0)
        with pytest.raises(ShapeMismatchError, match=r"image_shape must have as many entries as one row of X \(36\)"):
            lw.poison.backdoor(flat, np.arange(40) % 2, 4, target=0, image_shape=(5, 5))
        with pytest.raises(InvalidParameterError, match="image_shape must be"):
            lw.poison.backdoor(flat, np.arange(40) % 2, 4, target=0, image_shape=(36,))

    def test_non_numeric_X_and_length_mismatch_are_refused(self):
        """X must be numeric rows, one per label."""
        with pytest.raises(InvalidParameterError, match="X must be a numeric array"):
            lw.poison.backdoor(np.full((4, 3, 3), "a"), [0, 1, 0, 1], 1, target=0)
        with pytest.raises(ShapeMismatchError, match="X"):
            lw.poison.backdoor(images(), np.arange(39) % 2, 1, target=0)


class TestAttackSuccessRate:
    def test_counts_non_target_rows_sent_to_the_target(self):
        """A model that obeys the trigger has success 1; clean accuracy counts the untouched rows."""
        X = np.zeros((12, 5, 5))
        X[:, 0, 0] = np.arange(12) % 3
        y = np.arange(12) % 3
        score = lw.poison.attack_success_rate(Fixed(target=2), X, y, 2, trigger="pattern", distance=1)
        assert score.attack_success_rate == 1.0 and score.clean_accuracy == 1.0
        assert score.n_attacked == 8 and score.n_test == 12

    def test_a_model_that_ignores_the_trigger_scores_zero(self):
        """The model lit by another value never answers the target on triggered rows."""
        X = np.zeros((12, 5, 5))
        X[:, 0, 0] = np.arange(12) % 3
        score = lw.poison.attack_success_rate(Fixed(2, lit=9.0), X, np.arange(12) % 3, 2, trigger="pixel", distance=1)
        assert score.attack_success_rate == 0.0
        assert list(score.to_frame().columns)[:2] == ["attack_success_rate", "clean_accuracy"]

    def test_blocks_give_the_same_answer(self):
        """Predicting in blocks of 5 rows gives what one block gives."""
        X = images(40, (5, 5))
        X[:, 0, 0] = np.arange(40) % 3
        y = (np.arange(40) + (np.arange(40) % 7 == 0)) % 3
        whole = lw.poison.attack_success_rate(Fixed(1), X, y, 1, distance=1)
        model = Fixed(1)
        blocks = lw.poison.attack_success_rate(model, X, y, 1, distance=1, batch_size=5)
        assert blocks == whole and model.calls == 16

    def test_takes_the_attacks_own_trigger(self):
        """``backdoor(...).trigger`` fits the test rows of the same shape."""
        out = lw.poison.backdoor(images(), np.arange(40) % 2, 4, target=0, trigger="pixel", distance=1, random_state=0)
        X = images(10, seed=5)
        X[:, 0, 0] = 1
        score = lw.poison.attack_success_rate(Fixed(0), X, np.ones(10, dtype=int), 0, trigger=out.trigger)
        assert score.attack_success_rate == 1.0

    def test_bad_inputs_are_named(self):
        """No predict, no non-target row, a trigger of the wrong shape, a bad batch size."""
        X = images(6)
        with pytest.raises(EstimatorError, match="model must be a fitted estimator with a predict method"):
            lw.poison.attack_success_rate(object(), X, np.zeros(6), 0)
        with pytest.raises(InvalidLabelsError, match="y_test must have rows of a class other than the target"):
            lw.poison.attack_success_rate(Fixed(0), X, np.zeros(6, dtype=int), 0)
        trig = lw.poison.backdoor(np.zeros((4, 3, 3)), [0, 1, 0, 1], 1, target=0, distance=1).trigger
        with pytest.raises(ShapeMismatchError, match=r"trigger must fit one row of X_test \(shape \(6, 6\)\)"):
            lw.poison.attack_success_rate(Fixed(0), X, np.arange(6) % 2, 0, trigger=trig)
        with pytest.raises(InvalidParameterError, match="batch_size"):
            lw.poison.attack_success_rate(Fixed(0), X, np.arange(6) % 2, 0, batch_size=0)
        with pytest.raises(ShapeMismatchError, match="X_test and y_test"):
            lw.poison.attack_success_rate(Fixed(0), X, np.arange(5) % 2, 0)
