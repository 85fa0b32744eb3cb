"""``labelwise audit --task multilabel`` on tag lists (JSON Lines) whose tags hold the separator:
refused naming ``--label`` and the tag, nothing written (it wrote ``R&D|ops|sales`` cells, which
``labelwise report`` and ``export`` read back as three tags)."""

from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner

from labelwise.cli import main


def _write(tmp_path, names):
    rng = np.random.default_rng(0)
    given = rng.random((30, len(names))) < 0.5
    with open(tmp_path / "t.jsonl", "w") as fh:
        for row in given:
            fh.write(json.dumps({"tags": [n for n, g in zip(names, row, strict=True) if g]}) + "\n")
    np.save(tmp_path / "p.npy", np.clip(np.where(given, 0.8, 0.2) + rng.normal(0, 0.2, given.shape), 0, 1))


def _audit(tmp_path, *extra):
    args = ["audit", str(tmp_path / "t.jsonl"), "--task", "multilabel", "--label", "tags"]
    return CliRunner().invoke(main, [*args, "--probs", str(tmp_path / "p.npy"), "--out", str(tmp_path / "o"), *extra])


def test_a_tag_holding_the_separator_is_refused_and_nothing_written(tmp_path):
    _write(tmp_path, ["R&D|ops", "sales"])
    res = _audit(tmp_path)
    assert res.exit_code == 2, res.output
    assert "--label column 'tags' uses the tag 'R&D|ops', which a cell joined by '|' would read back as" in res.output
    assert not (tmp_path / "o").exists()


def test_another_separator_writes_cells_that_read_back(tmp_path):
    """The fix the message names: ``--tag-separator ';'`` writes ``R&D|ops;sales``."""
    _write(tmp_path, ["R&D|ops", "sales"])
    res = _audit(tmp_path, "--tag-separator", ";")
    assert res.exit_code == 0, res.output
    text = (tmp_path / "o" / "issues.csv").read_text()
    cells = {c for line in text.splitlines()[1:] for c in line.split(",")[1].split(";") if c}
    assert cells == {"R&D|ops", "sales"}
