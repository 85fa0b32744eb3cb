"""Several Dask EM iterations per graph: the fit bit for bit as one iteration per graph, fewer graphs on a cluster."""

from __future__ import annotations

import contextlib
import functools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.aggregate import DawidSkene, OneCoinDawidSkene, distributed
from labelwise.aggregate._dask_em_batches import MAX_BATCH, batch_size
from tests.aggregate._crowd import confusion_crowd, pair_crowd

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

FITTED = ("labels_", "probas_", "priors_", "annotator_confusion_", "skills_", "annotator_skill_")


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of 2 single-threaded workers in this process, closed after the module."""
    distributed_ = pytest.importorskip("distributed")
    cluster = distributed_.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0")
    c = distributed_.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        with contextlib.suppress(KeyError):  # a worker's removal seen twice while the cluster closes
            cluster.close()


def _fit(monkeypatch, est, answers: pd.DataFrame, npartitions: int, batch: int | None):
    """``distributed.fit`` with ``batch`` EM iterations in every graph (None: the rule's)."""
    monkeypatch.setattr(distributed, "_run_em", functools.partial(_RUN_EM, batch=batch))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return distributed.fit(est, dd.from_pandas(answers, npartitions=npartitions), npartitions=npartitions)


_RUN_EM = distributed._run_em


def _assert_same_bits(a, b) -> None:
    """Every fitted attribute of ``a`` and ``b`` equal bit for bit."""
    assert (a.n_iter_, a.converged_) == (b.n_iter_, b.converged_)
    assert np.asarray(a.loss_history_).tobytes() == np.asarray(b.loss_history_).tobytes()
    for name in FITTED:
        if hasattr(a, name):
            x, y = getattr(a, name), getattr(b, name)
            x, y = (x.to_numpy() if hasattr(x, "to_numpy") else x), (y.to_numpy() if hasattr(y, "to_numpy") else y)
            assert np.asarray(x).tobytes() == np.asarray(y).tobytes(), name
    if isinstance(a, DawidSkene):
        pd.testing.assert_frame_equal(a.dependent_pairs_, b.dependent_pairs_)
        assert a.fallback_ == b.fallback_


def _graphs(monkeypatch, client) -> list[int]:
    """A counter of the graphs ``client`` is sent (each ``compute``/``persist`` is one call)."""
    count = [0]
    send = type(client)._graph_to_futures

    def counted(self, *args, **kwargs):
        count[0] += 1
        return send(self, *args, **kwargs)

    monkeypatch.setattr(type(client), "_graph_to_futures", counted)
    return count


def _rule_graphs(n_iter: int, max_iter: int) -> int:
    """Graphs the EM loop sends on a cluster for a fit that ran ``n_iter`` iterations."""
    done = sent = 0
    while done < n_iter:
        done += batch_size(sent, max_iter - done, on_cluster=True)
        sent += 1
    return sent


class TestBatchSize:
    def test_doubling_capped_on_a_cluster(self):
        """On a cluster the graphs hold 1, 2, 4, 8, 8 iterations, never more than are left."""
        assert [batch_size(s, 100, True) for s in range(6)] == [1, 2, 4, 8, 8, 8]
        assert MAX_BATCH == 8
        assert batch_size(3, 5, True) == 5
        assert batch_size(9, 1, True) == 1

    def test_one_iteration_per_graph_off_a_cluster(self):
        """The threads, processes and synchronous schedulers keep one iteration per graph."""
        assert [batch_size(s, 100, False) for s in range(5)] == [1] * 5


CROWDS = {
    "confusion": lambda: confusion_crowd(400, 3, seed=1)[0],
    "pair": lambda: pair_crowd(n_items=600, seed=2)[0],
    "spammers": lambda: confusion_crowd(300, 4, accuracies=(0.8, 0.7, 0.6), spammers=2, per_item=3, seed=3)[0],
}


class TestOnALocalCluster:
    @pytest.mark.parametrize("crowd", sorted(CROWDS))
    @pytest.mark.parametrize("method", [DawidSkene, OneCoinDawidSkene])
    def test_fit_bit_for_bit_in_fewer_graphs(self, client, monkeypatch, crowd, method):
        """The rule's batches give every fitted attribute of one iteration per graph, bit for bit, and
        the EM loop sends one graph per batch instead of one per iteration."""
        answers = CROWDS[crowd]()
        count = _graphs(monkeypatch, client)
        one = _fit(monkeypatch, method(tol=1e-9), answers, 3, batch=1)
        per_iteration, count[0] = count[0], 0
        got = _fit(monkeypatch, method(tol=1e-9), answers, 3, batch=None)
        _assert_same_bits(one, got)
        assert got.n_iter_ >= 8  # several batches ran
        assert per_iteration - count[0] == got.n_iter_ - _rule_graphs(got.n_iter_, got.max_iter)

    def test_max_iter_reached_inside_a_batch(self, client, monkeypatch):
        """A fit stopped by ``max_iter`` warns, runs exactly ``max_iter`` iterations and matches."""
        answers = CROWDS["confusion"]()
        one = _fit(monkeypatch, DawidSkene(max_iter=6, tol=0), answers, 2, batch=1)
        with pytest.warns(UserWarning, match="did not converge in max_iter=6"):
            monkeypatch.setattr(distributed, "_run_em", _RUN_EM)
            got = distributed.fit(DawidSkene(max_iter=6, tol=0), dd.from_pandas(answers, npartitions=2), npartitions=2)
        assert (got.n_iter_, got.converged_, len(got.loss_history_)) == (6, False, 6)
        _assert_same_bits(one, got)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    b=st.integers(1, 6),
    seed=st.integers(0, 50),
    max_iter=st.integers(1, 30),
    tol=st.sampled_from([0.0, 1e-6, 1e-3]),
    one_coin=st.booleans(),
)
def test_any_batch_gives_the_one_per_graph_fit(monkeypatch, b, seed, max_iter, tol, one_coin):
    """On the synchronous scheduler, ``b`` iterations per graph give every fitted attribute of one per
    graph bit for bit, whether EM settles inside a batch, at its end or at ``max_iter``."""
    answers, _ = confusion_crowd(120, 3, accuracies=(0.85, 0.7, 0.6, 0.5), per_item=3, seed=seed)
    method = OneCoinDawidSkene if one_coin else DawidSkene
    with dask.config.set(scheduler="sync"):
        one = _fit(monkeypatch, method(max_iter=max_iter, tol=tol), answers, 3, batch=1)
        got = _fit(monkeypatch, method(max_iter=max_iter, tol=tol), answers, 3, batch=b)
    _assert_same_bits(one, got)
    assert len(got.loss_history_) == got.n_iter_ <= max_iter
