"""``labelwise shift``: negative BBSE/RLLS priors, clipped to 0 in priors.csv, are said and kept in summary.json
(session 47: priors.csv showed a confident 0 for a noisy solution without a word)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture()
def hand_example(tmp_path):
    """Lipton et al.'s C w = mu by hand: C = [[.45, .20], [.05, .30]], mu = (1, 0), so w = (2.4, -0.4) and the
    raw target priors w * (0.5, 0.5) = (1.2, -0.2)."""
    labels = np.array([0] * 50 + [1] * 50)
    predicted = np.array([0] * 45 + [1] * 5 + [0] * 20 + [1] * 30)
    np.save(tmp_path / "vp.npy", np.eye(2)[predicted])
    np.save(tmp_path / "vl.npy", labels)
    np.save(tmp_path / "tp.npy", np.eye(2)[np.zeros(40, int)])
    return tmp_path


def _run(d, method):
    args = ["shift", "--train-probs", str(d / "vp.npy"), "--train-labels", str(d / "vl.npy")]
    args += ["--target-probs", str(d / "tp.npy"), "--method", method, "--n-boot", "0", "--out", str(d / method)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    return " ".join(res.output.split()), json.loads((d / method / "summary.json").read_text())


def test_negative_bbse_priors_get_a_line_and_raw_priors(hand_example):
    """The clipped class is named with its raw prior; summary.json keeps the solution beside the clipped priors."""
    text, summary = _run(hand_example, "bbse")
    assert "bbse's solution has negative target priors for 1 class: 1 (-0.2)" in text
    assert "40 target rows" in text
    assert summary["priors"] == pytest.approx([1.0, 0.0])
    assert summary["raw_priors"] == pytest.approx([1.2, -0.2])


@pytest.mark.parametrize("method", ["rlls", "mlls"])
def test_rlls_and_mlls_priors_are_never_negative(hand_example, method):
    """RLLS keeps w >= 0 (theta >= -1) and EM's priors are means of posteriors: no line, raw_priors >= 0."""
    text, summary = _run(hand_example, method)
    assert "negative target priors" not in text
    assert min(summary["raw_priors"]) >= 0
