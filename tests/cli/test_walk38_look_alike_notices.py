"""Class names written two ways but for spaces or case, outside `labelwise aggregate` (session 38's walk).

`aggregate` and `weak` say when the answers hold 'cat' and ' cat' (two classes); `aggregate-boxes`
merged 'car ' and 'car' boxes apart in silence (an image lost its box's majority), `train-crowds`
named 'Adelie ' as a class no row is inferred to be without saying why (the space is invisible on
screen), and `audit` stopped on "class 'grignolino ' has 3" without the reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def _said(result):
    return " ".join(result.output.split())


def test_aggregate_boxes_names_labels_written_with_a_space(tmp_path):
    """One annotator's 'car ' is its own class: the notice names both spellings."""
    rows = [
        (f"im{i}", f"a{a}", 20.0 + a, 10.0, 50.0 + a, 40.0, "car " if (i, a) == (0, 0) else "car")
        for i in range(4)
        for a in range(3)
    ]
    columns = ["image", "annotator", "x_min", "y_min", "x_max", "y_max", "label"]
    pd.DataFrame(rows, columns=columns).to_csv(tmp_path / "boxes.csv", index=False)
    result = CliRunner().invoke(main, ["aggregate-boxes", str(tmp_path / "boxes.csv"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "notice: BOXES' labels hold 1 class name(s) written two or more ways but for case or spaces" in _said(result)
    assert "('car ' and 'car')" in _said(result) or "('car' and 'car ')" in _said(result)


def test_train_crowds_names_answers_written_with_a_space(tmp_path):
    """Answers 'b ' beside 'b': the notice says they are two classes and how to merge them."""
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 60)
    pd.DataFrame({"x": truth + rng.normal(0, 0.3, 60)}).to_csv(tmp_path / "data.csv", index=False)
    answers = [
        (i, f"w{w}", "ab"[t] + (" " if (i + w) % 9 == 0 and t else "")) for i, t in enumerate(truth) for w in range(3)
    ]
    pd.DataFrame(answers, columns=["item", "annotator", "label"]).to_csv(tmp_path / "answers.csv", index=False)
    args = ["train-crowds", str(tmp_path / "data.csv"), str(tmp_path / "answers.csv"), "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert (
        "notice: the answers hold 1 class name(s) written two or more ways but for case or spaces ('b' and 'b ')"
        in (_said(result))
    )


def test_audit_too_small_class_names_its_look_alike(tmp_path):
    """A class of 3 rows made by a trailing space: the error says which spellings differ."""
    rng = np.random.default_rng(1)
    y = np.array(["pos", "neg"] * 20, dtype=object)
    y[[0, 2, 4]] = "pos "
    pd.DataFrame({"x": rng.normal(size=40), "y": y}).to_csv(tmp_path / "d.csv", index=False)
    args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--model", "logistic", "--checks", "label"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "class 'pos ' has 3" in _said(result)
    assert "the labels hold 1 class name(s) written two or more ways but for case or spaces ('pos ' and 'pos')" in (
        _said(result)
    ) or "('pos' and 'pos ')" in _said(result)
