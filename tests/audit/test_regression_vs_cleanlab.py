"""Differential tests: the regression audit against ``cleanlab.regression`` 2.9.

labelwise standardises the residual ``r = y - prediction`` by a robust location and scale
(``u = (r / s - median) / c``) and scores ``exp(-|u|)``; cleanlab's ``residual`` score is
``exp(-|r|)``. The two coincide, up to one global factor in the exponent, where labelwise's scale is
one number (``uncertainty`` given as a constant ``s``) and the residuals' median is exactly zero:
then ``|u| = |r| / (s c)``. The tests build residuals with an exact zero median (an odd number,
one of them zero, as many positive as negative).

Not compared, because labelwise deliberately differs (benchmarks/RESULTS.md, "Label shapes"):
cleanlab's default ``outre`` score (distances to ``n/2`` neighbours in (label, residual) space;
labelwise has no such score), labelwise's local scales without ``uncertainty`` (cross-fitted MADs
over prediction bins), and ``cleanlab.regression.learn.CleanLearning``, whose share of errors is
chosen by refitting over a grid of shares and whose folds are drawn over the rows sorted by their
first residual, so its predictions differ from any plain K-fold's even at share 0.
"""

from __future__ import annotations

import numpy as np
import pytest

cleanlab_regression_rank = pytest.importorskip("cleanlab.regression.rank")

from labelwise.audit import regression  # noqa: E402


def _zero_median_case(seed: int, m: int = 200, n_errors: int = 10, scale: float = 1.0):
    """Targets and predictions whose residuals have median exactly 0 and a few large errors."""
    rng = np.random.default_rng(seed)
    res = np.concatenate([rng.exponential(scale, m), -rng.exponential(scale, m), [0.0]])
    res[rng.choice(2 * m, n_errors, replace=False)] *= 8.0
    pred = rng.normal(0, 3, res.size)
    return pred + res, pred


class TestResidualScore:
    """``label_quality`` is cleanlab's ``residual`` score raised to one global power."""

    @pytest.mark.parametrize("seed", [0, 1, 2])
    @pytest.mark.parametrize("uncertainty", [1.0, 0.3])
    def test_score_is_cleanlabs_exponent_over_one_scale(self, seed, uncertainty):
        """``-log`` of the two scores has one ratio over all rows (the zero residual aside)."""
        y, pred = _zero_median_case(seed)
        assert np.median(y - pred) == 0.0
        ours = regression.find_label_issues(y, pred, uncertainty=uncertainty, rule="zscore")
        theirs = cleanlab_regression_rank.get_label_quality_scores(y, pred, method="residual")
        exponent = -np.log(theirs)
        nonzero = exponent > 0
        ratio = ours.score[nonzero] / exponent[nonzero]
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)
        np.testing.assert_allclose(ours.label_quality[nonzero], theirs[nonzero] ** ratio[0], rtol=1e-9)

    @pytest.mark.parametrize("seed", [3, 4])
    def test_flagged_rows_in_cleanlabs_order(self, seed):
        """The flagged rows, worst first, come in the order of cleanlab's residual scores."""
        y, pred = _zero_median_case(seed, scale=2.0)
        ours = regression.find_label_issues(y, pred, uncertainty=1.0, rule="zscore")
        theirs = cleanlab_regression_rank.get_label_quality_scores(y, pred, method="residual")
        flagged = np.flatnonzero(ours.is_issue)
        assert flagged.size >= 5 and np.unique(theirs[flagged]).size == flagged.size
        np.testing.assert_array_equal(ours.ranked_indices, flagged[np.argsort(theirs[flagged])])

    def test_the_mixture_rule_ranks_as_cleanlab_too(self):
        """The default rule flags differently but ranks its flags by the same score."""
        y, pred = _zero_median_case(5)
        ours = regression.find_label_issues(y, pred, uncertainty=1.0)
        theirs = cleanlab_regression_rank.get_label_quality_scores(y, pred, method="residual")
        flagged = np.flatnonzero(ours.is_issue)
        assert flagged.size >= 5
        np.testing.assert_array_equal(ours.ranked_indices, flagged[np.argsort(theirs[flagged])])
