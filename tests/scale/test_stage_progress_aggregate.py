"""The distributed aggregation draws one progress bar per stage (EM: one over its iterations)."""

from __future__ import annotations

import pytest

import labelwise as lw
from labelwise.aggregate import distributed
from labelwise.errors import InvalidParameterError

from ._bars import assert_complete, drawn
from .test_distributed_aggregate import _answers, _assert_same_fit

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

STAGES = ["encoding answers", "EM iterations", "gathering labels"]


@pytest.fixture(scope="module")
def answers():
    return _answers(600, 3, seed=19)


class TestDaskThreads:
    def test_one_bar_per_stage_and_one_tick_per_em_iteration(self, answers):
        """Each stage is a line ending at its total; the EM line counts the iterations run."""
        ref = lw.aggregate.DawidSkene().fit(answers)
        with dask.config.set(scheduler="threads"), drawn() as buf:
            got = distributed.fit(lw.aggregate.DawidSkene(), dd.from_pandas(answers, npartitions=3))
        found = assert_complete(buf.getvalue(), STAGES)
        assert found["EM iterations"] == (got.n_iter_, str(got.n_iter_))
        _assert_same_fit(got, ref)

    def test_majority_vote_has_no_em_line(self, answers):
        """Majority vote runs no EM: its encoding and gathering are drawn, nothing else."""
        with dask.config.set(scheduler="threads"), drawn() as buf:
            distributed.fit(lw.aggregate.MajorityVote(), dd.from_pandas(answers, npartitions=3))
        found = assert_complete(buf.getvalue(), ["encoding answers", "gathering labels"])
        assert "EM iterations" not in found

    def test_the_estimators_fit_on_a_dask_frame_is_silent_without_a_terminal(self, answers, capsys):
        """``OneCoinDawidSkene().fit(ddf)`` with stderr captured (as in CI) prints nothing."""
        with dask.config.set(scheduler="threads"):
            lw.aggregate.OneCoinDawidSkene().fit(dd.from_pandas(answers, npartitions=3))
        assert capsys.readouterr() == ("", "")

    def test_verbose_false_draws_nothing_and_the_fit_is_the_same(self, answers):
        """``verbose=False`` inside open bars: no line, and the same fit as with bars."""
        with dask.config.set(scheduler="threads"), drawn() as buf:
            quiet = distributed.fit(lw.aggregate.DawidSkene(), dd.from_pandas(answers, npartitions=3), verbose=False)
            shown = distributed.fit(lw.aggregate.DawidSkene(), dd.from_pandas(answers, npartitions=3), verbose=True)
        found = assert_complete(buf.getvalue(), STAGES)
        assert found["EM iterations"][0] == shown.n_iter_  # drawn once: for the second fit only
        _assert_same_fit(quiet, shown)

    def test_verbose_must_be_a_bool_or_none(self, answers):
        """Any other value is an error naming the parameter."""
        with pytest.raises(InvalidParameterError, match="verbose must be True, False or None, got 1"):
            distributed.fit(lw.aggregate.DawidSkene(), dd.from_pandas(answers, npartitions=2), verbose=1)


def test_on_a_local_cluster_the_futures_are_counted_to_the_total(answers, client):
    """On ``distributed``, encoding and gathering count their futures; the fit equals the in-memory one."""
    ref = lw.aggregate.OneCoinDawidSkene().fit(answers)
    with drawn() as buf:
        got = distributed.fit(lw.aggregate.OneCoinDawidSkene(), dd.from_pandas(answers, npartitions=3))
    found = assert_complete(buf.getvalue(), STAGES)
    assert int(found["encoding answers"][1]) > 3  # the three distinct-value reductions, partitions, setup
    assert found["EM iterations"] == (got.n_iter_, str(got.n_iter_))
    _assert_same_fit(got, ref)
