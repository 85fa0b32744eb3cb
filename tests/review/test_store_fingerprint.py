"""``labels_fingerprint``, hashed a block of rows at a time: the digest of the labels joined whole, in row order."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.review import store
from labelwise.review.store import labels_fingerprint


def _joined_whole(issues: pd.DataFrame) -> str:
    """The fingerprint as defined: SHA-256 of the given labels' texts in row order, joined by ``\\x1f``."""
    labels = [str(v) for _, v in sorted(zip(issues["row"], issues["given_label"], strict=True), key=lambda p: p[0])]
    return hashlib.sha256("\x1f".join(labels).encode("utf-8")).hexdigest()[:16]


class TestLabelsFingerprint:
    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        labels=st.lists(st.one_of(st.integers(-2, 3), st.sampled_from(["a", "é", "", "b c", "\x1f"])), max_size=40),
        block=st.integers(1, 9),
        seed=st.integers(0, 2**16),
    )
    def test_any_block_size_and_row_order_give_the_whole_joins_digest(self, monkeypatch, labels, block, seed):
        """Labels of any type, rows in any order (a CSV's worst-first order, a Parquet's row order), any block
        size: the digest of the whole join."""
        monkeypatch.setattr(store, "_BLOCK", block)  # set anew for each input
        rows = np.random.default_rng(seed).permutation(len(labels)) if seed % 2 else np.arange(len(labels))
        issues = pd.DataFrame({"row": rows, "given_label": pd.Series(labels, dtype=object)})
        assert labels_fingerprint(issues) == _joined_whole(issues)
