"""``box_index_`` and ``answer_weight_`` are bare arrays by position of the input rows, whatever the frame's index
(pair46: their docstrings say so; checked here on frames indexed 100.. in shuffled row order).

No command writes them (``labelwise aggregate-boxes`` writes the fused boxes and the annotators,
``aggregate-numbers`` the values and the annotators), so no output names an input row by position.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import BoxConsensus, RobustBiasPrecision, WeightedBoxesFusion, simulate_boxes

COORDS = ["x_min", "y_min", "x_max", "y_max"]


def _reindexed(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows shuffled and indexed 100.., with the original position of each."""
    order = np.random.default_rng(3).permutation(len(frame))
    return frame.iloc[order].set_axis(np.arange(100, 100 + len(frame))), order


@pytest.mark.parametrize("estimator", [BoxConsensus, WeightedBoxesFusion])
def test_box_index_is_by_position_of_the_input_rows(estimator):
    """Row i of a frame indexed 100.. gets the fused box its own row gets in the plain fit."""
    boxes = simulate_boxes(n_images=15, n_annotators=4, random_state=0).boxes.reset_index(drop=True)
    plain = estimator().fit(boxes)
    shifted, order = _reindexed(boxes)
    fitted = estimator().fit(shifted)
    assert fitted.box_index_.shape == (len(shifted),)
    for i, original in enumerate(order):
        mine, theirs = fitted.box_index_[i], plain.box_index_[original]
        assert (mine < 0) == (theirs < 0)
        if mine >= 0:
            np.testing.assert_allclose(
                fitted.boxes_.iloc[mine][COORDS].to_numpy(float), plain.boxes_.iloc[theirs][COORDS].to_numpy(float)
            )
    keyed = pd.Series(fitted.box_index_, index=shifted.index)  # the docstring's way to the input's ids
    assert keyed.loc[100] == fitted.box_index_[0]


def _answers() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    answers = pd.DataFrame(
        {"item": rng.integers(0, 30, 300), "annotator": rng.integers(0, 10, 300), "value": rng.normal(0, 1, 300)}
    )
    answers.loc[5, "value"] = 40.0
    return answers


def test_answer_weight_is_by_position_of_the_input_rows():
    """Row i of a table indexed 100.. (rows shuffled) gets its own answer's weight; the outlier's is the smallest."""
    answers = _answers()
    plain = RobustBiasPrecision().fit(answers).answer_weight_
    shifted, order = _reindexed(answers)
    got = RobustBiasPrecision().fit(shifted).answer_weight_
    np.testing.assert_allclose(got, plain[order], rtol=1e-6)
    assert shifted.index[np.argmin(got)] == 100 + int(np.flatnonzero(order == 5)[0])


@pytest.mark.parametrize("duplicates", ["last", "mean"])
def test_folded_rows_are_nan_at_their_own_position(duplicates):
    """With repeats folded, the weights of a table indexed 100.. are the plain table's, NaN at the same rows."""
    answers = _answers()
    plain = RobustBiasPrecision(duplicates=duplicates).fit(answers).answer_weight_
    got = RobustBiasPrecision(duplicates=duplicates).fit(answers.set_axis(np.arange(100, 400))).answer_weight_
    assert np.isnan(got).any()
    np.testing.assert_allclose(got, plain, rtol=1e-6, equal_nan=True)
