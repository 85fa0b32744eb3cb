"""``labelwise audit --task token``: DATA as a CoNLL file, or with ``--sentence-column`` as a long token table.

A token table has one row per token (sentence id, token, tag: CoNLL kept as a table), the tags in the
``--label`` column; the tokens are grouped by ``--sentence-column``, whose rows must be consecutive per sentence
(an interleaved sentence is refused naming it and its rows, :mod:`labelwise.audit._sentence_ids` says why).
``--probs`` then has one row per token row of DATA, in its order. The sentence ids (and ``--id-column``'s
token ids) are carried into ``issues.csv`` and ``sentences.csv`` as written, under the columns' own names.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .._heavy import pandas as pd
from ..errors import InvalidParameterError, ShapeMismatchError
from ..io import read_conll
from ._classes_option import check_class_count, check_labels_named
from ._common import renaming
from ._probs_table import row_in_file
from ._task_probs_files import is_probs_table, tag_probs_table
from ._task_tables import insert_ids, token_table

__all__ = ["TokenTables", "run_token"]

_ROW = re.compile(r"\brow (\d+)\b")  # how the API names a token row of the table


class TokenTables(NamedTuple):
    """The tables of a token audit: ``issues.csv`` when it differs from the result's own, and ``sentences.csv``."""

    issues: pd.DataFrame | None
    sentences: pd.DataFrame


def run_token(
    data: Path,
    probs_path: Path | None,
    classes: list[str] | None,
    load_array: Any,
    *,
    label: str | None = None,
    sentence_column: str | None = None,
    token_column: str | None = None,
    id_column: str | None = None,
) -> tuple[Any, TokenTables]:
    """The token audit of DATA (``load_array`` reads an ``.npy`` / ``.npz`` ``--probs``), and its tables."""
    if sentence_column is None:
        given = [o for o, v in (("--label", label), ("--token-column", token_column), ("--id-column", id_column)) if v]
        if given:
            raise InvalidParameterError(
                f"--task token reads {', '.join(given)} from a token table, and DATA is read as a CoNLL file "
                "without --sentence-column: name DATA's sentence id column with --sentence-column, or leave "
                f"{'it' if len(given) == 1 else 'them'} out"
            )
        corpus = read_conll(data)
        tags: Any = list(corpus.tags)
        words: Any = list(corpus.tokens)
        sentence_ids, ids = None, None
    else:
        table, ids = token_table(data, label, sentence_column, token_column, id_column)
        tags = table["tag"].astype(str).to_numpy(dtype=object)
        words = table["token"].to_numpy(dtype=object) if "token" in table else None
        sentence_ids = table["sentence"]
    found = sorted({str(t) for t in (tags if sentence_ids is not None else (t for s in tags for t in s))})
    if classes is not None:
        check_labels_named(found, classes, source="DATA", what="tag")
    if probs_path is not None and is_probs_table(Path(probs_path)):  # one row per token, a column per tag
        probs, named = tag_probs_table(Path(probs_path), found, classes, sums_to_one=True, ids=ids)
        classes = classes if named is None else named
    else:
        probs = load_array(probs_path, "--probs", task="token")
    classes = _classes(found, classes, probs)
    options = {"probs": "--probs", "sentence_ids": f"--sentence-column {sentence_column!r}"}
    with renaming(options, within=["probs"]):
        if sentence_ids is not None:
            _check_runs(sentence_ids, Path(data), str(sentence_column))
            result = _audit_table(tags, probs, sentence_ids, words, classes)
        else:
            result = _audit_sentences(tags, probs, words, classes)
    return result, _tables(result, ids, id_column, sentence_column)


def _probs_columns(probs: Any) -> int:
    """Columns of ``--probs``: an array, or one array per sentence."""
    first = probs[0] if isinstance(probs, list) and probs else probs
    return int(np.shape(first)[-1]) if np.ndim(first) >= 1 else 0


def _classes(found: list[str], classes: list[str] | None, probs: Any) -> list[str]:
    """The tag of each column of ``--probs``: ``--classes``, else DATA's tags sorted (one per column)."""
    check_class_count(classes, _probs_columns(probs))
    if classes is None and len(found) < _probs_columns(probs):
        raise InvalidParameterError(
            f"DATA has {len(found)} distinct tags but --probs has {_probs_columns(probs)} columns: name the tag "
            "of each column, in column order, with --classes (e.g. --classes O,B-PER,I-PER)"
        )
    if classes is None and len(found) > _probs_columns(probs):  # was the API's "classes must have one entry..."
        raise ShapeMismatchError(
            f"--probs must have one column per tag of DATA ({len(found)}: {', '.join(found[:20])}), "
            f"got {_probs_columns(probs)}"
        )
    return found if classes is None else classes


def _audit_sentences(tags: list, probs: Any, words: list, classes: list[str]) -> Any:
    """A CoNLL file's sentences against an (n_tokens, K) array or one array per sentence."""
    from ..audit import token

    if isinstance(probs, np.ndarray):
        lengths = [len(s) for s in tags]
        if len(probs) != sum(lengths):
            raise ShapeMismatchError(
                f"--probs must have one row per token of DATA ({sum(lengths)} tokens in {len(lengths)} "
                f"sentences), got {len(probs)}"
            )
        flat = np.concatenate([np.asarray(s, dtype=object) for s in tags])
        tokens = np.concatenate([np.asarray(s, dtype=object) for s in words])
        return token.find_label_issues(flat, probs, sentence_lengths=lengths, tokens=tokens, classes=classes)
    _check_sentences(probs, [len(s) for s in tags])  # an .npz: one (tokens, classes) array per sentence
    return token.find_label_issues(tags, probs, tokens=words, classes=classes)


def _check_runs(sentence_ids: pd.Series, data: Path, column: str) -> None:
    """A missing sentence id or an interleaved sentence, named with the file's lines (the API says rows)."""
    from ..audit._sentence_ids import sentence_runs
    from ..errors import LabelwiseError

    try:
        sentence_runs(sentence_ids, len(sentence_ids), name=f"--sentence-column {column!r}")
    except LabelwiseError as exc:
        raise type(exc)(_ROW.sub(lambda m: row_in_file(data, int(m[1])), str(exc))) from None


def _audit_table(tags: np.ndarray, probs: Any, sentence_ids: pd.Series, words: Any, classes: list[str]) -> Any:
    """A token table's rows, grouped by their sentence ids, against a row of ``--probs`` per token row."""
    from ..audit import token
    from ..audit._sentence_ids import sentence_runs

    if isinstance(probs, list):  # an .npz: one array per sentence, in the order the sentences appear
        lengths, _ = sentence_runs(sentence_ids, len(tags), name="sentence_ids")
        _check_sentences(probs, lengths.tolist())
        probs = np.concatenate(probs)
    if len(probs) != len(tags):
        raise ShapeMismatchError(f"--probs must have one row per token row of DATA ({len(tags)}), got {len(probs)}")
    return token.find_label_issues(tags, probs, sentence_ids=sentence_ids, tokens=words, classes=classes)


def _check_sentences(probs: list, lengths: list[int]) -> None:
    """One ``--probs`` array per sentence of DATA, with a row per token (the library says ``labels`` / ``probs``)."""
    if len(probs) != len(lengths):
        raise ShapeMismatchError(f"--probs must hold one array per sentence of DATA ({len(lengths)}), got {len(probs)}")
    rows = [len(p) if np.ndim(p) else 0 for p in probs]
    if rows != lengths:
        s = next(i for i, (r, n) in enumerate(zip(rows, lengths, strict=True)) if r != n)
        raise ShapeMismatchError(
            f"--probs array of sentence {s} must have {lengths[s]} rows (its tokens), got {rows[s]}"
        )


def _tables(result: Any, ids: Any, id_column: str | None, sentence_column: str | None) -> TokenTables:
    """``sentences.csv``, and ``issues.csv`` when a token table gave ids: the sentence ids under
    ``--sentence-column``'s name (``sentence_id`` where that is ``sentence``, the position's column), the token ids
    under ``--id-column``'s, after the positions they name."""
    issues, sentences = result.to_frame(), result.sentence_frame()
    if sentence_column is None:
        return TokenTables(None, sentences)
    if sentence_column not in issues.columns and sentence_column not in sentences.columns:  # else: sentence_id
        issues = issues.rename(columns={"sentence_id": sentence_column})
        sentences = sentences.rename(columns={"sentence_id": sentence_column})
    if ids is not None:
        issues = insert_ids(issues, ids, str(id_column), at="token_index")
    return TokenTables(issues, sentences)
