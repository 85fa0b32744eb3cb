"""``labelwise aggregate --method kos / mmsr / gold-majority-vote``: what --gold does for the gold vote."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main

ANSWERS = """\
item,annotator,label
1,a,cat
1,b,cat
1,c,dog
2,a,dog
2,b,cat
2,c,dog
3,a,dog
3,b,cat
3,c,cat
"""


def _run(tmp_path: Path, *args: str):
    (tmp_path / "answers.csv").write_text(ANSWERS, encoding="utf-8")
    return CliRunner().invoke(main, ["aggregate", str(tmp_path / "answers.csv"), "--top", "0", *args])


class TestGoldMajorityVote:
    def test_needs_gold(self, tmp_path):
        """Without --gold: one line saying that the method needs it."""
        result = _run(tmp_path, "--method", "gold-majority-vote", "--out", str(tmp_path / "o"))
        assert result.exit_code == 2 and "needs --gold" in result.output

    def test_gold_weighs_the_annotators(self, tmp_path):
        """Gold on items 1 and 2 (cat, cat): a weighs 1/2, b 1 and c 0, so item 3 is cat with
        probability 2/3; the summary's accuracy is measured on the same gold items, and its params
        list only --param."""
        (tmp_path / "gold.csv").write_text("item,label\n1,cat\n2,cat\n", encoding="utf-8")
        out = tmp_path / "o"
        result = _run(
            tmp_path, "--method", "gold-majority-vote", "--gold", str(tmp_path / "gold.csv"), "--out", str(out)
        )
        assert result.exit_code == 0, result.output
        labels = pd.read_csv(out / "labels.csv").set_index("item")
        summary = json.loads((out / "summary.json").read_text())
        assert labels.loc[3, "label"] == "cat" and labels.loc[3, "prob_cat"] == 2 / 3
        assert summary["gold"]["accuracy"] == 1.0 and summary["settings"]["params"] == {}

    def test_missing_skill_by_param(self, tmp_path):
        """An annotator without gold answers: the error names --param on_missing_skill's choices;
        --param on_missing_skill=value --param default_skill=0.5 runs."""
        (tmp_path / "gold.csv").write_text("item,label\n1,cat\n", encoding="utf-8")
        extra = ANSWERS + "2,d,cat\n"
        (tmp_path / "answers.csv").write_text(extra, encoding="utf-8")
        args = ["aggregate", str(tmp_path / "answers.csv"), "--method", "gold-majority-vote"]
        args += ["--gold", str(tmp_path / "gold.csv"), "--out", str(tmp_path / "o")]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and "on_missing_skill" in result.output and "'d'" in result.output
        ok = CliRunner().invoke(main, [*args, "--param", "on_missing_skill=value", "--param", "default_skill=0.5"])
        assert ok.exit_code == 0, ok.output


def test_kos_takes_more_than_two_classes(tmp_path):
    """--method kos on three classes was refused ("exactly 2 classes"): it labels every item by the
    2013 threshold tasks."""
    (tmp_path / "a.csv").write_text("item,annotator,label\n1,a,x\n1,b,y\n2,a,z\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["aggregate", str(tmp_path / "a.csv"), "--method", "kos", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "o" / "labels.csv")) == 2


def test_mmsr_writes_its_outputs(tmp_path):
    """--method mmsr runs end to end and writes the usual files."""
    result = _run(tmp_path, "--method", "mmsr", "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert {"labels.csv", "annotators.csv", "summary.json"} <= {p.name for p in (tmp_path / "o").iterdir()}


def test_the_demo_runs_kos_on_the_ten_digits(tmp_path):
    """--demo has ten classes: --method kos was refused in one line; now it is fitted like the others."""
    args = ["aggregate", "--demo", "--demo-items", "200", "--method", "kos", "--out", str(tmp_path / "d")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


def test_kos_least_certain_items_come_by_agreement(tmp_path):
    """KOS gives every item confidence 1, so "Least certain items" listed the first items in item order
    (walk37); its ties now go by the answers' agreement, so a split item comes first."""
    rows = ["item,annotator,label"]
    for i in range(5):
        rows += [f"item_{i},{a},{'cat' if i % 2 else 'dog'}" for a in "abc"]
    rows += ["zz_split,a,cat", "zz_split,b,dog", "zz_split,c,cat"]
    (tmp_path / "a.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    args = ["aggregate", str(tmp_path / "a.csv"), "--method", "kos", "--top", "1", "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    table = result.output.split("Least certain items", 1)[1]
    assert "zz_split" in table and "item_0" not in table
