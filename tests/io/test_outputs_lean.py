"""``load_audit(scores=False)``, ``read_issues(leave_out=)`` and ``audit_data_path``: what ``labelwise export`` reads
of an audit (the issues' row, given label and ids, and the data's path), without the scores it never uses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.cli import main
from labelwise.errors import DataFileError
from labelwise.io.issues_table import issues_file, read_issues
from labelwise.io.outputs import SCORE_COLUMNS, _class_lookup, audit_data_path, load_audit, to_classes

N = 30


def _audit(folder: Path, parquet: bool) -> Path:
    """An audit of 30 rows with ``--id-column sample``: of a Parquet file (``issues.parquet``, at scale) or of a
    CSV file (``issues.csv``, worst first)."""
    folder.mkdir(parents=True)
    frame = pd.DataFrame({"sample": [f"s{i:02d}" for i in range(N)], "x": np.arange(N) * 0.5, "y": np.arange(N) % 3})
    data = folder / ("data.parquet" if parquet else "data.csv")
    frame.to_parquet(data, index=False) if parquet else frame.to_csv(data, index=False)
    probs = np.full((N, 3), 0.1)
    probs[np.arange(N), (np.arange(N) + (np.arange(N) % 4 == 0)) % 3] = 0.8
    np.save(folder / "p.npy", probs)
    args = ["--label", "y", "--probs", folder / "p.npy", "--id-column", "sample", "--out", folder / "A", "--no-report"]
    res = CliRunner().invoke(main, ["audit", str(data), *map(str, args), "--scheduler", "synchronous"])
    assert res.exit_code == 0, res.output
    return folder / "A"


@pytest.fixture(scope="module", params=[True, False], ids=["issues.parquet", "issues.csv"])
def audit(request, tmp_path_factory):
    return _audit(tmp_path_factory.mktemp("lean") / "w", request.param)


class TestLoadAuditWithoutScores:
    def test_the_rows_labels_and_ids_are_the_full_loads(self, audit):
        """Without the scores: row, given_label (as class values) and the id column, the same per row as the
        full load's; no score column; the data found at the same path."""
        full, lean = load_audit(audit, with_data=False), load_audit(audit, with_data=False, scores=False)
        assert not set(SCORE_COLUMNS) & set(lean.issues.columns)
        assert {"row", "given_label", "sample"} <= set(lean.issues.columns)
        by_row = full.issues.set_index("row").sort_index()
        got = lean.issues.set_index("row").sort_index()
        assert list(got.index) == list(range(N))
        assert list(got["given_label"]) == list(by_row["given_label"])
        assert [type(v) for v in got["given_label"]] == [type(v) for v in by_row["given_label"]]
        assert list(got["sample"].astype(str)) == list(by_row["sample"].astype(str))
        assert lean.classes == full.classes and lean.data_path == full.data_path and lean.n_examples == N

    def test_the_data_is_read_as_the_full_load_reads_it(self, audit):
        """``with_data`` still reads the data table, whatever ``scores`` says."""
        pd.testing.assert_frame_equal(load_audit(audit, scores=False).data, load_audit(audit).data)


class TestReadIssuesLeaveOut:
    def test_the_columns_left_out_are_not_read_and_no_rank_is_made(self, audit):
        """The score columns left out: neither read nor a ``rank`` computed from them (an ``issues.parquet`` has
        none); the other columns as the full read's, in the file's order."""
        table = issues_file(audit)
        full, lean = read_issues(table), read_issues(table, leave_out=SCORE_COLUMNS)
        assert list(lean.columns) == [c for c in full.columns if c not in SCORE_COLUMNS]
        pd.testing.assert_frame_equal(lean, full[list(lean.columns)])


class TestAuditDataPath:
    def test_it_is_load_audits_data_path(self, audit):
        """From summary.json alone: the path ``load_audit`` finds."""
        assert audit_data_path(audit) == load_audit(audit, with_data=False).data_path is not None

    def test_a_folder_without_an_issues_table_is_refused_as_load_audit_refuses_it(self, audit, tmp_path):
        """summary.json without its issues table: the same error as ``load_audit``'s."""
        (tmp_path / "B").mkdir()
        (tmp_path / "B" / "summary.json").write_bytes((audit / "summary.json").read_bytes())
        with pytest.raises(DataFileError, match="not an audit output folder: missing") as got:
            audit_data_path(tmp_path / "B")
        with pytest.raises(DataFileError) as expected:
            load_audit(tmp_path / "B")
        assert str(got.value) == str(expected.value)


class TestToClassesOfTexts:
    @settings(max_examples=60, deadline=None)
    @given(
        cells=st.lists(st.sampled_from(["0", "1", "2", "2.0", "a", "", "b "]), max_size=30),
        classes=st.sampled_from([[0, 1, 2], ["a", "b"], [0.0, 1.0, 2.0], [1, "a"]]),
    )
    def test_a_text_column_gives_the_classes_its_objects_give(self, cells, classes):
        """Texts factorized as they are (pandas' string dtype, or objects all texts) give each cell the class its
        text names, as each row's text looked up did (unknown text kept)."""
        lookup = _class_lookup(classes)
        expected = [lookup.get(c, c) for c in cells]
        for column in (pd.Series(cells, dtype="str"), pd.Series(cells, dtype=object)):
            got = to_classes(column, classes)
            assert [(type(v), v) for v in got] == [(type(v), v) for v in expected]
