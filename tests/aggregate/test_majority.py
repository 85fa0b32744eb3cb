"""Tests for MajorityVote (labelwise.aggregate.majority)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import MajorityVote
from tests.aggregate._crowd import accuracy, load_crowd


def _tied():
    # 30 items, each with one vote for "a" and one for "b": every label is a tie.
    n = 30
    return pd.DataFrame({"item": np.repeat(np.arange(n), 2), "annotator": ["u", "v"] * n, "label": ["a", "b"] * n})


class TestMajorityVote:
    def test_soft_labels_are_vote_shares(self):
        """probas_ is each label's share of the item's votes."""
        t = pd.DataFrame({"item": [1, 1, 1, 2], "annotator": list("abca"), "label": ["x", "x", "y", "y"]})
        mv = MajorityVote().fit(t)
        np.testing.assert_allclose(mv.probas_.to_numpy(), [[2 / 3, 1 / 3], [0, 1]])
        assert mv.labels_.tolist() == ["x", "y"]

    def test_skill_is_agreement_with_the_majority(self):
        """annotator_skill_ is the share of an annotator's answers equal to the majority label."""
        t = pd.DataFrame({"item": [1, 1, 1, 2, 2, 2], "annotator": list("abcabc"), "label": [0, 0, 1, 1, 0, 0]})
        assert MajorityVote().fit(t).annotator_skill_.tolist() == [0.5, 1.0, 0.5]

    def test_ties_are_broken_reproducibly_by_random_state(self):
        """The same random_state gives the same tie-breaks; different seeds give different ones."""
        a = MajorityVote(random_state=1).fit(_tied()).labels_
        b = MajorityVote(random_state=1).fit(_tied()).labels_
        c = MajorityVote(random_state=2).fit(_tied()).labels_
        assert a.equals(b) and not a.equals(c)

    def test_ties_are_broken_fairly(self):
        """Over many tied items both labels win about half the time."""
        share = (MajorityVote(random_state=0).fit(_tied()).labels_ == "a").mean()
        assert 0.25 < share < 0.75

    def test_tie_breaks_do_not_depend_on_row_order(self):
        """Shuffling the rows does not change which tied label wins."""
        t = _tied()
        a = MajorityVote(random_state=3).fit(t).labels_
        b = MajorityVote(random_state=3).fit(t.sample(frac=1, random_state=0)).labels_
        assert a.equals(b)

    def test_generator_random_state_is_accepted(self):
        """A numpy Generator works as random_state."""
        labels = MajorityVote(random_state=np.random.default_rng(0)).fit(_tied()).labels_
        assert set(labels) <= {"a", "b"}

    @pytest.mark.parametrize("random_state", [None, "generator"])
    def test_skill_is_measured_against_the_returned_labels_whatever_the_seed(self, random_state):
        """With ties and a random_state that draws differently on every call, annotator_skill_
        is still the agreement with labels_ (the labels are drawn once per fit)."""
        t = _tied()
        seed = np.random.default_rng(7) if random_state == "generator" else None
        mv = MajorityVote(random_state=seed).fit(t)
        agree = t["label"].to_numpy() == mv.labels_.loc[t["item"]].to_numpy()
        expected = pd.Series(agree).groupby(t["annotator"].to_numpy()).mean()
        np.testing.assert_allclose(mv.annotator_skill_.to_numpy(), expected.to_numpy())
        assert not hasattr(mv, "_fit_codes")


@pytest.mark.slow
def test_accuracy_on_real_sets(shared_data):
    """Majority vote reaches the published accuracy level on two real sets."""
    for name, floor in (("smem_rte", 0.87), ("s4_Dog_data", 0.81)):
        answers, gold = load_crowd(shared_data, name)
        assert accuracy(MajorityVote().fit(answers).labels_, gold) >= floor


@pytest.mark.parametrize("block", [1, 7, 1 << 20])
def test_agreement_skill_does_not_depend_on_the_block_size(block):
    """The per-annotator agreement computed in blocks of answers equals the one-pass count."""
    from labelwise.aggregate._answers import encode_answers
    from labelwise.aggregate._base import agreement_skill

    rng = np.random.default_rng(0)
    table = pd.DataFrame({"item": rng.integers(0, 50, 400), "annotator": rng.integers(0, 9, 400)})
    table["label"] = rng.integers(0, 3, 400)
    enc = encode_answers(table)
    codes = rng.integers(0, 3, enc.n_items)
    hit = enc.label_idx == codes[enc.item_idx]
    expected = np.bincount(enc.annotator_idx, weights=hit) / np.bincount(enc.annotator_idx)
    np.testing.assert_array_equal(agreement_skill(enc, codes, block), expected)


def test_vote_shares_made_in_place_equal_the_shared_ones():
    """The fit divides a fresh count matrix in place (the counts are not cached on the encoding);
    shares, answers per item and labels equal those of the cached counts, bit for bit."""
    from labelwise.aggregate._answers import encode_answers
    from labelwise.aggregate.majority import _vote_shares_in_place, weighted_vote_shares

    rng = np.random.default_rng(7)
    n = 3000
    answers = pd.DataFrame(
        {"item": rng.integers(0, 700, n), "annotator": rng.integers(0, 40, n), "label": rng.integers(0, 4, n)}
    )
    fresh, cached = encode_answers(answers), encode_answers(answers)
    shared = weighted_vote_shares(cached)  # caches item_label_counts
    own = _vote_shares_in_place(fresh)
    assert "item_label_counts" not in fresh.__dict__
    np.testing.assert_array_equal(own, shared)
    np.testing.assert_array_equal(fresh.answers_per_item, np.bincount(fresh.item_idx, minlength=fresh.n_items))
    assert fresh.answers_per_item.dtype == np.int64
    np.testing.assert_array_equal(_vote_shares_in_place(cached), shared)  # cached counts are not overwritten
    np.testing.assert_array_equal(cached.item_label_counts.sum(axis=1), fresh.answers_per_item)
    est = MajorityVote().fit(answers)
    np.testing.assert_array_equal(est.probas_.to_numpy(), shared)
