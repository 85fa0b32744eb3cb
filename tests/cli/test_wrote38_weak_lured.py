"""``labelwise weak --lured-items/--no-lured-items``: the label model's lured-item mixture
(``LabelModel(lured_items=...)``) from the command line, recorded in summary.json.

The command built the model's defaults only; on a crowd where the mixture applies a user could not
turn it off. The crowd is ``tests/weak/test_lure.py``'s (4 classes, 25 workers, about 12 votes an
item), each worker a labeling function reading its column.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli.weak import load_lfs
from labelwise.weak import LabelModel, apply
from tests.weak.test_lure import lured_crowd

LFS = """
import pandas as pd
from labelwise.weak import labeling_function

def _worker(i):
    @labeling_function(name=f"w{i}")
    def vote(row):
        value = getattr(row, f"w{i}")
        return None if pd.isna(value) else value
    return vote

lfs = [_worker(i) for i in range(25)]
"""


@pytest.fixture(scope="module")
def crowd(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("lured")
    matrix, _ = lured_crowd(n=200)
    votes = np.where(matrix >= 0, np.char.add("c", matrix.astype(str)), "")
    pd.DataFrame(votes, columns=[f"w{i}" for i in range(25)]).to_csv(folder / "votes.csv", index=False)
    (folder / "lfs.py").write_text(LFS)
    return folder / "lfs.py", folder / "votes.csv"


def _run(crowd: tuple[Path, Path], out: Path, *flags: str):
    lfs, data = crowd
    return CliRunner().invoke(main, ["weak", str(lfs), str(data), "--out", str(out), "--quiet", *flags])


def _probs(out: Path) -> np.ndarray:
    labels = pd.read_csv(out / "labels.csv")
    return labels[[c for c in labels.columns if c.startswith("prob_")]].to_numpy()


def test_no_lured_items_fits_the_map_model_and_says_so(crowd, tmp_path):
    """Default: the mixture ran (summary.json: lured_items, lured_items_applied); --no-lured-items:
    neither, and labels.csv holds LabelModel(lured_items=False)'s probabilities, not the default's."""
    on, off = tmp_path / "on", tmp_path / "off"
    assert _run(crowd, on).exit_code == 0
    result = _run(crowd, off, "--no-lured-items")
    assert result.exit_code == 0, result.output
    said_on, said_off = (json.loads((o / "summary.json").read_text()) for o in (on, off))
    assert (said_on["lured_items"], said_on["lured_items_applied"]) == (True, True)
    assert (said_off["lured_items"], said_off["lured_items_applied"]) == (False, False)
    table = pd.read_csv(crowd[1], dtype=str)
    votes = apply(load_lfs(crowd[0]), table, verbose=False)
    plain = LabelModel(lured_items=False, random_state=0).fit(votes)
    np.testing.assert_allclose(_probs(off), plain.probas_.to_numpy(), atol=1e-9)
    assert np.abs(_probs(on) - _probs(off)).max() > 1e-3


def test_lured_items_flag_given_is_kept_with_the_default_result(crowd, tmp_path):
    """--lured-items is the default: the same labels.csv as no flag."""
    assert _run(crowd, tmp_path / "a").exit_code == 0
    assert _run(crowd, tmp_path / "b", "--lured-items").exit_code == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "a" / "labels.csv"), pd.read_csv(tmp_path / "b" / "labels.csv")
    )


@pytest.mark.parametrize("flag", ["--lured-items", "--no-lured-items"])
def test_the_flag_with_dawid_skene_is_refused_naming_both_options(crowd, tmp_path, flag):
    """Dawid-Skene's model has no lured-item mixture: one line naming the flag and --model, nothing written."""
    result = _run(crowd, tmp_path / "o", "--model", "dawid-skene", flag)
    assert result.exit_code == 2
    line = result.output.strip().splitlines()[-1]
    assert flag in line and "--model label-model" in line and "dawid-skene" in line
    assert not (tmp_path / "o").exists()
