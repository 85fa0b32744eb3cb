"""Tests of labelwise.io.read_conll."""

import pytest

from labelwise.errors import DataFileError
from labelwise.io import read_conll


def test_reads_sentences_split_by_blank_lines(tmp_path):
    """Tokens and tags come back per sentence; DOCSTART lines are skipped."""
    p = tmp_path / "a.conll"
    p.write_text("-DOCSTART- O\n\nEU NNP B-ORG\nrejects VBZ O\n\nPeter NNP B-PER\nBlackburn NNP I-PER\n")
    corpus = read_conll(p)
    assert corpus.tokens == [["EU", "rejects"], ["Peter", "Blackburn"]]
    assert corpus.tags == [["B-ORG", "O"], ["B-PER", "I-PER"]]
    assert corpus.n_tokens == 4 and len(corpus.to_frame()) == 4


def test_wrong_number_of_fields_names_file_and_line(tmp_path):
    """A line with a missing field raises DataFileError with path:line."""
    p = tmp_path / "b.conll"
    p.write_text("EU NNP B-ORG\nrejects O\n")
    with pytest.raises(DataFileError, match=r"b\.conll:2: expected 3 fields"):
        read_conll(p)


def test_missing_and_empty_files(tmp_path):
    """A missing file and a file without tokens are clear errors."""
    with pytest.raises(DataFileError, match="does not exist"):
        read_conll(tmp_path / "nope.conll")
    (tmp_path / "e.conll").write_text("\n\n")
    with pytest.raises(DataFileError, match="no tokens"):
        read_conll(tmp_path / "e.conll")


def test_a_folder_and_a_file_that_is_not_utf8(tmp_path):
    """A Latin-1 file raised UnicodeDecodeError (a traceback in the CLI) and a folder was said not to exist."""
    with pytest.raises(DataFileError, match="is a folder"):
        read_conll(tmp_path)
    (tmp_path / "l.conll").write_bytes("EU B-ORG\ncaf\u00e9 O\n".encode("latin-1"))
    with pytest.raises(DataFileError, match=r"CoNLL file .*l\.conll' is not UTF-8 text \(line 2"):
        read_conll(tmp_path / "l.conll")


def test_byte_order_mark_before_a_comment_or_docstart(tmp_path):
    """'\\ufeff# sent_id = 1' was read as a token line (a field-count error), '\\ufeff-DOCSTART-' as a sentence."""
    f = tmp_path / "a.conll"
    f.write_bytes("# sent_id = 1\r\nEU B-ORG\r\nrejects O\r\n".encode("utf-8-sig"))
    assert read_conll(f).tokens == [["EU", "rejects"]]
    f.write_bytes("-DOCSTART- O\n\nEU B-ORG\n".encode("utf-8-sig"))
    assert read_conll(f).tokens == [["EU"]]
