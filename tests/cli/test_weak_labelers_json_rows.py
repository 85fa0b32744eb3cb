"""``labelers.json``'s rows as conditional distributions (weakgaps50).

The label model's confusion was divided by ``max(P(votes | y), 1e-6)``: a keyword rule's row for the class it never
votes on summed to far below 1 (``has_link``'s true-ham row ``[0.0, 0.0079]``) where the file says rows sum to 1.
Each function now also gets ``votes``: ``P(output | class)`` over the abstain and the classes.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main

LFS = "from tests.weak._spam_lfs import has_link, short  # spam on a link; ham under 9 characters\n"

TEXTS = ["win http://x", "hi", "see http://y now", "ok mate", "free money http://z", "lunch?", "call me later", "yo"]


@pytest.mark.parametrize("model", ["label-model", "dawid-skene", "iwmv"])
def test_every_row_of_labelers_json_is_a_distribution(tmp_path, model):
    """confusion rows (given a vote) and votes rows (with the abstain) each sum to 1; votes is the confusion
    weighed by the chance of a vote."""
    (tmp_path / "lfs.py").write_text(LFS)
    (tmp_path / "data.csv").write_text("text\n" + "\n".join(TEXTS * 25) + "\n")
    out = tmp_path / "out"
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--model", model, "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--quiet"])
    assert result.exit_code == 0, result.output
    view = json.loads((out / "labelers.json").read_text())
    assert view["classes"] == ["ham", "spam"]
    for record in view["labelers"]:
        confusion = np.array(record["confusion"], dtype=float)
        assert confusion.shape == (2, 2)
        np.testing.assert_allclose(confusion.sum(axis=1), 1.0, rtol=0, atol=1e-9)
        if model == "iwmv":  # one accuracy per function, no model of its abstains: no votes matrix
            assert "votes" not in record and view["votes_layout"] is None
            continue
        assert "abstain then the classes" in view["votes_layout"]
        votes = np.array(record["votes"], dtype=float)
        assert votes.shape == (2, 3)
        np.testing.assert_allclose(votes.sum(axis=1), 1.0, rtol=0, atol=1e-9)
        assert (votes >= 0).all()
        np.testing.assert_allclose(votes[:, 1:], (1 - votes[:, :1]) * confusion, atol=1e-9)
    if model == "label-model":  # Dawid-Skene's rows hold its Dirichlet prior's pseudo-counts
        has_link = next(r for r in view["labelers"] if r["labeler"] == "has_link")
        np.testing.assert_allclose(np.array(has_link["confusion"])[:, 1], 1.0)  # it votes spam only
