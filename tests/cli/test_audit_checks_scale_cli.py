"""``labelwise audit`` at scale with the data checks: ``--checks outlier,...`` on a Parquet DATA read partition by
partition (or ``--features``) flags the rows the in-memory audit of the same table flags; the options the
checks read are taken, the others still refused."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise import _chunk_floor
from labelwise.cli import main
from labelwise.io.tables import read_table

CHECKS = "outlier,exact_duplicate,near_duplicate,null,class_imbalance,identifier_column"
FLAGGED = ("outlier", "exact_duplicate", "null", "class_imbalance")  # each flags some rows of the table below
N = 300


@pytest.fixture(autouse=True)
def _partitions_kept(monkeypatch):
    """Partitions of a few KB are not merged into one (the chunk floor), so 3 parts run as 3 partitions."""
    monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 0)
    monkeypatch.setattr(_chunk_floor, "MIN_CHUNK_BYTES", 0)


def _inputs(tmp_path) -> pd.DataFrame:
    """A mixed table (a row id, numbers with gaps, a category, booleans with gaps, date strings, a constant, a
    rare class, rows with no value, twins, an outlier) as CSV, as Parquet folders of 1 and 3 parts written by
    pandas and of 3 parts written by Dask; out-of-fold probabilities as .npy; embeddings with twins as .npy."""
    import dask.dataframe as dd

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, N)
    y[rng.random(N) < 0.03] = 2
    frame = pd.DataFrame(
        {
            "id": np.arange(N),
            "x1": rng.normal(size=N) + y,
            "x2": rng.normal(size=N),
            "colour": np.array(["red", "green", "blue", "teal"])[rng.integers(0, 4, N)],
            "flag": np.where(rng.random(N) < 0.5, True, False).astype(object),
            "day": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, N), unit="D")).strftime(
                "%Y-%m-%d"
            ),
            "const": 7,
            "y": np.array(["a", "b", "c"])[y],
        }
    )
    frame.loc[rng.random(N) < 0.05, "x2"] = np.nan
    frame.loc[rng.random(N) < 0.05, "colour"] = None
    frame.loc[rng.random(N) < 0.05, "flag"] = None
    frame.loc[5:9, ["x1", "x2", "colour", "flag", "day"]] = None  # rows with no value
    frame.iloc[N - 5 :, 1:7] = frame.iloc[20:25, 1:7].to_numpy()  # twins
    frame.loc[30, "x1"] = 40.0
    frame.to_csv(tmp_path / "d.csv", index=False)
    table = read_table(tmp_path / "d.csv", text_columns=["y"])
    for parts in (1, 3):
        (tmp_path / f"p{parts}").mkdir()
        for i, block in enumerate(np.array_split(np.arange(N), parts)):
            table.iloc[block].to_parquet(tmp_path / f"p{parts}" / f"part.{i}.parquet", index=False)
    dd.from_pandas(table, npartitions=3).to_parquet(tmp_path / "by_dask", write_index=False)
    np.save(tmp_path / "p.npy", rng.dirichlet([1, 1, 1], N))
    emb = rng.normal(size=(N, 4))
    emb[N - 10 :] = emb[:10]
    np.save(tmp_path / "emb.npy", emb)
    return table


def _run(args: list) -> object:
    return CliRunner().invoke(main, ["audit", *map(str, args), "--no-report"])


def _issues(out, name: str) -> pd.DataFrame:
    table = pd.read_csv(out / name) if name.endswith(".csv") else pd.read_parquet(out / name)
    return table.sort_values("row").reset_index(drop=True)


def _same_checks(memory, scale, checks: str = CHECKS) -> dict:
    """Every check's flag and score column of ``scale``'s issues.parquet equals ``memory``'s issues.csv;
    the two summaries' ``data_checks`` sections."""
    want, got = _issues(memory, "issues.csv"), _issues(scale, "issues.parquet")
    for check in checks.split(","):
        for column in (f"is_{check}_issue", f"{check}_score"):
            np.testing.assert_array_equal(got[column].to_numpy(), want[column].to_numpy(), err_msg=column)
    return {
        "memory": json.loads((memory / "summary.json").read_text()),
        "scale": json.loads((scale / "summary.json").read_text()),
    }


@pytest.mark.parametrize("parts", [1, 3])
def test_feature_checks_on_parquet_parts_flag_the_in_memory_audits_rows(tmp_path, parts):
    """--checks on a folder of 1 or 3 Parquet parts with --scheduler synchronous runs on the partitions
    (3 partitions for 3 parts) and gives the in-memory audit's flags and scores for every check, its column
    roles, features and missing-cell counts; outliers, duplicates, nulls and the rare class are flagged."""
    _inputs(tmp_path)
    memory = _run([tmp_path / "d.csv", "--label", "y", "--probs", tmp_path / "p.npy", "--checks", CHECKS,
                   "--out", tmp_path / "m"])  # fmt: skip
    assert memory.exit_code == 0, memory.output
    scale = _run([tmp_path / f"p{parts}", "--label", "y", "--probs", tmp_path / "p.npy", "--scheduler",
                  "synchronous", "--checks", CHECKS, "--out", tmp_path / "s"])  # fmt: skip
    assert scale.exit_code == 0, scale.output
    assert "check outlier:" in scale.output and "column roles: identifier 1 (id)" in scale.output
    summaries = _same_checks(tmp_path / "m", tmp_path / "s")
    want, got = summaries["memory"]["data_checks"], summaries["scale"]["data_checks"]
    for check in FLAGGED:
        assert want[check]["n_issues"] > 0, check
        assert got[check] == want[check], check
    assert got["feature_encoding"] == want["feature_encoding"] and got["feature_columns"] == want["feature_columns"]
    assert got["table_read"] == "dask, partition by partition" and got["row_chunks"]["n_chunks"] == parts
    roles = summaries["memory"]["column_roles"]
    assert {c: r["role"] for c, r in summaries["scale"]["column_roles"].items()} == {
        c: r["role"] for c, r in roles.items()
    }
    assert not list(tmp_path.joinpath("s").glob(".issues*"))  # written under a temporary name, moved into place


def test_booleans_dask_wrote_as_strings_are_one_feature_as_in_memory(tmp_path):
    """Dask's to_parquet writes a column of True/False objects as strings: at scale it is one 0/1 feature
    (not two indicators), as the in-memory audit of the CSV makes of it; the flags are the same."""
    _inputs(tmp_path)
    assert pd.read_parquet(tmp_path / "by_dask")["flag"].dropna().isin(["True", "False"]).all()
    memory = _run([tmp_path / "d.csv", "--label", "y", "--probs", tmp_path / "p.npy", "--checks", CHECKS,
                   "--out", tmp_path / "m"])  # fmt: skip
    scale = _run([tmp_path / "by_dask", "--label", "y", "--probs", tmp_path / "p.npy", "--scheduler",
                  "synchronous", "--checks", CHECKS, "--out", tmp_path / "s"])  # fmt: skip
    assert memory.exit_code == 0 and scale.exit_code == 0, memory.output + scale.output
    summaries = _same_checks(tmp_path / "m", tmp_path / "s")
    encoding = summaries["scale"]["data_checks"]["feature_encoding"]
    assert "flag" in encoding["numeric"] and "flag" not in encoding["categorical"]
    assert encoding == summaries["memory"]["data_checks"]["feature_encoding"]


def test_with_labels_and_a_csv_the_table_is_read_in_memory_by_the_audits_own_code(tmp_path):
    """--labels (memory-mapped, not Dask) with a CSV DATA: the checks read the table in memory and give the
    in-memory audit's flags, roles and their reasons."""
    _inputs(tmp_path)
    memory = _run([tmp_path / "d.csv", "--label", "y", "--probs", tmp_path / "p.npy", "--checks", CHECKS,
                   "--out", tmp_path / "m"])  # fmt: skip
    scale = _run([tmp_path / "d.csv", "--label", "y", "--labels", tmp_path / "d.csv", "--probs", tmp_path / "p.npy",
                  "--checks", CHECKS, "--out", tmp_path / "s"])  # fmt: skip
    assert memory.exit_code == 0 and scale.exit_code == 0, memory.output + scale.output
    summaries = _same_checks(tmp_path / "m", tmp_path / "s")
    assert summaries["scale"]["column_roles"] == summaries["memory"]["column_roles"]
    assert summaries["scale"]["data_checks"]["table_read"] == "in memory"


def test_features_npy_on_dask_flag_the_in_memory_audits_rows(tmp_path):
    """--features emb.npy with --scheduler synchronous and --k 5 (read in row chunks by the tasks) gives the
    in-memory audit's flags for the embeddings, twins found."""
    _inputs(tmp_path)
    checks = "outlier,exact_duplicate,near_duplicate,class_imbalance"
    common = ["--label", "y", "--probs", tmp_path / "p.npy", "--features", tmp_path / "emb.npy", "--k", "5"]
    memory = _run([tmp_path / "d.csv", *common, "--checks", checks, "--out", tmp_path / "m"])
    scale = _run([tmp_path / "p3", *common, "--scheduler", "synchronous", "--checks", checks, "--out", tmp_path / "s"])
    assert memory.exit_code == 0 and scale.exit_code == 0, memory.output + scale.output
    summaries = _same_checks(tmp_path / "m", tmp_path / "s", checks)
    assert summaries["scale"]["data_checks"]["exact_duplicate"]["n_issues"] == 20
    assert summaries["scale"]["data_checks"]["features_from"] == str(tmp_path / "emb.npy")
    assert summaries["scale"]["data_checks"]["graph"]["k"] == 5


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--checks", "outlier", "--texts-must-match"), "does not use --texts-must-match: it audits"),
        (
            ("--features", "{emb}"),
            "does not use --features: it audits the given probabilities without a model, "
            "reads the data checks' options without --checks",
        ),
        (("--checks", "outlyer"), "got ['outlyer']"),
        (("--checks", "outlier", "--features", "{short}"), "--features must have shape (n_rows, d) = (300, d)"),
        (("--checks", "outlier", "--split-column", "nope"), "--split-column 'nope' is not in the data"),
    ],
)
def test_what_the_checks_at_scale_cannot_read_is_refused_before_any_output(tmp_path, extra, message: str):
    """--texts-must-match (refused beside dask features), --features without --checks, an unknown check, --features
    of another row count and a missing split column: exit 2 naming the problem, nothing written."""
    _inputs(tmp_path)
    np.save(tmp_path / "short.npy", np.zeros((7, 2)))
    files = {"emb": tmp_path / "emb.npy", "short": tmp_path / "short.npy"}
    args = [a.format(**files) for a in extra]
    result = _run([tmp_path / "p3", "--label", "y", "--probs", tmp_path / "p.npy", "--scheduler", "synchronous",
                   *args, "--out", tmp_path / "s"])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "s").exists()
