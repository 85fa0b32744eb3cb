"""The report's page of a ``labelwise weak`` folder: the run's numbers, the functions' analysis, the label
model's functions, the class balance, the least certain items and the dependent functions, each read from
the folder's files; every name escaped; a folder written before labelers.json and the dependence fields."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.report import write_report
from labelwise.report._build import _fmt
from labelwise.report._dependence import dependence_section
from labelwise.report._folders import folder_view
from tests.report._views39_folders import WEAK_LFS, copies_folder, rows, section, tiles, weak_folder


def _f(x) -> str:
    return _fmt(float(x))


def _csv(path, **kw):
    return pd.read_csv(path, keep_default_na=False, na_values=[""], **kw)


@pytest.fixture(scope="module")
def gold(tmp_path_factory):
    """A weak folder with --gold-column and its page."""
    folder = weak_folder(tmp_path_factory.mktemp("gold"))
    return folder, write_report(folder).read_text(encoding="utf-8")


def test_report_command_writes_the_page_of_a_weak_folder(gold, tmp_path):
    """``labelwise report WEAK_FOLDER`` writes a page (main refused the folder as no audit nor aggregation)."""
    folder, _ = gold
    result = CliRunner().invoke(main, ["report", str(folder), "--out", str(tmp_path / "weak.html")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "weak.html").read_text(encoding="utf-8")
    assert "labelwise weak output" in page and 'id="weak-functions"' in page


def test_header_holds_the_runs_counts_coverage_model_and_gold_accuracy(gold):
    """The tiles are summary.json's functions, rows, votes, coverage, model and accuracy against gold."""
    folder, page = gold
    s = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    t = tiles(page)
    assert t["labeling functions"] == "4" and t["rows"] == "8" and t["votes"] == str(s["n_votes"])
    assert t["coverage"] == f"{s['coverage']:.1%}" and t["label model"] == "label-model"
    assert t[f"accuracy vs gold ({s['n_covered_gold']} items)"] == f"{s['accuracy_on_covered_gold']:.3f}"


def test_functions_table_is_analysis_csv_lowest_gold_accuracy_first(gold):
    """With gold, the functions are listed by empirical accuracy, worst first (file order on ties), each
    row analysis.csv's coverage, overlaps, conflicts, polarity and accuracies."""
    folder, page = gold
    analysis = _csv(folder / "analysis.csv", dtype={"labeler": str, "polarity": str})
    expected = analysis.sort_values("empirical_accuracy", kind="stable")
    got = rows(page, "weak-functions")
    assert [r[0] for r in got] == expected["labeler"].tolist()
    assert [r[0] for r in got][:2] == ["short", "kin"]  # the two that miss once against gold
    cols = analysis.columns.tolist()
    for r, (_, e) in zip(got, expected.iterrows(), strict=True):
        assert r[cols.index("polarity")] == e["polarity"]
        for c in ("coverage", "overlaps", "conflicts", "empirical_accuracy", "estimated_accuracy"):
            assert r[cols.index(c)] == _f(e[c])


def test_label_models_functions_are_labelers_json_least_accurate_first(gold):
    """The model's table lists labelers.json's estimated accuracy, lowest first, and draws the confusions."""
    folder, page = gold
    labelers = json.loads((folder / "labelers.json").read_text(encoding="utf-8"))["labelers"]
    acc = pd.Series({r["labeler"]: r["estimated_accuracy"] for r in labelers}).sort_values(kind="stable")
    assert [(r[0], r[1]) for r in rows(page, "annotators")] == [(k, _f(v)) for k, v in acc.items()]
    assert 'id="confusion-heatmaps"' in section(page, "annotator-confusions")


def test_class_balance_and_least_certain_items_come_from_summary_and_labels(gold):
    """The balance table is summary.json's class balance beside labels.csv's counts; the least certain items
    are labels.csv's lowest confidence first, each with its votes from votes.csv."""
    folder, page = gold
    s = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    labels = _csv(folder / "labels.csv", dtype={"item": str, "label": str})
    counts = labels["label"].value_counts()
    assert rows(page, "weak-balance") == [
        [c, _f(b), str(counts.get(c, 0)), _f(counts.get(c, 0) / len(labels))]
        for c, b in zip(s["classes"], s["class_balance"], strict=True)
    ]
    low = labels[labels["confidence"] < labels["confidence"].max()].sort_values("confidence", kind="stable")
    listed = rows(page, "weak-contested")
    assert [r[0] for r in listed] == low["item"].tolist()
    votes = _csv(folder / "votes.csv", dtype=str)
    first = votes[votes["item"] == low["item"].iloc[0]]
    assert listed[0][-1] == "; ".join(f"{a}={b}" for a, b in zip(first["labeler"], first["label"], strict=True))


def test_without_gold_functions_are_listed_by_estimated_accuracy(tmp_path):
    """Without --gold-column: no gold tile, no empirical accuracy, the functions by the model's estimate."""
    folder = weak_folder(tmp_path, gold=False)
    page = write_report(folder).read_text(encoding="utf-8")
    assert not any(k.startswith("accuracy vs gold") for k in tiles(page))
    analysis = _csv(folder / "analysis.csv", dtype={"labeler": str})
    assert "empirical_accuracy" not in analysis.columns
    expected = analysis.sort_values("estimated_accuracy", kind="stable")["labeler"].tolist()
    assert [r[0] for r in rows(page, "weak-functions")] == expected
    assert "lowest accuracy the label model estimates first" in section(page, "weak-functions")


def test_a_function_and_a_class_named_as_html_are_escaped(tmp_path):
    """A function named ``<script>...`` and a class ``<b>spam</b>`` are text on the page, never markup."""
    lfs = WEAK_LFS.replace(
        "@labeling_function()\ndef money", '@labeling_function(name="<script>alert(1)</script>")\ndef money'
    )
    lfs = lfs.replace('"spam"', '"<b>spam</b>"')
    folder = weak_folder(tmp_path, lfs=lfs)
    page = write_report(folder).read_text(encoding="utf-8")
    assert "<script>" not in page.split("</head>", 1)[1] and "<b>spam" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section(page, "weak-functions")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section(page, "annotators")
    assert "&lt;b&gt;spam&lt;/b&gt;" in section(page, "weak-balance")


def test_an_older_weak_folder_without_labelers_or_dependence_fields_renders(gold, tmp_path):
    """A folder written before labelers.json and the dependence fields: the page keeps the rest."""
    folder = tmp_path / "old"
    shutil.copytree(gold[0], folder)
    (folder / "labelers.json").unlink()
    (folder / "report.html").unlink(missing_ok=True)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    for key in ("dependent_pairs", "dependent_rings", "joint_groups", "dependency_threshold"):
        summary.pop(key, None)
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    assert folder_view(folder) is not None
    page = write_report(folder).read_text(encoding="utf-8")
    assert len(rows(page, "weak-functions")) == 4 and 'id="weak-contested"' in page
    assert 'id="annotators"' not in page and 'id="dependence"' not in page


@pytest.mark.parametrize("model", ["label-model", "dawid-skene"])
def test_dependent_functions_are_shown_with_the_checks_numbers(tmp_path, model):
    """A copied function: the page lists summary.json's dependent pair (its z), marks both functions in the
    model's table and says what the model did with them: a clique (label model) or one answer (Dawid-Skene)."""
    folder = copies_folder(tmp_path, model)
    s = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    (pair,) = s["dependent_pairs"]
    page = write_report(folder).read_text(encoding="utf-8")
    dep = section(page, "dependence")
    assert [r[:2] + [r[-1]] for r in rows(page, "dependence")] == [["v3", "v4", f"{pair['z']:.1f}"]]
    assert "z above 5)" in dep
    marks = {r[0]: r[1] for r in rows(page, "annotators")}
    assert marks["v3"] == "dependent on v4" and marks["v4"] == "dependent on v3" and marks["v1"] == ""
    assert ("clique" in dep) == (model == "label-model") and ("1/m" in dep) == (model == "dawid-skene")
    if model == "label-model":
        assert rows(page, "weak-groups") == [["1", "2", "v3, v4"]]
    settings = section(page, "settings")
    assert "dependent_pairs" not in settings and "joint_groups" not in settings


def test_dependence_note_reads_the_summarys_own_threshold_and_the_fit_given():
    """``dependency_threshold`` at the summary's top level (weak's) is the note's threshold; ``fit`` replaces
    Dawid-Skene's sentence."""
    summary = {
        "dependent_pairs": [
            {"annotator_a": "f1", "annotator_b": "f2", "n_shared": 60, "agreements": 60, "expected": 30, "z": 9.0}
        ],
        "dependency_threshold": 7.5,
    }
    html = dependence_section(summary, fit="Joined as a clique.")
    assert "z above 7.5). Joined as a clique." in html and "1/m" not in html
    assert "1/m" in dependence_section(summary)


def _heads(body: str) -> list[list[str]]:
    """The column names of each table in ``body``."""
    return [re.findall(r"<th[^>]*>(.*?)</th>", head, re.S) for head in re.findall(r"<thead>(.*?)</thead>", body, re.S)]


@pytest.mark.parametrize("model", ["label-model", "dawid-skene"])
def test_dependent_functions_section_names_functions_not_annotators(tmp_path, model):
    """On a weak folder's page the section and its pair table speak of labeling functions (main said
    "Dependent annotators" and "annotator a"); an aggregation's wording is unchanged (the other test)."""
    page = write_report(copies_folder(tmp_path, model)).read_text(encoding="utf-8")
    dep = section(page, "dependence")
    assert "<h2>Dependent labeling functions</h2>" in dep and "annotator" not in dep
    assert "1 pair(s) of labeling functions that vote alike" in dep and "the items both voted on" in dep
    assert _heads(dep)[-1][:2] == ["function a", "function b"]


def test_dependence_section_words_follow_the_kind_of_folder():
    """The same summary gives the annotators' words by default and the functions' with who="functions",
    rings included (their count column: accounts or functions)."""
    pair = {"annotator_a": "f1", "annotator_b": "f2", "n_shared": 60, "agreements": 60, "expected": 30, "z": 9.0}
    summary = {"dependent_pairs": [pair], "dependent_rings": [["f1", "f2", "f3"]]}
    crowd, weak = dependence_section(summary), dependence_section(summary, who="functions")
    assert "<h2>Dependent annotators</h2>" in crowd and "pair(s) of annotators who answer alike" in crowd
    assert _heads(crowd) == [
        ["copy ring", "accounts", "members"],
        ["annotator a", "annotator b", "copy ring", "shared items", "agreed", "expected", "z"],
    ]
    assert "three or more functions" in weak and "the table of the model&#x27;s functions marks" in weak
    assert _heads(weak) == [
        ["copy ring", "functions", "members"],
        ["function a", "function b", "copy ring", "shared items", "agreed", "expected", "z"],
    ]
