"""``labelwise augment --batch-size``: DATA read, augmented and written in batches, the same table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.cli import main

TFS = """
from labelwise.weak import transformation_function

@transformation_function()
def shout(row):
    row.text = row.text.upper()
    return row

@transformation_function()
def double(row):
    if row.n > 5:
        return None
    row.n = row.n * 2
    return row
"""

POLICIES = {"each": ["--policy", "each"], "random": ["--policy", "random", "--n-per-original", "2",
            "--sequence-length", "2", "--random-state", "7"], "all": ["--policy", "all", "--no-keep-original"]}  # fmt: skip


def frame(n: int = 23) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "text": [f"t{i}" for i in range(n)],
            "n": rng.integers(0, 10, n),
            "x": rng.normal(size=n).round(3),
            "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n), unit="D"),
        }
    )


def write_data(folder, name: str, data: pd.DataFrame):
    path = folder / name
    if path.suffix == ".parquet":
        data.to_parquet(path)
    elif path.suffix == ".jsonl":
        data.to_json(path, orient="records", lines=True, date_format="iso")
    else:
        data.to_csv(path, index=False, sep="\t" if path.suffix == ".tsv" else ",")
    return path


def run(folder, data, out: str, *options: str, tfs: str = TFS):
    (folder / "tfs.py").write_text(tfs)
    argv = ["augment", str(folder / "tfs.py"), str(data), "--out", str(folder / out), *options]
    return CliRunner().invoke(main, argv)


@pytest.mark.parametrize("data_name", ["data.csv", "data.tsv", "data.parquet", "data.jsonl"])
@pytest.mark.parametrize("table_format", ["csv", "tsv", "jsonl"])
@pytest.mark.parametrize("policy", list(POLICIES))
def test_batches_write_the_same_bytes_as_the_whole_table(tmp_path, data_name, table_format, policy):
    """CSV, TSV and JSON Lines tables are byte for byte those written without --batch-size (a seeded
    random policy included), from each DATA format; summary.json says the batch size, else the same."""
    data = write_data(tmp_path, data_name, frame())
    whole = run(tmp_path, data, "whole", *POLICIES[policy], "--format", table_format)
    assert whole.exit_code == 0, whole.output
    for size in ("1", "4"):
        streamed = run(tmp_path, data, f"b{size}", *POLICIES[policy], "--format", table_format, "--batch-size", size)
        assert streamed.exit_code == 0, streamed.output
        name = f"augmented.{table_format}"
        assert (tmp_path / f"b{size}" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()
        a, b = (json.loads((tmp_path / d / "summary.json").read_text()) for d in ("whole", f"b{size}"))
        assert a.pop("batch_size") is None and b.pop("batch_size") == int(size)
        a.pop("augment_seconds"), b.pop("augment_seconds")
        assert a == b
        # the same screen but the output folder, whatever width the screen has (spaces and line breaks dropped)
        shown = (
            "".join(r.stdout.split()).replace(str(tmp_path / d), "OUT")
            for r, d in ((streamed, f"b{size}"), (whole, "whole"))
        )
        assert next(shown) == next(shown)


@settings(max_examples=8, deadline=None)
@given(size=st.integers(1, 30), n=st.integers(1, 25))
def test_any_batch_size_gives_the_same_random_table(tmp_path_factory, size, n):
    """Whatever the batch size and the rows, the seeded random policy's table is the same."""
    folder = tmp_path_factory.mktemp("any")
    data = write_data(folder, "data.csv", frame(n))
    assert run(folder, data, "whole", *POLICIES["random"]).exit_code == 0
    result = run(folder, data, "streamed", *POLICIES["random"], "--batch-size", str(size))
    assert result.exit_code == 0, result.output
    assert (folder / "streamed" / "augmented.csv").read_bytes() == (folder / "whole" / "augmented.csv").read_bytes()


@pytest.mark.parametrize("data_name", ["data.csv", "data.parquet"])
def test_parquet_table_is_written_by_row_groups_with_the_same_rows_and_schema(tmp_path, data_name):
    """A Parquet table is written one row group per batch: not the same bytes, but the same rows,
    column types and schema (pandas metadata included) as without --batch-size."""
    data = write_data(tmp_path, data_name, frame())
    assert run(tmp_path, data, "whole", *POLICIES["random"], "--format", "parquet").exit_code == 0
    result = run(tmp_path, data, "streamed", *POLICIES["random"], "--format", "parquet", "--batch-size", "5")
    assert result.exit_code == 0, result.output
    whole, streamed = tmp_path / "whole" / "augmented.parquet", tmp_path / "streamed" / "augmented.parquet"
    pd.testing.assert_frame_equal(pd.read_parquet(streamed), pd.read_parquet(whole))
    assert pq.read_schema(streamed).equals(pq.read_schema(whole), check_metadata=True)
    assert pq.ParquetFile(streamed).metadata.num_row_groups == 5


def test_the_whole_table_is_never_read(tmp_path, monkeypatch):
    """With --batch-size DATA is read in chunks, not whole by read_input."""
    import labelwise.cli.augment as command

    def whole(*args, **kwargs):
        raise AssertionError("DATA read whole")

    monkeypatch.setattr(command, "read_input", whole)
    result = run(tmp_path, write_data(tmp_path, "data.csv", frame()), "out", "--batch-size", "3")
    assert result.exit_code == 0, result.output


def test_a_column_typed_otherwise_in_a_later_batch_is_refused_and_nothing_written(tmp_path):
    """A column of numbers in the first batch and texts later would be written otherwise than whole: refused."""
    data = tmp_path / "mix.csv"
    data.write_text("text,n\na,1\nb,2\nc,3\nd,x\n")
    tfs = "from labelwise.weak import transformation_function\n\n@transformation_function()\n"
    tfs += "def shout(row):\n    row.text = row.text.upper()\n    return row\n"
    assert run(tmp_path, data, "whole", "--policy", "each", tfs=tfs).exit_code == 0
    result = run(tmp_path, data, "out", "--policy", "each", "--batch-size", "2", tfs=tfs)
    assert result.exit_code != 0
    assert (
        "--batch-size: the batch from DATA's row 2 on has column 'n' of type str, the first batch int64"
        in result.output
    )
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_dates_written_otherwise_in_a_later_batch_are_refused_in_csv_only(tmp_path):
    """pandas writes a CSV datetime column as dates alone where every one is at midnight: a later
    batch with times would differ from the whole table; JSON Lines writes each the same way."""
    data = frame(6)
    data["when"] = pd.to_datetime(["2024-01-01"] * 4 + ["2024-01-01 10:00:00", "2024-01-02 00:00:00"], format="ISO8601")
    path = write_data(tmp_path, "dates.parquet", data)
    result = run(tmp_path, path, "out", "--policy", "each", "--format", "csv", "--batch-size", "2")
    assert result.exit_code != 0 and "has dates in column 'when' written otherwise" in result.output
    assert run(tmp_path, path, "whole", "--policy", "each", "--format", "jsonl").exit_code == 0
    result = run(tmp_path, path, "streamed", "--policy", "each", "--format", "jsonl", "--batch-size", "2")
    assert result.exit_code == 0, result.output
    streamed = (tmp_path / "streamed" / "augmented.jsonl").read_bytes()
    assert streamed == (tmp_path / "whole" / "augmented.jsonl").read_bytes()


def test_a_failing_function_in_a_later_batch_leaves_no_table(tmp_path):
    """A function raising on row 10 (the third batch) leaves neither a half table nor a temporary file."""
    tfs = (
        TFS
        + "\n@transformation_function()\ndef fail(row):\n    if row.text == 't10':\n        raise RuntimeError('no')\n"
    )
    tfs += "    return row\n"
    data = write_data(tmp_path, "data.csv", frame())
    result = run(tmp_path, data, "out", "--policy", "each", "--batch-size", "4", tfs=tfs)
    assert result.exit_code != 0 and "fail" in result.output
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--batch-size", "0"], "Invalid value for '--batch-size': 0 is not in the range x>=1"),
        (["--batch-size", "2", "--id-column", "text"], "--batch-size cannot be used with --id-column"),
    ],
)
def test_bad_batch_size_is_refused_by_name(tmp_path, options, message):
    """--batch-size below 1, or with --id-column (decided on the whole column), is refused by name."""
    result = run(tmp_path, write_data(tmp_path, "data.csv", frame()), "out", *options)
    assert result.exit_code == 2 and message in result.output
