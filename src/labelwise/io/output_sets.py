"""The files that make up one output of a command, so that a new run replaces all of an earlier one.

An output folder holds the files of one run. When a run writes fewer files than the earlier run in
the same folder (a task audit writes no ``probs.npy``; an audit at scale writes ``issues.parquet``,
not ``issues.csv``; a distributed aggregation writes no ``annotators.json``), the earlier run's
extra files would be read with the new ones by ``report``, ``review`` and ``export``. The command
line finds them with :func:`earlier_outputs` before a run (less the files the run was given as
inputs: ``labelwise.cli._out_folder.claim``) and the writers pass them to
:func:`~labelwise.io.files_together` as ``supersedes``, which removes those the new run did not
write, once the new files are in place.
"""

from __future__ import annotations

import os
from pathlib import Path

from .audit_summary import MATRICES_FILE

__all__ = ["AGGREGATE_OUTPUTS", "AUDIT_OUTPUTS", "AUDIT_TABLES", "TASK_TABLES", "earlier_outputs"]

#: The per-task tables of ``labelwise audit --task`` (multilabel, token, segmentation, detection).
TASK_TABLES = ("classes.csv", "sentences.csv", "regions.csv", "images.csv")
#: The tables beside an audit's issues: the overlapping class pairs (:mod:`labelwise.audit.overlap`) and the tasks'.
AUDIT_TABLES = ("class_overlap.csv", *TASK_TABLES)
#: Every file ``labelwise audit`` may write in its folder (``--demo``'s ``data.csv`` is the input, not an output).
AUDIT_OUTPUTS = ("issues.csv", "issues.parquet", "summary.json", MATRICES_FILE, "probs.npy", *AUDIT_TABLES)
#: Every file ``labelwise aggregate`` may write in its folder.
AGGREGATE_OUTPUTS = ("labels.csv", "annotators.csv", "annotators.json", "summary.json", "next_to_label.csv")


def earlier_outputs(out_dir: str | os.PathLike, names: tuple[str, ...]) -> list[Path]:
    """The files of ``names`` in ``out_dir``, when it holds an earlier run's ``summary.json``.

    Without a ``summary.json`` the folder holds no earlier output of a command, and files that
    happen to bear one of the names are the user's: nothing is returned.

    Parameters
    ----------
    out_dir : path-like
        The output folder.
    names : tuple of str
        The file names of one kind of output (:data:`AUDIT_OUTPUTS`, :data:`AGGREGATE_OUTPUTS`).

    Returns
    -------
    list of pathlib.Path
        Those that exist.
    """
    out = Path(out_dir)
    if not (out / "summary.json").is_file():
        return []
    return [out / name for name in names if (out / name).exists()]
