"""Votes without a single vote get one error, whichever check refuses them (``as_votes`` on a table or matrix, a label
model's fit on a :class:`~labelwise.weak.Votes`): it names the parameter, what it must hold and what it got."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import AnnotationError
from labelwise.weak._votes import as_votes

EXPECTED = (
    "votes must hold at least one vote, got none: every labeler abstained on every one of the 3 items (2 labelers)"
)


def _refusal(call) -> str:
    with pytest.raises(AnnotationError) as info:
        call()
    return str(info.value)


def _empty_votes() -> weak.Votes:
    """A Votes of 3 items and 2 labelers with no vote (what ``weak.apply`` with declared classes makes of such a
    batch): ``as_votes`` takes it as it is."""
    answers = pd.DataFrame({"item": np.zeros(0, np.int64), "labeler": np.zeros(0, np.int64), "label": []})
    return weak.Votes(answers, pd.RangeIndex(3), ("a", "b"), np.array([0, 1]))


class TestNoVotesMessage:
    def test_as_votes_on_an_all_abstain_matrix_names_the_parameter_what_it_needs_and_what_it_got(self):
        """The matrix path: ``votes must hold at least one vote, got none``, with the items and labelers counted."""
        assert _refusal(lambda: as_votes(np.full((3, 2), -1))) == EXPECTED

    def test_a_label_models_fit_on_votes_without_a_vote_gives_the_same_message(self):
        """The fit's own check (a Votes passes ``as_votes``) says it in the same words."""
        assert _refusal(lambda: weak.LabelModel().fit(_empty_votes())) == EXPECTED

    def test_the_fit_on_the_matrix_and_on_the_votes_object_say_the_same(self):
        """Both paths through a fit: the matrix refused by ``as_votes``, the Votes by the fit; one text."""
        assert _refusal(lambda: weak.LabelModel().fit(np.full((3, 2), -1))) == _refusal(
            lambda: weak.MajorityLabelVoter().fit(_empty_votes())
        )

    def test_the_parameter_named_is_the_callers(self):
        """``as_votes(name=...)``: the message names that parameter."""
        said = _refusal(lambda: as_votes(np.full((3, 2), -1), name="L_test"))
        assert said.startswith("L_test must hold at least one vote, got none")

    def test_votes_to_predict_on_may_be_empty(self):
        """``allow_empty`` (a batch to predict on) is not refused."""
        assert len(as_votes(np.full((3, 2), -1), allow_empty=True).answers) == 0
