"""MMSR's checked sign step: the vote's signs where the paper's eigenvector fits the covariance signs
worse (large crowds joined only locally), the eigenvector's signs elsewhere, and the warning."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components

from labelwise.aggregate import MMSR, MajorityVote, encode_answers
from labelwise.aggregate._mmsr_pairs import annotator_pairs
from labelwise.aggregate._mmsr_signs import checked_signs, sign_fit, vote_agreement_signs
from labelwise.errors import InvalidParameterError, LabelwiseWarning


def ring_crowd(n_ann: int, seed: int, k: int = 3) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """``2 n_ann`` items, each answered by 6 of a window of 10 neighbouring annotators on a ring;
    accuracies 0.55-0.9, 10% adversaries right w.p. 0.05 (benchmarks/dev_mmsr_signs.ring_crowd)."""
    rng = np.random.default_rng(seed)
    n_items = 2 * n_ann
    truth = rng.integers(0, k, n_items)
    acc = rng.uniform(0.55, 0.9, n_ann)
    adversary = rng.random(n_ann) < 0.1
    acc[adversary] = 0.05
    start = (np.arange(n_items) * n_ann) // n_items
    ann = ((start[:, None] + np.argsort(rng.random((n_items, 10)), axis=1)[:, :6]) % n_ann).ravel()
    item = np.repeat(np.arange(n_items), 6)
    t = truth[item]
    label = np.where(rng.random(item.size) < acc[ann], t, (t + rng.integers(1, k, item.size)) % k)
    return pd.DataFrame({"item": item, "annotator": ann, "label": label}), truth, adversary


@st.composite
def crowds(draw):
    """Small random answer tables, 2-4 classes."""
    n_items, n_ann, k = draw(st.integers(1, 12)), draw(st.integers(2, 8)), draw(st.integers(2, 4))
    rows = draw(
        st.lists(
            st.tuples(st.integers(0, n_items - 1), st.integers(0, n_ann - 1), st.integers(0, k - 1)),
            min_size=2,
            max_size=50,
        )
    )
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


@pytest.fixture(scope="module")
def ring():
    return ring_crowd(200, 1)


class TestRingCrowd:
    """200 annotators on a ring (seed 1): the paper's sign step gets most signs wrong (MMSR 0.435
    against the vote's 0.838 on main); the checked signs do not."""

    def test_checked_signs_keep_mmsr_at_the_vote(self, ring):
        answers, truth, adversary = ring
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LabelwiseWarning)  # the sparse-crowd warning: a median of 3 items
            est = MMSR(max_iter=100, sign_step="checked").fit(answers)
        weight = est.annotator_weight_.sort_index().to_numpy()
        assert np.mean(np.sign(weight) == np.where(adversary, -1, 1)) > 0.9
        vote = (MajorityVote().fit(answers).labels_.sort_index().to_numpy() == truth).mean()
        assert (est.labels_.sort_index().to_numpy() == truth).mean() >= vote - 0.02
        assert est.n_sign_changes_ > 50

    def test_default_sign_step_warns_and_names_the_remedy(self, ring):
        answers, truth, _ = ring
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est = MMSR(max_iter=100).fit(answers)
        ours = [str(w.message) for w in caught if issubclass(w.category, LabelwiseWarning)]
        assert len(ours) == 1 and "sign_step='checked'" in ours[0] and "MMSR on a sparse crowd" in ours[0]
        assert f"{est.n_sign_changes_} of 200 annotators would change sign" in ours[0]
        assert (est.labels_.sort_index().to_numpy() == truth).mean() < 0.6  # the paper's step, kept as the default


def test_dense_adversarial_crowd_keeps_the_papers_signs():
    """30 annotators, 45% adversaries, 5 answers per item: the vote is at chance, the eigenvector's
    signs fit the covariances best and are kept (no change, no warning)."""
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 3, 600)
    acc = rng.uniform(0.55, 0.9, 30)
    acc[:13] = 0.05
    item = np.repeat(np.arange(600), 5)
    ann = np.argsort(rng.random((600, 30)), axis=1)[:, :5].ravel()
    t = truth[item]
    label = np.where(rng.random(item.size) < acc[ann], t, (t + rng.integers(1, 3, item.size)) % 3)
    answers = pd.DataFrame({"item": item, "annotator": ann, "label": label})
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelwiseWarning)
        paper = MMSR(max_iter=200).fit(answers)
    checked = MMSR(max_iter=200, sign_step="checked").fit(answers)
    assert paper.n_sign_changes_ == 0
    pd.testing.assert_series_equal(paper.annotator_weight_, checked.annotator_weight_)
    assert np.all(np.sign(paper.annotator_weight_.sort_index().to_numpy()[:13]) == -1)


def test_vote_agreement_signs_by_hand():
    """Leave-one-out vote, ties shared: annotator 2 agrees with nobody's majority, 3 answers alone."""
    answers = pd.DataFrame(
        {
            "item": [0, 0, 0, 1, 1, 1, 2, 2, 3],
            "annotator": [0, 1, 2, 0, 1, 2, 0, 2, 3],
            "label": [0, 0, 1, 1, 1, 0, 0, 1, 2],
        }
    )
    enc = encode_answers(answers, labels=[0, 1, 2])
    # scores: item 0 -> a0 1, a1 1, a2 0; item 1 -> a0 1, a1 1, a2 0; item 2 -> a0 0, a2 0 (the other
    # answer leads alone); a3's item has no other answer. a0: 2/3 > 1/3, a2: 0 < 1/3, a3: none -> +1.
    np.testing.assert_array_equal(vote_agreement_signs(enc), [1.0, 1.0, -1.0, 1.0])


def test_a_tie_scores_one_over_the_leaders():
    """Item with labels (0, 0, 1, 2): leaving out one 0 ties 0, 1 and 2, so each 0 scores 1/3,
    exactly chance for K = 3 (centred 0 -> +1); the 1 and the 2 score 0 (-1)."""
    answers = pd.DataFrame({"item": [0, 0, 0, 0], "annotator": [0, 1, 2, 3], "label": [0, 0, 1, 2]})
    np.testing.assert_array_equal(vote_agreement_signs(encode_answers(answers)), [1.0, 1.0, -1.0, -1.0])


def _parts(pairs):
    import scipy.sparse as sp

    nz = pairs.cov != 0
    n = pairs.n_annotators
    graph = sp.csr_matrix((np.ones(int(nz.sum())), (pairs.rows[nz], pairs.cols[nz])), shape=(n, n))
    return connected_components(graph, directed=False)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=crowds())
def test_checked_signs_never_fit_worse_than_the_eigenvector(answers):
    """In every component the checked signs satisfy at least as many covariance signs, and where
    they satisfy no more they are the eigenvector's."""
    enc = encode_answers(answers)
    assume(enc.n_classes >= 2)  # one class: MMSR never reaches the sign step (no covariance)
    pairs = annotator_pairs(enc)
    signs = checked_signs(pairs, enc)
    n_parts, part = _parts(pairs)
    ours, paper = sign_fit(pairs, signs.signs, part, n_parts), sign_fit(pairs, signs.eigen, part, n_parts)
    assert np.all(ours >= paper)
    same = ours == paper
    np.testing.assert_array_equal(signs.signs[same[part]], signs.eigen[same[part]])
    assert signs.replaced == int((signs.signs != signs.eigen).sum())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=crowds(), seed=st.integers(0, 2**16))
def test_vote_signs_follow_annotators_through_row_order_and_renaming(answers, seed):
    """Shuffling the rows and renaming the annotators (a permutation of their order) moves each
    annotator's vote-agreement sign with it."""
    rng = np.random.default_rng(seed)
    enc = encode_answers(answers)
    assume(enc.n_classes >= 2)
    before = vote_agreement_signs(enc)
    names = {a: f"w{p}" for a, p in zip(enc.annotators, rng.permutation(enc.n_annotators), strict=True)}
    moved = answers.sample(frac=1.0, random_state=seed).assign(annotator=lambda d: d["annotator"].map(names))
    enc2 = encode_answers(moved)
    after = pd.Series(vote_agreement_signs(enc2), index=enc2.annotators)
    np.testing.assert_array_equal(after.loc[[names[a] for a in enc.annotators]].to_numpy(), before)


def test_unknown_sign_step_is_refused_by_name():
    answers = pd.DataFrame({"item": [0, 0], "annotator": [0, 1], "label": [0, 1]})
    with pytest.raises(InvalidParameterError, match="sign_step must be one of .*got 'spectral'"):
        MMSR(sign_step="spectral").fit(answers)
