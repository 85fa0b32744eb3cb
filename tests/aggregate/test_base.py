"""Tests for the estimators' shared skeleton (labelwise.aggregate._base)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController, threadpool_limits

from labelwise.aggregate import MajorityVote


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
