"""Tables as users keep them (``labelwise.io.plain_text``): compressed (``.csv.gz``, ``.bz2``, ``.xz``, a
``.zip`` of one table), UTF-16 text with a byte order mark (Excel's "Unicode Text"), read as the plain
file they hold; errors name the user's file, never the decoded copy. Main refused them all."""

from __future__ import annotations

import bz2
import gzip
import importlib.util
import json
import lzma
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.errors import DataFileError, InvalidParameterError
from labelwise.io import read_annotations, read_table, write_table
from labelwise.io.csv_lines import line_of_row
from labelwise.io.na_values import raw_cell
from labelwise.io.plain_text import plain_text, table_suffix

CSV = "item,x,label\na,1.5,0\nb,2.5,1\n007,3.0,0\n"
COMPRESS = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}


def _plain(tmp_path, text: str = CSV, name: str = "t.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_table(path, text_columns=["item"])


def _zip(path, members: dict[str, str]):
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


class TestCompressed:
    @pytest.mark.parametrize("suffix", sorted(COMPRESS))
    def test_a_compressed_csv_reads_as_the_plain_one(self, tmp_path, suffix):
        """t.csv.gz, .bz2, .xz: the frame of t.csv, 007 kept as text."""
        path = tmp_path / f"t.csv{suffix}"
        path.write_bytes(COMPRESS[suffix](CSV.encode()))
        frame = read_table(path, text_columns=["item"])
        pd.testing.assert_frame_equal(frame, _plain(tmp_path))
        assert frame["item"].tolist() == ["a", "b", "007"]

    def test_a_gzip_tsv_and_jsonl_read(self, tmp_path):
        """t.tsv.gz is read at tab, t.jsonl.gz as JSON Lines."""
        tsv = tmp_path / "t.tsv.gz"
        tsv.write_bytes(gzip.compress(CSV.replace(",", "\t").encode()))
        pd.testing.assert_frame_equal(read_table(tsv, text_columns=["item"]), _plain(tmp_path))
        jsonl = tmp_path / "t.jsonl.gz"
        jsonl.write_bytes(gzip.compress(b'{"item": "a", "x": 1.5}\n{"item": "b", "x": 2.5}\n'))
        assert read_table(jsonl).to_dict("list") == {"item": ["a", "b"], "x": [1.5, 2.5]}

    @pytest.mark.parametrize("name", ["t.zip", "t.csv.zip"])
    def test_a_zip_of_one_table_reads_its_table(self, tmp_path, name):
        """A ZIP archive holding exactly one file: that file, its suffix saying the format."""
        path = _zip(tmp_path / name, {"inner/t.csv": CSV})
        assert table_suffix(path) == ".csv"
        pd.testing.assert_frame_equal(read_table(path, text_columns=["item"]), _plain(tmp_path))

    def test_a_zip_of_two_files_is_refused_naming_them(self, tmp_path):
        """Which of two tables is meant cannot be guessed."""
        path = _zip(tmp_path / "t.zip", {"a.csv": CSV, "b.csv": CSV})
        with pytest.raises(DataFileError, match=r"'.*t\.zip' must be a ZIP archive of exactly one table, got 2 files"):
            read_table(path)

    def test_a_cut_gzip_file_is_refused_naming_the_user_s_file(self, tmp_path):
        """A download cut short: the file is named, and what may be wrong."""
        path = tmp_path / "t.csv.gz"
        path.write_bytes(gzip.compress(CSV.encode() * 50)[:-12])
        with pytest.raises(DataFileError, match=r"t\.csv\.gz' could not be decompressed as gzip.*cut short"):
            read_table(path)

    @pytest.mark.skipif(importlib.util.find_spec("zstandard") is not None, reason="zstandard is installed")
    def test_zstd_without_zstandard_is_refused_naming_the_package(self, tmp_path):
        """pip install zstandard is the fix."""
        path = tmp_path / "t.csv.zst"
        path.write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 8)
        with pytest.raises(DataFileError, match=r"t\.csv\.zst' is zstd-compressed.*'zstandard' package"):
            read_table(path)

    def test_a_refusal_inside_names_the_user_s_file_not_the_copy(self, tmp_path):
        """A .txt whose delimiter is ambiguous, gzip-compressed: the refusal names t.txt.gz."""
        path = tmp_path / "t.txt.gz"
        path.write_bytes(gzip.compress(b"a,b\tc\n1,2\t3\n"))
        with pytest.raises(DataFileError) as caught:
            read_table(path)
        assert repr(str(path)) in str(caught.value) and "labelwise-plain" not in str(caught.value)

    def test_the_copy_is_made_once_and_again_when_the_file_changes(self, tmp_path):
        """Readers that open the file again get the same copy; a rewritten file gets a new one."""
        path = tmp_path / "t.csv.gz"
        path.write_bytes(gzip.compress(CSV.encode()))
        first = plain_text(path)
        assert plain_text(path) == first and first.name == "t.csv"
        path.write_bytes(gzip.compress(b"item\nz\n"))
        assert plain_text(path).read_text() == "item\nz\n"

    def test_raw_cells_and_row_lines_read_a_compressed_csv(self, tmp_path):
        """The cell as written, and a row's line, as in the plain file."""
        path = tmp_path / "t.csv.gz"
        path.write_bytes(gzip.compress(b"item,label\na,1\n\nb,NA\n"))
        assert raw_cell(path, "label", 1) == "NA"
        assert line_of_row(path, 1) == 4


class TestEncodings:
    @pytest.mark.parametrize("codec", ["utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-8-sig", "utf-32"])
    def test_text_with_a_byte_order_mark_reads_as_utf8(self, tmp_path, codec):
        """UTF-16 (either order) and UTF-32 with their mark, UTF-8 with its mark: the plain frame."""
        boms = {"utf-16-le-bom": (b"\xff\xfe", "utf-16-le"), "utf-16-be-bom": (b"\xfe\xff", "utf-16-be")}
        bom, name = boms.get(codec, (b"", codec))
        path = tmp_path / "t.csv"
        path.write_bytes(bom + (CSV + "é,4.0,1\n").encode(name))
        frame = read_table(path, text_columns=["item"])
        assert frame["item"].tolist() == ["a", "b", "007", "é"] and frame["x"].tolist() == [1.5, 2.5, 3.0, 4.0]

    def test_excel_unicode_text_reads(self, tmp_path):
        """Excel's "Unicode Text": UTF-16 LE with a mark, tab-delimited, CRLF, .txt."""
        path = tmp_path / "t.txt"
        path.write_bytes(CSV.replace(",", "\t").replace("\n", "\r\n").encode("utf-16"))
        pd.testing.assert_frame_equal(read_table(path, text_columns=["item"]), _plain(tmp_path))

    def test_a_latin1_file_is_refused_naming_the_line_and_byte(self, tmp_path):
        """No mark and not UTF-8: refused with where (no command has --encoding to offer)."""
        path = tmp_path / "t.csv"
        path.write_bytes("item,x\na,1\nb\xe9,2\n".encode("latin-1"))
        with pytest.raises(DataFileError, match=r"t\.csv' is not UTF-8 text \(line 3, byte 12\)"):
            read_table(path)

    def test_a_broken_utf16_file_is_refused_naming_it(self, tmp_path):
        """A UTF-16 mark then an odd number of bytes cut inside a surrogate pair."""
        path = tmp_path / "t.csv"
        path.write_bytes(b"\xff\xfe" + "a,b\n".encode("utf-16-le") + b"\x00\xd8")
        with pytest.raises(DataFileError, match=r"t\.csv' starts with a utf-16 byte order mark but is not utf-16"):
            read_table(path)


class TestAnnotations:
    def test_a_gzip_votes_file_reads_and_keeps_its_name(self, tmp_path):
        """A votes JSON Lines file, gzip-compressed: its answers, the source the user's file."""
        rows = [{"item": i, "sample": s, "answer": "yes" if (i + s) % 3 else "no"} for i in range(3) for s in range(3)]
        text = "".join(json.dumps(r) + "\n" for r in rows)
        plain, packed = tmp_path / "v.jsonl", tmp_path / "v.jsonl.gz"
        plain.write_text(text)
        packed.write_bytes(gzip.compress(text.encode()))
        got, want = read_annotations(packed), read_annotations(plain)
        assert got.format == want.format == "votes" and got.source == str(packed)
        pd.testing.assert_frame_equal(got.answers, want.answers)

    def test_a_zipped_mturk_batch_reads(self, tmp_path):
        """An MTurk batch CSV in a ZIP archive is recognised and read."""
        text = "HITId,WorkerId,AssignmentStatus,Answer.label\nh1,w1,Approved,cat\nh1,w2,Approved,dog\n"
        got = read_annotations(_zip(tmp_path / "batch.zip", {"batch.csv": text}))
        assert got.format == "mturk" and got.answers["label"].tolist() == ["cat", "dog"]

    def test_a_utf16_long_table_reads(self, tmp_path):
        """A long table saved as Unicode Text."""
        path = tmp_path / "a.txt"
        path.write_bytes("item\tannotator\tlabel\n1\tu\tx\n1\tv\ty\n".encode("utf-16"))
        assert read_annotations(path).answers["label"].tolist() == ["x", "y"]

    def test_an_error_in_a_compressed_export_names_the_user_s_file(self, tmp_path):
        """A missing column of a long table in a .csv.gz: the message names it."""
        path = tmp_path / "a.csv.gz"
        path.write_bytes(gzip.compress(b"item,who,label\n1,u,x\n"))
        with pytest.raises(Exception) as caught:
            read_annotations(path, "long")
        assert "a.csv.gz" in str(caught.value) and "labelwise-plain" not in str(caught.value)


class TestWrite:
    @pytest.mark.parametrize("name", ["o.csv.gz", "o.tsv.bz2", "o.jsonl.xz", "o.csv.zip"])
    def test_a_compressed_name_writes_compressed_and_reads_back(self, tmp_path, name):
        """The output's name asks for compression: compressed, read back equal, no temporary left."""
        frame = pd.DataFrame({"a": [1, 2], "b": ["x", "é"]})
        path = write_table(frame, tmp_path / name)
        assert path.read_bytes()[:2] in (b"\x1f\x8b", b"BZ", b"\xfd7", b"PK")
        pd.testing.assert_frame_equal(read_table(path), frame)
        assert sorted(p.name for p in tmp_path.iterdir()) == [name]

    def test_a_plain_name_writes_plain_text(self, tmp_path):
        """o.csv stays uncompressed."""
        assert write_table(pd.DataFrame({"a": [1]}), tmp_path / "o.csv").read_text() == "a\n1\n"

    def test_compressed_parquet_is_refused(self, tmp_path):
        """Parquet compresses its own columns: o.parquet.gz is not a format."""
        with pytest.raises(InvalidParameterError, match="each but Parquet compressed"):
            write_table(pd.DataFrame({"a": [1]}), tmp_path / "o.parquet.gz")
        assert list(tmp_path.iterdir()) == []


_CELLS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=5)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(_CELLS, st.integers(-(10**6), 10**6)), min_size=1, max_size=6),
    form=st.sampled_from(["gz", "utf16", "zip"]),
)
def test_any_table_reads_the_same_compressed_or_utf16(tmp_path, rows, form):
    """Whatever the cells (any text, quotes and commas included), the compressed or UTF-16 copy reads
    as the plain file does."""
    text = pd.DataFrame(rows, columns=["name", "n"]).to_csv(index=False)
    plain = tmp_path / "p.csv"
    plain.write_text(text, encoding="utf-8")
    if form == "gz":
        other = tmp_path / "p.csv.gz"
        other.write_bytes(gzip.compress(text.encode()))
    elif form == "zip":
        other = _zip(tmp_path / "p.zip", {"p.csv": text})
    else:
        other = tmp_path / "q.csv"
        other.write_bytes(text.encode("utf-16"))
    pd.testing.assert_frame_equal(read_table(other, text_columns=["name"]), read_table(plain, text_columns=["name"]))
