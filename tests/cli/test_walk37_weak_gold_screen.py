"""`labelwise weak --gold-column` says its accuracy on the screen (session 37's walk).

`aggregate --gold` prints "accuracy vs gold"; `weak --gold-column` wrote the accuracy of its
labels to summary.json only, so a user comparing label models from the screen saw no number.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from labelwise.cli import main

LFS = """from labelwise.weak import labeling_function

@labeling_function()
def great(row):
    return "pos" if "great" in row.text else None

@labeling_function()
def bad(row):
    return "neg" if "bad" in row.text else None
"""
DATA = "text,gold\ngreat film,pos\nbad film,neg\ngreat but bad,neg\nfine,pos\nbad acting,pos\n"


def test_the_accuracy_on_covered_gold_is_printed_with_its_item_count(tmp_path):
    """The line gives summary.json's accuracy and the number of items it is measured on."""
    (tmp_path / "lfs.py").write_text(LFS)
    (tmp_path / "data.csv").write_text(DATA)
    out = tmp_path / "out"
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--gold-column", "gold", "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--tie-break", "abstain"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    n = summary["n_covered_gold"]
    assert 0 < n <= 4  # 'fine' gets no vote; a tie abstains
    said = " ".join(result.output.split())
    want = f"accuracy vs gold: {summary['accuracy_on_covered_gold']:.4f} on the {n} items with a gold label"
    assert want in said
