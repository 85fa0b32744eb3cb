"""``labelwise audit --task ...`` takes the user's ids and token tables: ``--id-column`` (multilabel, regression,
a token table) carries DATA's ids as written into issues.csv, refusing missing or repeated ones by line, and
``--task token --sentence-column`` reads a long token table (sentence id, token, tag), grouped by its sentence
ids, refusing an interleaved sentence by name. Before, issues.csv named rows by position only, and a token
table was read as a CoNLL file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.special import expit

from labelwise.cli import main

IDS = ["007", "a b", "ünï", "10"]  # zero-padded, text with a space, unicode, a number


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _run(*args):
    return CliRunner().invoke(main, ["audit", *map(str, args)])


def _text(res) -> str:
    return " ".join(res.output.split())  # rich's wrapping undone


def _multilabel(tmp_path, ids=None):
    """A 40-row tag table with ``sample`` ids, and per-tag sigmoid probabilities."""
    rng = np.random.default_rng(0)
    names = np.array(["cat", "dog", "sky"])
    tags = rng.random((40, 3)) < 0.4
    ids = [*IDS, *[f"s{i}" for i in range(36)]] if ids is None else ids
    pd.DataFrame({"sample": ids, "tags": ["|".join(names[r]) for r in tags]}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "p.npy", expit(rng.normal(0, 1, (40, 3)) + 2 * tags))
    return ["--task", "multilabel", "--label", "tags", "--probs", tmp_path / "p.npy", "--out", tmp_path / "o"]


class TestIdColumn:
    def test_multilabel_issues_carry_the_ids_as_written(self, tmp_path):
        """Each issues.csv row gets its DATA row's id (007 stays 007), after ``row``; summary.json names the column."""
        res = _run(tmp_path / "d.csv", *_multilabel(tmp_path), "--id-column", "sample")
        assert res.exit_code == 0, res.output
        issues = pd.read_csv(tmp_path / "o" / "issues.csv", dtype={"sample": str})
        assert list(issues.columns[:2]) == ["row", "sample"]
        data = pd.read_csv(tmp_path / "d.csv", dtype=str)
        assert issues["sample"].tolist() == data["sample"].to_numpy()[issues["row"]].tolist()
        assert set(IDS) <= set(issues["sample"])
        settings = json.loads((tmp_path / "o" / "summary.json").read_text())["settings"]
        assert settings["id_column"] == "sample"

    def test_regression_ids_are_carried_and_not_read_as_a_feature(self, tmp_path):
        """The id column is left out of the regressor's columns; a column named ``row`` is written as ``id``."""
        rng = np.random.default_rng(1)
        x = rng.normal(size=60)
        ids = [f"{i:03d}" for i in range(60)]
        pd.DataFrame({"row": ids, "x": x, "price": 2 * x + rng.normal(0, 0.1, 60)}).to_csv(
            tmp_path / "r.csv", index=False
        )
        res = _run(
            tmp_path / "r.csv",
            "--task",
            "regression",
            "--label",
            "price",
            "--id-column",
            "row",
            "--out",
            tmp_path / "o",
        )
        assert res.exit_code == 0, res.output
        issues = pd.read_csv(tmp_path / "o" / "issues.csv", dtype={"id": str})
        assert list(issues.columns[:2]) == ["row", "id"]
        assert issues["id"].tolist() == [ids[r] for r in issues["row"]]
        assert json.loads((tmp_path / "o" / "summary.json").read_text())["settings"]["feature_columns"] == ["x"]

    def test_a_probs_table_with_the_id_column_is_matched_by_id(self, tmp_path):
        """A --probs table holding the ids, its rows shuffled, gives the flags of the rows in DATA's order; a
        table without one of DATA's ids is refused naming it (it was refused as an unknown tag column)."""
        args = _multilabel(tmp_path)
        probs = pd.DataFrame(np.load(tmp_path / "p.npy"), columns=["cat", "dog", "sky"])
        probs.to_csv(tmp_path / "p.csv", index=False)
        ids = pd.read_csv(tmp_path / "d.csv", dtype=str)["sample"]
        shuffled = probs.assign(sample=ids).sample(frac=1, random_state=0)
        shuffled.to_csv(tmp_path / "ps.csv", index=False)
        for name in ("p.csv", "ps.csv"):
            out = tmp_path / f"o_{name}"
            res = _run(tmp_path / "d.csv", *args[:5], tmp_path / name, "--out", out, "--id-column", "sample")
            assert res.exit_code == 0, res.output
        pd.testing.assert_frame_equal(*(pd.read_csv(tmp_path / f"o_{n}" / "issues.csv") for n in ("p.csv", "ps.csv")))
        shuffled[shuffled["sample"] != "007"].to_csv(tmp_path / "pm.csv", index=False)
        res = _run(tmp_path / "d.csv", *args[:5], tmp_path / "pm.csv", "--id-column", "sample")
        assert res.exit_code != 0 and "got none for '007'" in _text(res)

    def test_a_repeated_id_is_refused_naming_it_and_both_lines(self, tmp_path):
        """'007' twice: the error names the value, both rows and their lines, and nothing is written."""
        args = _multilabel(tmp_path, ids=["007", *[f"s{i}" for i in range(38)], "007"])
        res = _run(tmp_path / "d.csv", *args, "--id-column", "sample")
        assert res.exit_code != 0
        assert (
            "--id-column 'sample' must hold a unique id on every row of DATA; '007' is on row 0 (line 2) and row 39 (line 41)"
            in _text(res)
        )
        assert not (tmp_path / "o").exists()

    def test_a_missing_id_is_refused_naming_its_line(self, tmp_path):
        """An empty id cell: the error names its row and line."""
        res = _run(
            tmp_path / "d.csv",
            *_multilabel(tmp_path, ids=[*[f"s{i}" for i in range(5)], "", *[f"t{i}" for i in range(34)]]),
            "--id-column",
            "sample",
        )
        assert res.exit_code != 0
        assert "--id-column 'sample' must hold an id on every row of DATA; row 5 (line 7) has none" in _text(res)

    def test_a_column_not_in_data_or_the_label_is_refused(self, tmp_path):
        """A misspelt column is named with DATA's columns; the label column cannot be the ids."""
        args = _multilabel(tmp_path)
        res = _run(tmp_path / "d.csv", *args, "--id-column", "Sample")
        assert res.exit_code != 0 and "--id-column 'Sample' is not in DATA" in _text(res)
        res = _run(tmp_path / "d.csv", *args, "--id-column", "tags")
        assert res.exit_code != 0 and "--id-column must differ from --label, both are 'tags'" in _text(res)

    def test_the_tasks_that_read_no_table_of_rows_refuse_it(self, tmp_path):
        """A CoNLL token file refuses --id-column, unread (classification reads it since session 49:
        tests/cli/test_audit_classification_ids_cli.py)."""
        args = _multilabel(tmp_path)
        (tmp_path / "c.conll").write_text("EU B-ORG\nrejects O\n\nPeter B-PER\n")
        res = _run(tmp_path / "c.conll", "--task", "token", "--probs", args[5], "--id-column", "sample")
        assert res.exit_code != 0 and "without --sentence-column" in _text(res)


def _sentences(n=40, seed=0):
    """``n`` sentences of words and IOB tags, the probabilities of a model that is mostly right, one tag flipped."""
    rng = np.random.default_rng(seed)
    classes = ["B-LOC", "B-PER", "I-PER", "O"]
    rows, probs = [], []
    for s in range(n):
        for j in range(int(rng.integers(3, 8))):
            tag = classes[int(rng.integers(0, 4))] if j else "B-PER"
            logits = rng.normal(0, 0.5, 4)
            logits[classes.index(tag)] += 4
            rows.append({"sid": f"{s:03d}", "word": f"w{j}", "tag": tag})
            probs.append(np.exp(logits) / np.exp(logits).sum())
    rows[0]["tag"] = "B-LOC"  # the model says B-PER
    return pd.DataFrame(rows), np.array(probs)


class TestTokenTable:
    def test_a_token_table_is_audited_as_its_conll_file_with_the_ids_carried(self, tmp_path):
        """The table's flags equal the CoNLL file's; issues.csv and sentences.csv carry the sentence ids as
        written under the column's name, and --id-column's token ids."""
        table, probs = _sentences()
        table.insert(0, "tid", [f"t{i:04d}" for i in range(len(table))])
        table.to_csv(tmp_path / "tok.csv", index=False)
        np.save(tmp_path / "p.npy", probs)
        lines = [
            f"{w} {t}" if i == 0 or s == table["sid"][i - 1] else f"\n{w} {t}"
            for i, (s, w, t) in enumerate(zip(table["sid"], table["word"], table["tag"], strict=True))
        ]
        (tmp_path / "c.conll").write_text("\n".join(lines) + "\n")
        res = _run(tmp_path / "c.conll", "--task", "token", "--probs", tmp_path / "p.npy", "--out", tmp_path / "conll")
        assert res.exit_code == 0, res.output
        args = ["--label", "tag", "--sentence-column", "sid", "--token-column", "word", "--id-column", "tid"]
        res = _run(
            tmp_path / "tok.csv", "--task", "token", *args, "--probs", tmp_path / "p.npy", "--out", tmp_path / "o"
        )
        assert res.exit_code == 0, res.output
        ours = pd.read_csv(tmp_path / "o" / "issues.csv", dtype=str)
        conll = pd.read_csv(tmp_path / "conll" / "issues.csv", dtype=str)
        assert ours["token_index"].tolist() == conll["token_index"].tolist()
        assert ours["is_issue"].tolist() == conll["is_issue"].tolist() and "True" in set(ours["is_issue"])
        assert list(ours.columns[:4]) == ["token_index", "tid", "sentence", "sid"]
        rows = ours["token_index"].astype(int)
        assert ours["tid"].tolist() == table["tid"].to_numpy()[rows].tolist()
        assert ours["sid"].tolist() == table["sid"].to_numpy()[rows].tolist()
        assert ours["token"].tolist() == table["word"].to_numpy()[rows].tolist()
        sentences = pd.read_csv(tmp_path / "o" / "sentences.csv", dtype=str)
        assert sentences["sid"].tolist() == [f"{int(s):03d}" for s in sentences["sentence"]]

    def test_an_interleaved_sentence_is_refused_naming_it(self, tmp_path):
        """Sentence 000's tokens, then 001's, then 000's again: refused with the id, the rows and the fix."""
        table, probs = _sentences(n=6)
        moved = table.index[table["sid"] == "000"][-1]
        order = [i for i in table.index if i != moved] + [moved]
        table.iloc[order].to_csv(tmp_path / "tok.csv", index=False)
        np.save(tmp_path / "p.npy", probs[order])
        args = ["--label", "tag", "--sentence-column", "sid", "--probs", tmp_path / "p.npy"]
        res = _run(tmp_path / "tok.csv", "--task", "token", *args)
        assert res.exit_code != 0
        assert (
            "--sentence-column 'sid': sentence '000' has tokens at row 0 (line 2) and again at row 36 (line 38), after sentence '005'"
            in _text(res)
        )
        assert "sort the table by sentence" in _text(res)

    def test_a_probs_table_of_one_row_per_token_is_read(self, tmp_path):
        """--probs as a CSV with a column per tag (any order), or an .npz of one array per sentence in the order
        the sentences appear, gives the .npy's flags."""
        table, probs = _sentences(seed=3)
        table.to_csv(tmp_path / "tok.csv", index=False)
        np.save(tmp_path / "p.npy", probs)
        pd.DataFrame(probs, columns=["B-LOC", "B-PER", "I-PER", "O"])[["O", "B-PER", "I-PER", "B-LOC"]].to_csv(
            tmp_path / "p.csv", index=False
        )
        lengths = table.groupby("sid", sort=False).size().to_numpy()
        np.savez(tmp_path / "p.npz", *np.split(probs, np.cumsum(lengths)[:-1]))
        args = ["--task", "token", "--label", "tag", "--sentence-column", "sid"]
        for name in ("p.npy", "p.csv", "p.npz"):
            res = _run(
                tmp_path / "tok.csv", *args, "--probs", tmp_path / name, "--out", tmp_path / name.replace(".", "_")
            )
            assert res.exit_code == 0, res.output
        a, b, c = (pd.read_csv(tmp_path / f / "issues.csv") for f in ("p_npy", "p_csv", "p_npz"))
        pd.testing.assert_frame_equal(a, b)
        pd.testing.assert_frame_equal(a, c)

    def test_a_table_without_the_label_option_is_refused(self, tmp_path):
        """--sentence-column without --label: the error asks for the tag column."""
        table, probs = _sentences(n=4)
        table.to_csv(tmp_path / "tok.csv", index=False)
        np.save(tmp_path / "p.npy", probs)
        res = _run(tmp_path / "tok.csv", "--task", "token", "--sentence-column", "sid", "--probs", tmp_path / "p.npy")
        assert res.exit_code != 0 and "needs --label: the column of the tags" in _text(res)
