"""One confusion shared by every annotator in ``DawidSkene`` (``shared_confusion``) and its likelihood-ratio test
(``labelwise.aggregate._shared_confusion``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import DawidSkene
from labelwise.aggregate._shared_confusion import ALPHA, SharedTest, em_fit, observed_rows, shared_test
from labelwise.errors import InvalidParameterError, LabelwiseWarning


def slot_answers(n: int, k: int, accuracy, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """A long table stored by slot: slot ``t`` answers every item, right with ``accuracy[t]``, its errors on the
    class's look-alike (``y + 1``) half the time, else uniform. Equal accuracies: exchangeable slots."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    frames = []
    for t, acc in enumerate(accuracy):
        wrong = np.where(rng.random(n) < 0.5, (y + 1) % k, (y + rng.integers(1, k, n)) % k)
        label = np.where(rng.random(n) < acc, y, wrong)
        frames.append(pd.DataFrame({"item": np.arange(n), "annotator": f"annotator_{t + 1}", "label": label}))
    return pd.concat(frames, ignore_index=True), y


class TestTiedEM:
    @pytest.mark.parametrize("smoothing", ["auto", 0.0, 0.5])
    def test_tied_em_equals_the_per_annotator_em_of_one_stacked_annotator(self, smoothing):
        """Every answer given by one annotator (duplicates kept) is the tied model: the same posterior, confusion,
        class prior, loss and iterations, under each prior."""
        answers, _ = slot_answers(900, 4, [0.6, 0.7, 0.8], seed=1)
        tied = DawidSkene(shared_confusion=True, smoothing=smoothing, dependency_threshold=None).fit(answers)
        one = DawidSkene(smoothing=smoothing, dependency_threshold=None).fit(answers.assign(annotator="one"))
        np.testing.assert_allclose(tied.probas_.to_numpy(), one.probas_.to_numpy(), rtol=0, atol=1e-12)
        assert tied.labels_.equals(one.labels_)
        for conf in tied.annotator_confusion_:
            np.testing.assert_allclose(conf, one.annotator_confusion_[0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(tied.priors_.to_numpy(), one.priors_.to_numpy(), rtol=0, atol=1e-12)
        np.testing.assert_allclose(tied.loss_history_, one.loss_history_, rtol=0, atol=1e-12)
        assert tied.shared_confusion_ and tied.n_iter_ == one.n_iter_

    def test_the_tied_loss_never_increases(self):
        """The negative log posterior per answer of the tied MAP fit falls at every EM step."""
        answers, _ = slot_answers(400, 3, [0.7, 0.7, 0.7], seed=2)
        with pytest.warns(LabelwiseWarning, match="did not converge"):  # tol=0 runs every step
            loss = np.array(DawidSkene(shared_confusion=True, tol=0).fit(answers).loss_history_)
        assert len(loss) > 3 and np.all(np.diff(loss) <= 1e-12)

    def test_em_fit_from_vote_rows_equals_the_fit_from_the_long_table(self):
        """``em_fit`` on ``observed_rows`` (the weak layer's rows) gives the posterior DawidSkene's ML fit gives."""
        answers, _ = slot_answers(300, 3, [0.7, 0.75, 0.8], seed=3)
        matrix = answers.pivot(index="item", columns="annotator", values="label").to_numpy()
        fit = em_fit(observed_rows(matrix, np.ones(len(matrix)), 3), 3, shared=True, tol=-np.inf, n_iter=40)
        ds = DawidSkene(shared_confusion=True, smoothing=0.0, tol=0, max_iter=40, dependency_threshold=None)
        with pytest.warns(LabelwiseWarning, match="did not converge"):  # tol=0 runs all 40 steps
            probas = ds.fit(answers).probas_.to_numpy()
        np.testing.assert_allclose(fit.post, probas, rtol=0, atol=1e-10)


class TestAuto:
    def test_exchangeable_slots_keep_one_shared_confusion(self):
        """Three slots of one accuracy: the test does not reject and the fit is the tied one."""
        answers, _ = slot_answers(3000, 4, [0.75, 0.75, 0.75], seed=4)
        auto = DawidSkene(shared_confusion="auto").fit(answers)
        assert isinstance(auto.shared_test_, SharedTest) and auto.shared_test_.p_value >= ALPHA
        assert auto.shared_test_.df == 2 * 4 * 3 and auto.shared_confusion_
        tied = DawidSkene(shared_confusion=True).fit(answers)
        np.testing.assert_array_equal(auto.probas_.to_numpy(), tied.probas_.to_numpy())

    def test_unequal_slots_keep_one_confusion_each(self):
        """Slots right 55%, 75% and 95% of the time: rejected, and the fit equals ``shared_confusion=False``'s."""
        answers, _ = slot_answers(5000, 3, [0.55, 0.75, 0.95], seed=5)
        auto = DawidSkene(shared_confusion="auto").fit(answers)
        assert auto.shared_test_.p_value < 1e-6 and not auto.shared_confusion_
        off = DawidSkene(shared_confusion=False).fit(answers)
        np.testing.assert_array_equal(auto.probas_.to_numpy(), off.probas_.to_numpy())
        assert off.shared_test_ is None

    def test_too_few_answers_per_cell_runs_no_test(self):
        """40 annotators with about 150 answers each at K = 10 (under 5 per cell): no test, the per-annotator fit."""
        rng = np.random.default_rng(6)
        n, k = 2000, 10
        y = rng.integers(0, k, n)
        rows = [(i, f"w{w}", y[i] if rng.random() < 0.7 else rng.integers(0, k)) for i in range(n)
                for w in rng.choice(40, 3, replace=False)]  # fmt: skip
        answers = pd.DataFrame(rows, columns=["item", "annotator", "label"])
        auto = DawidSkene(shared_confusion="auto").fit(answers)
        assert auto.shared_test_ is None and not auto.shared_confusion_

    def test_shared_confusion_must_be_auto_true_or_false(self):
        """Any other value is an error naming the parameter and what it got."""
        answers, _ = slot_answers(50, 2, [0.8, 0.8], seed=7)
        with pytest.raises(InvalidParameterError, match=r"shared_confusion must be 'auto', True or False, got 'yes'"):
            DawidSkene(shared_confusion="yes").fit(answers)


class TestSharedTest:
    @settings(max_examples=20, deadline=None)
    @given(seed=st.integers(0, 10_000), k=st.integers(2, 4), slots=st.integers(2, 4))
    def test_statistic_is_nonnegative_and_ignores_the_annotators_order(self, seed, k, slots):
        """The tied model is nested in the separate one (2Δℓ >= 0), and permuting the annotators changes nothing."""
        answers, _ = slot_answers(400, k, np.linspace(0.6, 0.9, slots), seed=seed)
        matrix = answers.pivot(index="item", columns="annotator", values="label").to_numpy()
        w = np.ones(len(matrix))
        test = shared_test(observed_rows(matrix, w, k), k)
        assert test is not None and test.statistic >= 0 and 0 <= test.p_value <= 1
        assert test.df == (slots - 1) * k * (k - 1)
        perm = np.random.default_rng(seed).permutation(slots)
        again = shared_test(observed_rows(matrix[:, perm], w, k), k)
        assert again.statistic == pytest.approx(test.statistic, rel=1e-6, abs=1e-6)

    def test_weighted_rows_give_the_test_of_the_repeated_rows(self):
        """A row standing for ``w`` items gives the statistic of that row written ``w`` times."""
        answers, _ = slot_answers(600, 3, [0.7, 0.8, 0.9], seed=8)
        matrix = answers.pivot(index="item", columns="annotator", values="label").to_numpy()
        rows, counts = np.unique(matrix, axis=0, return_counts=True)
        grouped = shared_test(observed_rows(rows, counts.astype(float), 3), 3)
        plain = shared_test(observed_rows(matrix, np.ones(len(matrix)), 3), 3)
        assert grouped.statistic == pytest.approx(plain.statistic, rel=1e-6)
