"""The label model's batch-crowd simulator (``tests/weak/test_em.py::_batch_crowd``) draws each
item's extra worker among the workers not already on it: one vote per (item, worker), so its
crowds read without the repeated-vote warning (it drew 41 repeats at seed 7)."""

from __future__ import annotations

import warnings

import pytest

from labelwise.errors import LabelwiseWarning
from tests.weak.test_em import _batch_crowd


@pytest.mark.parametrize("seed", [0, 7, 11])
def test_the_batch_crowd_has_one_vote_per_item_and_worker(seed):
    """No repeated (item, labeler) pair, so no LabelwiseWarning while the votes are read."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelwiseWarning)
        votes, y = _batch_crowd(seed)
    answers = votes.to_frame()
    assert not answers.duplicated(["item", "labeler"]).any()
    assert answers.groupby("item").size().eq(4).all()  # 3 of the batch's own, and one from elsewhere
    assert len(y) == votes.n_items
