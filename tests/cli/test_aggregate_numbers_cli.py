"""``labelwise aggregate-numbers``: the files it writes (the library's numbers), the baselines, separate
groups of annotators, and errors said in the options' words."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate import BiasPrecision, RobustBiasPrecision
from labelwise.cli import main


@pytest.fixture
def answers(tmp_path):
    """40 items, 4 annotators (one biased by +3, one noisy), columns named otherwise than the defaults."""
    rng = np.random.default_rng(0)
    item = np.repeat(np.arange(40), 3)
    who = np.array(["ann", "bob", "cy", "dee"])[rng.integers(0, 4, len(item))]
    truth = rng.normal(20, 5, 40)[item]
    value = truth + np.where(who == "bob", 3.0, 0.0) + np.where(who == "dee", 4.0, 0.5) * rng.normal(size=len(item))
    path = tmp_path / "answers.csv"
    pd.DataFrame({"task": item, "who": who, "price": value.round(3)}).to_csv(path, index=False)
    return path


COLUMNS = ("--item-column", "task", "--annotator-column", "who", "--value-column", "price")


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_writes_the_libraries_values_annotators_and_summary(answers, tmp_path):
    """values.csv and annotators.csv hold BiasPrecision's numbers; summary.json the settings and the fit."""
    out = tmp_path / "o"
    res = _run("aggregate-numbers", answers, *COLUMNS, "--prior", "3", "--out", out)
    assert res.exit_code == 0, res.output
    values = pd.read_csv(out / "values.csv")
    annotators = pd.read_csv(out / "annotators.csv")
    assert list(values.columns) == ["item", "value", "sd", "n"]
    assert list(annotators.columns) == ["annotator", "bias", "sd", "n", "n_items"]
    api = BiasPrecision(prior=3, item_col="task", annotator_col="who", value_col="price").fit(pd.read_csv(answers))
    np.testing.assert_allclose(values["value"], api.values_.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(annotators["bias"], api.annotator_bias_.to_numpy(), rtol=1e-12, atol=1e-12)
    assert annotators.set_index("annotator")["bias"].idxmax() == "bob"
    assert annotators.set_index("annotator")["sd"].idxmax() == "dee"
    assert annotators["n"].sum() == values["n"].sum() == 120
    summary = json.loads((out / "summary.json").read_text())
    assert summary["method"] == "bias-precision" and summary["prior"] == 3.0 and summary["converged"]
    assert summary["columns"] == {"item": "task", "annotator": "who", "value": "price"}
    assert summary["n_answers"] == 120 and summary["n_components"] == 1


def test_median_writes_the_median_and_an_empty_sd(answers, tmp_path):
    """--method median: each item's median, no sd; the fit has no iterations."""
    out = tmp_path / "o"
    assert _run("aggregate-numbers", answers, *COLUMNS, "--method", "median", "--out", out).exit_code == 0
    values = pd.read_csv(out / "values.csv")
    expected = pd.read_csv(answers).groupby("task")["price"].median()
    np.testing.assert_allclose(values["value"], expected.to_numpy())
    assert values["sd"].isna().all()
    assert json.loads((out / "summary.json").read_text())["prior"] is None


def test_model_options_with_a_baseline_are_refused(answers, tmp_path):
    """--prior (or --max-iter, --tol) with --method mean: refused, naming the option and the method."""
    res = _run("aggregate-numbers", answers, *COLUMNS, "--method", "mean", "--max-iter", "5", "--out", tmp_path / "o")
    assert res.exit_code == 2
    assert "--max-iter is only read by --method bias-precision or robust" in res.output
    assert not (tmp_path / "o").exists()


def test_a_value_that_is_not_a_number_is_named_with_its_row_and_option(answers, tmp_path):
    """A text among the values: the error names --value-column, the row and the text."""
    frame = pd.read_csv(answers).astype({"price": object})
    frame.loc[4, "price"] = "12,5 EUR"
    frame.to_csv(answers, index=False)
    res = _run("aggregate-numbers", answers, *COLUMNS, "--out", tmp_path / "o")
    assert res.exit_code == 2
    assert "--value-column column 'price' must hold numbers, row 4 (line 6) is '12,5 EUR'" in res.output


def test_one_column_for_two_roles_is_said_in_options(answers, tmp_path):
    """--value-column naming the item column: both options are named."""
    res = _run(
        "aggregate-numbers",
        answers,
        "--item-column",
        "task",
        "--annotator-column",
        "who",
        "--value-column",
        "task",
        "--out",
        tmp_path / "o",
    )
    assert res.exit_code == 2
    assert "--value-column must name another column than --item-column, got 'task' for both" in res.output


def test_separate_groups_of_annotators_are_reported(answers, tmp_path):
    """Two crowds that share no item: the command says the biases are centred in each group."""
    frame = pd.read_csv(answers)
    other = frame.assign(task=frame["task"] + 1000, who=frame["who"] + "_2")
    pd.concat([frame, other]).to_csv(answers, index=False)
    res = _run("aggregate-numbers", answers, *COLUMNS, "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert "2 separate groups of annotators" in res.output
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["biases_comparable_across_components"] is False


def test_robust_method_fits_the_robust_model(answers, tmp_path):
    """--method robust: RobustBiasPrecision's values, with the model's settings in summary.json."""
    out = tmp_path / "o"
    res = _run("aggregate-numbers", answers, *COLUMNS, "--method", "robust", "--max-iter", "50", "--out", out)
    assert res.exit_code == 0, res.output
    api = RobustBiasPrecision(max_iter=50, item_col="task", annotator_col="who", value_col="price")
    api.fit(pd.read_csv(answers))
    np.testing.assert_allclose(pd.read_csv(out / "values.csv")["value"], api.values_.to_numpy(), rtol=1e-12)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["method"] == "robust" and summary["max_iter"] == 50 and summary["prior"] == 2.0


def test_missing_values_are_dropped_and_counted_and_repeats_counted(tmp_path):
    """An empty value cell is dropped and counted (it was refused; `labelwise aggregate` drops empty
    answers), and an annotator's second answer on an item is counted in summary.json and on screen."""
    path = tmp_path / "n.csv"
    path.write_text("item,annotator,value\n007,a,1.5\n7,b,\n007,b,1.7\n007,a,1.6\n8,c,3\n")
    result = _run("aggregate-numbers", path, "--method", "mean", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "dropped 1 row(s) with no value" in result.output and "1 answer(s) repeat" in result.output
    info = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (info["n_answers"], info["n_dropped"], info["n_repeated"], info["n_items"]) == (4, 1, 1, 2)
    values = pd.read_csv(tmp_path / "out" / "values.csv", dtype={"item": str}).set_index("item")
    assert values.value.to_dict() == pytest.approx({"007": 1.6, "8": 3.0})


@pytest.mark.parametrize("method", ["mean", "median"])
def test_baselines_say_nothing_of_centred_biases(method, answers, tmp_path):
    """Separate groups with --method mean or median: no notice about biases centred in each group
    (the baselines fit no bias)."""
    frame = pd.read_csv(answers)
    other = frame.assign(task=frame["task"] + 1000, who=frame["who"] + "_2")
    pd.concat([frame, other]).to_csv(answers, index=False)
    res = _run("aggregate-numbers", answers, *COLUMNS, "--method", method, "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert "separate groups" not in res.output


def test_quiet_still_warns_that_the_fit_did_not_converge(answers, tmp_path):
    """--quiet prints only warnings and errors; an unfinished fit (--max-iter 1) is a warning on stderr."""
    res = _run("aggregate-numbers", answers, *COLUMNS, "--max-iter", "1", "--quiet", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert "wrote" not in res.stdout
    assert "warning: not converged after 1 iterations" in res.stderr


def test_a_text_after_an_empty_value_is_named_by_its_row_in_the_file(tmp_path):
    """A text among the values after a row of no value: the error names the text's row in ANSWERS
    (5), not its row among the rows left once the empty one is dropped (4)."""
    path = tmp_path / "numbers.csv"
    path.write_text("item,annotator,value\n1,a,10\n1,b,12\n1,c,\n2,a,5\n2,b,6\n2,c,abc\n")
    res = _run("aggregate-numbers", path, "--out", tmp_path / "o")
    assert res.exit_code == 2
    assert "--value-column column 'value' must hold numbers, row 5 (line 7) is 'abc'" in res.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("column", "row"), [("item", "2,b,6\n,c,7\n"), ("annotator", "2,b,6\n2,,7\n")])
def test_a_missing_id_after_an_empty_value_is_named_by_its_row_and_line(tmp_path, column, row):
    """A missing item or annotator after a row of no value: the error names the id's row (4) and
    line (6) in ANSWERS, not the row it has once the empty one is dropped (3, which has its id)."""
    path = tmp_path / "numbers.csv"
    path.write_text("item,annotator,value\n1,a,10\n1,c,\n2,a,5\n" + row)
    res = _run("aggregate-numbers", path, "--out", tmp_path / "o")
    assert res.exit_code == 2
    option = "--item-column" if column == "item" else "--annotator-column"
    assert f"{option} column '{column}' must not contain missing values, row 4 is nan" in res.output
    assert f"row 4 (line 6) of column '{column}' in ANSWERS 'numbers.csv' is an empty cell" in res.output
    assert not (tmp_path / "o").exists()


def test_a_text_among_the_values_names_its_line_past_blank_lines(tmp_path):
    """'12,5 EUR' on the third row after a blank line: row 2, line 5 of the file."""
    path = tmp_path / "numbers.csv"
    path.write_text('item,annotator,value\n1,a,10\n\n1,b,12\n1,c,"12,5 EUR"\n')
    res = _run("aggregate-numbers", path, "--out", tmp_path / "o")
    assert res.exit_code == 2
    assert "--value-column column 'value' must hold numbers, row 2 (line 5) is '12,5 EUR'" in res.output
