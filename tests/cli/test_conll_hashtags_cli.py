"""``labelwise audit --task token`` and ``labelwise export`` on a CoNLL file of tweets: hashtags are tokens."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.io import read_conll
from labelwise.review import DecisionStore

TWEETS = (
    "# sent_id = t1\n#python B-TOPIC\nis O\nfun O\n\n"
    "love O\n#rstats O\n\n"
    "# sent_id = t3\nsee O\nyou O\n#pydata B-TOPIC\n"
)
CLASSES = ["B-TOPIC", "O"]


def _audit(tmp_path):
    (tmp_path / "t.conll").write_text(TWEETS)
    tags = ["B-TOPIC", "O", "O", "O", "O", "O", "O", "B-TOPIC"]
    probs = np.array([[0.95, 0.05] if t == "B-TOPIC" else [0.05, 0.95] for t in tags])
    probs[4] = [0.97, 0.03]  # '#rstats' tagged O looks like a topic
    np.save(tmp_path / "p.npy", probs)
    out = tmp_path / "out"
    args = [
        "audit",
        str(tmp_path / "t.conll"),
        "--task",
        "token",
        "--probs",
        str(tmp_path / "p.npy"),
        "--out",
        str(out),
    ]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    return out


def test_audit_counts_and_flags_hashtag_tokens(tmp_path):
    """All 8 tokens (3 hashtags) are audited in 3 sentences, and the mistagged '#rstats' is the top issue."""
    out = _audit(tmp_path)
    issues = pd.read_csv(out / "issues.csv")
    assert len(issues) == 8
    assert set(issues["token"]) >= {"#python", "#rstats", "#pydata"}
    first = issues.sort_values("rank").iloc[0]
    assert (first.sentence, first.token, first.given_label) == (1, "#rstats", "O")


def test_export_round_trip_keeps_hashtag_tokens(tmp_path):
    """Excluding '#rstats' drops its sentence; the other lines, hashtags and comments included, come back byte for byte."""
    out = _audit(tmp_path)
    DecisionStore(out / "review.sqlite").record(4, "exclude", version=0, reviewer="ann")
    res = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "clean.conll")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "clean.conll").read_text() == TWEETS.replace("love O\n#rstats O\n\n", "")
    corpus = read_conll(tmp_path / "clean.conll")
    assert corpus.tokens == [["#python", "is", "fun"], ["see", "you", "#pydata"]]
    assert corpus.tags == [["B-TOPIC", "O", "O"], ["O", "O", "B-TOPIC"]]
