"""MultiLabelAggregator against crowd-kit 1.4.2's ``BinaryRelevance`` on the same simulated answers.

Majority vote: crowd-kit's per-tag vote and labelwise's are the same vote shares; they differ only
where a tag's vote is an exact tie (labelwise leaves the tag out, crowd-kit picks a side by the
order of its columns), so the tag sets are compared on the items with no tied tag, and the
probabilities everywhere. Dawid-Skene: labelwise at ``smoothing=0`` (crowd-kit's model has no
prior) run to convergence and crowd-kit run on (``tol < 0``) reach the same fixed point; the
probabilities are compared within 1e-3 and the tag sets wherever no probability is within 1e-3 of 0.5.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import MultiLabelAggregator, simulate_multilabel_crowd

crowdkit = pytest.importorskip("crowdkit.aggregation")


def _peer(base, answers: pd.DataFrame):
    table = answers.rename(columns={"item": "task", "annotator": "worker", "tags": "label"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return crowdkit.BinaryRelevance(base_aggregator=base).fit(table.assign(label=table["label"].map(list)))


def _peer_sets(peer, index: pd.Index) -> pd.Series:
    return peer.labels_.map(lambda tags: tuple(sorted(tags))).reindex(index)


def _peer_probas(peer, like: pd.DataFrame) -> np.ndarray:
    cols = [peer.aggregators_[t].probas_.reindex(like.index)[1].fillna(0.0).to_numpy() for t in like.columns]
    return np.column_stack(cols)


CROWDS = [
    simulate_multilabel_crowd(300, 6, 20, per_item=4, random_state=1).answers,
    simulate_multilabel_crowd(200, 4, 12, per_item=5, spammers=0.3, random_state=2).answers,
]


@pytest.mark.parametrize("answers", CROWDS, ids=["even-per-item", "odd-per-item-spammers"])
def test_majority_vote_equals_binary_relevance_majority_vote(answers):
    """Vote shares equal crowd-kit's per tag (1e-12); tag sets equal on every item without a tied tag."""
    ours = MultiLabelAggregator("majority-vote").fit(answers)
    peer = _peer(crowdkit.MajorityVote(), answers)
    np.testing.assert_allclose(ours.probas_.to_numpy(), _peer_probas(peer, ours.probas_), atol=1e-12)
    untied = ~(ours.probas_ == 0.5).any(axis=1)
    assert untied.sum() > 0.4 * len(untied)
    theirs = _peer_sets(peer, ours.labels_.index)
    assert (theirs[untied] == ours.labels_[untied]).all()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::labelwise.errors.LabelwiseWarning")
@pytest.mark.parametrize(
    "answers", [c[c["item"] < 100] for c in CROWDS], ids=["even-per-item", "odd-per-item-spammers"]
)
def test_dawid_skene_at_smoothing_0_equals_binary_relevance_dawid_skene(answers):
    """At convergence both reach the same posteriors (1e-3) and the same tag sets where no P is near 0.5."""
    ours = MultiLabelAggregator("dawid-skene", smoothing=0.0, max_iter=150, tol=0.0).fit(answers)
    peer = _peer(crowdkit.DawidSkene(n_iter=150, tol=-1.0), answers)
    theirs_p = _peer_probas(peer, ours.probas_)
    np.testing.assert_allclose(ours.probas_.to_numpy(), theirs_p, atol=1e-3)
    clear = ~(np.abs(theirs_p - 0.5) < 1e-3).any(axis=1)
    theirs = _peer_sets(peer, ours.labels_.index)
    assert (theirs[clear] == ours.labels_[clear]).all()
