"""``labelwise aggregate-pairs``: the files it writes, the noisy model's annotators, components, and
errors said in the options' words."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate import BradleyTerry
from labelwise.aggregate._pairwise_sim import simulate_comparisons
from labelwise.cli import main


@pytest.fixture
def pairs(tmp_path):
    path = tmp_path / "pairs.csv"
    sim = simulate_comparisons(12, 400, n_annotators=4, random_state=0)
    sim.pairs.rename(columns={"winner": "best", "annotator": "who"}).to_csv(path, index=False)
    return path


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_bt_writes_scores_and_summary(pairs, tmp_path):
    """scores.csv holds the library's scores best first, with rank and component; summary.json the fit."""
    res = _run("aggregate-pairs", pairs, "--winner-column", "best", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    scores = pd.read_csv(tmp_path / "o" / "scores.csv")
    assert list(scores.columns) == ["item", "score", "rank", "component"]
    api = BradleyTerry(winner_col="best").fit(pd.read_csv(pairs))
    assert list(scores["item"]) == list(api.ranking_)
    pd.testing.assert_series_equal(scores.set_index("item")["score"], api.scores_.loc[api.ranking_], check_names=False)
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["method"] == "bt" and summary["n_components"] == 1 and summary["converged"]
    assert not (tmp_path / "o" / "annotators.csv").exists()


def test_noisy_writes_annotators_and_bt_after_it_removes_them(pairs, tmp_path):
    """noisy-bt writes annotators.csv; a bt run over it with --force removes the stale annotators.csv."""
    out = tmp_path / "o"
    res = _run(
        "aggregate-pairs",
        pairs,
        "--winner-column",
        "best",
        "--annotator-column",
        "who",
        "--method",
        "noisy-bt",
        "--out",
        out,
    )
    assert res.exit_code == 0, res.output
    ann = pd.read_csv(out / "annotators.csv")
    assert list(ann.columns) == ["annotator", "skill", "left_bias"] and len(ann) == 4
    again = _run("aggregate-pairs", pairs, "--winner-column", "best", "--out", out)
    assert again.exit_code == 2 and "--force" in again.output
    forced = _run("aggregate-pairs", pairs, "--winner-column", "best", "--out", out, "--force")
    assert forced.exit_code == 0, forced.output
    assert not (out / "annotators.csv").exists()


def test_components_said_and_written(tmp_path):
    """Two unlinked groups: a warning, a line about comparability, and each item's component in scores.csv."""
    path = tmp_path / "p.csv"
    pd.DataFrame({"left": ["a", "b", "x"], "right": ["b", "c", "y"], "winner": ["a", "c", "y"]}).to_csv(
        path, index=False
    )
    res = _run("aggregate-pairs", path, "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert "2 separate groups" in res.output
    scores = pd.read_csv(tmp_path / "o" / "scores.csv").set_index("item")
    assert scores.loc["a", "component"] == 0 and scores.loc["x", "component"] == 1
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["component_sizes"] == [3, 2]


def test_errors_name_the_options(tmp_path):
    """No MLE at --prior 0, a winner outside its pair and a tie: one line in the options' words."""
    path = tmp_path / "p.csv"
    pd.DataFrame({"left": ["a", "b"], "right": ["b", "c"], "winner": ["a", "b"]}).to_csv(path, index=False)
    res = _run("aggregate-pairs", path, "--prior", "0", "--out", tmp_path / "o")
    assert res.exit_code == 2 and "error: --prior must be > 0" in res.output and "never lost: ['a']" in res.output
    pd.DataFrame({"left": ["a", "b"], "right": ["b", "c"], "winner": ["a", "a"]}).to_csv(path, index=False)
    res = _run("aggregate-pairs", path, "--out", tmp_path / "o")
    assert res.exit_code == 2 and "--winner-column 'winner' must be the left or the right item" in res.output
    pd.DataFrame({"left": ["a", "b"], "right": ["b", "c"], "winner": ["a", ""]}).to_csv(path, index=False)
    res = _run("aggregate-pairs", path, "--out", tmp_path / "o")
    assert res.exit_code == 2 and "ties are not supported" in res.output and "row 1" in res.output


def test_top_zero_prints_no_table(pairs, tmp_path):
    """--top 0 prints no items (as aggregate-tags and aggregate), only what was written."""
    res = _run("aggregate-pairs", pairs, "--winner-column", "best", "--top", "0", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert "top items" not in res.output and "wrote" in res.output


def test_a_missing_column_is_said_of_the_pairs_argument(pairs, tmp_path):
    """The refusal names the option and the argument (PAIRS), not the library's parameter `pairs`."""
    res = _run("aggregate-pairs", pairs, "--out", tmp_path / "o")
    assert res.exit_code == 2
    assert "--winner-column 'winner' is not a column of PAIRS; its columns are" in res.output


def test_an_item_is_one_item_in_every_column(tmp_path):
    """007 next to 7 keeps the left column as text; 7 in the right and winner columns is the same item '7'
    (not the number 7, a second item) and 007 stays apart from it."""
    path = tmp_path / "p.csv"
    path.write_text("left,right,winner\n007,12,12\n7,12,7\n12,7,7\n")
    res = _run("aggregate-pairs", path, "--top", "0", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    scores = pd.read_csv(tmp_path / "o" / "scores.csv", dtype={"item": str})
    assert scores["item"].tolist() == ["7", "12", "007"]
    texts = pd.DataFrame({"left": ["007", "7", "12"], "right": ["12", "12", "7"], "winner": ["12", "7", "7"]})
    api = BradleyTerry().fit(texts)
    assert scores["score"].tolist() == api.scores_.loc[["7", "12", "007"]].tolist()


def test_an_item_against_itself_names_both_column_options(tmp_path):
    """A row comparing an item with itself is refused naming --left-column and --right-column."""
    path = tmp_path / "p.csv"
    path.write_text("L,R,winner\na,b,a\nb,b,b\n")
    res = _run("aggregate-pairs", path, "--left-column", "L", "--right-column", "R", "--out", tmp_path / "o")
    assert res.exit_code == 2
    assert "--left-column 'L' and --right-column 'R' must be two different items, row 1 compares 'b'" in res.output


def test_annotator_column_with_bt_is_refused_not_ignored(pairs, tmp_path):
    """bt reads no annotator: --annotator-column given with it is refused (as aggregate refuses
    --unlabeled-probs without --next), naming the option, its value and the method."""
    res = _run(
        "aggregate-pairs", pairs, "--winner-column", "best", "--annotator-column", "who", "--out", tmp_path / "o"
    )
    assert res.exit_code == 2 and not (tmp_path / "o").exists()
    assert (
        "--annotator-column is only read by --method noisy-bt" in res.output and "'who' with --method bt" in res.output
    )
