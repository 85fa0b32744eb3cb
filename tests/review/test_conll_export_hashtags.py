"""The cleaned CoNLL export keeps '#'-tokens and never joins the sentences around a dropped one."""

from __future__ import annotations

from labelwise.io import read_conll
from labelwise.review._task_formats import EXCLUDED_COMMENT, cleaned_conll, conll_sentences

TWEETS = "# sent_id = 1\nI O\nlove O\n#python B-TOPIC\n\n#rstats B-TOPIC\nrules O\n\n# sent_id = 3\nso O\n# O\n1 O\n"


def _tokens(tmp_path, text):
    path = tmp_path / "x.conll"
    path.write_text(text, encoding="utf-8")
    return read_conll(path).tokens


def test_the_sentences_are_those_read_conll_reads(tmp_path):
    """conll_sentences and read_conll agree: hashtags are tokens, '# sent_id' lines are owned by their sentence."""
    lines = TWEETS.splitlines(keepends=True)
    owner, token_lines = conll_sentences(lines)
    words = [["I", "love", "#python"], ["#rstats", "rules"], ["so", "#", "1"]]
    assert [[lines[i].split()[0] for i in s] for s in token_lines] == _tokens(tmp_path, TWEETS) == words
    assert owner[0] == 0 and owner[8] == 2


def test_dropping_a_sentence_keeps_the_hashtag_tokens_of_the_others(tmp_path):
    """Dropping sentence 1 removes its lines only; sentences 0 and 2 come back with '#python' and '#'."""
    words = _tokens(tmp_path, TWEETS)
    cleaned, n = cleaned_conll(TWEETS, {1}, mark_excluded=False, tokens=words)
    assert n == 3
    assert cleaned == TWEETS.replace("#rstats B-TOPIC\nrules O\n\n", "")
    assert _tokens(tmp_path, cleaned) == [["I", "love", "#python"], ["so", "#", "1"]]


def test_a_sentence_that_starts_with_a_hashtag_is_dropped_whole(tmp_path):
    """The hashtag that begins sentence 1 goes with it (it was a comment line, kept, before)."""
    cleaned, n = cleaned_conll(TWEETS, {1}, mark_excluded=False)
    assert n == 3 and "#rstats" not in cleaned and "rules" not in cleaned


def test_marking_a_sentence_that_starts_with_a_hashtag(tmp_path):
    """The excluded comment goes above the hashtag, which stays the sentence's first token."""
    marked, _ = cleaned_conll(TWEETS, {1}, mark_excluded=True)
    assert f"\n\n{EXCLUDED_COMMENT}\n#rstats B-TOPIC\n" in marked
    assert _tokens(tmp_path, marked) == _tokens(tmp_path, TWEETS)


def test_dropping_the_sentence_after_a_hash_line_keeps_its_neighbours_apart(tmp_path):
    """Hypothesis's case: '# note' after a token line is a token of that sentence, so dropping the next
    sentence leaves the blank line that ends it (the comment went with the next sentence and the two
    around it were read as one)."""
    text = "1 O\n\n1 O\n# note\n1 O\n\n2 O\n\n3 O"
    words = _tokens(tmp_path, text)
    assert words == [["1"], ["1", "#", "1"], ["2"], ["3"]]
    for drop in range(4):
        cleaned, _ = cleaned_conll(text, {drop}, mark_excluded=False, tokens=words)
        assert _tokens(tmp_path, cleaned) == [w for k, w in enumerate(words) if k != drop]
