"""``labelwise audit --probs`` given as a compressed table (``p.csv.gz``) or UTF-16 text: the audit of the
plain table (main took ``p.csv.gz`` for an ``.npy`` array by its last suffix and refused it)."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.mark.parametrize("form", ["gzip", "utf16"])
def test_a_compressed_or_utf16_probs_table_gives_the_plain_audit(tmp_path, form):
    """The same issues.csv as with p.csv."""
    rng = np.random.default_rng(4)
    n = 45
    labels = np.array(["cat", "dog", "owl"])[np.arange(n) % 3]
    probs = rng.dirichlet(np.ones(3), size=n) * 0.4
    probs[np.arange(n), np.arange(n) % 3] += 0.6
    pd.DataFrame({"a": rng.normal(size=n), "y": labels}).to_csv(tmp_path / "d.csv", index=False)
    text = pd.DataFrame(probs, columns=["cat", "dog", "owl"]).to_csv(index=False)
    (tmp_path / "p.csv").write_text(text)
    other = tmp_path / ("p.csv.gz" if form == "gzip" else "q.csv")
    other.write_bytes(gzip.compress(text.encode()) if form == "gzip" else text.encode("utf-16"))
    outs = []
    for probs_file in (tmp_path / "p.csv", other):
        out = tmp_path / f"out-{probs_file.name}"
        args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--probs", str(probs_file), "--out", str(out)]
        ran = CliRunner().invoke(main, [*args, "--checks", "label", "--top", "0"])
        assert ran.exit_code == 0, ran.output
        outs.append(pd.read_csv(out / "issues.csv"))
    pd.testing.assert_frame_equal(outs[1], outs[0])
