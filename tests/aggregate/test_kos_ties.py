"""KOS's ties: an item whose score is 0 takes its answers' vote (majority vote's rule), a coin only
when the vote ties too; with a single annotator every label is that annotator's answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.aggregate import KOS
from labelwise.aggregate.kos import tie_by_vote


class TestTieByVote:
    def test_a_nonzero_score_decides_and_a_zero_takes_the_vote(self):
        """Items 0 and 1 have scores (their sign wins over the vote); item 2 is tied and votes +1,
        item 3 is tied and its vote ties (0)."""
        score = np.array([0.5, -0.2, 0.0, 0.0])
        item = np.array([0, 0, 1, 2, 2, 2, 3, 3])
        sign = np.array([-1, -1, 1, 1, 1, -1, 1, -1], dtype=float)
        np.testing.assert_array_equal(tie_by_vote(score, item, sign), [1.0, -1.0, 1.0, 0.0])


class TestSingleAnnotator:
    def test_binary_labels_are_the_annotators_answers_for_every_seed(self):
        """One annotator, two classes: every label is that annotator's answer, whatever random_state."""
        rng = np.random.default_rng(0)
        answers = pd.DataFrame({"item": np.arange(40), "annotator": "solo", "label": rng.choice(["a", "b"], 40)})
        for seed in range(5):
            est = KOS(random_state=seed).fit(answers)
            np.testing.assert_array_equal(est.labels_.to_numpy(), answers["label"].to_numpy())
            assert set(np.unique(est.probas_.to_numpy())) == {0.0, 1.0}

    def test_multiclass_labels_are_the_annotators_answers(self):
        """One annotator, four classes: each threshold task takes the answer's side, so the label is the answer."""
        rng = np.random.default_rng(1)
        answers = pd.DataFrame({"item": np.arange(60), "annotator": 7, "label": rng.integers(0, 4, 60)})
        est = KOS(random_state=3).fit(answers)
        np.testing.assert_array_equal(est.labels_.to_numpy(), answers["label"].to_numpy())
        assert (est.item_scores_.to_numpy() == 0).all()  # KOS's own scores stay the tie they are


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), n_items=st.integers(1, 30), k=st.integers(2, 4), rs=st.integers(0, 100))
def test_annotators_who_share_no_item_give_their_own_answers(seed, n_items, k, rs):
    """Each item answered once, by annotators who never share an item: no messages pass, and the
    labels are the answers, for any seed (they used to be coin flips)."""
    rng = np.random.default_rng(seed)
    answers = pd.DataFrame(
        {"item": np.arange(n_items), "annotator": rng.integers(0, 5, n_items), "label": rng.integers(0, k, n_items)}
    )
    est = KOS(random_state=rs, labels=list(range(k))).fit(answers)
    np.testing.assert_array_equal(est.labels_.to_numpy(), answers["label"].to_numpy())
