"""Probabilities written with a few decimals sum to 1 only within the rounding (0.999, 1.002): the error now
says how to mend that, where it only said the row's sum; a sum far from 1 gets no such hint."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise._validate.probabilities import check_probs
from labelwise.cli import main
from labelwise.errors import InvalidProbabilitiesError


def test_a_row_rounded_when_written_gets_the_hint():
    probs = np.array([[0.333, 0.333, 0.333], [0.2, 0.3, 0.5]])
    with pytest.raises(InvalidProbabilitiesError, match=r"row 0 sums to 0\.999 \(rounded when written\?"):
        check_probs(probs)


def test_a_row_far_from_one_gets_no_hint():
    with pytest.raises(InvalidProbabilitiesError) as err:
        check_probs(np.array([[0.5, 0.5, 0.5]]))
    assert "sums to 1.5" in str(err.value) and "rounded" not in str(err.value)


def test_audit_probs_table_with_three_decimals_says_so(tmp_path):
    rng = np.random.default_rng(0)
    n = 30
    labels = np.array(["a", "b", "c"])[np.arange(n) % 3]
    pd.DataFrame({"x": rng.normal(size=n), "y": labels}).to_csv(tmp_path / "d.csv", index=False)
    probs = pd.DataFrame(rng.dirichlet(np.ones(3), size=n), columns=["a", "b", "c"]).round(3)
    probs.iloc[0] = [0.333, 0.333, 0.333]
    probs.to_csv(tmp_path / "p.csv", index=False)
    args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--probs", str(tmp_path / "p.csv")]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o"), "--checks", "label"])
    assert result.exit_code != 0
    assert "rounded when written?" in result.output and "--probs" in result.output
