"""Commands on a table whose lines end with a delimiter (``1,2,cat,``, as some exporters write): every
reader of the file keeps each value under its own column name."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main

TFS = """
from labelwise.weak import transformation_function

@transformation_function(vectorized=True)
def bump(df):
    return df.assign(n=df.n + 1)
"""


def _write(path, header, rows):
    path.write_text(header + "\n" + "".join(f"{row}\n" for row in rows))


def test_corrupt_copies_each_cell_under_its_own_name(tmp_path):
    """corrupt's cell-by-cell copy of DATA: x, y and the label in place, not shifted one column left."""
    rows = [f"{i},{i * 10},{'ab'[i % 2]}," for i in range(40)]
    _write(tmp_path / "d.csv", "x,y,label", rows)
    out = tmp_path / "noisy.csv"
    argv = ["corrupt", str(tmp_path / "d.csv"), "--label", "label", "--rate", "0.1", "--out", str(out), "--quiet"]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["x", "y", "label"]
    assert table["x"].tolist() == list(range(40)) and table["y"].tolist() == [i * 10 for i in range(40)]
    assert set(table["label"]) <= {"a", "b"}


def test_augment_reads_the_rows_as_the_header_names_them(tmp_path):
    """augment's chunked read of DATA: n is n (bumped by one), text is text."""
    (tmp_path / "tfs.py").write_text(TFS)
    _write(tmp_path / "d.csv", "text,n", ["hi,1,", "yo,2,"])
    out = tmp_path / "out"
    argv = ["augment", str(tmp_path / "tfs.py"), str(tmp_path / "d.csv"), "--out", str(out), "--quiet"]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "augmented.csv", keep_default_na=False)
    assert table["text"].tolist()[:2] == ["hi", "hi"] and table["n"].tolist()[:2] == [1, 2]
