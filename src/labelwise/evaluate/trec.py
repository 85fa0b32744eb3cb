"""TREC run and qrels files, and per-system IR measures computed by ir-measures.

The measures themselves come from `ir-measures` (MacAvaney et al. 2022), which dispatches to
``pytrec_eval`` (the trec_eval C code) for nDCG, AP, P@k and friends; labelwise only reads the
files (with file-and-line errors) and arranges the per-topic results as a systems x topics table.
``ir-measures`` is an optional dependency: ``pip install "labelwise[ir]"``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._extras import require
from ..errors import DataFileError, InvalidParameterError
from ..io.paths import require_file, require_folder

__all__ = ["read_qrels", "read_run", "read_run_dir", "system_scores"]

RUN_SUFFIXES = (".run", ".txt", ".trec", "")


def _lines(path: Path, kind: str):
    """Numbered, split non-blank, non-comment lines; a UTF-8 byte-order mark (Windows editors) is dropped."""
    require_file(path, parameter="path", kind=f"{kind} file")
    try:
        with path.open(encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, start=1):
                if line.strip() and not line.lstrip().startswith("#"):
                    yield number, line.split()
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{kind} file {str(path)!r} is not UTF-8 text ({exc.reason})") from None


def read_run(path: str | os.PathLike) -> pd.DataFrame:
    """A TREC run: ``qid Q0 docno rank score tag`` per line -> columns query_id, doc_id, score."""
    p = Path(path)
    rows = []
    for number, f in _lines(p, "run"):
        if len(f) != 6:
            raise DataFileError(
                f"run file {str(p)!r} line {number}: expected 6 fields 'qid Q0 docno rank score tag', got {len(f)}"
            )
        try:
            score = float(f[4])
        except ValueError:
            raise DataFileError(f"run file {str(p)!r} line {number}: score must be a number, got {f[4]!r}") from None
        rows.append((f[0], f[2], score))
    if not rows:
        raise DataFileError(f"run file {str(p)!r} has no result lines")
    return pd.DataFrame(rows, columns=["query_id", "doc_id", "score"])


def read_qrels(path: str | os.PathLike) -> pd.DataFrame:
    """TREC qrels: ``qid iter docno relevance`` per line -> columns query_id, doc_id, relevance."""
    p = Path(path)
    rows = []
    for number, f in _lines(p, "qrels"):
        if len(f) != 4:
            raise DataFileError(
                f"qrels file {str(p)!r} line {number}: expected 4 fields 'qid iter docno relevance', got {len(f)}"
            )
        try:
            rel = int(f[3])
        except ValueError:
            raise DataFileError(
                f"qrels file {str(p)!r} line {number}: relevance must be an integer, got {f[3]!r}"
            ) from None
        rows.append((f[0], f[2], rel))
    if not rows:
        raise DataFileError(f"qrels file {str(p)!r} has no judgment lines")
    return pd.DataFrame(rows, columns=["query_id", "doc_id", "relevance"])


def read_run_dir(path: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """Every run file of a folder (any non-hidden file), keyed by file name without suffix."""
    p = require_folder(path, parameter="path", kind="run folder")
    runs: dict[str, pd.DataFrame] = {}
    for f in sorted(p.iterdir()):
        if f.is_file() and not f.name.startswith("."):
            if f.stem in runs:
                raise InvalidParameterError(f"run folder {str(p)!r} holds two runs named {f.stem!r}; rename one file")
            runs[f.stem] = read_run(f)
    if len(runs) < 2:
        raise DataFileError(f"run folder {str(p)!r} must hold at least 2 run files, got {len(runs)}")
    return runs


def system_scores(runs: dict[str, pd.DataFrame], qrels: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Per-topic values of ``measure`` (e.g. ``"nDCG@10"``, ``"AP"``, ``"P@5"``) for every run.

    Returns a systems x topics table over the topics of ``qrels``; a topic a run did not answer
    scores 0 (as ``trec_eval -c``).
    """
    ir_measures = require("ir_measures", "measure (IR measures)")
    try:
        m = ir_measures.parse_measure(measure)
    except (ValueError, NameError, SyntaxError, TypeError) as exc:
        raise InvalidParameterError(
            f"measure must be an ir-measures name such as 'nDCG@10' or 'AP', got {measure!r} ({exc})"
        ) from None
    q = [ir_measures.Qrel(str(a), str(b), int(c)) for a, b, c in qrels.itertuples(index=False)]
    topics = sorted(qrels["query_id"].astype(str).unique())
    table = pd.DataFrame(0.0, index=pd.Index(list(runs), name="system"), columns=topics)
    for name, run in runs.items():
        r = [ir_measures.ScoredDoc(str(a), str(b), float(c)) for a, b, c in run.itertuples(index=False)]
        for res in ir_measures.iter_calc([m], q, r):
            if res.query_id in table.columns:
                table.loc[name, res.query_id] = float(res.value)
    return table.astype(np.float64)
