"""``labelwise aggregate-texts --method rasa``: two always-agreeing annotators no longer get a skill
of 83,121 (crowd-kit's absolute floor, prior / 1e-5); the skill is capped relative to the crowd and a
notice says it is the floor's cap."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main

TEXTS = ["the cat sat", "a dog ran", "hello world", "blue sky today", "red car fast"]


def test_agreeing_annotators_get_a_bounded_skill_and_a_notice(tmp_path):
    rows = [(i, a, t + (" maybe" if a == "c" else "")) for i, t in enumerate(TEXTS) for a in "abc"]
    pd.DataFrame(rows, columns=["item", "annotator", "text"]).to_csv(tmp_path / "a.csv", index=False)
    res = CliRunner().invoke(
        main,
        ["aggregate-texts", str(tmp_path / "a.csv"), "--method", "rasa", "--out", str(tmp_path / "o")],
        terminal_width=300,
    )
    assert res.exit_code == 0, res.output
    skill = pd.read_csv(tmp_path / "o" / "annotators.csv", index_col="annotator")["skill"]
    assert skill["a"] == skill["b"] and skill["c"] < skill["a"]
    assert skill["a"] < 10_000  # main wrote 83,121
    assert "notice: annotator(s) a, b agree with the aggregates almost exactly" in " ".join(res.output.split())
