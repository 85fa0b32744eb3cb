"""`labelwise aggregate-tags`: tag sets per item written as labels.csv, probs.csv, annotators.csv and
summary.json, equal to MultiLabelAggregator's results; its options reach the estimator."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.aggregate import MultiLabelAggregator, simulate_multilabel_crowd
from labelwise.cli import main


def _write(tmp_path, sep: str = "|"):
    crowd = simulate_multilabel_crowd(40, 4, 8, per_item=3, random_state=5)
    table = crowd.answers.assign(tags=crowd.answers["tags"].map(sep.join))
    path = tmp_path / "answers.csv"
    table.to_csv(path, index=False)
    return crowd.answers, path


def _run(args):
    result = CliRunner().invoke(main, ["aggregate-tags", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


def test_outputs_equal_the_estimators_results(tmp_path):
    """labels.csv joins each item's tags with the separator; probs.csv and annotators.csv hold P and skill per tag."""
    answers, path = _write(tmp_path)
    out = tmp_path / "o"
    result = _run([path, "--method", "one-coin", "--out", out])
    est = MultiLabelAggregator("one-coin").fit(answers)
    labels = pd.read_csv(out / "labels.csv", keep_default_na=False)
    assert labels["tags"].tolist() == ["|".join(t) for t in est.labels_]
    np.testing.assert_allclose(labels["confidence"], est.confidence_.to_numpy())
    probs = pd.read_csv(out / "probs.csv").set_index("item")
    np.testing.assert_allclose(probs.to_numpy(), est.probas_.to_numpy())
    skills = pd.read_csv(out / "annotators.csv").set_index("annotator")
    np.testing.assert_allclose(skills.to_numpy(), est.annotator_skill_.to_numpy())
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_tags"] == 4 and summary["method"] == "one-coin"
    assert [t["tag"] for t in summary["tags"]] == list(est.tags_)
    assert "wrote" in result.output


def test_separator_threshold_min_tags_and_params_reach_the_estimator(tmp_path):
    """--tag-separator, --threshold, --min-tags and --param are the estimator's parameters."""
    answers, path = _write(tmp_path, sep=";")
    out = tmp_path / "o"
    _run([path, "--tag-separator", ";", "--threshold", "0.3", "--min-tags", "1", "--param", "max_iter=7", "--out", out])
    est = MultiLabelAggregator(threshold=0.3, min_tags=1, max_iter=7).fit(answers)
    labels = pd.read_csv(out / "labels.csv", keep_default_na=False)
    assert labels["tags"].tolist() == [";".join(t) for t in est.labels_]
    assert (labels["n_tags"] >= 1).all()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["settings"]["params"] == {"max_iter": 7} and summary["settings"]["min_tags"] == 1


def test_other_column_names(tmp_path):
    """--item-column, --annotator-column and --tags-column name the table's columns."""
    answers, path = _write(tmp_path)
    renamed = pd.read_csv(path).rename(columns={"item": "task", "annotator": "worker", "tags": "labels"})
    renamed.to_csv(path, index=False)
    args = ["--item-column", "task", "--annotator-column", "worker", "--tags-column", "labels"]
    _run([path, *args, "--out", tmp_path / "o"])
    assert pd.read_csv(tmp_path / "o" / "labels.csv").shape[0] == answers["item"].nunique()


def test_a_tag_with_the_separator_names_the_option(tmp_path):
    """A JSON-lines list holding a tag with the separator inside is refused in the options' words."""
    path = tmp_path / "answers.jsonl"
    pd.DataFrame({"item": [1, 1], "annotator": ["a", "b"], "tags": [["x|y"], ["x"]]}).to_json(
        path, orient="records", lines=True
    )
    result = CliRunner().invoke(main, ["aggregate-tags", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "--tag-separator" in result.output and "ANSWERS" in result.output


def test_item_and_annotator_ids_stay_texts(tmp_path):
    """Items 007 and 7 (and annotators 01 and 1) of a CSV are different ids, as in `aggregate`."""
    path = tmp_path / "answers.csv"
    path.write_text("item,annotator,tags\n007,01,cat\n7,01,dog\n007,1,cat\n7,1,dog\n")
    out = tmp_path / "o"
    _run([path, "--method", "majority-vote", "--out", out])
    labels = pd.read_csv(out / "labels.csv", dtype=str, keep_default_na=False)
    assert labels[["item", "tags"]].values.tolist() == [["007", "cat"], ["7", "dog"]]
    annotators = pd.read_csv(out / "annotators.csv", dtype=str)
    assert annotators["annotator"].tolist() == ["01", "1"]
    assert json.loads((out / "summary.json").read_text())["n_items"] == 2


def test_a_tag_cell_written_na_is_said_to_be_the_empty_set(tmp_path):
    """A cell written NA is read as missing (pandas' markers), so as 'none of them': the command says so
    and how to keep it as a tag, and counts it in summary.json; with --na-values "" it is the tag 'NA'."""
    path = tmp_path / "answers.csv"
    path.write_text("item,annotator,tags\n1,a,NA\n1,b,NA\n1,c,cat\n2,a,\n2,b,cat\n2,c,cat\n")
    result = _run([path, "--method", "majority-vote", "--out", tmp_path / "o"])
    said = " ".join(result.output.split())
    assert "notice: 2 tag cell(s) of ANSWERS written 'NA' are read as missing" in said
    assert 'pass --na-values "" to read them as tags' in said
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["n_empty_answers_written_as_missing"] == 2
    result = _run([path, "--method", "majority-vote", "--na-values", "", "--out", tmp_path / "k"])
    assert "notice" not in result.output
    labels = pd.read_csv(tmp_path / "k" / "labels.csv", keep_default_na=False)
    assert labels["tags"].tolist() == ["NA", "cat"]


def test_min_tags_at_least_the_number_of_tags_is_warned_in_the_options_words(tmp_path):
    """--min-tags as large as the tags seen gives every item every tag: the warning says so, naming --min-tags."""
    path = tmp_path / "t.csv"
    pd.DataFrame({"item": [1, 1, 2, 2], "annotator": list("abab"), "tags": ["cat|dog", "cat", "dog", ""]}).to_csv(
        path, index=False
    )
    result = _run([path, "--out", tmp_path / "o", "--min-tags", "2", "--method", "majority-vote"])
    assert "every item gets every tag: --min-tags=2" in result.output
    labels = pd.read_csv(tmp_path / "o" / "labels.csv")
    assert labels["tags"].tolist() == ["cat|dog", "cat|dog"]


def test_tags_table_says_none_for_a_tag_without_fallback(tmp_path):
    """The Tags table's fallback cell of a tag whose model kept its fit reads 'none', not 'nan', when
    another tag's model fell back to majority vote."""
    path = tmp_path / "tags.csv"
    path.write_text("item,annotator,tags\n1,a,cat|dog\n1,b,cat\n1,c,\n2,a,dog\n2,b,dog|cat\n3,a,cat\n")
    result = CliRunner().invoke(main, ["aggregate-tags", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    fallbacks = [t["fallback"] for t in json.loads((tmp_path / "o" / "summary.json").read_text())["tags"]]
    assert fallbacks == [None, "majority-vote"]  # the mixed column that printed nan
    table = result.output.split("Tags")[1].split("Least certain items")[0]
    assert " none " in table and "nan" not in table
