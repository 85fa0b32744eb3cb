"""``labelwise shift`` reads --train-probs / --target-probs tables whose header names the classes, in any order."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from tests.shift._data import shifted_problem


@pytest.fixture(scope="module")
def problem():
    model, Xv, yv, Xt, _, _ = shifted_problem([0.6, 0.3, 0.1], n_target=1500)
    return model.predict_proba(Xv), yv, model.predict_proba(Xt)


def _run(d, train_probs, train_labels, target_probs, out):
    args = ["shift", "--train-probs", str(train_probs), "--train-labels", str(train_labels)]
    res = CliRunner().invoke(main, [*args, "--target-probs", str(target_probs), "--n-boot", "0", "--out", str(d / out)])
    assert res.exit_code == 0, res.output
    priors = pd.read_csv(d / out / "priors.csv").set_index("class")
    summary = json.loads((d / out / "summary.json").read_text())
    return priors, np.load(d / out / "adapted_probs.npy"), summary["classes"]


def test_text_header_in_another_order_gives_the_npy_result(tmp_path, problem):
    """A CSV of probabilities (header fox,cat,dog; the target's header in a third order) was refused as 'not a
    .npy array'; its priors and adapted probabilities are the .npy run's, class by class."""
    vp, yv, tp = problem
    names = np.array(["cat", "dog", "fox"])
    np.save(tmp_path / "vp.npy", vp)
    np.save(tmp_path / "tp.npy", tp)
    pd.DataFrame({"label": names[yv]}).to_csv(tmp_path / "vl.csv", index=False)
    ref, ref_adapted, ref_classes = _run(tmp_path, tmp_path / "vp.npy", tmp_path / "vl.csv", tmp_path / "tp.npy", "a")
    assert ref_classes == names.tolist()
    pd.DataFrame(vp[:, [2, 0, 1]], columns=names[[2, 0, 1]]).to_csv(tmp_path / "vp.csv", index=False)
    pd.DataFrame(tp[:, [1, 2, 0]], columns=names[[1, 2, 0]]).to_csv(tmp_path / "tp.csv", index=False)
    got, adapted, classes = _run(tmp_path, tmp_path / "vp.csv", tmp_path / "vl.csv", tmp_path / "tp.csv", "b")
    pd.testing.assert_frame_equal(got.loc[names], ref.loc[names], rtol=1e-6)
    np.testing.assert_allclose(adapted[:, [classes.index(n) for n in names]], ref_adapted, rtol=1e-6)


def test_integer_header_in_another_order_beside_npy_labels(tmp_path, problem):
    """A CSV header 2,0,1 beside integer labels: the columns are the classes 2, 0, 1, not positions 0, 1, 2."""
    vp, yv, tp = problem
    for name, arr in (("vp", vp), ("vl", yv), ("tp", tp)):
        np.save(tmp_path / f"{name}.npy", arr)
    ref, ref_adapted, _ = _run(tmp_path, tmp_path / "vp.npy", tmp_path / "vl.npy", tmp_path / "tp.npy", "a")
    pd.DataFrame(vp[:, [2, 0, 1]], columns=["2", "0", "1"]).to_parquet(tmp_path / "vp.parquet", index=False)
    pd.DataFrame(tp[:, [2, 0, 1]], columns=["2", "0", "1"]).to_csv(tmp_path / "tp.csv", index=False)
    got, adapted, classes = _run(tmp_path, tmp_path / "vp.parquet", tmp_path / "vl.npy", tmp_path / "tp.csv", "b")
    assert classes == [0, 1, 2]
    pd.testing.assert_frame_equal(got, ref, rtol=1e-6)
    np.testing.assert_allclose(adapted, ref_adapted, rtol=1e-6)


def test_a_text_column_in_a_probability_table_is_one_line(tmp_path, problem):
    """A table with a column of text (an id column left in) is named, not a traceback."""
    vp, yv, tp = problem
    np.save(tmp_path / "vl.npy", yv)
    np.save(tmp_path / "tp.npy", tp)
    frame = pd.DataFrame(vp, columns=["0", "1", "2"]).assign(id=[f"r{i}" for i in range(len(vp))])
    frame.to_csv(tmp_path / "vp.csv", index=False)
    args = ["shift", "--train-probs", str(tmp_path / "vp.csv"), "--train-labels", str(tmp_path / "vl.npy")]
    res = CliRunner().invoke(main, [*args, "--target-probs", str(tmp_path / "tp.npy"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "--train-probs" in res.output and "['id'] are not numeric" in res.output
    assert not (tmp_path / "o").exists()
