"""``labelwise audit DATA --label y --id-column COL`` at scale (``--scheduler``, ``--labels``): issues.parquet
carries DATA's ids as written, right after ``row``, as the in-memory audit's issues.csv does; the ids are checked
across Parquet parts (a missing or repeated one refused, named) and never read by the data checks. Before, the
audit at scale refused ``--id-column`` and named rows by position only."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise import _chunk_floor
from labelwise.cli import main

N = 90
IDS = ["007", "a b", "ünï", "10", *[f"s{i:03d}" for i in range(N - 4)]]  # zero-padded, a space, unicode, a number
CHECKS = "outlier,exact_duplicate,null"


@pytest.fixture(autouse=True)
def _partitions_kept(monkeypatch):
    """Partitions of a few KB are not merged into one (the chunk floor), so 3 parts run as 3 partitions."""
    monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 0)
    monkeypatch.setattr(_chunk_floor, "MIN_CHUNK_BYTES", 0)


def _run(*args) -> object:
    return CliRunner().invoke(main, ["audit", *map(str, args), "--no-report"])


def _text(res) -> str:
    return " ".join(res.output.split())  # rich's wrapping undone


def _write_parts(frame: pd.DataFrame, folder, parts: int) -> None:
    folder.mkdir()
    for i, block in enumerate(np.array_split(np.arange(len(frame)), parts)):
        frame.iloc[block].to_parquet(folder / f"part.{i}.parquet", index=False)


def _inputs(tmp_path, ids=None, name="sample") -> pd.DataFrame:
    """A table of ids, two numbers (an outlier, twins, a gap), a category and a label (some rows mislabelled) as
    CSV and as Parquet folders of 1 and 3 parts; out-of-fold probabilities that doubt the mislabelled rows."""
    rng = np.random.default_rng(3)
    y = np.arange(N) % 3
    frame = pd.DataFrame(
        {
            name: IDS if ids is None else ids,
            "x1": (rng.normal(size=N) + y).round(3),
            "x2": rng.normal(size=N).round(3),
            "colour": np.array(["red", "green", "blue"])[rng.integers(0, 3, N)],
            "y": np.array(["cat", "dog", "owl"])[y],
        }
    )
    frame.loc[[2, 40, 77], "y"] = "cat"  # an owl, a dog and an owl labelled cat
    frame.loc[30, "x1"] = 40.0
    frame.iloc[N - 3 :, 1:4] = frame.iloc[10:13, 1:4].to_numpy()  # twins
    frame.loc[50, "x2"] = np.nan
    frame.to_csv(tmp_path / "d.csv", index=False)
    for parts in (1, 3):
        _write_parts(frame, tmp_path / f"p{parts}", parts)
    probs = rng.dirichlet(np.ones(3), size=N) * 0.2
    probs[np.arange(N), y] += 0.8
    np.save(tmp_path / "p.npy", probs)
    return frame


def _scale(tmp_path, data, *extra, out="s"):
    args = ["--label", "y", "--probs", tmp_path / "p.npy", "--scheduler", "synchronous", "--out", tmp_path / out]
    return _run(data, *args, *extra)


def _summary(folder) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


class TestIssuesParquetCarriesTheIds:
    @pytest.mark.parametrize("parts", [1, 3])
    @pytest.mark.parametrize("checks", ["label", CHECKS])
    def test_each_row_has_the_in_memory_audits_id_after_row(self, tmp_path, parts, checks):
        """A folder of 1 or 3 Parquet parts (audited in chunks that cut across them) gives, row by row, the ids
        (007 as written) and flags the in-memory audit of the same CSV writes into issues.csv; the id column is
        no feature of the data checks."""
        frame = _inputs(tmp_path)
        memory = _run(tmp_path / "d.csv", "--label", "y", "--probs", tmp_path / "p.npy", "--checks", checks,
                      "--id-column", "sample", "--out", tmp_path / "m")  # fmt: skip
        assert memory.exit_code == 0, memory.output
        asked = [] if checks == "label" else ["--checks", checks]  # at scale no data check runs unless asked
        chunks = ["--chunk-rows", 40] if parts == 3 else []  # 40 + 40 + 10 rows, across the parts of 30 rows
        scale = _scale(tmp_path, tmp_path / f"p{parts}", "--id-column", "sample", *asked, *chunks)
        assert scale.exit_code == 0, scale.output
        got = pd.read_parquet(tmp_path / "s" / "issues.parquet")
        want = pd.read_csv(tmp_path / "m" / "issues.csv", dtype={"sample": str}).sort_values("row")
        assert list(got.columns[:3]) == ["row", "sample", "given_label"]
        assert isinstance(got["sample"].dtype, pd.StringDtype)
        assert got["row"].tolist() == want["row"].tolist() == list(range(N))
        assert got["sample"].tolist() == want["sample"].tolist() == frame["sample"].tolist()
        flags = [c for c in want.columns if c.startswith("is_")]
        assert flags and got[flags].to_numpy().tolist() == want[flags].to_numpy().tolist()
        flagged = set(got.loc[got[flags].any(axis=1), "sample"])
        assert flagged == set(want.loc[want[flags].any(axis=1), "sample"]) and "s073" in flagged  # row 77, mislabelled
        settings = _summary(tmp_path / "s")["settings"]
        assert settings["id_column"] == "sample" and settings["n_chunks"] == parts
        if checks != "label":
            checked = _summary(tmp_path / "s")["data_checks"]["feature_columns"]
            assert checked == _summary(tmp_path / "m")["data_checks"]["feature_columns"]
            assert "sample" not in [c for cols in checked.values() for c in cols]
            assert "sample" not in _summary(tmp_path / "s").get("column_roles", {})

    def test_integer_ids_stay_integers_and_a_csv_at_scale_reads_them_as_text(self, tmp_path):
        """Parquet integers (numpy or nullable) are written as integers; a CSV DATA at scale is read as the
        in-memory audit reads it, its ids as text (007 stays 007)."""
        ids = np.arange(1000, 1000 + N)
        frame = _inputs(tmp_path, ids=ids, name="num")
        frame.assign(num=pd.array(ids, dtype="Int64")).pipe(_write_parts, tmp_path / "nullable", 3)
        for folder in ("p3", "nullable"):
            res = _scale(tmp_path, tmp_path / folder, "--id-column", "num", out=folder + "_out")
            assert res.exit_code == 0, res.output
            got = pd.read_parquet(tmp_path / f"{folder}_out" / "issues.parquet")
            assert got["num"].dtype == np.int64 and got["num"].tolist() == ids.tolist()
        (tmp_path / "csv").mkdir()
        _inputs(tmp_path / "csv")
        res = _scale(tmp_path / "csv", tmp_path / "csv" / "d.csv", "--id-column", "sample")
        assert res.exit_code == 0, res.output
        got = pd.read_parquet(tmp_path / "csv" / "s" / "issues.parquet")
        assert got["sample"].tolist() == IDS and isinstance(got["sample"].dtype, pd.StringDtype)

    def test_an_id_column_named_row_is_written_as_id(self, tmp_path):
        """A DATA column called ``row`` cannot sit beside issues.parquet's own ``row``: it is ``id``, as in memory."""
        _inputs(tmp_path, name="row")
        res = _scale(tmp_path, tmp_path / "p3", "--id-column", "row")
        assert res.exit_code == 0, res.output
        got = pd.read_parquet(tmp_path / "s" / "issues.parquet")
        assert list(got.columns[:3]) == ["row", "id", "given_label"] and got["id"].tolist() == IDS

    def test_the_text_checks_do_not_read_the_id_column(self, tmp_path):
        """--checks near_duplicate_text reads DATA's text columns: the ids are none of them."""
        frame = _inputs(tmp_path)
        frame.assign(note=[f"a note on item {i % 30}" for i in range(N)]).pipe(_write_parts, tmp_path / "t3", 3)
        res = _scale(tmp_path, tmp_path / "t3", "--id-column", "sample", "--checks", "near_duplicate_text")
        assert res.exit_code == 0, res.output
        assert _summary(tmp_path / "s")["data_checks"]["text_columns"] == ["colour", "note"]


class TestBadIdsAreRefused:
    def test_an_id_on_two_parts_is_refused_naming_it_and_its_rows(self, tmp_path):
        """An id of the first part repeated in the third is found across partitions and named with both rows."""
        ids = list(IDS)
        ids[80] = "a b"
        _inputs(tmp_path, ids=ids)
        res = _scale(tmp_path, tmp_path / "p3", "--id-column", "sample")
        assert res.exit_code != 0 and not (tmp_path / "s" / "issues.parquet").exists()
        assert "--id-column 'sample' must hold a unique id on every row of DATA; 'a b' is on row 1 and row 80" in (
            _text(res)
        )
        assert "(1 repeated row(s)" in _text(res) and "Traceback" not in res.output

    def test_a_missing_id_is_refused_naming_its_row(self, tmp_path):
        """A row of the second part without an id is named."""
        ids: list = list(IDS)
        ids[45] = None
        _inputs(tmp_path, ids=ids)
        res = _scale(tmp_path, tmp_path / "p3", "--id-column", "sample")
        assert res.exit_code != 0 and "must hold an id on every row of DATA; row 45 has none" in _text(res)

    def test_a_column_the_folder_lacks_is_named_with_its_columns(self, tmp_path):
        """A misspelt --id-column is named, with the folder's columns and the near name."""
        _inputs(tmp_path)
        res = _scale(tmp_path, tmp_path / "p3", "--id-column", "Sample")
        assert res.exit_code != 0
        assert "--id-column 'Sample' is not in DATA (did you mean 'sample'?); columns are ['sample', 'x1'" in (
            _text(res)
        )

    def test_the_label_column_and_no_data_table_are_refused(self, tmp_path):
        """The label column cannot be the ids; --labels and --probs alone have no DATA to read ids from."""
        _inputs(tmp_path)
        res = _scale(tmp_path, tmp_path / "p3", "--id-column", "y")
        assert res.exit_code != 0 and "--id-column must differ from --label, both are 'y'" in _text(res)
        np.save(tmp_path / "labels.npy", np.arange(N) % 3)
        res = _run("--probs", tmp_path / "p.npy", "--labels", tmp_path / "labels.npy", "--id-column", "sample",
                   "--out", tmp_path / "o")  # fmt: skip
        assert res.exit_code != 0 and "--id-column 'sample' names a column of DATA, got no DATA table" in _text(res)

    def test_ids_whose_hashes_collide_are_compared_as_written(self, tmp_path, monkeypatch):
        """The partitions count 64-bit hashes; where hashes repeat the ids themselves are compared: distinct ids
        of one hash pass, a real repeat among them is still named."""
        from labelwise.cli import _scale_ids

        monkeypatch.setattr(_scale_ids, "_hashed", lambda part: pd.Series(np.zeros(len(part), np.uint64), part.index))
        _inputs(tmp_path)
        res = _scale(tmp_path, tmp_path / "p3", "--id-column", "sample")
        assert res.exit_code == 0, res.output
        ids = list(IDS)
        ids[70] = "007"
        (tmp_path / "again").mkdir()
        _inputs(tmp_path / "again", ids=ids)
        res = _scale(tmp_path / "again", tmp_path / "again" / "p3", "--id-column", "sample")
        assert res.exit_code != 0 and "'007' is on row 0 and row 70 (1 repeated row(s)" in _text(res)
