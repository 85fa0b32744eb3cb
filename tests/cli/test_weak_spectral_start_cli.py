"""``labelwise weak --spectral-start/--no-spectral-start``: the label model's spectral start
(``LabelModel(spectral_start=...)``) from the command line, recorded in summary.json.

The crowd is ``tests/weak/test_spectral.py``'s (``search_crowd(292)``: 4 classes, 23 workers, some
confused by a permutation of the classes), where EM from the spectral estimate ends at a higher MAP
fit than from majority vote; each worker is a labeling function reading its column.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli.weak import load_lfs
from labelwise.weak import LabelModel, apply
from tests.weak.test_spectral import search_crowd

LFS = """
import pandas as pd
from labelwise.weak import labeling_function

def _worker(i):
    @labeling_function(name=f"w{i}")
    def vote(row):
        value = getattr(row, f"w{i}")
        return None if pd.isna(value) else value
    return vote

lfs = [_worker(i) for i in range(23)]
"""


@pytest.fixture(scope="module")
def crowd(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("spectral")
    matrix, _, _ = search_crowd(292)
    votes = np.where(matrix >= 0, np.char.add("c", matrix.astype(str)), "")
    pd.DataFrame(votes, columns=[f"w{i}" for i in range(matrix.shape[1])]).to_csv(folder / "votes.csv", index=False)
    (folder / "lfs.py").write_text(LFS)
    return folder / "lfs.py", folder / "votes.csv"


def _run(crowd: tuple[Path, Path], out: Path, *flags: str):
    lfs, data = crowd
    return CliRunner().invoke(main, ["weak", str(lfs), str(data), "--out", str(out), "--quiet", *flags])


def _probs(out: Path) -> np.ndarray:
    labels = pd.read_csv(out / "labels.csv")
    return labels[[c for c in labels.columns if c.startswith("prob_")]].to_numpy()


def test_spectral_start_fits_what_the_api_fits_and_says_so(crowd, tmp_path):
    """--spectral-start: labels.csv holds LabelModel(spectral_start=True)'s probabilities (its kept fit,
    not majority vote's), and summary.json records the flag and the outcome."""
    on, off = tmp_path / "on", tmp_path / "off"
    result = _run(crowd, on, "--no-lured-items", "--spectral-start")
    assert result.exit_code == 0, result.output
    assert _run(crowd, off, "--no-lured-items", "--no-spectral-start").exit_code == 0
    said_on, said_off = (json.loads((o / "summary.json").read_text()) for o in (on, off))
    assert (said_on["spectral_start"], said_on["spectral_start_result"]) == (True, "kept")
    assert (said_off["spectral_start"], said_off["spectral_start_result"]) == (False, "not run: spectral_start=False")
    votes = apply(load_lfs(crowd[0]), pd.read_csv(crowd[1], dtype=str), verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api = LabelModel(lured_items=False, spectral_start=True, random_state=0).fit(votes)
    np.testing.assert_allclose(_probs(on), api.probas_.to_numpy(), atol=1e-9)
    assert np.abs(_probs(on) - _probs(off)).max() > 0.1


def test_no_spectral_start_is_the_default(crowd, tmp_path):
    """--no-spectral-start gives the same labels.csv as no flag, and records the flag as off (the MultiSPA start,
    ``spectral_start="multispa"``, is the API's opt-in)."""
    assert _run(crowd, tmp_path / "a").exit_code == 0
    assert _run(crowd, tmp_path / "b", "--no-spectral-start").exit_code == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "a" / "labels.csv"), pd.read_csv(tmp_path / "b" / "labels.csv")
    )
    assert json.loads((tmp_path / "a" / "summary.json").read_text())["spectral_start"] is False
    assert json.loads((tmp_path / "b" / "summary.json").read_text())["spectral_start"] is False


@pytest.mark.parametrize("flag", ["--spectral-start", "--no-spectral-start"])
def test_the_flag_with_dawid_skene_is_refused_naming_both_options(crowd, tmp_path, flag):
    """Dawid-Skene's model has no spectral start here: one line naming the flag and --model, nothing written."""
    result = _run(crowd, tmp_path / "o", "--model", "dawid-skene", flag)
    assert result.exit_code == 2
    line = result.output.strip().splitlines()[-1]
    assert flag in line and "--model label-model" in line and "dawid-skene" in line
    assert not (tmp_path / "o").exists()
