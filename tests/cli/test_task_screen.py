"""The console's "Worst" table of ``audit --task detection`` / ``regression`` in an 80-column terminal."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from rich.console import Console

from labelwise.cli import _common, main
from labelwise.cli._task_screen import screen_frame


@pytest.fixture()
def narrow(monkeypatch):
    """The console of an 80-column terminal (what most terminals open with)."""
    monkeypatch.setattr(_common, "console", lambda: Console(width=80, highlight=False, soft_wrap=False))
    monkeypatch.setenv("COLUMNS", "80")  # modules that bound ``console`` before the patch (an earlier test) read it


def _rows(output: str) -> list[list[str]]:
    """The body lines of the printed table, split into stripped cells."""
    return [[c.strip() for c in line.strip("│").split("│")] for line in output.splitlines() if line.startswith("│")]


def _detection_files(tmp_path):
    gt = {
        "images": [{"id": 397133 + i, "width": 640, "height": 480} for i in range(3)],
        "categories": [{"id": 1}, {"id": 62}],
        "annotations": [
            {"id": i, "image_id": 397133 + i, "category_id": 62 if i == 0 else 1, "bbox": [10, 10, 30, 30]}
            for i in range(3)
        ],
    }
    preds = [
        {"image_id": 397133, "category_id": 1, "bbox": [11, 10, 30, 30], "score": 0.95},  # swapped
        {"image_id": 397133, "category_id": 62, "bbox": [300, 300, 40, 40], "score": 0.9},  # overlooked
        {"image_id": 397134, "category_id": 1, "bbox": [30, 30, 30, 30], "score": 0.9},  # badly located
        {"image_id": 397135, "category_id": 1, "bbox": [10, 10, 30, 30], "score": 0.9},  # fine
    ]
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    (tmp_path / "p.json").write_text(json.dumps(preds))
    return ["audit", str(tmp_path / "gt.json"), "--task", "detection", "--predictions", str(tmp_path / "p.json")]


def test_detection_worst_table_fits_80_columns_one_line_per_box(tmp_path, narrow):
    """The 15 columns folded into 5-6 character cells ('badly_located' over 4 lines, '10.0000' over 3)."""
    res = CliRunner().invoke(main, [*_detection_files(tmp_path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    issues = pd.read_csv(tmp_path / "o" / "issues.csv")
    assert len(issues.columns) == 18  # issues.csv keeps everything
    rows = _rows(res.output)
    assert len(rows) == len(issues) and all(len(line) <= 80 for line in res.output.splitlines())
    assert "issues.csv has every column" in res.output
    by_box = {(int(r[0]), int(r[1]), r[2]): r[3:] for r in rows}
    assert by_box[(397133, 0, "given")][:3] == ["62", "1", "swapped"]
    assert by_box[(397133, 1, "predicted")][:3] == ["-", "62", "overlooked"]
    assert by_box[(397134, 0, "given")][2] == "badly_located"
    assert by_box[(397135, 0, "given")][2] == "no"


def test_regression_worst_table_fits_80_columns_one_line_per_row(tmp_path, narrow):
    """The 9 columns folded labels such as 3565.614256 over two lines ('3565.6' / '14256')."""
    rng = np.random.default_rng(1)
    y = rng.normal(size=200) * 300
    pred = y + rng.normal(0, 0.1, 200)
    y[3] += 4000
    pd.DataFrame({"price": y}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "pred.npy", pred)
    args = ["audit", str(tmp_path / "d.csv"), "--task", "regression", "--label", "price"]
    args += ["--predictions", str(tmp_path / "pred.npy"), "--top", "5", "--out", str(tmp_path / "o")]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    issues = pd.read_csv(tmp_path / "o" / "issues.csv")
    rows = _rows(res.output)
    assert len(rows) == 5 and all(len(line) <= 80 for line in res.output.splitlines())
    assert rows[0][0] == "3" and rows[0][-1] == "yes" and rows[1][-1] == "no"
    assert float(rows[0][1]) == pytest.approx(issues.given_label[0], abs=1e-6)
    assert float(rows[0][2]) == pytest.approx(issues.suggested_label[0], abs=1e-6)


def test_regression_screen_without_error_probability_keeps_the_flag():
    """Rule zscore (the API's) has no error probability: the screen shows the score and the flag."""
    frame = pd.DataFrame(
        {"row": [3], "given_label": [1.0], "suggested_label": [9.0], "residual": [-8.0], "scale": [1.0]}
        | {"score": [8.0], "label_quality": [0.01], "is_issue": [True]}
    )
    assert screen_frame("regression", frame).columns.tolist() == [
        "row",
        "given_label",
        "suggested_label",
        "score",
        "flagged",
    ]
    assert screen_frame("multilabel", frame) is None


def test_regression_screen_shows_the_id_column_after_the_row(tmp_path, narrow):
    """With --id-column the Worst table names each row's id as written ('007'), after its position."""
    rng = np.random.default_rng(1)
    y = rng.normal(size=60) * 300
    pred = y + rng.normal(0, 0.1, 60)
    y[7] += 4000
    ids = [f"{i:03d}" for i in range(60)]
    pd.DataFrame({"sku": ids, "price": y}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "pred.npy", pred)
    args = ["audit", str(tmp_path / "d.csv"), "--task", "regression", "--label", "price", "--id-column", "sku"]
    args += ["--predictions", str(tmp_path / "pred.npy"), "--top", "3", "--out", str(tmp_path / "o")]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    rows = _rows(res.output)
    assert rows[0][:2] == ["7", "007"] and rows[0][-1] == "yes"
    assert all(len(line) <= 80 for line in res.output.splitlines())
