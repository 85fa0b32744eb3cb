"""check_pair_list's shortcuts (pairfast52): the terms of every answer, and the pairs' shared-row
table, give check_one_pair's numbers bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import _pair_list as pl
from labelwise.aggregate._pair_check import Entries, check_one_pair, log_given_of
from labelwise.aggregate._pair_list import check_pair_list
from tests.aggregate.test_pair_list import FIELDS, count_rows


def _one_by_one_equal(seed: int, k: int, twice: bool, n_pairs: int) -> None:
    obs, n_ann = count_rows(seed, k, twice)
    rng = np.random.default_rng(seed + 1)
    conf = rng.dirichlet(np.ones(k), (n_ann, k))
    ent = Entries.build(obs, n_ann)
    log_given, log_prior = log_given_of(obs, conf), np.log(rng.dirichlet(np.ones(k)))
    every = [(x, y) for x in range(n_ann) for y in range(n_ann) if x != y]
    pairs = [every[t] for t in rng.permutation(len(every))[:n_pairs]]
    a, b = np.array(pairs).reshape(-1, 2).T
    got = check_pair_list(obs, ent, log_given, log_prior, conf, a, b)
    for p, (x, y) in enumerate(pairs):
        ref = check_one_pair(obs, ent, log_given, log_prior, conf, x, y)
        for field in FIELDS:
            assert getattr(got, field)[p] == getattr(ref, field)[0], (p, field)


@pytest.mark.parametrize("share", [0.0, np.inf])
@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    k=st.sampled_from([2, 3, 5, 9]),
    twice=st.booleans(),
    n_pairs=st.integers(1, 40),
)
def test_every_answers_terms_and_the_touched_rows_terms_give_check_one_pairs_bits(share, seed, k, twice, n_pairs):
    """With the terms of every answer made (share 0) or only those of the rows the instances touch
    (share inf), each listed pair's numbers are check_one_pair's exactly."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pl, "WHOLE_SHARE", share)
        _one_by_one_equal(seed, k, twice, n_pairs)
