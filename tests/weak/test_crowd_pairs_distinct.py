"""The label model's dependent-pair check with the triad gate on the distinct vote rows (missfast53)."""

from __future__ import annotations

import numpy as np

from labelwise.weak import as_votes
from labelwise.weak._crowd_pairs import dependent_pairs

from .test_pairfp39_pair_triad import copy_pair_crowd


def test_gate_on_distinct_rows_finds_the_items_pairs_bit_for_bit():
    """The pairs found (the aggregate fit's rows, kept by the gate) are those of the gate on every item."""
    votes = as_votes(copy_pair_crowd(5)[0])
    matrix = votes.matrix()
    distinct, counts = np.unique(matrix, axis=0, return_counts=True)
    settings = {"threshold": 5.0, "prior_strength": 8.0, "triad": True}
    on_items = dependent_pairs(votes, **settings)
    on_rows = dependent_pairs(votes, **settings, distinct=(distinct, counts.astype(np.float64)))
    assert len(on_items) and on_rows.tobytes() == on_items.tobytes()
