"""Tests for the estimators' shared skeleton (labelwise.aggregate._base)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import ThreadpoolController, threadpool_limits

from labelwise.aggregate import MajorityVote
from labelwise.aggregate._base import columnwise


def test_fit_runs_blas_on_one_thread_and_restores_the_limit(monkeypatch):
    """Inside fit, BLAS libraries are limited to one thread (tall, narrow products; idle
    OpenBLAS threads would spin); the caller's setting is back afterwards."""
    seen = {}
    real_fit = MajorityVote._fit

    def spy(self, enc, probs, **kwargs):
        seen["threads"] = [lib["num_threads"] for lib in ThreadpoolController().info() if lib["user_api"] == "blas"]
        return real_fit(self, enc, probs, **kwargs)

    monkeypatch.setattr(MajorityVote, "_fit", spy)
    answers = pd.DataFrame({"item": [0, 0, 1], "annotator": [0, 1, 0], "label": [1, 1, 0]})
    with threadpool_limits(limits=2, user_api="blas"):
        before = [lib["num_threads"] for lib in ThreadpoolController().info() if lib["user_api"] == "blas"]
        labels = MajorityVote().fit(answers).labels_
        after = [lib["num_threads"] for lib in ThreadpoolController().info() if lib["user_api"] == "blas"]
    assert seen["threads"] and set(seen["threads"]) == {1}
    assert after == before
    np.testing.assert_array_equal(labels.to_numpy(), [1, 0])


class TestColumnwise:
    @settings(max_examples=80, deadline=None)
    @given(
        n=st.integers(0, 50),
        k=st.integers(1, 8),
        per_row=st.booleans(),
        ufunc=st.sampled_from([np.add, np.subtract, np.multiply, np.divide]),
        seed=st.integers(0, 2**31 - 1),
    )
    def test_equals_numpy_s_broadcast_to_the_bit(self, n, k, per_row, ufunc, seed):
        """Column by column (few columns) or broadcast (many), the same elementwise operation of every entry with
        its row's value (an (n, 1) operand) or its column's (a (K,) operand)."""
        rng = np.random.default_rng(seed)
        out = rng.normal(size=(n, k)) * 10.0 ** rng.integers(-3, 4)
        operand = rng.normal(size=(n, 1) if per_row else k) + 0.5
        expected = ufunc(out, operand)
        columnwise(ufunc, out, operand)
        assert out.tobytes() == expected.tobytes()
