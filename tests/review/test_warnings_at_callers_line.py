"""``labelwise.review``'s warnings on relabels point at the user's line from ``cleaned_table`` and from
``export_cleaned`` (which calls it: one frame deeper)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.review import DecisionStore, cleaned_table, export_cleaned
from tests._at_line import at_line, recorded


def _audited(folder, y, label):
    """An audit of ``y`` (written by ``labelwise audit``) with row 3 relabelled to ``label`` from Python."""
    pd.DataFrame({"x": np.arange(40.0), "y": y}).to_parquet(folder / "data.parquet", index=False)
    np.save(folder / "p.npy", np.random.default_rng(1).dirichlet(np.ones(2), 40))
    args = ["audit", str(folder / "data.parquet"), "--label", "y", "--probs", str(folder / "p.npy")]
    assert CliRunner().invoke(main, [*args, "--out", str(folder / "out")]).exit_code == 0
    DecisionStore(folder / "out" / "review.sqlite").record(3, "relabel", version=0, reviewer="a", label=label)
    return folder / "out"


CODES = np.random.default_rng(0).integers(0, 2, 40)


@pytest.mark.parametrize(
    ("y", "said"),
    [
        (pd.Categorical.from_codes(CODES, ["ant", "bee"]), ("not among its categories", "not a class of the audit")),
        (CODES.astype(np.int64), ("not a value of that type", "not a class of the audit")),
    ],
)
def test_a_relabel_outside_the_columns_type_is_said_at_the_callers_line(tmp_path, y, said):
    out = _audited(tmp_path, y, "owl")
    at_line(recorded(lambda: cleaned_table(out)), __file__, *said)
    at_line(recorded(lambda: export_cleaned(out, tmp_path / "c.csv")), __file__, *said)
