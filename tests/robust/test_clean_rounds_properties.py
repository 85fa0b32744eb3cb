"""Properties of ``CleanClassifier``'s rounds (``n_rounds``, ``n_rounds_``): the rounds stop at the first
fixed point (the last two rounds' weights are equal, no earlier pair is) and only there, where one
more round would repeat the last one bit for bit; more rounds allowed change nothing once it is
reached; a refit is identical (or the documented error where a round leaves fewer than 2 classes)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.naive_bayes import GaussianNB

from labelwise._validate.arguments import seed_from
from labelwise.errors import TooFewExamplesError
from labelwise.robust import CleanClassifier


def _problem(seed: int, n: int, k: int, noise: float) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``k`` overlapping Gaussian blobs, a share of labels moved to a random class, weights or none."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    X = rng.normal(size=(n, 2)) + 1.5 * y[:, None]
    moved = rng.random(n) < noise
    y = np.where(moved, rng.integers(0, k, n), y)
    weights = rng.choice([0.0, 0.5, 1.0, 2.0], size=n) if seed % 3 == 0 else None
    return X, y, weights


OPTIONS = st.fixed_dictionaries(
    {
        "action": st.sampled_from(["drop", "reweight"]),
        "class_weighting": st.booleans(),
        "filter_by": st.sampled_from(["prune_by_noise_rate", "both", "confident_learning", "low_self_confidence"]),
        "n_rounds": st.integers(2, 6),
    }
)


def _fit(X, y, weights, options) -> CleanClassifier | str:
    """The fitted model, or the message of the documented error for rounds that leave < 2 classes."""
    try:
        return CleanClassifier(GaussianNB(), cv=3, random_state=0, **options).fit(X, y, sample_weight=weights)
    except TooFewExamplesError as exc:
        return str(exc)


def _round_weights(model: CleanClassifier, codes: np.ndarray, base: np.ndarray) -> list[np.ndarray]:
    return [model._weights(issues, codes, True) * base for issues in model.label_issues_rounds_]


class TestRounds:
    @settings(max_examples=12, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        n=st.integers(45, 120),
        k=st.integers(2, 3),
        noise=st.sampled_from([0.0, 0.2, 0.4]),
        options=OPTIONS,
    )
    def test_the_rounds_stop_at_the_first_fixed_point_where_another_round_repeats_the_last(
        self, seed, n, k, noise, options
    ):
        """``n_rounds_`` rounds recorded; equal weights in the last two when it stopped early (at
        ``n_rounds`` they may be too), in no earlier pair; one more round (the same refit on the final weights) gives the last
        round's probabilities bit for bit; any larger ``n_rounds`` gives the same model."""
        X, y, weights = _problem(seed, n, k, noise)
        model = _fit(X, y, weights, options)
        if isinstance(model, str):
            assert "n_rounds" in model or "filter_by" in model
            return
        assert 1 <= model.n_rounds_ <= options["n_rounds"] == model.n_rounds
        assert len(model.label_issues_rounds_) == model.n_rounds_
        codes = np.searchsorted(model.classes_, y)
        base = np.ones(n) if weights is None else weights
        rounds = _round_weights(model, codes, base)
        changed = [not np.array_equal(a, b) for a, b in zip(rounds[:-1], rounds[1:], strict=True)]
        assert all(changed[:-1])
        if model.n_rounds_ < options["n_rounds"]:
            assert not changed[-1]
            again = model._refit_probs(
                clone(model.estimator), X, codes, rounds[-1], len(model.classes_), seed_from(0), model.n_rounds_
            )
            np.testing.assert_array_equal(again, model.pred_probs_)
            more = _fit(X, y, weights, {**options, "n_rounds": options["n_rounds"] + 3})
            assert more.n_rounds_ == model.n_rounds_
            np.testing.assert_array_equal(more.sample_weight_, model.sample_weight_)
            np.testing.assert_array_equal(more.predict_proba(X), model.predict_proba(X))
        np.testing.assert_array_equal(model.sample_weight_ > 0, rounds[-1] > 0)

    @settings(max_examples=8, deadline=None)
    @given(seed=st.integers(0, 10_000), n=st.integers(45, 100), k=st.integers(2, 3), options=OPTIONS)
    def test_a_refit_is_identical(self, seed, n, k, options):
        """Two fits with the same ``random_state``: the same rounds, weights and probabilities."""
        X, y, weights = _problem(seed, n, k, 0.3)
        a, b = _fit(X, y, weights, options), _fit(X, y, weights, options)
        if isinstance(a, str):
            assert a == b
            return
        assert a.n_rounds_ == b.n_rounds_
        np.testing.assert_array_equal(a.sample_weight_, b.sample_weight_)
        np.testing.assert_array_equal(a.pred_probs_, b.pred_probs_)
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
