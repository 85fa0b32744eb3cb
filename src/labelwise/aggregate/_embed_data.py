"""Checks and integer codes for answers given as vectors: a long table (item, annotator) plus one
vector per row, either a 2-D array (numpy or scipy sparse) aligned with the rows or a column of
1-D arrays."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._validate.arguments import check_choice, show
from .._validate.labels import row_label
from ..errors import AnnotationError, MissingColumnError, ShapeMismatchError
from ._answers import DUPLICATE_POLICIES
from ._column_params import check_has_columns
from ._factorize import _factorize, encode_hashable

__all__ = ["VectorAnswers", "encode_vector_answers", "check_table", "last_answers"]


def last_answers(answers: Any, embeddings: Any, item_col: Any, annotator_col: Any, duplicates: str) -> tuple:
    """Several answers of one annotator on one item, as ``duplicates`` says (``keep``: all;
    ``last``: the last in row order, with its row of ``embeddings`` when given, one per row).

    Returns ``(answers, embeddings, n_duplicates, n_dropped)``. A table the encoding will refuse
    (not a DataFrame, a column missing) comes back as it is, so that its error is the encoding's.
    """
    check_choice("duplicates", duplicates, DUPLICATE_POLICIES)
    try:
        repeated = answers.duplicated([item_col, annotator_col], keep="last").to_numpy()
    except (AttributeError, KeyError, TypeError):
        return answers, embeddings, 0, 0
    n_dup = int(repeated.sum())
    if duplicates == "keep" or not n_dup:
        return answers, embeddings, n_dup, 0
    keep = np.flatnonzero(~repeated)
    if embeddings is not None and np.shape(embeddings)[:1] == (len(answers),):  # else the check says the shape
        embeddings = embeddings[keep] if sp.issparse(embeddings) else np.asarray(embeddings)[keep]
    return answers.iloc[keep], embeddings, n_dup, n_dup


@dataclass(frozen=True)
class VectorAnswers:
    """Encoded answers: ``item_idx``/``annotator_idx`` (codes per row, sorted-id order), the ids,
    and ``X`` (float64 ndarray or CSR matrix, one row per answer)."""

    item_idx: np.ndarray
    annotator_idx: np.ndarray
    items: pd.Index
    annotators: pd.Index
    X: Any
    row_index: pd.Index

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def n_annotators(self) -> int:
        return len(self.annotators)


def check_table(answers: Any, columns: list[str], params: list[str] | None, name: str = "answers") -> None:
    """``answers`` is a non-empty DataFrame with each of ``columns`` once (``params`` name them; None:
    fixed columns, which no parameter names)."""
    if not isinstance(answers, pd.DataFrame):
        raise MissingColumnError(
            f"{name} must be a pandas DataFrame with columns {columns}, got {type(answers).__name__}"
        )
    check_has_columns(answers, columns, params, name)
    for col in columns:
        if isinstance(answers[col], pd.DataFrame):
            raise MissingColumnError(
                f"{name} must have exactly one column named {col!r}, found {answers[col].shape[1]}"
            )
    if len(answers) == 0:
        raise AnnotationError(f"{name} must have at least one answer, got an empty table")


def _codes(answers: pd.DataFrame, col: str, what: str, name: str) -> tuple[np.ndarray, pd.Index]:
    values = answers[col]
    row = partial(row_label, answers.index)
    codes, uniques = encode_hashable(values, f"{name} column {col!r}", f"{what} ids", row, _factorize, values)
    codes = np.asarray(codes, dtype=np.int64)
    if codes.size and codes.min() < 0:
        pos = int(np.flatnonzero(codes < 0)[0])
        raise AnnotationError(
            f"{name} column {col!r} must not be null ({what} id), {row_label(answers.index, pos)} is "
            f"{show(values.iloc[pos])} ({int((codes < 0).sum())} null value(s) in all)"
        )
    return codes, pd.Index(uniques)


def _stack_column(answers: pd.DataFrame, col: str, name: str) -> np.ndarray:
    """The column of 1-D arrays as one float64 2-D array, refusing ragged or non-numeric cells."""
    cells = answers[col].to_numpy()
    first = None
    for pos, cell in enumerate(cells):
        arr = np.asarray(cell) if cell is not None else None
        if arr is None or arr.ndim != 1 or arr.dtype.kind not in "biuf":
            what = "None" if arr is None else f"{arr.ndim}-D array of {arr.dtype}"
            raise ShapeMismatchError(
                f"{name} column {col!r} must hold 1-D numeric vectors, {row_label(answers.index, pos)} is {what}"
            )
        if first is None:
            first = arr.shape[0]
        elif arr.shape[0] != first:
            raise ShapeMismatchError(
                f"{name} column {col!r} must hold vectors of one length, {row_label(answers.index, pos)} has "
                f"{arr.shape[0]} values where row 0 has {first}"
            )
    return np.vstack([np.asarray(c, dtype=np.float64) for c in cells])


def check_vectors(X: Any, n_rows: int, name: str = "embeddings") -> Any:
    """A float64 2-D ndarray or CSR matrix with ``n_rows`` rows and only finite values."""
    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=np.float64)
        data = X.data
    else:
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise ShapeMismatchError(f"{name} must be a 2-D numeric array, got {type(X).__name__}") from None
        if X.ndim != 2:
            raise ShapeMismatchError(f"{name} must be a 2-D array (one row per answer), got {X.ndim} dimension(s)")
        data = X
    if X.shape[0] != n_rows:
        raise ShapeMismatchError(f"{name} must have one row per answer ({n_rows} rows), got {X.shape[0]} rows")
    if X.shape[1] == 0:
        raise ShapeMismatchError(f"{name} must have at least one column, got shape {X.shape}")
    bad = ~np.isfinite(data)
    if bad.any():
        if sp.issparse(X):
            pos = int(np.searchsorted(X.indptr, int(np.flatnonzero(bad)[0]), side="right") - 1)
        else:
            pos = int(np.flatnonzero(bad.any(axis=1))[0])
        raise ShapeMismatchError(f"{name} must be finite everywhere, row {pos} has NaN or infinite values")
    return X


def encode_vector_answers(
    answers: Any,
    embeddings: Any = None,
    *,
    item_col: str = "item",
    annotator_col: str = "annotator",
    embedding_col: str = "embedding",
    extra_cols: tuple[tuple[str, str], ...] = (),
    name: str = "answers",
) -> VectorAnswers:
    """Validate the table and the vectors (``embeddings`` or the column ``embedding_col``); codes in
    sorted id order, so the result does not depend on the order of the rows. ``extra_cols``:
    further (column, parameter) pairs that must exist."""
    cols = [item_col, annotator_col] + [c for c, _ in extra_cols]
    params = ["item_col", "annotator_col"] + [p for _, p in extra_cols]
    if embeddings is None:
        cols.append(embedding_col)
        params.append("embedding_col")
    check_table(answers, cols, params, name)
    item_idx, items = _codes(answers, item_col, "item", name)
    annotator_idx, annotators = _codes(answers, annotator_col, "annotator", name)
    if embeddings is None:
        X = check_vectors(_stack_column(answers, embedding_col, name), len(answers), f"{name} column {embedding_col!r}")
    else:
        X = check_vectors(embeddings, len(answers))
    items.name = "item"
    annotators.name = "annotator"
    return VectorAnswers(item_idx, annotator_idx, items, annotators, X, answers.index)
