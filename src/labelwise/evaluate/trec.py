"""TREC run and qrels files, and per-system IR measures computed by ir-measures.

The measures themselves come from `ir-measures` (MacAvaney et al. 2022), which dispatches to
``pytrec_eval`` (the trec_eval C code) for nDCG, AP, P@k and friends; labelwise only reads the
files (with file-and-line errors) and arranges the per-topic results as a systems x topics table.
``ir-measures`` is an optional dependency: ``pip install "labelwise[ir]"``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .._extras import require
from ..errors import DataFileError, InvalidParameterError
from ..io.paths import require_file, require_folder
from ..io.plain_text import COMPRESSIONS, plain_text, table_stem
from ..io.tables import first_non_utf8

__all__ = ["read_qrels", "read_run", "read_run_dir", "system_scores", "topic_order"]

RUN_SUFFIXES = (".run", ".txt", ".trec", "")
_INTEGER = re.compile(r"[+-]?[0-9]+")


def _lines(path: Path, kind: str):
    """Numbered, split non-blank, non-comment lines; a UTF-8 byte-order mark (Windows editors) is dropped.
    A compressed file (``run.gz``, as TREC hands out runs) or UTF-16 text is read from its plain copy
    (:func:`labelwise.io.plain_text.plain_text`)."""
    require_file(path, parameter="path", kind=f"{kind} file")
    plain = plain_text(path)
    try:
        with plain.open(encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, start=1):
                if line.strip() and not line.lstrip().startswith("#"):
                    yield number, line.split()
    except UnicodeDecodeError as exc:
        where = first_non_utf8(plain)
        at = f" at line {where[0]}, byte {where[1]}" if where else ""
        raise DataFileError(
            f"{kind} file {str(path)!r} is not UTF-8 text{at} ({exc.reason}): save it as UTF-8 "
            "(iconv -f latin1 -t utf-8 IN > OUT)"
        ) from None


def _field(text: str, convert: type, p: Path, kind: str, number: int, what: str) -> float | int:
    """``text`` as a finite number (``int`` or ``float``), else an error naming the file, the line, the field and
    the value (``nan`` would order the documents arbitrarily)."""
    try:
        value = convert(text)
    except ValueError:
        value = None
    if value is None or not np.isfinite(value):
        a = "an integer" if convert is int else "a finite number"
        raise DataFileError(f"{kind} file {str(p)!r} line {number}: {what} must be {a}, got {text!r}")
    return value


def _once(seen: dict, key: tuple[str, str], value: object, p: Path, kind: str, number: int) -> None:
    """Record line ``number`` of topic ``key[0]``'s document ``key[1]``; a second line for it with another
    ``value`` is an error (ir-measures, like a dict, would keep the last one without a word)."""
    if key in seen and seen[key][1] != value:
        raise DataFileError(
            f"{kind} file {str(p)!r} line {number}: document {key[1]!r} appears twice for topic {key[0]!r} (first "
            f"on line {seen[key][0]}); keep one line per topic and document"
        )
    seen.setdefault(key, (number, value))


def read_run(path: str | os.PathLike) -> pd.DataFrame:
    """A TREC run: ``qid Q0 docno rank score tag`` per line -> columns query_id, doc_id, score.

    The rank must be an integer and the score a number (the score orders the documents, as in
    trec_eval); a document listed twice for one topic is an error naming both lines (ir-measures would
    score the last one without a word).
    """
    p = Path(path)
    rows = []
    seen: dict[tuple[str, str], tuple[int, object]] = {}
    for number, f in _lines(p, "run"):
        if len(f) != 6:
            raise DataFileError(
                f"run file {str(p)!r} line {number}: expected 6 fields 'qid Q0 docno rank score tag', got {len(f)}"
            )
        _field(f[3], int, p, "run", number, "rank (field 4)")
        score = float(_field(f[4], float, p, "run", number, "score (field 5)"))
        _once(seen, (f[0], f[2]), number, p, "run", number)  # a line number: any repeat differs
        rows.append((f[0], f[2], score))
    if not rows:
        raise DataFileError(f"run file {str(p)!r} has no result lines")
    return pd.DataFrame(rows, columns=["query_id", "doc_id", "score"])


def read_qrels(path: str | os.PathLike) -> pd.DataFrame:
    """TREC qrels: ``qid iter docno relevance`` per line -> columns query_id, doc_id, relevance.

    A document judged twice for one topic with different relevance is an error naming both lines.
    """
    p = Path(path)
    rows = []
    seen: dict[tuple[str, str], tuple[int, object]] = {}
    for number, f in _lines(p, "qrels"):
        if len(f) != 4:
            raise DataFileError(
                f"qrels file {str(p)!r} line {number}: expected 4 fields 'qid iter docno relevance', got {len(f)}"
            )
        rel = int(_field(f[3], int, p, "qrels", number, "relevance (field 4)"))
        _once(seen, (f[0], f[2]), rel, p, "qrels", number)
        rows.append((f[0], f[2], rel))
    if not rows:
        raise DataFileError(f"qrels file {str(p)!r} has no judgment lines")
    return pd.DataFrame(rows, columns=["query_id", "doc_id", "relevance"])


def topic_order(topics: Iterable[str]) -> list[str]:
    """Distinct topic ids in order: by number when every id is an integer (``2`` before ``10``), else as text."""
    ids = sorted({str(t) for t in topics})
    if ids and all(_INTEGER.fullmatch(t) for t in ids):
        return sorted(ids, key=lambda t: (int(t), t))
    return ids


def run_suffix(path: Path) -> str:
    """The suffix that says whether ``path`` is a run: its own, or under a compression suffix
    (:data:`labelwise.io.plain_text.COMPRESSIONS`) the one before it (``s1.run.gz`` -> ``.run``;
    ``s1.gz`` -> ``""``, a run when its first line is a run line, as ``s1`` is)."""
    if path.suffix.lower() in COMPRESSIONS:
        return Path(path.stem).suffix.lower()
    return path.suffix.lower()


def run_files(path: str | os.PathLike) -> tuple[list[Path], list[str]]:
    """The run files of a folder and the names of its other files.

    A run file is a non-hidden file whose suffix (:func:`run_suffix`: under a ``.gz``, ``.bz2``, ``.xz``,
    ``.zst`` or ``.zip``, as TREC hands out runs compressed) is one of ``RUN_SUFFIXES`` (``.run``,
    ``.txt``, ``.trec`` or none, as TREC names its runs); any other file (``README.md``, ``scores.csv``,
    ``scores.csv.gz``) is not a run and is left out, its name in the second list. A file without a
    suffix is a run only when its first line (blank and ``#`` lines skipped) is a run line
    (:func:`starts_as_run`): a ``README`` or ``NOTES`` file is left out too. Folders are not read.
    """
    p = require_folder(path, parameter="path", kind="run folder")
    found: list[Path] = []
    other: list[Path] = []
    for f in sorted(p.iterdir()):
        if f.is_file() and not f.name.startswith("."):
            suffix = run_suffix(f)
            is_run = suffix in RUN_SUFFIXES and (suffix != "" or starts_as_run(f))
            (found if is_run else other).append(f)
    return found, [f.name for f in other]


def starts_as_run(path: Path) -> bool:
    """Whether the first line of ``path`` (blank and ``#`` lines skipped) is a TREC run line: six fields
    ``qid Q0 docno rank score tag``, the rank an integer and the score a finite number. False for an
    empty file or one that is not UTF-8 text."""
    lines = _lines(path, "run")
    try:
        number, fields = next(lines)
    except (StopIteration, DataFileError, OSError, EOFError):
        return False
    finally:
        lines.close()
    try:
        _field(fields[3], int, path, "run", number, "rank")
        _field(fields[4], float, path, "run", number, "score")
    except (DataFileError, IndexError):
        return False
    return len(fields) == 6


def read_run_dir(path: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """Every run file of a folder (:func:`run_files`: by suffix; other files are not read), keyed by file
    name without its suffixes (``s1.run.gz`` is ``s1``)."""
    p = require_folder(path, parameter="path", kind="run folder")
    runs: dict[str, pd.DataFrame] = {}
    for f in run_files(p)[0]:
        name = table_stem(f)
        if name in runs:
            raise InvalidParameterError(f"run folder {str(p)!r} holds two runs named {name!r}; rename one file")
        try:
            runs[name] = read_run(f)
        except DataFileError as exc:
            raise DataFileError(
                f"{exc}; a run folder's files ending {', '.join(s for s in RUN_SUFFIXES if s)}, or without a suffix "
                "and starting with a run line, are read as runs: move any other such file out of it"
            ) from exc
    if len(runs) < 2:
        raise DataFileError(
            f"run folder {str(p)!r} must hold at least 2 run files (ending {', '.join(s for s in RUN_SUFFIXES if s)} or "
            f"without a suffix), got {len(runs)}"
        )
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
    topics = topic_order(qrels["query_id"].astype(str))
    table = pd.DataFrame(0.0, index=pd.Index(list(runs), name="system"), columns=topics)
    for name, run in runs.items():
        r = [ir_measures.ScoredDoc(str(a), str(b), float(c)) for a, b, c in run.itertuples(index=False)]
        for res in ir_measures.iter_calc([m], q, r):
            if res.query_id in table.columns:
                table.loc[name, res.query_id] = float(res.value)
    return table.astype(np.float64)
