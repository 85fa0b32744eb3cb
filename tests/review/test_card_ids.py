"""The review page's cards name each unit by the data's id where the audit had one (``sample ünï · row 2``):
a classification audit's ``--id-column`` (or an ``id`` column), a task audit's ``--id-column``, an
aggregation's items. Before, ``/api/examples`` gave the row alone, and the cards said ``row 2``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner
from scipy.special import expit
from starlette.testclient import TestClient

from labelwise.cli import main
from labelwise.review import create_app

BASE = "http://127.0.0.1"
IDS = ["007", "a b", "ünï", "10"]


def _audit(tmp_path, *args) -> None:
    res = CliRunner().invoke(main, ["audit", *map(str, args), "--quiet"])
    assert res.exit_code == 0, res.output


def _classification(tmp_path, name="sample", *extra):
    """A 30-row table with ids in column ``name``, audited with given probabilities."""
    rng = np.random.default_rng(0)
    ids = [*IDS, *[f"s{i:02d}" for i in range(26)]]
    y = np.array(["cat", "dog", "owl"])[np.arange(30) % 3]
    pd.DataFrame({name: ids, "a": rng.normal(size=30).round(3), "y": y}).to_csv(tmp_path / "d.csv", index=False)
    probs = rng.dirichlet(np.ones(3), size=30) * 0.2
    probs[np.arange(30), np.arange(30) % 3] += 0.8
    probs[2] = [0.9, 0.05, 0.05]
    np.save(tmp_path / "p.npy", probs)
    out = tmp_path / "o"
    _audit(tmp_path, tmp_path / "d.csv", "--label", "y", "--probs", tmp_path / "p.npy", "--checks", "label",
           "--out", out, *extra)  # fmt: skip
    return out


def _items(folder) -> list[dict]:
    with TestClient(create_app(folder, reviewer="t"), base_url=BASE) as c:
        return c.get("/api/examples", params={"scope": "all", "page_size": 200}).json()["items"]


class TestClassificationCards:
    def test_each_card_carries_the_id_column_as_written(self, tmp_path):
        """With --id-column, each example's JSON names its id (007 stays 007) and the column."""
        items = _items(_classification(tmp_path, "sample", "--id-column", "sample"))
        ids = [*IDS, *[f"s{i:02d}" for i in range(26)]]
        assert {it["row"]: it["id"] for it in items} == dict(enumerate(ids))
        assert {it["id_column"] for it in items} == {"sample"}

    def test_an_id_column_by_its_name_is_shown_without_the_option(self, tmp_path):
        """A column ``doc_id`` names the cards as it names the change log's entries (review._data_ids)."""
        items = _items(_classification(tmp_path, "doc_id"))
        first = next(it for it in items if it["row"] == 0)
        assert first["id"] == "007" and first["id_column"] == "doc_id"

    def test_a_table_without_ids_gives_none(self, tmp_path):
        """No id column: ``id`` is null and the card names the row alone."""
        rng = np.random.default_rng(1)
        frame = pd.DataFrame({"a": rng.normal(size=30), "y": np.array(["u", "v"])[np.arange(30) % 2]})
        frame.to_csv(tmp_path / "d.csv", index=False)
        probs = np.tile([[0.8, 0.2], [0.2, 0.8]], (15, 1))
        np.save(tmp_path / "p.npy", probs)
        _audit(tmp_path, tmp_path / "d.csv", "--label", "y", "--probs", tmp_path / "p.npy", "--checks", "label",
               "--out", tmp_path / "o")  # fmt: skip
        items = _items(tmp_path / "o")
        assert {it["id"] for it in items} == {None} and {it["id_column"] for it in items} == {None}


class TestTaskAndAggregationCards:
    def test_a_multilabel_audits_cards_carry_its_id_column(self, tmp_path):
        """A task audit given --id-column: each unit's id, read from issues.csv as text."""
        rng = np.random.default_rng(0)
        names = np.array(["cat", "dog", "sky"])
        tags = rng.random((40, 3)) < 0.4
        ids = [*IDS, *[f"s{i}" for i in range(36)]]
        pd.DataFrame({"sample": ids, "tags": ["|".join(names[r]) for r in tags]}).to_csv(
            tmp_path / "d.csv", index=False
        )
        np.save(tmp_path / "p.npy", expit(rng.normal(0, 1, (40, 3)) + 2 * tags))
        _audit(tmp_path, tmp_path / "d.csv", "--task", "multilabel", "--label", "tags", "--probs", tmp_path / "p.npy",
               "--id-column", "sample", "--out", tmp_path / "o")  # fmt: skip
        items = _items(tmp_path / "o")
        assert {it["row"]: it["id"] for it in items} == dict(enumerate(ids))
        assert {it["id_column"] for it in items} == {"sample"}

    def test_a_token_tables_cards_carry_each_tokens_id(self, tmp_path):
        """A token table's --id-column names each token's card."""
        rows = [("s1", "t01", "EU", "B-ORG"), ("s1", "t02", "rejects", "O"), ("s2", "t03", "Peter", "B-PER")]
        rows += [("s2", "t04", "Blackburn", "I-PER"), ("s3", "t05", "BRUSSELS", "B-LOC"), ("s3", "t06", "now", "O")]
        pd.DataFrame(rows, columns=["sid", "tid", "word", "tag"]).to_csv(tmp_path / "d.csv", index=False)
        classes = ["B-LOC", "B-ORG", "B-PER", "I-PER", "O"]
        probs = np.full((6, 5), 0.05)
        probs[np.arange(6), [classes.index(r[3]) for r in rows]] = 0.8
        np.save(tmp_path / "p.npy", probs)
        _audit(tmp_path, tmp_path / "d.csv", "--task", "token", "--label", "tag", "--sentence-column", "sid",
               "--token-column", "word", "--id-column", "tid", "--probs", tmp_path / "p.npy", "--out", tmp_path / "o")  # fmt: skip
        items = _items(tmp_path / "o")
        assert {it["row"]: it["id"] for it in items} == {i: f"t{i + 1:02d}" for i in range(6)}

    def test_an_aggregations_cards_carry_the_item(self, tmp_path):
        """An aggregation's units are its items: each card names its item."""
        rng = np.random.default_rng(0)
        rows = [(f"q{i:02d}", who, ["cat", "dog"][int(rng.random() < 0.5)]) for i in range(12) for who in "abc"]
        pd.DataFrame(rows, columns=["item", "annotator", "label"]).to_csv(tmp_path / "answers.csv", index=False)
        res = CliRunner().invoke(
            main, ["aggregate", str(tmp_path / "answers.csv"), "--out", str(tmp_path / "agg"), "--quiet"]
        )
        assert res.exit_code == 0, res.output
        items = _items(tmp_path / "agg")
        assert sorted(it["id"] for it in items) == [f"q{i:02d}" for i in range(12)]
        assert {it["id_column"] for it in items} == {"item"}
