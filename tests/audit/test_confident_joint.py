"""Row statistics of confident learning: the confident class, from pass 1's argmax and top probability."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.audit import _passes
from labelwise.audit.confident_joint import FUZZ, row_statistics, row_statistics_from_top


def _naive(probs, thresholds, rule):
    """Per row: the classes reaching their threshold (within FUZZ), then the rule's choice among them."""
    out = np.empty(probs.shape[0], dtype=np.int64)
    for i, row in enumerate(probs.astype(np.float64)):
        passed = np.flatnonzero(row >= thresholds - FUZZ)
        if passed.size == 0:
            out[i] = -1
        elif rule == "among_confident":
            out[i] = passed[np.argmax(row[passed])]
        else:
            out[i] = np.argmax(row) if passed.size > 1 else passed[0]
    return out


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 200),
    k=st.integers(2, 6),
    rule=st.sampled_from(["among_confident", "argmax"]),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**31 - 1),
)
def test_confident_class_from_pass_one_equals_a_per_row_definition(n, k, rule, dtype, seed):
    """Pass 1's argmax and top probability, then pass 2 from them: the paper's confident class, the
    same as the whole-row computation; only rows whose top class misses its threshold are re-read."""
    rng = np.random.default_rng(seed)
    probs = np.round(rng.dirichlet(np.full(k, 0.7), n), 2).astype(dtype)  # ties
    codes = rng.integers(0, k, n)
    thresholds = rng.uniform(0.05, 0.9, k)
    (conf, predicted, top), _ = _passes.self_confidence_pass(0, probs, codes, n_classes=k, atol=1.0)
    np.testing.assert_array_equal(predicted, probs.argmax(axis=1))
    np.testing.assert_array_equal(top, probs.max(axis=1))
    fast = row_statistics_from_top(probs, conf, predicted, top, thresholds, rule=rule)
    np.testing.assert_array_equal(fast.confident_class, _naive(probs, thresholds, rule))
    whole = row_statistics(probs, codes, conf, thresholds, rule=rule)
    for name in ("confident_class", "predicted", "given_is_predicted"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(whole, name), err_msg=name)
    np.testing.assert_array_equal(fast.given_is_predicted, conf + FUZZ >= probs.max(axis=1))
