"""``labelwise aggregate-boxes``: the files it writes, its options and what it refuses."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate.boxes import BoxConsensus, WeightedBoxesFusion, simulate_boxes
from labelwise.cli import main


@pytest.fixture
def drawn(tmp_path):
    sim = simulate_boxes(12, 4, n_spammers=1, random_state=1)
    sim.boxes.to_csv(tmp_path / "drawn.csv", index=False)
    sim.labeled.to_csv(tmp_path / "who.csv", index=False)
    return sim, tmp_path


def _run(*args):
    return CliRunner().invoke(main, ["aggregate-boxes", *map(str, args)])


def test_consensus_writes_the_library_boxes_and_skill_table(drawn):
    """boxes.csv and annotators.csv are BoxConsensus's; summary.json records the settings."""
    sim, tmp = drawn
    result = _run(tmp / "drawn.csv", "--labeled", tmp / "who.csv", "--out", tmp / "out", "--top", "0")
    assert result.exit_code == 0, result.output
    est = BoxConsensus().fit(sim.boxes, labeled=sim.labeled)
    written = pd.read_csv(tmp / "out" / "boxes.csv")
    pd.testing.assert_frame_equal(written, est.boxes_.assign(image=est.boxes_.image.astype("int64")), check_dtype=False)
    skill = pd.read_csv(tmp / "out" / "annotators.csv", index_col="annotator")
    assert skill.precision.idxmin() == "a3"
    info = json.loads((tmp / "out" / "summary.json").read_text())
    assert info["method"] == "consensus" and info["iou"] == 0.5 and info["n_boxes"] == len(est.boxes_)


def test_wbf_reads_scores_and_renamed_columns(drawn):
    """--method wbf with --score-column and renamed columns gives WeightedBoxesFusion's boxes."""
    sim, tmp = drawn
    renamed = sim.boxes.rename(columns={"image": "photo", "x_min": "left", "score": "conf"})
    renamed.to_csv(tmp / "renamed.csv", index=False)
    result = _run(
        tmp / "renamed.csv",
        "--method", "wbf", "--image-column", "photo", "--x-min-column", "left", "--score-column", "conf",
        "--iou", "0.6", "--conf-type", "max", "--out", tmp / "fused",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    expected = WeightedBoxesFusion(iou_thr=0.6, conf_type="max", score_col="score").fit(sim.boxes).boxes_
    written = pd.read_csv(tmp / "fused" / "boxes.csv")
    assert list(written.columns[:3]) == ["photo", "label", "left"]
    pd.testing.assert_series_equal(written.score, expected.score, check_names=False)
    assert not (tmp / "fused" / "annotators.csv").exists()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--method", "wbf", "--min-votes", "2"), "--min-votes is only read by --method consensus"),
        (("--fuse", "mean", "--method", "wbf"), "--fuse is only read by --method consensus"),
        (("--score-column", "score"), "--score-column is only read by --method wbf"),
        (("--x-max-column", "nope"), "--x-max-column must name a column of BOXES"),
        (("--method", "wbf", "--score-column", "nope"), "--score-column must name a column of BOXES"),
    ],
)
def test_options_of_the_other_method_and_unknown_columns_are_refused(drawn, args, named):
    """An option the method would ignore, or a column that is not there, is one error line naming it."""
    _, tmp = drawn
    result = _run(tmp / "drawn.csv", *args, "--out", tmp / "out")
    assert result.exit_code == 2
    assert named in result.output
    assert not (tmp / "out").exists()


def test_bad_box_names_its_row(drawn):
    """A box with x_max <= x_min is refused, naming BOXES and the row."""
    sim, tmp = drawn
    bad = sim.boxes.copy()
    bad.loc[3, "x_max"] = bad.loc[3, "x_min"]
    bad.to_csv(tmp / "bad.csv", index=False)
    result = _run(tmp / "bad.csv", "--out", tmp / "out")
    assert result.exit_code == 2
    assert "BOXES must have x_max > x_min in every row" in result.output and "at row 3" in result.output


def test_an_annotators_box_submitted_twice_makes_one_box_and_is_counted(tmp_path):
    """A row repeating an annotator's box exactly: one consensus box (not two), a warning naming the
    rows, and summary.json n_repeated_boxes."""
    path = tmp_path / "boxes.csv"
    path.write_text(
        "image,annotator,x_min,y_min,x_max,y_max,label\n"
        "im 1,a,10,10,40,40,car\nim 1,b,12,10,41,40,car\nim 1,c,11,10,40,42,car\nim 1,a,10,10,40,40,car\n"
    )
    result = _run(path, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "out" / "boxes.csv")) == 1
    assert "warning: BOXES has 1 exact copies of a box of the same annotator" in result.stderr
    assert "row 3 repeats row 0: annotator 'a' on image 'im 1'" in result.stderr
    info = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert info["n_repeated_boxes"] == 1 and info["n_input_boxes"] == 4 and info["n_input_boxes_in_output"] == 4


def test_a_class_written_na_is_explained_and_kept_with_na_values(tmp_path):
    """A class 'NA' is read as missing: the error names its line, what the cell reads and --na-values;
    with --na-values "" the class NA is merged."""
    path = tmp_path / "boxes.csv"
    path.write_text("image,annotator,x_min,y_min,x_max,y_max,label\nim 1,a,10,10,40,40,NA\nim 1,b,12,10,41,40,NA\n")
    result = _run(path, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "BOXES column 'label' (the class) must not contain missing values, row 0 is nan" in result.output
    assert "row 0 (line 2) of column 'label' in BOXES 'boxes.csv' reads 'NA'" in result.output
    assert '--na-values ""' in result.output
    result = _run(path, "--na-values", "", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "out" / "boxes.csv", keep_default_na=False).label.tolist() == ["NA"]


@pytest.mark.parametrize("method", ["consensus", "wbf"])
def test_a_bad_box_is_named_by_its_row_and_line(tmp_path, method):
    """x_max < x_min on the third box, after a blank line: row 2, line 5 of the file."""
    path = tmp_path / "boxes.csv"
    path.write_text(
        "image,annotator,x_min,y_min,x_max,y_max,label\nim 1,a,10,10,40,40,car\nim 1,b,12,10,41,40,car\n\n"
        "im 1,c,11,10,10,42,car\n"
    )
    result = _run(path, "--method", method, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "got x_max=10.0 and x_min=11.0 at row 2 (line 5 of BOXES 'boxes.csv')" in result.output


def test_min_votes_above_every_images_annotators_is_a_warning(drawn):
    """--min-votes 9 with 4 annotators: the empty boxes.csv comes with a warning in the option's words."""
    _, tmp = drawn
    result = _run(tmp / "drawn.csv", "--min-votes", "9", "--quiet", "--out", tmp / "out")
    assert result.exit_code == 0, result.output
    assert "warning: --min-votes 9 is more than the annotators of any image (4 at most)" in result.stderr
    assert pd.read_csv(tmp / "out" / "boxes.csv").empty
