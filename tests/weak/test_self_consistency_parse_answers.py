"""``self_consistency(parse_answers=...)``: the vote is on the final answer each sample gives (Wang et al.
2023), not on the text as written; answers the parser cannot read are named and kept or dropped."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import AnnotationError, InvalidParameterError, LabelwiseWarning
from labelwise.weak import self_consistency

#: q1: four samples say B in four ways, one C, one says nothing; q2: two A, one unparsed.
ANSWERS = pd.DataFrame(
    {
        "item": ["q1"] * 6 + ["q2"] * 3,
        "annotator": list(range(6)) + [0, 1, 2],
        "label": [
            "The answer is B because Paris is the capital.",
            "**B**",
            "Final answer: (B)",
            "B) Paris",
            "The answer is C",
            "I am not sure",
            "A",
            "Answer: a",
            "I am not sure",
        ],
    }
)


def _quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LabelwiseWarning)
        return self_consistency(*args, **kwargs)


class TestParseAnswers:
    def test_the_vote_is_on_the_parsed_letter(self):
        """Four spellings of B are one answer B: 4 of 6 votes on q1 (as written each was a class of one)."""
        out = _quiet(ANSWERS, parse_answers="multiple-choice")
        assert out.loc["q1", "label"] == "B" and out.loc["q1", "confidence"] == pytest.approx(4 / 6)
        assert out.loc["q2", "label"] == "A" and out.loc["q2", "confidence"] == pytest.approx(2 / 3)
        assert out["n_distinct"].tolist() == [3, 2]

    def test_unparsed_answers_are_counted_named_and_kept_as_written(self):
        """The warning counts the unparsed answers, names them and the other choice; they stay classes."""
        with pytest.warns(LabelwiseWarning, match="2 of 9 answers") as caught:
            self_consistency(ANSWERS, parse_answers="multiple-choice")
        message = " ".join(str(w.message) for w in caught)
        assert "'I am not sure' (2)" in message and "unparsed='drop'" in message and "kept as written" in message

    def test_unparsed_drop_leaves_them_out_of_the_vote(self):
        """unparsed='drop': q1 is 4 of 5, q2 2 of 2; the warning says they were dropped."""
        with pytest.warns(LabelwiseWarning, match="dropped from the vote"):
            out = self_consistency(ANSWERS, parse_answers="multiple-choice", unparsed="drop")
        assert out["confidence"].tolist() == pytest.approx([4 / 5, 1.0])
        assert out["n_samples"].tolist() == [5, 2]

    def test_numbers_are_voted_in_one_spelling(self):
        """'\\boxed{42}', '#### 42', 'The answer is 42.' and '42.0' are one answer '42'."""
        answers = pd.DataFrame(
            {
                "item": ["m"] * 5,
                "annotator": range(5),
                "label": ["\\boxed{42}", "so 6*7.\n#### 42", "The answer is 42.", "42.0", "The answer is 41"],
            }
        )
        out = self_consistency(answers, parse_answers="number")
        assert out.loc["m", "label"] == "42" and out.loc["m", "confidence"] == pytest.approx(0.8)

    def test_a_parser_of_ones_own(self):
        """A function of one answer is the parser; its None is unparsed."""
        out = _quiet(ANSWERS, parse_answers=lambda a: a[-1] if a[-1].isupper() else None, unparsed="drop")
        assert set(out.index) == {"q1", "q2"}

    def test_every_answer_unparsed_and_dropped_is_an_error(self):
        """Nothing left to vote on: an error naming parse_answers, not an empty table."""
        answers = ANSWERS.assign(label="no idea")
        with pytest.raises(AnnotationError, match="parse_answers='multiple-choice'"), warnings.catch_warnings():
            warnings.simplefilter("ignore", LabelwiseWarning)
            self_consistency(answers, parse_answers="multiple-choice", unparsed="drop")

    @pytest.mark.parametrize(
        ("kwargs", "named"),
        [
            ({"parse_answers": "letters"}, "parse_answers"),
            ({"parse_answers": "number", "unparsed": "guess"}, "unparsed"),
            ({"parse_answers": "number", "normalize_answers": True}, "normalize_answers"),
        ],
    )
    def test_bad_settings_are_refused_naming_the_parameter(self, kwargs, named):
        """An unknown parser or policy, or both readings of the answers at once: refused by name."""
        with pytest.raises(InvalidParameterError, match=named):
            self_consistency(ANSWERS, **kwargs)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), prefix=st.sampled_from(["", "x-", "Q "]))
def test_renaming_items_and_samples_changes_no_parsed_label(seed, prefix):
    """Renaming every item and sample (and shuffling the rows) leaves each item's parsed label and confidence."""
    rng = pd.Series(range(len(ANSWERS))).sample(frac=1, random_state=seed).to_numpy()
    renamed = ANSWERS.iloc[rng].assign(
        item=lambda f: prefix + f["item"].str.upper(), annotator=lambda f: f["annotator"].map(lambda a: f"s{a * 7}")
    )
    before = _quiet(ANSWERS, parse_answers="multiple-choice")
    after = _quiet(renamed, parse_answers="multiple-choice")
    after.index = after.index.str.removeprefix(prefix).str.lower()
    pd.testing.assert_frame_equal(before.sort_index(), after.sort_index())
