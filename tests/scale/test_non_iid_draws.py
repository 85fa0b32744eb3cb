"""non_iid on dask: each permutation is drawn once on the workers, and the results are memory's."""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw
import labelwise.checks.non_iid as non_iid

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")


def _drifting(n: int = 300, seed: int = 0) -> np.ndarray:
    """Rows in the order of a drift along a curve: the neighbours of a row are rows near it."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 20, n)
    return np.c_[t, np.sin(t)] + rng.normal(scale=0.05, size=(n, 2))


@pytest.fixture
def draws(monkeypatch):
    """The number of permutations drawn (runs of the draw task) as a one-element list."""
    count = [0]
    real = non_iid._draw

    def counted(rng, n):
        count[0] += 1
        return real(rng, n)

    monkeypatch.setattr(non_iid, "_draw", counted)
    return count


class TestOneDrawPerPermutation:
    @pytest.mark.parametrize("scheduler", ["sync", "threads"])
    @pytest.mark.parametrize("chunks", [300, 70, (1, 150, 149)])
    def test_each_permutation_is_drawn_once_and_the_result_is_memorys(self, draws, scheduler, chunks):
        """n_permutations draws in all (not two per computation), for any chunking, and the in-memory
        statistic, p-value and flags to the bit."""
        X = _drifting()
        options = {"non_iid": {"n_permutations": 7}}
        theirs = lw.checks.find_data_issues(X, checks=["non_iid"], method="exact", check_options=options)
        with dask.config.set(scheduler=scheduler):
            ours = lw.checks.find_data_issues(
                da.from_array(X, chunks=(chunks, 2)), checks=["non_iid"], method="exact", check_options=options
            )
        assert draws[0] == 7
        assert ours.info["non_iid"] == theirs.info["non_iid"]
        got = ours.issues.compute()
        np.testing.assert_array_equal(got["non_iid_score"], theirs.issues["non_iid_score"])
        np.testing.assert_array_equal(got["is_non_iid_issue"], theirs.issues["is_non_iid_issue"])

    def test_the_draw_and_the_state_after_it_come_from_one_task(self):
        """The permutation and the state computed together: the draw's task runs once, the state is
        the one a copy of the generator reaches after ``permutation(n)``, and the client's generator
        is not moved by the computation itself."""
        rng = np.random.default_rng(5)
        before = dict(rng.bit_generator.state)
        position, state = non_iid._dask_draw(rng, 50)
        with dask.config.set(scheduler="sync"):
            perm, after = dask.compute(position, state)
        expected = np.random.default_rng(5)
        np.testing.assert_array_equal(perm, expected.permutation(50))
        assert after[0] == expected.bit_generator.state
        assert rng.bit_generator.state == before

    def test_on_a_cluster_the_permutations_are_memorys(self, client):
        """distributed (a LocalCluster): the in-memory statistic and p-value, permutations drawn on
        the workers."""
        X = _drifting(200, seed=2)
        options = {"non_iid": {"n_permutations": 4}}
        theirs = lw.checks.find_data_issues(X, checks=["non_iid"], method="exact", check_options=options)
        ours = lw.checks.find_data_issues(
            da.from_array(X, chunks=(60, 2)), checks=["non_iid"], method="exact", check_options=options
        )
        assert ours.info["non_iid"] == theirs.info["non_iid"]
