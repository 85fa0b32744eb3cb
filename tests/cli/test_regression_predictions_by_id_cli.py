"""``audit --task regression --predictions TABLE --id-column ID``: a predictions table holding DATA's id column is
matched to DATA's rows by id, as the classification and multilabel ``--probs`` tables are (session 49). On main its
rows were taken in order, so a shuffled file scored each row against another row's prediction, and the id column
made it a two-column table, refused as "must have one column".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

IDS = ["007", "a b", "ünï", "10", *[f"r{i:02d}" for i in range(56)]]  # zero-padded, a space, unicode, a number


@pytest.fixture
def data(tmp_path):
    """60 rows: a price the predictions get right but for rows 3 and 17, whose labels are far off."""
    rng = np.random.default_rng(0)
    truth = rng.normal(10, 2, 60)
    price = truth + rng.normal(0, 0.1, 60)
    price[[3, 17]] += 12
    pd.DataFrame({"sample": IDS, "price": price.round(4)}).to_csv(tmp_path / "d.csv", index=False)
    pd.DataFrame({"prediction": truth}).to_csv(tmp_path / "p.csv", index=False)
    shuffled = pd.DataFrame({"sample": IDS, "prediction": truth}).sample(frac=1, random_state=0)
    shuffled.to_csv(tmp_path / "ps.csv", index=False)
    return tmp_path


def _audit(d, predictions, out, *extra):
    args = ["audit", str(d / "d.csv"), "--task", "regression", "--label", "price", "--predictions", str(predictions)]
    return CliRunner().invoke(main, [*args, "--id-column", "sample", "--out", str(d / out), *extra])


def _text(res) -> str:
    return " ".join(res.output.split())  # rich's wrapping undone


class TestRegressionPredictionsById:
    def test_a_shuffled_table_with_ids_flags_the_same_rows_as_the_ordered_one(self, data):
        """The file's rows in another order, with the ids: the same issues.csv as the positional file."""
        res = _audit(data, data / "p.csv", "o_plain")
        assert res.exit_code == 0, res.output
        res = _audit(data, data / "ps.csv", "o_ids")
        assert res.exit_code == 0, res.output
        plain = pd.read_csv(data / "o_plain" / "issues.csv", dtype={"sample": str})
        by_id = pd.read_csv(data / "o_ids" / "issues.csv", dtype={"sample": str})
        pd.testing.assert_frame_equal(plain, by_id)
        flagged = by_id.loc[by_id["is_issue"], "sample"].tolist()
        assert set(flagged) >= {"10", "r13"}  # rows 3 and 17

    def test_ids_that_data_does_not_have_are_refused_naming_a_few_with_their_lines(self, data):
        """Seven ids of another table: refused, naming five with their file lines and how many more."""
        table = pd.read_csv(data / "ps.csv", dtype={"sample": str})
        table.loc[table.index[:7], "sample"] = [f"x{i}" for i in range(7)]
        table.to_csv(data / "foreign.csv", index=False)
        res = _audit(data, data / "foreign.csv", "o")
        text = _text(res)
        assert res.exit_code == 2, text
        assert "got 7 id(s) DATA does not have: 'x0' (row 0 (line 2)), 'x1' (row 1 (line 3))" in text
        assert "and 2 more" in text and "(its column 'sample', compared as written)" in text
        assert not (data / "o").exists()

    def test_ids_are_compared_as_written(self, data):
        """``7`` in the predictions is not DATA's ``007``: refused, not matched as a number."""
        table = pd.read_csv(data / "ps.csv", dtype={"sample": str})
        table.loc[table["sample"] == "007", "sample"] = "7"
        table.to_csv(data / "seven.csv", index=False)
        res = _audit(data, data / "seven.csv", "o")
        assert res.exit_code == 2 and "DATA does not have: '7'" in _text(res)

    def test_a_missing_id_and_a_repeated_id_are_refused(self, data):
        """A table without DATA's row 'a b' (dropped) or with one id twice is one error line naming it."""
        table = pd.read_csv(data / "ps.csv", dtype={"sample": str})
        table[table["sample"] != "a b"].to_csv(data / "fewer.csv", index=False)
        res = _audit(data, data / "fewer.csv", "o")
        assert res.exit_code == 2 and "got none for 1: 'a b' (DATA's row 1 is the first)" in _text(res)
        twice = table.copy()
        twice.loc[twice["sample"] == "a b", "sample"] = "007"
        twice.to_csv(data / "twice.csv", index=False)
        res = _audit(data, data / "twice.csv", "o")
        assert res.exit_code == 2 and "'007' twice" in _text(res)

    def test_a_table_without_the_id_column_is_still_read_in_order(self, data):
        """The plain one-column file with --id-column: rows are DATA's, in order, as before."""
        res = _audit(data, data / "p.csv", "o")
        assert res.exit_code == 0, res.output
