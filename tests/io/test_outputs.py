"""``labelwise.io.outputs.load_audit``: reading an audit folder, and the data table it names."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.io.outputs import load_audit


def _audit(project, out_name="labelwise-out", data_inside=False):
    """An audit of ``project/data.csv`` (or of ``OUT/data.csv``) into ``project/OUT``; returns OUT."""
    rng = np.random.default_rng(0)
    out = project / out_name
    data = (out if data_inside else project) / "data.csv"
    data.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"x": rng.normal(size=40), "y": np.tile(["a", "b"], 20)}).to_csv(data, index=False)
    np.save(project / "p.npy", rng.dirichlet(np.ones(2), 40))
    args = ["audit", str(data), "--label", "y", "--probs", str(project / "p.npy"), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--checks", "label"])
    assert result.exit_code == 0, result.output
    return out


class TestDataOfAMovedAudit:
    @pytest.mark.parametrize("data_inside", [False, True], ids=["beside the folder", "inside the folder"])
    def test_the_data_is_found_after_the_project_is_moved(self, tmp_path, data_inside):
        """summary.json names the data by absolute path; once the project folder was moved, the report had no
        previews and export refused ("keep the data beside the output"), though the data was beside the output
        (README's layout: data.csv next to labelwise-out/) or inside it (--demo's data.csv). Found now by name."""
        _audit(tmp_path / "project", data_inside=data_inside)
        shutil.move(tmp_path / "project", tmp_path / "moved")
        out = tmp_path / "moved" / "labelwise-out"
        audit = load_audit(out)
        assert audit.data is not None and len(audit.data) == 40
        assert audit.data_path == ((out if data_inside else out.parent) / "data.csv").resolve()
        result = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "clean.csv")])
        assert result.exit_code == 0, result.output

    def test_a_data_file_found_nowhere_is_none(self, tmp_path):
        """Moved without its data: no table (the report shows no previews; export says the data is missing)."""
        out = _audit(tmp_path / "project")
        shutil.move(out, tmp_path / "alone")
        shutil.rmtree(tmp_path / "project")
        assert load_audit(tmp_path / "alone").data is None
