"""Messages the library builds mid-sentence name the command line's options (``audit --task``, ``evaluate``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

from labelwise.cli import main
from labelwise.cli._common import cli_wording, renaming
from labelwise.errors import ShapeMismatchError


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("a but probs has 4 columns; x", "a but --probs has 4 columns; x"),
        ("(axis 1 of probs) and probs", "(axis 1 of --probs) and --probs"),
        ("use np.moveaxis(probs, -1, 1)", "use np.moveaxis(probs, -1, 1)"),  # code stays code
        ("file 'my probs file.npy' has probs: 2", "file 'my probs file.npy' has --probs: 2"),  # quoted text kept
        ("DATA's probs and 'b probs'", "DATA's --probs and 'b probs'"),  # an apostrophe in a word quotes nothing
        ("the --probs and probsy", "the --probs and probsy"),
        ("pass classes= (--classes on the command line) to name", "pass --classes to name"),
        (
            "pass classes= (the class of each; --classes on the command line) when",
            "pass --classes (the class of each) when",
        ),
        ("(or pass ignore_index=2, --ignore-index 2 on the command line, if it", "(or pass --ignore-index 2 if it"),
    ],
)
def test_cli_wording_renames_whole_words_outside_quotes_and_code(message, expected):
    assert cli_wording(message, {"probs": "--probs"}) == expected


def test_renaming_leaves_words_it_is_not_told_to_rename_mid_message():
    """Only the names in within are renamed mid-message ('given' is also an English word)."""
    with pytest.raises(ShapeMismatchError) as caught:
        with renaming({"given": "--labels", "counts": "--human-counts"}, within=["counts"]):
            raise ShapeMismatchError("given holds 3 labels but counts has 4; the given and corrected labels")
    assert str(caught.value) == "--labels holds 3 labels but --human-counts has 4; the given and corrected labels"


def _invoke(args):
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    return " ".join(res.output.split())  # rich wraps long lines


def test_multilabel_column_count_mismatch_names_probs_and_classes(tmp_path):
    """Was "... uses 3 tags but probs has 4 columns; pass classes= (--classes on the command line) ..."."""
    pd.DataFrame({"tags": ["a|b", "b", "c"]}).to_csv(tmp_path / "t.csv", index=False)
    np.save(tmp_path / "p.npy", np.full((3, 4), 0.5))
    args = [
        "audit",
        str(tmp_path / "t.csv"),
        "--task",
        "multilabel",
        "--label",
        "tags",
        "--probs",
        str(tmp_path / "p.npy"),
    ]
    out = _invoke([*args, "--out", str(tmp_path / "o")])
    assert "uses 3 tags but --probs has 4 columns; pass --classes to name each column" in out, out


@pytest.fixture()
def masks(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "m").mkdir()
    for i in range(2):
        Image.fromarray(rng.integers(0, 3, (8, 10)).astype(np.uint8)).save(tmp_path / "m" / f"{i}.png")
    return tmp_path


@pytest.mark.parametrize(
    ("probs", "expected"),
    [
        # H and W swapped
        (
            np.full((2, 3, 10, 8), 1 / 3),
            "DATA's masks and --probs describe different images: DATA's masks (2, 8, 10) is (N, H, W), --probs",
        ),
        # a class too few: the masks' value 2 is no column
        (
            np.full((2, 2, 8, 10), 0.5),
            "class indices in [0, 1] (axis 1 of --probs) (or pass --ignore-index 2 if it marks unlabeled pixels",
        ),
    ],
)
def test_segmentation_shape_messages_name_the_options(masks, probs, expected):
    np.save(masks / "p.npy", probs)
    out = _invoke(
        [
            "audit",
            str(masks / "m"),
            "--task",
            "segmentation",
            "--probs",
            str(masks / "p.npy"),
            "--out",
            str(masks / "o"),
        ]
    )
    assert expected in out and " probs " not in out and "labels (" not in out, out


def test_segmentation_ignore_index_that_is_a_class_names_probs(masks):
    np.save(masks / "p.npy", np.full((2, 3, 8, 10), 1 / 3))
    args = ["audit", str(masks / "m"), "--task", "segmentation", "--probs", str(masks / "p.npy"), "--ignore-index", "1"]
    out = _invoke([*args, "--out", str(masks / "o")])
    assert "--ignore-index must not be a class (0..2, the columns of --probs on axis 1), got 1" in out, out


@pytest.fixture()
def evaluation(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "M").mkdir()
    np.save(tmp_path / "M" / "a.npy", rng.dirichlet(np.ones(3), 8))
    np.save(tmp_path / "y.npy", np.array(list("abcabcab")))
    return tmp_path


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (np.ones((8, 4), int), "--labels holds 3 distinct labels but --human-counts has 4 columns: pass --classes ("),
        (np.ones((7, 3), int), "--human-counts must have one row per test item (8 in --labels), got 7"),
    ],
)
def test_evaluate_human_counts_mismatch_names_the_options(evaluation, counts, expected):
    """Were "... but counts has 4 columns: pass classes= (...; --classes on the command line)" and "(given has 8)"."""
    np.save(evaluation / "hc.npy", counts)
    args = ["evaluate", str(evaluation / "M"), "--labels", str(evaluation / "y.npy"), "--human-counts"]
    out = _invoke([*args, str(evaluation / "hc.npy"), "--out", str(evaluation / "o")])
    assert expected in out and "on the command line" not in out and "given has" not in out, out


def test_evaluate_extra_probability_column_says_pass_classes(evaluation):
    np.save(evaluation / "M" / "a.npy", np.full((8, 4), 0.25))
    np.save(evaluation / "c.npy", np.array(list("abcabcac")))
    args = ["evaluate", str(evaluation / "M"), "--labels", str(evaluation / "y.npy"), "--corrections"]
    out = _invoke([*args, str(evaluation / "c.npy"), "--out", str(evaluation / "o")])
    assert "for classes no test item has, pass --classes or give the probabilities as a table" in out, out


def test_segmentation_with_every_pixel_ignored_names_the_option(tmp_path):
    """Was "DATA's masks has no pixel to audit: every pixel is ignore_index=255" (the library's keyword)."""
    (tmp_path / "m").mkdir()
    for i in range(2):
        Image.fromarray(np.full((8, 10), 255, dtype=np.uint8)).save(tmp_path / "m" / f"{i}.png")
    np.save(tmp_path / "p.npy", np.full((2, 3, 8, 10), 1 / 3))
    args = ["audit", str(tmp_path / "m"), "--task", "segmentation", "--probs", str(tmp_path / "p.npy")]
    out = _invoke([*args, "--ignore-index", "255", "--out", str(tmp_path / "o")])
    assert "DATA's masks has no pixel to audit: every pixel holds the --ignore-index 255" in out, out
    assert "ignore_index" not in out, out
