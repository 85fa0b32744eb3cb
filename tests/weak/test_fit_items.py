"""The label models' ``fit(votes, items=...)`` beside a long table (weakgaps50).

A long table (``labelwise weak``'s ``votes.csv`` read back) holds only the items some function voted on:
``fit`` on it gave ``probas_`` rows for those alone, and a class balance and abstain model fitted without the
items nobody voted on. With ``items`` (every item of the data) a fit on the table is the fit on ``weak.apply``'s
Votes, with a row per item in the order given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import ShapeMismatchError
from tests.weak._spam_lfs import has_link, short

MODELS = {
    "label-model": lambda: weak.LabelModel(),
    "label-model-missing": lambda: weak.LabelModel(abstains="missing"),
    "dawid-skene": lambda: weak.DawidSkeneLabelModel(),
    "majority-vote": lambda: weak.MajorityLabelVoter(),
    "majority-class": lambda: weak.MajorityClassVoter(),
    "iwmv": lambda: weak.IWMVLabelModel(),
}


@pytest.fixture
def applied():
    """Sixteen messages (two of which no function votes on), in a shuffled index order, and their Votes."""
    texts = ["win http://a", "hi there", "cheap http://b", "ok", "see you at noon", "see you", "lunch?", "x"] * 2
    frame = pd.DataFrame(
        {"text": texts}, index=[f"m{i}" for i in (5, 3, 11, 0, 14, 8, 1, 9, 2, 15, 7, 4, 12, 6, 13, 10)]
    )
    votes = weak.apply([has_link, short], frame)
    assert (votes.matrix() < 0).all(axis=1).sum() == 2
    return frame, votes


class TestFitOnALongTableWithItems:
    @pytest.mark.parametrize("name", sorted(MODELS))
    def test_equals_the_fit_on_the_votes_of_apply(self, applied, name):
        """fit(table, items=df.index) gives the probas_ and labels_ of fit(Votes), a row per item in its order."""
        frame, votes = applied
        on_votes = MODELS[name]().fit(votes)
        on_table = MODELS[name]().fit(votes.to_frame(), items=frame.index)
        pd.testing.assert_frame_equal(on_table.probas_, on_votes.probas_)
        pd.testing.assert_series_equal(on_table.labels_, on_votes.labels_)
        assert on_table.probas_.index.equals(frame.index)
        np.testing.assert_allclose(on_table.predict_proba(votes).to_numpy(), on_table.probas_.to_numpy())

    @pytest.mark.parametrize("name", ["label-model-missing", "dawid-skene"])
    def test_unvoted_items_get_the_fitted_class_balance(self, applied, name):
        """With abstains as missing answers, an item nobody voted on has the fitted class balance."""
        frame, votes = applied
        model = MODELS[name]().fit(votes.to_frame(), items=frame.index)
        unvoted = (votes.matrix() < 0).all(axis=1)
        np.testing.assert_allclose(model.probas_[unvoted].to_numpy(), np.tile(model.class_balance_, (2, 1)))
        assert model.n_votes_[unvoted].eq(0).all()

    def test_majority_vote_gives_an_unvoted_item_every_class_equally(self, applied):
        """MajorityLabelVoter: an item nobody voted on ties every class, Snorkel's 1/K each."""
        frame, votes = applied
        model = weak.MajorityLabelVoter().fit(votes.to_frame(), items=frame.index)
        unvoted = (votes.matrix() < 0).all(axis=1)
        assert (model.probas_[unvoted].to_numpy() == 0.5).all()

    def test_without_items_a_long_table_keeps_only_the_voted_items(self, applied):
        """The table alone still fits on its items (the ones voted on), as documented."""
        _, votes = applied
        model = weak.LabelModel().fit(votes.to_frame())
        assert len(model.probas_) == 14

    @pytest.mark.parametrize("name", sorted(MODELS))
    def test_items_missing_a_voted_item_is_an_error_naming_it(self, applied, name):
        """An item list without every voted item: ShapeMismatchError naming items and one missing item."""
        frame, votes = applied
        with pytest.raises(ShapeMismatchError, match=r"items must hold every voted item.*2 of them.*'m5'"):
            MODELS[name]().fit(votes.to_frame(), items=frame.index[2:])

    def test_an_item_given_twice_is_an_error(self, applied):
        """items naming an item twice: ShapeMismatchError naming it."""
        frame, votes = applied
        with pytest.raises(ShapeMismatchError, match=r"items must name each item once.*'m5'"):
            weak.DawidSkeneLabelModel().fit(votes.to_frame(), items=[*frame.index, "m5"])
