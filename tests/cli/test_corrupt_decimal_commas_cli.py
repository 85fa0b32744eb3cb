"""``labelwise corrupt`` copies DATA's cells as written; a number written with a comma is written as the
output's delimiter reads it. Main copied ``0,758`` from a ``;`` table into a ``,`` table as written: read back
as the text ``"0,758"``, or, with three digits after the comma, as 758 (commas between thousands)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.io import read_table

ROWS = 40


def _numbers(sep: str, mark: str) -> str:
    rng = np.random.default_rng(0)
    lines = [sep.join(["id", "x", "y", "label"])]
    for i in range(ROWS):
        x, y = f"{rng.random():.2f}".replace(".", mark), f"{rng.random():.3f}".replace(".", mark)
        lines.append(sep.join([f"r{i:03d}", x, y, "ab"[i % 2]]))
    return "\n".join(lines) + "\n"


def _corrupt(data, out):
    args = ["corrupt", str(data), "--label", "label", "--rate", "0.3", "--out", str(out), "--quiet"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output


def _same_features(data, out):
    """The copy reads as DATA does, but for the corrupted labels: the same columns, types and numbers."""
    given, copy = read_table(data, text_columns=["id"]), read_table(out, text_columns=["id"])
    pd.testing.assert_frame_equal(copy.drop(columns="label"), given.drop(columns="label"))
    assert copy["label"].isin(["a", "b"]).all()


@pytest.mark.parametrize(("name", "sep"), [("data.csv", ";"), ("data.txt", "\t"), ("data.tsv", "\t")])
def test_decimal_commas_copied_into_a_comma_csv_read_as_the_same_numbers(tmp_path, name, sep):
    """A ';' .csv, a tab .txt and a .tsv with decimal commas, copied to noisy.csv: x and y are the numbers
    DATA holds (main: x the text '0,64', y 637.0 for '0,637')."""
    data = tmp_path / name
    data.write_text(_numbers(sep, ","))
    _corrupt(data, tmp_path / "noisy.csv")
    _same_features(data, tmp_path / "noisy.csv")
    assert '"' not in (tmp_path / "noisy.csv").read_text()  # no cell quoted for a comma inside


def test_commas_between_thousands_copied_into_a_tsv_read_as_the_same_numbers(tmp_path):
    """A ',' table with "1,234.5" copied to noisy.tsv: 1234.5 (main: the text '1,234.5' in a tab table)."""
    data = tmp_path / "data.csv"
    rows = "".join(f'r{i},"{1000 + 37 * i:,}.5",{i},{"ab"[i % 2]}\n' for i in range(ROWS))
    data.write_text("id,x,y,label\n" + rows)
    _corrupt(data, tmp_path / "noisy.tsv")
    _same_features(data, tmp_path / "noisy.tsv")


def test_a_copy_to_a_delimiter_of_the_same_kind_keeps_the_cells_as_written(tmp_path):
    """';' to tab: both read decimal commas, so '0,64' stays '0,64' (cells copied as written)."""
    data = tmp_path / "data.csv"
    data.write_text(_numbers(";", ","))
    _corrupt(data, tmp_path / "noisy.tsv")
    given = [line.split(";")[:3] for line in data.read_text().splitlines()]
    copied = [line.split("\t")[:3] for line in (tmp_path / "noisy.tsv").read_text().splitlines()]
    assert copied == given
    _same_features(data, tmp_path / "noisy.tsv")


def test_decimal_points_in_a_semicolon_table_are_copied_as_written(tmp_path):
    """A ';' table with decimal points (no comma in a number) is copied cell for cell, as before."""
    data = tmp_path / "data.csv"
    data.write_text(_numbers(";", "."))
    _corrupt(data, tmp_path / "noisy.csv")
    given = [line.split(";")[:3] for line in data.read_text().splitlines()]
    assert [line.split(",")[:3] for line in (tmp_path / "noisy.csv").read_text().splitlines()] == given
