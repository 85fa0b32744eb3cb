"""The cleaned export of a multi-label audit run with ``--tag-separator``: the data's cells compared as tag sets
split at the audit's separator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import DataFileError
from labelwise.review import export_cleaned
from labelwise.review.task_export import task_cleaned
from tests.report.test_tasks import _audit
from tests.review.test_task_export import _decide


def _semicolon_audit(tmp_path):
    """Tags joined by ';' in DATA's own order ('dog;cat'), one tag holding '|'; the audit writes them sorted."""
    rng = np.random.default_rng(0)
    truth = rng.random((60, 3)) < 0.5
    probs = np.clip(np.where(truth, 0.9, 0.1) + rng.normal(0, 0.05, truth.shape), 0.01, 0.99)
    names = np.array(["x|y", "dog", "cat"])  # not sorted: the cells are not written as the audit writes them
    cells = [";".join(names[r]) for r in truth]
    pd.DataFrame({"text": [f"t{i}" for i in range(60)], "tags": cells}).to_csv(tmp_path / "t.csv", index=False)
    np.save(tmp_path / "p.npy", probs)
    out = _audit(tmp_path, tmp_path / "t.csv", "--task", "multilabel", "--label", "tags", "--probs",
                 tmp_path / "p.npy", "--tag-separator", ";")  # fmt: skip
    return out, cells


def test_export_reads_the_data_with_the_audits_separator(tmp_path):
    """'x|y;dog' in DATA and 'dog;x|y' in issues.csv are one tag set: the export drops the excluded rows only."""
    out, cells = _semicolon_audit(tmp_path)
    assert any(";" in c and "x|y" in c for c in cells)
    _decide(out, {0: "exclude", 5: "exclude"})
    export_cleaned(out, tmp_path / "clean.csv")
    cleaned = pd.read_csv(tmp_path / "clean.csv", keep_default_na=False)
    assert cleaned["tags"].tolist() == [c for i, c in enumerate(cells) if i not in (0, 5)]


def test_a_changed_tag_set_is_still_found(tmp_path):
    """A cell whose tags changed since the audit is refused, split at ';' as the audit split it."""
    out, cells = _semicolon_audit(tmp_path)
    data = pd.read_csv(tmp_path / "t.csv", keep_default_na=False)
    row = next(i for i, c in enumerate(cells) if "x|y" in c)
    data.loc[row, "tags"] = cells[row].replace("x|y", "x;y")
    data.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(DataFileError, match=f"differs from the audited tags at row {row}"):
        task_cleaned(out)
