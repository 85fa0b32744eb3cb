"""estimate_priors: BBSE, RLLS and MLLS against direct computations, and recovery of known shifts."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError, ShapeMismatchError, TooFewExamplesError
from labelwise.shift import METHODS, SingularConfusionError, estimate_priors
from labelwise.shift.calibration import fit_calibrator
from tests.shift._data import shifted_problem


@pytest.fixture(scope="module")
def problem():
    return shifted_problem([0.6, 0.3, 0.1])


class TestBBSE:
    def test_equals_direct_solve(self, problem):
        """BBSE weights equal solve(C, mu) with C and mu counted by loops."""
        model, Xv, yv, Xt, _, _ = problem
        vp, tp = model.predict_proba(Xv), model.predict_proba(Xt)
        C = np.zeros((3, 3))
        for p, y in zip(vp.argmax(1), yv, strict=False):
            C[p, y] += 1 / len(yv)
        mu = np.array([(tp.argmax(1) == i).mean() for i in range(3)])
        est = estimate_priors(vp, yv, tp, method="bbse")
        np.testing.assert_allclose(est.raw_weights, np.linalg.solve(C, mu))

    def test_singular_confusion_suggests_rlls_or_mlls(self):
        """A class that is never predicted makes C singular: the error says so and suggests the others."""
        vp = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0], [0.6, 0.4, 0.0], [0.3, 0.7, 0.0]])
        with pytest.raises(SingularConfusionError, match=r"singular.*\[2\].*'rlls'.*'mlls'"):
            estimate_priors(vp, [0, 1, 2, 1], vp, method="bbse")
        est = estimate_priors(vp, [0, 1, 2, 1], vp, method="rlls")
        assert est.priors.sum() == pytest.approx(1.0)


class TestRLLS:
    def test_without_regularisation_equals_bbse(self, problem):
        """With alpha = 0 and invertible C, RLLS solves C theta = b exactly: the BBSE weights."""
        model, Xv, yv, Xt, _, _ = problem
        vp, tp = model.predict_proba(Xv), model.predict_proba(Xt)
        a = estimate_priors(vp, yv, tp, method="rlls", alpha=0.0)
        b = estimate_priors(vp, yv, tp, method="bbse")
        np.testing.assert_allclose(a.raw_weights, b.raw_weights, atol=1e-4)

    def test_regularisation_shrinks_toward_no_shift(self, problem):
        """A large alpha pulls the weights toward 1."""
        model, Xv, yv, Xt, _, _ = problem
        vp, tp = model.predict_proba(Xv), model.predict_proba(Xt)
        small = estimate_priors(vp, yv, tp, method="rlls", alpha=0.01)
        big = estimate_priors(vp, yv, tp, method="rlls", alpha=50.0)
        assert np.abs(big.raw_weights - 1).sum() < np.abs(small.raw_weights - 1).sum()

    @pytest.mark.parametrize("seed", range(6))
    def test_no_feasible_step_lowers_the_objective(self, seed):
        """The returned theta is a minimum of ||C theta - b|| + reg ||theta|| (convex): no small feasible step improves it."""
        from labelwise.shift import rlls

        rng = np.random.default_rng(seed)
        k = 4
        vp = rng.dirichlet(np.full(k, 0.3), size=400)
        codes = np.where(rng.random(400) < 0.8, vp.argmax(1), rng.integers(0, k, 400))
        shifted = rng.dirichlet(np.full(k, 0.3), size=300) ** 1.5
        # a target where one class is never predicted pushes the solution onto the bound
        one_gone = vp[vp.argmax(1) != seed % k][:300]
        for tp, alpha in itertools.product((shifted / shifted.sum(1, keepdims=True), one_gone), (0.0, 0.01, 1.0, 30.0)):
            out = rlls.estimate(vp, codes, tp, alpha=alpha)
            C = rlls.joint_confusion(vp, codes)
            b = rlls.predicted_marginal(tp) - C.sum(axis=1)
            reg = alpha * rlls.delta_c(k, len(codes))
            theta = out["raw_weights"] - 1.0

            def f(t, C=C, b=b, reg=reg):
                return np.linalg.norm(C @ t - b) + reg * np.linalg.norm(t)

            steps = rng.normal(size=(200, k)) * 1e-3
            moved = np.maximum(theta[None, :] + steps, -1.0)
            assert min(f(t) for t in moved) >= f(theta) - 1e-7


class TestMLLS:
    def test_em_fixed_point(self, problem):
        """At the estimate, the mean adapted posterior reproduces the priors (Saerens eq. 2.6)."""
        model, Xv, yv, Xt, _, _ = problem
        est = estimate_priors(model.predict_proba(Xv), yv, model.predict_proba(Xt), method="mlls")
        p = est.calibrator(model.predict_proba(Xt)) * est.weights
        p /= p.sum(1, keepdims=True)
        np.testing.assert_allclose(p.mean(0), est.priors, atol=1e-6)

    def test_validation_rows_as_target_estimate_no_shift(self, problem):
        """The EM runs on calibrated target probabilities: target = validation gives the source priors.

        (abstention 0.1.3.1 iterates on the uncalibrated target copy and fails this.)
        """
        model, Xv, yv, *_ = problem
        vp = model.predict_proba(Xv)
        est = estimate_priors(vp, yv, vp, method="mlls")
        np.testing.assert_allclose(est.priors, est.source_priors, atol=1e-7)
        np.testing.assert_allclose(est.weights, 1.0, atol=1e-6)

    def test_bcts_mean_posterior_equals_label_frequencies(self, problem):
        """With per-class biases fitted by maximum likelihood, mean calibrated posterior = label shares."""
        model, Xv, yv, *_ = problem
        vp = model.predict_proba(Xv)
        cal = fit_calibrator(vp, yv, "bcts")
        np.testing.assert_allclose(cal(vp).mean(0), np.bincount(yv) / len(yv), atol=1e-4)

        def nll(p):
            return -np.mean(np.log(p[np.arange(len(yv)), yv]))

        assert nll(cal(vp)) <= nll(vp) + 1e-9


@pytest.mark.parametrize("method", list(METHODS))
def test_recovers_a_known_shift(problem, method):
    """Each method's L1 error is far below the L1 size of the shift itself."""
    model, Xv, yv, Xt, _, true = problem
    est = estimate_priors(model.predict_proba(Xv), yv, model.predict_proba(Xt), method=method)
    src = np.bincount(yv) / len(yv)
    assert np.abs(est.priors - true).sum() < 0.35 * np.abs(src - true).sum()
    assert est.priors.sum() == pytest.approx(1.0) and (est.priors >= 0).all()


def test_bootstrap_interval_brackets_the_estimate(problem):
    """n_boot gives per-class intervals that contain the point estimate."""
    model, Xv, yv, Xt, _, _ = problem
    est = estimate_priors(model.predict_proba(Xv), yv, model.predict_proba(Xt), n_boot=30)
    f = est.to_frame()
    assert ((f["ci_low"] <= f["target_prior"]) & (f["target_prior"] <= f["ci_high"])).all()


@given(st.integers(0, 1000))
@settings(max_examples=10, deadline=None)
def test_order_of_target_rows_does_not_matter(seed):
    """Permuting the target rows gives the same priors (determinism and row-order invariance)."""
    rng = np.random.default_rng(seed)
    vp, tp = rng.dirichlet(np.ones(3) * 0.5, 200), rng.dirichlet(np.ones(3) * 0.5, 150)
    yv = np.array([rng.choice(3, p=p) for p in vp])
    perm = rng.permutation(150)
    for method in ("mlls", "rlls"):
        a = estimate_priors(vp, yv, tp, method=method).priors
        b = estimate_priors(vp, yv, tp[perm], method=method).priors
        np.testing.assert_allclose(a, b, atol=1e-7)


class TestBadInput:
    def test_target_with_other_number_of_classes(self):
        """Target probabilities with a different number of classes are refused with both counts."""
        vp = np.full((4, 3), 1 / 3)
        with pytest.raises(
            ShapeMismatchError,
            match=r"as many classes as val_probs \(3 columns\), got 2",
        ):
            estimate_priors(vp, [0, 1, 2, 0], np.full((5, 2), 0.5))

    def test_unknown_method(self):
        """An unknown method lists the registered ones."""
        vp = np.full((4, 3), 1 / 3)
        with pytest.raises(InvalidParameterError, match="method must be one of"):
            estimate_priors(vp, [0, 1, 2, 0], vp, method="magic")


class TestOptionsAndClasses:
    def test_unknown_option_lists_the_methods_options(self):
        """A misspelt option was a TypeError from inside the method."""
        vp = np.full((4, 3), 1 / 3)
        with pytest.raises(
            InvalidParameterError, match=r"method='mlls' must be among \['max_iter', 'tol', 'source_prior'\].*'maxiter'"
        ):
            estimate_priors(vp, [0, 1, 2, 0], vp, maxiter=5)

    @pytest.mark.parametrize(
        ("method", "option", "value"),
        [("mlls", "max_iter", -3), ("mlls", "tol", 0.0), ("rlls", "alpha", -1.0), ("rlls", "delta", 1.5)],
    )
    def test_out_of_range_option_is_refused(self, problem, method, option, value):
        """max_iter=-3 ran no EM step and returned the source priors as if nothing had shifted."""
        model, Xv, yv, Xt, _, _ = problem
        with pytest.raises(InvalidParameterError, match=option):
            estimate_priors(model.predict_proba(Xv), yv, model.predict_proba(Xt), method=method, **{option: value})

    @pytest.mark.parametrize("method", list(METHODS))
    def test_class_without_validation_labels_is_named(self, problem, method):
        """MLLS gave the class a target prior of 0 (and BBSE a 'singular' error) when no validation label had it."""
        model, Xv, yv, Xt, _, _ = problem
        yv = np.where(yv == 2, 1, yv)
        with pytest.raises(TooFewExamplesError, match=r"no validation example has class\(es\) 2"):
            estimate_priors(model.predict_proba(Xv), yv, model.predict_proba(Xt), method=method)

    def test_probability_frames_are_read_by_column_name(self, problem):
        """Class-named columns: text labels map to them by name and the target's order follows the validation's."""
        model, Xv, yv, Xt, _, _ = problem
        names = np.array(["dog", "cat", "fox"])  # column j holds class names[j]
        vp, tp = model.predict_proba(Xv), model.predict_proba(Xt)
        ref = estimate_priors(vp, names[yv], tp, classes=names)
        got = estimate_priors(
            pd.DataFrame(vp, columns=names), names[yv], pd.DataFrame(tp[:, [2, 0, 1]], columns=names[[2, 0, 1]])
        )
        assert got.classes.tolist() == names.tolist()
        np.testing.assert_allclose(got.priors, ref.priors)


def _probs_problem():
    model, xv, yv, xt, _, _ = shifted_problem([0.6, 0.3, 0.1], n_target=500)
    return model.predict_proba(xv), yv, model.predict_proba(xt)


class TestPandasRows:
    def test_val_labels_series_is_matched_to_a_val_probs_frame_by_index(self):
        """A val_probs DataFrame in another row order than the val_labels Series gives the in-order estimate."""
        vp, vl, tp = _probs_problem()
        frame = pd.DataFrame(vp, index=pd.RangeIndex(len(vp)) + 100)
        labels = pd.Series(vl, index=frame.index)
        order = np.random.default_rng(0).permutation(len(vp))
        expected = estimate_priors(vp, vl, tp).priors
        got = estimate_priors(frame.iloc[order], labels, tp).priors
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)

    def test_val_probs_with_other_index_keys_is_refused(self):
        """An index that does not match val_labels' names val_probs and the missing keys."""
        vp, vl, tp = _probs_problem()
        labels = pd.Series(vl)
        with pytest.raises(ShapeMismatchError, match=r"^val_probs must have one row per index key of val_labels"):
            estimate_priors(pd.DataFrame(vp, index=labels.index + 1), labels, tp)
