"""``labelwise audit --texts-must-match/--no-texts-must-match``: the user's choice over the automatic one
(on for a table's own columns beside text columns), said in summary.json."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

WORDS = np.array([f"w{i}" for i in range(3000)])


def _write(tmp_path, texts: bool = True) -> None:
    """120 rows of a 1-5 rating and (``texts``) 15 random words, the label alternating; rows 60+ test rows."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"rating": rng.integers(1, 6, 120), "y": np.array(["a", "b"])[np.arange(120) % 2]})
    if texts:
        frame["review"] = [" ".join(rng.choice(WORDS, 15, replace=False)) for _ in range(120)]
    frame["part"] = np.where(np.arange(120) < 60, "train", "test")
    frame.to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "p.npy", np.full((120, 2), 0.5))


def _audit(tmp_path, *extra: str):
    out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
    args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--probs", str(tmp_path / "p.npy"), "--out", str(out)]
    return CliRunner().invoke(main, [*args, "--split-column", "part", "--top", "0", *extra]), out


def _checks(out) -> dict:
    return json.loads((out / "summary.json").read_text())["data_checks"]


def test_no_texts_must_match_lets_the_rating_alone_make_near_duplicates_and_leaks(tmp_path):
    """The automatic choice (on): no two rows share a review, so no near duplicate and no leak; with
    --no-texts-must-match every row shares its rating with others, so (median distance 0) every row is
    a near duplicate and every test row leaks, as the user asked; summary.json says who chose."""
    _write(tmp_path)
    ran, out = _audit(tmp_path)
    assert ran.exit_code == 0, ran.output
    auto = _checks(out)
    assert auto["texts_must_match"] == {"value": True, "chosen_by": "auto"}
    assert auto["near_duplicate"]["n_issues"] == 0 and auto["leakage"]["n_issues"] == 0
    ran, out = _audit(tmp_path, "--no-texts-must-match")
    assert ran.exit_code == 0, ran.output
    off = _checks(out)
    assert off["texts_must_match"] == {"value": False, "chosen_by": "--no-texts-must-match"}
    assert "texts_must_match" not in off["near_duplicate"]["info"]
    assert off["near_duplicate"]["n_issues"] == 120
    assert off["leakage"]["n_issues"] == 60
    ran, out = _audit(tmp_path, "--texts-must-match")
    assert ran.exit_code == 0, ran.output
    on = _checks(out)
    assert on["texts_must_match"] == {"value": True, "chosen_by": "--texts-must-match"}
    assert on["near_duplicate"]["n_issues"] == 0


def test_without_texts_the_automatic_choice_is_off_and_forcing_it_on_is_refused(tmp_path):
    """A table of numbers only: summary.json says off (auto); --texts-must-match there, or with
    --features, has no texts to match: exit 2, one line naming the option, no output written."""
    _write(tmp_path, texts=False)
    ran, out = _audit(tmp_path)
    assert ran.exit_code == 0, ran.output
    assert _checks(out)["texts_must_match"] == {"value": False, "chosen_by": "auto"}
    ran, out = _audit(tmp_path, "--texts-must-match")
    assert ran.exit_code == 2 and "--texts-must-match needs the table's text columns" in ran.output
    assert "a table without text columns" in ran.output and not out.exists()
    _write(tmp_path)
    np.save(tmp_path / "emb.npy", np.random.default_rng(1).normal(size=(120, 4)))
    ran, out = _audit(tmp_path, "--texts-must-match", "--features", str(tmp_path / "emb.npy"))
    assert ran.exit_code == 2 and "got --features" in ran.output and not out.exists()


@pytest.mark.parametrize("flag", ["--texts-must-match", "--no-texts-must-match"])
def test_the_option_without_a_check_that_reads_it_is_refused(tmp_path, flag):
    """--checks outlier reads no texts_must_match: either flag would be ignored, so it is an error."""
    _write(tmp_path)
    ran, out = _audit(tmp_path, flag, "--checks", "outlier")
    assert ran.exit_code == 2 and f"{flag} is read by the near_duplicate and leakage checks" in ran.output
    assert not out.exists()


def test_the_audit_at_scale_refuses_the_option(tmp_path):
    """--labels (the audit at scale) runs no data check: --no-texts-must-match is named as unread."""
    _write(tmp_path)
    np.save(tmp_path / "labels.npy", np.arange(120) % 2)
    args = ["audit", "--labels", str(tmp_path / "labels.npy"), "--probs", str(tmp_path / "p.npy")]
    ran = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o"), "--no-texts-must-match"])
    assert ran.exit_code == 2 and "--no-texts-must-match" in ran.output and "at scale" in ran.output
