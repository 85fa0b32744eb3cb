"""``labelwise.io.plain_text``: UTF-16 text without a byte order mark (as some Windows tools write it) is
read as the UTF-8 file it holds; text that does not decode is refused naming the file, the byte and the
fix; a decoded copy that does not fit in the temporary folder is refused naming the file, the room and
``TMPDIR``. Main read UTF-16 without a mark as UTF-8 (an error advising latin-1), said neither byte nor
room, and took a full disk for a file cut short."""

from __future__ import annotations

import builtins
import gzip
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labelwise.io.plain_text as plain_text_module
from labelwise.errors import DataFileError
from labelwise.io import read_annotations, read_table
from labelwise.io.plain_text import plain_text

CSV = "item,x,label\na,1.5,0\nb,2.5,1\n007,3.0,0\nд,4.0,1\n一,5.0,0\n"


def _utf8(tmp_path, text: str = CSV):
    path = tmp_path / "plain.csv"
    path.write_text(text, encoding="utf-8")
    return read_table(path, text_columns=["item"])


class TestWithoutAMark:
    @pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
    def test_utf16_without_a_mark_reads_as_the_utf8_file(self, tmp_path, codec):
        """Either byte order, with Cyrillic and a CJK character (U+4E00 has a zero low byte)."""
        path = tmp_path / "t.csv"
        path.write_bytes(CSV.encode(codec))
        pd.testing.assert_frame_equal(read_table(path, text_columns=["item"]), _utf8(tmp_path))

    def test_a_tab_txt_and_a_long_annotation_table_read(self, tmp_path):
        """A tab-delimited .txt with CRLF (the delimiter guess reads the copy) and an annotation table."""
        text = CSV.replace(",", "\t").replace("\n", "\r\n")
        (tmp_path / "t.txt").write_bytes(text.encode("utf-16-le"))
        pd.testing.assert_frame_equal(read_table(tmp_path / "t.txt", text_columns=["item"]), _utf8(tmp_path))
        answers = "item,annotator,label\nq1,w1,cat\nq1,w2,dog\nq2,w1,dog\n"
        (tmp_path / "answers.csv").write_bytes(answers.encode("utf-16-le"))
        (tmp_path / "plain_answers.csv").write_text(answers)
        got = read_annotations(tmp_path / "answers.csv").answers
        pd.testing.assert_frame_equal(got, read_annotations(tmp_path / "plain_answers.csv").answers)

    def test_a_cut_character_is_refused_naming_the_byte_and_the_fix(self, tmp_path):
        """A high surrogate as the last two bytes: 'UTF-16 LE ... at byte N' (where it starts), and iconv's command."""
        path = tmp_path / "t.csv"
        path.write_bytes(CSV.encode("utf-16-le") + b"\x00\xd8")
        with pytest.raises(DataFileError, match=r"t\.csv' looks like UTF-16 LE text without a byte order mark") as err:
            read_table(path)
        assert f"at byte {2 * len(CSV)} (" in str(err.value) and "iconv -f UTF-16LE -t UTF-8" in str(err.value)

    def test_a_lone_surrogate_inside_is_refused_at_its_byte(self, tmp_path):
        """A low surrogate alone at byte 30 (inside the first KB, where the encoding is looked for)."""
        data = CSV.encode("utf-16-le")
        path = tmp_path / "t.csv"
        path.write_bytes(data[:30] + b"\x00\xdc" + data[30:])
        with pytest.raises(DataFileError, match=r"is not UTF-16 LE at byte 30 \("):
            read_table(path)

    def test_a_file_with_a_mark_that_does_not_decode_names_the_byte(self, tmp_path):
        """A UTF-16 mark, then a low surrogate alone at byte 22."""
        path = tmp_path / "t.csv"
        path.write_bytes(b"\xff\xfe" + CSV.encode("utf-16-le")[:20] + b"\x00\xdcb\x00")
        with pytest.raises(
            DataFileError, match=r"starts with a utf-16 byte order mark but is not utf-16 text at byte 22"
        ):
            read_table(path)

    def test_binary_and_utf8_heads_are_not_taken_for_utf16(self, tmp_path):
        """A Parquet file and an .npy array (NUL bytes at both positions), UTF-8 text (no NUL): no copy."""
        pd.DataFrame({"a": np.arange(200), "b": np.arange(200.0)}).to_parquet(tmp_path / "t.parquet")
        np.save(tmp_path / "t.npy", np.arange(300))
        (tmp_path / "t.csv").write_text(CSV, encoding="utf-8")
        for name in ("t.parquet", "t.npy", "t.csv"):
            assert plain_text(tmp_path / name) == tmp_path / name


_IDS = st.text(alphabet="abcé7дж", min_size=1, max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(_IDS, st.floats(-1e6, 1e6, allow_nan=False), st.integers(0, 3)), min_size=1, max_size=12),
    codec=st.sampled_from(["utf-16-le", "utf-16-be"]),
)
def test_any_table_reads_the_same_from_utf16_without_a_mark(tmp_path, rows, codec):
    """Property: a table of Latin and Cyrillic ids, floats and ints reads the same from UTF-8 and from
    UTF-16 (either order) without a mark."""
    frame = pd.DataFrame(rows, columns=["item", "x", "label"])
    text = frame.to_csv(index=False)
    (tmp_path / "u.csv").write_bytes(text.encode(codec))
    pd.testing.assert_frame_equal(read_table(tmp_path / "u.csv", text_columns=["item"]), _utf8(tmp_path, text))


def _full_disk(monkeypatch):
    """The copy's writes go to /dev/full (ENOSPC on write), as on a full temporary folder."""

    def full_open(file, mode="r", *args, **kwargs):
        return builtins.open("/dev/full", mode) if mode == "wb" else builtins.open(file, mode, *args, **kwargs)

    monkeypatch.setattr(plain_text_module, "open", full_open, raising=False)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
class TestFullTemporaryFolder:
    @pytest.mark.parametrize("name", ["big.csv.gz", "big.csv"])
    def test_a_copy_that_does_not_fit_names_the_file_the_room_and_tmpdir(self, tmp_path, monkeypatch, name):
        """A gzip file and a UTF-16 file: not 'could not be decompressed ... cut short?' but the file, the
        temporary folder, its free space and TMPDIR."""
        text = "item,x\n" + "".join(f"r{i},{i}\n" for i in range(2000))
        path = tmp_path / name
        path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode("utf-16"))
        _full_disk(monkeypatch)
        with pytest.raises(DataFileError) as err:
            read_table(path)
        message = str(err.value)
        assert f"{str(path)!r}" in message and "ran out of room" in message and "set TMPDIR" in message
        assert "free" in message and "cut short" not in message

    def test_nothing_is_left_and_a_later_read_works(self, tmp_path, monkeypatch):
        """The failed copy's folder is removed; with room again the same file reads."""
        path = tmp_path / "t.csv.gz"
        path.write_bytes(gzip.compress(CSV.encode()))
        _full_disk(monkeypatch)
        with pytest.raises(DataFileError):
            plain_text(path)
        monkeypatch.undo()
        pd.testing.assert_frame_equal(read_table(path, text_columns=["item"]), _utf8(tmp_path))
