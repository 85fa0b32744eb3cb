"""The pair and ring checks' fits without a group on Dask: in lock step, several EM rounds per graph.

A fit without a group (``DaskPairs.fit_without_list``) is EM on the held-out partitions, then one
M-step of every answer. :func:`held_fit` writes one fit as a generator: it yields the ``Delayed``
objects it needs next and is sent their values. :func:`lock_step` runs many fits together, every
running fit's next request in one graph (session 45, daskem45).

On a ``distributed`` cluster each graph is a round trip, so a fit chains several EM rounds in one
graph, as :mod:`._dask_em_batches` does for the main EM (session 46, daskiter46): the M-step is a
task (:class:`~._dask_em_batches.MStep`) on the previous round's reduction, then every partition's
E-step statistics under it. The client walks the rounds' results in order with the loop's stop rule
(``loss_settled``); the rounds after the first settled one are dropped, and the final M-step's pass
is a graph of its own (which rounds it reads is the client's decision). The first graph holds the
starting reduction too. Off a cluster there is no round trip to save and every graph holds one
reduction, as before. Each reduction is the same tree of the same tasks, and the M-step the same
numpy, so the fits are the same bits either way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._chunk_floor import active_client
from .._stage_progress import compute
from ._converged import loss_settled
from ._dask_em_batches import MStep, batch_size
from ._partition_stats import Part, dawid_skene_m_step, ds_loss, ds_stats

__all__ = ["held_fit", "lock_step", "rounds_in"]


def rounds_in(sent: int, left: int, on_cluster: bool, batch: int | None = None) -> int:
    """EM rounds chained in a fit's next graph, ``sent`` graphs after its first, ``left`` rounds
    that ``max_iter`` allows. The first graph (``sent == 0``) holds the starting reduction and, on a
    cluster, the first round; after it :func:`~._dask_em_batches.batch_size`'s doubling 1, 2, 4, 8, 8,
    ... on a cluster, 1 off one. ``batch``: that many in every graph (tests, benchmarks)."""
    if batch is not None:
        return min(batch, left)
    if sent == 0:
        return min(int(on_cluster), left)
    return batch_size(sent, left, on_cluster)


def _held_start(part: Part, k: int, n_ann: int) -> tuple:
    """The first E-step's statistics of a fit without a group (:func:`ds_stats` of the vote shares)
    and the partition's answer weight, in one pass."""
    return (*ds_stats(part, k, n_ann, None), float(part.item.size if part.w is None else part.w.sum()))


def _chain(data: Any, m_step: Any, current: Any, b: int) -> list[Any]:
    """``b`` EM rounds from the reduction (or value) ``current``: ``[params_1, stats_1, ...]`` as ``Delayed``."""
    import dask

    out: list[Any] = []
    for _ in range(b):
        params = dask.delayed(m_step, pure=False)(current)
        current = data._reduction(ds_stats, data.k, data.n_ann, params)
        out += [params, current]
    return out


def held_fit(data: Any, pseudo: np.ndarray, max_iter: int, tol: float, batch: int | None = None) -> Any:
    """One fit without a group on its held-out partitions ``data`` (a ``DaskPairs``), as a generator
    for :func:`lock_step`: it yields a list of ``Delayed``, is sent their values, and returns the model
    ``(prior, conf)`` (as ``MemoryPairs.fit_without``: EM, then one M-step of every answer)."""
    import dask

    on_cluster = active_client() is not None
    m_step = MStep(True, pseudo.T, np.zeros(0))
    start = data._reduction(_held_start, data.k, data.n_ann)
    b = rounds_in(0, max_iter, on_cluster, batch)
    got = yield [start, *_chain(data, m_step, start, b)]
    stats, n_held = got[0], max(got[0][3], 1.0)
    params = dawid_skene_m_step(stats[0], stats[1], pseudo.T)  # max_iter == 0: the start's M-step
    done, sent, last, settled = 0, 1, np.inf, False
    while True:
        for params, stats in zip(got[-2 * b :: 2], got[-2 * b + 1 :: 2], strict=True) if b else ():
            done += 1
            nll = ds_loss(stats[2], params[1], pseudo, n_held)
            if loss_settled(last - nll, nll, tol):
                settled = True
                break
            last = nll
        if settled or done >= max_iter:
            break
        b = rounds_in(sent, max_iter - done, on_cluster, batch)
        got = yield _chain(data, m_step, dask.delayed(stats), b)
        sent += 1
    (counts,) = yield [data._reduction(ds_stats, data.k, data.n_ann, params, True)]  # every answer once
    prior, given = dawid_skene_m_step(counts[0], counts[1], pseudo.T)
    return prior, given.transpose(0, 2, 1).copy()


def lock_step(fits: list[Any], run: Any = compute) -> list[Any]:
    """Run the generators of :func:`held_fit` together: each round computes every running fit's next
    request in one graph (``run``: the caller's ``compute``); returns their results in order."""
    out: list[Any] = [None] * len(fits)
    wants = {f: fit.send(None) for f, fit in enumerate(fits)}
    while wants:
        values = run(*[obj for want in wants.values() for obj in want])
        running, at = {}, 0
        for f, want in wants.items():
            try:
                running[f] = fits[f].send(list(values[at : at + len(want)]))
            except StopIteration as stop:
                out[f] = stop.value
            at += len(want)
        wants = running
    return out
