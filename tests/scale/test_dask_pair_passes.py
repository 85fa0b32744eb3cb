"""The passes of Dawid-Skene's pair check on Dask: every screened pair's members gathered in one pass.

On main (session 43) the pair check gathered each screened pair's two members' answers (their items'
posteriors without the pair) in a pass of their own over the partitions: two passes per screened
pair (up to ``MAX_CONFIRMED_PAIRS``), and two more per confirmed suspect. Now ``DaskPairs.bases_list``
gathers all screened pairs' members in one pass and a suspect's two in one. These tests fail on main.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import labelwise.aggregate._dask_pairs as dask_pairs
import labelwise.aggregate._dependent as dependent
from labelwise.aggregate import DawidSkene
from labelwise.aggregate._dependent import MemoryPairs
from labelwise.aggregate._observed import _Observed
from labelwise.aggregate.majority import weighted_vote_shares
from tests.scale.test_dask_ring_passes import _dask_pairs, _encoded, _pass_name
from tests.scale.test_distributed_dependence import FIXED_ITER

dask = pytest.importorskip("dask")


def _find_pairs(monkeypatch, n_parts: int, triad: bool) -> tuple[Counter, np.ndarray | None, np.ndarray | None]:
    """The pair check's passes on ``n_parts`` partitions, its rows, and the in-memory check's rows."""
    monkeypatch.setattr(dependent, "CONFIRM_TOL", 0.0)
    enc, codes = _encoded(0)
    est = DawidSkene(max_iter=FIXED_ITER, tol=0.0)
    pseudo = est._pseudo_counts(enc.patterns)
    pat = enc.patterns
    memory = MemoryPairs(est, enc, pat, _Observed.build(pat), weighted_vote_shares(pat.answers))
    want = dependent.find_dependent_pairs(memory, pseudo, 4.0, FIXED_ITER, 0.0, triad=triad)
    data = _dask_pairs(enc, codes, n_parts, est)
    passes: Counter = Counter()
    compute, persist = dask_pairs.compute, dask_pairs.persist

    def counted(run):
        def wrapper(*objs, **kw):
            passes[_pass_name(objs)] += 1
            return run(*objs, **kw)

        return wrapper

    monkeypatch.setattr(dask_pairs, "compute", counted(compute))
    monkeypatch.setattr(dask_pairs, "persist", counted(persist))
    with dask.config.set(scheduler="sync"):
        got = dependent.find_dependent_pairs(data, pseudo, 4.0, FIXED_ITER, 0.0, triad=triad)
    return passes, got, want


@pytest.mark.parametrize("n_parts", [1, 4])
def test_the_screened_pairs_members_are_gathered_in_one_pass(monkeypatch, n_parts):
    """The screened pairs' members in one pass, then every suspect's in one more (session 45: the
    suspects' fits without a pair run in lock step, their held-out partitions in one ``weigh`` pass;
    every suspect of this crowd is confirmed, so one round); never a pass per member. The rows are
    the in-memory check's (``n_shared`` and ``agreements`` exactly, ``z`` to 1e-9)."""
    passes, got, want = _find_pairs(monkeypatch, n_parts, triad=False)
    assert got is not None and want is not None and len(got) >= 2  # the ring's and the copied pair's
    np.testing.assert_array_equal(got[:, :4], want[:, :4])
    np.testing.assert_allclose(got[:, 4:], want[:, 4:], rtol=0, atol=1e-9)
    assert passes["part_bases"] == 0
    assert passes["weigh"] == 1  # every suspect's fit without its pair made in one pass
    assert passes["part_bases_list"] == 2
