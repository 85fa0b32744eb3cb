"""Properties of ``labelwise.io.read_names``: any list of names written one per line, with ``\\n``,
``\\r\\n`` or ``\\r`` (mixed too), with or without a byte-order mark, reads back equal; a name holding
U+2028, U+0085, a form feed or any other character but ``\\n`` and ``\\r`` stays one name.

A name here has no ``\\n`` or ``\\r``, no space (``str.isspace``) at either end (read_names strips
lines) and is not blank; its first character is not U+FEFF where it is the file's first name (a
byte-order mark is dropped by design).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from labelwise.errors import DataFileError
from labelwise.io import read_names

SETTINGS = settings(max_examples=150, deadline=None)

INSIDE = st.sampled_from(["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\u00a0", "\t", " "])
CHARS = st.one_of(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), INSIDE)
names = st.text(CHARS, min_size=1, max_size=8).filter(lambda s: s.strip() == s and s != "")
ENDS = st.sampled_from(["\n", "\r\n", "\r"])


def _read(data: bytes, **kwargs):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "names.txt"
        path.write_bytes(data)
        return read_names(path, **kwargs)


@SETTINGS
@given(data=st.data(), listed=st.lists(names, min_size=1, max_size=6), bom=st.booleans(), last_end=st.booleans())
def test_names_read_back_equal_whatever_the_line_ends(data, listed, bom, last_end):
    """Any line ends (one per line, mixed) and an optional BOM and final line end: the same names."""
    assume(not listed[0].startswith("\ufeff"))
    ends = data.draw(st.lists(ENDS, min_size=len(listed), max_size=len(listed)))
    text = "".join(n + e for n, e in zip(listed, ends, strict=True))
    if not last_end:
        text = text[: -len(ends[-1])]
    raw = ("\ufeff" if bom else "") + text
    assert _read(raw.encode("utf-8")) == listed
    assert _read(raw.encode("utf-8"), holes=False) == listed


@SETTINGS
@given(data=st.data(), listed=st.lists(names, min_size=2, max_size=6))
def test_a_hole_is_named_by_its_line_whatever_the_line_ends(data, listed):
    """A blank line between names is refused with ``holes=False``, at the line number that counts only
    ``\\n``, ``\\r\\n`` and ``\\r``; with holes allowed the names read back equal."""
    assume(not listed[0].startswith("\ufeff"))
    at = data.draw(st.integers(1, len(listed) - 1))
    lines = [*listed[:at], data.draw(st.sampled_from(["", " ", "\t", "\u2028"])), *listed[at:]]
    ends = data.draw(st.lists(ENDS, min_size=len(lines), max_size=len(lines)))
    if lines[at] == "" and ends[at - 1] == "\r" and ends[at].startswith("\n"):
        ends[at - 1] = "\n"  # ("\r" then "\n" is one line end, "\r\n": no blank line between)
    raw = "".join(n + e for n, e in zip(lines, ends, strict=True)).encode("utf-8")
    assert _read(raw) == listed
    with pytest.raises(DataFileError, match=rf"blank line between labels at line {at + 1}:"):
        _read(raw, holes=False)
