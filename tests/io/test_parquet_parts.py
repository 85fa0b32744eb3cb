"""``labelwise.io.parquet_parts.check_parquet_parts``: a folder of Parquet parts is one table only if
every part holds the same columns with values of one kind (the check compared names only, so a part
whose labels were text beside parts of integers made ``1`` and ``"1"`` two classes)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from labelwise.errors import DataFileError
from labelwise.io.parquet_parts import arrow_kind, check_parquet_parts, read_parquet_folder

COLUMNS = ["item", "annotator", "label"]


def _part(folder, name, label, label_type=None):
    """A part of 2 answers whose label column holds ``label`` (typed ``label_type`` if given)."""
    table = pa.table(
        {
            "item": pa.array([0, 1]),
            "annotator": pa.array(["a", "b"]),
            "label": pa.array(label, type=label_type),
        }
    )
    pq.write_table(table, folder / name)


class TestKinds:
    def test_text_labels_beside_integer_labels_are_refused_naming_part_column_and_types(self, tmp_path):
        """The error names the later part, the column, both kinds with their Arrow types, and the first part."""
        _part(tmp_path, "part-0.parquet", [1, 0])
        _part(tmp_path, "part-1.parquet", ["1", "0"])
        with pytest.raises(DataFileError) as info:
            check_parquet_parts(tmp_path, "PATH 'answers'", COLUMNS)
        said = str(info.value)
        assert "column 'label' holds text (string) in part 'part-1.parquet'" in said
        assert "but numbers (int64) in part 'part-0.parquet'" in said
        assert "1 and '1' would be two different values" in said

    def test_a_part_in_a_subfolder_is_named_by_its_path_in_the_folder(self, tmp_path):
        """Dask reads subfolders (hive partitions) too; the message says which file."""
        _part(tmp_path, "part-0.parquet", [True, False])
        (tmp_path / "zone=2").mkdir()
        _part(tmp_path / "zone=2", "part-0.parquet", [1.5, 2.5])
        with pytest.raises(
            DataFileError, match=r"holds numbers \(double\) in part 'zone=2/part-0.parquet' but booleans"
        ):
            check_parquet_parts(tmp_path, "PATH 'answers'", COLUMNS)

    @pytest.mark.parametrize(
        ("first", "second"),
        [
            (([1, 0], pa.int64()), ([1.0, 0.0], pa.float64())),  # pandas writes ints with a NaN as floats
            (([1, 0], pa.int32()), ([1, 0], pa.int64())),
            ((["x", "y"], pa.string()), (["x", "y"], pa.large_string())),
            ((["x", "y"], pa.dictionary(pa.int8(), pa.string())), (["y", "x"], pa.string())),  # a categorical
            (([1, 0], pa.int64()), ([None, None], pa.null())),  # a part with no label at all fits any kind
        ],
    )
    def test_types_of_one_kind_are_one_table(self, tmp_path, first, second):
        """Number widths, ints beside floats, string flavours, a categorical and an all-null column pass."""
        _part(tmp_path, "part-0.parquet", *first)
        _part(tmp_path, "part-1.parquet", *second)
        check_parquet_parts(tmp_path, "PATH 'answers'", COLUMNS)

    def test_a_missing_column_is_still_named(self, tmp_path):
        """The names check (session 37) is unchanged: the part and the columns it lacks and holds."""
        _part(tmp_path, "part-0.parquet", [1, 0])
        pd.DataFrame({"item": [0], "label": [1]}).to_parquet(tmp_path / "zz-gold.parquet")
        with pytest.raises(DataFileError, match=r"its part 'zz-gold.parquet' has no \['annotator'\]"):
            check_parquet_parts(tmp_path, "PATH 'answers'", COLUMNS)

    def test_files_dask_skips_are_not_checked(self, tmp_path):
        """_metadata, _common_metadata and hidden files are not parts."""
        _part(tmp_path, "part-0.parquet", [1, 0])
        _part(tmp_path, "_hidden.parquet", ["1", "0"])
        _part(tmp_path, ".other.parquet", ["1", "0"])
        check_parquet_parts(tmp_path, "PATH 'answers'", COLUMNS)

    def test_arrow_kinds(self):
        """The kinds the check compares."""
        assert arrow_kind(pa.uint8()) == arrow_kind(pa.float32()) == arrow_kind(pa.decimal128(5, 2)) == "numbers"
        assert arrow_kind(pa.null()) is None
        assert arrow_kind(pa.timestamp("s")) == arrow_kind(pa.date32()) == "dates or times"
        assert arrow_kind(pa.binary()) == "bytes"
        assert arrow_kind(pa.list_(pa.int64())) == "list<item: int64>"


class TestUnreadablePart:
    def test_a_corrupt_part_is_a_data_file_error_naming_the_part(self, tmp_path):
        """Bytes that are not Parquet under a part's name: DataFileError naming the folder and the part, not ArrowInvalid."""
        _part(tmp_path, "part-0.parquet", [1, 0])
        (tmp_path / "part-1.parquet").write_bytes(b"PAR1 but truncated")
        with pytest.raises(DataFileError) as info:
            check_parquet_parts(tmp_path, "--labels", COLUMNS)
        said = " ".join(str(info.value).split())
        assert f"--labels '{tmp_path}' must be a folder of Parquet parts; its part 'part-1.parquet'" in said
        assert "could not be read as Parquet" in said

    def test_read_parquet_folder_names_a_corrupt_first_part(self, tmp_path):
        """The in-memory reader's first read (the columns) goes through the same guard."""
        (tmp_path / "part-0.parquet").write_bytes(b"garbage")
        _part(tmp_path, "part-1.parquet", [1, 0])
        with pytest.raises(DataFileError, match=r"its part 'part-0.parquet' could not be read as Parquet"):
            read_parquet_folder(tmp_path, "DATA")
