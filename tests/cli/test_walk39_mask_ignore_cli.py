"""``labelwise aggregate-masks --ignore-value`` and the notice without it (session 39's walk).

On main, -1 (a common "not labelled" marker) was one more class, silently: an item nobody labelled
came out as a label map of class -1 and unlabelled pixels outvoted labelled ones.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _table(tmp_path, stacks: dict) -> str:
    rows = []
    for item, stack in stacks.items():
        for a, mask in enumerate(stack):
            np.save(tmp_path / f"{item}_{a}.npy", np.asarray(mask))
            rows.append((item, f"a{a}", f"{item}_{a}.npy"))
    pd.DataFrame(rows, columns=["item", "annotator", "path"]).to_csv(tmp_path / "t.csv", index=False)
    return str(tmp_path / "t.csv")


STACKS = {
    "im0": np.array([[[0, 1], [1, -1]], [[0, 1], [-1, -1]], [[-1, 1], [0, -1]]]),
    "im1": np.full((3, 2, 2), -1),
}


def test_ignore_value_leaves_unlabelled_pixels_out(tmp_path):
    """--ignore-value -1: labelled votes decide, an unlabelled pixel stays -1, Dice leaves -1 out."""
    out = tmp_path / "o"
    args = ["aggregate-masks", _table(tmp_path, STACKS), "--method", "majority", "--ignore-value", "-1"]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    np.testing.assert_array_equal(np.load(out / "masks" / "im0.npy"), [[0, 1], [1, -1]])
    np.testing.assert_array_equal(np.load(out / "masks" / "im1.npy"), np.full((2, 2), -1))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["classes"] == [0, 1] and summary["ignore_value"] == -1
    items = pd.read_csv(out / "items.csv").set_index("item")
    assert items.loc["im0", "min_dice"] == pytest.approx(2 / 3)  # a2's 0 at (1, 0) against the consensus' 1
    assert "notice:" not in result.output


def test_a_negative_class_gets_a_notice(tmp_path):
    """Without --ignore-value, -1 beside 0/1 is a class, and the run says how to leave it out."""
    result = CliRunner().invoke(main, ["aggregate-masks", _table(tmp_path, STACKS), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "notice: TABLE's masks hold -1 beside the classes [0, 1], and each value is one class here" in said
    assert "--ignore-value -1 leaves them out of the votes and the agreement" in said


def test_voc_255_gets_a_notice_and_binary_0_255_none(tmp_path):
    """255 beside classes 1..2 is likely VOC's 'not labelled'; 0/255 alone is a binary mask (no notice)."""
    voc = {"im0": np.array([[[0, 2], [1, 255]], [[0, 2], [255, 1]]], dtype=np.uint8)}
    said = CliRunner().invoke(main, ["aggregate-masks", _table(tmp_path, voc), "--out", str(tmp_path / "a")]).output
    assert "notice: TABLE's masks hold 255 beside the classes [0, 1, 2]" in " ".join(said.split())
    binary = {"im0": np.array([[[0, 255], [255, 255]], [[0, 255], [0, 255]]], dtype=np.uint8)}
    said = CliRunner().invoke(main, ["aggregate-masks", _table(tmp_path, binary), "--out", str(tmp_path / "b")]).output
    assert "notice:" not in said


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (
            ["--method", "majority", "--ignore-value", "-1", "--binary"],
            "--ignore-value needs the masks' values as they are, got --binary",
        ),
    ],
)
def test_ignore_value_with_binary_is_refused(tmp_path, extra, said):
    """--binary would turn -1 into foreground: refused in one line (every method takes --ignore-value since
    session 40: tests/cli/test_aggregate_masks_ignore_cli.py)."""
    result = CliRunner().invoke(
        main, ["aggregate-masks", _table(tmp_path, STACKS), *extra, "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert said in " ".join(result.output.split()) and "Traceback" not in result.output
