"""The chunk functions of the audit's passes over ``probs``, the same for numpy, memmap and dask inputs.

Every function takes ``start`` (the global index of the chunk's first row) and chunks of aligned
inputs, and returns ``(per_row_outputs, partial)``; partial results are combined by the matching
``combine_*`` function, which takes a list and is exact (integer sums, ordered merges), so the
answer does not depend on how the rows are chunked.

- pass 1 (:func:`self_confidence_pass`): value checks, self-confidence, exact per-class sums of
  self-confidence and label counts -> thresholds (:func:`thresholds_from_sums`);
- pass 2 (:func:`row_statistics_pass`): confident class, prediction, quality scores, confident
  joint counts -> the K x K estimates;
- pass 3 (:mod:`labelwise.audit._selection`): per-chunk top candidates, cut exactly per class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._scratch import scratch
from .._validate.probabilities import distance_to_one, first_problem_rows, probs_problems, row_sums_checked
from ._blocks import BLOCK_ELEMENTS, index_dtype, row_blocks, step_rows
from ._exact import class_limb_sums
from .confident_joint import RowStatistics, row_statistics_from_top

#: Elements of a row block of pass 1, which reads each block several times (value checks, argmax,
#: two gathers) while it is cached. Smaller blocks mean more numpy calls per row, which with several
#: threads cost more than the closer cache saves (benchmarks/RESULTS.md, issue 12, session 6).
FIRST_PASS_ELEMENTS = BLOCK_ELEMENTS
#: Bytes per row of a block of pass 1 at most: the row positions and the argmax (int64), two gathered
#: probabilities, and (float64 rows) the value checks' float64 row sums and their distance to 1.
_FIRST_PASS_BYTES = 48
#: Rows of a block of pass 2 (:func:`row_statistics_pass`): its temporaries are a dozen vectors of
#: this many rows (about 1.5 MB in all), where a whole chunk's would be tens of MB of fresh memory.
SECOND_PASS_ROWS = 1 << 16
#: Rows per step of the float32 chunk's value check (:func:`_clean_float32_chunk`): its half dozen
#: scratch vectors are this long (about 0.6 MB in all), not as long as the chunk, where they weighed
#: about as much as a float32 chunk of 10 classes (benchmarks/RESULTS.md, session 40, bench40).
CLEAN_CHECK_ROWS = 1 << 14
#: Bytes per row of a step of that check: four float64 and three bool vectors.
_CLEAN_CHECK_BYTES = 4 * 8 + 3
#: Bytes per row of a block of pass 2 at most: its temporaries (two int64 vectors of the joint's
#: cells, a probability and a comparison per row, the outputs' pieces).
_SECOND_PASS_BYTES = 40


def self_confidence_pass(
    start: int, probs: np.ndarray, codes: np.ndarray, *, n_classes: int, atol: float
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Pass 1 on a chunk: ``(self_conf, predicted, top)`` and ``(value problems, limb sums, label counts)``.

    Each row block is checked and its argmax taken while it is in cache, so pass 2 need not read
    ``probs`` again but for the few rows whose top class misses its threshold. For float32 rows a
    block costs five numpy calls (its row sums, minimum, argmax and two gathers): the value checks
    on the row sums run once per span of blocks (:func:`_clean_float32_chunk`; a span's sums take
    a few hundred kB at most, and less in a small chunk), and only a chunk that is not clean is
    checked again block by block (:func:`~labelwise._validate.probabilities.probs_problems`), so
    the problems found are the same. The blocks, too, are smaller in a small chunk
    (:func:`~labelwise.audit._blocks.step_rows`): their temporaries stay a small part of the chunk. Every numpy call is a release and a re-acquisition of the GIL,
    which with several threads is a hand-off between them (benchmarks/RESULTS.md, issue 12).
    """
    n, k = probs.shape
    found = []
    predicted = np.empty(n, dtype=index_dtype(k))
    top = np.empty(n, dtype=probs.dtype)
    conf = np.empty(n, dtype=probs.dtype)
    step = step_rows(n, k * probs.itemsize, _FIRST_PASS_BYTES, max(1, FIRST_PASS_ELEMENTS // max(1, k)))
    positions = np.arange(step)
    # numpy's argmax copies an input that is not writeable (a memory map opened read-only, as Dask
    # workers read .npy chunks) into a fresh array, block after block; where every large allocation
    # is a fresh mapping (Dask workers' allocator setting), each copy is page-faulted again. One
    # buffer per chunk receives the block instead, and every read of the block is from it.
    # The buffer and the row sums are temporaries: the thread's scratch buffers (reused by its next chunk).
    buffer = None if probs.flags.writeable else scratch("audit._passes.first.buffer", (step, k), probs.dtype)
    fused = probs.dtype == np.float32 and n > 0
    # The row sums of a span of whole blocks, checked (:func:`_clean_float32_chunk`) once it is full.
    check_rows = step_rows(n, k * probs.itemsize, _CLEAN_CHECK_BYTES, CLEAN_CHECK_ROWS)
    span = step * -(-check_rows // step) if fused else 0
    sums = scratch("audit._passes.first.sums", min(n, span), np.float32)
    low, clean, begun = np.inf, True, 0
    for block in row_blocks(n, 1, step):
        part = probs[block]
        if buffer is not None:
            part = copy_into(buffer, part)
        if fused:
            np.einsum("ij->i", part, out=sums[block.start - begun : block.stop - begun])  # any order: see _validate
            low = min(low, float(part.min()))
            if block.stop == n or block.stop + step - begun > span:
                done = slice(begun, block.stop)
                clean = clean and _clean_float32_chunk(probs[done], sums[: done.stop - begun], low, atol, check_rows)
                begun = block.stop
        else:
            found.append(probs_problems(start + block.start, part, atol))
        pred = part.argmax(axis=1)
        predicted[block] = pred
        at = positions[: pred.shape[0]]
        top[block] = part[at, pred]
        conf[block] = part[at, codes[block]]
    if fused and not clean:  # the checks of every block, as before
        found = [probs_problems(start + b.start, probs[b], atol) for b in row_blocks(n, 1, step)]
    limb_sums = class_limb_sums(codes, conf, n_classes, row_bytes=k * probs.itemsize)
    problems = first_problem_rows(found) if found else np.full(3, -1, dtype=np.int64)
    return (conf, predicted, top), (problems, limb_sums, np.bincount(codes, minlength=n_classes))


def _clean_float32_chunk(probs: np.ndarray, sums: np.ndarray, low: float, atol: float, rows: int = 0) -> bool:
    """Whether :func:`~labelwise._validate.probabilities.probs_problems` would find nothing in a float32 chunk,
    from its float32 row sums ``sums`` (summed in any order) and its minimum ``low``.

    No value is negative (a NaN minimum is caught by its row's sum) and every row sum, as good as a
    float64 sum (:func:`~labelwise._validate.probabilities.row_sums_checked`), is within ``atol`` of 1: the same
    test as :func:`~labelwise._validate.probabilities.probs_problems` makes on each block. Every vector as long as
    the chunk is one of the thread's scratch vectors (:func:`~labelwise._scratch.scratch`), not a
    fresh array: on a Dask worker every fresh one is page-faulted again. The rows are checked in
    steps of ``rows`` rows (0: :func:`~labelwise.audit._blocks.step_rows` of :data:`CLEAN_CHECK_ROWS`),
    so those vectors do not grow with the chunk.
    """
    if low < 0:
        return False
    rows = rows or step_rows(sums.shape[0], probs.shape[1] * probs.itemsize, _CLEAN_CHECK_BYTES, CLEAN_CHECK_ROWS)
    for block in row_blocks(sums.shape[0], 1, rows):  # row by row: any blocks decide the same
        n = block.stop - block.start
        out = scratch("audit._passes.clean.sums", n, np.float64)
        checked = row_sums_checked(probs[block], atol, sums[block], out=out)
        with np.errstate(invalid="ignore"):
            gap = distance_to_one(checked, scratch("audit._passes.clean.gap", n, np.float64))
            if not np.less_equal(gap, atol, out=scratch("audit._passes.clean.near", n, bool)).all():
                return False
    return True


def copy_into(buffer: np.ndarray, part: np.ndarray) -> np.ndarray:
    """``part`` copied into the first rows of ``buffer`` (at least as many rows, same columns and dtype)."""
    out = buffer[: part.shape[0]]
    np.copyto(out, part)
    return out


def combine_self_confidence(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> tuple:
    """Combine pass-1 partials: earliest problems, summed limbs and counts."""
    return (
        first_problem_rows([p[0] for p in parts]),
        np.sum([p[1] for p in parts], axis=0),
        np.sum([p[2] for p in parts], axis=0),
    )


@dataclass(frozen=True)
class LabelCheck:
    """How pass 1 checks and encodes raw labels chunk by chunk (:func:`encoding_pass`).

    ``encode(start, labels) -> ((codes,), partial)`` per chunk (invalid labels coded 0),
    ``combine(partials)`` merges the partials, ``check(combined)`` raises for bad labels.
    """

    encode: Callable[..., tuple[tuple[np.ndarray], Any]]
    combine: Callable[[list[Any]], Any]
    check: Callable[[Any], None]


def encoding_pass(start: int, probs: np.ndarray, labels: np.ndarray, *, encode: Callable, first: Callable) -> tuple:
    """Pass 1 on raw labels: encode them (``encode``), then pass 1 (``first``) on the codes.

    Returns ``((self_conf, predicted, top, codes), (labels partial, pass-1 partial))``: one read of the
    chunk for both.
    """
    (codes,), label_part = encode(start, labels)
    rows, part = first(start, probs, codes)
    return (*rows, codes), (label_part, part)


def combine_encoding(parts: list[tuple], *, labels: Callable, first: Callable) -> tuple:
    """Combine :func:`encoding_pass` partials with the labels' and pass 1's own combine functions."""
    return labels([p[0] for p in parts]), first([p[1] for p in parts])


def row_statistics_pass(
    start: int,
    probs: np.ndarray,
    codes: np.ndarray,
    self_conf: np.ndarray,
    predicted: np.ndarray,
    top: np.ndarray,
    *,
    thresholds: np.ndarray,
    rule: str,
    scorers: tuple,
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, int]]:
    """Pass 2 on a chunk: confident class, prediction, given-is-predicted and the scores asked for.

    ``predicted`` and ``top`` (each row's argmax and its probability) come from pass 1; ``probs``
    is read only for rows whose top class misses its threshold, and by the scorers. The partial
    result is the chunk's confident joint counts (flattened ``K x K``, before the diagonal guard)
    and how many examples ``confident_learning`` would flag.

    The rows go in blocks of :data:`SECOND_PASS_ROWS`: the temporaries, a dozen vectors as long as
    a block, stay small however large the chunk, so a thread's heap does not grow by tens of MB
    (fresh pages, faulted in the kernel and handed back after the pass: benchmarks/RESULTS.md,
    issue 12, session 18). Every output is row by row and the counts are integer sums, so the
    blocks change nothing.
    """
    n, k = probs.shape
    confident = np.empty(n, dtype=index_dtype(k))
    given_is_predicted = np.empty(n, dtype=bool)
    scores: list[np.ndarray | None] = [None] * len(scorers)
    joint = np.zeros(k * k, dtype=np.int64)
    n_off = 0
    for block in row_blocks(n, 1, step_rows(n, k * probs.itemsize, _SECOND_PASS_BYTES, SECOND_PASS_ROWS)):
        block_codes = codes[block]
        stats = row_statistics_from_top(
            probs[block], self_conf[block], predicted[block], top[block], thresholds, rule=rule
        )
        confident[block] = stats.confident_class
        given_is_predicted[block] = stats.given_is_predicted
        for i, scorer in enumerate(scorers):
            score = scorer(block_codes, probs[block])
            if scores[i] is None:
                scores[i] = np.empty(n, dtype=score.dtype)
            scores[i][block] = score  # type: ignore[index]
        counted = stats.confident_class >= 0
        flat = block_codes[counted] * k + stats.confident_class[counted]
        joint += np.bincount(flat, minlength=k * k)
        off = counted & (stats.confident_class != block_codes) & ~stats.given_is_predicted
        n_off += int(np.count_nonzero(off))
    # a chunk without rows: the scorers' own empty outputs
    done = tuple(s if s is not None else scorer(codes, probs) for s, scorer in zip(scores, scorers, strict=True))
    rows = (confident, predicted.astype(index_dtype(k), copy=False), given_is_predicted, *done)
    return rows, (joint, n_off)


def combine_row_statistics(parts: list[tuple[np.ndarray, int]]) -> tuple[np.ndarray, int]:
    """Combine pass-2 partials: summed joint counts and issue counts."""
    return np.sum([p[0] for p in parts], axis=0), sum(p[1] for p in parts)


def as_row_statistics(confident: np.ndarray, predicted: np.ndarray, given_is_predicted: np.ndarray) -> RowStatistics:
    """Wrap per-row outputs of pass 2 (numpy or dask arrays)."""
    return RowStatistics(confident, predicted, given_is_predicted)


def sum_parts(parts: list[np.ndarray]) -> np.ndarray:
    """Elementwise sum of partial results."""
    return np.sum(parts, axis=0)
