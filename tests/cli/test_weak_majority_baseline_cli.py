"""`labelwise weak --gold-column` scores the functions' majority vote beside the label model (session 48's walk).

On a spam table with three link rules that fire together (two copies and a knowledge-base lookup),
the label model's labels were less accurate than the plain majority vote of the same functions, and
the screen gave the label model's number alone.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.weak import _negative_pairs

LFS = """import re
from labelwise import weak

URL = re.compile(r"https?://([^/\\s]+)")
SPAM_DOMAINS = {"bit.ly", "free-prize.biz", "cheap-loans.io", "win-now.top"}

@weak.labeling_function()
def has_link(row):
    return "spam" if "http" in row.text else None

@weak.labeling_function()
def has_url_regex(row):
    return "spam" if URL.search(row.text) else None

@weak.labeling_function()
def known_spam_domain(row):
    m = URL.search(row.text)
    return None if m is None else "spam" if m.group(1) in SPAM_DOMAINS else "ham"

@weak.labeling_function(vectorized=True)
def mentions_money(df):
    return df.text.str.contains(r"\\$\\d+", regex=True).map({True: "spam", False: None})

@weak.labeling_function(vectorized=True)
def shouts(df):
    return df.text.str.contains(r"\\b(?:WIN|FREE)\\b").map({True: "spam", False: None})

@weak.labeling_function(vectorized=True)
def short_message(df):
    return df.text.str.len().lt(20).map({True: "ham", False: None})

@weak.labeling_function()
def greeting(row):
    return "ham" if row.text.lower().startswith(("hi", "happy", "thanks")) else None

@weak.labeling_function(vectorized=True)
def work_words(df):
    return df.text.str.contains("meeting|report|minutes").map({True: "ham", False: None})
"""


def _spam_table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    spam_dom = ["bit.ly", "free-prize.biz", "cheap-loans.io", "win-now.top", "deal.shop"]
    ok_dom = ["github.com", "docs.google.com", "wikipedia.org"]
    spam_phr = [
        "WIN a free prize",
        "cheap loans for you",
        "claim your $100 reward",
        "limited offer only $5",
        "you have been selected",
        "lottery winner notice",
        "act now, exclusive deal",
    ]
    ham_phr = [
        "are we still on for lunch",
        "see you tomorrow",
        "can you send the report",
        "thanks, got it",
        "please find the minutes of the meeting attached",
        "hi, how are you",
        "ok",
        "happy birthday!",
    ]
    rows = []
    for i in range(n):
        spam = rng.random() < 0.35
        text = str(rng.choice(spam_phr if spam else ham_phr))
        if spam and rng.random() < 0.6:
            text += f" http://{rng.choice(spam_dom)}/{rng.integers(1000)}"
        if not spam and rng.random() < 0.15:
            text += f" http://{rng.choice(ok_dom)}/x"
        if not spam and rng.random() < 0.05:
            text += " $20 for the pizza"
        rows.append((f"m{i:05d}", text, "spam" if spam else "ham"))
    return pd.DataFrame(rows, columns=["id", "text", "label"])


def _expected_majority_accuracy(votes_csv, gold: pd.Series, ties: float | None = None) -> float:
    """By hand with pandas: per item, the share of its top-voted classes that is the gold label (``ties``:
    the score of a tied item instead)."""
    votes = pd.read_csv(votes_csv)
    counts = votes.groupby(["item", "label"]).size().unstack(fill_value=0)
    top = counts.eq(counts.max(axis=1), axis=0)
    g = gold.reindex(counts.index)
    scores = [top.loc[i, g[i]] / top.loc[i].sum() for i in counts.index]
    if ties is not None:
        scores = [ties if top.loc[i].sum() > 1 else s for i, s in zip(counts.index, scores, strict=True)]
    return float(np.mean(scores))


def _run(tmp_path, lfs, table, *extra):
    (tmp_path / "lfs.py").write_text(lfs)
    table.to_csv(tmp_path / "data.csv", index=False)
    out = tmp_path / "out"
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--id-column", "id"]
    result = CliRunner().invoke(main, [*args, "--gold-column", "label", "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text()), " ".join(result.output.split()), out


class TestMajorityBaseline:
    def test_spam_rules_where_the_label_model_loses_say_so(self, tmp_path, monkeypatch):
        """The majority vote's accuracy (ties split) is the hand count, above the label model's, and a notice says it."""
        monkeypatch.setattr(_negative_pairs, "ENABLED", False)  # the fit that loses here (before session 52)
        table = _spam_table(3000, seed=4)
        summary, said, out = _run(tmp_path, LFS, table)
        mv = summary["majority_vote_accuracy_on_covered_gold"]
        assert mv == _expected_majority_accuracy(out / "votes.csv", table.set_index("id")["label"])
        lost = summary["majority_vote_accuracy_ties_lost"]
        assert lost == _expected_majority_accuracy(out / "votes.csv", table.set_index("id")["label"], ties=0.0)
        assert mv > lost > summary["accuracy_on_covered_gold"]
        assert f"(the functions' majority vote: {mv:.4f} with ties split, {lost:.4f} with every tie lost)" in said
        assert "notice: the label model's labels are less accurate than the functions' majority vote" in said

    def test_a_label_model_that_falls_back_to_majority_vote_gets_no_notice(self, tmp_path):
        """Dawid-Skene falls back to majority vote on these one-class rules: below ties split, above ties lost, no notice."""
        summary, said, _ = _run(tmp_path, LFS, _spam_table(3000, seed=4), "--model", "dawid-skene")
        assert summary["majority_vote_accuracy_ties_lost"] <= summary["accuracy_on_covered_gold"]
        assert "notice: the label model's labels are less accurate" not in said

    def test_ties_count_as_the_share_of_tied_classes_that_is_right(self, tmp_path):
        """One vote each way on an item scores 1/2; an item no function voted on is not counted."""
        lfs = (
            "from labelwise import weak\n\n@weak.labeling_function()\ndef a(row):\n"
            "    return {'x1': 'pos', 'x2': 'pos', 'x3': 'neg'}.get(row.text)\n\n"
            "@weak.labeling_function()\ndef b(row):\n    return {'x1': 'pos', 'x2': 'neg', 'x3': 'neg'}.get(row.text)\n"
        )
        table = pd.DataFrame({"id": ["i1", "i2", "i3", "i4"], "text": ["x1", "x2", "x3", "x4"], "label": ["pos"] * 4})
        summary, _, _ = _run(tmp_path, lfs, table)
        assert summary["majority_vote_accuracy_on_covered_gold"] == (1 + 0.5 + 0) / 3
        assert summary["majority_vote_accuracy_ties_lost"] == 1 / 3
