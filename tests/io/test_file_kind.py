"""What a table that is not UTF-8 text is, and what to do, named in the refusal."""

from __future__ import annotations

import gzip
import io
import zipfile

import pandas as pd
import pytest

from labelwise.errors import DataFileError
from labelwise.io import read_table
from labelwise.io.file_kind import content_hint, suffix_hint

TABLE = "a,b,y\n1.0,2.0,caf\u00e9\n3.0,4.0,u\n"


def _zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", text)
    return buffer.getvalue()


class TestReadTableSaysWhatTheFileIs:
    """A file under a text table's name that is something else: the refusal says what, and the fix."""

    @pytest.mark.parametrize(
        ("content", "says"),
        [
            (_zip(TABLE), r"it is a ZIP archive \(an Excel \.xlsx workbook"),
            (gzip.compress(TABLE.encode()), r"it is gzip-compressed: decompress it first"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(128, 256)), r"it is an Excel \.xls workbook"),
        ],
        ids=["xlsx", "gzip", "xls"],
    )
    def test_the_refusal_names_what_the_file_is(self, tmp_path, content, says):
        """A workbook, gzip bytes under a plain name: named, with how to fix it (UTF-16 text with its
        byte order mark is read since session 47: tests/io/test_plain_text.py)."""
        for name in ("d.csv", "d.txt"):
            (tmp_path / name).write_bytes(content)
            with pytest.raises(DataFileError, match=rf"{name}' is not UTF-8 text: {says}"):
                read_table(tmp_path / name)

    def test_a_parquet_file_under_a_csv_name(self, tmp_path):
        """A Parquet file saved as .csv: the message says so and how to name it."""
        pd.DataFrame({"a": [1.5, 2.5], "y": ["caf\u00e9", "u"]}).to_parquet(tmp_path / "d.csv")
        with pytest.raises(DataFileError, match=r"it is a Parquet file: give it a \.parquet suffix"):
            read_table(tmp_path / "d.csv")

    def test_latin1_text_keeps_the_line_and_byte(self, tmp_path):
        """Text in another 8-bit encoding has no telling first bytes: the line and byte, as before."""
        (tmp_path / "d.csv").write_bytes(TABLE.encode("cp1252"))
        with pytest.raises(DataFileError, match=r"is not UTF-8 text \(line 2, byte 17\)"):
            read_table(tmp_path / "d.csv")

    @pytest.mark.parametrize(
        ("name", "says"),
        [
            ("d.gz", r"got '\.gz'; a compressed table is read when its name gives the table's format before \.gz"),
            ("d.7z", r"got '\.7z'; \.7z files are not read compressed: decompress it first"),
            ("d.xlsx", r"got '\.xlsx'; a spreadsheet workbook is not read: save the sheet as 'CSV UTF-8'"),
        ],
    )
    def test_a_compressed_file_or_a_workbook_is_told_what_to_do(self, tmp_path, name, says):
        """The suffix refusal says what to do with a compressed file whose name hides its format (d.csv.gz
        is read since session 47), a 7-Zip archive or a workbook."""
        (tmp_path / name).write_bytes(gzip.compress(TABLE.encode()))
        with pytest.raises(DataFileError, match=says):
            read_table(tmp_path / name)


class TestHints:
    """The hints themselves."""

    def test_plain_text_and_unreadable_paths_have_no_hint(self, tmp_path):
        """UTF-8 text, a UTF-8 byte order mark, a folder: no hint."""
        (tmp_path / "a.csv").write_text(TABLE)
        (tmp_path / "b.csv").write_text(TABLE, encoding="utf-8-sig")
        assert content_hint(tmp_path / "a.csv") is None
        assert content_hint(tmp_path / "b.csv") is None
        assert content_hint(tmp_path) is None

    def test_an_ordinary_suffix_has_no_hint(self):
        """A suffix that is neither compressed nor a workbook adds nothing."""
        assert suffix_hint("d.feather") == "" and suffix_hint("d") == ""
