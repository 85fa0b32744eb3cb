"""The held-out vote check of the label model's relabelling missing-abstain fits (``weak._vote_check``)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.weak import _vote_check
from labelwise.weak._vote_check import difference_z, held_out_scores
from labelwise.weak.baselines import MajorityLabelVoter

FIRED = "predicts each function's votes"


def sparse_set(seed: int) -> tuple[int, weak.SimulatedVotes]:
    """``benchmarks/dev_weak_low_coverage_peers.sparse_set``'s draws for ``seed`` (K, the simulation)."""
    rng = np.random.default_rng(seed)
    k, m = int(rng.integers(2, 6)), int(rng.integers(3, 15))
    n = int(rng.integers(300, 2000))
    unipolar, copies, imbalance = float(rng.uniform(0, 0.8)), int(rng.integers(0, 3)), float(rng.uniform(1, 4))
    sim = weak.simulate_lfs(
        n_items=n,
        n_lfs=m,
        n_classes=k,
        coverage=(0.05, 0.6),
        accuracy=(0.3 + 0.5 / k, 0.9),
        unipolar=unipolar,
        n_correlated=copies,
        imbalance=imbalance,
        random_state=seed,
    )
    return k, sim


def fit(sim: weak.SimulatedVotes, k: int, on: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[weak.LabelModel, list]:
    """``LabelModel(labels=range(k))`` with the check's switch at ``on``, and its warnings."""
    monkeypatch.setattr(_vote_check, "ENABLED", on)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = weak.LabelModel(labels=list(range(k))).fit(sim.votes)
    return model, [str(c.message) for c in caught]


def one_coin_mu(m: int, k: int, accuracy: float, rate: np.ndarray) -> np.ndarray:
    """Outcome table of ``m`` single functions, each voting with probability ``rate[j]``, right with ``accuracy``."""
    blocks = []
    for j in range(m):
        block = np.empty((k + 1, k))
        block[0] = 1.0 - rate[j]
        block[1:] = rate[j] * np.where(np.eye(k, dtype=bool), accuracy, (1.0 - accuracy) / (k - 1))
        blocks.append(block)
    return np.vstack(blocks)


class TestHeldOutScores:
    @settings(max_examples=40, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        k=st.integers(2, 5),
        m=st.integers(2, 6),
        accuracy=st.floats(0.55, 0.95),
    )
    def test_majority_votes_own_model_explains_the_held_out_votes_as_majority_vote(
        self, seed: int, k: int, m: int, accuracy: float
    ) -> None:
        """Under one accuracy for every function and a uniform balance the fit's held-out labels are majority vote's
        (ties split alike), so every pair scores the same."""
        rng = np.random.default_rng(seed)
        matrix = np.where(rng.random((60, m)) < 0.5, rng.integers(0, k, (60, m)), -1)
        matrix = matrix[(matrix >= 0).any(axis=1)]
        accuracy = max(accuracy, 1.0 / k + 0.05)
        mu = one_coin_mu(m, k, accuracy, rng.uniform(0.2, 0.8, m))
        fit_score, mv_score, weight = held_out_scores(
            matrix, np.ones(len(matrix)), k, [[j] for j in range(m)], mu, np.full(k, 1 / k)
        )
        assert len(fit_score) == len(mv_score) == len(weight)
        np.testing.assert_allclose(fit_score, mv_score, atol=1e-12)
        assert np.all(fit_score <= 1e-12)  # log-likelihoods

    def test_a_fit_that_puts_every_item_in_one_class_explains_the_votes_worse(self) -> None:
        """Three accurate functions: a fit whose class balance is all on class 0 scores below majority vote."""
        rng = np.random.default_rng(0)
        truth = rng.integers(0, 3, 400)
        matrix = np.where(rng.random((400, 3)) < 0.9, truth[:, None], rng.integers(0, 3, (400, 3)))
        mu = one_coin_mu(3, 3, 0.9, np.ones(3))
        fit_score, mv_score, weight = held_out_scores(
            matrix, np.ones(400), 3, [[0], [1], [2]], mu, np.array([1.0, 0, 0])
        )
        mean, z = difference_z(fit_score, mv_score, weight)
        assert mean < -0.5 and z < -3

    def test_rows_stand_for_their_weight(self) -> None:
        """A row of weight 2 scores as the same row written twice."""
        matrix = np.array([[0, 0, -1], [0, 1, 1], [1, 1, 1], [2, -1, 2], [0, 0, 1]])
        w = np.array([2.0, 1.0, 1.0, 3.0, 1.0])
        mu = one_coin_mu(3, 3, 0.7, np.full(3, 0.8))
        p = np.array([0.5, 0.3, 0.2])
        expanded = np.repeat(matrix, w.astype(int), axis=0)
        weighted = difference_z(*held_out_scores(matrix, w, 3, [[0], [1], [2]], mu, p))
        flat = difference_z(*held_out_scores(expanded, np.ones(len(expanded)), 3, [[0], [1], [2]], mu, p))
        assert weighted[0] == pytest.approx(flat[0])


class TestDifferenceZ:
    def test_no_pairs_give_zero(self) -> None:
        """Without a held-out pair there is nothing to compare."""
        assert difference_z(np.zeros(0), np.zeros(0), np.zeros(0)) == (0.0, 0.0)

    def test_equal_scores_give_zero(self) -> None:
        """Equal scores: mean 0 and z 0 (no division by a zero variance)."""
        assert difference_z(np.full(5, -1.0), np.full(5, -1.0), np.ones(5)) == (0.0, 0.0)


class TestCheckVotes:
    def test_a_collapsed_missing_fit_falls_back_to_majority_vote(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Seen seed 5629 (K 3, four functions): main's missing-abstain fit labels every voted item class 1 (21 points
        below majority vote); with the check it warns and its labels, ties included, are majority vote's."""
        k, sim = sparse_set(5629)
        voted = (sim.votes.matrix() >= 0).any(axis=1)
        mv = MajorityLabelVoter(labels=list(range(k))).fit(sim.votes).labels_.to_numpy()
        before, said = fit(sim, k, False, monkeypatch)
        assert before.abstains_ == "missing" and not any(FIRED in s for s in said)
        assert np.unique(before.labels_.to_numpy()[voted]).size == 1
        model, said = fit(sim, k, True, monkeypatch)
        assert sum(FIRED in s for s in said) == 1
        np.testing.assert_array_equal(model.labels_.to_numpy()[voted], mv[voted])
        truth = np.asarray(sim.truth)[voted]
        assert np.mean(model.labels_.to_numpy()[voted] == truth) > np.mean(before.labels_.to_numpy()[voted] == truth)

    def test_where_it_fires_the_fit_stays_a_model(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Where the check fires: posteriors are distributions, ``predict`` on the votes gives ``labels_``, the
        class balance is uniform (majority vote's model)."""
        k, sim = sparse_set(5629)
        model, said = fit(sim, k, True, monkeypatch)
        assert any(FIRED in s for s in said)
        probas = model.probas_.to_numpy()
        assert np.all(probas >= 0) and np.allclose(probas.sum(axis=1), 1.0)
        np.testing.assert_allclose(np.asarray(model.class_balance_, dtype=float), np.full(k, 1.0 / k))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            again = np.asarray(model.predict(sim.votes))
        voted = (sim.votes.matrix() >= 0).any(axis=1)
        np.testing.assert_array_equal(again[voted], model.labels_.to_numpy()[voted])

    @pytest.mark.parametrize("seed", [5197, 5505])
    def test_a_relabelling_fit_that_explains_the_votes_is_kept(
        self, seed: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Seen K = 2 seeds where the missing fit relabels the small class and beats majority vote: no change."""
        k, sim = sparse_set(seed)
        before, _ = fit(sim, k, False, monkeypatch)
        after, said = fit(sim, k, True, monkeypatch)
        assert not any(FIRED in s for s in said)
        np.testing.assert_array_equal(after.probas_.to_numpy(), before.probas_.to_numpy())

    def test_informative_fits_are_not_checked(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``abstains="informative"`` on the collapsing set: the check is not reached, the fit is unchanged."""
        k, sim = sparse_set(5629)
        fits = []
        for on in (False, True):
            monkeypatch.setattr(_vote_check, "ENABLED", on)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fits.append(weak.LabelModel(labels=list(range(k)), abstains="informative").fit(sim.votes))
        np.testing.assert_array_equal(fits[0].probas_.to_numpy(), fits[1].probas_.to_numpy())
