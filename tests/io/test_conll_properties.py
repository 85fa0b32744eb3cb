"""Properties of ``io.conll.read_conll``: a CoNLL file written from sentences (tokens of any
non-whitespace characters, hashtags and ``#`` inside a sentence included, 2-4 fields, the tag in any
field after the token's) reads back as those sentences, whatever the line ends (LF, CRLF), a
byte-order mark, spaces or tabs between fields, ``-DOCSTART-`` lines, CoNLL-U ``#`` comments before
sentences and runs of blank lines between them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.io import read_conll

SETTINGS = settings(max_examples=60, deadline=None)

#: Characters of a field: anything Python's ``str.split()`` does not split on, and not a line break.
field_chars = st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="\x85\ufeff")
fields = st.text(field_chars, min_size=1, max_size=6).filter(lambda t: not any(c.isspace() for c in t))
tokens = st.one_of(fields, fields.map(lambda t: "#" + t), st.just("#"))


@st.composite
def corpora(draw):
    n_fields = draw(st.integers(2, 4))
    tag_field = draw(st.integers(1, n_fields - 1)) * draw(st.sampled_from([1, -1]))
    if tag_field < 0:
        tag_field = -(n_fields - (-tag_field))  # the same field counted from the end
    sentences = []
    for _ in range(draw(st.integers(1, 6))):
        length = draw(st.integers(1, 5))
        toks = draw(st.lists(tokens, min_size=length, max_size=length))
        # a sentence may not begin with a line whose first field is "#" alone (a CoNLL-U comment there),
        # and "-DOCSTART-" is never a token
        if toks[0] == "#":
            toks[0] = "#x"
        toks = [t if t != "-DOCSTART-" else "DOCSTART" for t in toks]
        rows = [draw(st.lists(fields, min_size=n_fields - 1, max_size=n_fields - 1)) for _ in toks]
        sentences.append([[t, *r] for t, r in zip(toks, rows, strict=True)])
    return sentences, n_fields, tag_field, draw(st.integers(0, 2**32 - 1))


def _write(path, sentences, seed, *, sep, newline, bom):
    import random

    rnd = random.Random(seed)
    lines = []
    if rnd.random() < 0.3:
        lines += ["-DOCSTART- -X- O O", ""]
    for s in sentences:
        if rnd.random() < 0.4:
            lines += [f"# sent_id = {rnd.randint(0, 99)}", "# text = " + " ".join(r[0] for r in s)]
        lines += [sep.join(r) + (" " if rnd.random() < 0.2 else "") for r in s]
        lines += [""] * rnd.randint(1, 3)
        if rnd.random() < 0.1:
            lines += ["-DOCSTART- -X- O O", ""]
    text = newline.join(lines)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


class TestReadConll:
    @SETTINGS
    @given(
        case=corpora(),
        sep=st.sampled_from([" ", "\t", "  "]),
        newline=st.sampled_from(["\n", "\r\n"]),
        bom=st.booleans(),
    )
    def test_written_sentences_read_back(self, case, sep, newline, bom, tmp_path_factory):
        """Tokens and the ``tag_field`` field of every sentence, in order, exactly as written."""
        sentences, n_fields, tag_field, seed = case
        path = tmp_path_factory.mktemp("conll") / "data.conll"
        _write(path, sentences, seed, sep=sep, newline=newline, bom=bom)
        got = read_conll(path, tag_field=tag_field, n_fields=n_fields if seed % 2 else None)
        assert got.tokens == [[r[0] for r in s] for s in sentences]
        assert got.tags == [[r[tag_field] for r in s] for s in sentences]
        assert got.n_tokens == sum(len(s) for s in sentences)


def test_a_token_with_a_no_break_space_is_one_token(tmp_path):
    """``10\\xa0000 O`` is the token ``10\\xa0000`` tagged ``O``, not a line of three fields."""
    path = tmp_path / "nbsp.conll"
    path.write_text("Le B-X\n10\xa0000 O\n\n", encoding="utf-8")
    assert read_conll(path).tokens == [["Le", "10\xa0000"]]
