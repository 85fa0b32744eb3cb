"""The readers of array files outside the command line: each gives labelwise.io.arrays' one error.

(``NeighborGraph.load``, ``summary_matrix``, ``load_audit`` and ``read_corrections`` each called
``numpy.load`` and caught some of its errors; an empty file's ``EOFError`` escaped them all.)
"""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.checks import NeighborGraph
from labelwise.errors import DataFileError
from labelwise.evaluate.corrections import read_corrections
from labelwise.io.audit_summary import summary_matrix
from labelwise.io.outputs import load_audit
from tests.report.fake_outputs import write_audit

SPOIL = {
    "empty": lambda p: p.write_bytes(b""),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:40]),
}


@pytest.mark.parametrize("spoil", list(SPOIL))
def test_neighbor_graph_load(tmp_path, spoil):
    """A spoilt graph file: DataFileError naming the file, and why."""
    path = tmp_path / "g.npz"
    np.savez(path, indices=np.zeros((3, 2), int), distances=np.zeros((3, 2)), metric="euclidean")
    SPOIL[spoil](path)
    with pytest.raises(DataFileError, match=r"g\.npz' is not a readable \.npz file: ") as caught:
        NeighborGraph.load(path)
    assert "NeighborGraph" not in str(caught.value)  # one message, not one wrapped in another


@pytest.mark.parametrize("spoil", list(SPOIL))
def test_summary_matrix(tmp_path, spoil):
    """The matrices file beside summary.json: DataFileError naming 'summary.json matrices.file'."""
    np.savez(tmp_path / "m.npz", noise_matrix=np.eye(3))
    SPOIL[spoil](tmp_path / "m.npz")
    summary = {"matrices": {"file": "m.npz", "keys": ["noise_matrix"]}}
    with pytest.raises(DataFileError, match=r"summary\.json matrices\.file file .*m\.npz' is not a readable \.npz"):
        summary_matrix(summary, tmp_path, "noise_matrix")


@pytest.mark.parametrize("spoil", [*SPOIL, "object"])
def test_load_audit_probs(tmp_path, spoil):
    """An audit folder's probs.npy: DataFileError naming out_dir and the file."""
    out = write_audit(tmp_path / "run", kind="features", n=30, noise=0.3)
    path = out / "probs.npy"
    if spoil == "object":
        np.save(path, np.array([None], dtype=object), allow_pickle=True)
    else:
        SPOIL[spoil](path)
    with pytest.raises(DataFileError, match=r"out_dir file .*probs\.npy' is not a readable \.npy file: "):
        load_audit(out)


@pytest.mark.parametrize("spoil", list(SPOIL))
def test_read_corrections_npy(tmp_path, spoil):
    """A .npy of corrected labels: DataFileError naming the parameter 'path'."""
    path = tmp_path / "fixed.npy"
    np.save(path, np.arange(40) % 3)
    SPOIL[spoil](path)
    with pytest.raises(DataFileError, match=r"path file .*fixed\.npy' is not a readable \.npy file: "):
        read_corrections(path, np.arange(40) % 3)
