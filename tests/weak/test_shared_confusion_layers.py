"""The weak label model's exchangeable-labeler test and ``aggregate.DawidSkene(shared_confusion="auto")`` are one test
and one tied EM (``aggregate._shared_confusion``): the same table gives the same answer from both layers."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.aggregate import DawidSkene
from labelwise.weak import LabelModel, _exchangeable
from tests.weak.test_exchangeable import slot_crowd


def test_both_layers_run_the_same_test_and_reach_the_same_shared_fit():
    """An exchangeable slot table: both keep the shared confusion with the same statistic, and (under the same
    diagonal prior, run to convergence) the same labels and posteriors."""
    votes, _ = slot_crowd(3000, 4, 3, [0.75, 0.75, 0.75], seed=1)
    weak = LabelModel(smoothing=0, tol=1e-13, n_em_iter=5000).fit(votes)
    agg = DawidSkene(shared_confusion="auto", tol=1e-14, max_iter=5000).fit(votes.to_annotations())
    assert weak.shared_confusion_.p_value >= _exchangeable.ALPHA and agg.shared_confusion_
    assert agg.shared_test_.df == weak.shared_confusion_.df
    assert agg.shared_test_.statistic == pytest.approx(weak.shared_confusion_.statistic, rel=1e-9)
    assert agg.labels_.reindex(weak.labels_.index).equals(weak.labels_)
    np.testing.assert_allclose(agg.probas_.reindex(weak.probas_.index).to_numpy(), weak.probas_.to_numpy(), atol=1e-5)


def test_the_weak_test_is_the_aggregate_test_on_the_vote_rows():
    """``weak._exchangeable.shared_test`` is the aggregate layer's test on the rows, counts floored at the label
    model's floor: a statistic that separates unequal slots from equal ones."""
    from labelwise.aggregate._shared_confusion import observed_rows, shared_test
    from labelwise.weak._posterior import FLOOR

    for accuracy, rejected in (([0.55, 0.75, 0.95], True), ([0.75, 0.75, 0.75], False)):
        votes, _ = slot_crowd(3000, 3, 3, accuracy, seed=2)
        matrix = votes.matrix()
        w = np.ones(len(matrix))
        weak = _exchangeable.shared_test(matrix, w, 3)
        assert weak == shared_test(observed_rows(matrix, w, 3), 3, floor=FLOOR)
        assert (weak.p_value < _exchangeable.ALPHA) is rejected
