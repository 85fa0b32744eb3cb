"""``labelwise shift`` with a probability table whose header names none of the classes (session 41)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def _probs(rng, labels):
    logits = 2 * np.eye(3)[labels] + rng.normal(size=(len(labels), 3))
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def test_header_of_other_names_beside_integer_labels_gets_a_line_a_class_header_does_not(tmp_path):
    """cat,dog,owl beside labels 0..2 were taken by position without a word; now a line says so. A header
    that names the classes (2,0,1, any order) is matched by name: no line, and the same priors as the .npy."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    p = _probs(rng, y)
    target = _probs(rng, rng.choice(3, 200, p=[0.6, 0.3, 0.1]))
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "target.npy", target)
    np.save(tmp_path / "val.npy", p)
    pd.DataFrame(p, columns=["cat", "dog", "owl"]).to_csv(tmp_path / "named.csv", index=False)
    pd.DataFrame(p[:, [2, 0, 1]], columns=["2", "0", "1"]).to_csv(tmp_path / "classes.csv", index=False)
    common = [
        "--train-labels",
        str(tmp_path / "y.npy"),
        "--target-probs",
        str(tmp_path / "target.npy"),
        "--n-boot",
        "0",
    ]
    outputs = {}
    for name in ("named.csv", "classes.csv", "val.npy"):
        out = tmp_path / f"o_{name}"
        res = CliRunner().invoke(main, ["shift", "--train-probs", str(tmp_path / name), *common, "--out", str(out)])
        assert res.exit_code == 0, res.output
        outputs[name] = (" ".join(res.output.split()), json.loads((out / "summary.json").read_text())["priors"])
    assert "the header of --train-probs (cat, dog, owl) names none of the classes" in outputs["named.csv"][0]
    assert "taken by position as the classes 0, 1, 2" in outputs["named.csv"][0]
    assert "names none of the classes" not in outputs["classes.csv"][0]
    np.testing.assert_allclose(outputs["classes.csv"][1], outputs["val.npy"][1], atol=1e-9)
