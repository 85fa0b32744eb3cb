"""``labelwise audit`` on tables with text columns: exact_duplicate compares the texts as written."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

WORDS = ["good", "bad", "great", "awful", "fine", "meh", "nice", "poor"]


@pytest.fixture()
def runner():
    return CliRunner()


def _reviews(n: int = 40, seed: int = 0) -> pd.DataFrame:
    """Free-text reviews (rows 10 and 20 repeat row 3, row 30 repeats row 7) and their labels."""
    rng = np.random.default_rng(seed)
    texts = [" ".join(rng.choice(WORDS, 5)) for _ in range(n)]
    texts[10] = texts[20] = texts[3]
    texts[30] = texts[7]
    return pd.DataFrame({"review": texts, "y": np.array(["neg", "pos"])[np.arange(n) % 2]})


def _audit(runner, tmp_path, frame: pd.DataFrame):
    frame.to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "p.npy", np.full((len(frame), 2), 0.5))
    out = tmp_path / "out"
    args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--probs", str(tmp_path / "p.npy"), "--out", str(out)]
    ran = runner.invoke(main, [*args, "--top", "0"])
    assert ran.exit_code == 0, ran.output
    return pd.read_csv(out / "issues.csv").set_index("row").sort_index(), json.loads((out / "summary.json").read_text())


def test_a_text_only_table_is_checked_for_repeated_texts(runner, tmp_path):
    """Only a text column: exact_duplicate runs on it and lists the sets; the review page reads the same sets."""
    issues, summary = _audit(runner, tmp_path, _reviews())
    section = summary["data_checks"]["exact_duplicate"]
    assert section["status"] == "ran" and section["info"]["sets"] == [[3, 10, 20], [7, 30]]
    assert issues["is_exact_duplicate_issue"].sum() == 5
    assert summary["data_checks"]["feature_columns"]["text"] == ["review"]


def test_rows_with_the_same_numbers_and_other_texts_are_not_duplicates(runner, tmp_path):
    """A 1-5 rating beside the text: equal ratings alone no longer make rows exact duplicates."""
    frame = _reviews().assign(rating=lambda f: np.arange(len(f)) % 5 + 1)
    frame.loc[30, "rating"] = frame.loc[7, "rating"]  # row 30 repeats row 7 whole; 10 and 20 (rating 1) repeat
    issues, summary = _audit(runner, tmp_path, frame)  # each other, row 3 (rating 4) has their text only
    assert summary["data_checks"]["exact_duplicate"]["info"]["sets"] == [[7, 30], [10, 20]]
    assert np.flatnonzero(issues["is_exact_duplicate_issue"].to_numpy()).tolist() == [7, 10, 20, 30]
