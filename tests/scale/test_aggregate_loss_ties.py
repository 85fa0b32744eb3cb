"""EM's stopping test at its fixed point: the same iterations in memory and on any partitioning of a
dask frame, where a loss decrease that is 0 in exact arithmetic rounds to either side of 0."""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw
from labelwise.aggregate import distributed
from labelwise.aggregate._converged import LOSS_TIE_RTOL, loss_settled

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")


def _answers(n_items: int, seed: int):
    true = np.random.default_rng(seed).integers(0, 3, n_items)
    sim = lw.aggregate.simulate_annotators(true, n_annotators=30, answers_per_item=3, random_state=seed)
    answers = sim.answers.sample(frac=1, random_state=seed).reset_index(drop=True)
    answers["annotator"] = answers["annotator"].astype(object)
    return answers


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("make", [lambda: lw.aggregate.DawidSkene(tol=0.0, max_iter=400),
                                  lambda: lw.aggregate.OneCoinDawidSkene(tol=0.0, max_iter=400)],
                         ids=["dawid_skene", "one_coin"])  # fmt: skip
def test_tol_zero_stops_at_the_same_iteration_for_any_partitioning(make, seed):
    """With ``tol=0`` EM ran until rounding made a decrease negative: Dawid-Skene 59 iterations in memory,
    68, 50 and 54 on 2, 5 and 9 partitions (seed 1). A decrease within rounding of the loss now ends it, at
    the same iteration everywhere, with the same labels."""
    answers = _answers(600, seed)
    ref = make().fit(answers)
    assert ref.converged_
    for n in (2, 5, 9):
        with dask.config.set(scheduler="sync"):
            got = distributed.fit(make(), dd.from_pandas(answers, npartitions=n), npartitions=n)
        assert (got.n_iter_, got.converged_) == (ref.n_iter_, ref.converged_), n
        np.testing.assert_array_equal(got.labels_.to_numpy(), ref.labels_.to_numpy())
        np.testing.assert_allclose(got.loss_history_, ref.loss_history_, rtol=1e-12)


class TestLossSettled:
    def test_a_decrease_within_rounding_of_the_loss_settles_even_with_tol_zero(self):
        """+-1 ulp of a loss of 1.28 is no progress, whichever sign it rounds to."""
        ulp = float(np.spacing(1.28))
        assert loss_settled(ulp, 1.28, 0.0) and loss_settled(-ulp, 1.28, 0.0)

    def test_a_real_decrease_above_tol_does_not_settle(self):
        """A decrease of 1e-6 goes on at tol=1e-7 and stops at tol=1e-5, as before."""
        assert not loss_settled(1e-6, 1.28, 1e-7)
        assert loss_settled(1e-6, 1.28, 1e-5)

    def test_the_rounding_floor_scales_with_large_losses_only(self):
        """The floor is LOSS_TIE_RTOL times the loss, or times 1 for a loss below 1."""
        assert loss_settled(0.9 * LOSS_TIE_RTOL * 1e4, 1e4, 0.0)
        assert not loss_settled(2 * LOSS_TIE_RTOL, 1e-3, 0.0)
        assert not loss_settled(np.inf, 1.0, 0.0)
