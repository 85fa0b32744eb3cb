"""``labelwise audit`` on a table of a 1-5 rating and a review: a near duplicate (or a leak) needs the
texts to match too when the features are the table's own columns, not with --features."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main

WORDS = np.array([f"w{i}" for i in range(3000)])


def _table() -> pd.DataFrame:
    """200 rows of a rating and 15 random words; row 150 restyles row 3's review with its rating,
    row 170 copies row 20's review with another rating; rows 100+ are the test rows."""
    rng = np.random.default_rng(0)
    rating = rng.integers(1, 6, 200)
    texts = [" ".join(rng.choice(WORDS, 15, replace=False)) for _ in range(200)]
    texts[150], rating[150] = texts[3].upper().replace(" ", ", "), rating[3]
    texts[170], rating[170] = texts[20], rating[20] % 5 + 1
    split = np.where(np.arange(200) < 100, "train", "test")
    return pd.DataFrame(
        {"rating": rating, "review": texts, "y": np.array(["a", "b"])[np.arange(200) % 2], "part": split}
    )


def _audit(tmp_path, *extra: str) -> tuple[dict, pd.DataFrame]:
    out = tmp_path / f"out{len(extra)}"
    args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--probs", str(tmp_path / "p.npy"), "--out", str(out)]
    ran = CliRunner().invoke(main, [*args, "--split-column", "part", "--top", "0", *extra])
    assert ran.exit_code == 0, ran.output
    issues = pd.read_csv(out / "issues.csv").set_index("row").sort_index()
    return json.loads((out / "summary.json").read_text())["data_checks"], issues


def test_a_rating_beside_a_review_is_no_near_duplicate_but_embeddings_still_find_paraphrases(tmp_path):
    """Table columns: only rows 3 and 150 (same rating, same review) are near duplicates, and only
    test rows 150 and 170 leak (170 by its text); --features with a paraphrase pair of embeddings
    (rows 40 and 60, different words): the pair stays a near duplicate, as before."""
    _table().to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "p.npy", np.full((200, 2), 0.5))
    checks, issues = _audit(tmp_path)
    assert checks["features_from"] == "table columns"
    assert checks["near_duplicate"]["info"]["sets"] == [[3, 150]]
    assert checks["near_duplicate"]["info"]["texts_must_match"] is True
    assert np.flatnonzero(issues["is_near_duplicate_issue"].to_numpy()).tolist() == [3, 150]
    assert np.flatnonzero(issues["is_leakage_issue"].to_numpy()).tolist() == [150, 170]
    emb = np.random.default_rng(2).normal(size=(200, 6))
    emb[60] = emb[40] + 1e-4
    np.save(tmp_path / "emb.npy", emb)
    checks, issues = _audit(tmp_path, "--features", str(tmp_path / "emb.npy"))
    assert checks["near_duplicate"]["info"]["sets"] == [[40, 60]]
    assert "texts_must_match" not in checks["near_duplicate"]["info"]
