"""A task audit's summary.json without ``task`` (an edited or older file): refused, not read as classification.

Session 43's walk: such a folder was read as a classification audit by ``report`` and ``export``
without a word (a multilabel folder's tags as classes), or failed on issues.csv's columns.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import DataFileError
from labelwise.report._tasks import TASK_KEYS, task_of
from labelwise.review import create_app
from tests.report.test_tasks import _audit, _segmentation_case


def _multilabel(tmp_path):
    (tmp_path / "t.csv").write_text("tags\n" + "a|b\na\nb\na|b\n" * 5)
    np.save(tmp_path / "p.npy", np.full((20, 2), 0.9))
    return _audit(
        tmp_path, tmp_path / "t.csv", "--task", "multilabel", "--label", "tags", "--probs", tmp_path / "p.npy"
    )


def _token(tmp_path):
    (tmp_path / "c.conll").write_text("EU B-ORG\nrejects O\n\n" * 10 + "Peter B-ORG\nspoke O\n")
    rows = {"B-ORG": [0.9, 0.1], "O": [0.1, 0.9]}
    np.save(tmp_path / "p.npy", np.array([rows[t] for t in ["B-ORG", "O"] * 11]))
    return _audit(tmp_path, tmp_path / "c.conll", "--task", "token", "--probs", tmp_path / "p.npy")


def _segmentation(tmp_path):
    folder, _, _ = _segmentation_case(tmp_path)
    return _audit(tmp_path, folder, "--task", "segmentation", "--probs", tmp_path / "p.npy")


CASES = {"multilabel": _multilabel, "token": _token, "segmentation": _segmentation}


def _without_task(out):
    summary = json.loads((out / "summary.json").read_text())
    summary.pop("task")
    summary["settings"].pop("task")
    (out / "summary.json").write_text(json.dumps(summary))


@pytest.mark.parametrize("task", sorted(CASES))
def test_a_summary_without_task_is_refused_by_report_review_and_export(tmp_path, task):
    """report, export and the review name the file, the task its keys belong to, and the key to add back."""
    out = CASES[task](tmp_path)
    assert task_of(out) == task and all(
        key in json.loads((out / "summary.json").read_text()) for key in TASK_KEYS[task]
    )
    _without_task(out)
    expected = f"names no task (no 'task' key, at the top or in 'settings') but holds a {task} audit's"
    for args in (["report", str(out)], ["export", str(out), "--out", str(tmp_path / "clean.csv")]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        said = " ".join(result.output.split())
        assert expected in said and f'writes "task": "{task}" there' in said, said
    with pytest.raises(DataFileError, match="names no task"):
        create_app(out, reviewer="t")
    assert not (tmp_path / "clean.csv").exists() and not (out / "report.html").exists()


def test_a_summary_without_task_keys_is_still_a_classification_audit(tmp_path):
    """A summary without ``task`` and without a task audit's keys is read as before (classification)."""
    (tmp_path / "summary.json").write_text(json.dumps({"n_examples": 3, "n_issues": 1, "settings": {"data": None}}))
    assert task_of(tmp_path) is None
