"""Model answers written several ways (``B``, ``B.``, ``"B"``, `` b ``, ``(B)``, ``Answer: B``): ``self_consistency``
keeps them as written and names them in a warning with counts and the fix; ``normalize_answers=True``
votes on their normal form, by exactly the rule of ``normal_answer``."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError, LabelwiseWarning
from labelwise.weak import self_consistency
from labelwise.weak._answer_forms import normal_answer

FORMS = ["B", "B.", '"B"', " b ", "(B)", "Answer: B"]
#: q1: six spellings of B against three A; q2: two A, one 'a.'
ANSWERS = pd.DataFrame(
    {
        "item": ["q1"] * 9 + ["q2"] * 3,
        "annotator": list(range(9)) + [0, 1, 2],
        "label": [*FORMS, "A", "A", "A", "A", "A", "a."],
    }
)


class TestNormalAnswer:
    @pytest.mark.parametrize(
        "form", FORMS + ["**B**", "The answer is B.", "final answer: (b)", "'B'", "[B]", "answer: answer: B"]
    )
    def test_every_surface_form_of_b_is_b(self, form):
        """Spaces, case, quotes, brackets, emphasis, trailing punctuation and an answer prefix go."""
        assert normal_answer(form) == "b"

    @pytest.mark.parametrize(
        ("answer", "normal"), [("-1", "-1"), ("0.5", "0.5"), ("...", "..."), ("B and C", "b and c"), (2, 2)]
    )
    def test_signs_inner_text_and_non_texts_are_kept(self, answer, normal):
        """A sign or decimal point, inner words and non-text values stay; a text that would empty is kept."""
        assert normal_answer(answer) == normal

    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=12) | st.lists(st.sampled_from(["answer:", " ", "(", '"', "B", ".", "is"])).map("".join))
    def test_the_rule_is_idempotent(self, text):
        """Applying the rule to a normal form changes nothing."""
        once = normal_answer(text)
        assert normal_answer(once) == once


class TestSelfConsistencyAnswerForms:
    def test_spellings_stay_classes_and_a_warning_names_them_with_counts(self):
        """Without normalize_answers the labels are as written; the warning names each spelling, its count, the fix."""
        with pytest.warns(LabelwiseWarning, match="normalize_answers=True") as caught:
            out = self_consistency(ANSWERS)
        message = str(next(w.message for w in caught if "written in two or more ways" in str(w.message)))
        for form in FORMS:
            assert f"{form!r} (1)" in message
        assert "'A' (5), 'a.' (1)" in message
        assert out.loc["q1", "label"] == "A" and out.loc["q1", "confidence"] == pytest.approx(3 / 9)
        assert out.loc["q1", "n_distinct"] == 7

    def test_normalize_answers_votes_on_the_normal_forms(self):
        """normalize_answers=True: the six spellings are one answer 'b', six votes of nine; no warning."""
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            out = self_consistency(ANSWERS, normalize_answers=True)
        assert out.loc["q1", "label"] == "b" and out.loc["q1", "confidence"] == pytest.approx(6 / 9)
        assert out.loc["q2", "label"] == "a" and out.loc["q2", "confidence"] == 1.0
        assert out["n_distinct"].tolist() == [2, 1]

    def test_answers_written_one_way_give_no_warning(self):
        """Distinct answers that the rule keeps apart ('A', 'B', '-1', '1') raise no warning."""
        table = pd.DataFrame({"item": [1, 1, 2, 2], "annotator": [0, 1, 0, 1], "label": ["A", "B", "-1", "1"]})
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            self_consistency(table)

    def test_a_normalize_answers_that_is_not_a_bool_is_refused(self):
        """A string for normalize_answers is refused naming the parameter and the value."""
        with pytest.raises(InvalidParameterError, match="normalize_answers must be True or False, got 'yes'"):
            self_consistency(ANSWERS, normalize_answers="yes")
