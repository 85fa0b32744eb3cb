"""An empty label cell stops `audit`/`train` with what it is (session 39's walk).

On main `--na-values NA` (or `""`) still read an empty cell as missing, and the error said only
"row 1 is nan": nothing told that --na-values cannot keep an empty cell, nor that in a column of
tag sets an empty cell means "no tags", which `--task multilabel` and `train-tags` read so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _table(tmp_path, cells: list[str]) -> str:
    rng = np.random.default_rng(0)
    labels = [cells[i % len(cells)] for i in range(30)]
    pd.DataFrame({"x": rng.normal(size=30), "tags": labels}).to_csv(tmp_path / "d.csv", index=False)
    return str(tmp_path / "d.csv")


@pytest.mark.parametrize("command", ["audit", "train"])
def test_an_empty_cell_of_tag_sets_names_the_multilabel_commands(tmp_path, command):
    """Tag sets with an empty cell, --na-values NA: the error says the cell is empty and where it means no tags."""
    data = _table(tmp_path, ["cat", "", "cat|dog", "dog"])
    args = [command, data, "--label", "tags", "--na-values", "NA", "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "row 1 (line 3) of column 'tags' in DATA 'd.csv' is an empty cell, which is always read as missing" in said
    assert (
        "where an empty cell is a row without tags: labelwise audit --task multilabel and labelwise train-tags" in said
    )


def test_an_empty_cell_of_plain_classes_says_only_that_it_is_empty(tmp_path):
    """Plain classes: the empty cell is named, no word of tag sets."""
    result = CliRunner().invoke(
        main, ["audit", _table(tmp_path, ["a", "", "b"]), "--label", "tags", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "row 1 (line 3) of column 'tags' in DATA 'd.csv' is an empty cell, which is always read as missing" in said
    assert "tag" not in said.split("is an empty cell")[1]
