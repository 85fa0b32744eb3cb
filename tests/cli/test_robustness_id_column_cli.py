"""``labelwise robustness --id-column``: a column of row ids is never a feature."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.datasets import make_moons

from labelwise.cli import main


def _table(path, ids):
    X, y = make_moons(120, noise=0.2, random_state=0)
    order = np.argsort(y, kind="stable")  # rows sorted by class: a row number would give the class away
    frame = pd.DataFrame({"sample": ids, "x1": X[order, 0], "x2": X[order, 1], "y": np.where(y[order] == 1, "b", "a")})
    frame.to_csv(path, index=False)
    return path


def _run(*args):
    return CliRunner().invoke(
        main,
        [
            "robustness",
            *map(str, args),
            "--attacks",
            "random",
            "--budgets",
            "0.1",
            "--models",
            "svc",
            "--seeds",
            "1",
            "--quiet",
        ],
    )


def test_a_text_id_column_named_by_id_column_is_left_out_of_the_features(tmp_path):
    """Text ids were refused as a non-numeric feature with no way but editing DATA; --id-column leaves them out."""
    data = _table(tmp_path / "moons.csv", [f"s{i:03d}" for i in range(120)])
    out = tmp_path / "out"
    result = _run(data, "--label", "y", "--id-column", "sample", "--out", out)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["id_column"] == "sample"
    assert summary["feature_columns"] == ["x1", "x2"]


def test_without_it_a_text_id_column_is_refused_naming_the_option(tmp_path):
    """The refusal of a text column points at --id-column."""
    data = _table(tmp_path / "moons.csv", [f"s{i:03d}" for i in range(120)])
    result = _run(data, "--label", "y", "--out", tmp_path / "out")
    assert result.exit_code != 0
    assert "--id-column" in result.output and "'sample'" in result.output


def test_numeric_ids_named_by_id_column_are_not_a_feature(tmp_path):
    """Row numbers on class-sorted rows are left out with --id-column: the features are x1 and x2 only."""
    data = _table(tmp_path / "moons.csv", np.arange(120))
    out = tmp_path / "out"
    result = _run(data, "--label", "y", "--id-column", "sample", "--out", out)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "summary.json").read_text())["feature_columns"] == ["x1", "x2"]


@pytest.mark.parametrize(("column", "message"), [("y", "another column than --label"), ("nope", "is not in the data")])
def test_an_id_column_that_is_the_label_or_missing_is_refused(tmp_path, column, message):
    """--id-column naming --label, or a column DATA lacks, is refused by name."""
    data = _table(tmp_path / "moons.csv", np.arange(120))
    result = _run(data, "--label", "y", "--id-column", column, "--out", tmp_path / "out")
    assert result.exit_code != 0
    assert message in result.output


def test_numeric_row_ids_read_as_a_feature_are_named_with_the_way_out(tmp_path):
    """Without --id-column, a column of increasing whole numbers is read as a feature and a notice names it."""
    data = _table(tmp_path / "moons.csv", np.arange(120) + 1000)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "robustness",
            str(data),
            "--label",
            "y",
            "--attacks",
            "random",
            "--budgets",
            "0.1",
            "--models",
            "svc",
            "--seeds",
            "1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "notice: column(s) 'sample' hold distinct whole numbers in increasing order" in said
    assert "pass --id-column sample" in said
    assert json.loads((out / "summary.json").read_text())["feature_columns"] == ["sample", "x1", "x2"]


def test_measurements_and_shuffled_numbers_raise_no_row_id_notice(tmp_path):
    """Real-valued features and whole numbers out of order (counts, codes) say nothing."""
    data = _table(tmp_path / "moons.csv", np.random.default_rng(0).permutation(120))
    result = CliRunner().invoke(
        main,
        [
            "robustness",
            str(data),
            "--label",
            "y",
            "--attacks",
            "random",
            "--budgets",
            "0.1",
            "--models",
            "svc",
            "--seeds",
            "1",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "row ids" not in result.output
