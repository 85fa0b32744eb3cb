"""Tests of weak._em: the abstain-model choice rule, and EM's fit on a crowd assigned in batches."""

from __future__ import annotations

import numpy as np
import pandas as pd

from labelwise.weak import LabelModel, _em, as_votes
from labelwise.weak._em import choose_abstain_model

BIC_INF_BETTER = {"informative": 100.0, "missing": 120.0}
BIC_MISS_BETTER = {"informative": 120.0, "missing": 100.0}


class TestChooseAbstainModel:
    def test_informative_needs_both_the_lower_bic_and_no_worse_vote_values(self):
        """Informative only when BIC and the votes' values both prefer it."""
        assert choose_abstain_model(BIC_INF_BETTER, {"informative": -50.0, "missing": -60.0}, set()) == "informative"
        assert choose_abstain_model(BIC_INF_BETTER, {"informative": -70.0, "missing": -60.0}, set()) == "missing"
        assert choose_abstain_model(BIC_MISS_BETTER, {"informative": -50.0, "missing": -60.0}, set()) == "missing"

    def test_equal_vote_values_leave_the_choice_to_bic(self):
        """Unipolar rules predict their values perfectly in both models: a tie, BIC decides."""
        assert choose_abstain_model(BIC_INF_BETTER, {"informative": 0.0, "missing": 0.0}, set()) == "informative"

    def test_a_model_that_relabels_the_classes_is_not_chosen(self):
        """When only one model's labels relabel the classes against majority vote, the other is kept."""
        vll = {"informative": -50.0, "missing": -60.0}
        assert choose_abstain_model(BIC_INF_BETTER, vll, {"informative"}) == "missing"
        assert choose_abstain_model(BIC_MISS_BETTER, vll, {"missing"}) == "informative"

    def test_a_single_fitted_model_is_returned(self):
        """abstains='missing' or 'informative' fits one model: that one."""
        assert choose_abstain_model({"missing": 1.0}, {"missing": -1.0}, set()) == "missing"


def _batch_crowd(seed: int, n_items: int = 1500, n_batches: int = 20, per_batch: int = 5):
    """Workers assigned to items in batches unrelated to the class (one worker from anywhere else:
    not one of the item's own, so no worker votes twice on an item)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n_items)
    batch = rng.integers(0, n_batches, n_items)
    acc = rng.uniform(0.6, 0.95, n_batches * per_batch)
    rows = []
    for i in range(n_items):
        own = batch[i] * per_batch + rng.choice(per_batch, size=per_batch - 2, replace=False)
        for w in np.concatenate([own, rng.choice(np.setdiff1d(np.arange(len(acc)), own), size=1)]):
            rows.append((i, f"w{w}", int(y[i] if rng.random() < acc[w] else 1 - y[i])))
    return as_votes(pd.DataFrame(rows, columns=["item", "labeler", "label"])), y


class TestBatchCrowd:
    def test_crowd_assigned_in_batches_gets_missing_abstains_and_beats_chance_by_far(self):
        """BIC prefers informative abstains on such a crowd, yet the rule keeps Dawid-Skene's model."""
        votes, y = _batch_crowd(7)
        model = LabelModel().fit(votes)
        assert model.bic_["informative"] < model.bic_["missing"]  # BIC alone would pick informative
        assert model.abstains_ == "missing"
        acc = float((model.labels_.to_numpy() == y).mean())
        informative = LabelModel(abstains="informative").fit(votes)
        assert acc > float((informative.labels_.to_numpy() == y).mean()) + 0.1
        assert acc > 0.8


class TestDiagonalPrior:
    def test_pseudo_counts_sit_on_single_functions_vote_columns(self):
        """Columns: per single function abstain then votes 0..K-1 (prior rows A[:, a]); abstain keeps smoothing."""
        from labelwise.aggregate.priors import diagonal_confusion_prior
        from labelwise.weak._em import diagonal_pseudo_counts

        k = 3
        out = diagonal_pseudo_counts([[0], [1, 2]], k, 0.01, 0.8, 8.0)
        a = diagonal_confusion_prior(k, strength=8.0, accuracy=0.8)
        assert out.shape == (4 + 16, k)
        np.testing.assert_allclose(out[0], 0.01)  # abstain column
        np.testing.assert_allclose(out[1:4], a.T)  # vote a given true y = A[y, a]
        np.testing.assert_allclose(out[4], 0.01)  # the clique's all-abstain outcome

    def test_clique_joint_votes_get_the_product_of_their_members_priors(self):
        """A pair's joint vote (a, b) given y gets strength * P0(a|y) P0(b|y); one member voting: its own prior."""
        from labelwise.aggregate.priors import diagonal_confusion_prior
        from labelwise.weak._em import diagonal_pseudo_counts
        from labelwise.weak._posterior import outcome_patterns

        k, s = 3, 8.0
        out = diagonal_pseudo_counts([[1, 2]], k, 0.01, 0.7, s)
        p0 = diagonal_confusion_prior(k, strength=s, accuracy=0.7) / s  # [y, a], rows sum to 1
        base = k + 1
        for a in range(k):
            np.testing.assert_allclose(out[a + 1], s * p0[:, a])  # member 0 votes a, member 1 abstains
            np.testing.assert_allclose(out[(a + 1) * base], s * p0[:, a])  # member 1 votes a alone
            for b in range(k):
                np.testing.assert_allclose(out[(a + 1) + (b + 1) * base], s * p0[:, a] * p0[:, b])
        # per voting pattern and class, the pseudo-counts add up to `strength`
        pattern_of, _ = outcome_patterns([[1, 2]], k)
        for pat in range(1, 4):
            np.testing.assert_allclose(out[pattern_of == pat].sum(axis=0), s)

    def test_prior_lifts_a_sparse_crowd_above_the_maximum_likelihood_fit(self):
        """Two answers per item from 100 workers, 10 classes: the MAP fit beats ML and majority vote."""
        from labelwise.aggregate import MajorityVote, simulate_sparse_crowd

        crowd = simulate_sparse_crowd(3000, 10, 100, answers_per_item=2, random_state=7)
        votes = as_votes(crowd.answers.rename(columns={"annotator": "labeler"}).astype({"labeler": str}))
        y = crowd.true_labels.reindex(votes.items).to_numpy()
        model = LabelModel().fit(votes)
        assert model.abstains_ == "missing"
        with_prior = float((model.labels_.to_numpy() == y).mean())
        without = float((LabelModel(prior_strength=0).fit(votes).labels_.to_numpy() == y).mean())
        majority = MajorityVote().fit(votes.to_annotations()).labels_.reindex(votes.items).to_numpy()
        assert with_prior > without + 0.05
        assert with_prior > float((majority == y).mean())


def _missing_fits(monkeypatch, votes, tol: float | None = None, **params) -> tuple[LabelModel, list[int]]:
    """Fit ``LabelModel(**params)`` (with ``COMPARISON_TOL = tol`` unless None); also the history
    lengths of its maximum-likelihood missing-abstain fits."""
    lengths: list[int] = []
    original = _em.run_em

    def recording(*args, **kwargs):
        out = original(*args, **kwargs)
        if args[4] is not None and kwargs.get("prior") is None:
            lengths.append(len(out[3]))
        return out

    with monkeypatch.context() as patch:
        patch.setattr(_em, "run_em", recording)
        if tol is not None:
            patch.setattr(_em, "COMPARISON_TOL", tol)
        return LabelModel(**params).fit(votes), lengths


def _sparse_crowd_votes(seed: int = 3):
    from labelwise.aggregate import simulate_sparse_crowd

    crowd = simulate_sparse_crowd(1500, 2, 60, answers_per_item=2, random_state=seed)
    return as_votes(crowd.answers.rename(columns={"annotator": "labeler"}).astype({"labeler": str}))


class TestComparisonOnlyFit:
    def test_looser_tolerance_gives_the_same_choice_and_labels_in_fewer_steps(self, monkeypatch):
        """With a prior the missing model's ML fit is only compared: it stops earlier, nothing else moves."""
        from labelwise.weak import simulate_lfs

        lfs = simulate_lfs(4000, 12, 3, unipolar=0.0, n_correlated=2, random_state=5).votes
        for votes in (lfs, _sparse_crowd_votes()):
            loose, loose_steps = _missing_fits(monkeypatch, votes)
            strict, strict_steps = _missing_fits(monkeypatch, votes, tol=0.0)
            assert len(loose_steps) == len(strict_steps) == 1
            assert loose_steps[0] < strict_steps[0]
            assert loose.abstains_ == strict.abstains_
            assert loose.groups_ == strict.groups_
            pd.testing.assert_series_equal(loose.labels_, strict.labels_)
            # EM's likelihood only grows: the stopped fit's BIC is no lower, and close
            bic_loose, bic_strict = loose.bic_["missing"], strict.bic_["missing"]
            assert bic_strict <= bic_loose <= bic_strict + 0.01 * abs(bic_strict)
            assert loose.bic_["informative"] == strict.bic_["informative"]

    def test_without_a_prior_the_missing_fit_is_the_result_and_runs_to_tol(self, monkeypatch):
        """prior_strength=0: the ML fit gives the labels, so it keeps ``tol`` (same fit as abstains='missing')."""
        votes = _sparse_crowd_votes()
        auto, _ = _missing_fits(monkeypatch, votes, prior_strength=0)
        assert auto.abstains_ == "missing"
        strict, _ = _missing_fits(monkeypatch, votes, tol=0.0, prior_strength=0, abstains="missing")
        assert auto.log_likelihood_history_ == strict.log_likelihood_history_
        pd.testing.assert_frame_equal(auto.probas_, strict.probas_)
        assert auto.bic_["missing"] == strict.bic_["missing"]

    def test_map_refit_does_not_depend_on_the_comparison_tolerance(self, monkeypatch):
        """abstains='missing' with a prior: the labels come from the MAP refit from majority vote (without
        ``LEAN_MISSING``'s short runs, which stop that refit at the comparison tolerance first: next test)."""
        monkeypatch.setattr(_em, "LEAN_MISSING", False)
        votes = _sparse_crowd_votes(4)
        loose, loose_steps = _missing_fits(monkeypatch, votes, abstains="missing")
        strict, strict_steps = _missing_fits(monkeypatch, votes, tol=0.0, abstains="missing")
        assert loose_steps[0] < strict_steps[0]
        pd.testing.assert_frame_equal(loose.probas_, strict.probas_)
        assert loose.log_likelihood_history_ == strict.log_likelihood_history_

    def test_lean_short_runs_move_the_map_refit_within_its_tolerance_only(self, monkeypatch):
        """``LEAN_MISSING`` (on, missalg54): at K = 2 the MAP refit stops at the comparison tolerance and is taken on
        to ``tol``, so it ends near, not at, the refit run to ``tol`` at once; both converged, the same steps' order of
        magnitude, and the labels of all but a few near-even items the same."""
        monkeypatch.setattr(_em, "LEAN_MISSING", True)
        votes = _sparse_crowd_votes(4)
        lean, _ = _missing_fits(monkeypatch, votes, abstains="missing")
        whole, _ = _missing_fits(monkeypatch, votes, tol=0.0, abstains="missing")
        assert lean.em_converged_ and whole.em_converged_
        assert (lean.labels_ == whole.labels_).mean() >= 0.99
        assert np.abs(lean.probas_.to_numpy() - whole.probas_.to_numpy()).max() < 0.01
