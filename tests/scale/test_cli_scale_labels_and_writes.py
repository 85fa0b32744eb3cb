"""``labelwise audit`` at scale: a Parquet folder of uneven labels parts, and the outputs written together."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise as lw
from labelwise.cli import main
from labelwise.errors import StorageError

from ._data import noisy_probs

pytest.importorskip("dask.dataframe")


def _args(tmp_path, probs_path, labels_path, out, *extra):
    return ["audit", "--probs", str(probs_path), "--labels", str(labels_path), *extra, "--out", str(out)]


def test_parquet_folder_of_uneven_parts_is_audited_without_a_chunking_warning(tmp_path):
    """Labels parts of 250, 1, 749 and 1000 rows against a .zarr of 300-row chunks: the command aligns
    the chunks itself (no warning about labels chunked unlike probs), and the flags are the in-memory ones."""
    zarr = pytest.importorskip("zarr")
    labels, probs = noisy_probs(2000, 3, seed=21)
    z = zarr.open_array(str(tmp_path / "p.zarr"), mode="w", shape=probs.shape, chunks=(300, 3), dtype=probs.dtype)
    z[:] = probs
    (tmp_path / "y").mkdir()
    for i, (a, b) in enumerate([(0, 250), (250, 251), (251, 1000), (1000, 2000)]):
        pd.DataFrame({"y": labels[a:b]}).to_parquet(tmp_path / "y" / f"part.{i}.parquet")
    res = CliRunner().invoke(main, _args(tmp_path, tmp_path / "p.zarr", tmp_path / "y", tmp_path / "o", "--label", "y"))
    assert res.exit_code == 0, res.output
    assert "rechunking" not in res.output and "warning" not in res.output
    table = pd.read_parquet(tmp_path / "o" / "issues.parquet").sort_values("row")
    np.testing.assert_array_equal(table["is_issue"].to_numpy(), lw.find_label_issues(labels, probs).is_issue)


def test_failed_summary_write_keeps_the_previous_issues_parquet(tmp_path, monkeypatch):
    """A second audit whose summary.json cannot be written leaves the first run's issues.parquet and
    summary.json together (not the new issues.parquet beside the old summary), and no temporary folder."""
    from labelwise.cli import _scale

    labels, probs = noisy_probs(600, 3, seed=22)
    np.save(tmp_path / "p.npy", probs)
    np.save(tmp_path / "y.npy", labels)
    out = tmp_path / "o"
    first = CliRunner().invoke(main, _args(tmp_path, tmp_path / "p.npy", tmp_path / "y.npy", out))
    assert first.exit_code == 0, first.output
    before = pd.read_parquet(out / "issues.parquet")
    summary = (out / "summary.json").read_text()
    overlap = (out / "class_overlap.csv").read_text()

    def full_disk(summary, out):
        raise StorageError(f"could not write {out / 'summary.json'}: no space left on device")

    monkeypatch.setattr(_scale, "write_audit_summary", full_disk)
    np.save(tmp_path / "y.npy", np.roll(labels, 1))  # another run's labels: other flags
    with pytest.raises(StorageError):  # the audit itself (the command may refuse a used --out before it)
        _scale.audit_at_scale(
            None,
            None,
            tmp_path / "p.npy",
            tmp_path / "y.npy",
            spec=None,
            chunk_rows=None,
            out=out,
            filter_by="prune_by_noise_rate",
            rank_by="self_confidence",
            quiet=True,
        )
    pd.testing.assert_frame_equal(pd.read_parquet(out / "issues.parquet"), before)
    assert (out / "summary.json").read_text() == summary
    assert json.loads(summary)["n_examples"] == 600
    assert (out / "class_overlap.csv").read_text() == overlap  # written in the same group: the first run's
    assert sorted(p.name for p in out.iterdir()) == ["class_overlap.csv", "issues.parquet", "summary.json"]


@pytest.mark.parametrize("store", ["group", "one-dimensional"])
def test_zarr_probs_that_are_not_one_2d_array_give_one_line_naming_probs(tmp_path, store):
    """A Zarr group, or a 1-D array, as --probs: one error line naming --probs and the store, no traceback."""
    zarr = pytest.importorskip("zarr")
    path = tmp_path / "p.zarr"
    if store == "group":
        zarr.open_group(str(path), mode="w").create_array("probs", shape=(3, 2), dtype="f8")
    else:
        zarr.open_array(str(path), mode="w", shape=(3,), chunks=(2,), dtype="f8")[:] = 0.5
    np.save(tmp_path / "y.npy", np.array([0, 1, 0]))
    res = CliRunner().invoke(main, _args(tmp_path, path, tmp_path / "y.npy", tmp_path / "o"))
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert res.output.startswith("error: --probs") and "p.zarr" in res.output, res.output
    assert not (tmp_path / "o").exists()


def test_label_errors_name_the_options_not_the_api_parameters(tmp_path):
    """String labels with fewer values than --probs columns: the error names --labels, --probs and --classes
    (as the in-memory command does), not the API's labels, probs and classes=."""
    _, probs = noisy_probs(90, 3, seed=23)
    np.save(tmp_path / "p.npy", probs)
    np.save(tmp_path / "y.npy", np.array(["cat", "dog"] * 45))
    res = CliRunner().invoke(main, _args(tmp_path, tmp_path / "p.npy", tmp_path / "y.npy", tmp_path / "o"))
    assert res.exit_code != 0
    assert res.output.startswith("error: --labels has 2 distinct values but --probs has 3 columns"), res.output
    assert "give --classes" in res.output and "classes=" not in res.output
