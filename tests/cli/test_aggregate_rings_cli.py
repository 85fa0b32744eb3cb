"""``labelwise aggregate`` reports the copy rings Dawid-Skene's ring check found (``--param
dependency_rings=true``) in summary.json's ``dependent_rings`` and on screen, each ring's annotators
named, in memory and on Dask (``--scheduler``), as it reports the dependent pairs.

On main summary.json had no ``dependent_rings`` field and the screen named neither pairs nor rings:
every test here fails there.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from labelwise.cli import main
from tests.aggregate.test_ring_check import crowd, with_ring


@pytest.fixture(scope="module")
def ring_files(tmp_path_factory):
    """``test_ring_check``'s crowd with its median annotator behind five accounts, as CSV and Parquet,
    and the five accounts' names."""
    folder = tmp_path_factory.mktemp("ring")
    answers, _, who = crowd(0)
    ring = with_ring(answers, who, 5)
    ring.to_csv(folder / "ring.csv", index=False)
    ring.to_parquet(folder / "ring.parquet", index=False)
    return folder, sorted([who, *(f"{who}_copy{c}" for c in range(1, 5))])


def _run(path, out, *extra):
    result = CliRunner().invoke(
        main, ["aggregate", str(path), "--method", "dawid-skene", "--top", "0", "--out", str(out), *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text()), " ".join(result.output.split())


@pytest.mark.parametrize("where", ["memory", "dask"])
def test_a_ring_found_is_in_summary_json_and_named_on_screen(ring_files, tmp_path, where):
    """With the ring check on, summary.json's ``dependent_rings`` lists the five accounts (its ten
    pairs in ``dependent_pairs``), and the screen says the pairs and names the ring's accounts."""
    folder, accounts = ring_files
    extra = ["--scheduler", "threads"] if where == "dask" else []
    path = folder / ("ring.parquet" if where == "dask" else "ring.csv")
    summary, shown = _run(path, tmp_path / "o", "--param", "dependency_rings=true", *extra)
    assert summary["dependent_rings"] == [accounts]
    assert len(summary["dependent_pairs"]) == 10
    assert (
        f"10 dependent pair(s) of annotators weighed as one answer, 1 copy ring(s) among them: {', '.join(accounts)} "
        "(summary.json dependent_pairs, dependent_rings)"
    ) in shown


@pytest.mark.parametrize("where", ["memory", "dask"])
def test_the_default_reports_an_empty_list_and_says_nothing(ring_files, tmp_path, where):
    """The ring check is off by default: ``dependent_rings`` is an empty list (the method has the
    check) and the screen has no line on dependent annotators (the ring's pairs are not found)."""
    folder, _ = ring_files
    extra = ["--scheduler", "threads"] if where == "dask" else []
    path = folder / ("ring.parquet" if where == "dask" else "ring.csv")
    summary, shown = _run(path, tmp_path / "o", *extra)
    assert summary["dependent_rings"] == [] and summary["dependent_pairs"] == []
    assert "dependent pair" not in shown and "copy ring" not in shown


def test_a_method_without_the_check_has_no_rings(ring_files, tmp_path):
    """Majority vote runs no dependence check: ``dependent_rings`` is null, as ``dependent_pairs``."""
    folder, _ = ring_files
    summary, _ = _run(folder / "ring.csv", tmp_path / "o", "--method", "majority-vote")
    assert summary["dependent_rings"] is None and summary["dependent_pairs"] is None


def test_the_screen_line_names_pairs_alone_and_cuts_long_lists():
    """Pairs without a ring are said without rings; a ring of more than 10 accounts shows 10 and
    ``...``, more than 5 rings show 5 and how many more."""
    from labelwise.cli._aggregate_outputs import dependence_line

    pair = {"dependent_pairs": [{"annotator_a": "a", "annotator_b": "b"}], "dependent_rings": []}
    assert dependence_line(pair) == (
        "1 dependent pair(s) of annotators weighed as one answer (summary.json dependent_pairs)"
    )
    assert dependence_line({"dependent_pairs": [], "dependent_rings": []}) is None
    assert dependence_line({"dependent_pairs": None, "dependent_rings": None}) is None
    big = [f"w{i}" for i in range(12)]
    rings = [big] + [[f"r{k}a", f"r{k}b", f"r{k}c"] for k in range(6)]
    line = dependence_line({"dependent_pairs": [{}] * 81, "dependent_rings": rings})
    assert line is not None
    assert ", ".join(big[:10]) + " ...;" in line and "w10" not in line
    assert "r3a, r3b, r3c; and 2 more" in line and "r4a" not in line
