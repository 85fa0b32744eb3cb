"""``benchmarks/dev_weak_low_coverage_peers.py``: the posteriors it recomputes, its tie-break rule, its gold-fitted
reference, and (where ``LABELWISE_SNORKEL_PYTHON`` names a Python holding Snorkel 0.10) its Snorkel worker."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from labelwise import weak
from labelwise.weak.baselines import MajorityLabelVoter

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
SNORKEL_PYTHON = Path(os.environ.get("LABELWISE_SNORKEL_PYTHON", "/nonexistent/snorkel-python"))


@pytest.fixture(scope="module")
def peers():
    spec = importlib.util.spec_from_file_location("lowsnork52_peers", BENCH / "dev_weak_low_coverage_peers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def small_set(seed: int = 5100):
    """A small simulated set of 6 functions and a copy, K = 3, half of them one-class rules."""
    return weak.simulate_lfs(
        n_items=400, n_lfs=6, n_classes=3, coverage=(0.05, 0.6), unipolar=0.5, n_correlated=1, random_state=seed
    )


class TestMuPosterior:
    def test_abstain_factor_reproduces_the_moment_fits_posterior(self, peers):
        """With the abstain factor, the posterior from ``mu_`` and ``class_balance_`` is ``LabelModel(n_em_iter=0)``'s."""
        sim = small_set()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = weak.LabelModel(n_em_iter=0, labels=[0, 1, 2]).fit(sim.votes)
        L = peers.codes_matrix(sim.votes, 3)
        post = peers.mu_posterior(L, np.asarray(model.mu_), np.asarray(model.class_balance_), True)
        np.testing.assert_allclose(post, model.probas_.to_numpy(), atol=1e-9)

    def test_without_the_abstain_factor_only_the_votes_count(self, peers):
        """Snorkel's form: an item's posterior depends on its votes only, so two all-abstain rows give the prior."""
        mu = np.array([[0.6, 0.1], [0.1, 0.3], [0.5, 0.2], [0.2, 0.2]])  # 2 functions, K = 2
        p = np.array([0.3, 0.7])
        L = np.array([[0, -1], [-1, -1], [0, 1]])
        post = peers.mu_posterior(L, mu, p, False)
        np.testing.assert_allclose(post[1], p)
        expected = p * mu[0] * mu[3]  # function 0 votes 0 (row 0), function 1 votes 1 (row 2 + 1)
        np.testing.assert_allclose(post[2], expected / expected.sum())


class TestTieBreakOnly:
    def test_strict_majorities_are_kept_and_ties_go_to_the_likeliest_tied_class(self, peers):
        """A strict majority stands whatever the model says; a tie picks among the tied classes only."""
        matrix = np.array([[0, 0, 1], [0, 1, -1], [2, 1, -1], [-1, -1, -1]])
        probas = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5], [0.1, 0.6, 0.3], [0.1, 0.2, 0.7]])
        np.testing.assert_array_equal(peers.tie_break_only(matrix, 3, probas), [0, 1, 1, 2])


class TestGoldFitted:
    @pytest.mark.parametrize("seed", [5100, 5101, 5102])
    def test_halves_do_not_split_by_class(self, peers, seed):
        """The folds are drawn off the simulation's stream (with it, one half held mostly one class and the reference
        fell to 6-45%): on 2,000 items the model fitted on gold beats majority vote."""
        sim = weak.simulate_lfs(
            n_items=2000, n_lfs=6, n_classes=3, coverage=(0.05, 0.6), unipolar=0.5, n_correlated=1, random_state=seed
        )
        L = peers.codes_matrix(sim.votes, 3)
        truth = sim.truth.reindex(sim.votes.items).to_numpy()
        labels = peers.gold_fitted_labels(L, 3, truth, np.asarray(sim.parent), seed)
        voted = (L >= 0).any(axis=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mv = MajorityLabelVoter(labels=[0, 1, 2]).fit(sim.votes).labels_.to_numpy()
        assert np.mean(labels[voted] == truth[voted]) > np.mean(mv[voted] == truth[voted])


@pytest.mark.skipif(not SNORKEL_PYTHON.exists(), reason="LABELWISE_SNORKEL_PYTHON names no Python with Snorkel 0.10")
def test_snorkel_worker_probs_are_its_mu_posterior_without_abstains(peers, tmp_path):
    """Snorkel's ``predict_proba`` is ``p_y Π_votes μ`` under its fitted ``μ`` and (uniform) ``p``."""
    sim = small_set()
    L = peers.codes_matrix(sim.votes, 3)
    np.savez(tmp_path / "L.npz", L_5100=L, k_5100=np.int64(3))
    script = str(BENCH / "dev_weak_low_coverage_peers.py")
    subprocess.run([str(SNORKEL_PYTHON), script, "--snorkel-batch", str(tmp_path / "L.npz"), str(tmp_path / "s.npz")])
    out = np.load(tmp_path / "s.npz")
    np.testing.assert_allclose(out["p_5100"], np.full(3, 1 / 3))
    voted = (L >= 0).any(axis=1)
    post = peers.mu_posterior(L, out["mu_5100"], out["p_5100"], False)
    np.testing.assert_allclose(post[voted], out["probs_5100"][voted], atol=1e-5)
