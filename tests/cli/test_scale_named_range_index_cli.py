"""A Parquet file whose index is a named ``RangeIndex`` (``df.rename_axis("row").to_parquet(...)``), read at scale
as in memory.

pandas keeps such an index in the file's metadata only (start, stop, step), not as a column. The in-memory reader
reads it as the column ``row``; each part of a folder has its own range (``df.to_parquet`` in a loop). Before session
57, ``--scheduler`` and folders of parts refused it (``_refuse_named_range_index``: Dask's reader failed with
``KeyError: '[nan] not in index'``, and with labelwise's engine it dropped the column in silence), and the in-memory
folder reader dropped the column (pyarrow restores one range for the whole table only when its length is the
table's). Now each part's own range is its rows' ``row``, in memory and at scale, for a partition of any row groups of
a file too, and the audit, its ids and its export are the in-memory ones.
"""

from __future__ import annotations

from pathlib import Path

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.cli import main
from labelwise.cli._dask_parquet import IndexAsColumns
from labelwise.cli._scale import read_parquet_rows
from labelwise.review.store import DecisionStore
from tests.cli.test_scale_parquet_shapes_cli import _at_scale, _in_memory, _probs, _table

#: Each part's ``(start, step, rows)``: steps other than 1, an empty part, a descending range.
PARTS = [(100, 2, 7), (0, 1, 0), (5, 3, 9), (-4, -1, 8)]


def _ranged(frame: pd.DataFrame, start: int, step: int, name: str = "row") -> pd.DataFrame:
    """``frame`` on the ``RangeIndex`` ``start, start + step, ...`` named ``name``."""
    return frame.set_index(pd.RangeIndex(start, start + step * len(frame), step, name=name))


def _write_parts(frame: pd.DataFrame, folder: Path, spec=PARTS, name: str = "row") -> Path:
    """``frame``'s rows, in order, as one part per ``spec`` entry, each written with its own named range."""
    folder.mkdir()
    first = 0
    for i, (start, step, rows) in enumerate(spec):
        _ranged(frame.iloc[first : first + rows], start, step, name).to_parquet(folder / f"part.{i}.parquet")
        first += rows
    return folder


def _expected(frame: pd.DataFrame, spec=PARTS, name: str = "row") -> pd.DataFrame:
    """What both readers must give: each part's own range under ``name``, first, then the columns."""
    values = np.concatenate([np.arange(rows, dtype=np.int64) * step + start for start, step, rows in spec])
    return frame.iloc[: len(values)].reset_index(drop=True).assign(**{name: values})[[name, *frame.columns]]


def _both_read(data: Path, expected: pd.DataFrame) -> None:
    """The in-memory reader and the scale reader give ``expected`` (Dask's texts aside)."""
    pd.testing.assert_frame_equal(_in_memory(data), expected, check_dtype=False)
    pd.testing.assert_frame_equal(_at_scale(data), expected, check_dtype=False)


def _invoke(*args: object) -> str:
    result = CliRunner().invoke(main, [*map(str, args)])
    assert result.exit_code == 0, result.output
    return result.output


class TestReadAtScaleAsInMemory:
    def test_a_single_file_reads_its_range_as_the_first_column(self, tmp_path):
        """``rename_axis("row")`` with start 5 and step 3: the column ``row`` holds 5, 8, 11, ... in both readers."""
        _ranged(_table(), 5, 3).to_parquet(path := tmp_path / "data.parquet")
        _both_read(path, _expected(_table(), [(5, 3, 24)]))
        assert _at_scale(path)["row"].dtype == np.int64

    def test_a_folder_reads_each_parts_own_range(self, tmp_path):
        """Parts with different starts and steps, an empty part and a descending range: each part's rows hold its
        own range (main: refused at scale, and the column dropped in memory)."""
        data = _write_parts(_table(), tmp_path / "data")
        _both_read(data, _expected(_table()))

    def test_a_partition_of_some_row_groups_is_numbered_through_its_file(self, tmp_path):
        """Dask reads a file of 6 row groups as 6 partitions: each gets its rows' values of the file's range, not
        its own ``0..n-1``; a read of the column alone gives the same values."""
        _ranged(_table(), 10, 7).to_parquet(path := tmp_path / "data.parquet", row_group_size=4)
        frame = dd.read_parquet(str(path), engine=IndexAsColumns, split_row_groups=1)
        assert frame.npartitions == 6
        got = frame.compute(scheduler="synchronous").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, _expected(_table(), [(10, 7, 24)]), check_dtype=False)
        assert frame["row"].compute(scheduler="synchronous").tolist() == list(range(10, 10 + 7 * 24, 7))

    def test_the_column_read_alone_is_the_range(self, tmp_path):
        """A projected read (as ``--id-column row`` reads its column) gives the parts' ranges."""
        data = _write_parts(_table(), tmp_path / "data")
        got = read_parquet_rows(data, "DATA")[["row"]].compute(scheduler="synchronous")
        assert got["row"].tolist() == _expected(_table())["row"].tolist()

    def test_parts_written_by_dask_hold_the_index_as_a_column(self, tmp_path):
        """``dd.to_parquet`` of a frame on a named range writes the index as a column: read as in memory (a
        guard: main read these already)."""
        dd.from_pandas(_table().rename_axis("row"), npartitions=3).to_parquet(tmp_path / "data")
        _both_read(tmp_path / "data", _expected(_table(), [(0, 1, 24)]))

    @pytest.mark.parametrize("parts", [1, 3])
    def test_a_range_named_as_a_column_leaves_the_column(self, tmp_path, parts):
        """A range named ``x`` beside a column ``x``: the column keeps its values and no second ``x`` is made, as
        ``labelwise.io.read_table`` reads such a file."""
        if parts == 1:
            _ranged(_table(), 50, 1, name="x").to_parquet(data := tmp_path / "data.parquet")
        else:
            data = _write_parts(_table(), tmp_path / "data", [(50, 1, 8), (0, 2, 8), (9, 1, 8)], name="x")
        _both_read(data, _table())


class TestPartsThatDisagree:
    def test_a_part_without_the_range_is_refused_naming_it(self, tmp_path):
        """A part on an unnamed index lacks ``row``: both readers name that part (main read the folder without
        ``row`` in memory, in silence)."""
        data = _write_parts(_table(16), tmp_path / "data", [(0, 1, 8)])
        _table(16).iloc[8:].to_parquet(data / "part.1.parquet")
        for read in (_in_memory, _at_scale):
            with pytest.raises(Exception, match=r"'part\.1\.parquet' has no \['row'\]"):
                read(data)

    def test_a_part_holding_the_name_as_a_column_beside_a_range_is_refused(self, tmp_path):
        """``row`` a range in one part and a stored column in another: both readers name both parts."""
        data = _write_parts(_table(16), tmp_path / "data", [(0, 1, 8)])
        _ranged(_table(16).iloc[8:], 8, 1).reset_index().to_parquet(data / "part.1.parquet", index=False)
        for read in (_in_memory, _at_scale):
            with pytest.raises(Exception, match=r"'row'.*'part\.1\.parquet'.*'part\.0\.parquet'"):
                read(data)

    def test_parts_written_with_partition_cols_keep_another_tables_range_and_are_refused(self, tmp_path):
        """``df.to_parquet(folder, partition_cols=["kind"])`` keeps the whole frame's range (24 values) in each part
        of fewer rows: it numbers no part's rows, and both readers say so (main: in memory, pandas' numbering of
        the rows in partition order, which moves each row's value; at scale, refused)."""
        _ranged(_table(), 0, 1).to_parquet(tmp_path / "data", partition_cols=["kind"])
        for read in (_in_memory, _at_scale):
            with pytest.raises(
                Exception, match=r"RangeIndex 'row' of 24 values in its pandas metadata for its \d+ rows"
            ):
                read(tmp_path / "data")


class TestCommandsAtScale:
    def _audit(self, data: Path, probs: Path, out: Path, *extra: object) -> pd.DataFrame:
        """``labelwise audit DATA --id-column row``: its rows by row number, the ids as integers."""
        _invoke("audit", data, "--label", "y", "--id-column", "row", "--probs", probs, "--out", out, "--quiet", *extra)
        issues = out / "issues.parquet"
        read = pd.read_parquet(issues) if issues.exists() else pd.read_csv(out / "issues.csv")
        return read.sort_values("row").reset_index(drop=True)

    @pytest.mark.parametrize("parts", [1, 4])
    def test_audit_with_id_column_row_at_scale_equals_the_in_memory_audit(self, tmp_path, parts):
        """``--id-column row`` names the range: the ids written at scale are the in-memory audit's, each row's
        own value of its part's range."""
        if parts == 1:
            _ranged(_table(), 5, 3).to_parquet(data := tmp_path / "data.parquet")
        else:
            data = _write_parts(_table(), tmp_path / "data")
        probs = _probs(24, tmp_path / "probs.npy")
        in_memory = self._audit(data, probs, tmp_path / "memory")
        at_scale = self._audit(data, probs, tmp_path / "scale", "--scheduler", "synchronous")
        assert list(at_scale.columns[:2]) == list(in_memory.columns[:2]) == ["row", "id"]  # DATA's row, as id
        pd.testing.assert_frame_equal(at_scale, in_memory[at_scale.columns], check_dtype=False)
        spec = [(5, 3, 24)] if parts == 1 else PARTS
        assert at_scale["id"].tolist() == _expected(_table(), spec)["row"].tolist()

    @pytest.mark.parametrize("suffix", [".parquet", ".csv"])
    def test_the_export_of_the_audit_at_scale_is_the_in_memory_audits(self, tmp_path, suffix):
        """Audited at scale and in memory with ``--id-column row``, the same decisions recorded: ``labelwise
        export`` writes the same file, ``row`` holding each part's range."""
        data = _write_parts(_table(), tmp_path / "data")
        probs = _probs(24, tmp_path / "probs.npy")
        written = []
        for out, extra in [("memory", ()), ("scale", ("--scheduler", "synchronous"))]:
            self._audit(data, probs, tmp_path / out, *extra)
            store = DecisionStore(tmp_path / out / "review.sqlite")
            store.record(3, "exclude", version=0, reviewer="me")
            store.record(11, "relabel", version=0, reviewer="me", label=0)
            _invoke("export", tmp_path / out, "--out", tmp_path / f"{out}{suffix}")
            written.append((tmp_path / f"{out}{suffix}").read_bytes())
        assert written[0] == written[1]
        read = (pd.read_parquet if suffix == ".parquet" else pd.read_csv)(tmp_path / f"scale{suffix}")
        assert read["row"].tolist() == [v for i, v in enumerate(_expected(_table())["row"]) if i != 3]

    def test_aggregate_of_answers_on_a_named_range_equals_the_flat_file(self, tmp_path):
        """``labelwise aggregate`` of a folder of answer parts on named ranges (main: refused) writes the labels
        of the same answers stored without an index."""
        rng = np.random.default_rng(45)
        rows = [(f"q{i:02d}", who, str(rng.choice(["cat", "dog"]))) for i in range(12) for who in "abc"]
        answers = pd.DataFrame(rows, columns=["item", "annotator", "label"])
        _write_parts(answers, tmp_path / "parts", [(0, 1, 18), (18, 1, 18)])
        answers.to_parquet(tmp_path / "flat.parquet", index=False)
        for data, out in [("parts", "by_parts"), ("flat.parquet", "by_file")]:
            _invoke("aggregate", tmp_path / data, "--out", tmp_path / out, "--quiet", "--scheduler", "synchronous")
        got, want = (pd.read_csv(tmp_path / out / "labels.csv") for out in ["by_parts", "by_file"])
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    spec=st.lists(
        st.tuples(st.integers(-50, 50), st.sampled_from([-2, -1, 1, 2, 3]), st.integers(0, 8)), min_size=1, max_size=4
    ).filter(lambda parts: sum(rows for _, _, rows in parts) > 0),
    name=st.sampled_from(["row", "x"]),
    seed=st.integers(0, 2**16),
)
def test_any_parts_read_at_scale_as_in_memory(tmp_path_factory, spec, name, seed):
    """For any parts' ranges (any start, step and size, empty parts among them) and a name that is new or a
    column's: the scale reader's rows are the in-memory reader's, each part's own range (or the column)."""
    frame = _table(sum(rows for _, _, rows in spec), seed)
    data = _write_parts(frame, tmp_path_factory.mktemp("ranges") / "data", spec, name)
    _both_read(data, frame if name == "x" else _expected(frame, spec))
