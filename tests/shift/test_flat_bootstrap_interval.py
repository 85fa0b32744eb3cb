"""A bootstrap "interval" of zero width is not given as an interval (session 48).

evalwalk47: on a 5-row target, classes estimated at 0 got the percentile interval [0, 0], which reads
as certainty where the data say nothing (every resample of a few rows keeps a class none of them
points to at 0). Those classes' ci_low / ci_high are now NaN, with one warning naming them.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import LabelwiseWarning
from labelwise.shift import estimate_priors


@pytest.fixture(scope="module")
def validation():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 300)
    logits = rng.normal(size=(300, 3))
    logits[np.arange(300), labels] += 2.0
    probs = np.exp(logits)
    return probs / probs.sum(axis=1, keepdims=True), labels


@pytest.mark.parametrize("method", ["bbse", "rlls", "mlls"])
def test_one_target_row_gives_no_interval_and_a_warning(validation, method):
    """One target row: every resample is that row, so no class has an interval; each method says so."""
    vp, vl = validation
    with pytest.warns(LabelwiseWarning, match=r"not an interval for 3 classes: .*\(1 target row: too few") as said:
        est = estimate_priors(vp, vl, vp[:1], method=method, n_boot=50, random_state=0)
    assert len([w for w in said if "not an interval" in str(w.message)]) == 1
    assert np.isnan(est.ci_low).all() and np.isnan(est.ci_high).all()
    assert np.isfinite(est.priors).all() and est.priors.sum() == pytest.approx(1.0)


def test_a_class_no_target_row_points_to_is_named_and_the_others_keep_their_interval(validation):
    """Two target rows, neither predicted as class 0: class 0's [0, 0] is NaN, the others keep [low, high]."""
    vp, vl = validation
    target = vp[vp.argmax(axis=1) != 0][:2]
    with pytest.warns(LabelwiseWarning, match=r"not an interval for 1 class: every resample gave 0 \(0\) the same"):
        est = estimate_priors(vp, vl, target, method="bbse", n_boot=50, random_state=0)
    frame = est.to_frame()
    assert np.isnan(frame.loc[0, "ci_low"]) and np.isnan(frame.loc[0, "ci_high"])
    assert (frame.loc[[1, 2], "ci_high"] > frame.loc[[1, 2], "ci_low"]).all()


@pytest.mark.parametrize("method", ["bbse", "mlls"])
def test_a_target_of_hundreds_of_rows_keeps_every_interval_without_a_word(validation, method):
    """300 target rows: every class has an interval of positive width, no warning."""
    vp, vl = validation
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelwiseWarning)
        est = estimate_priors(vp, vl, vp, method=method, n_boot=30, random_state=0)
    assert (est.ci_high - est.ci_low > 0).all()


def test_the_cli_says_it_and_leaves_the_cells_empty(tmp_path, validation):
    """``labelwise shift`` on a 2-row target prints the warning (naming --n-boot) and leaves class 0's
    ci_low / ci_high cells empty in priors.csv."""
    vp, vl = validation
    np.save(tmp_path / "vp.npy", vp)
    np.save(tmp_path / "vl.npy", vl)
    np.save(tmp_path / "tp.npy", vp[vp.argmax(axis=1) != 0][:2])
    args = ["shift", "--train-probs", str(tmp_path / "vp.npy"), "--train-labels", str(tmp_path / "vl.npy")]
    args += ["--target-probs", str(tmp_path / "tp.npy"), "--method", "bbse", "--n-boot", "40"]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "not an interval for 1 class" in text and "2 target rows" in text, text
    row = (tmp_path / "out" / "priors.csv").read_text().splitlines()[1].split(",")
    assert row[0] == "0" and row[-2:] == ["", ""], row
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["n_target"] == 2
