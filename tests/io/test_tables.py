"""Reading tables and writing files atomically."""

from __future__ import annotations

import errno
import json
import os
import re
import stat

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import DataFileError, StorageError
from labelwise.io import atomic_write, read_table, write_csv, write_json, write_npy


class TestReadTable:
    """read_table reads CSV, Parquet and JSON Lines, with clear errors."""

    def test_formats_round_trip(self, tmp_path):
        """The same frame comes back from CSV, Parquet and JSONL."""
        frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
        frame.to_csv(tmp_path / "t.csv", index=False)
        frame.to_parquet(tmp_path / "t.parquet")
        frame.to_json(tmp_path / "t.jsonl", orient="records", lines=True)
        for name in ["t.csv", "t.parquet", "t.jsonl"]:
            pd.testing.assert_frame_equal(read_table(tmp_path / name), frame)

    def test_missing_file(self, tmp_path):
        """A missing file is named."""
        with pytest.raises(DataFileError, match="does not exist"):
            read_table(tmp_path / "nope.csv")

    def test_empty_file(self, tmp_path):
        """An empty file says so."""
        (tmp_path / "e.csv").write_text("")
        with pytest.raises(DataFileError, match="is empty"):
            read_table(tmp_path / "e.csv")

    def test_header_only(self, tmp_path):
        """A header without rows is an error."""
        (tmp_path / "h.csv").write_text("a,b\n")
        with pytest.raises(DataFileError, match="no rows"):
            read_table(tmp_path / "h.csv")

    def test_an_empty_json_list_is_not_called_a_header(self, tmp_path):
        """'[]' was reported as 'has a header but no rows'; a JSON file has no header."""
        (tmp_path / "e.json").write_text("[]\n")
        with pytest.raises(DataFileError, match=r"e\.json' has no rows \(no records\)"):
            read_table(tmp_path / "e.json")

    def test_malformed_jsonl_names_the_line(self, tmp_path):
        """A broken JSON line is reported with its number."""
        (tmp_path / "bad.jsonl").write_text('{"a": 1}\n{"a": 2}\n{"a": \n')
        with pytest.raises(DataFileError, match="line 3 is not valid JSON"):
            read_table(tmp_path / "bad.jsonl")

    def test_malformed_csv(self, tmp_path):
        """A CSV row with too many fields is reported."""
        (tmp_path / "bad.csv").write_text("a,b\n1,2\n3,4,5,6\n")
        with pytest.raises(DataFileError, match=r"bad\.csv.: line 3 has 4 cells, but the header names 2 columns"):
            read_table(tmp_path / "bad.csv")

    def test_corrupt_parquet(self, tmp_path):
        """Garbage in a .parquet file is reported, not a pyarrow traceback."""
        (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
        with pytest.raises(DataFileError, match="could not be read"):
            read_table(tmp_path / "bad.parquet")

    def test_unsupported_suffix(self, tmp_path):
        """An unknown suffix lists the supported ones."""
        (tmp_path / "x.xlsx").write_text("x")
        with pytest.raises(DataFileError, match="must end in one of"):
            read_table(tmp_path / "x.xlsx")

    @pytest.mark.parametrize(("name", "text"), [("d.csv", "a,y,y\n1,p,p\n"), ("d.tsv", "a\ty\ty\n1\tp\tp\n")])
    def test_repeated_column_name_is_refused(self, tmp_path, name, text):
        """pandas renamed a repeated 'y' to 'y.1': a duplicated label column became a feature; now an error."""
        (tmp_path / name).write_text(text)
        with pytest.raises(DataFileError, match=r"unique column names; the header repeats 'y' \(columns \[2, 3\]\)"):
            read_table(tmp_path / name)

    def test_names_that_only_look_repeated_are_kept(self, tmp_path):
        """A real column named 'y.1' beside 'y' is not a repetition."""
        (tmp_path / "d.csv").write_text("y,y.1\n1,2\n")
        assert list(read_table(tmp_path / "d.csv").columns) == ["y", "y.1"]

    @pytest.mark.parametrize("texts", [["01", "1", "2"], ["1", "1.0", "2"], ["01", "1.0", " 2"]])
    def test_label_texts_that_parse_to_one_number_stay_distinct_classes(self, tmp_path, texts):
        """'01' and '1.0' were read as the number 1: two classes merged into one; a label column keeps its texts."""
        path = tmp_path / "d.csv"
        pd.DataFrame({"x": [0.5, 1.5, 2.5, 3.5], "y": [*texts, texts[0]]}).to_csv(path, index=False)
        frame = read_table(path, text_columns=["y"])
        assert frame["y"].tolist() == [t.strip() for t in [*texts, texts[0]]]
        assert frame["x"].dtype == np.float64  # the other columns are read as numbers

    def test_label_numbers_with_one_text_each_stay_numbers(self, tmp_path):
        """Integer labels (one spelling per number) and missing cells read as before."""
        path = tmp_path / "d.csv"
        path.write_text("x,y\n1,3\n2,\n3,10\n4,3\n")
        frame = read_table(path, text_columns=["y", "absent"])
        assert frame["y"].dtype == np.float64 and frame["y"].isna().tolist() == [False, True, False, False]
        assert read_table(path)["y"].tolist()[::2] == [3.0, 10.0]

    def test_label_texts_with_a_missing_cell_keep_it_missing(self, tmp_path):
        """A kept text column has None where the cell was empty, so the label check still names the row."""
        path = tmp_path / "d.csv"
        path.write_text("x,y\n1,01\n2,\n3,1\n")
        y = read_table(path, text_columns=["y"])["y"]
        assert y.isna().tolist() == [False, True, False]
        assert y[[0, 2]].tolist() == ["01", "1"]


def write_by_suffix(frame: pd.DataFrame, path):
    """``frame`` written to ``path`` as the suffix says (CSV, JSON Lines or a JSON list of records)."""
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=path.suffix == ".jsonl")
    return path


class TestTextColumns:
    """read_table's text_columns keep apart the labels and ids a number parser would merge."""

    @pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
    def test_a_callable_names_the_text_columns_from_the_header(self, tmp_path, suffix):
        """text_columns may be a function of the column names: the only column, named after reading."""
        from labelwise.io.tables import lone_column

        def written(frame, name):
            path = tmp_path / f"{name}{suffix}"
            if suffix == ".csv":
                frame.to_csv(path, index=False)
            else:
                frame.to_json(path, orient="records", lines=True)
            return path

        alone = pd.DataFrame({"whatever": ["01", "1", "2"]})
        assert read_table(written(alone, "one"), text_columns=lone_column)["whatever"].tolist() == ["01", "1", "2"]
        beside = alone.assign(x=[0.5, 1.5, 2.5])
        assert read_table(written(beside, "two"), text_columns=lone_column)["whatever"].tolist() == [1, 1, 2]

    def test_blanks_around_integer_labels_are_layout_not_text(self, tmp_path):
        """A CSV written with a space after each comma keeps integer labels (" 1" is 1, as pandas reads it)."""
        path = tmp_path / "spaced.csv"
        path.write_text("x,y\n0.5, 1\n1.5, 0\n2.5,1\n")
        y = read_table(path, text_columns=["y"])["y"]
        assert y.dtype.kind == "i"
        assert y.tolist() == [1, 0, 1]

    @pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json"])
    def test_zero_padded_label_stays_its_own_class(self, tmp_path, suffix):
        """Labels "01" and "1" in a column are read as two values, in CSV and in JSON."""
        path = write_by_suffix(pd.DataFrame({"x": [0.5, 1.5, 2.5], "y": ["01", "1", "01"]}), tmp_path / f"t{suffix}")
        read = read_table(path, text_columns=["y", "absent"])
        assert read["y"].tolist() == ["01", "1", "01"]
        assert read["x"].dtype == np.float64  # other columns are parsed as before
        assert read_table(path)["y"].tolist() == [1, 1, 1]  # what the parser alone makes of them

    def test_plain_integers_are_still_integers(self, tmp_path):
        """A label column of ordinary integers is read as int64, as without text_columns."""
        (tmp_path / "t.csv").write_text("x,y\n1,0\n2,1\n3,2\n")
        read = read_table(tmp_path / "t.csv", text_columns=["y"])
        assert read["y"].dtype == np.int64 and read["y"].tolist() == [0, 1, 2]

    def test_float_spellings_and_gaps_in_a_csv(self, tmp_path):
        """Labels "1.0" and "1" stay two values; integers with an empty cell are floats as before."""
        (tmp_path / "t.csv").write_text("x,y,z\n1,1.0,4\n2,1,\n3,,5\n")
        read = read_table(tmp_path / "t.csv", text_columns=["y", "z"])
        assert read["y"].iloc[:2].tolist() == ["1.0", "1"] and pd.isna(read["y"].iloc[2])
        assert read["z"].dtype == np.float64 and read["z"].iloc[[0, 2]].tolist() == [4.0, 5.0]

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.from_regex(r"[+-]?[0-9]{1,3}(\.[0-9]{0,2})?", fullmatch=True), min_size=1, max_size=10))
    def test_distinct_texts_in_a_csv_are_distinct_values(self, tmp_path_factory, texts):
        """However the numbers are written, two different cells of a text column are two values."""
        path = tmp_path_factory.mktemp("t") / "t.csv"
        path.write_text("y\n" + "\n".join(texts) + "\n")
        read = read_table(path, text_columns=["y"])["y"]
        assert read.nunique() == len(set(texts))

    @settings(max_examples=30, deadline=None)
    @given(
        texts=st.lists(
            st.from_regex(r"[+-]?[0-9]{1,2}(\.[0-9]{0,2})?([eE][+-]?[0-9])?|[a-c]{1,2}", fullmatch=True),
            min_size=2,
            max_size=12,
        ),
        suffix=st.sampled_from([".csv", ".jsonl"]),
        seed=st.integers(0, 1000),
    )
    def test_rows_permuted_read_as_the_same_values_grouped_as_written(self, tmp_path_factory, texts, suffix, seed):
        """A label column of texts (numbers written any way, with exponents, words) read as a text
        column: two cells are equal exactly when their texts are, in CSV and JSON Lines, and writing
        the rows in another order reads each cell as the same value (the choice of text or numbers
        is made on the whole column, so it does not depend on the order)."""
        folder = tmp_path_factory.mktemp("t")
        order = np.random.default_rng(seed).permutation(len(texts))

        def read(rows: list[str], name: str) -> pd.Series:
            frame = pd.DataFrame({"x": np.arange(len(rows), dtype=float), "y": rows})
            return read_table(write_by_suffix(frame, folder / f"{name}{suffix}"), text_columns=["y"])["y"]

        a = read(texts, "a")
        b = read([texts[i] for i in order], "b")
        assert b.tolist() == a.iloc[order].tolist()
        same_text = np.equal.outer(np.array(texts, dtype=object), np.array(texts, dtype=object))
        values = a.to_numpy(dtype=object)
        assert np.array_equal(np.equal.outer(values, values), same_text)

    @pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
    def test_boolean_spellings_stay_distinct_values(self, tmp_path, suffix):
        """Labels "True" and "true" are two texts, so two values, as "01" and "1" are."""
        path = write_by_suffix(
            pd.DataFrame({"x": [0.5, 1.5, 2.5], "y": ["True", "true", "True"]}), tmp_path / f"t{suffix}"
        )
        assert read_table(path, text_columns=["y"])["y"].nunique() == 2

    @pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
    def test_booleans_spelled_one_way_stay_booleans(self, tmp_path, suffix):
        """A column of "True" and "False", each written one way, stays boolean."""
        frame = pd.DataFrame({"x": [0.5, 1.5, 2.5], "y": ["True", "False", "True"]})
        read = read_table(write_by_suffix(frame, tmp_path / f"t{suffix}"), text_columns=["y"])["y"]
        assert read.dtype == bool and read.tolist() == [True, False, True]

    def test_parquet_keeps_its_types(self, tmp_path):
        """Parquet columns are typed by the file; text_columns changes nothing there."""
        pd.DataFrame({"y": ["01", "1"]}).to_parquet(tmp_path / "t.parquet")
        assert read_table(tmp_path / "t.parquet", text_columns=["y"])["y"].tolist() == ["01", "1"]


class TestNotUtf8:
    """A file that is not UTF-8 is named with the line and byte of the first bad bytes, and the fix."""

    def test_read_table_names_the_line(self, tmp_path):
        """A Latin-1 CSV (an accented word on line 3) says where and how to re-save it."""
        (tmp_path / "d.csv").write_bytes("a,y\n1,x\n2,caf\xe9\n".encode("latin-1"))
        with pytest.raises(DataFileError, match=r"'.*d.csv' is not UTF-8 text \(line 3, byte 13\); save it as UTF-8"):
            read_table(tmp_path / "d.csv")

    def test_json_lines_name_the_line(self, tmp_path):
        """The same for JSON Lines."""
        (tmp_path / "d.jsonl").write_bytes(b'{"a": 1}\n{"a": "\xff"}\n')
        with pytest.raises(DataFileError, match=r"is not UTF-8 text \(line 2, byte 16\)"):
            read_table(tmp_path / "d.jsonl")

    @settings(max_examples=60, deadline=None)
    @given(
        st.text(alphabet=st.sampled_from("ab\né€😀"), max_size=40),
        st.integers(0, 40),
        st.integers(1, 7),
        st.booleans(),
    )
    def test_agrees_with_python_decoding_at_any_block_size(self, text, cut, block, corrupt):
        """Line and byte match bytes.decode's error position for any block size (characters split across blocks)."""
        import tempfile
        from pathlib import Path

        from labelwise.io.tables import first_non_utf8

        raw = text.encode("utf-8")
        if corrupt:
            cut = min(cut, len(raw))
            raw = raw[:cut] + b"\xff" + raw[cut:]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "t.txt"
            path.write_bytes(raw)
            found = first_non_utf8(path, block=block)
        try:
            raw.decode("utf-8")
            expected = None
        except UnicodeDecodeError as exc:
            expected = (raw.count(b"\n", 0, exc.start) + 1, exc.start)
        assert found == expected


class TestAtomicWrite:
    """Files are replaced whole or not at all."""

    @pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
    def test_failure_or_interrupt_keeps_the_old_file_and_leaves_no_temporary(self, tmp_path, error):
        """An exception or Ctrl-C mid-write propagates, keeps the previous content, removes the temporary."""
        target = tmp_path / "issues.csv"
        target.write_text("old")
        with pytest.raises(error):
            with atomic_write(target) as fh:
                fh.write("half")
                raise error
        assert target.read_text() == "old"
        assert os.listdir(tmp_path) == ["issues.csv"]

    def test_a_file_in_place_of_the_folder_is_a_storage_error(self, tmp_path):
        """A file where the destination's folder should be: StorageError naming both, nothing written."""
        (tmp_path / "out").write_text("mine")
        with pytest.raises(StorageError, match=re.escape(f"{str(tmp_path / 'out')!r} is a file, not a folder")):
            write_csv(pd.DataFrame({"a": [1]}), tmp_path / "out" / "issues.csv")
        assert (tmp_path / "out").read_text() == "mine"

    def test_a_failed_write_is_a_storage_error(self, tmp_path, monkeypatch):
        """An OS error while writing (here: a full disk at the rename) is a StorageError; the old file stays."""
        target = tmp_path / "summary.json"
        target.write_text("old")

        def full(*args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "replace", full)
        with pytest.raises(StorageError, match="cannot write .*summary.json': No space left on device"):
            write_json({"a": 1}, target)
        assert target.read_text() == "old"
        assert os.listdir(tmp_path) == ["summary.json"]

    @pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
    @pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o002, 0o664)])
    def test_a_new_file_gets_the_mode_open_would_give(self, tmp_path, umask, expected):
        """A new file is 0o666 less the umask, as with open() (mkstemp's temporary is 0o600, owner only)."""
        old = os.umask(umask)
        try:
            write_csv(pd.DataFrame({"a": [1]}), tmp_path / "issues.csv")
        finally:
            os.umask(old)
        assert stat.S_IMODE((tmp_path / "issues.csv").stat().st_mode) == expected

    @pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
    def test_a_replaced_file_keeps_its_mode(self, tmp_path):
        """Replacing a file keeps the permissions its owner gave it."""
        target = tmp_path / "summary.json"
        target.write_text("{}")
        target.chmod(0o640)
        write_json({"a": 1}, target)
        assert stat.S_IMODE(target.stat().st_mode) == 0o640 and json.loads(target.read_text()) == {"a": 1}

    def test_writers(self, tmp_path):
        """CSV, JSON and NPY writers produce readable files."""
        write_csv(pd.DataFrame({"a": [1]}), tmp_path / "a.csv")
        write_json({"x": np.int64(3), "y": np.array([1.5])}, tmp_path / "a.json")
        write_npy(np.eye(2), tmp_path / "a.npy")
        assert read_table(tmp_path / "a.csv")["a"].tolist() == [1]
        assert json.loads((tmp_path / "a.json").read_text()) == {"x": 3, "y": [1.5]}
        np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), np.eye(2))
