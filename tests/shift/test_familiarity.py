"""familiarity: similarity of evaluation labels to training labels weighted by training frequency."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.errors import InvalidLabelsError, InvalidParameterError, ShapeMismatchError
from labelwise.shift import familiarity


def _onehot_embed(names):
    """Each distinct name its own axis, except 'city' = 0.6 'location' + 0.8 'town'."""
    axes = {"person": 0, "location": 1, "town": 2, "organization": 3}
    out = np.zeros((len(names), 5))
    for i, n in enumerate(names):
        if n == "city":
            out[i, 1], out[i, 2] = 0.6, 0.8
        else:
            out[i, axes.get(n, 4)] = 1.0
    return out


class TestFamiliarity:
    def test_seen_labels_score_one(self):
        """Evaluation labels all seen verbatim with k=1 are fully familiar."""
        res = familiarity(["person", "location"], ["person", "location"], _onehot_embed, k=1)
        assert res.score == pytest.approx(1.0)

    def test_frequency_weighted_top_k_hand_computed(self):
        """'city' vs 3 x location (sim .6), 1 x town (sim .8), 2 x person (0): k=2 -> (.8 + .6)/2; k=6 -> (.8 + 3*.6)/6."""
        train = {"location": 3, "town": 1, "person": 2}
        assert familiarity(train, ["city"], _onehot_embed, k=2).score == pytest.approx(0.7)
        assert familiarity(train, ["city"], _onehot_embed, k=6).score == pytest.approx((0.8 + 1.8) / 6)
        assert familiarity(train, ["city"], _onehot_embed, k=6).nearest["city"] == "town"

    def test_default_embedding_is_offline_and_lexical(self):
        """The default TF-IDF embedding ranks a spelling variant above an unrelated word."""
        res = familiarity(["persons"] * 3 + ["vehicle"], ["person", "disease"])
        assert res.per_label["person"] > 0.5 > res.per_label["disease"]

    def test_bad_embed_and_empty_labels(self):
        """An embedding with the wrong number of rows, or no labels, is refused."""
        with pytest.raises(ShapeMismatchError, match="one row per label name"):
            familiarity(["a"], ["b"], lambda names: np.zeros((1, 3)))
        with pytest.raises(InvalidLabelsError):
            familiarity([], ["b"])


class TestMissingNames:
    @pytest.mark.parametrize("missing", [None, float("nan"), "", "  "])
    def test_missing_or_blank_label_is_named(self, missing):
        """None/NaN entered the label set as a label called 'None'/'nan'; a blank one as an empty name."""
        with pytest.raises(InvalidLabelsError, match="train_labels must hold label names, entry 1"):
            familiarity(["person", missing, "city"], ["person"])
        with pytest.raises(InvalidLabelsError, match="eval_labels must hold label names, entry 0"):
            familiarity(["person"], [missing])

    def test_embedding_with_nan_is_refused(self):
        """An embedding row of NaN gave a norm of NaN, a zero vector and a familiarity of 0 without a word."""

        def embed(names):
            out = np.eye(len(names))
            out[1] = np.nan
            return out

        with pytest.raises(InvalidParameterError, match="embed must return finite numbers, its row for label"):
            familiarity(["a", "b"], ["a"], embed=embed)

    @pytest.mark.parametrize("which", ["train_labels", "eval_labels"])
    def test_a_single_string_is_refused(self, which):
        """familiarity('person', [...]) read the string letter by letter (labels p, e, r, s, o, n): score 0.0."""
        args = {"train_labels": ["person"], "eval_labels": ["person"], which: "person"}
        with pytest.raises(InvalidParameterError, match=f"{which} must be a list of label names, got the single"):
            familiarity(args["train_labels"], args["eval_labels"])
