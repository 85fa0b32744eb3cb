"""labelwise's RONI against ART 1.20.1's ``RONIDefense`` pieces, on the same trusted draws.

ART's ``detect_poison`` loop cannot be matched row for row: its first reference model is fitted on
all the suspect rows and each accepted row joins the base, so verdicts depend on a random visiting
order (see :func:`labelwise.poison.roni`, Notes). Its building blocks are the method, though:
``art.utils.performance_diff`` for one row's shift and ``get_calibration_info`` for the calibrated
centre and spread. The test forces ART's quiz and calibration rows to labelwise's draws, uses
labelwise's base as ART's ``x_val``, and compares. ART's ``SklearnClassifier.predict`` returns
probabilities, which its ``"accuracy"`` performance function refuses; the test passes accuracy on
the argmax as ``perf_func``.
"""

from __future__ import annotations

import warnings
from copy import deepcopy

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import labelwise as lw

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # ART warns that PyTorch is absent
    art_poison = pytest.importorskip("art.defences.detector.poison")
    art_sklearn = pytest.importorskip("art.estimators.classification")
    art_utils = pytest.importorskip("art.utils")


def _accuracy(one_hot, predicted):
    return float(np.mean(one_hot.argmax(axis=1) == predicted.argmax(axis=1)))


def flipped(seed: int, n: int = 24, n_valid: int = 60, flips: int = 4):
    """Two noisy Gaussian classes; the first ``flips`` suspect rows have their label flipped."""
    rng = np.random.default_rng(seed)
    X_valid = rng.normal(size=(n_valid, 2))
    y_valid = (X_valid[:, 0] + 0.3 * rng.normal(size=n_valid) > 0).astype(int)
    X = rng.normal(size=(n, 2))
    X[:flips, 0] = np.sign(X[:flips, 0]) * (1.0 + np.abs(X[:flips, 0]))  # flips well inside a class
    y = (X[:, 0] > 0).astype(int)
    y[:flips] = 1 - y[:flips]
    return X, y, X_valid, y_valid


@pytest.mark.slow  # ART refits a model per row and per calibration row
class TestRoniAgainstART:
    @pytest.mark.parametrize("seed", [2, 4, 5])
    def test_impacts_calibration_and_flags_match_art_on_the_same_draws(self, seed):
        """With ART's x_val, quiz and calibration rows set to labelwise's draws and a deterministic
        logistic regression, each row's impact is minus ART's shift (exactly: both are accuracy
        differences on the same predictions), the calibration centre is minus ART's median and the
        spread ART's std (to 1e-12), and labelwise flags the rows whose ART shift exceeds
        ``median + 3 std``: the same rows, on the side of the impact the papers reject."""
        X, y, X_valid, y_valid = flipped(seed)
        ours = lw.poison.roni(
            X,
            y,
            estimator=LogisticRegression(),
            X_valid=X_valid,
            y_valid=y_valid,
            n_base=12,
            center="median",
            n_draws=1,  # ART judges each row on one draw
            random_state=seed,
        )
        base, cal, quiz = (np.array(ours.params[key]) for key in ("base_rows", "calibration_rows", "quiz_rows"))
        one_hot = np.eye(2)
        defence = art_poison.RONIDefense(
            art_sklearn.SklearnClassifier(LogisticRegression()),
            X,
            one_hot[y],
            X_valid[base],
            one_hot[y_valid[base]],
            perf_func=_accuracy,
        )
        defence.x_quiz, defence.y_quiz = X_valid[quiz], one_hot[y_valid[quiz]]
        defence.x_cal, defence.y_cal = X_valid[cal], one_hot[y_valid[cal]]
        before = deepcopy(defence.classifier)
        before.fit(X_valid[base], one_hot[y_valid[base]])
        shifts = np.empty(len(X))
        for i in range(len(X)):
            after = deepcopy(before)
            after.fit(np.vstack([X_valid[base], X[i]]), np.vstack([one_hot[y_valid[base]], one_hot[y[i]]]))
            shifts[i] = art_utils.performance_diff(
                before, after, defence.x_quiz, defence.y_quiz, perf_function=_accuracy
            )
        median, std = defence.get_calibration_info(before)
        np.testing.assert_allclose(ours.scores, shifts, rtol=0, atol=1e-12)  # labelwise's score is the harm
        assert ours.params["calibration_center"] == pytest.approx(-median, abs=1e-12)
        assert ours.params["calibration_std"] == pytest.approx(std, abs=1e-12)
        np.testing.assert_array_equal(ours.is_flagged, shifts > median + 3 * std + 1e-12)
        assert ours.n_flagged >= 2

    def test_art_is_suspicious_flags_the_other_tail(self):
        """ART's ``is_suspicious`` compares its shift (before minus after) with ``median - 3 std``,
        the tail of rows whose addition raises the quiz accuracy: it clears every row labelwise flags."""
        X, y, X_valid, y_valid = flipped(5)
        ours = lw.poison.roni(
            X,
            y,
            estimator=LogisticRegression(),
            X_valid=X_valid,
            y_valid=y_valid,
            n_base=12,
            center="median",
            n_draws=1,
            random_state=5,
        )
        base, cal, quiz = (np.array(ours.params[key]) for key in ("base_rows", "calibration_rows", "quiz_rows"))
        one_hot = np.eye(2)
        defence = art_poison.RONIDefense(
            art_sklearn.SklearnClassifier(LogisticRegression()),
            X,
            one_hot[y],
            X_valid[base],
            one_hot[y_valid[base]],
            perf_func=_accuracy,
        )
        defence.x_quiz, defence.y_quiz = X_valid[quiz], one_hot[y_valid[quiz]]
        defence.x_cal, defence.y_cal = X_valid[cal], one_hot[y_valid[cal]]
        before = deepcopy(defence.classifier)
        before.fit(X_valid[base], one_hot[y_valid[base]])
        # is_suspicious refits the calibration on every call: ask about labelwise's flagged rows only
        assert ours.n_flagged >= 2
        assert not any(defence.is_suspicious(before, ours.scores[i]) for i in ours.flagged_indices)
