"""An audited text table with two review decisions, for the tests of the review's records and their readers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.review import DecisionStore

CLASSES = ["café ☕", "politics", "sports, outdoor"]


def audit_with_decisions(tmp_path, columns: dict | None = None):
    """A 30-row text table (by default with ids ``000``...) audited with given probabilities."""
    n = 30
    rng = np.random.default_rng(0)
    labels = [CLASSES[i % 3] for i in range(n)]
    frame = pd.DataFrame(
        {
            **({"id": [f"{i:03d}" for i in range(n)]} if columns is None else columns),
            "text": [f"sentence number {i} about {labels[i]}" for i in range(n)],
            "label": labels,
        }
    )
    probs = rng.dirichlet(np.ones(3), size=n) * 0.2
    probs[np.arange(n), np.arange(n) % 3] += 0.8
    probs[7] = [0.96, 0.02, 0.02]
    frame.to_csv(tmp_path / "data.csv", index=False)
    np.save(tmp_path / "probs.npy", probs)
    out = tmp_path / "audit"
    args = ["audit", str(tmp_path / "data.csv"), "--label", "label", "--probs", str(tmp_path / "probs.npy")]
    res = CliRunner().invoke(main, [*args, "--checks", "label", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    store = DecisionStore(out / "review.sqlite")
    store.record(7, "relabel", version=0, reviewer="ann", label="café ☕")
    store.record(12, "exclude", version=0, reviewer="ann")
    return out
