"""``labelwise aggregate-texts``: the files it writes, the methods, the column options, and the
options refused where the method does not read them."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _answers(path):
    rows = [
        ("q1", "a", "the cat sat on the mat"),
        ("q1", "b", "the cat sat on a mat"),
        ("q1", "c", "teh cat sat on the mat"),
        ("q1", "d", "dogs bark loudly"),
        ("q2", "a", "paris is the capital"),
        ("q2", "b", "paris is the capitol"),
        ("q2", "d", "london"),
        ("q3", "c", "007"),
    ]
    pd.DataFrame(rows, columns=["item", "annotator", "text"]).to_csv(path, index=False)
    return path


def _run(*args):
    return CliRunner().invoke(main, ["aggregate-texts", *map(str, args)])


@pytest.mark.parametrize("method", ["closest", "rasa", "hrrasa"])
def test_writes_one_chosen_text_per_item(method, tmp_path):
    """texts.csv has each item once, a text among its answers, a similarity in [0, 1] and the answer count."""
    out = tmp_path / "out"
    result = _run(_answers(tmp_path / "a.csv"), "--method", method, "--out", out)
    assert result.exit_code == 0, result.output
    texts = pd.read_csv(out / "texts.csv", dtype={"text": str})
    assert texts.item.tolist() == ["q1", "q2", "q3"]
    assert texts.text.iloc[0] != "dogs bark loudly" and texts.text.iloc[2] == "007"
    assert texts.similarity.between(0, 1).all() and texts.n_answers.tolist() == [4, 3, 1]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["method"] == method and summary["n_items"] == 3 and summary["n_answers"] == 8
    assert (out / "annotators.csv").exists() == (method != "closest")


def test_a_blank_only_answer_has_no_similarity_and_single_answers_at_most_one(tmp_path):
    """An item answered only by a blank text (no direction to compare) has an empty similarity, not -inf;
    a single answer's similarity is exactly 1, not 1.0000000000000002; the mean leaves the blank out."""
    path = _answers(tmp_path / "a.csv")
    with path.open("a") as handle:
        handle.write('q4,a,"   "\n')
    out = tmp_path / "out"
    result = _run(path, "--out", out)
    assert result.exit_code == 0, result.output
    texts = pd.read_csv(out / "texts.csv", dtype={"text": str}).set_index("item")
    assert texts.similarity.loc["q3"] == 1.0 and pd.isna(texts.similarity.loc["q4"])
    assert texts.similarity.drop("q4").between(0, 1).all()
    mean = json.loads((out / "summary.json").read_text())["mean_similarity"]
    assert mean == pytest.approx(texts.similarity.drop("q4").mean())


def test_default_method_is_closest_without_annotators_file(tmp_path):
    """Without --method: closest to the mean, which weighs no annotator (no annotators.csv)."""
    out = tmp_path / "out"
    assert _run(_answers(tmp_path / "a.csv"), "--out", out).exit_code == 0
    assert json.loads((out / "summary.json").read_text())["method"] == "closest"
    assert not (out / "annotators.csv").exists()


def test_rasa_writes_one_reliability_per_annotator(tmp_path):
    """--method rasa: annotators.csv with a positive reliability per annotator."""
    out = tmp_path / "out"
    assert _run(_answers(tmp_path / "a.csv"), "--method", "rasa", "--out", out).exit_code == 0
    annotators = pd.read_csv(out / "annotators.csv")
    assert sorted(annotators.annotator) == ["a", "b", "c", "d"] and annotators.skill.gt(0).all()


def test_column_options_name_the_columns(tmp_path):
    """--item-column, --annotator-column and --text-column read other column names."""
    path = tmp_path / "a.csv"
    pd.read_csv(_answers(path)).rename(columns={"item": "q", "annotator": "who", "text": "said"}).to_csv(
        path, index=False
    )
    out = tmp_path / "out"
    args = ("--item-column", "q", "--annotator-column", "who", "--text-column", "said", "--out", out)
    result = _run(path, *args)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out / "texts.csv").item.tolist() == ["q1", "q2", "q3"]


@pytest.mark.parametrize("option", [("--max-iter", "5"), ("--tol", "0.1")])
def test_iteration_options_are_refused_with_closest(option, tmp_path):
    """closest (the default) does not iterate: --max-iter or --tol with it is an error naming the option."""
    result = _run(_answers(tmp_path / "a.csv"), *option, "--out", tmp_path / "out")
    assert result.exit_code != 0 and option[0] in result.output and "closest" in result.output


@pytest.mark.parametrize("method", ["closest", "rover"])
def test_missing_texts_are_dropped_and_counted_and_repeats_counted(method, tmp_path):
    """Empty text cells are dropped as `labelwise aggregate` drops empty answers (closest refused
    them, rover dropped them but counted them in n_answers); an annotator's second answer on an item
    is counted in summary.json and said on screen."""
    path = tmp_path / "a.csv"
    table = pd.read_csv(_answers(path))
    table = table.assign(text=table.text.where(~table.index.isin([2, 6])))
    pd.concat([table, table.iloc[[0]]]).to_csv(path, index=False)
    result = _run(path, "--method", method, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "dropped 2 row(s) with no text" in result.output and "1 answer(s) repeat" in result.output
    info = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (info["n_answers"], info["n_dropped"], info["n_repeated"]) == (7, 2, 1)
    texts = pd.read_csv(tmp_path / "out" / "texts.csv", dtype={"item": str})
    assert texts.set_index("item").n_answers.to_dict() == {"q1": 4, "q2": 2, "q3": 1}


def test_rover_reads_the_column_options_and_writes_no_similarity(tmp_path):
    """--method rover: the columns named by the options, texts.csv without a similarity, no annotators.csv."""
    path = tmp_path / "a.csv"
    pd.read_csv(_answers(path)).rename(columns={"item": "q", "text": "said"}).to_csv(path, index=False)
    out = tmp_path / "out"
    result = _run(path, "--method", "rover", "--item-column", "q", "--text-column", "said", "--out", out)
    assert result.exit_code == 0, result.output
    texts = pd.read_csv(out / "texts.csv", dtype={"text": str})
    assert texts.columns.tolist() == ["item", "text", "n_answers"] and texts.item.tolist() == ["q1", "q2", "q3"]
    assert texts.text.iloc[0] == "the cat sat on the mat" and not (out / "annotators.csv").exists()
    assert json.loads((out / "summary.json").read_text())["n_iter"] is None


@pytest.mark.parametrize("method", ["closest", "rover"])
@pytest.mark.parametrize(("column", "row"), [("item", ",c,hi\n"), ("annotator", "q2,,hi\n")])
def test_a_missing_id_after_an_empty_text_is_named_by_its_row_and_line(tmp_path, method, column, row):
    """A missing item or annotator after a row of no text: the error names the id's row (3) and line
    (5) in ANSWERS, not the row it has once the empty one is dropped (2, which has its id)."""
    path = tmp_path / "texts.csv"
    path.write_text("item,annotator,text\nq1,a,hello\nq1,b,\nq2,a,bye\n" + row)
    result = _run(path, "--method", method, "--out", tmp_path / "o")
    assert result.exit_code == 2
    option = "--item-column" if column == "item" else "--annotator-column"
    assert f"{option} column '{column}' must not contain missing values, row 3 is nan" in result.output
    assert f"row 3 (line 5) of column '{column}' in ANSWERS 'texts.csv' is an empty cell" in result.output
    assert not (tmp_path / "o").exists()
