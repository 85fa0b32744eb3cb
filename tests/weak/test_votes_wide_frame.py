"""A wide vote DataFrame (Snorkel's L as a frame) is read as a label matrix where that is unambiguous."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import InvalidLabelsError, MissingColumnError
from labelwise.weak import DawidSkeneLabelModel, LabelModel, MajorityLabelVoter, as_votes

NAMES = ["lf_keyword", "lf_regex", "lf_length", "lf_model"]


def _wide(seed: int = 0) -> tuple[np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 300)
    right = np.where(rng.random((300, 4)) < 0.8, y[:, None], 1 - y[:, None])
    matrix = np.where(rng.random((300, 4)) < 0.3, -1, right)
    return matrix, pd.DataFrame(matrix, columns=NAMES, index=pd.RangeIndex(1000, 1300))


class TestAsVotesWideFrame:
    def test_columns_name_labelers_and_index_names_items(self):
        """Each column is a labeler named by the column, each row an item named by the index, -1 an abstain."""
        matrix, frame = _wide()
        votes = as_votes(frame)
        assert votes.labelers == tuple(NAMES)
        assert votes.items.equals(frame.index)
        assert np.array_equal(votes.matrix(), matrix)
        assert len(votes.answers) == int((matrix != -1).sum())
        assert set(votes.answers["item"]) <= set(frame.index)

    def test_nullable_integer_columns_are_read(self):
        """Int64 columns without <NA> are a label matrix too."""
        matrix, frame = _wide()
        assert np.array_equal(as_votes(frame.astype("Int64")).matrix(), matrix)

    @pytest.mark.parametrize(
        "frame",
        [
            pd.DataFrame({"task": [1, 2], "worker": [0, 1], "answer": [1, 0]}),
            pd.DataFrame({"a": ["x", "y"], "b": ["x", "y"]}),
            pd.DataFrame({"a": [0, 1], "b": [1, None]}, dtype="Int64"),
        ],
    )
    def test_ambiguous_frame_is_refused_with_the_call_that_works(self, frame):
        """A long table under other names, text votes or <NA> cells are refused, naming the way to pass them."""
        with pytest.raises(MissingColumnError, match=r"rename its columns.*to_numpy\(dtype=int\)"):
            as_votes(frame)

    def test_code_below_abstain_is_refused(self):
        """A code below -1 in a wide frame is named by row and column as in a matrix."""
        frame = pd.DataFrame({"a": [0, 1, -2], "b": [1, 1, 0]})
        with pytest.raises(InvalidLabelsError, match="row 2, column 0 holds -2"):
            as_votes(frame)


@pytest.mark.parametrize("model", [LabelModel, DawidSkeneLabelModel, MajorityLabelVoter])
class TestLabelModelsWideFrame:
    def test_wide_frame_fits_as_the_matrix_does(self, model):
        """A label model fitted on the wide frame gives the probabilities it gives for the matrix, by item."""
        matrix, frame = _wide()
        by_frame = model().fit(frame).predict_proba(frame)
        by_matrix = model().fit(matrix).predict_proba(matrix)
        assert np.allclose(np.asarray(by_frame), np.asarray(by_matrix))
        assert by_frame.index.equals(frame.index)


class TestWideFrameColumnsByName:
    def test_reordered_columns_are_matched_by_name(self):
        """At predict time a wide frame's columns are labelers by name, so their order does not matter."""
        _, frame = _wide()
        model = LabelModel().fit(frame)
        shuffled = frame[NAMES[::-1]]
        assert np.allclose(model.predict_proba(shuffled).to_numpy(), model.predict_proba(frame).to_numpy())
