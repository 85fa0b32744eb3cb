"""The answer parsers of ``weak.ANSWER_PARSERS``: each form of a final answer read, answers that give none
left unparsed (never guessed), and parsing a parsed answer changes nothing."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError
from labelwise.weak import ANSWER_PARSERS
from labelwise.weak._answer_parsers import parse_answer_values

choice, number, last_line = (ANSWER_PARSERS[n] for n in ("multiple-choice", "number", "last-line"))


class TestMultipleChoice:
    @pytest.mark.parametrize(
        "answer",
        [
            "The answer is B because Paris is the capital.",
            "**B**",
            "Final answer: (B)",
            "B) Paris",
            "(B) Paris",
            "B. Paris",
            "b",
            "B.",
            "Answer: b",
            "Let me think. A is wrong, C too.\nThe correct option is B.",
            "The answer is C, no wait. The answer is B",
            "\\boxed{B}",
            "So the answer is $\\boxed{\\text{B}}$.",
            "ANSWER: **B**",
        ],
    )
    def test_every_form_of_b_is_b(self, answer):
        """Answer phrases (the last one), emphasis, brackets, an option as written and \\boxed{} all give B."""
        assert choice(answer) == "B"

    @pytest.mark.parametrize(
        "answer",
        [
            "I am not sure",
            "I think B",
            "the answer is a cat",
            "There are several possible answers.",
            "Paris",
            "\\boxed{42}",
            "",
            2,
            None,
        ],
    )
    def test_an_answer_naming_no_option_is_not_parsed(self, answer):
        """A letter inside a sentence, an article 'a', the s of 'answers', a word, a boxed number, a non-text: None."""
        assert choice(answer) is None


class TestNumber:
    @pytest.mark.parametrize(
        ("answer", "value"),
        [
            ("\\boxed{42}", "42"),
            ("So $x = \\boxed{\\frac{3}{4}}$", "3/4"),
            ("Step 1: 3 + 4 = 7.\n#### 1,234", "1234"),
            ("She has 5 apples, so the answer is 12.", "12"),
            ("Final answer: $1,234.50", "1234.5"),
            ("The answer is -3", "-3"),
            ("42.0", "42"),
            ("**42**", "42"),
            ("\u22127", "-7"),
            ("-0", "0"),
            (7, "7"),
            (2.5, "2.5"),
        ],
    )
    def test_each_form_gives_the_number_in_one_spelling(self, answer, value):
        """\\boxed{}, GSM8K's ####, an answer phrase, a lone number and number values give one canonical text."""
        assert number(answer) == value

    @pytest.mark.parametrize("answer", ["about ten", "3 + 4 = 7, then 7 * 2 = 14", "\\boxed{B}", True, float("nan")])
    def test_a_number_inside_the_reasoning_is_not_taken(self, answer):
        """Numbers of a chain of thought without an answer phrase, words, a boxed letter, a bool: None."""
        assert number(answer) is None


class TestLastLine:
    def test_the_last_line_in_its_normal_form(self):
        """The last non-blank line, casefolded and without 'Final answer:' and emphasis."""
        assert last_line("Paris is the capital of France.\n\n**Final answer: Paris**\n") == "paris"

    @pytest.mark.parametrize("answer", ["", "  \n ", "Reasoning...\n...", "Final answer:", 3])
    def test_no_line_to_read_is_not_parsed(self, answer):
        """A blank text, a last line the rule empties, a non-text: None."""
        assert last_line(answer) is None


_PIECES = [
    "The answer is",
    "Final answer:",
    " ",
    "(",
    ")",
    "**",
    "B",
    "b",
    "42",
    "1,234",
    ".",
    "\n",
    "\\boxed{",
    "}",
    "x",
]


@pytest.mark.parametrize("name", sorted(ANSWER_PARSERS))
@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=20) | st.lists(st.sampled_from(_PIECES), max_size=8).map("".join))
def test_parsing_a_parsed_answer_changes_nothing(name, text):
    """Every parser: the parsed form of any text parses to itself."""
    once = ANSWER_PARSERS[name](text)
    if once is not None:
        assert ANSWER_PARSERS[name](once) == once


@settings(max_examples=100, deadline=None)
@given(letters=st.permutations("ABCDE"), picks=st.lists(st.integers(0, 4), min_size=1, max_size=6))
def test_renaming_the_options_renames_the_parsed_letters(letters, picks):
    """multiple-choice: writing every option under another letter (a permutation) permutes the parsed letters."""
    forms = ["The answer is {} because x", "**{}**", "Final answer: ({})", "{}) Paris", "\\boxed{{{}}}"]
    for k, pick in enumerate(picks):
        form = forms[k % len(forms)]
        assert choice(form.format("ABCDE"[pick])) == "ABCDE"[pick]
        assert choice(form.format(letters[pick])) == letters[pick]


class TestParseAnswerValues:
    def test_unparsed_answers_are_kept_counted_and_named(self):
        """Unparsed answers stay as written, flagged; the notice counts them and names the most frequent."""
        values = pd.Series(["The answer is B", "no idea", "**C**", "no idea", "hmm", None])
        parsed = parse_answer_values(values, "multiple-choice")
        assert parsed.values.iloc[:5].tolist() == ["B", "no idea", "C", "no idea", "hmm"]
        assert parsed.unparsed.tolist() == [False, True, False, True, True, False]
        assert parsed.n_changed == 2
        notice = parsed.notice("answers", "keep", "pass unparsed='drop'")
        assert notice.startswith("3 of 6 answers could not be parsed as multiple-choice answers")
        assert "'no idea' (2), 'hmm' (1)" in notice and "pass unparsed='drop'" in notice

    def test_a_function_of_ones_own_is_a_parser(self):
        """A callable returning the parsed form or None is used as it is, and named by its name."""

        def upper_word(text):
            return text.upper() if text.isalpha() else None

        parsed = parse_answer_values(pd.Series(["yes", "no", "?"]), upper_word)
        assert parsed.values.tolist() == ["YES", "NO", "?"] and parsed.parser == "upper_word"

    @pytest.mark.parametrize("bad", ["letters", 3])
    def test_an_unknown_parser_is_refused_naming_the_parameter(self, bad):
        """A name outside the registry or a non-callable: an error naming parse_answers and the choices."""
        with pytest.raises(InvalidParameterError, match="parse_answers") as caught:
            parse_answer_values(pd.Series(["B"]), bad)
        assert "multiple-choice" in str(caught.value)
