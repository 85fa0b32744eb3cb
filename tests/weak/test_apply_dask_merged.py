"""``weak.apply`` on Dask frames of tiny partitions: neighbouring partitions labelled together
(``labelwise.weak._apply_groups``), with the votes, items and errors of labelling them one by one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelwise import _chunk_floor
from labelwise.errors import ShapeMismatchError
from labelwise.weak import LabelingFunctionError, apply, labeling_function

from .test_apply_dask_properties import LFS, SETTINGS, _outcome, _partitioned, frames
from .test_apply_dask_properties import _assert_same_votes as _assert_same_outcome
from .test_apply_dask_walk import breaks_above_two, breaks_above_two_vectorized, by_x, five_above_one, is_a

dd = pytest.importorskip("dask.dataframe")
pytestmark = pytest.mark.usefixtures("dask_two_threads", "merged_row_chunks")


@pytest.fixture(autouse=True)
def _two_threads(monkeypatch):
    """The floor's threads at 2 whatever the machine (frames of more partitions are merged)."""
    monkeypatch.setattr(_chunk_floor, "task_threads", lambda: 2)


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    n = 103
    return pd.DataFrame({"x": rng.normal(size=n), "t": rng.choice(["a", "b", "c"], n)})


class Calls:
    """A vectorised function that counts its calls (one per labelled frame)."""

    def __init__(self) -> None:
        self.n = 0

        def sign(df):
            self.n += 1
            return np.where(df.x > 0, 1, 0)

        self.lf = labeling_function(vectorized=True, name="sign")(sign)


def _unmerged(monkeypatch, lfs, lazy, **kwargs):
    """``apply`` with the floor off: the partitions labelled one by one (main's computation)."""
    with monkeypatch.context() as m:
        m.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 0)
        return apply(lfs, lazy, **kwargs)


def _assert_same_votes(got, expected) -> None:
    """The long table (row order and dtypes included), the items and the matrix, exactly."""
    pd.testing.assert_frame_equal(got.answers, expected.answers)
    pd.testing.assert_index_equal(pd.Index(got.items), pd.Index(expected.items), exact=False)
    np.testing.assert_array_equal(got.matrix(), expected.matrix())


def _csv_files(frame, tmp_path, rows):
    """Files of ``rows`` rows read by ``dd.read_csv``: each partition its own ``0..len-1`` index."""
    for i, start in enumerate(range(0, len(frame), rows)):
        frame.iloc[start : start + rows].to_csv(tmp_path / f"part{i:03d}.csv", index=False)
    return dd.read_csv(str(tmp_path / "part*.csv"))


def _csv_parts(frame, tmp_path):
    """Three CSV files of 40, 1 and 62 rows (the walk's, tests/weak/test_apply_dask_walk.py)."""
    for i, (lo, hi) in enumerate([(0, 40), (40, 41), (41, len(frame))]):
        frame.iloc[lo:hi].to_csv(tmp_path / f"part{i}.csv", index=False)
    return dd.read_csv(str(tmp_path / "part*.csv"))


class TestMerged:
    def test_one_row_partitions_are_labelled_in_one_call_with_the_unmerged_votes(self, frame, monkeypatch):
        """103 one-row partitions (a text index): each function is called once, not 103 times, and
        the long table, items and matrix are those of the partitions labelled one by one, and pandas'."""
        memory = frame.set_index(pd.Index([f"r{i}" for i in range(len(frame))]))
        lazy = dd.from_pandas(memory, chunksize=1, sort=False)
        assert lazy.npartitions == len(frame)
        calls = Calls()
        merged = apply([by_x, calls.lf, is_a], lazy)
        assert calls.n == 1
        unmerged = _unmerged(monkeypatch, [by_x, calls.lf, is_a], lazy)
        assert calls.n == 1 + len(frame)
        _assert_same_votes(merged, unmerged)
        expected = apply([by_x, calls.lf, is_a], memory)
        assert list(merged.items) == list(expected.items)
        np.testing.assert_array_equal(merged.matrix(), expected.matrix())

    def test_read_csv_files_are_numbered_through_the_files(self, frame, tmp_path, monkeypatch):
        """Eleven files of up to 10 rows (each partition's index its own 0..9): items 0..102 and the
        votes of labelling the files one by one, and of pandas on the whole table."""
        lazy = _csv_files(frame, tmp_path, 10)
        calls = Calls()
        merged = apply([by_x, calls.lf], lazy)
        assert calls.n == 1
        pd.testing.assert_index_equal(pd.Index(merged.items), pd.RangeIndex(len(frame)), exact=False)
        _assert_same_votes(merged, _unmerged(monkeypatch, [by_x, calls.lf], lazy))
        np.testing.assert_array_equal(merged.matrix(), apply([by_x, calls.lf], frame).matrix())

    def test_a_function_of_the_index_sees_the_rows_numbered_as_pandas_read_csv_numbers_them(self, frame, tmp_path):
        """Merged files of 7 rows are labelled with the rows numbered through the files (the items),
        so a function of the index votes as on the whole table in pandas (labelled one by one, each
        file's rows are numbered 0..6)."""
        odd = labeling_function(vectorized=True, name="odd")(lambda df: np.asarray(df.index) % 2)
        merged = apply([odd], _csv_files(frame, tmp_path, 7))
        np.testing.assert_array_equal(merged.matrix(), apply([odd], frame).matrix())

    def test_empty_partitions_among_tiny_ones_change_nothing(self, frame, monkeypatch):
        """Empty partitions first, between and last: the unmerged votes."""
        cuts = [0, 0, 1, 5, 5, 5, 40, 41, 103, 103]
        parts = [frame.iloc[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
        lazy = dd.concat([dd.from_pandas(p, npartitions=1) for p in parts])
        calls = Calls()
        merged = apply([by_x, calls.lf, is_a], lazy)
        assert calls.n == 1
        _assert_same_votes(merged, _unmerged(monkeypatch, [by_x, calls.lf, is_a], lazy))

    def test_no_more_partitions_than_threads_are_labelled_one_by_one(self, frame):
        """Two tiny partitions on two threads: nothing to merge away, no measuring pass."""
        calls = Calls()
        apply([calls.lf], dd.from_pandas(frame, npartitions=2))
        assert calls.n == 2

    def test_a_first_partition_of_the_minimum_or_more_labels_the_partitions_one_by_one(self, frame, monkeypatch):
        """A first partition of ``MIN_CHUNK_BYTES`` (lowered to 100 bytes here) or more: no
        measuring pass, no group, though the floor is higher."""
        monkeypatch.setattr(_chunk_floor, "MIN_CHUNK_BYTES", 100)
        calls = Calls()
        lazy = dd.from_pandas(frame, npartitions=4)
        apply([calls.lf], lazy)
        assert calls.n == 4


@SETTINGS
@given(frame=frames(), data=st.data(), own_index=st.booleans(), kind=st.sampled_from(sorted(LFS)))
def test_merged_partitions_give_memory_s_votes_matrix_and_label_model(frame, data, own_index, kind):
    """The walk's property (tests/weak/test_apply_dask_properties.py) with the floor on: 1..5
    partitions, empty ones anywhere, the frame's index or each partition's own, labelled in groups
    (more partitions than the 2 threads): memory's votes, matrix and posteriors, or its error."""
    cuts = data.draw(st.lists(st.integers(0, len(frame)), max_size=4), label="cuts")
    lfs = LFS[kind]
    _assert_same_outcome(_outcome(lfs, _partitioned(frame, cuts, own_index)), _outcome(lfs, frame))


class TestErrors:
    @pytest.mark.parametrize("lf", [breaks_above_two, breaks_above_two_vectorized])
    def test_a_function_that_raises_names_the_row_and_partition_as_unmerged(self, frame, tmp_path, monkeypatch, lf):
        """Files of 40, 1 and 62 rows merged into one group: the error names row 79 through the
        files and partition 2, as labelling them one by one does, and as pandas names the row."""
        (row,) = np.flatnonzero(frame.x > 2)
        lazy = _csv_parts(frame, tmp_path)
        with pytest.raises(LabelingFunctionError) as in_memory:
            apply([lf], frame)
        with pytest.raises(LabelingFunctionError) as unmerged:
            _unmerged(monkeypatch, [lf], lazy)
        with pytest.raises(LabelingFunctionError) as merged:
            apply([lf], lazy)
        assert str(merged.value) == str(unmerged.value) == str(in_memory.value)
        got, expected = merged.value, unmerged.value
        assert (got.row, got.position, got.partition) == (expected.row, expected.position, expected.partition)
        assert got.row == row and got.partition == 2

    def test_a_unique_index_names_its_own_label_and_position_in_the_partition(self, frame, monkeypatch):
        """A sparse unique index in 7-row partitions: the row's label, its position in its own
        partition and that partition's number, as unmerged."""
        memory = frame.set_index(pd.Index(np.arange(len(frame)) * 7 + 1000))
        lazy = dd.from_pandas(memory, chunksize=7)
        with pytest.raises(LabelingFunctionError) as unmerged:
            _unmerged(monkeypatch, [breaks_above_two], lazy)
        with pytest.raises(LabelingFunctionError) as merged:
            apply([breaks_above_two], lazy)
        assert str(merged.value) == str(unmerged.value)
        got, expected = merged.value, unmerged.value
        assert (got.row, got.position, got.partition) == (expected.row, expected.position, expected.partition)

    def test_a_value_outside_the_classes_names_the_row_through_the_files(self, frame, tmp_path, monkeypatch):
        """A value outside ``classes``: the message of labelling the files one by one."""
        lazy = _csv_parts(frame, tmp_path)
        with pytest.raises(LabelingFunctionError) as unmerged:
            _unmerged(monkeypatch, [five_above_one], lazy, classes=[0, 1])
        with pytest.raises(LabelingFunctionError) as merged:
            apply([five_above_one], lazy, classes=[0, 1])
        assert frame.x.iloc[merged.value.row] > 1
        if merged.value.partition == unmerged.value.partition:  # the first partition to fail in time
            assert str(merged.value) == str(unmerged.value)

    def test_a_repeated_index_is_refused_as_unmerged(self, frame):
        """An index repeated otherwise than ``0..len-1`` per partition: the unique-index error."""
        memory = frame.set_index(pd.Index(np.arange(len(frame)) % 50))
        with pytest.raises(ShapeMismatchError, match="must have a unique index"):
            apply([by_x], dd.from_pandas(memory, chunksize=3, sort=False))


@SETTINGS
@given(frame=frames(), data=st.data(), own_index=st.booleans(), kind=st.sampled_from(sorted(LFS)))
def test_merged_partitions_give_memory_s_answers_in_memory_s_row_order(frame, data, own_index, kind):
    """With the floor on (partitions labelled in groups), ``votes.answers`` unsorted is memory's row for row."""
    cuts = data.draw(st.lists(st.integers(0, len(frame)), max_size=4), label="cuts")
    got, expected = _outcome(LFS[kind], _partitioned(frame, cuts, own_index)), _outcome(LFS[kind], frame)
    if isinstance(expected[0], type):
        assert got == expected
        return
    pd.testing.assert_frame_equal(got[0].answers, expected[0].answers)
