"""``labelwise corrupt --out noisy.csv.gz``: the table and its truth file are written compressed (``write_table``
writes them atomically), with the tables ``--out noisy.csv`` gives."""

from __future__ import annotations

import bz2
import gzip
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

DATA = "id,x,label\n" + "".join(f"r{i},{i * 0.1:.1f},{'ab'[i % 2]}\n" for i in range(40))


def _corrupt(data, out, *extra):
    args = ["corrupt", str(data), "--label", "label", "--rate", "0.3", "--out", str(out), "--quiet", *extra]
    return CliRunner().invoke(main, args)


@pytest.mark.parametrize(("name", "opener"), [("noisy.csv.gz", gzip.open), ("noisy.tsv.bz2", bz2.open)])
def test_a_compressed_out_writes_the_plain_runs_tables_compressed(tmp_path, name, opener):
    """--out noisy.csv.gz was refused ('--out must end in one of ...'); now noisy.csv.gz and noisy.truth.csv.gz
    hold what --out noisy.csv writes, and the summary names the truth file."""
    data = tmp_path / "data.csv.gz"
    data.write_bytes(gzip.compress(DATA.encode()))
    plain = tmp_path / "plain" / name.replace(".gz", "").replace(".bz2", "")
    plain.parent.mkdir()
    assert _corrupt(data, plain).exit_code == 0
    res = _corrupt(data, tmp_path / name)
    assert res.exit_code == 0, res.output
    suffix = name[len("noisy") :]
    truth = tmp_path / f"noisy.truth{suffix}"
    with opener(tmp_path / name, "rt") as fh:
        assert fh.read() == plain.read_text()  # cells copied as written, as for the plain --out
    with opener(truth, "rt") as fh:
        assert fh.read() == plain.with_name(f"noisy.truth{plain.suffix}").read_text()
    summary = json.loads((tmp_path / "noisy.summary.json").read_text())
    assert summary["truth"] == str(truth.resolve())
    sep = "\t" if ".tsv" in name else ","
    assert len(pd.read_csv(tmp_path / name, sep=sep)) == 40


def test_a_plain_run_after_a_compressed_one_names_it(tmp_path):
    """One stem has one summary: --out noisy.csv after --out noisy.csv.gz names that run's files, and --force
    removes them."""
    data = tmp_path / "data.csv"
    data.write_text(DATA)
    assert _corrupt(data, tmp_path / "noisy.csv.gz").exit_code == 0
    res = _corrupt(data, tmp_path / "noisy.csv")
    assert res.exit_code != 0
    assert "the summary of noisy.csv.gz and noisy.truth.csv.gz" in res.output
    assert _corrupt(data, tmp_path / "noisy.csv", "--force").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "data.csv",
        "noisy.csv",
        "noisy.summary.json",
        "noisy.truth.csv",
    ]


def test_a_compressed_parquet_out_is_refused_naming_the_formats(tmp_path):
    """Parquet compresses inside the file: --out noisy.parquet.gz is refused, nothing is written."""
    data = tmp_path / "data.csv"
    data.write_text(DATA)
    res = _corrupt(data, tmp_path / "noisy.parquet.gz")
    assert res.exit_code != 0
    assert "each but Parquet also compressed" in res.output and "'" + str(tmp_path / "noisy.parquet.gz") in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]
