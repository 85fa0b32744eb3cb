"""The review of an aggregation folder (`labelwise aggregate`): units, cards, relabel over HTTP, export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from labelwise.cli import main
from labelwise.errors import DataFileError, InvalidParameterError
from labelwise.io import read_table
from labelwise.review import DecisionStore, cleaned_table, create_app, export_cleaned, label_studio_tasks
from labelwise.review.crowd import CONTESTED_BELOW, crowd_units

BASE = "http://127.0.0.1"
CLASSES = ["cat", "dog", "owl"]


def _answers(seed: int = 0, n_items: int = 24) -> pd.DataFrame:
    """Four annotators of unequal skill answer each item (the last one mostly at random)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n_items)
    rows = []
    for i, t in enumerate(truth):
        for who, skill in (("ann", 0.9), ("bob", 0.8), ("cy", 0.7), ("dee", 0.35)):
            label = t if rng.random() < skill else rng.integers(0, 3)
            rows.append((f"q{i:02d}", who, CLASSES[int(label)]))
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A base folder holding answers.csv and the aggregation of it in agg/ (built once)."""
    base = tmp_path_factory.mktemp("crowd")
    _answers().to_csv(base / "answers.csv", index=False)
    res = CliRunner().invoke(main, ["aggregate", str(base / "answers.csv"), "--out", str(base / "agg"), "--quiet"])
    assert res.exit_code == 0, res.output
    return base


@pytest.fixture
def agg(built, tmp_path) -> Path:
    """A fresh copy of the aggregation folder (its review.sqlite is the test's own)."""
    shutil.copytree(built, tmp_path / "base")
    folder = tmp_path / "base" / "agg"
    summary = json.loads((folder / "summary.json").read_text())
    summary["settings"]["path"] = summary["input"]["path"] = str(folder.parent / "answers.csv")  # the copy's answers
    (folder / "summary.json").write_text(json.dumps(summary))
    return folder


def _labels(folder: Path) -> pd.DataFrame:
    return read_table(folder / "labels.csv", text_columns=("item", "label"), na_values="")


class TestUnits:
    def test_items_least_certain_first_by_the_folders_confidence(self, agg):
        """The units are labels.csv's items, ordered by its confidence column (lowest first)."""
        audit, _, _ = crowd_units(agg)
        labels = _labels(agg)
        units = audit.issues
        assert sorted(units["row"]) == list(range(len(labels)))
        conf = labels["confidence"].to_numpy()[units["row"].to_numpy()]
        assert np.array_equal(units["label_quality"].to_numpy(), conf)
        assert np.all(np.diff(conf) >= 0)
        assert units["rank"].tolist() == list(range(1, len(units) + 1))
        assert units["given_label"].tolist() == labels["label"].astype(str).to_numpy()[units["row"]].tolist()

    def test_contested_items_are_the_disagreed_or_unlikely_ones(self, agg):
        """An item is flagged when an annotator answered otherwise or its label has under even odds."""
        audit, _, _ = crowd_units(agg)
        labels = _labels(agg).iloc[audit.issues["row"]]
        expected = (labels["agreement"].to_numpy() < 1) | (labels["confidence"].to_numpy() < CONTESTED_BELOW)
        assert np.array_equal(audit.issues["is_issue"].to_numpy(), expected)
        assert 0 < expected.sum() < len(expected)

    def test_suggestion_is_the_most_probable_other_class(self, agg):
        """The suggested label is the class of largest probability other than the label."""
        audit, _, _ = crowd_units(agg)
        labels = _labels(agg)
        for rec in audit.issues.itertuples():
            probs = {c: labels.at[rec.row, f"prob_{c}"] for c in CLASSES if c != rec.given_label}
            assert rec.suggested_label == max(probs, key=lambda c: probs[c])
            assert rec.suggested_label != rec.given_label

    def test_card_lists_each_answer_by_annotator_with_accuracy(self, agg):
        """A card lists the item's answers (most accurate annotator first) with annotators.csv's accuracy."""
        audit, previewer, _ = crowd_units(agg)
        answers = pd.read_csv(agg.parent / "answers.csv")
        accuracy = pd.read_csv(agg / "annotators.csv").set_index("annotator")["accuracy"]
        row = int(audit.issues["row"].iloc[0])
        item = audit.issues["item"].iloc[0]
        card = previewer.describe(row)
        mine = answers[answers["item"] == item]
        assert {(a["annotator"], a["label"]) for a in card["answers"]} == set(
            zip(mine["annotator"], mine["label"], strict=True)
        )
        accs = [a["accuracy"] for a in card["answers"]]
        assert accs == sorted(accs, reverse=True)
        assert all(a["accuracy"] == pytest.approx(accuracy[a["annotator"]]) for a in card["answers"])
        for a in card["answers"]:
            assert f"{a['annotator']} (accuracy {a['accuracy']:.2f}): {a['label']}" in card["text"]

    def test_card_says_why_when_the_answers_file_is_gone(self, agg):
        """Without the answers file the card shows the label and says where the answers were looked for."""
        summary = json.loads((agg / "summary.json").read_text())
        summary["settings"]["path"] = summary["input"]["path"] = str(agg.parent / "moved.csv")
        (agg / "summary.json").write_text(json.dumps(summary))
        audit, previewer, _ = crowd_units(agg)
        text = previewer.describe(int(audit.issues["row"].iloc[0]))["text"]
        assert "answers not shown" in text and "moved.csv" in text and "was not found" in text

    def test_card_says_so_when_the_answers_file_changed(self, agg):
        """An answers file naming an item labels.csv lacks is not shown as this folder's answers."""
        with (agg.parent / "answers.csv").open("a") as fh:
            fh.write("zz,ann,cat\n")
        audit, previewer, _ = crowd_units(agg)
        card = previewer.describe(int(audit.issues["row"].iloc[0]))
        assert card["answers"] == [] and "has item 'zz', which labels.csv lacks" in card["text"]


class TestReviewPage:
    def test_relabel_round_trip_reaches_the_download(self, agg):
        """A relabel posted to the page is saved and the page's download holds it, other rows as written."""
        with TestClient(create_app(agg, reviewer="tester"), base_url=BASE) as c:
            meta = c.get("/api/meta").json()
            assert meta["task"] == "aggregate" and meta["classes"] == CLASSES and meta["can_export"]
            worst = c.get("/api/examples", params={"page_size": 2}).json()["items"]
            row, new = worst[0]["row"], worst[0]["suggested"]
            res = c.post(f"/api/examples/{row}/decision", json={"action": "relabel", "label": new, "version": 0})
            assert res.status_code == 200, res.text
            assert c.get(f"/api/examples/{row}").json()["decision"]["label"] == new
            gone = worst[1]["row"]
            assert c.post(f"/api/examples/{gone}/decision", json={"action": "exclude", "version": 0}).status_code == 200
            stale = c.post(f"/api/examples/{row}/decision", json={"action": "keep", "version": 0})
            assert stale.status_code == 409
            bad = c.post(f"/api/examples/{row}/decision", json={"action": "relabel", "label": "emu", "version": 1})
            assert bad.status_code == 422 and "emu" in bad.json()["detail"]
            got = c.get("/api/export/cleaned")
            assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        (agg.parent / "download.csv").write_bytes(got.content)
        cleaned = read_table(agg.parent / "download.csv", text_columns=("item", "label"), na_values="")
        labels = _labels(agg)
        assert len(cleaned) == len(labels) - 1
        assert labels.at[gone, "item"] not in set(cleaned["item"])
        assert cleaned.set_index("item").at[labels.at[row, "item"], "label"] == new

    def test_label_studio_is_refused_for_an_aggregation(self, agg):
        """Label Studio tasks are an audit's: an aggregation folder is refused with what to do instead."""
        with pytest.raises(InvalidParameterError, match="labelwise aggregate folder: export its labels with --out"):
            label_studio_tasks(agg)


class TestExport:
    def test_export_applies_the_decisions_and_logs_them(self, agg, tmp_path):
        """The export is labels.csv with the relabelled row's label (and confidence) changed and the excluded row gone."""
        labels = _labels(agg)
        store = DecisionStore(agg / "review.sqlite")
        store.record(3, "relabel", version=0, reviewer="ann", label="owl" if labels.at[3, "label"] != "owl" else "cat")
        store.record(5, "exclude", version=0, reviewer="ann")
        store.record(7, "keep", version=0, reviewer="ann")
        res = export_cleaned(agg, tmp_path / "clean.csv")
        out = read_table(tmp_path / "clean.csv", text_columns=("item", "label"), na_values="")
        assert res.n_relabelled == 1 and res.n_excluded == 1 and res.n_kept == 1 and res.n_rows == len(labels) - 1
        new = store.get(3).label
        expected = labels.copy()
        expected.loc[3, ["label", "confidence"]] = [new, labels.at[3, f"prob_{new}"]]
        expected = expected.drop(index=5).reset_index(drop=True)
        pd.testing.assert_frame_equal(out.reset_index(drop=True), expected, check_dtype=False)
        log = pd.read_csv(tmp_path / "clean.changes.csv")
        assert log["row"].tolist() == [3, 5, 7] and log["action"].tolist() == ["relabel", "exclude", "keep"]
        assert log["item"].tolist() == labels.loc[[3, 5, 7], "item"].tolist()
        assert log["changed"].tolist() == [True, True, False]

    def test_export_never_overwrites_without_force_nor_the_folders_files(self, agg, tmp_path):
        """An existing file needs force; labels.csv and the answers file are refused even with it."""
        (tmp_path / "clean.csv").write_text("mine\n")
        with pytest.raises(InvalidParameterError, match="already exists; pass force=True"):
            export_cleaned(agg, tmp_path / "clean.csv")
        assert (tmp_path / "clean.csv").read_text() == "mine\n"
        assert not (tmp_path / "clean.changes.csv").exists()
        for target in (agg / "labels.csv", agg.parent / "answers.csv"):
            before = target.read_bytes()
            with pytest.raises(InvalidParameterError, match="write to another file"):
                export_cleaned(agg, target, force=True, log=tmp_path / "log.csv")
            assert target.read_bytes() == before
        export_cleaned(agg, tmp_path / "clean.csv", force=True)
        assert pd.read_csv(tmp_path / "clean.csv").shape == pd.read_csv(agg / "labels.csv").shape

    def test_mark_excluded_keeps_every_row(self, agg):
        """With mark_excluded the excluded item stays, marked in an excluded column."""
        DecisionStore(agg / "review.sqlite").record(4, "exclude", version=0, reviewer="ann")
        cleaned, changes = cleaned_table(agg, mark_excluded=True)
        assert len(cleaned) == len(_labels(agg)) and cleaned["excluded"].tolist() == [
            i == 4 for i in range(len(cleaned))
        ]
        assert changes["action"].tolist() == ["exclude"]


class TestOtherFolders:
    @pytest.fixture
    def numbers_folder(self, tmp_path) -> Path:
        (tmp_path / "nums.csv").write_text("item,annotator,value\n1,a,1.0\n1,b,2.0\n2,a,3.0\n2,b,3.5\n")
        res = CliRunner().invoke(
            main, ["aggregate-numbers", str(tmp_path / "nums.csv"), "--out", str(tmp_path / "nums"), "--quiet"]
        )
        assert res.exit_code == 0, res.output
        return tmp_path / "nums"

    def test_folders_review_does_not_open_are_refused_by_name(self, numbers_folder, tmp_path):
        """An aggregate-numbers folder is refused by the page, the export and Label Studio, naming its kind."""
        pattern = r"is a labelwise aggregate-numbers folder .*they open an audit's folder .* labelwise aggregate's"
        with pytest.raises(DataFileError, match=pattern):
            create_app(numbers_folder)
        with pytest.raises(DataFileError, match=pattern):
            export_cleaned(numbers_folder, tmp_path / "x.csv")
        with pytest.raises(DataFileError, match=pattern):
            label_studio_tasks(numbers_folder)
        assert not (numbers_folder / "review.sqlite").exists()
        assert not (tmp_path / "x.csv").exists()


@st.composite
def _decisions(draw, n: int):
    rows = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
    acts = draw(
        st.lists(st.sampled_from(["keep", "relabel", "exclude", "clear"]), min_size=len(rows), max_size=len(rows))
    )
    labels = draw(st.lists(st.sampled_from(CLASSES), min_size=len(rows), max_size=len(rows)))
    return list(zip(rows, acts, labels, strict=True))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_export_is_labels_csv_with_exactly_the_decided_rows_changed(built, tmp_path_factory, data):
    """For any decisions, the export equals labels.csv but for the relabelled rows (label, confidence) and the excluded ones."""
    work = tmp_path_factory.mktemp("prop")
    agg = work / "agg"
    shutil.copytree(built / "agg", agg)
    labels = _labels(agg)
    decisions = data.draw(_decisions(len(labels)))
    store = DecisionStore(agg / "review.sqlite")
    for row, action, label in decisions:
        store.record(row, action, version=0, reviewer="p", label=label if action == "relabel" else None)
    res = export_cleaned(agg, work / "out.csv")
    out = read_table(work / "out.csv", text_columns=("item", "label"), na_values="")
    expected = labels.copy()
    for row, action, label in decisions:
        if action == "relabel":
            expected.loc[row, ["label", "confidence"]] = [label, labels.at[row, f"prob_{label}"]]
    gone = [row for row, action, _ in decisions if action == "exclude"]
    expected = expected.drop(index=gone).reset_index(drop=True)
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)
    assert sorted(res.changes["row"]) == sorted(row for row, action, _ in decisions if action != "clear")
