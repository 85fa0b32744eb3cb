"""Dawid-Skene's pair check on Dask confirms its suspects in lock step: fewer graphs, the same bits.

On main (session 44) each suspect's fit without its pair sent one graph per EM iteration, one suspect
after another, then the triad gate's fit as many again; on a ``distributed`` cluster every graph is a
round trip (session 43: 150 graphs took 46.8 s of a 52.0 s fit). Now the fits run in lock step
(:mod:`labelwise.aggregate._pair_confirm`, ``DaskPairs.fit_without_list``): one graph per EM round
for all of them. ``DaskPairs.lock_step = False`` runs main's one-by-one loop on the same code, the
reference here: every fitted attribute must be the same bit for bit. The counting tests fail on main.
"""

from __future__ import annotations

import hashlib
import warnings
from collections import Counter

import numpy as np
import pytest

import labelwise.aggregate._dask_pairs as dask_pairs
import labelwise.aggregate._dependent as dependent
from labelwise.aggregate import DawidSkene, distributed
from labelwise.aggregate._dask_pairs import DaskPairs
from tests.scale.test_dask_ring_passes import _dask_pairs, _encoded, _pass_name
from tests.scale.test_distributed_dependence import FIXED_ITER, _dask_frame, ring_and_pair_crowd

dask = pytest.importorskip("dask")


def _check(monkeypatch, lock_step: bool, triad: bool, n_parts: int = 3) -> tuple[Counter, np.ndarray | None]:
    """The pair check's passes over the partitions (by their per-partition function) and its rows."""
    monkeypatch.setattr(DaskPairs, "lock_step", lock_step, raising=False)
    enc, codes = _encoded(0)
    est = DawidSkene(max_iter=FIXED_ITER, tol=0.0)
    data = _dask_pairs(enc, codes, n_parts, est)
    passes: Counter = Counter()
    compute, persist = dask_pairs.compute, dask_pairs.persist

    def counted(run):
        def wrapper(*objs, **kw):
            passes[_pass_name(objs)] += 1
            return run(*objs, **kw)

        return wrapper

    with monkeypatch.context() as m:
        m.setattr(dask_pairs, "compute", counted(compute))
        m.setattr(dask_pairs, "persist", counted(persist))
        with dask.config.set(scheduler="sync"):
            got = dependent.find_dependent_pairs(
                data, est._pseudo_counts(enc.patterns), 4.0, FIXED_ITER, 0.0, triad=triad
            )
    return passes, got


@pytest.fixture
def fixed_iterations(monkeypatch):
    monkeypatch.setattr(dependent, "CONFIRM_TOL", 0.0)


@pytest.mark.parametrize("triad", [False, True])
def test_the_suspects_fits_without_a_pair_share_one_graph_per_em_round(monkeypatch, fixed_iterations, triad):
    """Every suspect's fit (and the triad gate's) takes ``max_iter`` EM graphs and one final M-step's
    together, not one fit after another; the rows are the one-by-one loop's bit for bit."""
    one_by_one, want = _check(monkeypatch, False, triad)
    passes, got = _check(monkeypatch, True, triad)
    assert want is not None and len(want) >= 1
    np.testing.assert_array_equal(got, want)
    fits = one_by_one["weigh"]  # one by one: each fit makes its held-out partitions in a pass of its own
    assert fits == 2 + triad  # this crowd's two suspects are confirmed (the gate then drops one)
    assert one_by_one["ds_stats"] == fits * (FIXED_ITER + 1)
    assert passes["ds_stats"] == FIXED_ITER + 1
    assert passes["weigh"] == 1 and passes["held_start"] == 1
    assert sum(passes.values()) < sum(one_by_one.values()) - (fits - 1) * FIXED_ITER


@pytest.mark.parametrize("triad", [False, True])
def test_a_suspect_not_confirmed_makes_the_fits_after_it_run_again(monkeypatch, fixed_iterations, triad):
    """When the first suspect's confirmation fails, the fits after it (which weighed it) and the triad
    gate's run again without it: two rounds, and the rows the one-by-one loop gives, bit for bit."""
    over = dependent._over
    first: list[tuple[int, int]] = []

    def reject_first(check, threshold):  # the confirmation of the strongest suspect fails
        keep = over(check, threshold)
        if len(check.a) == 1:
            pair = (int(check.a[0]), int(check.b[0]))
            first[:] = first or [pair]
            return keep & (pair != first[0])
        return keep

    monkeypatch.setattr(dependent, "_over", reject_first)
    one_by_one, want = _check(monkeypatch, False, triad)
    first.clear()
    passes, got = _check(monkeypatch, True, triad)
    assert first and one_by_one["weigh"] == 2 + triad  # two suspects' fits (and the gate's when a pair is left)
    if triad:  # the pair left alone is the one the gate dropped in the first test
        assert want is None and got is None
    else:
        assert want is not None and tuple(first[0]) not in {(int(a), int(b)) for a, b in want[:, :2]}
        np.testing.assert_array_equal(got, want)
    assert passes["weigh"] == 2  # the first round, then the round after the rejected suspect


def _digest(est: DawidSkene) -> str:
    h = hashlib.sha256()
    for arr in (est.labels_.to_numpy(), est.probas_.to_numpy(), est.annotator_confusion_, est.priors_.to_numpy()):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(np.asarray(est.loss_history_, dtype=np.float64).tobytes())
    h.update(est.dependent_pairs_.to_csv().encode())
    h.update(repr(est.dependent_rings_).encode())
    return h.hexdigest()


def _fit(monkeypatch, lock_step: bool, ddf, params: dict) -> tuple[str, int]:
    """The Dask fit's digest and the graphs it computed or persisted (every ``dask.compute``,
    ``dask.persist`` and collection ``.compute()``)."""
    import dask.base

    monkeypatch.setattr(DaskPairs, "lock_step", lock_step, raising=False)
    graphs = [0]

    def counted(run):
        def wrapper(*args, **kw):
            graphs[0] += 1
            return run(*args, **kw)

        return wrapper

    with monkeypatch.context() as m:
        for module in (dask, dask.base):
            m.setattr(module, "compute", counted(dask.base.compute))
            m.setattr(module, "persist", counted(dask.base.persist))
        with warnings.catch_warnings(), dask.config.set(scheduler="sync"):
            warnings.simplefilter("ignore")
            est = distributed.fit(DawidSkene(**params), ddf, npartitions=3)
    return _digest(est), graphs[0]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(
    "params", [{}, {"dependency_triad": False}, {"dependency_rings": True}], ids=["default", "triad-off", "rings"]
)
def test_the_dask_fit_sends_fewer_graphs_and_gives_the_same_bits(monkeypatch, seed, params):
    """``distributed.fit`` at the default ``max_iter`` and ``tol``: labels, posteriors, confusion
    matrices, priors, loss history, dependent pairs and rings the same bit for bit as the one-by-one
    confirmations, with fewer graphs by default (never more: with one suspect and no gate there is
    nothing to run together)."""
    ddf = _dask_frame(ring_and_pair_crowd(seed), [400, 900])
    want, one_by_one = _fit(monkeypatch, False, ddf, params)
    got, graphs = _fit(monkeypatch, True, ddf, params)
    assert got == want
    assert graphs <= one_by_one
    if not params:  # the default: a confirmed suspect's fit and the triad gate's share their EM rounds
        assert graphs < one_by_one
