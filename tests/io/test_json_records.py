"""``io.json_records.json_records``: a JSON Lines file's records in one pass, the same records, line numbers
and errors as ``iter_json_lines`` (a speed change: the votes reader and the annotation exports use it)."""

from __future__ import annotations

import gzip
import json
from itertools import zip_longest

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.errors import DataFileError
from labelwise.io.json_records import json_records
from labelwise.io.tables import iter_json_lines


def _both(path, **options):
    """What json_records gives, and iter_json_lines' pairs unzipped (or the message each raises)."""
    try:
        fast = json_records(path, **options)
    except DataFileError as exc:
        fast = str(exc)
    try:
        pairs = list(iter_json_lines(path, **options))
        slow = ([n for n, _ in pairs], [r for _, r in pairs])
    except DataFileError as exc:
        slow = str(exc)
    return fast, slow


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1}\n\n{"a": 2.0, "b": [1, "x"]}\n',
        '{"a": 1}\r\n  \r\n\t{"a": true} \r\n{"a": null}',  # CRLF, blank lines, JSON spaces around a value
        '\ufeff{"a": "\u2028"}\n{"a": "\\u00e9"}\n',  # a BOM, a raw line separator inside a string
        '{"a": 1}\n\u00a0\n{"a": 2}\n',  # a line of a no-break space only: blank
        '{"a": 1}\n\u00a0{"a": 2}\n',  # a no-break space before a value: not JSON
        '{"a": 1}\n{"a": 2} {"a": 3}\n',  # two values on one line
        '{"a": 1}\n[1, 2]\n',  # not an object
        '{"a": 1}\n{"a": \n',  # cut short
        '{"a": NaN, "b": 1e400}\n',  # json's constants
        "",
    ],
)
@pytest.mark.parametrize("numbers_as_text", [False, True])
def test_the_same_records_lines_and_errors_as_iter_json_lines(tmp_path, text, numbers_as_text):
    path = tmp_path / "t.jsonl"
    path.write_bytes(text.encode("utf-8"))
    fast, slow = _both(path, kind="votes file", numbers_as_text=numbers_as_text)
    assert fast == slow or (fast != fast and str(fast) == str(slow))  # NaN != NaN: compare the texts


def test_a_compressed_file_and_a_non_utf8_one(tmp_path):
    """A .jsonl.gz is read from its copy; latin-1 bytes are refused as iter_json_lines refuses them."""
    (tmp_path / "t.jsonl.gz").write_bytes(gzip.compress(b'{"a": 1}\n{"a": 2}\n'))
    assert json_records(tmp_path / "t.jsonl.gz") == ([1, 2], [{"a": 1}, {"a": 2}])
    (tmp_path / "l.jsonl").write_bytes(b'{"a": "\xe9"}\n')
    fast, slow = _both(tmp_path / "l.jsonl")
    assert isinstance(fast, str) and fast == slow and "not UTF-8" in fast


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(st.dictionaries(st.text(max_size=4), _VALUES, max_size=4), max_size=6),
    blanks=st.lists(st.sampled_from(["", " ", "\t", "\r"]), max_size=3),
    numbers_as_text=st.booleans(),
)
def test_any_json_lines_file_reads_as_iter_json_lines_reads_it(tmp_path, records, blanks, numbers_as_text):
    """Property: any objects, one a line, with blank lines among them, give iter_json_lines' records."""
    objects = [json.dumps(r) for r in records]
    lines = [line for pair in zip_longest(objects, blanks) for line in pair if line is not None]  # blanks among them
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, slow = _both(path, numbers_as_text=numbers_as_text)
    assert fast == slow
