"""`labelwise report` on an `aggregate-tags` folder (session 38's walk).

aggregate-tags writes labels.csv and annotators.csv as aggregate does, so the report took the folder
for an aggregation's and stopped on "labels.csv must have columns ['item', 'label'], missing ['label']".
Since session 39 (views39) the folder has its own view (test_views39_folders.py), recognised by its
summary.json; without it, the folder is still named for what it is.
"""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import DataFileError
from labelwise.report import write_report


def test_an_aggregate_tags_folder_without_its_summary_is_named_for_what_it_is(tmp_path):
    """Without summary.json, the error says the folder holds tag sets and which folders the report reads;
    nothing is written."""
    rows = [(f"i{i}", f"a{a}", "cat|dog" if (i + a) % 3 else "cat") for i in range(12) for a in range(3)]
    pd.DataFrame(rows, columns=["item", "annotator", "tags"]).to_csv(tmp_path / "tags.csv", index=False)
    out = tmp_path / "tags-out"
    result = CliRunner().invoke(main, ["aggregate-tags", str(tmp_path / "tags.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (out / "summary.json").unlink()
    with pytest.raises(
        DataFileError, match=r"holds a labels.csv of tag sets \(labelwise aggregate-tags, without"
    ) as caught:
        write_report(out)
    assert "it reads an audit's (any --task), train's, train-tags' or aggregate's folder" in str(caught.value)
    assert "aggregate-tags's, aggregate-boxes's" in str(caught.value)
    assert not (out / "report.html").exists()
