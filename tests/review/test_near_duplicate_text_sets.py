"""Near-duplicate texts (``near_duplicate_text``) reach the review page and the report as the other
duplicate checks' sets do: the review keeps one row of a set, the report shows the sets side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.io.outputs import load_audit
from labelwise.review import DecisionStore
from labelwise.review.duplicates import CheckIndex, keep_one

REVIEWS = [
    "Arrived on time and works as described.",
    "Stopped charging after two weeks of light use.",
    "The colour is darker than in the photos.",
    "Customer service replaced it without any fuss.",
    "Too small for an adult hand, sent it back.",
    "Instructions were in a language I cannot read.",
]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    """A text table whose rows 6 and 7 restyle reviews 2 and 4, audited on given probabilities."""
    tmp = tmp_path_factory.mktemp("texts")
    texts = [*REVIEWS, REVIEWS[2].upper().replace(".", "!!"), REVIEWS[4].replace("sent it", "so I sent it")]
    pd.DataFrame({"review": texts, "y": np.array(["neg", "pos"])[np.arange(8) % 2]}).to_csv(tmp / "d.csv", index=False)
    np.save(tmp / "p.npy", np.full((8, 2), 0.5))
    out = tmp / "out"
    args = ["audit", str(tmp / "d.csv"), "--label", "y", "--probs", str(tmp / "p.npy"), "--out", str(out), "--top", "0"]
    ran = CliRunner().invoke(main, args)
    assert ran.exit_code == 0, ran.output
    return out


def test_review_lists_text_sets_and_keeps_one_row(out_dir, tmp_path):
    """The review's check index treats near_duplicate_text as a duplicate check: row 6's set is {2, 6}, and
    keeping row 6 excludes row 2."""
    index = CheckIndex.from_audit(load_audit(out_dir))
    assert ("near_duplicate_text", [2, 6]) in index.sets_of(6)
    store = DecisionStore(tmp_path / "review.sqlite")
    made = keep_one(store, index, 6, "near_duplicate_text", versions={2: 0, 6: 0}, reviewer="tester")
    assert [(d.row, d.action) for d in made] == [(6, "keep"), (2, "exclude")]


def test_report_shows_the_text_sets_side_by_side(out_dir, tmp_path):
    """``labelwise report`` has a "Near-duplicate texts" section with both sets."""
    ran = CliRunner().invoke(main, ["report", str(out_dir)])
    assert ran.exit_code == 0, ran.output
    page = (out_dir / "report.html").read_text(encoding="utf-8")
    assert 'id="near_duplicate_text"' in page and "Near-duplicate texts" in page and "rows 2, 6" in page
