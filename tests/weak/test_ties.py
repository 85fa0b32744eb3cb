"""Tests of how weak.LabelModel breaks exact ties between classes: once per distinct vote row."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak import LabelModel
from labelwise.weak._posterior import random_argmax


def _tied_votes(copies: int = 30) -> np.ndarray:
    """Two interchangeable functions: the items they split on are exact ties between the classes."""
    return np.array([[0, 1], [1, 0], [0, 0], [1, 1]] * copies)


def _tied(model: LabelModel) -> np.ndarray:
    top = np.sort(model.probas_.to_numpy(), axis=1)
    return top[:, -1] - top[:, -2] <= 1e-12


class TestTies:
    def test_the_split_items_are_exact_ties(self):
        """The fixture has ties (else the tests below would test nothing), and only on the split items."""
        matrix = _tied_votes()
        tied = _tied(LabelModel().fit(matrix))
        np.testing.assert_array_equal(tied, matrix[:, 0] != matrix[:, 1])

    def test_items_with_the_same_votes_get_the_same_label(self):
        """A tie is broken once per vote row, not once per item."""
        matrix = _tied_votes()
        labels = LabelModel().fit(matrix).labels_.to_numpy()
        for row in ([0, 1], [1, 0]):
            same = (matrix == row).all(axis=1)
            assert len(set(labels[same].tolist())) == 1

    def test_a_draw_per_item_would_split_them(self):
        """Main's rule (one draw per item) gave items with the same votes different labels here."""
        model = LabelModel().fit(_tied_votes())
        per_item = random_argmax(model.probas_.to_numpy(), np.random.default_rng(0))
        tied = _tied(model)
        assert len(set(per_item[tied & (_tied_votes()[:, 0] == 0)].tolist())) == 2

    @settings(max_examples=15, deadline=None)
    @given(st.integers(0, 2**16), st.integers(0, 5))
    def test_item_order_does_not_change_the_labels(self, seed, random_state):
        """Any permutation of the items permutes the labels, ties included (hypothesis)."""
        rng = np.random.default_rng(seed)
        matrix = np.concatenate([_tied_votes(10), rng.integers(-1, 2, size=(40, 2))])
        perm = rng.permutation(len(matrix))
        a = LabelModel(random_state=random_state).fit(matrix).labels_.to_numpy()
        b = LabelModel(random_state=random_state).fit(matrix[perm]).labels_.to_numpy()
        np.testing.assert_array_equal(a[perm], b)

    def test_predict_breaks_ties_as_labels(self):
        """``predict`` on the training votes gives ``labels_``; on reordered votes, reordered."""
        matrix = _tied_votes()
        model = LabelModel().fit(matrix)
        np.testing.assert_array_equal(model.predict(matrix).to_numpy(), model.labels_.to_numpy())
        perm = np.random.default_rng(3).permutation(len(matrix))
        np.testing.assert_array_equal(model.predict(matrix[perm]).to_numpy(), model.labels_.to_numpy()[perm])

    def test_predict_proba_is_unchanged_by_the_row_form(self):
        """``predict_proba`` (computed on the distinct rows) equals ``probas_`` on the training votes."""
        frame = pd.DataFrame(
            {"item": [0, 0, 1, 1, 2, 3], "labeler": ["a", "b", "a", "b", "a", "b"], "label": [0, 1, 1, 1, 0, 0]}
        )
        model = LabelModel().fit(frame)
        pd.testing.assert_frame_equal(model.predict_proba(frame), model.probas_)

    def test_the_seed_still_chooses(self):
        """Different seeds may break a tie differently; the seed is the only thing that does."""
        matrix = _tied_votes()
        draws = {tuple(LabelModel(random_state=s).fit(matrix).labels_.to_numpy()[:2]) for s in range(8)}
        assert len(draws) > 1
