"""The review's cards read the answers a run read, however it read them (summary.json's ``input`` record)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import InvalidParameterError
from labelwise.review import export_cleaned
from labelwise.review._answers_input import NO_RECORD
from labelwise.review.crowd import crowd_units
from labelwise.review.tag_sets import tags_units

CLASSES = ["cat", "dog", "owl"]
RENAMED = {"item": "task", "annotator": "worker", "label": "answer"}


def _answers(n_items: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, n_items)
    rows = [
        (f"q{i:02d}", who, CLASSES[int(t if rng.random() < skill else rng.integers(0, 3))])
        for i, t in enumerate(truth)
        for who, skill in (("ann", 0.9), ("bob", 0.75), ("cy", 0.4))
    ]
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


def _run(*args) -> None:
    res = CliRunner().invoke(main, [*map(str, args), "--quiet"])
    assert res.exit_code == 0, res.output


def _write_parts(frame: pd.DataFrame, folder: Path) -> Path:
    folder.mkdir()
    half = len(frame) // 2
    frame.iloc[:half].to_parquet(folder / "part-0.parquet", index=False)
    frame.iloc[half:].to_parquet(folder / "part-1.parquet", index=False)
    return folder


def _card_answers(folder: Path) -> dict[str, set[tuple[str, str]]]:
    """Every item's (annotator, label) answers as its card lists them."""
    audit, previewer, _ = crowd_units(folder)
    out = {}
    for row, item in zip(audit.issues["row"], audit.issues["item"], strict=True):
        card = previewer.describe(int(row))
        assert "answers not shown" not in card["text"], card["text"]
        out[item] = {(a["annotator"], a["label"]) for a in card["answers"]}
    return out


def _expected(frame: pd.DataFrame) -> dict[str, set[tuple[str, str]]]:
    return {str(i): set(zip(g["annotator"], g["label"], strict=True)) for i, g in frame.groupby("item")}


def _given(kind: str, base: Path) -> list:
    """The PATH and options of one way to give `labelwise aggregate` the answers."""
    answers = _answers()
    renamed = answers.rename(columns=RENAMED)
    options = ["--item-column", "task", "--annotator-column", "worker", "--label-column", "answer"]
    if kind == "renamed-csv":
        renamed.to_csv(base / "a.csv", index=False)
        return [base / "a.csv", *options]
    if kind == "renamed-parquet":
        renamed.to_parquet(base / "a.parquet", index=False)
        return [base / "a.parquet", *options]
    if kind == "parquet-parts":
        return [_write_parts(answers, base / "parts")]
    return [_write_parts(renamed, base / "parts"), *options, "--scheduler", "threads"]  # renamed parts


class TestCrowdCards:
    @pytest.mark.parametrize("kind", ["renamed-csv", "renamed-parquet", "parquet-parts", "renamed-parts"])
    def test_cards_show_every_answer_however_the_run_read_them(self, tmp_path, kind):
        """Custom column names, a Parquet file, a folder of Parquet parts (Dask): each card lists its item's answers."""
        _run("aggregate", *_given(kind, tmp_path), "--out", tmp_path / "agg")
        assert _card_answers(tmp_path / "agg") == _expected(_answers())

    def test_summary_records_the_input_as_read(self, tmp_path):
        """summary.json's input: the absolute path, the format read and the column options as given."""
        _run("aggregate", *_given("renamed-csv", tmp_path), "--out", tmp_path / "agg")
        record = json.loads((tmp_path / "agg" / "summary.json").read_text())["input"]
        assert record == {"path": str((tmp_path / "a.csv").resolve()), "format": "long", "columns": RENAMED}

    def test_a_relative_path_is_found_from_another_working_folder(self, tmp_path, monkeypatch):
        """The run named its answers and gold relative to its working folder; the review, run elsewhere, still
        finds them."""
        (tmp_path / "data").mkdir()
        _answers().to_csv(tmp_path / "data" / "answers.csv", index=False)
        pd.DataFrame({"item": ["q03"], "label": ["owl"]}).to_csv(tmp_path / "data" / "gold.csv", index=False)
        monkeypatch.chdir(tmp_path)
        _run("aggregate", "data/answers.csv", "--gold", "data/gold.csv", "--out", "runs/agg")
        monkeypatch.chdir(tmp_path / "data")
        assert _card_answers(tmp_path / "runs" / "agg") == _expected(_answers())
        audit, previewer, _ = crowd_units(tmp_path / "runs" / "agg")
        row = int(audit.issues.set_index("item").at["q03", "row"])
        assert previewer.describe(row)["gold"] == "owl"

    def test_an_older_folder_keeps_the_defaults_and_says_so_when_they_fail(self, tmp_path):
        """Without the record, the defaults are tried (they read a plain table); where they fail the card says
        the folder predates the record."""
        _answers().to_csv(tmp_path / "plain.csv", index=False)
        _run("aggregate", tmp_path / "plain.csv", "--out", tmp_path / "plain")
        _run("aggregate", *_given("renamed-csv", tmp_path), "--out", tmp_path / "renamed")
        for name in ("plain", "renamed"):
            summary = json.loads((tmp_path / name / "summary.json").read_text())
            summary.pop("input", None)
            (tmp_path / name / "summary.json").write_text(json.dumps(summary))
        assert _card_answers(tmp_path / "plain") == _expected(_answers())
        audit, previewer, _ = crowd_units(tmp_path / "renamed")
        text = previewer.describe(int(audit.issues["row"].iloc[0]))["text"]
        assert "answers not shown" in text and NO_RECORD in text

    def test_export_refuses_a_file_inside_the_answers_parquet_folder(self, tmp_path):
        """An export written among the Parquet parts would be read as answers by the next run: refused, none written."""
        _run("aggregate", *_given("parquet-parts", tmp_path), "--out", tmp_path / "agg")
        with pytest.raises(
            InvalidParameterError, match="inside .*the folder of Parquet parts labelwise aggregate read"
        ):
            export_cleaned(tmp_path / "agg", tmp_path / "parts" / "clean.parquet")
        assert sorted(p.name for p in (tmp_path / "parts").iterdir()) == ["part-0.parquet", "part-1.parquet"]


class TestGold:
    def test_cards_show_the_gold_label_and_a_wrong_label_is_contested(self, tmp_path):
        """With --gold the card of a gold item shows its true label, marked where the aggregation's label is
        another; such an item is contested even when every answer agreed."""
        answers = _answers()
        answers["label"] = answers["item"].map(lambda i: CLASSES[int(i[1:]) % 3])  # every answer agrees
        answers.to_csv(tmp_path / "a.csv", index=False)
        gold = pd.DataFrame({"item": ["q00", "q01"], "label": ["cat", "cat"]})  # q01's answers all say dog
        gold.to_csv(tmp_path / "gold.csv", index=False)
        _run("aggregate", tmp_path / "a.csv", "--gold", tmp_path / "gold.csv", "--out", tmp_path / "agg")
        audit, previewer, _ = crowd_units(tmp_path / "agg")
        units = audit.issues.set_index("item")
        right, wrong = (previewer.describe(int(units.at[i, "row"])) for i in ("q00", "q01"))
        assert (
            right["gold"] == "cat"
            and "gold label cat\n" in right["text"] + "\n"
            and "not the label" not in right["text"]
        )
        assert wrong["gold"] == "cat" and "gold label cat  * not the label" in wrong["text"]
        assert units.loc[["q00", "q01", "q02"], "is_issue"].tolist() == [False, True, False]


class TestTagCards:
    def _tags(self, base: Path) -> pd.DataFrame:
        frame = _answers().rename(columns={"label": "tags"})
        frame["tags"] = frame["tags"].where(frame.index % 4 != 0, frame["tags"] + "|owl")
        return frame.rename(columns={"item": "doc"})

    def test_cards_show_the_answers_of_a_parquet_folder(self, tmp_path):
        """An aggregate-tags run over a folder of Parquet parts (custom item column): the cards list every answer."""
        frame = self._tags(tmp_path)
        _run("aggregate-tags", _write_parts(frame, tmp_path / "parts"), "--item-column", "doc", "--out", tmp_path / "t")
        audit, previewer, _ = tags_units(tmp_path / "t")
        want = {
            str(i): {(w, tuple(sorted(set(t.split("|"))))) for w, t in zip(g["annotator"], g["tags"], strict=True)}
            for i, g in frame.groupby("doc")
        }
        for row, item in zip(audit.issues["row"], audit.issues["item"], strict=True):
            card = previewer.describe(int(row))
            assert {(a["annotator"], tuple(a["tags"])) for a in card["answers"]} == want[item], card["text"]
        record = json.loads((tmp_path / "t" / "summary.json").read_text())["input"]
        assert record["format"] == "parquet-parts" and record["columns"]["item"] == "doc"
        with pytest.raises(InvalidParameterError, match="inside"):
            export_cleaned(tmp_path / "t", tmp_path / "parts" / "clean.csv")
