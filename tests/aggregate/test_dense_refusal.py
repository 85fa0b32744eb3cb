"""Methods with dense per-class arrays refuse, before fitting, a label set whose arrays exceed the machine's
memory, naming K, the bytes and majority vote; majority vote itself fits any K."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import GLAD, DawidSkene, MajorityVote, Wawa, ZeroBasedSkill, _sparse_votes
from labelwise.errors import EstimatorError

ANSWERS = pd.DataFrame({"item": np.arange(400) // 4, "annotator": np.arange(400) % 4, "label": np.arange(400) % 200})


def test_dawid_skene_refuses_k_squared_confusions_larger_than_memory(monkeypatch):
    """With 1 MiB of memory, K=200 and 4 annotators (4 x 200 x 200 x 8 bytes) are refused by name."""
    monkeypatch.setattr(_sparse_votes, "physical_memory", lambda: 1 << 20)
    with pytest.raises(EstimatorError) as err:
        DawidSkene(max_iter=5).fit(ANSWERS)
    message = str(err.value)
    assert "K=200" in message and "4 annotators x 200 x 200" in message and "GiB" in message
    assert "MajorityVote" in message and "majority-vote" in message


def test_other_dense_methods_refuse_and_the_votes_do_not(monkeypatch):
    """GLAD's posterior alone is over the (patched) memory: refused; majority vote, Wawa and zero-based
    skill (votes on the answered cells) fit the same answers."""
    monkeypatch.setattr(_sparse_votes, "physical_memory", lambda: 1000)
    with pytest.raises(EstimatorError, match=r"GLAD needs a 100 items x 200 classes posterior"):
        GLAD().fit(ANSWERS)
    for est in (MajorityVote(), Wawa(), ZeroBasedSkill()):
        assert est.fit(ANSWERS).labels_.shape == (100,)


def test_a_table_that_fits_in_memory_is_not_refused():
    """The real machine's memory holds these arrays: Dawid-Skene fits as before."""
    assert DawidSkene(max_iter=3).fit(ANSWERS).labels_.shape == (100,)
