"""Dawid-Skene's count matrices over the used (annotator, label) columns, and helpers on them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._scratch import scratch
from ._answers import EncodedAnswers, _csr_from_pairs
from ._base import row_sum
from ._patterns import AnswerPatterns, sorted_columns

try:  # the kernel of ``csr @ dense``, private to scipy (see csr_times_dense)
    from scipy.sparse._sparsetools import csr_matvecs as _CSR_MATVECS
except ImportError:  # pragma: no cover - a scipy without it: csr_times_dense falls back to m @ x
    _CSR_MATVECS = None

_FLOOR = 1e-10
#: Answers per block when the count matrix's column codes are taken from the sorted keys (8 MB of int64).
BLOCK = 1 << 20


@dataclass(frozen=True, eq=False)
class _Observed:
    """The (annotator, label) columns that the answers use, and the count matrices restricted to them.

    ``columns`` are the used ``annotator * K + label`` values (sorted); ``m`` is (n_patterns ×
    n_used) with the answer counts, ``mt`` its transpose; ``annotator_of[r]`` and ``label_of[r]``
    are the annotator and label of used column ``r``, ``by_annotator`` the (n_annotators × n_used)
    indicator that sums used columns per annotator, and ``unused[j, l]`` is 1 when annotator ``j``
    never gave label ``l`` (``n_unused`` its row sums). ``unit_weights``: every pattern is one
    item (grouping was skipped), so the M-step need not weigh the posterior.
    """

    columns: np.ndarray
    m: sp.csr_matrix
    mt: sp.csc_matrix
    weights: np.ndarray
    annotator_of: np.ndarray
    label_of: np.ndarray
    by_annotator: sp.csr_matrix
    unused: np.ndarray
    n_unused: np.ndarray
    unit_weights: bool = False

    @classmethod
    def build(cls, pat: AnswerPatterns, *, consume_keys: bool = False, consume_codes: bool = False) -> _Observed:
        """The count matrices of ``pat``'s answers.

        ``consume_keys``: the encoding was made for this fit alone, so once the column codes are
        taken from its sorted keys (``row_keys``) their memory may hold the matrix's data (see
        :func:`_unit_data`). ``consume_codes``: likewise, the column indices may take the memory
        of the encoding's item codes when it owns them (:meth:`EncodedAnswers.give_up_item_idx`);
        the caller reads no item code of ``pat.answers`` afterwards.
        """
        enc = pat.answers
        k, n_ann = enc.n_classes, enc.n_annotators
        indices, used = _sorted_column_codes(enc, consume_codes=consume_codes)
        columns = np.flatnonzero(used)
        if len(columns) < len(used):  # from the (annotator, label) value to the used column's position
            code = (np.cumsum(used) - 1).astype(indices.dtype)
            for start in range(0, len(indices), BLOCK):
                part = indices[start : start + BLOCK]
                part[...] = code[part]
        indptr = np.zeros(enc.n_items + 1, dtype=np.int64)
        np.cumsum(enc.answers_per_item, out=indptr[1:])
        index_dtype = np.int32 if max(enc.n_items, len(columns), len(indices)) < 2**31 else np.int64
        data = _unit_data(enc, len(indices), consume_keys)
        m = sp.csr_matrix(
            (data, indices.astype(index_dtype, copy=False), indptr.astype(index_dtype)),
            shape=(enc.n_items, len(columns)),
        )
        annotator_of = columns // k
        by_annotator = _csr_from_pairs(annotator_of, np.arange(len(columns)), (n_ann, len(columns)))
        unused = (~used).reshape(n_ann, k).astype(np.float64)
        n_unused = unused @ np.ones(k)
        unit = not pat.grouped  # one item per pattern: every weight is 1
        return cls(columns, m, m.T, pat.weights, annotator_of, columns % k, by_annotator, unused, n_unused, unit)


def _sorted_column_codes(enc: EncodedAnswers, *, consume_codes: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Each answer's column ``annotator * K + label`` in the canonical CSR order of the item x column
    count matrix (:func:`~labelwise.aggregate._patterns.sorted_columns`), and which columns occur.

    The columns are int32 when every value fits. From the encoding's sorted keys they are taken a
    block of :data:`BLOCK` answers at a time through one buffer, so the only array as long as the
    answers is the result (before: an int64 copy of all the columns, then the int32 indices).
    ``consume_codes``: the result is written in the memory of the encoding's item codes when it
    gives them up (:meth:`EncodedAnswers.give_up_item_idx`, after their last read here), else it
    is a fresh array.
    """
    n_cols = enc.n_annotators * enc.n_classes
    dtype = np.int32 if max(n_cols, enc.n_answers) < 2**31 else np.int64
    keys = enc.row_keys
    if keys is None:  # sorted here (from the item codes): a fresh int64 array, converted once
        cols = sorted_columns(enc)
        given = enc.give_up_item_idx(dtype) if consume_codes and cols.dtype != dtype else None
        if given is not None:
            given[...] = cols
        out = given if given is not None else cols if cols.dtype == dtype else cols.astype(dtype)
    else:
        n = len(keys)
        given = enc.give_up_item_idx(dtype) if consume_codes else None
        out = given if given is not None else np.empty(n, dtype=dtype)
        buffer = scratch("aggregate._observed.columns", min(BLOCK, n), keys.dtype)  # 8 MB, kept per thread
        for start in range(0, n, BLOCK):
            part = buffer[: min(BLOCK, n - start)]
            np.remainder(keys[start : start + BLOCK], n_cols, out=part)
            out[start : start + BLOCK] = part
    used = np.zeros(n_cols, dtype=bool)
    used[out] = True
    return out, used


def _unit_data(enc: EncodedAnswers, n: int, consume_keys: bool) -> np.ndarray:
    """``n`` ones (float64): the count matrix's data, in the memory of the encoding's sorted keys
    when they may be consumed.

    The keys (int64, one per answer) are read for the last time by :func:`_sorted_column_codes`;
    on an encoding made for one fit, nothing reads them afterwards, and their 8 bytes per answer
    are exactly a float64 per answer: the data then need no fresh array (80 MB at 10 million
    answers, each of whose pages the kernel would fault in and clear). The encoding's
    ``row_keys`` is set to ``None`` first, so a later vote count falls back to counting the codes
    (:meth:`EncodedAnswers.item_class_sum`) instead of reading ones as keys. Otherwise (keys
    shared with other fits, absent, read-only or of another dtype) a fresh ``np.ones``.
    """
    keys = enc.row_keys
    if not (
        consume_keys
        and keys is not None
        and keys.dtype == np.int64
        and keys.shape == (n,)
        and keys.flags.c_contiguous
        and keys.flags.writeable
    ):
        return np.ones(n)
    object.__setattr__(enc, "row_keys", None)  # a frozen dataclass: the keys are no longer its own
    data = keys.view(np.float64)
    data.fill(1.0)
    return data


def csr_times_dense(m: sp.csr_matrix, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``m @ x`` for a CSR matrix and a dense ``(n_columns, K)`` array, written into ``out`` when given.

    ``m @ x`` makes a new ``(n_rows, K)`` array every call: EM's E-step on a million items would
    fault in 40 MB of fresh pages per iteration (K = 5). With ``out`` (float64, C-contiguous, of
    the result's shape, holding nothing needed) the product is summed into it by the same scipy
    kernel ``m @ x`` calls (``csr_matvecs``, on a zeroed result), so the values are the same bit
    for bit; any other case, or a scipy without that kernel, falls back to ``m @ x``.
    """
    kernel = _CSR_MATVECS
    if (
        out is None
        or kernel is None
        or m.format != "csr"
        or x.ndim != 2
        or not (m.dtype == x.dtype == out.dtype == np.float64)
        or out.shape != (m.shape[0], x.shape[1])
        or not out.flags.c_contiguous
        or not out.flags.writeable
    ):
        return np.asarray(m @ x)
    out.fill(0.0)
    kernel(m.shape[0], m.shape[1], x.shape[1], m.indptr, m.indices, m.data, x.ravel(), out.ravel())
    return out


def _full_confusion(
    enc: EncodedAnswers, obs: _Observed, pseudo: np.ndarray, given: np.ndarray, total: np.ndarray
) -> np.ndarray:
    """The (n_annotators, K, K) confusion matrices ``[j, true k, given l]`` from the M-step's used
    rows ``given`` and row totals (unused rows hold ``max(A[k, l], floor) / total[j, k]``)."""
    k = enc.n_classes
    full = np.empty((enc.n_annotators, k, k))  # [j, given l, true k]
    np.divide(np.maximum(pseudo, _FLOOR).T[None, :, :], total[:, None, :], out=full)
    full.reshape(-1, k)[obs.columns] = given
    return full.transpose(0, 2, 1).copy()


def _with_answer_weights(obs: _Observed, data: np.ndarray) -> _Observed:
    """``obs`` with each answer (entry of ``obs.m``, CSR order) weighted by ``data``."""
    m = sp.csr_matrix((data, obs.m.indices, obs.m.indptr), shape=obs.m.shape)
    return dataclasses.replace(obs, m=m, mt=m.T)


def _vote_shares(obs: _Observed, k: int) -> np.ndarray:
    """Weighted vote shares of each row of ``obs.m`` (uniform where every answer weighs 0)."""
    onehot = np.zeros((len(obs.label_of), k))
    onehot[np.arange(len(obs.label_of)), obs.label_of] = 1.0
    votes = np.asarray(obs.m @ onehot)
    total = row_sum(votes)
    empty = total <= 0
    votes[empty], total[empty] = 1.0, float(k)
    return votes / total[:, None]


def _no_pairs(enc: EncodedAnswers) -> pd.DataFrame:
    """An empty ``dependent_pairs_`` frame."""
    cols = {"annotator_a": enc.annotator_index()[:0], "annotator_b": enc.annotator_index()[:0]}
    return pd.DataFrame({**cols, **{c: np.empty(0) for c in ("n_shared", "agreements", "expected", "z")}})
