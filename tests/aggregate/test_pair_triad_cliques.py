"""The triad gate keeps a clique of found pairs: three accounts of one worker (lead, session 40).

dsdep40's gate drops a pair whose excess agreement both members share with a third annotator. Three
accounts of one worker are three such pairs, each sharing its excess with the third account, so on
the merge every pair of the ring was dropped and the ring counted three times (accuracy 3-8 points
lower on simulated crowds). A third annotator the check finds dependent with both members is one
clique with them and no longer counts against the pair. Both tests fail on the merge of dsdep40.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import DawidSkene
from labelwise.aggregate._pair_triad import triad_keep
from labelwise.aggregate.simulate import simulate_annotators


def test_triad_keep_keeps_a_triangle_of_found_pairs_and_still_drops_a_path():
    """(0, 1, 2) all found: kept; (5, 6) and (6, 7) found but not (5, 7): the shared excess drops them."""
    z = {(0, 1): 9.0, (0, 2): 9.5, (1, 2): 8.5, (5, 6): 6.7, (6, 7): 6.8, (5, 7): 4.0}
    shared = (np.array([0, 0, 1, 5, 5, 6]), np.array([1, 2, 2, 6, 7, 7]), np.full(6, 60.0))  # items each pair shares
    found = np.array([[0, 1], [0, 2], [1, 2], [5, 6], [6, 7]])
    keep = triad_keep(found, lambda x, y: z.get((x, y), 0.0), shared, 50, 5.0)
    assert keep.tolist() == [True, True, True, False, False]


@pytest.mark.parametrize("seed", [0, 3])
def test_three_accounts_of_one_worker_stay_grouped(seed):
    """A worker copied into two more accounts: every pair of the three found and kept, the labels
    those of the check without the gate."""
    truth = pd.Series(np.random.default_rng(seed).integers(0, 4, 600))
    answers = simulate_annotators(
        truth, n_annotators=15, answers_per_item=5, accuracy=(0.45, 0.8), random_state=seed
    ).answers
    annotator = answers.columns[1]
    first = answers[annotator].unique()[0]
    own = answers[answers[annotator] == first]
    ring = pd.concat([answers, *(own.assign(**{annotator: f"{first}_copy{c}"}) for c in (1, 2))], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gated = DawidSkene().fit(ring)
        plain = DawidSkene(dependency_triad=False).fit(ring)
    assert len(gated.dependent_pairs_) == 3
    pd.testing.assert_series_equal(gated.labels_, plain.labels_)
