"""``labelwise slices``: --top (rows per printed table, as aggregate's) and membership.parquet's id
column named after --id-column."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main

#: 12 slices (x above each of 12 thresholds): more than the default --top 10 rows with overall.
SFS = "from labelwise.weak import slicing_function\n" + "".join(
    f"\n@slicing_function(vectorized=True)\ndef above_{k}(df):\n    return df.x > {k / 12 - 0.5:.3f}\n"
    for k in range(12)
)


def _files(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "sfs.py").write_text(SFS)
    y = np.tile([0, 1], 30)
    pd.DataFrame({"doc": [f"d{i:02d}" for i in range(60)], "x": rng.random(60) - 0.5, "y": y, "p": y[::-1]}).to_csv(
        tmp_path / "data.csv", index=False
    )
    return tmp_path / "sfs.py", tmp_path / "data.csv"


def _run(*args):
    return CliRunner().invoke(main, ["slices", *map(str, args)], terminal_width=200)


def test_top_limits_the_printed_rows_not_the_file(tmp_path):
    """--top 3: three rows printed (overall, above_0, above_1) and a note; slices.csv keeps all 13."""
    sfs, data = _files(tmp_path)
    res = _run(sfs, data, "--label", "y", "--pred", "p", "--top", "3", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert "above_1 " in res.output and "above_2 " not in res.output
    assert "3 of 13 rows, all in slices.csv" in " ".join(res.output.split())
    assert len(pd.read_csv(tmp_path / "o" / "slices.csv")) == 13


def test_top_zero_prints_no_table(tmp_path):
    """--top 0: no table, the notice of the files written only."""
    sfs, data = _files(tmp_path)
    res = _run(sfs, data, "--label", "y", "--pred", "p", "--top", "0", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert "overall" not in res.output and f"wrote{tmp_path / 'o' / 'slices.csv'}" in "".join(res.output.split())


def test_membership_ids_are_named_after_the_id_column(tmp_path):
    """--id-column doc: membership.parquet's id column is doc (not item), holding DATA's ids."""
    sfs, data = _files(tmp_path)
    res = _run(sfs, data, "--label", "y", "--pred", "p", "--id-column", "doc", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    members = pd.read_parquet(tmp_path / "o" / "membership.parquet")
    assert members.columns[0] == "doc" and "item" not in members.columns
    assert members["doc"].tolist() == [f"d{i:02d}" for i in range(60)]


def test_id_column_named_as_a_slice_is_refused(tmp_path):
    """An id column called like a slicing function would clash in membership.parquet: an error naming both."""
    sfs, data = _files(tmp_path)
    pd.read_csv(data).rename(columns={"doc": "above_3"}).to_csv(data, index=False)
    res = _run(sfs, data, "--label", "y", "--pred", "p", "--id-column", "above_3", "--out", tmp_path / "o")
    assert res.exit_code == 2, res.output
    assert "--id-column 'above_3' must differ from the slicing functions' names" in " ".join(res.output.split())
