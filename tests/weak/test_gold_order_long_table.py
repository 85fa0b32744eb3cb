"""Gold labels by position beside votes given as a long table (weakwalk50).

A long table's items are in the order its rows first name them: an export sorted by annotator put
``q0, q1, q10, q100, ...`` first, and an array of gold labels in the data's order went to other items
in silence (the best prompt's empirical accuracy 0.905 read as 0.255, ``LabelModel.score`` 0.885 as 0.255).
Now integer items read ``gold[item]``, and other items need a Series indexed by item.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import ShapeMismatchError


@pytest.fixture(scope="module")
def prompts():
    """Three prompts answering 60 questions (items q0..q59), sorted by prompt then by item id as text."""
    rng = np.random.default_rng(3)
    truth = pd.Series(rng.choice(list("ABCD"), 60), index=[f"q{i}" for i in range(60)])
    rows = []
    for prompt, accuracy in (("p1", 0.9), ("p2", 0.75), ("p3", 0.6)):
        right = rng.random(60) < accuracy
        answers = np.where(right, truth.to_numpy(), rng.choice(list("ABCD"), 60))
        rows.append(pd.DataFrame({"item": truth.index, "labeler": prompt, "label": answers}))
    table = pd.concat(rows).sort_values(["labeler", "item"], kind="stable").reset_index(drop=True)
    return table, truth


class TestGoldByPositionBesideALongTable:
    def test_analysis_refuses_an_array_beside_text_items(self, prompts):
        """analysis(table, gold=array) is refused, saying to pass a Series indexed by item."""
        table, truth = prompts
        with pytest.raises(ShapeMismatchError, match=r"gold must be a Series indexed by item.*\['q0', 'q1', 'q10'\]"):
            weak.analysis(table, gold=truth.to_numpy())

    def test_score_refuses_an_array_or_a_series_made_from_a_list(self, prompts):
        """LabelModel.score(table, y) by position is refused for an array and for pd.Series(list)."""
        table, truth = prompts
        model = weak.MajorityLabelVoter().fit(table)
        for y in (truth.to_numpy(), pd.Series(truth.tolist())):
            with pytest.raises(ShapeMismatchError, match="y must be a Series indexed by item"):
                model.score(table, y)

    def test_lf_empirical_probs_refuses_an_array_too(self, prompts):
        """lf_empirical_probs reads gold by the same rule."""
        table, truth = prompts
        with pytest.raises(ShapeMismatchError, match="gold must be a Series indexed by item"):
            weak.lf_empirical_probs(table, truth.to_numpy())

    def test_a_series_by_item_gives_the_same_analysis_in_any_row_order(self, prompts):
        """gold as a Series gives one table whatever the rows' order, the first prompt near its 0.9."""
        table, truth = prompts
        shuffled = table.sample(frac=1, random_state=0)
        first, second = weak.analysis(table, gold=truth), weak.analysis(shuffled, gold=truth)
        pd.testing.assert_series_equal(first["empirical_accuracy"], second["empirical_accuracy"].loc[first.index])
        assert first.loc["p1", "empirical_accuracy"] > 0.8

    def test_an_array_beside_integer_items_is_read_by_item_in_any_row_order(self, prompts):
        """With items 0..59, gold[i] is item i's whatever the table's row order (it was the i-th item to appear)."""
        table, truth = prompts
        numbered = table.assign(item=table["item"].str[1:].astype(int))  # first appear as 0, 1, 10, 11, ...
        gold = truth.to_numpy()  # q0..q59 is items 0..59 in order
        by_series = weak.analysis(numbered, gold=pd.Series(gold, index=range(60)))
        pd.testing.assert_frame_equal(weak.analysis(numbered, gold=gold), by_series)
        assert by_series.loc["p1", "empirical_accuracy"] > 0.8
        voter = weak.MajorityLabelVoter().fit(numbered)
        assert voter.score(numbered, gold) == voter.score(numbered, pd.Series(gold, index=range(60)))

    def test_votes_and_matrices_keep_reading_arrays_by_position(self, prompts):
        """The Votes of weak.apply and a label matrix have a row order, and take an array as before."""
        table, truth = prompts
        votes = weak.as_votes(table)
        weak.analysis(votes, gold=truth.reindex(votes.items).to_numpy())
        weak.analysis(votes.matrix(), gold=pd.Index(votes.classes).get_indexer(truth.reindex(votes.items)))
