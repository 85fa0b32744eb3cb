"""``aggregate-numbers`` prints its "wrote" line through the shared ``print_wrote``: a folder whose name
reads as rich markup (``x[red]``) is printed as written (its own line dropped ``[red]``)."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def test_a_folder_named_like_markup_is_printed_as_written(tmp_path):
    """--out x[red]: each of values.csv, annotators.csv and summary.json is printed under x[red]."""
    answers = tmp_path / "answers.csv"
    pd.DataFrame(
        {"item": [0, 0, 1, 1, 2, 2], "annotator": ["a", "b"] * 3, "value": [1.0, 1.5, 3.0, 3.2, 5.0, 4.0]}
    ).to_csv(answers, index=False)
    out = tmp_path / "x[red]"
    res = CliRunner(env={"COLUMNS": "10000"}).invoke(main, ["aggregate-numbers", str(answers), "--out", str(out)])
    assert res.exit_code == 0, res.output
    wrote = next(line for line in res.output.splitlines() if line.startswith("wrote "))
    assert wrote.removeprefix("wrote ").split(", ") == [
        str(out / n) for n in ("values.csv", "annotators.csv", "summary.json")
    ]
