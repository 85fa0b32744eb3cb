"""Tests for DawidSkene and OneCoinDawidSkene (labelwise.aggregate.dawid_skene)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import DawidSkene, MajorityVote, OneCoinDawidSkene
from labelwise.errors import InvalidParameterError, LabelwiseWarning
from tests.aggregate._crowd import accuracy, confusion_crowd, load_crowd


def _confused_crowd(n_items=1500, seed=0):
    """Three annotators with known, asymmetric 3-class confusion matrices (rows = true class)."""
    rng = np.random.default_rng(seed)
    conf = np.array(
        [
            [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.05, 0.05, 0.9]],
            [[0.6, 0.4, 0.0], [0.0, 0.9, 0.1], [0.0, 0.3, 0.7]],  # confuses 0->1 and 2->1
            [[0.2, 0.8, 0.0], [0.8, 0.2, 0.0], [0.0, 0.0, 1.0]],  # swaps 0 and 1
        ]
    )
    prior = np.array([0.5, 0.3, 0.2])
    truth = rng.choice(3, n_items, p=prior)
    rows = []
    for j in range(3):
        cum = conf[j][truth].cumsum(axis=1)
        given = (rng.random(n_items)[:, None] > cum).sum(axis=1)
        rows.append(pd.DataFrame({"item": np.arange(n_items), "annotator": f"w{j}", "label": given}))
    return pd.concat(rows, ignore_index=True), pd.Series(truth), conf, prior


class TestDawidSkene:
    def test_recovers_confusion_matrices_and_prior(self):
        """EM recovers each annotator's confusion matrix and the class prior from answers alone."""
        answers, _truth, conf, prior = _confused_crowd()
        ds = DawidSkene(smoothing=0.0).fit(answers)
        np.testing.assert_allclose(ds.annotator_confusion_, conf, atol=0.07)
        np.testing.assert_allclose(ds.priors_.to_numpy(), prior, atol=0.04)
        assert list(ds.annotators_) == ["w0", "w1", "w2"]
        np.testing.assert_allclose(ds.annotator_confusion_.sum(axis=2), 1.0)

    def test_beats_majority_vote_with_systematic_confusion(self):
        """Modelling the swapping annotator makes DS more accurate than majority vote."""
        answers, truth, _, _ = _confused_crowd(seed=1)
        assert (
            accuracy(DawidSkene().fit(answers).labels_, truth)
            > accuracy(MajorityVote().fit(answers).labels_, truth) + 0.03
        )

    @pytest.mark.parametrize("smoothing", [0.0, 0.01, 1.0])
    def test_loss_never_increases(self, smoothing):
        """The negative log posterior per answer decreases monotonically over EM iterations."""
        answers, _ = confusion_crowd(200, 3, per_item=3, seed=2)
        loss = np.array(DawidSkene(smoothing=smoothing, tol=0).fit(answers).loss_history_)
        assert len(loss) > 3 and np.all(np.diff(loss) <= 1e-9)

    def test_stops_at_max_iter_without_converging(self):
        """max_iter caps the iterations and converged_ reports it."""
        answers, _ = confusion_crowd(200, 3, per_item=3, seed=3)
        ds = DawidSkene(max_iter=2, tol=0).fit(answers)
        assert ds.n_iter_ == 2 and not ds.converged_ and len(ds.loss_history_) == 2

    def test_skill_is_prior_weighted_diagonal(self):
        """annotator_skill_ is Σ_k p_k π_j[k, k]."""
        answers, *_ = _confused_crowd(seed=4)
        ds = DawidSkene().fit(answers)
        expected = np.einsum("k,jkk->j", ds.priors_.to_numpy(), ds.annotator_confusion_)
        np.testing.assert_allclose(ds.annotator_skill_.to_numpy(), expected)

    @pytest.mark.parametrize("param, value", [("max_iter", 0), ("tol", -1.0), ("smoothing", -0.5), ("smoothing", "a")])
    def test_bad_parameters(self, param, value):
        """Out-of-range parameters raise InvalidParameterError naming them."""
        answers, _ = confusion_crowd(10, 2, seed=5)
        with pytest.raises(InvalidParameterError, match=param):
            DawidSkene(**{param: value}).fit(answers)


def _dense_reference_em(table, smoothing, n_iter):
    """Plain per-item, per-cell Dawid-Skene EM (loops, full K x K matrices) as the paper states it."""
    from labelwise.aggregate._answers import encode_answers

    enc = encode_answers(table)
    n, a, k = enc.n_items, enc.n_annotators, enc.n_classes
    post = np.zeros((n, k))
    for i, lab in zip(enc.item_idx, enc.label_idx, strict=False):
        post[i, lab] += 1
    post /= post.sum(axis=1, keepdims=True)
    losses = []

    def m_step(post):
        prior = np.maximum(post.mean(axis=0), 1e-10)
        prior /= prior.sum()
        counts = np.zeros((a, k, k))  # [annotator, true, given]
        for i, j, lab in zip(enc.item_idx, enc.annotator_idx, enc.label_idx, strict=False):
            counts[j, :, lab] += post[i]
        counts = np.maximum(counts + smoothing, 1e-10)
        return prior, counts / counts.sum(axis=2, keepdims=True)

    for _ in range(n_iter):
        prior, conf = m_step(post)
        log_joint = np.tile(np.log(prior), (n, 1))
        for i, j, lab in zip(enc.item_idx, enc.annotator_idx, enc.label_idx, strict=False):
            log_joint[i] += np.log(conf[j, :, lab])
        log_z = np.log(np.exp(log_joint).sum(axis=1))
        post = np.exp(log_joint - log_z[:, None])
        losses.append((-log_z.sum() - smoothing * np.log(conf).sum()) / enc.n_answers)
    return post, m_step(post)[1], losses


@pytest.mark.parametrize("smoothing", [0.0, 1e-12, 0.01, 1.0])
def test_matches_a_dense_per_cell_reference(smoothing):
    """Posteriors, confusion matrices and MAP loss equal a loop-based dense EM (40 annotators with 6 answers each)."""
    rng = np.random.default_rng(int(smoothing * 100) + 1)
    rows = [(i, f"w{rng.integers(40)}", int(rng.integers(4))) for i in range(80) for _ in range(3)]
    table = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    est = DawidSkene(smoothing=smoothing, max_iter=4, tol=0).fit(table)
    post, conf, losses = _dense_reference_em(table, smoothing, 4)
    assert est.n_iter_ == 4
    np.testing.assert_allclose(est.probas_.to_numpy(), post, atol=1e-10)
    np.testing.assert_allclose(est.annotator_confusion_, conf, atol=1e-12)
    np.testing.assert_allclose(est.loss_history_, losses, rtol=1e-10)


class TestOneCoin:
    def test_recovers_annotator_accuracies(self):
        """The one-coin skills match the simulated accuracies."""
        acc = (0.9, 0.75, 0.6, 0.45, 0.8)
        answers, truth = confusion_crowd(1500, 4, acc, per_item=3, seed=6)
        oc = OneCoinDawidSkene().fit(answers)
        np.testing.assert_allclose(oc.annotator_skill_.to_numpy(), acc, atol=0.05)
        assert accuracy(oc.labels_, truth) > accuracy(MajorityVote().fit(answers).labels_, truth)

    def test_loss_never_increases(self):
        """EM on the one-coin model never increases the negative log-likelihood."""
        answers, _ = confusion_crowd(200, 3, per_item=3, seed=7)
        loss = np.array(OneCoinDawidSkene(tol=0).fit(answers).loss_history_)
        assert np.all(np.diff(loss) <= 1e-9)

    def test_equals_full_model_constrained(self):
        """E-step equals the full DS E-step with confusion rows built from the skills."""
        answers, _ = confusion_crowd(50, 3, per_item=3, seed=8)
        oc = OneCoinDawidSkene(max_iter=3).fit(answers)
        from labelwise.aggregate._answers import encode_answers
        from labelwise.aggregate.dawid_skene import _Observed

        enc = encode_answers(answers)
        pat = enc.patterns
        s = oc.skills_
        given = np.empty((len(s), 3, 3))  # [annotator, given l, true k]
        given[:] = ((1 - s) / 2)[:, None, None]
        given[:, np.arange(3), np.arange(3)] = s[:, None]
        prior = oc.priors_.to_numpy()
        obs = _Observed.build(pat)
        post_full, _ = DawidSkene(smoothing=0)._e_step(
            obs, prior, given.reshape(-1, 3)[obs.columns], None, enc.n_answers
        )
        post_one, _ = OneCoinDawidSkene._e_step(obs, prior, s, enc.n_answers)
        np.testing.assert_allclose(post_full, post_one, atol=1e-9)
        # and a direct sum over each item's answers
        log_joint = np.tile(np.log(prior), (enc.n_items, 1))
        for i, j, lab in zip(enc.item_idx, enc.annotator_idx, enc.label_idx, strict=True):
            log_joint[i] += np.where(np.arange(3) == lab, np.log(s[j]), np.log((1 - s[j]) / 2))
        direct = np.exp(log_joint - log_joint.max(axis=1, keepdims=True))
        direct = direct / direct.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(post_one[pat.item_pattern], direct, atol=1e-9)


crowdkit = pytest.importorskip("crowdkit.aggregation")


def _crowdkit_labels(cls, answers):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = cls().fit(answers.rename(columns={"item": "task", "annotator": "worker"}))
    return est.labels_.astype(str)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["smem_rte", "s4_Dog_data", "SP_amt"])
def test_agrees_with_crowdkit_dawid_skene(shared_data, name):
    """On real sets labelwise's DS labels equal crowd-kit's on at least 99% of items (with the symmetric
    pseudo-count that was the default before the diagonal prior: crowd-kit's model)."""
    answers, gold = load_crowd(shared_data, name)
    ours = DawidSkene(smoothing=0.01).fit(answers).labels_.astype(str)
    theirs = _crowdkit_labels(crowdkit.DawidSkene, answers).reindex(ours.index)
    assert (ours == theirs).mean() >= 0.99
    assert abs(accuracy(ours, gold) - accuracy(theirs, gold)) <= 0.005


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ZenCrowd_us", "d_Duck_Identification"])
def test_agrees_with_crowdkit_run_to_convergence(shared_data, name):
    """Where crowd-kit's stopping rule ends EM after 2 iterations, crowd-kit run on (tol < 0) reaches labelwise's labels."""
    answers, _ = load_crowd(shared_data, name)
    ours = DawidSkene(smoothing=0).fit(answers).labels_.astype(str)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = crowdkit.DawidSkene(n_iter=40, tol=-1.0)
        theirs = est.fit_predict(answers.rename(columns={"item": "task", "annotator": "worker"})).astype(str)
    assert (ours == theirs.reindex(ours.index)).mean() >= 0.99


@pytest.mark.slow
def test_one_coin_agrees_with_crowdkit(shared_data):
    """On RTE the one-coin labels equal crowd-kit's OneCoinDawidSkene on at least 99% of items."""
    answers, _ = load_crowd(shared_data, "smem_rte")
    ours = OneCoinDawidSkene().fit(answers).labels_.astype(str)
    theirs = _crowdkit_labels(crowdkit.OneCoinDawidSkene, answers).reindex(ours.index)
    assert (ours == theirs).mean() >= 0.99


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, ds_floor, oc_floor",
    [("d_Duck_Identification", 0.88, 0.55), ("s4_Dog_data", 0.83, 0.82), ("smem_rte", 0.92, 0.92), ("CF", 0.80, 0.86)],
)
def test_accuracy_floors_on_real_sets(shared_data, name, ds_floor, oc_floor):
    """DS (with the symmetric 0.01 pseudo-count these floors were measured with) and one-coin reach their
    measured accuracy (minus a margin) on real sets."""
    answers, gold = load_crowd(shared_data, name)
    assert accuracy(DawidSkene(smoothing=0.01).fit(answers).labels_, gold) >= ds_floor
    assert accuracy(OneCoinDawidSkene().fit(answers).labels_, gold) >= oc_floor


def _dense_reference_map_em(table, pseudo, n_iter):
    """Loop-based dense MAP EM with an arbitrary (K x K) pseudo-count array added to every annotator."""
    from labelwise.aggregate._answers import encode_answers

    enc = encode_answers(table)
    n, a, k = enc.n_items, enc.n_annotators, enc.n_classes
    post = np.zeros((n, k))
    for i, given in zip(enc.item_idx, enc.label_idx, strict=True):
        post[i, given] += 1
    post /= post.sum(axis=1, keepdims=True)
    losses = []

    def m_step(post):
        prior = np.maximum(post.mean(axis=0), 1e-10)
        prior /= prior.sum()
        counts = np.zeros((a, k, k))
        for i, j, given in zip(enc.item_idx, enc.annotator_idx, enc.label_idx, strict=True):
            counts[j, :, given] += post[i]
        counts = np.maximum(counts + pseudo[None], 1e-10)
        return prior, counts / counts.sum(axis=2, keepdims=True)

    for _ in range(n_iter):
        prior, conf = m_step(post)
        log_joint = np.tile(np.log(prior), (n, 1))
        for i, j, given in zip(enc.item_idx, enc.annotator_idx, enc.label_idx, strict=True):
            log_joint[i] += np.log(conf[j, :, given])
        log_z = np.log(np.exp(log_joint).sum(axis=1))
        post = np.exp(log_joint - log_z[:, None])
        losses.append((-log_z.sum() - (pseudo[None] * np.log(conf)).sum()) / enc.n_answers)
    return post, m_step(post)[1], losses


class TestDiagonalPrior:
    def test_auto_prior_matches_a_dense_map_reference(self):
        """With smoothing='auto' the iterates equal a dense MAP EM that adds pseudo_counts_ to every annotator."""
        answers, _ = confusion_crowd(150, 4, per_item=3, seed=11)
        est = DawidSkene(max_iter=5, tol=0).fit(answers)
        assert est.pseudo_counts_.shape == (4, 4) and est.fallback_ is None
        post, conf, losses = _dense_reference_map_em(answers, est.pseudo_counts_, 5)
        np.testing.assert_allclose(est.probas_.to_numpy(), post, atol=1e-10)
        np.testing.assert_allclose(est.annotator_confusion_, conf, atol=1e-12)
        np.testing.assert_allclose(est.loss_history_, losses, rtol=1e-10)

    def test_pseudo_counts_are_the_documented_prior(self):
        """pseudo_counts_ is diagonal_confusion_prior at the agreement-implied accuracy."""
        from labelwise.aggregate.priors import (
            agreement_accuracy,
            diagonal_confusion_prior,
        )

        answers, _ = confusion_crowd(300, 3, per_item=3, seed=12)
        est = DawidSkene(prior_strength=3.0).fit(answers)
        counts = MajorityVote().fit(answers).n_answers_per_item_  # noqa: F841 (fit checks the table)
        from labelwise.aggregate._answers import encode_answers

        acc = agreement_accuracy(encode_answers(answers).item_label_counts)
        np.testing.assert_allclose(est.pseudo_counts_, diagonal_confusion_prior(3, strength=3.0, accuracy=acc))

    @pytest.mark.parametrize("per_item", [1, 2])
    def test_sparse_100_classes_do_not_collapse(self, per_item):
        """One or two answers per item, 100 classes, 500 annotators: the default never falls below majority
        vote, where the old default (smoothing=0.01) collapses to a relabelling."""
        from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd

        sim = simulate_sparse_crowd(4000, 100, 500, answers_per_item=per_item, random_state=0)
        mv = accuracy(MajorityVote().fit(sim.answers).labels_, sim.true_labels)
        ds = DawidSkene().fit(sim.answers)
        assert accuracy(ds.labels_, sim.true_labels) >= mv - 0.005
        if per_item == 1:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                old = DawidSkene(smoothing=0.01).fit(sim.answers)
            assert accuracy(old.labels_, sim.true_labels) < mv - 0.1

    def test_guard_falls_back_to_majority_vote_on_a_relabelling(self):
        """If EM ends in a permutation of the classes, labels are majority vote's and fallback_ says so."""
        from labelwise.aggregate import dawid_skene

        answers, _ = confusion_crowd(300, 3, per_item=3, seed=13)
        real_e_step = dawid_skene.DawidSkene._e_step

        def swapped(*args, **kwargs):  # an E-step whose posteriors have classes 0 and 1 swapped
            post, nll = real_e_step(*args, **kwargs)
            return post[:, [1, 0, 2]], nll

        est = DawidSkene(max_iter=1)
        est._e_step = swapped
        with pytest.warns(LabelwiseWarning, match="relabelled") as record:
            est.fit(answers)
        assert not any("np.int64" in str(w.message) for w in record)  # the class as 0, not numpy's repr
        assert est.fallback_ == "majority-vote"
        pd.testing.assert_series_equal(est.labels_, MajorityVote().fit(answers).labels_)

    def test_not_converged_warns(self):
        """Stopping at max_iter before tol is reached warns and reports converged_=False."""
        answers, _ = confusion_crowd(200, 3, per_item=3, seed=14)
        with pytest.warns(LabelwiseWarning, match="did not converge"):
            est = DawidSkene(max_iter=1, tol=0).fit(answers)
        assert not est.converged_ and est.n_iter_ == 1

    def test_smoothing_zero_is_unchanged_maximum_likelihood(self):
        """smoothing=0 adds no pseudo-count and never falls back (the paper's estimate)."""
        answers, _ = confusion_crowd(200, 3, per_item=3, seed=15)
        est = DawidSkene(smoothing=0).fit(answers)
        assert not est.pseudo_counts_.any() and est.fallback_ is None

    @pytest.mark.parametrize("value", [-1.0, "big", True, float("inf")])
    def test_bad_prior_strength(self, value):
        """prior_strength must be a finite number >= 0."""
        answers, _ = confusion_crowd(10, 2, seed=5)
        with pytest.raises(InvalidParameterError, match="prior_strength"):
            DawidSkene(prior_strength=value).fit(answers)
