"""``one_class_vote_share`` counted on the label matrix: the share the votes' long table gives, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.weak._missing_guard import one_class_vote_share


def _share_of_answers(votes: weak.Votes) -> float:
    """The share from the long table: each vote's function's number of classes, the mean of its flag."""
    answers = votes.answers
    if not len(answers):
        return 0.0
    n_classes = answers.groupby("labeler", sort=False, observed=True)["label"].transform("nunique")
    return float((n_classes.to_numpy() == 1).mean())


@pytest.mark.filterwarnings("ignore:votes holds")  # the repeated votes, made on purpose
@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5), st.booleans())
def test_share_equals_the_long_tables_bit_for_bit(seed: int, k: int, long_table: bool) -> None:
    """On random votes, from a matrix or from a long table with repeated votes, the share is the long table's."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 30)), int(rng.integers(1, 7))
    matrix = np.where(rng.random((n, m)) < rng.random(), rng.integers(0, k, (n, m)), -1)
    one_class = rng.random(m) < 0.5
    matrix[:, one_class] = np.where(matrix[:, one_class] >= 0, rng.integers(0, k, one_class.sum()), -1)
    matrix[0, 0] = max(matrix[0, 0], 0)  # votes need a vote
    if long_table:
        item, lab = np.nonzero(matrix >= 0)
        table = pd.DataFrame({"item": item, "labeler": [f"f{j}" for j in lab], "label": matrix[item, lab]})
        table = pd.concat([table, table.iloc[: len(table) // 3]], ignore_index=True)  # repeated votes count once
        votes = weak.as_votes(table)
    else:
        votes = weak.as_votes(matrix)
    got = one_class_vote_share(votes)
    assert np.float64(got).tobytes() == np.float64(_share_of_answers(votes)).tobytes()
