"""Methods with dense per-class arrays refuse, before fitting, a label set whose arrays exceed the memory
available now (not the machine's total), naming the method, K, the bytes needed and available and the
methods that work on any K; majority vote and its weighted forms fit any K."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise import _memory
from labelwise.aggregate import GLAD, MMSR, DawidSkene, MajorityVote, Wawa, ZeroBasedSkill, _sparse_votes
from labelwise.errors import EstimatorError

ANSWERS = pd.DataFrame({"item": np.arange(400) // 4, "annotator": np.arange(400) % 4, "label": np.arange(400) % 200})
#: GLAD's floor on ANSWERS: two 100 x 200 float64 arrays of the posterior's size.
GLAD_NEED = _sparse_votes.POSTERIOR_COPIES * 100 * 200 * 8
#: Dawid-Skene's: those and 4 annotators' 200 x 200 confusion matrices.
DS_NEED = GLAD_NEED + 4 * 200 * 200 * 8


def _memory_of(monkeypatch, available: int, total: int = 1 << 40) -> None:
    """Patch the memory available now and the machine's total (1 TiB unless given)."""
    monkeypatch.setattr(_memory, "available_memory", lambda: available)
    monkeypatch.setattr(_memory, "total_memory", lambda: total)


def test_dawid_skene_refuses_k_squared_confusions_larger_than_memory(monkeypatch):
    """With 1 MiB available, K=200 and 4 annotators (4 x 200 x 200 x 8 bytes) are refused by name."""
    _memory_of(monkeypatch, 1 << 20)
    with pytest.raises(EstimatorError) as err:
        DawidSkene(max_iter=5).fit(ANSWERS)
    message = str(err.value)
    assert "K=200" in message and "4 annotators x 200 x 200" in message and "GiB" in message
    assert "MajorityVote" in message and "majority-vote" in message


def test_other_dense_methods_refuse_and_the_votes_do_not(monkeypatch):
    """GLAD's posterior alone is over the (patched) memory: refused; majority vote, Wawa and zero-based
    skill (votes on the answered cells) fit the same answers."""
    _memory_of(monkeypatch, 1000)
    with pytest.raises(EstimatorError, match=r"GLAD needs a 100 items x 200 classes posterior"):
        GLAD().fit(ANSWERS)
    for est in (MajorityVote(), Wawa(), ZeroBasedSkill()):
        assert est.fit(ANSWERS).labels_.shape == (100,)


def test_refused_when_available_memory_is_below_the_need_though_the_total_is_above(monkeypatch, tmp_path):
    """A machine of 1 TiB with 100 kB available (read from a /proc/meminfo text) refuses GLAD: the need is
    compared with what is available, and the message names the method, need, available, total and ways out."""
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       1073741824 kB\nMemFree:             50 kB\nMemAvailable:      100 kB\n")
    monkeypatch.setattr(_memory, "MEMINFO", str(meminfo))
    monkeypatch.setattr(_memory, "total_memory", lambda: 1 << 40)
    with pytest.raises(EstimatorError) as err:
        GLAD().fit(ANSWERS)
    message = str(err.value)
    assert message.startswith("GLAD needs a 100 items x 200 classes posterior, 0.0 GiB at the least")
    assert "memory available now (0.0 GiB of this machine's 1,024.0 GiB)" in message
    for way_out in ("--method majority-vote", "wawa, zero-based-skill, gold-majority-vote", "--parse-answers"):
        assert way_out in message


@pytest.mark.parametrize(
    ("est", "need"),
    [(GLAD(max_iter=3), GLAD_NEED), (DawidSkene(max_iter=3), DS_NEED), (MMSR(), 100 * 200 * 8)],
    ids=["glad", "dawid-skene", "mmsr-one-posterior"],
)
def test_not_refused_when_the_need_is_available(monkeypatch, est, need):
    """Exactly the need available (the posterior twice, with Dawid-Skene's confusions; once for MMSR, which
    normalises its scores in place): the fit runs; a byte less, on a machine whose total holds it, is refused."""
    _memory_of(monkeypatch, need)
    assert est.fit(ANSWERS).labels_.shape == (100,)
    _memory_of(monkeypatch, need - 1)
    with pytest.raises(EstimatorError, match="more than the memory available now"):
        est.fit(ANSWERS)


def test_a_table_that_fits_in_memory_is_not_refused():
    """The real machine's available memory holds these arrays: Dawid-Skene fits as before."""
    assert DawidSkene(max_iter=3).fit(ANSWERS).labels_.shape == (100,)


def test_auto_aggregator_refuses_before_scoring_its_candidates(monkeypatch):
    """AutoAggregator refuses under its own name before the held-out scoring allocates its dense vote counts
    (main: the scoring ran, and Dawid-Skene's refit refused); a lone majority-vote candidate still fits."""
    from labelwise.aggregate import AutoAggregator

    _memory_of(monkeypatch, DS_NEED - 1)
    with pytest.raises(
        EstimatorError, match=r"^AutoAggregator needs a 100 items x 200 classes posterior and 4 annotators"
    ):
        AutoAggregator().fit(ANSWERS)
    assert AutoAggregator(candidates=["majority-vote"]).fit(ANSWERS).labels_.shape == (100,)
