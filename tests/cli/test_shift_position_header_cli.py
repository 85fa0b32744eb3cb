"""``labelwise shift``: a probability header that names none of the text labels (p0,p1,p2) is read by position."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from tests.shift._data import shifted_problem

NAMES = np.array(["blue jay", "grey owl", "red fox"])


@pytest.fixture(scope="module")
def problem():
    model, Xv, yv, Xt, _, _ = shifted_problem([0.6, 0.3, 0.1], n_target=600)
    return model.predict_proba(Xv), yv, model.predict_proba(Xt)


def _run(d, train_probs, target_probs, out):
    args = ["shift", "--train-probs", str(train_probs), "--train-labels", str(d / "vl.csv")]
    res = CliRunner().invoke(main, [*args, "--target-probs", str(target_probs), "--n-boot", "0", "--out", str(d / out)])
    assert res.exit_code == 0, res.output
    summary = json.loads((d / out / "summary.json").read_text())
    return pd.read_csv(d / out / "priors.csv"), summary["classes"], res.output


def test_position_header_beside_text_labels_gives_the_npy_result(tmp_path, problem):
    """A p0,p1,p2 header beside labels 'blue jay'...: the .npy run's priors and a line saying so (it was an error
    saying --train-labels must be one of the classes ['p0', 'p1', 'p2'], where the docs promise the columns by
    position)."""
    vp, yv, tp = problem
    pd.DataFrame({"label": NAMES[yv]}).to_csv(tmp_path / "vl.csv", index=False)
    np.save(tmp_path / "vp.npy", vp)
    np.save(tmp_path / "tp.npy", tp)
    want, want_classes, _ = _run(tmp_path, tmp_path / "vp.npy", tmp_path / "tp.npy", "a")
    header = ["p0", "p1", "p2"]
    pd.DataFrame(vp, columns=header).to_csv(tmp_path / "vp.csv", index=False)
    pd.DataFrame(tp, columns=header).to_csv(tmp_path / "tp.csv", index=False)
    got, classes, output = _run(tmp_path, tmp_path / "vp.csv", tmp_path / "tp.csv", "b")
    assert classes == want_classes == NAMES.tolist()
    pd.testing.assert_frame_equal(got, want)
    assert "header of --train-probs (p0, p1, p2) names none of the classes" in " ".join(output.split())
