"""Properties of ``weak.analysis.lf_statistics``: coverage, overlaps and conflicts equal a row-by-row
count of Snorkel's definitions for any label matrix and any ``block_size``; a matrix that is not 2-D
integers from -1 to ``n_classes - 1`` is refused naming ``matrix`` (a vote of ``n_classes`` or more
raised numpy's IndexError, a float or 1-D matrix numpy's TypeError or ValueError)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseError
from labelwise.weak import lf_statistics

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def matrices(draw):
    n = draw(st.integers(0, 60))
    m = draw(st.integers(1, 6))
    k = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    votes = rng.integers(0, k, (n, m))
    votes[rng.random((n, m)) < draw(st.sampled_from([0.0, 0.5, 0.9]))] = -1
    return votes.astype(draw(st.sampled_from([np.int8, np.int32, np.int64]))), k


def _reference(matrix: np.ndarray) -> dict[str, np.ndarray]:
    """Snorkel's definitions, one item at a time."""
    n, m = matrix.shape
    cov, ovl, con = np.zeros(m), np.zeros(m), np.zeros(m)
    for row in matrix:
        voted = row != -1
        for j in np.flatnonzero(voted):
            cov[j] += 1
            others = np.delete(row, j)
            others = others[others != -1]
            ovl[j] += len(others) > 0
            con[j] += (others != row[j]).any()
    d = max(n, 1)
    return {"coverage": cov / d, "overlaps": ovl / d, "conflicts": con / d}


class TestLfStatistics:
    @SETTINGS
    @given(case=matrices(), block=st.sampled_from([1, 2, 7, 1 << 16]))
    def test_statistics_follow_the_definitions_in_any_blocks(self, case, block):
        """Every block size gives the row-by-row counts exactly."""
        matrix, k = case
        got = lf_statistics(matrix, k, block_size=block)
        want = _reference(matrix)
        for name, values in want.items():
            np.testing.assert_allclose(got[name], values, rtol=0, atol=1e-15, err_msg=name)

    @SETTINGS
    @given(case=matrices(), over=st.integers(0, 5), where=st.integers(0, 10**6))
    def test_a_vote_outside_the_classes_is_refused(self, case, over, where):
        """A vote of ``n_classes + over`` or below -1 raises a labelwise error naming ``matrix`` and the cell."""
        matrix, k = case
        if matrix.size == 0:
            return
        bad = matrix.astype(np.int64)
        r, c = divmod(where % bad.size, bad.shape[1])
        bad[r, c] = k + over if over % 2 == 0 else -2 - over
        with pytest.raises(LabelwiseError, match=rf"matrix must hold votes .* row {r} column {c}"):
            lf_statistics(bad, k)

    @SETTINGS
    @given(
        bad=st.sampled_from(
            [None, 3, "votes", [1, 2, 3], np.zeros((2, 2, 2), int), np.full((3, 2), 0.5), np.array([["a", "b"]])]
        )
    )
    def test_a_matrix_that_is_not_2d_integers_is_refused(self, bad):
        """None, a scalar, a text, a 1-D list, a 3-D array, floats or texts: an error naming ``matrix``."""
        with pytest.raises(LabelwiseError, match="matrix must be a 2-D integer array"):
            lf_statistics(bad, 2)


def test_a_vote_of_n_classes_is_refused_not_an_index_error():
    """Two functions voting class 2 with ``n_classes=2``: on main numpy's IndexError, no parameter named."""
    matrix = np.array([[2, 2], [1, 1]])
    with pytest.raises(LabelwiseError, match="n_classes - 1 = 1"):
        lf_statistics(matrix, 2)
