"""ROVER on free-text answers, and word_error_rate: behaviour, ties, missing texts, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from labelwise.aggregate import ROVER, word_error_rate
from labelwise.aggregate._rover_align import edit_distances
from labelwise.aggregate._rover_simulate import simulate_transcriptions
from labelwise.errors import AnnotationError, InvalidParameterError, MissingColumnError, ShapeMismatchError


def _answers(*items: list) -> pd.DataFrame:
    """A table from lists of texts, one list per item (annotators a0, a1...)."""
    rows = [(i, f"a{a}", text) for i, texts in enumerate(items) for a, text in enumerate(texts)]
    return pd.DataFrame(rows, columns=["item", "annotator", "text"])


def _levenshtein(a: list, b: list) -> int:
    """Textbook word-level Levenshtein distance, one cell at a time."""
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


class TestROVER:
    def test_each_slot_takes_the_most_voted_word(self):
        """One annotator's substitution, deletion and insertion are each outvoted."""
        texts = ROVER().fit(_answers(["the cat sat down", "a cat sat down", "the cat sat", "the cat big sat down"]))
        assert texts.texts_[0] == "the cat sat down"

    def test_an_insertion_most_answers_share_is_kept(self):
        """A word absent from the first answer but given by most is added in its own slot."""
        assert ROVER().fit(_answers(["the cat", "the big cat", "the big cat"])).texts_[0] == "the big cat"

    def test_single_answer_comes_back_with_whitespace_normalised(self):
        """With one answer the result is its words, joined by the detokenizer."""
        assert ROVER().fit(_answers(["  hello   world "])).texts_[0] == "hello world"

    def test_tie_goes_to_the_longer_word_then_the_greater_text(self):
        """Equal votes: the longer word, then the later one in text order (crowd-kit's rule)."""
        fitted = ROVER().fit(_answers(["an", "a"], ["cat", "dog"], ["x", ""]))
        assert fitted.texts_.tolist() == ["an", "dog", "x"]

    def test_empty_answers_vote_for_the_null_arc(self):
        """Two empty answers against one word: the word is dropped; all empty gives ''."""
        fitted = ROVER().fit(_answers(["", "", "word"], ["", ""]))
        assert fitted.texts_.tolist() == ["", ""]

    def test_missing_texts_are_skipped_and_an_unanswered_item_is_missing(self):
        """None/NaN rows are not answers; an item with only those gets a missing text."""
        table = _answers(["yes no", None, "yes no"], [np.nan, None])
        fitted = ROVER().fit(table)
        assert fitted.texts_[0] == "yes no" and fitted.texts_[1] is None
        assert fitted.n_answers_ == 2 and fitted.n_items_ == 2

    def test_texts_are_a_series_by_sorted_item_named_text(self):
        """The result has the registry's shape: Series named 'text', index 'item', items sorted."""
        table = pd.DataFrame({"item": ["q", "b", "q"], "annotator": [1, 2, 2], "text": ["x", "y", "x"]})
        texts = ROVER().fit(table).texts_
        assert texts.name == "text" and texts.index.name == "item" and texts.index.tolist() == ["b", "q"]

    def test_network_lists_every_word_and_null_arc_with_its_votes(self):
        """network_ rows: item, slot, word ('' = null arc), votes; votes per slot = answers."""
        fitted = ROVER().fit(_answers(["the cat", "the big cat", "a cat"]))
        net = fitted.network_
        assert list(net.columns) == ["item", "slot", "word", "votes"]
        assert (net.groupby("slot")["votes"].sum() == 3).all()
        slot1 = net[net.slot == 1].set_index("word")["votes"].to_dict()
        assert slot1 == {"": 2, "big": 1}

    def test_custom_tokenizer_and_detokenizer_work_on_characters(self):
        """tokenizer=list, detokenizer=''.join: ROVER over characters."""
        fitted = ROVER(tokenizer=list, detokenizer="".join).fit(_answers(["colour", "color", "colour"]))
        assert fitted.texts_[0] == "colour"

    def test_empty_tokens_from_a_tokenizer_are_dropped(self):
        """split(' ') makes '' from double spaces: it is not a word and does not vote."""
        fitted = ROVER(tokenizer=lambda s: s.split(" ")).fit(_answers(["a  b", "a b"]))
        assert fitted.texts_[0] == "a b"

    def test_alignment_order_follows_the_rows_or_the_annotators(self):
        """Ambiguous alignments depend on the order: 'input' follows rows, 'annotator' does not."""
        table = pd.DataFrame({"item": 0, "annotator": ["x", "y", "z"], "text": ["c", "c b c", "b"]})
        assert ROVER().fit(table).texts_[0] == "b c"
        assert ROVER().fit(table.iloc[::-1]).texts_[0] == "c b"
        assert ROVER(order="annotator").fit(table.iloc[::-1]).texts_[0] == "b c"

    def test_blocks_of_items_give_the_same_texts_as_one_item_at_a_time(self, monkeypatch):
        """The block size changes nothing: every item is aligned on its own."""
        answers, _ = simulate_transcriptions(60, (0.1, 0.3, 0.5), n_spammers=1, random_state=3)
        whole = ROVER().fit(answers)
        monkeypatch.setattr("labelwise.aggregate._rover_network.BLOCK_CELLS", 1)
        single = ROVER().fit(answers)
        pd.testing.assert_series_equal(whole.texts_, single.texts_)
        pd.testing.assert_frame_equal(whole.network_, single.network_)

    def test_beats_the_best_annotator_on_a_simulated_crowd(self):
        """Five annotators with 5-40% word errors: the vote's WER is below the best one's."""
        answers, truth = simulate_transcriptions(200, (0.05, 0.1, 0.2, 0.3, 0.4), random_state=0)
        texts = ROVER().fit(answers).texts_
        best = word_error_rate(truth.tolist(), answers.text[answers.annotator == "a0"].tolist())
        assert word_error_rate(truth.tolist(), texts.loc[truth.index].tolist()) < best

    def test_is_a_scikit_learn_estimator(self):
        """get_params/clone work; parameters are stored untouched."""
        est = clone(ROVER(order="annotator"))
        assert est.get_params() == {
            "tokenizer": None,
            "detokenizer": None,
            "order": "annotator",
            "alpha": 1.0,
            "confidence_score": "average",
            "null_confidence": 0.0,
            "duplicates": "keep",
        }


class TestROVERInput:
    def test_not_a_dataframe(self):
        """A list is named as what was received."""
        with pytest.raises(MissingColumnError, match="pandas DataFrame.*got list"):
            ROVER().fit([("i", "a", "t")])

    def test_missing_column_names_it_and_lists_the_table(self):
        """The message names the missing column and the existing ones."""
        with pytest.raises(MissingColumnError, match=r"missing \['text'\].*'label'"):
            ROVER().fit(pd.DataFrame({"item": [1], "annotator": [1], "label": ["x"]}))

    def test_empty_table(self):
        """No rows: an AnnotationError saying so."""
        with pytest.raises(AnnotationError, match="empty table"):
            ROVER().fit(pd.DataFrame(columns=["item", "annotator", "text"]))

    @pytest.mark.parametrize("col", ["item", "annotator"])
    def test_null_ids_name_the_row(self, col):
        """A missing item or annotator id names the column and row."""
        table = _answers(["a", "b"])
        table.loc[1, col] = None
        with pytest.raises(AnnotationError, match=f"'{col}' must not be null.*row 1"):
            ROVER().fit(table)

    def test_non_string_text_names_the_row_and_value(self):
        """A number in the text column is rejected with its row."""
        table = _answers(["a", "b", "c"]).astype({"text": object})
        table.loc[2, "text"] = 7
        with pytest.raises(AnnotationError, match="must hold str.*row 2 is int 7"):
            ROVER().fit(table)

    def test_unknown_order(self):
        """order must be one of the two orders."""
        with pytest.raises(InvalidParameterError, match=r"order must be one of \['input', 'annotator'\], got 'x'"):
            ROVER(order="x").fit(_answers(["a"]))

    @pytest.mark.parametrize("param", ["tokenizer", "detokenizer"])
    def test_non_callable_tokenizers(self, param):
        """A string where a callable belongs names the parameter."""
        with pytest.raises(InvalidParameterError, match=f"{param} must be a callable or None, got str"):
            ROVER(**{param: "split"}).fit(_answers(["a"]))

    def test_tokenizer_returning_a_string(self):
        """A tokenizer must return a list: the offending row is named."""
        with pytest.raises(InvalidParameterError, match="tokenizer must return a list of str, got str.*row 0"):
            ROVER(tokenizer=str.strip).fit(_answers(["a b"]))

    def test_tokenizer_returning_non_string_tokens(self):
        """Tokens must be str: the token and row are named."""
        with pytest.raises(InvalidParameterError, match="got a int token 3 for answers row 1"):
            ROVER(tokenizer=lambda s: [len(s)] if s == "abc" else [s]).fit(_answers(["x", "abc"]))

    def test_detokenizer_returning_a_list(self):
        """A detokenizer must return a str: the item is named."""
        with pytest.raises(InvalidParameterError, match="detokenizer must return a str, got list.*item 0"):
            ROVER(detokenizer=list).fit(_answers(["a"]))


class TestWordErrorRate:
    def test_identical_texts_score_zero(self):
        """No edits: 0.0."""
        assert word_error_rate("a b c", "a  b c") == 0.0

    def test_edits_over_reference_words(self):
        """One substitution and one deletion over four words."""
        assert word_error_rate("the cat sat down", "a cat sat") == 0.5

    def test_sums_edits_and_words_over_pairs(self):
        """Corpus WER: (1 + 0) / (2 + 3), not the mean of per-pair rates."""
        assert word_error_rate(["a b", "c d e"], ["a", "c d e"]) == pytest.approx(0.2)

    def test_insertions_can_exceed_one(self):
        """Three inserted words against one reference word."""
        assert word_error_rate("a", "a b c d") == 3.0

    def test_matches_a_cell_by_cell_levenshtein(self):
        """The blocked, row-vectorised DP equals the textbook recurrence on random pairs."""
        rng = np.random.default_rng(5)
        refs = [rng.choice(list("abcd"), rng.integers(0, 9)) for _ in range(300)]
        hyps = [rng.choice(list("abcd"), rng.integers(0, 9)) for _ in range(300)]
        seqs = refs + hyps  # every reference, then every hypothesis
        codes = np.array([ord(c) for seq in seqs for c in seq], dtype=np.int64)
        lengths = np.array([len(seq) for seq in seqs])
        got = edit_distances(codes, lengths, len(refs), budget=500)
        assert got.tolist() == [_levenshtein(list(a), list(b)) for a, b in zip(refs, hyps, strict=True)]

    def test_lengths_must_match(self):
        """Two references, one hypothesis."""
        with pytest.raises(ShapeMismatchError, match="got 2 and 1"):
            word_error_rate(["a", "b"], ["a"])

    def test_non_string_entry(self):
        """A None in the hypotheses names the parameter and position."""
        with pytest.raises(InvalidParameterError, match="hypothesis must hold str, position 1 is NoneType"):
            word_error_rate(["a", "b"], ["a", None])

    def test_reference_without_words(self):
        """No reference word: the rate is undefined."""
        with pytest.raises(InvalidParameterError, match="reference must hold at least one word"):
            word_error_rate(["", " "], ["a", "b"])

    def test_not_a_sequence(self):
        """A number is neither a text nor a sequence of texts."""
        with pytest.raises(InvalidParameterError, match="reference must be a str or a one-dimensional sequence"):
            word_error_rate(3, "a")


def _confident(*items: list) -> pd.DataFrame:
    """A table from lists of (text, confidence) pairs, one list per item."""
    rows = [(i, f"a{a}", text, c) for i, pairs in enumerate(items) for a, (text, c) in enumerate(pairs)]
    return pd.DataFrame(rows, columns=["item", "annotator", "text", "confidence"])


class TestROVERConfidence:
    def test_a_confident_minority_wins_with_small_alpha(self):
        """0.3 * 1/3 + 0.7 * 0.9 beats 0.3 * 2/3 + 0.7 * 0.2: 'cat' over 'dog'."""
        table = _confident([("cat", 0.9), ("dog", 0.2), ("dog", 0.2)])
        assert ROVER(alpha=0.3).fit(table).texts_[0] == "cat"
        assert ROVER().fit(table).texts_[0] == "dog"

    def test_average_and_max_confidence_differ(self):
        """'dog' has one sure and one unsure vote: its maximum beats 'cat', its average does not."""
        table = _confident([("cat", 0.7), ("dog", 0.95), ("dog", 0.05)])
        assert ROVER(alpha=0.0).fit(table).texts_[0] == "cat"
        assert ROVER(alpha=0.0, confidence_score="max").fit(table).texts_[0] == "dog"

    def test_null_confidence_can_delete_a_word(self):
        """With null_confidence 1 and alpha 0 the null arc beats a word voted at 0.9."""
        table = _confident([("a b", 0.9), ("a b", 0.9), ("a", 0.9)])
        assert ROVER(alpha=0.0).fit(table).texts_[0] == "a b"
        assert ROVER(alpha=0.0, null_confidence=1.0).fit(table).texts_[0] == "a"

    def test_alpha_one_ignores_the_confidence_column(self):
        """The plain vote needs no confidences: a table without the column fits."""
        assert ROVER(alpha=1.0).fit(_answers(["x", "y", "y"])).texts_[0] == "y"

    def test_alpha_below_one_needs_the_column(self):
        """The message says why the column is needed and lists the table's columns."""
        with pytest.raises(MissingColumnError, match="'confidence' column when alpha < 1"):
            ROVER(alpha=0.5).fit(_answers(["x"]))

    @pytest.mark.parametrize("bad", [1.5, -0.1, None, "high"])
    def test_confidence_outside_0_1_names_the_row(self, bad):
        """Out of range, missing or not a number: the row is named."""
        table = _confident([("a", 0.5), ("b", 0.5)]).astype({"confidence": object})
        table.loc[1, "confidence"] = bad
        with pytest.raises(AnnotationError, match="'confidence' must hold numbers in \\[0, 1\\].*row 1"):
            ROVER(alpha=0.5).fit(table)

    def test_missing_confidence_of_a_missing_text_is_fine(self):
        """Only answers with a text need a confidence."""
        table = _confident([("a", 0.5), (None, None)])
        assert ROVER(alpha=0.5).fit(table).texts_[0] == "a"

    @pytest.mark.parametrize(
        ("param", "value", "message"),
        [
            ("alpha", 1.5, "alpha must be in"),
            ("null_confidence", -1, "null_confidence must be in"),
            ("confidence_score", "median", "confidence_score must be one of"),
        ],
    )
    def test_bad_scoring_parameters(self, param, value, message):
        """Each scoring parameter is checked and named."""
        with pytest.raises(InvalidParameterError, match=message):
            ROVER(**{param: value}).fit(_answers(["a"]))


def test_simulated_confidences_track_each_answers_errors():
    """The simulated confidence is in [0, 1], higher for careful annotators, and adds no other change."""
    plain, truth = simulate_transcriptions(300, (0.05, 0.5), random_state=2)
    answers, truth2 = simulate_transcriptions(300, (0.05, 0.5), confidence_noise=0.05, random_state=2)
    assert answers.drop(columns="confidence").equals(plain) and truth.equals(truth2)
    conf = answers.groupby("annotator")["confidence"].mean()
    assert answers.confidence.between(0, 1).all() and conf["a0"] > conf["a1"] + 0.3
