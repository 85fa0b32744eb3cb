"""The pair and ring checks' fits without a group chain several EM rounds per graph on a cluster.

On main (session 46) ``DaskPairs.fit_without_list`` sent one graph per EM round of its fits in lock
step (:mod:`labelwise.aggregate._dask_held_fits`); on a ``distributed`` client it now chains 1, 2, 4,
8, ... rounds per graph, as the main EM does (session 46, daskiter46). The fits must be main's bit for
bit: the reference here is main's generator and lock step, verbatim. The cluster's graph count fails
on main (``DaskPairs.em_batch`` does not exist there: the counts are equal).
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labelwise.aggregate._dask_pairs as dask_pairs
from labelwise.aggregate import DawidSkene, distributed
from labelwise.aggregate._converged import loss_settled
from labelwise.aggregate._dask_held_fits import _held_start, rounds_in
from labelwise.aggregate._dask_pairs import DaskPairs
from labelwise.aggregate._partition_stats import dawid_skene_m_step, ds_loss, ds_stats
from tests.scale._data import sync_scheduler  # noqa: F401 (autouse)
from tests.scale.test_dask_ring_passes import _dask_pairs, _encoded
from tests.scale.test_distributed_dependence import _dask_frame, ring_and_pair_crowd

dask = pytest.importorskip("dask")


def _main_held_fit(data, pseudo, max_iter, tol, batch=None):
    """Main's ``_held_fit`` (session 46), verbatim but for its name: one reduction per round."""
    start = yield data, (_held_start, data.k, data.n_ann)
    stats, n_held = start[:3], max(start[3], 1.0)
    last = np.inf
    params = dawid_skene_m_step(stats[0], stats[1], pseudo.T)
    for _ in range(max_iter):
        params = dawid_skene_m_step(stats[0], stats[1], pseudo.T)
        stats = yield data, (ds_stats, data.k, data.n_ann, params)
        nll = ds_loss(stats[2], params[1], pseudo, n_held)
        if loss_settled(last - nll, nll, tol):
            break
        last = nll
    counts = yield data, (ds_stats, data.k, data.n_ann, params, True)
    prior, given = dawid_skene_m_step(counts[0], counts[1], pseudo.T)
    return prior, given.transpose(0, 2, 1).copy()


def _main_lock_step(fits, run=None):
    """Main's ``_lock_step``, verbatim but for its name."""
    out = [None] * len(fits)
    wants = {f: fit.send(None) for f, fit in enumerate(fits)}
    while wants:
        sums = dask.compute(*[data._reduction(*call) for data, call in wants.values()])
        running = {}
        for (f, _), total in zip(wants.items(), sums, strict=True):
            try:
                running[f] = fits[f].send(total)
            except StopIteration as stop:
                out[f] = stop.value
        wants = running
    return out


@pytest.fixture(scope="module")
def crowd():
    enc, codes = _encoded(0)
    pseudo = DawidSkene()._pseudo_counts(enc.patterns)
    return enc, codes, pseudo


def _jobs(enc, tol):
    """Three fits as the checks run them: without a pair (none found yet, then one group weighted)
    and without a group of four."""
    none = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    found = (np.array([0, 1]), np.array([1, 2]))
    return [(none, (3, 4), tol), (found, (5, 6), tol), (found, (7, 8, 9, 10), tol)]


def _fits(monkeypatch, data, jobs, pseudo, max_iter, batch=None, main=False):
    with monkeypatch.context() as m:
        m.setattr(DaskPairs, "em_batch", batch, raising=False)
        if main:
            m.setattr(dask_pairs, "held_fit", _main_held_fit)
            m.setattr(dask_pairs, "lock_step", _main_lock_step)
        return data.fit_without_list(jobs, pseudo, max_iter)


def _assert_same_bits(got, want):
    assert len(got) == len(want)
    for (p, c), (q, d) in zip(got, want, strict=True):
        assert p.tobytes() == q.tobytes() and c.tobytes() == d.tobytes()
        assert p.dtype == q.dtype and c.shape == d.shape


def _counted(monkeypatch, data, jobs, pseudo, max_iter, batch):
    """The graphs (``compute`` and ``persist`` calls) of the fits; their bits checked against main's."""
    sent = [0]

    def counted(run):
        def wrapper(*objs, **kw):
            sent[0] += 1
            return run(*objs, **kw)

        return wrapper

    with monkeypatch.context() as m:
        m.setattr(dask_pairs, "compute", counted(dask_pairs.compute))
        m.setattr(dask_pairs, "persist", counted(dask_pairs.persist))
        got = _fits(monkeypatch, data, jobs, pseudo, max_iter, batch)
    _assert_same_bits(got, _fits(monkeypatch, data, jobs, pseudo, max_iter, main=True))
    return sent[0]


class TestChainedRounds:
    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        batch=st.one_of(st.none(), st.integers(1, 6)),
        max_iter=st.integers(0, 14),
        tol=st.sampled_from([0.0, 1e-6, 1e-3]),
        n_parts=st.integers(1, 4),
    )
    def test_any_rounds_per_graph_give_main_s_fits_bit_for_bit(self, monkeypatch, crowd, batch, max_iter, tol, n_parts):
        """Any number of EM rounds per graph (None: the rule's, one off a cluster), any ``max_iter``
        and ``tol`` and partitioning: every fit's prior and confusion arrays are main's bit for bit."""
        enc, codes, pseudo = crowd
        data = _dask_pairs(enc, codes, n_parts)
        jobs = _jobs(enc, tol)
        want = _fits(monkeypatch, data, jobs, pseudo, max_iter, main=True)
        _assert_same_bits(_fits(monkeypatch, data, jobs, pseudo, max_iter, batch), want)

    def test_chained_rounds_send_fewer_graphs(self, monkeypatch, crowd):
        """Four rounds per graph at ``tol=0`` and 10 rounds: 1 persist, then 3 graphs of rounds (the
        first with the start) and the final M-step's: 5 graphs, not 13."""
        enc, codes, pseudo = crowd
        data = _dask_pairs(enc, codes, 3)
        graphs = [_counted(monkeypatch, data, _jobs(enc, 0.0), pseudo, 10, batch) for batch in (None, 4)]
        assert graphs == [13, 5]


class TestRule:
    def test_off_a_cluster_every_graph_holds_one_reduction(self):
        """The first graph the start alone, then one round each (no round trip to save)."""
        assert rounds_in(0, 100, False) == 0
        assert [rounds_in(s, 100, False) for s in range(1, 6)] == [1] * 5

    def test_on_a_cluster_the_rounds_double_to_eight(self):
        """The start and one round, then 2, 4, 8, 8 ..., never past ``max_iter``."""
        assert [rounds_in(s, 100, True) for s in range(6)] == [1, 2, 4, 8, 8, 8]
        assert rounds_in(3, 5, True) == 5 and rounds_in(0, 0, True) == 0


def _digest(est):
    h = hashlib.sha256()
    for arr in (est.labels_.to_numpy(), est.probas_.to_numpy(), est.annotator_confusion_, est.priors_.to_numpy()):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(np.asarray(est.loss_history_, dtype=np.float64).tobytes())
    h.update(est.dependent_pairs_.to_csv().encode())
    h.update(repr(est.dependent_rings_).encode())
    return h.hexdigest()


@pytest.mark.parametrize("params", [{}, {"dependency_rings": True}], ids=["default", "rings"])
def test_on_a_cluster_the_checks_send_fewer_graphs_and_the_same_bits(monkeypatch, client, params):
    """``distributed.fit`` on a LocalCluster: with the rule's chained rounds the fit sends fewer
    graphs than with one round per graph, and every fitted attribute is the same bit for bit."""
    ddf = _dask_frame(ring_and_pair_crowd(0), [400, 900])
    send = type(client)._graph_to_futures
    out = []
    for batch in (1, None):
        graphs = [0]

        def counted(self, *args, _graphs=graphs, **kwargs):
            _graphs[0] += 1
            return send(self, *args, **kwargs)

        with monkeypatch.context() as m, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.setattr(DaskPairs, "em_batch", batch, raising=False)
            m.setattr(type(client), "_graph_to_futures", counted)
            est = distributed.fit(DawidSkene(**params), ddf, npartitions=3)
        out.append((_digest(est), graphs[0]))
    (want, one_round), (got, chained) = out
    assert got == want
    assert chained < one_round
