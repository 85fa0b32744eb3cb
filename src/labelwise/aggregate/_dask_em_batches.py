"""Several Dask EM iterations in one graph, for :func:`labelwise.aggregate.distributed.fit`'s EM loop.

On a ``distributed`` cluster every graph is a round trip (client to scheduler to workers and back),
and an EM iteration of a Dask fit is one small reduction: the round trips, not the work, set the time
of a fit of 50-100 iterations. :func:`em_chain` builds ``b`` iterations as one graph: the M-step is a
task on the previous reduction's output, then every partition's E-step statistics on it, ``b`` times.
The caller computes the graph in one call and walks its ``b`` results in order with the one-graph
loop's stop rule, so the fit is the same bit for bit (the same reductions of the same tasks, and the
M-step's elementwise numpy gives the same bits in a worker as on the client); the iterations after
the first settled one are computed and dropped.

:func:`batch_size` chooses ``b``: 1 off a ``distributed`` client (the threads and processes schedulers
have no round trip to save), and on one the doubling 1, 2, 4, 8, 8, ... capped by the iterations
``max_iter`` leaves. Doubling spends at most about as many dropped iterations as were needed (never more
than ``MAX_BATCH - 1``) and sends about ``log2(n) + n / MAX_BATCH`` graphs for ``n`` iterations
instead of ``n + 1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._chunks import tree_reduce_delayed
from ._observed import _FLOOR
from ._partition_stats import dawid_skene_m_step, sum_stats

#: The most EM iterations in one graph on a ``distributed`` cluster (:func:`batch_size`).
MAX_BATCH = 8


def batch_size(sent: int, left: int, on_cluster: bool) -> int:
    """EM iterations in the next graph: ``sent`` graphs sent before it, ``left`` iterations that
    ``max_iter`` still allows; ``on_cluster``: Dask computes on a ``distributed`` client.

    Off a cluster 1; on one ``2**sent`` (1, 2, 4, ...) up to :data:`MAX_BATCH`; never above ``left``.
    """
    if not on_cluster:
        return min(1, left)
    return min(2 ** min(sent, 3), MAX_BATCH, left)


@dataclass(frozen=True, eq=False)
class MStep:
    """The M-step of the Dask EM (``distributed._EM.m_step`` calls it) as a small picklable task: Dawid-Skene's
    (``pseudo_t``: the pseudo-counts ``[given l, true k]``) or the one-coin model's (``per_annotator``:
    each annotator's answers)."""

    is_ds: bool
    pseudo_t: np.ndarray
    per_annotator: np.ndarray

    @classmethod
    def of(cls, em: Any) -> MStep:
        """The M-step of ``em`` (a ``distributed._EM``), without its estimator."""
        return cls(em.is_ds, em.pseudo.T, em.per_annotator)

    def __call__(self, stats: tuple) -> tuple:
        if self.is_ds:
            return dawid_skene_m_step(stats[0], stats[1], self.pseudo_t)
        prior = np.maximum(stats[1], _FLOOR)
        skill = stats[0] / np.maximum(self.per_annotator, 1)
        return prior / prior.sum(), np.clip(skill, _FLOOR, 1 - _FLOOR)


def em_chain(em: Any, parts: tuple, stats: tuple | None, b: int) -> list[tuple[Any, Any]]:
    """``b`` EM iterations as one graph: ``[(params_1, stats_1), ..., (params_b, stats_b)]``, each a pair
    of ``Delayed``: the M-step's parameters from the statistics before it and the partitions' summed
    E-step statistics (``em.stats``) under them.

    ``stats``: the summed statistics the chain starts from (data on the client), or None to start
    from the partitions' vote shares (``em.stats`` without parameters, reduced in the same graph).
    """
    import dask

    def reduce(params: Any) -> Any:
        return tree_reduce_delayed([dask.delayed(em.stats)(p, em.k, em.n_ann, params) for p in parts], sum_stats)

    m_step = dask.delayed(MStep.of(em), pure=False)
    current = reduce(None) if stats is None else dask.delayed(stats)
    steps = []
    for _ in range(b):
        params = m_step(current)
        current = reduce(params)
        steps.append((params, current))
    return steps
