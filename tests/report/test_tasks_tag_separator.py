"""The multi-label report of an audit run with ``--tag-separator``: tags split at the audit's separator."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from labelwise.report._tasks import TaskRun
from labelwise.report._tasks.multilabel import unit_text
from tests.report.test_tasks import _audit, _report


def _semicolon_audit(tmp_path):
    """Row 0 lacks 'dog' and has a doubtful 'x|y' (a tag holding '|'), tags joined by ';'."""
    rng = np.random.default_rng(0)
    truth = rng.random((300, 3)) < 0.4
    probs = np.clip(np.where(truth, 0.9, 0.1) + rng.normal(0, 0.05, truth.shape), 0.01, 0.99)
    given = truth.copy()
    given[0] = [True, False, True]
    probs[0] = [0.95, 0.97, 0.02]
    names = np.array(["cat", "dog", "x|y"])
    pd.DataFrame({"tags": [";".join(names[r]) for r in given]}).to_csv(tmp_path / "t.csv", index=False)
    np.save(tmp_path / "p.npy", probs)
    return _audit(tmp_path, tmp_path / "t.csv", "--task", "multilabel", "--label", "tags", "--probs",
                  tmp_path / "p.npy", "--tag-separator", ";")  # fmt: skip


def test_report_chips_are_the_tags_split_at_the_audits_separator(tmp_path):
    """Row 0's chips: cat, x|y struck through (one tag, not 'x' and 'y'), +dog."""
    page = _report(_semicolon_audit(tmp_path))
    row0 = re.search(r'<tr><td class="num">0</td><td class="tags">(.*?)</td>', page).group(1)
    assert re.findall(r">([^<>]+)</", row0) == ["cat", "x|y", "+dog"]
    assert '<span class="tag extra" title="suspected extra tag"><s>x|y</s></span>' in row0


def test_review_text_names_the_whole_tags(tmp_path):
    """The review page's text of row 0: 'x|y (extra?)' and '+dog (missing?)', the cells split at ';'."""
    run = TaskRun.load(_semicolon_audit(tmp_path))
    assert unit_text(run, 0) == "tags: cat, x|y (extra?)  +dog (missing?)"
