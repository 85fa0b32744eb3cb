"""A Parquet export after a text relabel of an integer label column (:mod:`labelwise.review._label_text`): the column
is written as text, every value, with a warning (pyarrow refused the file before); the CSV copy is unchanged; a
write that fails leaves no log behind; for any mix of integer and text decisions the file reads back as decided."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise import _chunk_floor
from labelwise.cli import main
from labelwise.errors import DataFileError, LabelwiseWarning
from labelwise.review import DecisionStore, cleaned_table, export, export_cleaned

N = 40
CLASSES = (0, 1, 2)


def _frame() -> pd.DataFrame:
    y = np.arange(N) % 3
    return pd.DataFrame({"sample": [f"s{i:02d}" for i in range(N)], "x": np.arange(N) * 0.5, "y": y})


def _audit(folder: Path, kind: str) -> Path:
    """An audit of ``_frame`` written as ``kind`` (csv, one Parquet file, 2 Parquet parts); no decisions yet."""
    frame = _frame()
    folder.mkdir(parents=True)
    if kind == "csv":
        data = folder / "data.csv"
        frame.to_csv(data, index=False)
    elif kind == "parts":
        data = folder / "data"
        data.mkdir()
        for i, block in enumerate(np.array_split(np.arange(N), 2)):
            frame.iloc[block].to_parquet(data / f"part.{i}.parquet", index=False)
    else:
        data = folder / "data.parquet"
        frame.to_parquet(data, index=False)
    probs = np.full((N, 3), 0.1)
    probs[np.arange(N), (np.arange(N) + (np.arange(N) % 5 == 0)) % 3] = 0.8  # every 5th row flagged
    np.save(folder / "p.npy", probs)
    args = ["--label", "y", "--probs", folder / "p.npy", "--id-column", "sample", "--out", folder / "A", "--no-report"]
    res = CliRunner().invoke(main, ["audit", str(data), *map(str, args), "--scheduler", "synchronous"])
    assert res.exit_code == 0, res.output
    return folder / "A"


def _decide(out: Path, decisions: list[tuple[int, str, object]]) -> None:
    """``review.sqlite`` holding only ``decisions`` (row, action, label)."""
    (out / "review.sqlite").unlink(missing_ok=True)
    store = DecisionStore(out / "review.sqlite")
    for row, action, label in decisions:
        store.record(row, action, version=0, reviewer="me", label=label)


@pytest.fixture(scope="module", params=["csv", "one-file", "parts"])
def audit(request, tmp_path_factory):
    """An audit of integer labels read from CSV (exported in memory) or Parquet (streamed)."""
    saved = (_chunk_floor.ROW_CHUNK_FLOOR_BYTES, _chunk_floor.MIN_CHUNK_BYTES)
    _chunk_floor.ROW_CHUNK_FLOOR_BYTES = _chunk_floor.MIN_CHUNK_BYTES = 0  # 2 parts stay 2 partitions
    try:
        yield _audit(tmp_path_factory.mktemp(request.param) / "w", request.param)
    finally:
        _chunk_floor.ROW_CHUNK_FLOOR_BYTES, _chunk_floor.MIN_CHUNK_BYTES = saved


def _export(out: Path, target: Path) -> list[str]:
    """``export_cleaned(out, target)``, overwriting; the messages of its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        export_cleaned(out, target, force=True)
    return [str(w.message) for w in caught if issubclass(w.category, LabelwiseWarning)]


class TestATextRelabelOfIntegers:
    def test_parquet_gets_the_column_as_text_with_a_warning(self, audit, tmp_path):
        """Row 5 relabelled to "owl", row 7 to 2: the Parquet copy's ``y`` is text, every value ("1", "owl",
        "2"), the other columns as they were, and a warning names the column, the file and the text."""
        _decide(audit, [(5, "relabel", "owl"), (7, "relabel", 2), (9, "exclude", None)])
        messages = _export(audit, tmp_path / "clean.parquet")
        got = pd.read_parquet(tmp_path / "clean.parquet")
        expected = [str(v) for v in _frame()["y"]]
        expected[5], expected[7] = "owl", "2"
        del expected[9]
        assert [str(v) for v in got["y"]] == expected
        assert all(isinstance(v, str) for v in got["y"])
        assert list(got["sample"]) == [s for i, s in enumerate(_frame()["sample"]) if i != 9]
        assert got["x"].dtype == np.float64
        said = [m for m in messages if "as text" in m]
        assert len(said) == 1 and "'y'" in said[0] and "'clean.parquet'" in said[0] and "'owl'" in said[0]

    def test_parquet_reads_back_as_the_csv_copy_reads_back(self, audit, tmp_path):
        """The text the Parquet copy holds is what a CSV copy of the same export reads back as."""
        _decide(audit, [(3, "relabel", "owl"), (4, "relabel", 0)])
        _export(audit, tmp_path / "clean.parquet")
        _export(audit, tmp_path / "clean.csv")
        from_csv = pd.read_csv(tmp_path / "clean.csv", dtype=str)
        assert list(pd.read_parquet(tmp_path / "clean.parquet")["y"].astype(str)) == list(from_csv["y"])

    def test_the_command_writes_the_file_and_says_why_the_column_is_text(self, audit, tmp_path):
        """``labelwise export A --out clean.parquet`` exits 0 (it failed naming pyarrow's conversion error), prints
        the warning, and writes the file and its log."""
        _decide(audit, [(5, "relabel", "owl")])
        res = CliRunner().invoke(main, ["export", str(audit), "--out", str(tmp_path / "clean.parquet")])
        assert res.exit_code == 0, res.output
        assert "'clean.parquet' has it as text" in res.output
        assert pd.read_parquet(tmp_path / "clean.parquet")["y"].iloc[5] == "owl"
        assert (tmp_path / "clean.parquet.changes.csv").is_file()

    def test_integer_relabels_stay_integers_without_a_warning(self, audit, tmp_path):
        """Relabels to classes (2, and "1" which names the class 1) keep the integer column, and nothing warns
        about text."""
        _decide(audit, [(5, "relabel", 2), (6, "relabel", "1")])
        messages = _export(audit, tmp_path / "clean.parquet")
        got = pd.read_parquet(tmp_path / "clean.parquet")["y"]
        assert [int(v) for v in got.iloc[[5, 6]]] == [2, 1]
        assert pd.api.types.is_integer_dtype(got)
        assert not [m for m in messages if "as text" in m]

    def test_the_csv_copy_is_the_in_memory_table_byte_for_byte(self, audit, tmp_path):
        """CSV is written as before the change: the bytes of ``cleaned_table``'s frame written by pandas."""
        _decide(audit, [(5, "relabel", "owl"), (7, "relabel", 2)])
        _export(audit, tmp_path / "clean.csv")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cleaned, _ = cleaned_table(audit)
        assert (tmp_path / "clean.csv").read_bytes() == cleaned.to_csv(index=False).encode()


class TestAFailedWriteLeavesNothing:
    def test_no_log_is_left_when_the_table_cannot_be_written(self, tmp_path, monkeypatch):
        """``export_cleaned`` wrote the change log (and its record) first, then failed on the table: the log was
        left beside no table. Now none of the three is moved into place."""
        out = _audit(tmp_path / "w", "csv")
        _decide(out, [(5, "relabel", 2)])

        def failing(frame, path):
            raise DataFileError(f"cannot write {str(path)!r}")

        monkeypatch.setattr(export, "_write_table", failing)
        target = tmp_path / "done"
        target.mkdir()
        with pytest.raises(DataFileError):
            export_cleaned(out, target / "clean.csv")
        assert list(target.iterdir()) == []


_LABELS = st.one_of(st.integers(-3, 5), st.sampled_from(["owl", "2", "3", "", " 1", "x y"]))
_DECISIONS = st.dictionaries(
    st.integers(0, N - 1),
    st.one_of(st.tuples(st.just("relabel"), _LABELS), st.sampled_from([("exclude", None), ("keep", None)])),
    min_size=1,
    max_size=8,
)


def _as_decided(label: object) -> object:
    """The label a relabel to ``label`` gives: the class it names by its text (``"2"`` is the class 2), else itself."""
    return next((c for c in CLASSES if str(c) == str(label)), label)


class TestReadBackProperty:
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(decisions=_DECISIONS)
    def test_the_file_reads_back_as_decided(self, audit, tmp_path, decisions):
        """For any mix of integer and text relabels, excludes and keeps, the Parquet copy reads back with the
        decided labels in the rows kept: integers when every label is an integer, else each label's text."""
        _decide(audit, [(row, action, label) for row, (action, label) in decisions.items()])
        work = tmp_path / f"w{abs(hash(str(sorted(decisions.items()))))}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        _export(audit, work / "clean.parquet")
        labels = {i: int(v) for i, v in enumerate(_frame()["y"])}
        for row, (action, label) in decisions.items():
            if action == "relabel":
                labels[row] = _as_decided(label)
            elif action == "exclude":
                del labels[row]
        got = pd.read_parquet(work / "clean.parquet")
        column = pq.read_table(work / "clean.parquet").column("y").type
        assert list(got["sample"]) == [f"s{i:02d}" for i in labels]
        if all(isinstance(v, int) for v in labels.values()):
            assert [int(v) for v in got["y"]] == list(labels.values())
            assert "string" not in str(column)
        else:
            assert list(got["y"].astype(object)) == [str(v) for v in labels.values()]
            assert "string" in str(column)
