"""An audit's ``summary.json``, with its K x K matrices beside it in ``.npz`` when K is large.

The label audit's summary holds five K x K matrices (``noise_matrix``, ``inverse_noise_matrix``,
``joint``, ``confident_joint``, ``calibrated_confident_joint``). Written as indented JSON lists
they grow with K squared (tens of megabytes at K = 1,000, slow to parse for a report that needs
one of them), so above ``INLINE_MATRIX_CLASSES`` classes they go to ``summary_matrices.npz`` beside
``summary.json``, which keeps the small summaries and names the file under ``"matrices"``. Up to
that K they stay inline, readable in the JSON as before. Readers go through
:func:`summary_matrix`, which reads both forms (older audits have every matrix inline).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataFileError
from .arrays import load_npz
from .atomic import write_json, write_npz
from .paths import require_file

__all__ = ["INLINE_MATRIX_CLASSES", "MATRICES_FILE", "SUMMARY_MATRICES", "summary_matrix", "write_audit_summary"]

#: The K x K matrices of a label audit's summary (:meth:`labelwise.LabelIssues.summary`).
SUMMARY_MATRICES = ("noise_matrix", "inverse_noise_matrix", "joint", "confident_joint", "calibrated_confident_joint")
#: Up to this many classes the matrices stay in ``summary.json``: five matrices of at most 10,000
#: numbers each, about half a megabyte of indented JSON.
INLINE_MATRIX_CLASSES = 100
#: The file beside ``summary.json`` that holds the matrices above ``INLINE_MATRIX_CLASSES`` classes.
MATRICES_FILE = "summary_matrices.npz"


def write_audit_summary(summary: dict[str, Any], out_dir: str | os.PathLike) -> Path:
    """Write ``summary.json`` in ``out_dir``, its K x K matrices in ``.npz`` beside it when K is large.

    With more than ``INLINE_MATRIX_CLASSES`` classes (``len(summary["classes"])``), each matrix of
    ``SUMMARY_MATRICES`` that the summary holds is written to ``MATRICES_FILE`` and replaced in the
    JSON by ``"matrices": {"file": MATRICES_FILE, "keys": [...], "shape": [K, K]}``. Both files are
    written atomically (inside :func:`~labelwise.io.files_together` they are moved into place
    together). ``summary`` itself is not changed.

    Parameters
    ----------
    summary : dict
        A JSON-ready summary, e.g. :meth:`labelwise.LabelIssues.summary` plus settings.
    out_dir : path-like
        The output folder.

    Returns
    -------
    pathlib.Path
        The path of ``summary.json``.
    """
    out = Path(out_dir)
    k = len(summary.get("classes") or [])
    keys = [key for key in SUMMARY_MATRICES if summary.get(key) is not None]
    if k <= INLINE_MATRIX_CLASSES or not keys:
        return write_json(summary, out / "summary.json")
    write_npz({key: np.asarray(summary[key]) for key in keys}, out / MATRICES_FILE)
    small = {key: value for key, value in summary.items() if key not in keys}
    small["matrices"] = {"file": MATRICES_FILE, "keys": keys, "shape": [k, k]}
    return write_json(small, out / "summary.json")


def summary_matrix(summary: dict[str, Any], out_dir: str | os.PathLike, key: str) -> np.ndarray | None:
    """The matrix ``key`` of an audit summary, inline or in the ``.npz`` it names; None when absent.

    Parameters
    ----------
    summary : dict
        ``summary.json`` as read.
    out_dir : path-like
        The folder of ``summary.json`` (where a matrices file is looked for).
    key : str
        One of ``SUMMARY_MATRICES``.

    Raises
    ------
    DataFileError
        If ``summary.json`` names a matrices file that is missing, unreadable or lacks ``key``.
    """
    if summary.get(key) is not None:
        return np.asarray(summary[key], dtype=float)
    ref = summary.get("matrices")
    if not isinstance(ref, dict) or key not in (ref.get("keys") or []):
        return None
    name = str(ref.get("file") or MATRICES_FILE)
    if Path(name).name != name:
        raise DataFileError(f"summary.json matrices.file must be a file name beside it, got {name!r}")
    path = require_file(Path(out_dir) / name, parameter="summary.json matrices.file", kind=".npz file")
    data = load_npz(path, parameter="summary.json matrices.file")
    if key not in data:
        raise DataFileError(f"{str(path)!r} lacks the matrix {key!r} that summary.json says it holds")
    return np.asarray(data[key], dtype=float)
