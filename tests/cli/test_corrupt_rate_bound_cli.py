"""``labelwise corrupt``: one rule for ``--rate`` at or above (K-1)/K, the same refusal for every ``--noise`` kind.

Before session 49 the noise matrices refused ``--rate 0.6`` on two classes while the attacks ran it
(``farthest``: every label of the 60% most certain rows flipped, the classes learned swapped).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

CLASSIFICATION_KINDS = ["symmetric", "pair", "random", "instance", "random-flips", "farthest", "topk_sv", "alfa", "lfa"]


def _table(path, classes):
    rng = np.random.default_rng(0)
    y = np.resize(classes, 60)
    codes = pd.factorize(y)[0]
    frame = pd.DataFrame({"x1": rng.normal(size=60) + codes, "x2": rng.normal(size=60), "y": y})
    frame.to_csv(path, index=False)
    return path


@pytest.fixture()
def binary(tmp_path):
    """60 rows, two classes, two numeric features."""
    return _table(tmp_path / "data.csv", ["a", "b"])


def _invoke(data, out, *args):
    return CliRunner().invoke(main, ["corrupt", str(data), "--label", "y", "--out", str(out), *map(str, args)])


@pytest.mark.parametrize("noise", CLASSIFICATION_KINDS)
@pytest.mark.parametrize("rate", ["0.6", "0.5"])
def test_every_kind_refuses_a_rate_at_or_above_the_bound_alike(binary, tmp_path, noise, rate):
    """--rate 0.6 and 0.5 on two classes: exit 2, one message naming (K-1)/K = 0.5 and the kind, nothing written."""
    out = tmp_path / "noisy.csv"
    result = _invoke(binary, out, "--noise", noise, "--rate", rate)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert f"--rate must be < 0.5, (K-1)/K for the K=2 classes of --label, for every --noise kind, got {rate}" in text
    assert f"(--noise {noise})" in text and "class names swapped" in text
    assert "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "noisy.summary.json").exists()


@pytest.mark.parametrize("noise", ["symmetric", "random-flips", "farthest", "alfa"])
def test_a_rate_below_the_bound_runs(binary, tmp_path, noise):
    """--rate 0.45 on two classes runs for the matrices and the attacks alike (a guard)."""
    result = _invoke(binary, tmp_path / "noisy.csv", "--noise", noise, "--rate", "0.45")
    assert result.exit_code == 0, result.output
    truth = pd.read_csv(tmp_path / "noisy.truth.csv")
    assert truth["is_flipped"].sum() == 27


def test_three_classes_bound_is_two_thirds(tmp_path):
    """K=3: --rate 0.6 runs for an attack and the symmetric matrix; 0.7 is refused naming 0.6667 for both."""
    data = _table(tmp_path / "data.csv", ["a", "b", "c"])
    for noise in ("symmetric", "farthest"):
        ok = _invoke(data, tmp_path / f"{noise}.csv", "--noise", noise, "--rate", "0.6")
        assert ok.exit_code == 0, ok.output
        refused = _invoke(data, tmp_path / f"{noise}-high.csv", "--noise", noise, "--rate", "0.7")
        assert refused.exit_code == 2
        assert "--rate must be < 0.6667, (K-1)/K for the K=3 classes" in " ".join(refused.output.split())


def test_a_matrix_is_not_read_against_the_rate_bound(binary, tmp_path):
    """--matrix sets each class's rate: no --rate, so the rule does not apply (the matrix's own checks do)."""
    matrix = pd.DataFrame({"given": ["a", "b"], "a": [0.8, 0.2], "b": [0.3, 0.7]})
    matrix.to_csv(tmp_path / "m.csv", index=False)
    result = _invoke(binary, tmp_path / "noisy.csv", "--matrix", tmp_path / "m.csv")
    assert result.exit_code == 0, result.output
