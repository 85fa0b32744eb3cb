"""The registry of views39's folder views: each folder is recognised by its own command's view only, a
view's damaged file is named, a page survives its input files being gone, and the contested rows do
not depend on the files' row order."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import DataFileError
from labelwise.report import write_report
from labelwise.report._folders import FOLDER_VIEWS, folder_view
from labelwise.report._folders._common import contested
from tests.report._views39_folders import BUILDERS, run, section


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Command -> its folder, written by the command."""
    return {command: build(tmp_path_factory.mktemp(command)) for command, build in BUILDERS.items()}


def test_each_folder_is_recognised_by_its_own_commands_view_only(folders):
    """Every registered command has a builder, and each folder's files and summary.json match its view and
    no other one."""
    assert set(FOLDER_VIEWS) == set(BUILDERS)
    for command, folder in folders.items():
        assert [c for c, view in FOLDER_VIEWS.items() if view.shows(folder, _summary(folder))] == [command]
        assert folder_view(folder) is FOLDER_VIEWS[command]


def _summary(folder):
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_an_aggregate_folder_is_no_folder_views(tmp_path):
    """``aggregate --demo``'s folder keeps aggregate's page: none of the views claims it."""
    run("aggregate", "--demo", "--out", str(tmp_path / "agg"))
    assert folder_view(tmp_path / "agg") is None
    assert 'id="annotator-confusions"' in write_report(tmp_path / "agg").read_text(encoding="utf-8")


def test_a_view_file_without_its_column_is_named(folders, tmp_path):
    """texts.csv without its similarity column: DataFileError naming the file and the column; no page."""
    folder = tmp_path / "texts"
    shutil.copytree(folders["aggregate-texts"], folder)
    texts = pd.read_csv(folder / "texts.csv").drop(columns="similarity")
    texts.to_csv(folder / "texts.csv", index=False)
    with pytest.raises(DataFileError, match=r"texts.csv' must have the columns .*missing \['similarity'\]"):
        write_report(folder)
    assert not (folder / "report.html").exists()


def test_pages_without_the_input_files_keep_what_the_folder_holds(folders, tmp_path):
    """With the comparisons and answers files gone, the pairs page has no upsets and the numbers page
    ranks the items by their value's sd (values.csv) instead of the answers' spread."""
    for command, key in (("aggregate-pairs", "pairs"), ("aggregate-numbers", "answers")):
        folder = tmp_path / command
        shutil.copytree(folders[command], folder)
        summary = _summary(folder)
        summary[key] = str(tmp_path / "gone.csv")  # the input file as moved or deleted since the run
        (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
        page = write_report(folder).read_text(encoding="utf-8")
        if command == "aggregate-pairs":
            assert 'id="pairs-ranking"' in page and 'id="pairs-contested"' not in page
        else:
            assert "Largest sd (the value&#x27;s uncertainty) first" in section(page, "numbers-contested")


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.sampled_from([0.2, 0.5, 0.7, 0.9, 1.0]), min_size=1, max_size=30),
    seed=st.integers(0, 2**32 - 1),
    ascending=st.booleans(),
)
def test_contested_rows_are_those_short_of_the_best_whatever_the_row_order(values, seed, ascending):
    """The contested rows are the rows short of the best value, worst first, and the same rows (with the
    same values in the same order) after shuffling the table."""
    frame = pd.DataFrame({"item": [f"i{k}" for k in range(len(values))], "score": values})
    shuffled = frame.sample(frac=1.0, random_state=np.random.default_rng(seed).integers(2**31))
    a, b = contested(frame, "score", ascending=ascending), contested(shuffled, "score", ascending=ascending)
    best = max(values) if ascending else min(values)
    assert sorted(a["item"]) == sorted(b["item"]) == sorted(frame.loc[frame["score"] != best, "item"])
    assert a["score"].tolist() == b["score"].tolist() == sorted(a["score"], reverse=not ascending)


def test_names_from_the_files_are_escaped(tmp_path):
    """An image, label and annotator named as HTML reach the boxes page as text, never as markup."""
    evil = "<img src=x onerror=alert(1)>"
    rows = [
        (evil if img == 0 else f"img{img}", f"{evil}{a}", 10.0 + a, 10.0, 40.0, 40.0, evil)
        for img in range(2)
        for a in range(3)
    ]
    rows.append(("img1", f"{evil}0", 60.0, 60.0, 90.0, 90.0, evil))  # one annotator's extra box: contested
    cols = ["image", "annotator", "x_min", "y_min", "x_max", "y_max", "label"]
    pd.DataFrame(rows, columns=cols).to_csv(tmp_path / "boxes.csv", index=False)
    run("aggregate-boxes", str(tmp_path / "boxes.csv"), "--min-votes", "1", "--out", str(tmp_path / "out"))
    page = write_report(tmp_path / "out").read_text(encoding="utf-8")
    assert evil not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'id="boxes-contested"' in page and "<table" in section(page, "boxes-contested")
