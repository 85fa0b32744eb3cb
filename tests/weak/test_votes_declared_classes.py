"""Declared classes are the votes' classes whatever form the votes take (weakwalk50).

``weak.apply`` returns :class:`Votes`; a label model's ``labels=`` (and a fitted model's ``classes_``
for new votes) were ignored for them, where a long table of the same votes was coded over them. And a
bool vote under integer classes passed ``isin`` (``True == 1``) but had no place in the label matrix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import InvalidLabelsError
from labelwise.weak.apply import LabelingFunctionError
from tests.weak._spam_lfs import has_link, short


@pytest.fixture
def messages() -> pd.DataFrame:
    return pd.DataFrame(
        {"text": ["win http://a", "hi there", "cheap http://b", "ok", "free $$$", "see you", "lunch?", "http://c"]}
    )


MODELS = [weak.LabelModel, weak.DawidSkeneLabelModel, weak.MajorityLabelVoter]


class TestLabelsOfAModelOnAppliedVotes:
    @pytest.mark.parametrize("model", MODELS)
    def test_labels_missing_a_voted_class_is_an_error_naming_the_vote(self, model, messages):
        """labels=['ham'] on votes that hold 'spam' is refused, as it is for the long table of the same votes."""
        votes = weak.apply([has_link, short], messages)
        for given in (votes, votes.answers):
            with pytest.raises(InvalidLabelsError, match=r"classes \['ham'\].*labeler 'has_link'.*'spam'"):
                model(labels=["ham"]).fit(given)

    @pytest.mark.parametrize("model", MODELS)
    def test_labels_naming_a_class_no_function_voted_give_its_column(self, model, messages):
        """labels with a third class give three classes and probability columns, as for the long table."""
        votes = weak.apply([has_link, short], messages)
        fitted = model(labels=["ham", "spam", "other"]).fit(votes)
        assert list(fitted.classes_) == ["ham", "spam", "other"]
        assert list(fitted.predict_proba(votes).columns) == ["ham", "spam", "other"]

    @pytest.mark.parametrize("model", MODELS)
    def test_labels_order_is_the_order_of_the_classes(self, model, messages):
        """labels=['spam', 'ham'] orders classes_ so for Votes as for a table."""
        votes = weak.apply([has_link, short], messages)
        assert list(model(labels=["spam", "ham"]).fit(votes).classes_) == ["spam", "ham"]
        assert list(model(labels=["spam", "ham"]).fit(votes.answers).classes_) == ["spam", "ham"]


class TestPredictOnNewAppliedVotes:
    @pytest.mark.parametrize("model", MODELS)
    def test_new_votes_made_with_fewer_classes_keep_their_labels(self, model, messages):
        """New votes that name only 'spam' (their code 0) are predicted spam, not the fit's class 0 ('ham')."""
        fitted = model().fit(weak.apply([has_link, short], messages))
        new = weak.apply([has_link, short], messages.iloc[[0, 2]])
        assert new.classes.tolist() == ["spam"]
        assert fitted.predict(new).tolist() == ["spam", "spam"]

    @pytest.mark.parametrize("model", MODELS)
    def test_new_votes_with_a_class_unknown_to_the_fit_are_an_error(self, model, messages):
        """A vote outside the fitted classes is refused, not read as an abstain."""
        fitted = model().fit(weak.apply([has_link, short], messages))

        @weak.labeling_function(name="short")
        def other(row):
            return "other" if row.text == "ok" else None

        with pytest.raises(InvalidLabelsError, match="'other'"):
            fitted.predict(weak.apply([has_link, other], messages))


SIX = pd.DataFrame({"x": range(6)})


@weak.labeling_function()
def big(row):
    return row.x > 2


class TestBoolVotesUnderIntegerClasses:
    def test_apply_refuses_a_bool_under_integer_classes_naming_function_row_and_fix(self):
        """A function returning True/False with classes=[0, 1] is refused (its votes were all abstains)."""
        with pytest.raises(LabelingFunctionError, match=r"'big' returned False on row 0.*classes=\[False, True\]"):
            weak.apply([big], SIX, classes=[0, 1])

    def test_apply_refuses_a_vectorized_bool_column_under_integer_classes(self):
        """The same for a vectorised function returning a bool Series."""

        @weak.labeling_function(vectorized=True)
        def small(df):
            return df.x < 3

        with pytest.raises(LabelingFunctionError, match=r"'small' \(vectorized\)|'small' returned True on row 0"):
            weak.apply([small], SIX, classes=[0, 1])

    def test_declared_bool_classes_keep_every_vote(self):
        """classes=[False, True] places each bool vote in the matrix."""
        matrix = weak.apply([big], SIX, classes=[False, True]).matrix()
        assert matrix[:, 0].tolist() == [0, 0, 0, 1, 1, 1]

    def test_a_table_of_bool_labels_under_integer_classes_is_an_error(self):
        """as_votes on a long table of bools with classes=[0, 1] is refused, not a matrix of abstains."""
        table = pd.DataFrame({"item": [0, 1, 2], "labeler": ["a", "a", "b"], "label": [True, False, True]})
        with pytest.raises(InvalidLabelsError, match=r"row 0 \(item 0, labeler 'a'\) has True"):
            weak.as_votes(table, classes=[0, 1])

    def test_accepted_votes_are_the_matrix_votes(self):
        """Every vote apply accepts under declared classes is a code >= 0 of the matrix."""
        frame = pd.DataFrame({"x": range(8)})

        @weak.labeling_function()
        def mixed(row):
            return [np.int64(1), 0, 1.0, None][row.x % 4]

        votes = weak.apply([mixed], frame, classes=[0, 1])
        assert (votes.matrix()[:, 0] >= 0).sum() == len(votes.answers) == 6

    def test_a_bool_under_text_classes_gets_no_integer_hint(self):
        """Under classes ['false', 'true'] the error names the value and classes, without the 0/1 hint."""
        with pytest.raises(LabelingFunctionError, match=r"\['false', 'true'\] or its abstain value None$"):
            weak.apply([big], SIX, classes=["false", "true"])
