"""``labelwise audit`` on a text table: near-duplicate texts are flagged, and with --split-column test rows
whose text nearly copies a training row's leak."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main

REVIEWS = [
    "Arrived on time and works as described.",
    "Stopped charging after two weeks of light use.",
    "The colour is darker than in the photos.",
    "Customer service replaced it without any fuss.",
    "Too small for an adult hand, sent it back.",
    "Instructions were in a language I cannot read.",
]


def _table() -> pd.DataFrame:
    """The six reviews in training, then a test row restyling review 2, one adding two words to review 4,
    and one new review."""
    texts = [
        *REVIEWS,
        REVIEWS[2].upper().replace(".", "!!"),
        REVIEWS[4].replace("sent it", "so I sent it"),
        "Great value.",
    ]
    split = ["train"] * 6 + ["test"] * 3
    return pd.DataFrame({"review": texts, "y": np.array(["neg", "pos"])[np.arange(9) % 2], "part": split})


def test_near_copied_reviews_are_near_duplicates_and_the_test_copies_leak(tmp_path):
    """A text-only table with a split: near_duplicate_text lists the two sets, leakage flags rows 6 and 7."""
    _table().to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "p.npy", np.full((9, 2), 0.5))
    out = tmp_path / "out"
    args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--probs", str(tmp_path / "p.npy"), "--out", str(out)]
    ran = CliRunner().invoke(main, [*args, "--split-column", "part", "--top", "0"])
    assert ran.exit_code == 0, ran.output
    checks = json.loads((out / "summary.json").read_text())["data_checks"]
    assert checks["near_duplicate_text"]["status"] == "ran"
    assert checks["near_duplicate_text"]["info"]["sets"] == [[2, 6], [4, 7]]
    assert checks["leakage"]["status"] == "ran"
    issues = pd.read_csv(out / "issues.csv").set_index("row").sort_index()
    assert np.flatnonzero(issues["is_leakage_issue"].to_numpy()).tolist() == [6, 7]
