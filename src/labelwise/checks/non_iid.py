"""``non_iid`` check: is the row order related to the neighbour structure?

If rows are exchangeable (independent and identically distributed, in random order), the gaps
``|i - j|`` between a row ``i`` and its neighbours ``j`` follow the distribution of the gap
between two rows drawn at random, ``P(gap <= g) = 1 - (n - g)(n - g - 1) / (n (n - 1))``. The
statistic is the Kolmogorov-Smirnov distance between the graph's gaps and that distribution; its
p-value is from a permutation test (row positions shuffled, the graph kept), which is exact under
exchangeability whatever the dependence between edges. Memory: O(n k) per permutation (one array
of gaps, one histogram of length n). Per row, the score is the mean gap to its neighbours over the
expected gap ``(n + 1) / 3``, capped at 1; when the test rejects (p < ``alpha``) the rows scoring
below ``row_cutoff`` are flagged. On dask features the same test (the same permutations, statistic,
p-value and flags) runs per partition with the graph kept on the workers (:func:`run_partitioned`).

cleanlab's Datalab asks the same question by comparing neighbour and random index distances with
a permutation test; this is labelwise's own formulation.

References
----------
Good, P. (2005). Permutation, Parametric and Bootstrap Tests of Hypotheses (3rd ed.). Springer.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from .._validate.arguments import check_fraction, check_positive_int, check_random_state
from ._base import Check, CheckInputs, CheckResult, columns, summary_row

N_PERMUTATIONS = 50
ALPHA = 0.05
ROW_CUTOFF = 0.05


#: Rows per block of the gap histograms (temporaries of ``ROW_BLOCK x k`` whatever ``n``).
ROW_BLOCK = 65_536


def null_cdf(n: int) -> np.ndarray:
    """``P(gap <= g)`` for ``g = 1..n-1`` between two distinct rows drawn at random."""
    g = np.arange(1, n, dtype=np.float64)
    return 1.0 - (n - g) * (n - g - 1) / (n * (n - 1.0))


def ks_statistic(position: np.ndarray, indices: np.ndarray, null: np.ndarray | None = None) -> float:
    """KS distance between the neighbour gaps under row positions ``position`` and the random-pair law.

    ``null``: :func:`null_cdf` of ``n``, computed once by a caller that tests many permutations.
    """
    n = position.shape[0]
    hist = np.zeros(n, dtype=np.int64)
    for s in range(0, n, ROW_BLOCK):
        hist += gap_counts(position[indices[s : s + ROW_BLOCK]], position[s : s + ROW_BLOCK], n)
    return ks_distance(hist, indices.size, null)


def gap_counts(near: np.ndarray, own: np.ndarray, n: int) -> np.ndarray:
    """Histogram (length ``n``) of the gaps ``|near[i, j] - own[i]|`` between the positions ``own``
    of some rows and the positions ``near`` of their neighbours."""
    gaps = near - own[:, None]
    np.abs(gaps, out=gaps)
    return np.bincount(gaps.ravel(), minlength=n)


def ks_distance(hist: np.ndarray, size: int, null: np.ndarray | None = None) -> float:
    """KS distance between the ``size`` gaps counted in ``hist`` (the sum of :func:`gap_counts`)
    and the random-pair law (:func:`null_cdf`, or ``null`` when the caller holds it)."""
    emp = np.cumsum(hist[1:]) / size
    emp -= null_cdf(hist.shape[0]) if null is None else null
    return float(np.max(np.abs(emp)))


def mean_gaps(indices: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Mean gap ``|j - i|`` of each row ``i`` (row numbers ``rows``) to its neighbours ``indices``."""
    out = np.empty(indices.shape[0])
    for s in range(0, indices.shape[0], ROW_BLOCK):
        out[s : s + ROW_BLOCK] = np.abs(indices[s : s + ROW_BLOCK] - rows[s : s + ROW_BLOCK, None]).mean(axis=1)
    return out


def _options(inputs: CheckInputs) -> tuple[int, float]:
    """The user's ``n_permutations`` (an int >= 1) and ``alpha`` (in (0, 1]), or the defaults."""
    n_perm = check_positive_int(
        "check_options['non_iid']['n_permutations']", inputs.option("non_iid", "n_permutations", N_PERMUTATIONS)
    )
    alpha = check_fraction(
        "check_options['non_iid']['alpha']",
        inputs.option("non_iid", "alpha", ALPHA),
        closed_low=False,
        closed_high=True,
    )
    return n_perm, alpha


def _score_flags(mean_gap: Any, n: int, p_value: float, alpha: float) -> tuple[Any, Any]:
    """Per-row score (mean gap over the expected ``(n + 1) / 3``, capped at 1) and flags: the rows
    below :data:`ROW_CUTOFF` when the test rejects, none otherwise (numpy or dask arrays)."""
    score = np.minimum(1.0, mean_gap / ((n + 1) / 3.0))
    return score, (score < ROW_CUTOFF) & bool(p_value < alpha)


def run(inputs: CheckInputs) -> CheckResult:
    """Permutation test of row order against the graph, and a per-row score."""
    graph = inputs.graph
    assert graph is not None  # guaranteed by ``requires``
    n = graph.n
    n_perm, alpha = _options(inputs)
    identity = np.arange(n)
    null = null_cdf(n)
    observed = ks_statistic(identity, graph.indices, null)

    def permuted(rng: np.random.Generator) -> float:
        return ks_statistic(rng.permutation(n), graph.indices, null)

    p_value = _p_value(observed, permuted, n_perm, inputs.random_state)
    score, is_issue = _score_flags(mean_gaps(graph.indices, identity), n, p_value, alpha)
    return CheckResult(
        columns("non_iid", is_issue, score),
        summary_row("non_iid", is_issue, score, p_value=p_value),
        _info(observed, p_value, n_perm, alpha),
    )


def run_partitioned(inputs: CheckInputs) -> CheckResult:
    """:func:`run` per partition: the same permutations, statistic, p-value and flags, with the graph
    kept on the workers.

    Each permutation of the row positions is :func:`run`'s (the same generator in the same order),
    drawn once on a worker from a copy of the generator, whose state after the draw comes back in
    the same computation (so no ``n``-long array passes through the client), and spread over the
    graph's row chunks there (:func:`_dask_draw`); the
    neighbours' positions are fetched per partition by :func:`labelwise._dask_take.take_rows` (a
    lookup of ``n k`` positions per permutation, where memory gathers them locally: the price of
    keeping the graph on the workers, ``benchmarks/RESULTS.md``, session 22). Each partition counts
    its gaps (:func:`gap_counts`, length ``n``), the counts are summed by dask's tree
    reduction and the KS distance is taken on a worker: one number per permutation comes to the
    client. Counts are integers, so the sum and hence the statistic are :func:`run`'s to the bit
    whatever the partition sizes. The per-row scores need only a row's number and its neighbours'.
    """
    from .._dask_take import take_rows
    from .._stage_progress import compute, step
    from ._partitioned import as_rows, dask_columns, persisted_summary, row_numbers

    graph = inputs.graph
    assert graph is not None  # features on dask: the graph is built
    n, chunks, indices = graph.n, graph.chunks, graph.indices.rechunk({1: -1})  # whole rows per chunk
    n_perm, alpha = _options(inputs)
    rows = row_numbers(chunks)

    def statistic(rng: np.random.Generator) -> float:  # one permutation at a time on the workers
        position, state = _dask_draw(rng, n)
        position = as_rows(position, chunks)
        stat, after = compute(_dask_ks(take_rows(position, indices), position, n), state)
        rng.bit_generator.state = after[0]  # where the worker's copy of the generator stopped
        return float(stat[0])

    with step("non_iid: permutation test"):
        observed = float(compute(_dask_ks(indices, rows, n))[0][0])
        p_value = _p_value(observed, statistic, n_perm, inputs.random_state)
        mean_gap = indices.map_blocks(_chunk_mean_gaps, rows[:, None], drop_axis=1, dtype=np.float64)
        score, is_issue = _score_flags(mean_gap, n, p_value, alpha)
        held, row = persisted_summary("non_iid", dask_columns("non_iid", is_issue, score), p_value=p_value)
    return CheckResult(held, row, _info(observed, p_value, n_perm, alpha))


def _p_value(
    observed: float, statistic: Callable[[np.random.Generator], float], n_perm: int, random_state: Any
) -> float:
    """``(1 + #{permutations whose statistic >= observed}) / (1 + n_perm)``; ``statistic`` draws its
    permutation of the row positions (``rng.permutation(n)``) from the generator of
    ``random_state``, in turn: memory and dask draw the same ones."""
    rng = check_random_state(random_state)
    exceed = sum(statistic(rng) >= observed for _ in range(n_perm))
    return (1 + exceed) / (1 + n_perm)


def _dask_draw(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    """``rng.permutation(n)`` (one chunk) and the generator's state after it (an object array of one
    dict), two dask arrays read from one task (:func:`_draw`).

    Both come from one array, so a computation of the two, or of anything built on them, runs the
    draw once: a ``dask.delayed`` state beside an array built by ``da.from_delayed`` would not, the
    array's graph embedding its own copy of the draw's task under another key.
    """
    import dask
    import dask.array as da

    pair = da.from_delayed(dask.delayed(_draw, pure=False)(rng, n), (2,), dtype=object)
    position = pair.map_blocks(_first, chunks=((n,),), dtype=np.int64, meta=np.empty(0, np.int64))
    return position, pair[1:]


def _draw(rng: np.random.Generator, n: int) -> np.ndarray:
    """``[rng.permutation(n), state after it]`` (an object array), drawn from a copy of ``rng``: the
    task may run in the client's process (threads, sync) or be run again (a worker lost); every run
    gives the same and the client's generator is moved only by the state that comes back."""
    own = copy.deepcopy(rng)
    out = np.empty(2, dtype=object)
    out[0] = own.permutation(n)
    out[1] = dict(own.bit_generator.state)
    return out


def _first(pair: np.ndarray) -> np.ndarray:
    return pair[0]


def _info(observed: float, p_value: float, n_perm: int, alpha: float) -> dict[str, Any]:
    return {"statistic": observed, "p_value": p_value, "n_permutations": n_perm, "alpha": alpha}


def _dask_ks(near: Any, own: Any, n: int) -> Any:
    """:func:`ks_distance` of the gaps ``|near[i, j] - own[i]|`` of dask arrays on the same row
    chunks, as a dask array of one value: a histogram per chunk, summed by a tree reduction; only
    the distance comes back. (An array, not a delayed, so that it is computed in one graph with the
    other arrays of a computation, :func:`_dask_draw`.)"""
    counts = near.map_blocks(
        _chunk_counts,
        own[:, None],
        n,
        chunks=((1,) * len(near.chunks[0]), (n,)),
        dtype=np.int64,
        meta=np.empty((0, 0), np.int64),
    )
    size = int(near.size)
    return counts.sum(axis=0).map_blocks(_chunk_ks, size, chunks=((1,),), dtype=np.float64)


def _chunk_ks(hist: np.ndarray, size: int) -> np.ndarray:
    """:func:`ks_distance` of the summed histogram (one chunk of length ``n``), as one value."""
    return np.array([ks_distance(hist, size)])


def _chunk_counts(near: np.ndarray, own: np.ndarray, n: int) -> np.ndarray:
    """One chunk's :func:`gap_counts` as a row (``own``: a column, aligned with ``near``'s rows)."""
    return gap_counts(near, own[:, 0], n)[None, :]


def _chunk_mean_gaps(indices: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return mean_gaps(indices, rows[:, 0])


CHECK = Check(
    "non_iid",
    requires=(("graph",),),
    run=run,
    partitioned=run_partitioned,
    options=dict.fromkeys(("n_permutations", "alpha")),  # checked where they are read
)
