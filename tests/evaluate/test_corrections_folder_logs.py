"""A review export folder's change log under the name its output gave it (fix39: ``cleaned.parquet`` writes
``cleaned.parquet.changes.csv``), read by ``read_corrections`` and so by ``evaluate --corrections FOLDER``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import DataFileError
from labelwise.evaluate import read_corrections


def _log(path) -> None:
    pd.DataFrame({"row": [0, 2], "action": ["relabel", "exclude"], "new_label": ["dog", None]}).to_csv(
        path, index=False
    )


def test_a_parquet_exports_log_is_found_in_its_folder(tmp_path):
    """The folder holds only ``cleaned.parquet.changes.csv``: it is the folder's change log."""
    _log(tmp_path / "cleaned.parquet.changes.csv")
    res = read_corrections(tmp_path, np.array(["cat", "cat", "cat"], dtype=object))
    assert list(res.corrected) == ["dog", "cat", None]
    assert res.source.endswith("cleaned.parquet.changes.csv")


def test_cleaned_changes_csv_is_read_first(tmp_path):
    """Beside another log, ``cleaned.changes.csv`` (the CSV export's) is the one read, as before."""
    _log(tmp_path / "cleaned.changes.csv")
    pd.DataFrame({"row": [1], "action": ["relabel"], "new_label": ["bird"]}).to_csv(
        tmp_path / "cleaned.parquet.changes.csv", index=False
    )
    res = read_corrections(tmp_path, np.array(["cat", "cat", "cat"], dtype=object))
    assert list(res.corrected) == ["dog", "cat", None]


def test_several_other_logs_are_refused_by_name(tmp_path):
    """Two logs and no ``cleaned.changes.csv``: refused, naming both, rather than one picked."""
    _log(tmp_path / "a.parquet.changes.csv")
    _log(tmp_path / "b.jsonl.changes.csv")
    with pytest.raises(DataFileError, match=r"holds 2: \['a.parquet.changes.csv', 'b.jsonl.changes.csv'\]"):
        read_corrections(tmp_path, np.array(["cat", "cat", "cat"], dtype=object))


def test_a_folder_without_a_log_is_refused(tmp_path):
    with pytest.raises(DataFileError, match="must contain cleaned.changes.csv or one other"):
        read_corrections(tmp_path, np.array(["cat"], dtype=object))
