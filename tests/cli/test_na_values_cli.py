"""``--na-values``: a class written NA kept as a class on the command line, and the error that names it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.io.outputs import load_aggregate
from labelwise.review import DecisionStore

#: The commands that read a label or table file.
READERS = ("audit", "train", "pseudolabel", "robustness", "weak", "evaluate", "aggregate")


def _regions(path, n=60):
    """A table whose classes are NA (North America), EU and AS, separable by x1 and x2."""
    rng = np.random.default_rng(0)
    labels = np.array(["NA", "EU", "AS"])[np.arange(n) % 3]
    frame = pd.DataFrame(
        {
            "x1": (rng.normal(size=n) + 3 * (labels == "NA")).round(3),
            "x2": (rng.normal(size=n) + 3 * (labels == "EU")).round(3),
            "label": labels,
        }
    )
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """An audit of the regions table run with --na-values ""."""
    tmp = tmp_path_factory.mktemp("na")
    data = _regions(tmp / "regions.csv")
    out = tmp / "out"
    result = CliRunner().invoke(
        main, ["audit", str(data), "--label", "label", "--na-values", "", "--out", str(out), "--cv", "3"]
    )
    assert result.exit_code == 0, result.output
    return data, out


def test_a_class_written_na_is_audited_with_empty_na_values(audited):
    """With --na-values "" the class NA is a class: in the issues, the classes and the recorded settings."""
    _, out = audited
    issues = pd.read_csv(out / "issues.csv", keep_default_na=False)
    assert set(issues["given_label"]) == {"NA", "EU", "AS"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["settings"]["na_values"] == []
    assert "NA" in summary["classes"]


def test_export_writes_na_back_as_written(audited, tmp_path):
    """The export reads the data as the audit did: NA stays NA, and a relabel to NA is written NA."""
    data, out = audited
    store = DecisionStore(out / "review.sqlite")
    store.record(1, "relabel", version=0, reviewer="ann", label="NA")  # row 1 is EU
    store.record(0, "relabel", version=0, reviewer="ann", label="EU")  # row 0 is NA
    target = tmp_path / "cleaned.csv"
    result = CliRunner().invoke(main, ["export", str(out), "--out", str(target)])
    assert result.exit_code == 0, result.output
    original = pd.read_csv(data, keep_default_na=False)["label"].tolist()
    cleaned = pd.read_csv(target, keep_default_na=False)["label"].tolist()
    assert cleaned[:2] == ["EU", "NA"] and cleaned[2:] == original[2:]


def test_default_stops_at_na_and_says_what_the_file_holds(audited):
    """Without the option NA is missing (unchanged), and the one-line error quotes the cell and names --na-values."""
    data, _ = audited
    result = CliRunner().invoke(main, ["audit", str(data), "--label", "label", "--out", str(data.parent / "o2")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "must not contain missing values, row 0 is" in lines[0]
    assert "row 0 (line 2) of column 'label' in DATA 'regions.csv' reads 'NA', which is read as missing" in lines[0]
    assert '--na-values ""' in lines[0]


def test_an_empty_cell_is_not_explained_as_a_spelling(tmp_path):
    """A label that is really empty gets the plain missing-label error, without the NA hint."""
    data = _regions(tmp_path / "r.csv")
    text = data.read_text().splitlines()
    text[1] = text[1].rsplit(",", 1)[0] + ","  # row 0's label emptied
    data.write_text("\n".join(text) + "\n")
    result = CliRunner().invoke(
        main, ["audit", str(data), "--label", "label", "--na-values", "", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and "row 0 is" in result.output and "reads" not in result.output


@pytest.mark.parametrize("value", ["NA,,None", ",", "NA,"])
def test_bad_option_values_are_refused_with_one_line(tmp_path, value):
    """An empty text between commas is refused before any work, in one line naming --na-values."""
    data = _regions(tmp_path / "r.csv")
    result = CliRunner().invoke(main, ["audit", str(data), "--label", "label", "--na-values", value])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --na-values must be texts separated by commas")


def test_aggregate_keeps_na_answers(tmp_path):
    """aggregate --na-values "" reads the answer NA as a label, which wins the item its annotators agree on."""
    path = tmp_path / "answers.csv"
    rows = [(item, ann, "NA" if item < 3 else "EU") for item in range(6) for ann in ("a", "b", "c")]
    pd.DataFrame(rows, columns=["item", "annotator", "label"]).to_csv(path, index=False)
    out = tmp_path / "agg"
    result = CliRunner().invoke(
        main, ["aggregate", str(path), "--method", "majority-vote", "--na-values", "", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    labels = pd.read_csv(out / "labels.csv", keep_default_na=False)
    assert labels["label"].tolist() == ["NA"] * 3 + ["EU"] * 3
    assert json.loads((out / "summary.json").read_text())["settings"]["na_values"] == []
    assert load_aggregate(out).labels["label"].tolist() == ["NA"] * 3 + ["EU"] * 3  # the report reads NA back


@pytest.mark.parametrize("command", READERS)
def test_every_reading_command_has_the_option(command):
    """Each command that reads a label or table file offers --na-values."""
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "--na-values" in result.output


def test_a_multilabel_export_writes_the_tag_na_back(tmp_path):
    """A multi-label audit run with --na-values "" exports its tag NA as NA, not as an untagged row."""
    from labelwise.review import export_cleaned
    from labelwise.review.tasks import load_task_audit

    cells = [("NA", "EU", "AS")[i % 3] for i in range(30)]
    data = tmp_path / "t.csv"
    data.write_text("text,tags\n" + "".join(f"t{i},{c}\n" for i, c in enumerate(cells)))
    np.save(tmp_path / "p.npy", np.random.default_rng(0).uniform(0.05, 0.95, size=(30, 3)))
    out = tmp_path / "out"
    args = ["audit", str(data), "--task", "multilabel", "--label", "tags", "--probs", str(tmp_path / "p.npy")]
    result = CliRunner().invoke(main, [*args, "--na-values", "", "--out", str(out)])
    assert result.exit_code == 0, result.output
    units = load_task_audit(out)[0].issues
    store = DecisionStore(out / "review.sqlite", n_examples=int(units["row"].max()) + 1)
    store.bind_audit(units)
    store.record(1, "exclude", version=0, reviewer="ann")
    export_cleaned(out, tmp_path / "clean.csv")
    written = pd.read_csv(tmp_path / "clean.csv", dtype=str, keep_default_na=False)["tags"].tolist()
    assert written == cells[:1] + cells[2:]


def test_pseudolabel_takes_na_for_a_class_only_when_told(tmp_path):
    """By default a label NA is unlabeled (unchanged); with --na-values "" only the empty cells are."""
    data = _regions(tmp_path / "r.csv")
    frame = pd.read_csv(data, keep_default_na=False)
    frame.loc[frame.index % 10 == 1, "label"] = ""  # 6 rows without a label
    frame.to_csv(data, index=False)
    counts = {}
    for name, extra in (("default", []), ("text", ["--na-values", ""])):
        out = tmp_path / name
        args = ["pseudolabel", str(data), "--label", "label", "--model", "logistic", "--out", str(out), *extra]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        counts[name] = json.loads((out / "summary.json").read_text())["n_unlabeled"]
    n_na = int((frame["label"] == "NA").sum())
    assert counts == {"default": 6 + n_na, "text": 6}


def test_a_labels_table_for_probs_keeps_na_as_a_class(tmp_path):
    """audit --probs --labels labels.csv: the error names the NA cell of --labels; --na-values "" audits it."""
    pytest.importorskip("dask")
    labels = np.array(["NA", "EU", "AS"])[np.arange(30) % 3]
    pd.DataFrame({"region": labels}).to_csv(tmp_path / "labels.csv", index=False)
    np.save(tmp_path / "p.npy", np.random.default_rng(0).dirichlet([1, 1, 1], size=30))
    args = ["audit", "--probs", str(tmp_path / "p.npy"), "--labels", str(tmp_path / "labels.csv")]
    refused = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "a")])
    assert refused.exit_code == 2
    assert "row 0 (line 2) of column 'region' in --labels 'labels.csv' reads 'NA'" in refused.output
    result = CliRunner().invoke(main, [*args, "--na-values", "", "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "b" / "summary.json").read_text())["settings"]["na_values"] == []
