"""A missing label in a file names the file's line, as the other readers do (it named the 0-based
row only: ``row 2 of column 'label' in --labels 'l.csv' is an empty cell``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.io.csv_lines import line_of_row


def _probs(tmp_path, n: int) -> str:
    np.save(tmp_path / "p.npy", np.random.default_rng(0).dirichlet([1, 1, 1], size=n))
    return str(tmp_path / "p.npy")


def _audit_labels(tmp_path, labels_file, *extra):
    args = ["audit", "--probs", _probs(tmp_path, 8), "--labels", str(labels_file), "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, [*args, *extra])
    assert result.exit_code == 2, result.output
    return " ".join(result.output.split())


class TestLabelsFile:
    def test_an_empty_cell_names_its_line_counting_blank_lines(self, tmp_path):
        """A blank line before the empty cell: row 2 is on line 5 (header, two rows, a blank line)."""
        (tmp_path / "l.csv").write_text("label,w\na,1\nb,1\n\n,1\nc,1\na,1\nb,1\nc,1\na,1\n")
        said = _audit_labels(tmp_path, tmp_path / "l.csv", "--label", "label")
        assert "row 2 (line 5) of column 'label' in --labels 'l.csv' is an empty cell" in said

    def test_a_quoted_cell_over_two_lines_moves_the_line(self, tmp_path):
        """A quoted label spanning two lines is one row: the missing one after it is on line 5."""
        (tmp_path / "l.csv").write_text('label,w\na,1\n"b\nb",1\nNA,1\nc,1\na,1\nb,1\nc,1\na,1\n')
        said = _audit_labels(tmp_path, tmp_path / "l.csv", "--label", "label")
        assert "row 2 (line 5) of column 'label' in --labels 'l.csv' reads 'NA'" in said

    def test_a_json_lines_null_names_its_line(self, tmp_path):
        """JSON Lines: the null label's line (a blank line counted), where nothing was said before."""
        rows = ['{"label": "a"}', '{"label": "b"}', "", '{"label": null}'] + ['{"label": "c"}'] * 5
        (tmp_path / "l.jsonl").write_text("\n".join(rows) + "\n")
        said = _audit_labels(tmp_path, tmp_path / "l.jsonl", "--label", "label")
        assert "row 2 (line 4) of column 'label' in --labels 'l.jsonl' is null" in said

    def test_evaluate_labels_name_the_line(self, tmp_path):
        """evaluate --labels (read by the label-file reader) names the line too."""
        (tmp_path / "preds").mkdir()
        np.save(tmp_path / "preds" / "m.npy", np.random.default_rng(0).dirichlet([1, 1, 1], size=6))
        (tmp_path / "t.tsv").write_text("label\tw\na\t1\nb\t1\nc\t1\n\t1\na\t1\nb\t1\n")
        (tmp_path / "c.csv").write_text("row,label\n0,a\n")
        args = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "t.tsv"), "--label-column", "label"]
        result = CliRunner().invoke(
            main, [*args, "--corrections", str(tmp_path / "c.csv"), "--out", str(tmp_path / "o")]
        )
        assert result.exit_code == 2, result.output
        assert "row 3 (line 5) of column 'label' in --labels 't.tsv' is an empty cell" in " ".join(
            result.output.split()
        )


class TestLineOfRow:
    @pytest.mark.parametrize("n_blank", [0, 1, 3])
    def test_rows_written_by_pandas_start_where_pandas_reads_them(self, tmp_path, n_blank):
        """Texts with commas, quotes and newlines, written by pandas: each row's line holds its first cell."""
        texts = ["plain", 'a "quoted" word', "two\nlines", "x,y", "", "three\nmore\nlines", "end"]
        frame = pd.DataFrame({"id": [f"id{i}" for i in range(len(texts))], "text": texts})
        frame.to_csv(tmp_path / "t.csv", index=False)
        lines = (tmp_path / "t.csv").read_text().split("\n")
        lines[2:2] = [""] * n_blank  # blank lines after the first row: pandas skips them
        (tmp_path / "t.csv").write_text("\n".join(lines))
        assert pd.read_csv(tmp_path / "t.csv", keep_default_na=False)["id"].tolist() == frame["id"].tolist()
        written = (tmp_path / "t.csv").read_text().split("\n")
        for row in range(len(texts)):
            assert written[line_of_row(tmp_path / "t.csv", row) - 1].startswith(f"id{row},")

    def test_a_row_past_the_end_is_none(self, tmp_path):
        """No such row: None (the message then names the row alone)."""
        (tmp_path / "t.csv").write_text("a\n1\n")
        assert line_of_row(tmp_path / "t.csv", 0) == 2 and line_of_row(tmp_path / "t.csv", 1) is None
