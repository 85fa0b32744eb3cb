"""KOS for more than two classes (Karger, Oh & Shah 2013): K - 1 binary tasks by thresholding the
class order, each solved by the binary message passing, the label counted from their answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.aggregate import KOS, MajorityVote, encode_answers
from labelwise.aggregate.kos import kos_messages, threshold_posterior


def ordinal_crowd(n_items: int, k: int, n_honest: int, n_reversed: int, seed: int):
    """Honest annotators right with probability 0.7, else one class off; the others answer the
    reversed class ``k - 1 - truth``. Five answers per item; returns ``(answers, truth)``."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    n_ann = n_honest + n_reversed
    item = np.repeat(np.arange(n_items), 5)
    ann = np.concatenate([rng.choice(n_ann, 5, replace=False) for _ in range(n_items)])
    t = truth[item]
    step = rng.choice([-1, 1], item.size)
    off = np.clip(t + step, 0, k - 1)
    off = np.where(off == t, t - step, off)
    label = np.where(rng.random(item.size) < 0.7, t, off)
    label = np.where(ann >= n_honest, k - 1 - t, label)
    return pd.DataFrame({"item": item, "annotator": ann, "label": label}), truth


class TestThresholdPosterior:
    def test_the_label_counts_the_no_answers(self):
        """Scores < 0 say "not among classes 0..t": their count is the label, one-hot."""
        post = threshold_posterior(np.array([[-1.0, -0.5, 0.3], [0.2, 0.1, 0.4], [-1.0, -0.2, -0.3]]))
        np.testing.assert_array_equal(post, np.eye(4)[[2, 0, 3]])

    def test_ties_are_fair_coins(self):
        """Each tied task splits the label between two neighbouring counts: binomial shares."""
        post = threshold_posterior(np.array([[-1.0, 0.0, 0.3], [0.0, 0.0, -1.0], [0.0, 0.4, 0.5]]))
        np.testing.assert_array_equal(post[0], [0.0, 0.5, 0.5, 0.0])
        np.testing.assert_array_equal(post[1], [0.0, 0.25, 0.5, 0.25])
        np.testing.assert_array_equal(post[2], [0.5, 0.5, 0.0, 0.0])

    def test_one_task_is_the_binary_decision(self):
        """K = 2: class 0 on a positive score, class 1 on a negative one, 0.5 each on a tie."""
        post = threshold_posterior(np.array([[0.7], [-0.2], [0.0]]))
        np.testing.assert_array_equal(post, [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])


class TestReduction:
    def test_each_task_is_binary_kos_on_the_thresholded_answers(self):
        """Column t of item_scores_ is the message passing on "label <= t" answers, from the t-th
        batch of N(1, 1) draws (one per answer in (item, annotator, label) order)."""
        answers, _ = ordinal_crowd(60, 4, 6, 2, seed=3)
        est = KOS(n_iter=9, random_state=5).fit(answers)
        enc = encode_answers(answers)
        item, ann, label = (np.asarray(a, dtype=np.intp) for a in (enc.item_idx, enc.annotator_idx, enc.label_idx))
        order = np.lexsort((label, ann, item))
        item, ann, label = item[order], ann[order], label[order]
        rng = np.random.default_rng(5)
        for t in range(3):
            y0 = rng.normal(1.0, 1.0, size=item.size)
            sign = np.where(label <= t, 1.0, -1.0)
            score, reliability = kos_messages(item, ann, sign, y0, 9, enc.n_items, enc.n_annotators)
            np.testing.assert_allclose(est.item_scores_.iloc[:, t], score / np.abs(score).max(), rtol=0, atol=1e-12)
            np.testing.assert_allclose(
                est.annotator_reliability_.iloc[:, t], reliability / np.abs(reliability).max(), rtol=0, atol=1e-12
            )
        assert list(est.item_scores_.columns) == [0, 1, 2]

    def test_labels_and_probas_follow_the_task_scores(self):
        """labels_ is the count of negative task scores where none is tied; probas_ one-hot there."""
        answers, _ = ordinal_crowd(80, 5, 6, 1, seed=4)
        est = KOS().fit(answers)
        scores = est.item_scores_.to_numpy()
        untied = (scores != 0).all(axis=1)
        assert untied.mean() > 0.9
        np.testing.assert_array_equal(est.labels_.to_numpy()[untied], (scores[untied] < 0).sum(axis=1))
        np.testing.assert_array_equal(est.probas_.to_numpy()[untied].max(axis=1), 1.0)


class TestModel:
    def test_reversing_annotators_are_undone(self):
        """A third of the annotators answer the reversed class: the middle threshold task (classes
        0-1 against 2-3) sees them as adversaries, and KOS recovers far more than the plain vote."""
        answers, truth = ordinal_crowd(500, 4, 8, 4, seed=0)
        kos = KOS().fit(answers)
        vote = MajorityVote().fit(answers)
        kos_acc = (kos.labels_.to_numpy() == truth).mean()
        assert kos_acc > (vote.labels_.to_numpy() == truth).mean() + 0.15 and kos_acc > 0.75
        middle = kos.annotator_reliability_[1].to_numpy()
        assert (middle[8:] < 0).all() and (middle[:8] > 0).all()

    def test_reversing_the_class_order_reverses_the_labels(self):
        """Renaming class c to K - 1 - c exchanges the thresholds and their signs: on a crowd where
        the iteration has converged, every label is reversed."""
        answers, _ = ordinal_crowd(300, 4, 8, 2, seed=1)
        a = KOS().fit(answers)
        b = KOS().fit(answers.assign(label=3 - answers["label"]))
        np.testing.assert_array_equal(3 - a.labels_.to_numpy(), b.labels_.to_numpy())

    def test_an_order_keeping_renaming_changes_nothing(self):
        """Classes renamed to strings in the same sorted order: the same labels, renamed, and scores."""
        answers, _ = ordinal_crowd(120, 3, 6, 1, seed=2)
        names = {0: "a", 1: "b", 2: "c"}
        a = KOS(n_iter=20).fit(answers)
        b = KOS(n_iter=20).fit(answers.assign(label=answers["label"].map(names)))
        pd.testing.assert_series_equal(a.labels_.map(names), b.labels_)
        np.testing.assert_array_equal(a.item_scores_.to_numpy(), b.item_scores_.to_numpy())

    def test_a_declared_class_nobody_gave_is_never_chosen(self):
        """labels= declares four classes, the answers use three: the last task is all "yes"."""
        answers, _ = ordinal_crowd(100, 3, 6, 0, seed=6)
        est = KOS(labels=[0, 1, 2, 3]).fit(answers)
        assert est.probas_.shape == (100, 4) and (est.labels_ != 3).all()
        assert (est.item_scores_[2] > 0).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), rows=st.integers(5, 60), k=st.integers(3, 5), rs=st.integers(0, 100))
def test_row_order_and_seed(seed, rows, k, rs):
    """Several classes: the same answers in any row order give the same labels and task scores."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {"item": rng.integers(0, 8, rows), "annotator": rng.integers(0, 4, rows), "label": rng.integers(0, k, rows)}
    )
    a = KOS(random_state=rs).fit(table)
    b = KOS(random_state=rs).fit(table.sample(frac=1.0, random_state=seed).reset_index(drop=True))
    pd.testing.assert_series_equal(a.labels_, b.labels_)
    # (a draw that uses two classes only gets the binary Series)
    pd.testing.assert_frame_equal(pd.DataFrame(a.item_scores_), pd.DataFrame(b.item_scores_), atol=1e-12, rtol=0)
