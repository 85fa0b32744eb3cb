"""``labelwise augment --batch-size`` reads a compressed or UTF-16 DATA, and a compressed TSV keeps its format."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli.pseudolabel import output_table
from tests.cli.sweep.specs import TFS, _table


@pytest.fixture
def tfs(tmp_path):
    path = tmp_path / "tfs.py"
    path.write_text(TFS)
    return path


def _augment(tfs, data, out, *extra):
    args = ["augment", str(tfs), str(data), "--policy", "random", "--n-per-original", "2", "--out", str(out)]
    return CliRunner().invoke(main, [*args, "--quiet", *extra])


@pytest.mark.parametrize("form", ["gzip", "utf-16"])
def test_batches_of_a_compressed_or_utf16_csv_give_the_plain_tables_rows(tmp_path, tfs, form):
    """--batch-size read data.csv.gz and UTF-16 text raw and refused them as 'not UTF-8 text'; now they give
    the augmented.csv of the plain file."""
    plain = tmp_path / "data.csv"
    _table().to_csv(plain, index=False)
    if form == "gzip":
        data = tmp_path / "data.csv.gz"
        data.write_bytes(gzip.compress(plain.read_bytes()))
    else:
        data = tmp_path / "wide.csv"
        data.write_bytes(plain.read_text().encode("utf-16"))
    assert _augment(tfs, plain, tmp_path / "plain", "--batch-size", "7").exit_code == 0
    res = _augment(tfs, data, tmp_path / "packed", "--batch-size", "7")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "packed" / "augmented.csv").read_bytes() == (tmp_path / "plain" / "augmented.csv").read_bytes()


def test_a_gzip_tsv_is_augmented_to_a_tsv(tmp_path, tfs):
    """data.tsv.gz's format is TSV: augmented.tsv (as for data.tsv), not augmented.csv."""
    data = tmp_path / "data.tsv.gz"
    data.write_bytes(gzip.compress(_table().to_csv(sep="\t", index=False).encode()))
    res = _augment(tfs, data, tmp_path / "out", "--batch-size", "7")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["augmented.tsv", "summary.json"]


def test_pseudolabel_names_its_table_by_the_format_under_the_compression():
    """pseudolabel's table of data.tsv.gz is pseudolabeled.tsv, of data.jsonl.gz pseudolabeled.jsonl."""
    assert output_table(Path("data.tsv.gz")) == "pseudolabeled.tsv"
    assert output_table(Path("data.jsonl.bz2")) == "pseudolabeled.jsonl"
    assert output_table(Path("data.csv.gz")) == "pseudolabeled.csv"
