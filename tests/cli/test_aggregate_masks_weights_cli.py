"""``labelwise aggregate-masks --method majority --weights annotators.csv``: the vote weighted by given
annotator weights (``MaskMajorityVote(weights=...)``), and the table's bad shapes refused."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.aggregate import MaskMajorityVote
from labelwise.aggregate._masks_simulate import simulate_masks
from labelwise.cli import main

WEIGHTS = {"a": 0.5, "b": 3.0, "c": 1.0, "d": 1.0}


def _inputs(tmp_path):
    """Four annotators' masks of five images as .npy files, their table and a weights table."""
    masks, _ = simulate_masks(5, 16, 4, random_state=7)
    rows = []
    for item, drawn in masks.items():
        for j, mask in drawn.items():
            path = tmp_path / f"{item}_{j}.npy"
            np.save(path, mask.astype(np.uint8))
            rows.append((f"img{item}", "abcd"[j], path.name))
    pd.DataFrame(rows, columns=["item", "annotator", "path"]).to_csv(tmp_path / "masks.csv", index=False)
    pd.DataFrame({"annotator": list(WEIGHTS), "weight": list(WEIGHTS.values())}).to_csv(
        tmp_path / "weights.csv", index=False
    )
    named = {f"img{i}": {"abcd"[j]: m for j, m in drawn.items()} for i, drawn in masks.items()}
    return named


def _run(tmp_path, *args):
    return CliRunner().invoke(main, ["aggregate-masks", str(tmp_path / "masks.csv"), "--quiet", *map(str, args)])


def test_weights_give_the_apis_weighted_vote(tmp_path):
    """The written masks are MaskMajorityVote(weights=...)'s, and summary.json names the weights table."""
    masks = _inputs(tmp_path)
    out = tmp_path / "out"
    result = _run(tmp_path, "--method", "majority", "--weights", tmp_path / "weights.csv", "--out", out)
    assert result.exit_code == 0, result.output
    want = MaskMajorityVote(weights=WEIGHTS).fit(masks).masks_
    plain = MaskMajorityVote().fit(masks).masks_
    for item, mask in want.items():
        np.testing.assert_array_equal(np.load(out / "masks" / f"{item}.npy") != 0, mask)
    assert any((want[i] != plain[i]).any() for i in want)
    assert json.loads((out / "summary.json").read_text())["weights"] == str(tmp_path / "weights.csv")


def test_weights_with_another_method_or_a_bad_table_are_refused(tmp_path):
    """--weights needs --method majority; its table needs annotator and weight, each annotator once,
    every annotator of TABLE and positive weights: each refused in one line naming --weights."""
    _inputs(tmp_path)
    weights = tmp_path / "w.csv"
    result = _run(tmp_path, "--weights", tmp_path / "weights.csv", "--out", tmp_path / "o1")
    assert result.exit_code != 0 and "--weights is an option of --method majority" in result.output
    for frame, message in [
        (pd.DataFrame({"annotator": ["a"], "w": [1.0]}), "--weights must have the columns annotator and weight"),
        (pd.DataFrame({"annotator": ["a", "a"], "weight": [1.0, 2.0]}), "--weights must list each annotator once"),
        (pd.DataFrame({"annotator": ["a", "b", "c"], "weight": [1.0] * 3}), "got none for 'd'"),
        (pd.DataFrame({"annotator": list("abcd"), "weight": [1.0, -1.0, 1.0, 1.0]}), "--weights must be positive"),
    ]:
        frame.to_csv(weights, index=False)
        result = _run(tmp_path, "--method", "majority", "--weights", weights, "--out", tmp_path / "o2")
        assert result.exit_code != 0 and message in result.output, result.output
        assert not (tmp_path / "o2").exists()
