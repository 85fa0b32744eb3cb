"""Tests for BWA, Bayesian weighted averaging (labelwise.aggregate.bwa)."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import BWA, METHODS, MajorityVote
from labelwise.errors import InvalidParameterError, LabelwiseWarning
from tests.aggregate._crowd import accuracy, confusion_crowd


def _loop_bwa(answers: pd.DataFrame, k: int, a: float = 15.0, lam: float = 1.0, rtol: float = 1e-3) -> np.ndarray:
    """The paper's updates written class by class on a dense items x annotators grid (the reference)."""
    items = np.sort(answers.item.unique())
    anns = np.sort(answers.annotator.unique())
    seen = np.zeros((len(items), len(anns)))
    label = np.zeros_like(seen, dtype=int)
    seen[np.searchsorted(items, answers.item), np.searchsorted(anns, answers.annotator)] = 1
    label[np.searchsorted(items, answers.item), np.searchsorted(anns, answers.annotator)] = answers.label
    w_i, n_j = seen.sum(axis=1), seen.sum(axis=0)
    out = np.empty((len(items), k))
    for c in range(k):
        y = seen * (label == c)
        z = y.sum(axis=1) / w_i
        b = a * 4 * (1 - 1 / k) * (w_i * z * (1 - z)).sum() / w_i.sum()
        for _ in range(500):
            last = z.copy()
            mu = z.mean()
            v = (a + n_j) / (b + (seen * (z[:, None] - y) ** 2).sum(axis=0))
            z = (lam * mu + y @ v) / (lam + seen @ v)
            if np.allclose(last, z, rtol=rtol):
                break
        out[:, c] = z
    return out


class TestReference:
    def test_one_round_follows_the_three_updates(self):
        """A hand-computed round from the majority-vote fractions: the class mean, the precisions
        (a + N_j) / (b + squared residuals), then the weighted average with one pseudo-answer."""
        answers = pd.DataFrame({"item": [0, 0, 0, 1, 1, 1], "annotator": list("abcabc"), "label": [0, 0, 1, 1, 1, 1]})
        with pytest.warns(LabelwiseWarning, match="did not converge"):
            est = BWA(max_iter=1).fit(answers)
        # class 0: fractions (2/3, 0); b = 15 * 2 * (3 * 2/9 + 0) / 6 = 10/3
        z0, b = [F(2, 3), F(0)], F(10, 3)
        mu = sum(z0) / 2
        v = {
            "a": 17 / (b + (z0[0] - 1) ** 2 + z0[1] ** 2),
            "b": 17 / (b + (z0[0] - 1) ** 2 + z0[1] ** 2),
            "c": 17 / (b + z0[0] ** 2 + z0[1] ** 2),
        }
        item0 = (mu + v["a"] + v["b"]) / (1 + v["a"] + v["b"] + v["c"])
        item1 = mu / (1 + v["a"] + v["b"] + v["c"])
        np.testing.assert_allclose(est.precision_[0].to_numpy(), [float(v[j]) for j in "abc"], rtol=1e-12)
        np.testing.assert_allclose(est.scores_[0].to_numpy(), [float(item0), float(item1)], rtol=1e-12)
        assert est.class_mean_[0] == pytest.approx(float(mu))
        assert est.n_iter_ == 1 and not est.converged_

    def test_converged_scores_equal_the_class_by_class_loop(self):
        """Vectorised over answers, the fit equals the paper's updates run one class at a time."""
        answers, _ = confusion_crowd(150, 3, (0.9, 0.8, 0.7, 0.6, 0.4), per_item=4, seed=3)
        answers = answers.assign(annotator=answers.annotator.str[1:].astype(int))
        est = BWA().fit(answers)
        np.testing.assert_allclose(est.scores_.to_numpy(), _loop_bwa(answers, 3), rtol=0, atol=1e-12)
        np.testing.assert_allclose(est.probas_.sum(axis=1), 1.0)
        assert est.converged_

    def test_unanimous_crowd_keeps_its_answers(self):
        """Every item answered unanimously (the prior's rate would be 0): each item gets its answer."""
        answers = pd.DataFrame(
            {"item": [0, 0, 1, 1, 2], "annotator": list("ababa"), "label": ["x", "x", "y", "y", "z"]}
        )
        est = BWA().fit(answers)
        assert est.labels_.tolist() == ["x", "y", "z"]
        assert np.isfinite(est.probas_.to_numpy()).all()


class TestBehaviour:
    def test_good_annotators_get_the_larger_precision_and_beat_majority_vote(self):
        """Eight good annotators and four spammers: BWA weights the good ones up and beats the plain vote."""
        answers, truth = confusion_crowd(300, 3, (0.8,) * 8 + (1 / 3,) * 4, per_item=8, seed=0)
        est = BWA().fit(answers)
        precision = est.precision_.mean(axis=1)
        good = [f"a{j}" for j in range(8)]
        assert precision[good].min() > precision.drop(good).max()
        assert accuracy(est.labels_, truth) > accuracy(MajorityVote().fit(answers).labels_, truth)

    def test_permuting_annotator_ids_changes_nothing(self):
        """Relabelling annotators by a permutation (which reorders them) gives the same labels and scores."""
        answers, _ = confusion_crowd(80, 3, (0.9, 0.7, 0.6, 0.5), per_item=3, seed=5)
        perm = {"a0": "z", "a1": "b", "a2": "y", "a3": "c"}
        a = BWA().fit(answers)
        b = BWA().fit(answers.assign(annotator=answers.annotator.map(perm)))
        pd.testing.assert_frame_equal(a.probas_, b.probas_, atol=1e-9, rtol=0)
        pd.testing.assert_series_equal(a.labels_, b.labels_)
        np.testing.assert_allclose(
            a.annotator_skill_.to_numpy(), b.annotator_skill_[[perm[j] for j in a.annotator_skill_.index]]
        )

    def test_registered_as_bwa(self):
        """The command line's --method bwa is this class."""
        assert METHODS["bwa"] is BWA


@pytest.mark.parametrize(
    "param, value",
    [
        ("prior_shape", 0),
        ("prior_shape", -1.0),
        ("prior_shape", float("inf")),
        ("prior_shape", "15"),
        ("item_prior_strength", -0.5),
        ("item_prior_strength", float("nan")),
        ("item_prior_strength", True),
        ("prior_correction", "yes"),
        ("prior_correction", 1),
        ("max_iter", 0),
        ("tol", -1e-3),
    ],
)
def test_bad_parameters(param, value):
    """Out-of-range parameters raise InvalidParameterError naming them and what was given."""
    answers, _ = confusion_crowd(10, 2, seed=7)
    with pytest.raises(InvalidParameterError, match=param) as err:
        BWA(**{param: value}).fit(answers)
    assert repr(value) in str(err.value)


def test_no_item_prior_is_accepted():
    """item_prior_strength=0 (no shrinkage toward the class mean) is valid: a plain weighted average."""
    answers, truth = confusion_crowd(60, 2, seed=8)
    assert accuracy(BWA(item_prior_strength=0).fit(answers).labels_, truth) > 0.8
