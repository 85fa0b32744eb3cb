"""The cleaned formats of task audits: CoNLL sentences, COCO images, table rows (property tests where they apply)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import DataFileError, InvalidParameterError
from labelwise.io import read_conll
from labelwise.review._task_formats import (
    EXCLUDED_COMMENT,
    cleaned_coco,
    cleaned_conll,
    cleaned_rows,
    conll_sentences,
)

# Words include hashtags ('#a') and a bare '#', which are tokens inside a sentence; a sentence does
# not start with a bare '#' (a '# O' line there is a CoNLL-U comment).
word = st.text(alphabet="abcXYZ,.-1#", min_size=1, max_size=4)
tag = st.sampled_from(["O", "B-PER", "I-PER"])
sentence = st.lists(st.tuples(word, tag), min_size=1, max_size=4).filter(lambda s: s[0][0] != "#")
# Comments come where CoNLL-U puts them: before a sentence, after a blank line or -DOCSTART-.
separator = st.lists(st.sampled_from(["", "-DOCSTART- O", "# note"]), min_size=1, max_size=3).filter(
    lambda s: s[0] != "# note"
)


@st.composite
def conll_files(draw):
    """A CoNLL text (LF or CRLF) of sentences with blank lines, -DOCSTART- and comments between them."""
    sentences = draw(st.lists(sentence, min_size=1, max_size=6))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = list(draw(st.lists(st.sampled_from(["", "# head", "-DOCSTART- O"]), max_size=2)))
    for k, s in enumerate(sentences):
        lines += [f"{w} {t}" for w, t in s]
        if k < len(sentences) - 1:
            lines += draw(separator)
    lines += draw(st.lists(st.just(""), max_size=2))
    return newline.join(lines) + draw(st.sampled_from(["", newline])), sentences


def _read(text, tmp_path):
    path = tmp_path / "f.conll"
    path.write_bytes(text.encode("utf-8"))
    return read_conll(path).tokens


@settings(max_examples=60, deadline=None)
@given(case=conll_files(), data=st.data())
def test_dropping_sentences_keeps_every_other_line_as_it_was(tmp_path_factory, case, data):
    """read_conll of the cleaned text is the corpus without the dropped sentences; the kept lines are the
    original lines in order, and every dropped line belonged to a dropped sentence."""
    text, sentences = case
    tmp = tmp_path_factory.mktemp("conll")
    words = [[w for w, _ in s] for s in sentences]
    assert _read(text, tmp) == words
    drop = data.draw(st.sets(st.integers(0, len(sentences) - 1)))
    cleaned, n = cleaned_conll(text, drop, mark_excluded=False, tokens=words)
    assert n == len(sentences)
    kept = [w for k, w in enumerate(words) if k not in drop]
    _, token_lines = conll_sentences(cleaned.splitlines(keepends=True))
    assert len(token_lines) == len(kept)
    if kept:
        assert _read(cleaned, tmp) == kept
    # The kept lines are the original lines in order; what went is the dropped sentences' token
    # lines, comment lines, and at most one blank line per dropped sentence.
    lines, out = text.splitlines(keepends=True), cleaned.splitlines(keepends=True)
    it = iter(lines)
    assert all(any(line == kept_line for line in it) for kept_line in out)
    removed = pd.Series(lines).value_counts().sub(pd.Series(out).value_counts(), fill_value=0)
    removed = removed[removed > 0]
    fields = [line.split() for line in removed.index]
    comment = {("#", "note"), ("#", "head")}
    n_tokens = int(sum(n for f, n in zip(fields, removed, strict=True) if f and tuple(f) not in comment))
    assert n_tokens == sum(len(sentences[k]) for k in drop)
    assert int(sum(n for f, n in zip(fields, removed, strict=True) if not f)) <= len(drop)


@settings(max_examples=40, deadline=None)
@given(case=conll_files(), data=st.data())
def test_marking_keeps_the_corpus_and_adds_one_comment_per_sentence(tmp_path_factory, case, data):
    """With mark_excluded the corpus read back is unchanged and each marked sentence has the comment above it."""
    text, sentences = case
    words = [[w for w, _ in s] for s in sentences]
    drop = data.draw(st.sets(st.integers(0, len(sentences) - 1)))
    marked, _ = cleaned_conll(text, drop, mark_excluded=True)
    assert _read(marked, tmp_path_factory.mktemp("conll")) == words
    lines = marked.splitlines()
    assert lines.count(EXCLUDED_COMMENT) == len(drop)
    _, token_lines = conll_sentences(marked.splitlines(keepends=True))
    assert {k for k, s in enumerate(token_lines) if lines[s[0] - 1] == EXCLUDED_COMMENT} == drop
    assert marked.replace(EXCLUDED_COMMENT + ("\r\n" if "\r\n" in text else "\n"), "") == text


def test_comments_above_a_sentence_go_with_it():
    """CoNLL-U style '# sent_id' lines right above a dropped sentence are dropped with it; DOCSTART stays."""
    text = "-DOCSTART- O\n\n# id = 1\nA O\n\n# free\n\n# id = 2\nB O\nC O\n\nD O\n"
    assert cleaned_conll(text, {1}, mark_excluded=False)[0] == "-DOCSTART- O\n\n# id = 1\nA O\n\n# free\n\nD O\n"
    assert cleaned_conll(text, {0, 2}, mark_excluded=False)[0] == "-DOCSTART- O\n\n# free\n\n# id = 2\nB O\nC O\n\n"


def test_a_changed_conll_file_is_refused():
    """Tokens that differ from the audited ones name the first differing sentence."""
    with pytest.raises(DataFileError, match="2 sentences and differs from the audited one at sentence 1"):
        cleaned_conll("A O\n\nB O\n", set(), mark_excluded=False, tokens=[["A"], ["C"]])


def test_unicode_spaces_and_line_separators_stay_inside_their_token(tmp_path):
    """A no-break space or U+2028 is part of a token, as the reader reads it: the export keeps them."""
    text = "Le B-X\n10\xa0000 O\n\nUn\u2028deux O\n\n"
    path = tmp_path / "u.conll"
    path.write_text(text, encoding="utf-8")
    words = read_conll(path).tokens
    assert words == [["Le", "10\xa0000"], ["Un\u2028deux"]]
    assert cleaned_conll(text, {1}, mark_excluded=False, tokens=words) == ("Le B-X\n10\xa0000 O\n\n", 2)


def test_coco_images_and_annotations():
    """Dropping an image drops its annotations only; marking adds the key; a changed file is refused."""
    coco = {
        "images": [{"id": "a"}, {"id": "b"}],
        "annotations": [{"id": 1, "image_id": "a"}, {"id": 2, "image_id": "b"}],
        "categories": [{"id": 1}],
        "licenses": [],
    }
    out = cleaned_coco(coco, {0}, mark_excluded=False, image_ids=["a", "b"])
    assert out == {**coco, "images": [{"id": "b"}], "annotations": [{"id": 2, "image_id": "b"}]}
    assert cleaned_coco(coco, {1}, mark_excluded=True)["images"][1] == {"id": "b", "excluded": True}
    with pytest.raises(DataFileError, match="not the 3 audited ones"):
        cleaned_coco(coco, set(), mark_excluded=False, image_ids=["a", "b", "c"])
    with pytest.raises(InvalidParameterError, match="already have it"):
        cleaned_coco({**coco, "images": [{"id": "a", "excluded": 0}]}, set(), mark_excluded=True)


def test_cleaned_rows_by_position_whatever_the_index():
    """Rows are dropped by position (a table read with another index too); an existing marking column is refused."""
    frame = pd.DataFrame({"x": [1, 2, 3]}, index=[10, 20, 30])
    assert cleaned_rows(frame, {1}, mark_excluded=False)["x"].tolist() == [1, 3]
    assert cleaned_rows(frame, {1}, mark_excluded=True)["excluded"].tolist() == [False, True, False]
    with pytest.raises(InvalidParameterError, match="column 'x', which the data already has"):
        cleaned_rows(frame, set(), mark_excluded=True, column="x")
