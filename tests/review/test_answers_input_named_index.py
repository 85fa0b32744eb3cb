"""The review reads a folder of Parquet parts whose item ids are the parts' named index
(``df.set_index("item")``) with the ids as a column, as the run that made the folder read them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.review._answers_input import read_parquet_parts
from labelwise.review.crowd import crowd_units


def _answers() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = [(f"q{i:02d}", who, ["cat", "dog"][int(rng.integers(0, 2))]) for i in range(10) for who in "abc"]
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


def _indexed_parts(frame: pd.DataFrame, folder: Path) -> Path:
    folder.mkdir()
    half = len(frame) // 2
    frame.iloc[:half].set_index("item").to_parquet(folder / "part-0.parquet")
    frame.iloc[half:].set_index("item").to_parquet(folder / "part-1.parquet")
    return folder


def test_read_parquet_parts_reads_a_named_index_as_its_column(tmp_path):
    frame = _answers()
    got = read_parquet_parts(_indexed_parts(frame, tmp_path / "parts"), ["item", "annotator", "label"])
    pd.testing.assert_frame_equal(got, frame)


def test_review_cards_show_the_answers_of_parts_with_a_named_index(tmp_path):
    frame = _answers()
    parts = _indexed_parts(frame, tmp_path / "parts")
    result = CliRunner().invoke(main, ["aggregate", str(parts), "--out", str(tmp_path / "agg"), "--quiet"])
    assert result.exit_code == 0, result.output
    audit, previewer, _ = crowd_units(tmp_path / "agg")
    cards = {
        item: {(a["annotator"], a["label"]) for a in previewer.describe(int(row))["answers"]}
        for row, item in zip(audit.issues["row"], audit.issues["item"], strict=True)
    }
    expected = {str(i): set(zip(g["annotator"], g["label"], strict=True)) for i, g in frame.groupby("item")}
    assert cards == expected
