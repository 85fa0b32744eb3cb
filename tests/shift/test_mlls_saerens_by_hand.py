"""MLLS against Saerens et al.'s EM written by hand (session 48).

evalwalk47 found MLLS with ``calibration="none"`` differs from Saerens et al. (2002) done by hand on the
same input. The reason: the E-step's source priors. labelwise uses the mean validation posterior (the
prior the posteriors encode; Alexandari et al. 2020), the paper the training label frequencies. On
calibrated posteriors they agree; on miscalibrated ones they do not. ``source_prior="labels"`` gives
the paper's EM as written.
"""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.errors import InvalidParameterError
from labelwise.shift import estimate_priors


def _saerens_em(target_probs: np.ndarray, source_priors: np.ndarray, n_iter: int = 5000) -> np.ndarray:
    """Saerens, Latinne & Decaestecker (2002), eqs. (2.9)-(2.10): p_t(y|x) = p_s(y|x) q(y)/p_s(y) renormalised;
    q(y) = mean over x of p_t(y|x); from q = p_s."""
    q = source_priors.copy()
    for _ in range(n_iter):
        post = target_probs * (q / source_priors)
        post = post / post.sum(axis=1, keepdims=True)
        q = post.mean(axis=0)
    return q


@pytest.fixture(scope="module")
def miscalibrated():
    """Overlapping Gaussian classes, Bayes posteriors under the source priors flattened by a temperature of 2
    (underconfident) and biased towards class 0 (mean posterior of class 0 about 0.62 for a label share of
    0.5), a validation sample from the source and a target sample with other priors."""
    rng = np.random.default_rng(3)
    k, means = 3, rng.normal(size=(3, 4)) * 0.6
    source, target = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5])
    bias = np.array([1.0, 0.0, -1.0])  # a model that favours class 0

    def sample(priors, n):
        y = rng.choice(k, n, p=priors)
        X = means[y] + rng.normal(size=(n, 4))
        logit = 0.5 * (-0.5 * ((X[:, None, :] - means[None]) ** 2).sum(-1) + np.log(source)) + bias
        p = np.exp(logit - logit.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True), y

    vp, vl = sample(source, 3000)
    tp, _ = sample(target, 3000)
    return vp, vl, tp


def test_source_prior_labels_is_saerens_em_as_written(miscalibrated):
    """``source_prior="labels"``: the EM from the validation label frequencies equals the hand EM."""
    vp, vl, tp = miscalibrated
    est = estimate_priors(vp, vl, tp, method="mlls", calibration="none", source_prior="labels", tol=1e-12)
    freq = np.bincount(vl, minlength=3) / len(vl)
    np.testing.assert_allclose(est.source_priors, freq)
    np.testing.assert_allclose(est.priors, _saerens_em(tp, freq), atol=1e-7)


def test_the_default_is_the_same_em_from_the_mean_posterior(miscalibrated):
    """The default: the hand EM started from the mean validation posterior, not the label frequencies;
    on these miscalibrated posteriors the two estimates differ by more than 0.005 in some class."""
    vp, vl, tp = miscalibrated
    est = estimate_priors(vp, vl, tp, method="mlls", calibration="none", tol=1e-12)
    np.testing.assert_allclose(est.source_priors, vp.mean(axis=0))
    np.testing.assert_allclose(est.priors, _saerens_em(tp, vp.mean(axis=0)), atol=1e-7)
    as_written = _saerens_em(tp, np.bincount(vl, minlength=3) / len(vl))
    assert np.abs(est.priors - as_written).max() > 0.005


def test_calibrated_posteriors_make_the_two_agree(miscalibrated):
    """After BCTS (the method's default calibration) the mean posterior is near the label frequencies,
    so both source priors give nearly the same estimate."""
    vp, vl, tp = miscalibrated
    a = estimate_priors(vp, vl, tp, method="mlls", source_prior="posterior").priors
    b = estimate_priors(vp, vl, tp, method="mlls", source_prior="labels").priors
    assert np.abs(a - b).max() < 0.01


def test_an_unknown_source_prior_is_refused_naming_it(miscalibrated):
    """A value other than "posterior" or "labels" is an error naming ``source_prior``."""
    vp, vl, tp = miscalibrated
    with pytest.raises(InvalidParameterError, match=r"source_prior"):
        estimate_priors(vp, vl, tp, method="mlls", source_prior="frequencies")
