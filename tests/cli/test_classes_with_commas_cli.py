"""``--classes`` names a class holding a comma in double quotes, as a CSV row does.

Session 47's new-user walk: a class ``sports, outdoor`` could not be named by any ``--classes``
(audit, evaluate, weak, aggregate): the comma split it into ``"sports`` and ``outdoor"``.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.cli import main
from labelwise.cli._common import split_csv_option

CLASSES = ["café ☕", "politics", "sports, outdoor"]


class TestSplitCsvOption:
    def test_a_quoted_name_keeps_its_comma(self):
        """``"sports, outdoor",tech`` is two names."""
        assert split_csv_option('"sports, outdoor",tech') == ["sports, outdoor", "tech"]
        assert split_csv_option('tech, "sports, outdoor"') == ["tech", "sports, outdoor"]

    def test_without_quotes_every_comma_splits(self):
        """The plain form is unchanged: blanks around names stripped, empty names dropped."""
        assert split_csv_option("a, b,,c ") == ["a", "b", "c"]
        assert split_csv_option("") == [] and split_csv_option(None) == []

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.text(alphabet="ab ,é☕-_1", min_size=1).map(str.strip).filter(bool), min_size=1, max_size=6))
    def test_names_written_as_a_csv_row_are_read_back(self, names):
        """Any names, written as one CSV row with the names holding a comma quoted, come back as given."""
        buf = io.StringIO()
        csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="").writerow(names)
        assert split_csv_option(buf.getvalue()) == names


def test_weak_classes_names_a_class_with_a_comma(tmp_path):
    """A labeling function returning ``sports, outdoor`` is allowed by a quoted --classes (main: refused)."""
    data = tmp_path / "d.csv"
    pd.DataFrame({"text": ["a goal", "a latte", "a vote", "a goal and vote"] * 5}).to_csv(data, index=False)
    (tmp_path / "lfs.py").write_text(
        "from labelwise.weak import labeling_function\n"
        "@labeling_function()\n"
        "def sport(row):\n    return 'sports, outdoor' if 'goal' in row.text else None\n"
        "@labeling_function()\n"
        "def vote(row):\n    return 'politics' if 'vote' in row.text else None\n",
        encoding="utf-8",
    )
    classes = '"sports, outdoor",politics,café ☕'
    args = ["weak", str(tmp_path / "lfs.py"), str(data), "--classes", classes, "--out", str(tmp_path / "w"), "--quiet"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    labels = pd.read_csv(tmp_path / "w" / "labels.csv")
    assert "prob_sports, outdoor" in labels.columns and "prob_café ☕" in labels.columns


def test_audit_classes_names_the_probability_columns(tmp_path):
    """``--probs`` .npy with a quoted class name: its column is that class (main: 4 names for 3 columns)."""
    labels = [CLASSES[i % 3] for i in range(30)]
    data = tmp_path / "d.csv"
    pd.DataFrame({"x": np.arange(30.0), "label": labels}).to_csv(data, index=False)
    probs = np.full((30, 3), 0.05)
    probs[np.arange(30), np.arange(30) % 3] = 0.9
    np.save(tmp_path / "p.npy", probs)
    args = ["audit", str(data), "--label", "label", "--probs", str(tmp_path / "p.npy"), "--checks", "label"]
    classes = 'café ☕,politics,"sports, outdoor"'
    res = CliRunner().invoke(main, [*args, "--classes", classes, "--out", str(tmp_path / "a"), "--quiet"])
    assert res.exit_code == 0, res.output
    issues = pd.read_csv(tmp_path / "a" / "issues.csv")
    assert not issues["is_issue"].any()
