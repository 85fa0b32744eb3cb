"""Which lines of a CoNLL file read_conll takes for comments: only CoNLL-U's, before a sentence; '#'-tokens stay tokens."""

from __future__ import annotations

import pytest

from labelwise.errors import DataFileError, InvalidParameterError
from labelwise.io import read_conll
from labelwise.io.conll import BLANK, COMMENT, DOCSTART, TOKEN, line_kinds, token_fields


def _read(tmp_path, text, **kwargs):
    path = tmp_path / "t.conll"
    path.write_text(text, encoding="utf-8")
    return read_conll(path, **kwargs)


class TestHashtagTokens:
    def test_a_hashtag_inside_a_sentence_is_a_token(self, tmp_path):
        """'#python B-TOPIC' after a token line is a token (it was dropped as a comment and split the sentence)."""
        corpus = _read(tmp_path, "I O\nlove O\n#python B-TOPIC\n!\tO\n")
        assert corpus.tokens == [["I", "love", "#python", "!"]]
        assert corpus.tags == [["O", "O", "B-TOPIC", "O"]]

    def test_a_hashtag_that_starts_a_sentence_is_a_token(self, tmp_path):
        """A sentence may begin with a hashtag: with the file's number of fields it is a token, not a comment."""
        corpus = _read(tmp_path, "a O\n\n#python B-TOPIC\nrocks O\n")
        assert corpus.tokens == [["a"], ["#python", "rocks"]]

    def test_a_bare_hash_inside_a_sentence_is_a_token(self, tmp_path):
        """'# O' inside a sentence ("I'm # 1") is the token '#': comments never come inside a sentence."""
        corpus = _read(tmp_path, "I'm O\n# O\n1 O\n")
        assert corpus.tokens == [["I'm", "#", "1"]] and corpus.tags == [["O", "O", "O"]]

    def test_a_file_whose_tokens_all_start_with_a_hash(self, tmp_path):
        """With no other token line, the hashtag lines give the number of fields; '# text = ...' stays a comment."""
        corpus = _read(tmp_path, "# text = #a #b\n#a B-TOPIC\n#b O\n")
        assert corpus.tokens == [["#a", "#b"]]

    def test_more_fields(self, tmp_path):
        """In a 3-field file a hashtag line of 3 fields is a token; the tag is the last field."""
        corpus = _read(tmp_path, "EU NNP B-ORG\n#eu HT B-ORG\n")
        assert corpus.tokens == [["EU", "#eu"]] and corpus.tags == [["B-ORG", "B-ORG"]]


class TestComments:
    def test_conllu_comments_before_a_sentence_are_skipped(self, tmp_path):
        """'# sent_id', '# text' and '#'-lines of another number of fields before a sentence are comments."""
        text = "# newdoc\n# sent_id = 1\n# text = EU rejects\nEU B-ORG\nrejects O\n\n#note-to-self\nA O\n"
        assert _read(tmp_path, text).tokens == [["EU", "rejects"], ["A"]]

    def test_a_comment_after_docstart_is_skipped(self, tmp_path):
        """-DOCSTART- ends a sentence even without a blank line; a comment may follow it."""
        assert _read(tmp_path, "A O\n-DOCSTART- O\n# x = 1\nB O\n").tokens == [["A"], ["B"]]

    def test_a_comment_line_inside_a_sentence_is_an_error_naming_the_line(self, tmp_path):
        """A '#' line of another number of fields inside a sentence is refused (CoNLL-U: a misplaced comment)."""
        with pytest.raises(DataFileError, match=r"t\.conll:2: expected 2 fields .*got 4.*goes before a sentence"):
            _read(tmp_path, "A O\n# a long note\nB O\n")

    def test_a_two_field_hash_line_inside_a_sentence_is_a_token(self, tmp_path):
        """'1 O / # note / 1 O' is one sentence of three tokens (it was read as two sentences)."""
        corpus = _read(tmp_path, "1 O\n# note\n1 O")
        assert corpus.tokens == [["1", "#", "1"]] and corpus.tags == [["O", "note", "O"]]


class TestLineKinds:
    def test_kinds_of_each_line(self):
        """line_kinds names every line; token_fields takes the count from the first plain token line."""
        lines = ["# c\n", "#a O\n", "b O\n", "\n", "-DOCSTART- O\n", "# O\n", "c O\n"]
        assert token_fields(lines) == (2, 3, "b O\n")
        kinds = [k for k, _ in line_kinds(lines, n_fields=2, source="f")]
        assert kinds == [COMMENT, TOKEN, TOKEN, BLANK, DOCSTART, COMMENT, TOKEN]

    def test_no_token_fields(self):
        """Only comments and blank lines: no number of fields, every '#' line a comment."""
        assert token_fields(["# a\n", "\n", "#x\n"]) is None
        assert [k for k, _ in line_kinds(["# a\n", "#x y\n"], n_fields=None, source="f")] == [COMMENT, COMMENT]


class TestParameters:
    @pytest.mark.parametrize("n_fields", [1, 0, True, 2.0])
    def test_n_fields_below_two_is_refused(self, tmp_path, n_fields):
        """n_fields must be an int of at least 2 (an IndexError or silent misreading before)."""
        with pytest.raises(InvalidParameterError, match="n_fields must be an int of at least 2"):
            _read(tmp_path, "A O\n", n_fields=n_fields)

    @pytest.mark.parametrize("tag_field", [0, 3, -3, -4, "1"])
    def test_tag_field_outside_the_tag_fields_is_refused(self, tmp_path, tag_field):
        """tag_field must name a field after the token's (tag_field=3 raised IndexError; 0 read the token as tag)."""
        with pytest.raises(InvalidParameterError, match=r"tag_field must be a field .* \(1 to 2, or -2 to -1\)"):
            _read(tmp_path, "EU NNP B-ORG\n", tag_field=tag_field)

    def test_tag_field_picks_a_middle_column(self, tmp_path):
        """tag_field=1 reads the second column."""
        assert _read(tmp_path, "EU NNP B-ORG\n", tag_field=1).tags == [["NNP"]]

    def test_one_field_lines_are_refused_at_their_line(self, tmp_path):
        """A file of one-field lines names the first one."""
        with pytest.raises(DataFileError, match=r"t\.conll:2: expected at least 2 fields"):
            _read(tmp_path, "# c\nEU\n")
