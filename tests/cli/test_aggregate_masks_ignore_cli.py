"""``labelwise aggregate-masks --ignore-value`` with every ``--method`` (session 40).

On main the option needed ``--method majority``: staple, em and rasa refused it, so each test here
fails there.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate import STAPLE, SegmentationEM, SegmentationRASA
from labelwise.cli import main


def _table(tmp_path, stacks: dict) -> str:
    rows = []
    for item, stack in stacks.items():
        for a, mask in enumerate(stack):
            np.save(tmp_path / f"{item}_{a}.npy", np.asarray(mask))
            rows.append((item, f"a{a}", f"{item}_{a}.npy"))
    pd.DataFrame(rows, columns=["item", "annotator", "path"]).to_csv(tmp_path / "t.csv", index=False)
    return str(tmp_path / "t.csv")


def _stacks(foreground: int = 1) -> dict:
    rng = np.random.default_rng(3)
    truth = np.zeros((8, 8), dtype=np.int16)
    truth[2:6, 1:7] = 1
    drawn = np.stack([np.where(rng.random(truth.shape) < 0.1, 1 - truth, truth) for _ in range(4)])
    drawn = np.where(rng.random(drawn.shape) < 0.2, -1, drawn * foreground)
    drawn[:, 0, 0] = -1  # nobody labelled this pixel
    return {"im0": drawn.astype(np.int16), "im1": np.full((3, 4, 4), -1, dtype=np.int16)}


MODELS = {
    "staple": lambda: STAPLE(max_iter=200, ignore_value=-1),
    "em": lambda: SegmentationEM(ignore_value=-1),
    "rasa": lambda: SegmentationRASA(ignore_value=-1),
}


@pytest.mark.parametrize("method", ["staple", "em", "rasa"])
def test_every_method_takes_ignore_value_and_writes_the_api_masks(tmp_path, method):
    """--ignore-value -1 with staple, em and rasa: the masks are the API's, -1 kept where nobody labelled."""
    out = tmp_path / "o"
    stacks = _stacks()
    args = ["aggregate-masks", _table(tmp_path, stacks), "--method", method, "--ignore-value", "-1"]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    fit = MODELS[method]().fit({item: {f"a{j}": m for j, m in enumerate(s)} for item, s in stacks.items()})
    written = np.load(out / "masks" / "im0.npy")
    np.testing.assert_array_equal(written, fit.masks_["im0"])
    assert written[0, 0] == -1 and set(np.unique(written).tolist()) == {-1, 0, 1}
    np.testing.assert_array_equal(np.load(out / "masks" / "im1.npy"), np.full((4, 4), -1))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ignore_value"] == -1 and summary["classes"] == [0, 1] and summary["method"] == method


@pytest.mark.parametrize("method", ["em", "rasa"])
def test_em_and_rasa_keep_the_inputs_foreground_value(tmp_path, method):
    """0/255 masks with -1 unlabelled: em and rasa write 255 for the foreground and -1 where nobody labelled."""
    out = tmp_path / "o"
    args = ["aggregate-masks", _table(tmp_path, _stacks(255)), "--method", method, "--ignore-value", "-1"]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    as_01 = np.load(out / "masks" / "im0.npy")
    assert set(np.unique(as_01).tolist()) == {-1, 0, 255}
    fit = MODELS[method]().fit({"im0": _stacks()["im0"]})
    np.testing.assert_array_equal(as_01 == 255, fit.masks_["im0"] == 1)


@pytest.mark.parametrize("value", ["0", "1"])
def test_an_ignore_value_that_is_a_class_of_em_is_refused(tmp_path, value):
    """em models 0/1 masks: --ignore-value 0 or 1 is refused, naming the option, and nothing is written."""
    out = tmp_path / "o"
    stacks = {"im0": np.array([[[0, 1], [1, 1]], [[0, 1], [0, 1]]])}
    args = ["aggregate-masks", _table(tmp_path, stacks), "--method", "em", "--ignore-value", value]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code != 0
    said = " ".join(result.output.split())
    assert f"--ignore-value must not be one of the classes [0, 1], got {value}" in said, said
    assert not out.exists()
