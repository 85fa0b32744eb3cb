"""``labelwise rank-agreement``: a non-numeric rank, integer topics in number order, a run of other topics (session 41)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

pytest.importorskip("ir_measures")


@pytest.fixture
def trec(tmp_path):
    rng = np.random.default_rng(1)
    (tmp_path / "runs").mkdir()
    for s in range(3):
        lines = [f"{q} Q0 d{d} {r + 1} {10 - r} s{s}" for q in range(1, 12) for r, d in enumerate(rng.permutation(6))]
        (tmp_path / "runs" / f"s{s}.run").write_text("\n".join(lines) + "\n")
    for name in ("a", "b"):
        judged = "".join(f"{q} 0 d{d} {rng.integers(0, 3)}\n" for q in range(1, 12) for d in range(6))
        (tmp_path / f"{name}.qrels").write_text(judged)
    return tmp_path


def _run(d, *extra):
    args = ["rank-agreement", str(d / "runs"), "--qrels", str(d / "a.qrels"), "--qrels", str(d / "b.qrels")]
    return CliRunner().invoke(main, [*args, "--n-boot", "10", "--out", str(d / "o"), *extra])


def test_integer_topics_are_written_in_number_order(trec):
    """topics_a.csv had columns 1, 10, 11, 2, ...; now 1, 2, ..., 11 (in both topic tables)."""
    res = _run(trec)
    assert res.exit_code == 0, res.output
    for name in ("topics_a.csv", "topics_b.csv"):
        assert list(pd.read_csv(trec / "o" / name).columns) == ["system", *map(str, range(1, 12))]


def test_non_numeric_rank_is_one_line_naming_the_column_value_and_line(trec):
    """A run line whose rank is 'top' was scored without a word; now exit 2 with file, line, field and value."""
    run = trec / "runs" / "s1.run"
    lines = run.read_text().splitlines()
    lines[4] = lines[4].replace(" 5 ", " top ", 1)
    run.write_text("\n".join(lines) + "\n")
    res = _run(trec)
    assert res.exit_code == 2
    text = " ".join(res.output.split())
    assert "s1.run' line 5: rank (field 4) must be an integer, got 'top'" in text
    assert "Traceback" not in res.output
    assert not (trec / "o").exists()


def test_a_run_answering_no_judged_topic_gets_a_line(trec):
    """A run whose topics are 'q1'... (the qrels say '1'...) scored 0 everywhere without a word."""
    lines = [f"q{q} Q0 d{d} {d + 1} {10 - d} s3" for q in range(1, 12) for d in range(6)]
    (trec / "runs" / "s3.run").write_text("\n".join(lines) + "\n")
    res = _run(trec)
    assert res.exit_code == 0, res.output
    assert "run 's3' answers none of the 11 topics both qrels judge" in " ".join(res.output.split())
