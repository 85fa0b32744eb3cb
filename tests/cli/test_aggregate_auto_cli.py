"""`labelwise aggregate --method auto`: the choice is written to summary.json and printed."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from labelwise.aggregate import AutoAggregator
from labelwise.cli import main
from tests.aggregate._crowd import confusion_crowd


def test_method_auto_writes_its_choice_and_the_chosen_labels(tmp_path):
    answers, _ = confusion_crowd(120, 3, per_item=3, seed=2)
    path = tmp_path / "answers.csv"
    answers.to_csv(path, index=False)
    out = tmp_path / "agg"
    result = CliRunner().invoke(
        main, ["aggregate", str(path), "--method", "auto", "--param", "n_folds=4", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    est = AutoAggregator(n_folds=4).fit(pd.read_csv(path))
    assert summary["method"] == "auto" and summary["auto"]["chosen"] == est.chosen_
    assert set(summary["auto"]["scores"]) == {"majority-vote", "one-coin", "dawid-skene"}
    assert summary["auto"]["n_scored"] == est.n_scored_ > 0
    assert f"auto chose {est.chosen_}" in result.output
    labels = pd.read_csv(out / "labels.csv")
    assert labels["label"].tolist() == est.labels_.tolist()


def test_other_methods_have_no_auto_summary(tmp_path):
    answers, _ = confusion_crowd(20, 2, per_item=2, seed=3)
    path = tmp_path / "answers.csv"
    answers.to_csv(path, index=False)
    result = CliRunner().invoke(main, ["aggregate", str(path), "--method", "one-coin", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["auto"] is None


def test_bad_auto_param_is_one_line_exit_2(tmp_path):
    answers, _ = confusion_crowd(20, 2, per_item=2, seed=3)
    path = tmp_path / "answers.csv"
    answers.to_csv(path, index=False)
    result = CliRunner().invoke(
        main, ["aggregate", str(path), "--method", "auto", "--param", "n_folds=1", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "n_folds" in result.output


def test_default_method_is_dawid_skene_without_an_auto_entry(tmp_path):
    """Without --method (and without --probs) the command runs Dawid-Skene; auto runs only when asked."""
    answers, _ = confusion_crowd(40, 2, per_item=3, seed=4)
    path = tmp_path / "answers.csv"
    answers.to_csv(path, index=False)
    result = CliRunner().invoke(main, ["aggregate", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["method"] == "dawid-skene" and summary["auto"] is None


def test_candidates_param_takes_a_comma_separated_list(tmp_path):
    """--param candidates=majority-vote,glad compares exactly those two, as AutoAggregator(candidates=...) does."""
    answers, _ = confusion_crowd(80, 2, per_item=3, seed=5)
    path = tmp_path / "answers.csv"
    answers.to_csv(path, index=False)
    out = tmp_path / "o"
    result = CliRunner().invoke(
        main,
        ["aggregate", str(path), "--method", "auto", "--param", "candidates=majority-vote,glad", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    est = AutoAggregator(candidates=("majority-vote", "glad")).fit(pd.read_csv(path))
    assert set(summary["auto"]["scores"]) == {"majority-vote", "glad"}
    assert summary["auto"]["chosen"] == est.chosen_
    assert summary["settings"]["params"] == {"candidates": ["majority-vote", "glad"]}


def test_unknown_candidate_in_the_list_is_one_line_exit_2(tmp_path):
    answers, _ = confusion_crowd(20, 2, per_item=2, seed=3)
    path = tmp_path / "answers.csv"
    answers.to_csv(path, index=False)
    result = CliRunner().invoke(
        main,
        [
            "aggregate",
            str(path),
            "--method",
            "auto",
            "--param",
            "candidates=dawid-skene,nope",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "candidates" in result.output


def _auto_output(tmp_path, answers: str, *options: str) -> str:
    path = tmp_path / "answers.csv"
    path.write_text(answers)
    args = ["aggregate", str(path), "--method", "auto", *options, "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["auto"]["n_scored"] == 0
    return " ".join(result.output.split())


SMALL = "item,annotator,label\n1,a,cat\n1,b,cat\n1,c,dog\n2,a,dog\n2,b,dog\n3,a,cat\n3,c,cat\n"


def test_a_choice_without_scores_says_why_not_by_likelihood(tmp_path):
    """Under min_items items with two answers no candidate is scored: the line says why, not
    "by held-out likelihood" beside a None score for each candidate."""
    text = _auto_output(tmp_path, SMALL)
    assert "auto chose majority-vote without scoring the candidates" in text
    assert "--param min_items=20" in text and "by held-out likelihood" not in text


def test_a_single_candidate_is_said_to_be_the_only_one(tmp_path):
    """--param candidates=one-coin: the line says it was the only candidate, not a likelihood choice."""
    text = _auto_output(tmp_path, SMALL, "--param", "candidates=one-coin")
    assert "auto chose one-coin, the only one of --param candidates" in text
