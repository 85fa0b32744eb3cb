"""MMSR's warning on a sparse crowd: pairs of annotators sharing a handful of items make its
agreement rates noise, and it then takes honest annotators for adversaries."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import MMSR, MajorityVote
from labelwise.aggregate.mmsr import SPARSE_PAIR_ITEMS
from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd
from labelwise.errors import LabelwiseWarning
from tests.aggregate._crowd import confusion_crowd


def _sparse(seed: int = 3):
    """Binary crowd, 600 items, 3 answers each from 100 honest annotators: pairs share about one item."""
    return simulate_sparse_crowd(
        n_items=600,
        n_classes=2,
        n_annotators=100,
        answers_per_item=3,
        spammer_share=0.0,
        adversary_share=0.0,
        accuracy=(0.55, 0.9),
        activity_skew=0.0,
        random_state=seed,
    )


def test_sparse_crowd_warns_once_with_its_numbers():
    """One LabelwiseWarning per fit, naming the median items shared, the pairs sharing none and the
    annotators weighted negatively (here honest ones, so the warning is earned: MMSR trails the vote)."""
    crowd = _sparse()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = MMSR().fit(crowd.answers)
    ours = [w for w in caught if issubclass(w.category, LabelwiseWarning)]
    assert len(ours) == 1
    text = str(ours[0].message)
    assert "median of 1 item(s)" in text and f"under {SPARSE_PAIR_ITEMS}" in text and "pairs share none" in text
    n_neg = int((est.annotator_weight_ < 0).sum())
    assert n_neg > 0 and f"{n_neg} of 100 annotators" in text
    truth = crowd.true_labels
    mv = MajorityVote().fit(crowd.answers).labels_
    assert (est.labels_.reindex(truth.index) == truth).mean() < (mv.reindex(truth.index) == truth).mean()


def test_dense_crowd_does_not_warn():
    """Six annotators answering 4 of 150 items each: every pair shares dozens of items, no warning."""
    answers, _ = confusion_crowd(150, 3, (0.9, 0.8, 0.75, 0.7, 0.6, 0.85), per_item=4, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelwiseWarning)
        MMSR().fit(answers)


@pytest.mark.parametrize("shared", [SPARSE_PAIR_ITEMS - 1, SPARSE_PAIR_ITEMS])
def test_threshold_is_the_median_items_a_sharing_pair_shares(shared):
    """Two annotators sharing ``shared`` items: a warning below SPARSE_PAIR_ITEMS, none at it."""
    items = np.arange(shared)
    answers = pd.DataFrame(
        {"item": np.r_[items, items], "annotator": ["a"] * shared + ["b"] * shared, "label": ["x", "y"] * shared}
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MMSR().fit(answers)
    sparse = [w for w in caught if "sparse crowd" in str(w.message)]
    assert len(sparse) == (1 if shared < SPARSE_PAIR_ITEMS else 0)
