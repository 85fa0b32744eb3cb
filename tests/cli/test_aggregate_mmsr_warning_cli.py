"""``labelwise aggregate --method mmsr`` on a sparse crowd shows MMSR's warning."""

from __future__ import annotations

from click.testing import CliRunner

from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd
from labelwise.cli import main


def test_cli_shows_the_warning(tmp_path):
    """labelwise aggregate --method mmsr prints the warning as it prints the library's others."""
    path = tmp_path / "answers.csv"
    simulate_sparse_crowd(
        n_items=600, n_classes=2, n_annotators=100, answers_per_item=3, random_state=3
    ).answers.to_csv(path, index=False)
    res = CliRunner().invoke(main, ["aggregate", str(path), "--method", "mmsr", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "warning: MMSR on a sparse crowd" in res.output
