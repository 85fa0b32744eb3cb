"""self_consistency on answers kept as written (nearly every one distinct): above the dense table's byte
budget the vote is counted on the answered cells, and the result is the dense path's, row for row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from labelwise.aggregate import _sparse_votes
from labelwise.weak import self_consistency


def _free_text(n_items: int = 60, samples: int = 5, seed: int = 0) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    rows = [
        (f"q{i}", s, f"answer {i}-{g.integers(0, 4)}" if s < 2 else f"thought {i}-{s}-{g.integers(0, 3)}")
        for i in range(n_items)
        for s in range(samples)
    ]
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


def test_self_consistency_above_the_byte_budget_equals_the_dense_result(monkeypatch):
    """Label (ties drawn alike), confidence, n_samples and n_distinct equal the dense fit's."""
    answers = _free_text()
    dense = self_consistency(answers, random_state=4)
    monkeypatch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 0)
    sparse = self_consistency(answers, random_state=4)
    pd.testing.assert_frame_equal(sparse, dense)
    assert (dense["n_distinct"] > 1).any() and (dense["confidence"] < 1).any()
