"""``mostly_one_class`` is made once per vote rows and weights in the label model's shared context (fast53, session
53): the missing-abstain trigger (``_negative_pairs``) asked it again in every fit, on the same rows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak import _one_class_fit, _shared_steps


def one_class_votes(seed: int, n: int = 60, m: int = 6, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Vote rows of ``m`` functions, most of them one-class (function ``j`` votes ``j % k`` or abstains), the last
    one voting several classes, alone on the first 5 rows; and whole-number row weights."""
    rng = np.random.default_rng(seed)
    matrix = np.where(rng.random((n, m)) < 0.4, np.arange(m) % k, -1)
    matrix[:, -1] = np.where(rng.random(n) < 0.3, rng.integers(0, k, n), -1)  # one function of several classes
    matrix[:5, :-1], matrix[:5, -1] = -1, np.arange(5) % k
    return matrix, rng.integers(1, 5, n).astype(np.float64)


@pytest.fixture
def calls(monkeypatch) -> list:
    """One entry per computation of the one-class share (``one_class_share`` counted)."""
    made: list = []
    real = _one_class_fit.one_class_share
    monkeypatch.setattr(_one_class_fit, "one_class_share", lambda *a: made.append(1) or real(*a))
    return made


class TestMostlyOneClassOnce:
    def test_in_a_shared_context_the_same_rows_and_weights_are_judged_once(self, calls):
        """Asked twice on the same matrix and weights objects in one shared context, the share is computed once;
        the answer is the first call's."""
        matrix, w = one_class_votes(0)
        token = _shared_steps.SHARED.set({})
        try:
            first = _one_class_fit.mostly_one_class(matrix, w, 3)
            again = _one_class_fit.mostly_one_class(matrix, w, 3)
        finally:
            _shared_steps.SHARED.reset(token)
        assert first == again and len(calls) == 1

    @pytest.mark.parametrize("other", ["matrix", "weights"])
    def test_other_rows_or_weights_are_judged_again(self, other, calls):
        """An equal copy of the matrix or of the weights (another object) is judged on its own, and so are
        different weights that change the answer."""
        matrix, w = one_class_votes(1)
        token = _shared_steps.SHARED.set({})
        try:
            _one_class_fit.mostly_one_class(matrix, w, 3)
            args = (matrix.copy(), w) if other == "matrix" else (matrix, w.copy())
            _one_class_fit.mostly_one_class(*args, 3)
            heavy = w.copy()
            heavy[:5] = 1e6  # the rows where the many-class function votes alone outweigh the rest
            judged = _one_class_fit.mostly_one_class(matrix, heavy, 3)
        finally:
            _shared_steps.SHARED.reset(token)
        assert len(calls) == 3
        assert _one_class_fit._mostly_one_class(matrix, w, 3) and not judged

    @settings(max_examples=40, deadline=None)
    @given(seed=st.integers(0, 2**16), k=st.integers(2, 5), shared=st.booleans())
    def test_the_answer_is_the_direct_computation_s(self, seed, k, shared):
        """In and out of a shared context the answer equals the direct computation on random vote rows."""
        matrix, w = one_class_votes(seed, k=k)
        token = _shared_steps.SHARED.set({} if shared else None)
        try:
            got = [_one_class_fit.mostly_one_class(matrix, w, k) for _ in range(2)]
        finally:
            _shared_steps.SHARED.reset(token)
        assert got == [_one_class_fit._mostly_one_class(matrix, w, k)] * 2
