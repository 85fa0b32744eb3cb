"""``aggregate-numbers``' "wrote" line names every file it wrote with its folder, as ``aggregate``,
``aggregate-tags``, ``audit`` and ``train`` do (it printed the folder on the first file only), through the
shared ``print_wrote``: a folder whose name reads as rich markup (``x[red]``) is printed as written (its
own line dropped ``[red]``)."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.mark.parametrize("folder", ["x1", "x[red]"])
def test_the_wrote_line_gives_each_file_its_folder(tmp_path, folder):
    """Each of values.csv, annotators.csv and summary.json is printed as a path inside --out, as written,
    and exists."""
    answers = tmp_path / "answers.csv"
    pd.DataFrame(
        {"item": [0, 0, 1, 1, 2, 2], "annotator": ["a", "b"] * 3, "value": [1.0, 1.5, 3.0, 3.2, 5.0, 4.0]}
    ).to_csv(answers, index=False)
    out = tmp_path / folder
    # COLUMNS unset: a width left in the environment by an earlier test would wrap the long line
    res = CliRunner(env={"COLUMNS": None}).invoke(main, ["aggregate-numbers", str(answers), "--out", str(out)])
    assert res.exit_code == 0, res.output
    wrote = next(line for line in res.output.splitlines() if line.startswith("wrote "))
    named = wrote.removeprefix("wrote ").split(", ")
    assert named == [str(out / n) for n in ("values.csv", "annotators.csv", "summary.json")]
    assert all((out / n).is_file() for n in ("values.csv", "annotators.csv", "summary.json"))
