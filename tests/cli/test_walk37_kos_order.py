"""`labelwise aggregate --method kos` on text classes that have an order (session 37's walk).

KOS's thresholds for more than two classes follow the classes' order; text ratings 'low', 'mid',
'high' were read in sorted order ('high', 'low', 'mid') with nothing said, while `--labels
low,mid,high` gives their order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def _answers(tmp_path):
    rng = np.random.default_rng(3)
    names = ["low", "mid", "high"]
    rows = []
    for i in range(60):
        truth = int(rng.integers(0, 3))
        for a in range(5):
            label = truth if rng.random() < 0.6 else int(np.clip(truth + rng.choice([-1, 1]), 0, 2))
            rows.append((f"i{i}", f"a{a}", names[label]))
    pd.DataFrame(rows, columns=["item", "annotator", "label"]).to_csv(tmp_path / "answers.csv", index=False)
    return tmp_path / "answers.csv"


def _run(tmp_path, *options):
    args = ["aggregate", str(_answers(tmp_path)), "--out", str(tmp_path / "out"), "--top", "0"]
    return CliRunner().invoke(main, [*args, *options])


def test_kos_notice_names_the_sorted_order_and_the_option(tmp_path):
    """Three text classes and no --labels: the notice gives ['high', 'low', 'mid'] and --labels."""
    result = _run(tmp_path, "--method", "kos")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "notice: kos takes the 3 classes as ordered, here in sorted order ['high', 'low', 'mid']" in said
    assert "declare it with --classes (or --labels)" in said


def test_no_kos_notice_with_declared_labels_or_another_method(tmp_path):
    """--labels low,mid,high (the order declared) or majority vote (no order used) say nothing."""
    for options in (("--method", "kos", "--labels", "low,mid,high"), ("--method", "majority-vote")):
        result = _run(tmp_path, *options, "--force")
        assert result.exit_code == 0, result.output
        assert "as ordered" not in result.output
