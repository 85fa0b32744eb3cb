"""Leave-one-vote-out predictive log-likelihood: does the crowd prior help predict a held-out vote?

With missing abstains the label model can take its labels from the maximum-likelihood Dawid-Skene
fit or from the MAP fit under the diagonal Dirichlet prior (:func:`._em.diagonal_pseudo_counts`).
The prior protects functions with few votes on items with few other votes (there EM's estimate of
a confusion rests on posteriors its own votes made), and costs where every item has many votes and
each function's confusion is well determined (it pulls good workers and spammers toward the
crowd's mean). Which of the two fits describes the crowd better is a question of prediction, and
cross-validation answers it (Stone 1974; Geisser 1975): each vote is predicted from

* the item's posterior *without* that vote (the fit's posterior with the vote's factor divided
  out), and
* the voter's vote distribution given the class re-estimated *without* that vote (one M-step with
  the item's share of the counts taken out: the case-deletion update of the sufficient
  statistics, which for a Dirichlet-multinomial M-step is exact given the posterior),

``P(vote) = Σ_y P(Y = y | other votes) · P(vote | pattern, y; counts without it)``. The score sums
``log P(vote)`` over every group's vote on every item. Unlike the in-sample likelihood, it does not
reward a fit for confusion rows that fit their own votes: a function with a few votes gets its
held-out vote predicted from the rest of its (few) counts and pays for an extreme row.

References
----------
.. [1] M. Stone, "Cross-Validatory Choice and Assessment of Statistical Predictions", Journal of
   the Royal Statistical Society B 36(2), 111-147, 1974.
.. [2] S. Geisser, "The Predictive Sample Reuse Method with Applications", Journal of the American
   Statistical Association 70(350), 320-328, 1975.
.. [3] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using the
   EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

import numpy as np

from ._posterior import FLOOR, VotedOutcomes

__all__ = ["held_out_vote_log_likelihood"]


def held_out_vote_log_likelihood(
    voted: VotedOutcomes, post: np.ndarray, mu_g: np.ndarray, patterns: np.ndarray, pseudo: np.ndarray | float
) -> float:
    """``Σ_i w_i Σ_g log P(outcome of g on i | i's other votes, counts without it)`` over the voted outcomes.

    Parameters
    ----------
    voted : VotedOutcomes
        The groups' voted outcomes, with the rows' weights (each row stands for ``w_i`` items).
    post : ndarray (n, K)
        The fit's posterior (its last E-step, at ``mu_g``).
    mu_g : ndarray (n_columns, K)
        The fit's outcome probabilities given the class (missing abstains: pattern share times the
        votes' distribution given the pattern and class).
    patterns : ndarray of int (n_columns,)
        Each outcome column's voting pattern (:func:`._posterior.outcome_patterns`).
    pseudo : float or ndarray (n_columns, K)
        The pseudo-counts of the fit's M-step for the votes given the pattern (``smoothing`` for the
        maximum-likelihood fit, the prior for the MAP fit).
    """
    if voted.weights is None:
        raise ValueError("voted must carry the rows' weights")
    k = post.shape[1]
    data = voted.counts(post, voted.mass(post))
    num = data + pseudo
    n_pat = int(patterns.max()) + 1
    den = np.stack([np.bincount(patterns, weights=num[:, y], minlength=n_pat) for y in range(k)], axis=1)[patterns]
    coo = voted.lam.tocoo()
    rows, cols = coo.row, coo.col
    t = post[rows]
    # the item's posterior without this vote's factor (the pattern's share does not depend on the class)
    rest = np.log(np.maximum(t, 1e-300)) - np.log(np.maximum(mu_g[cols], FLOOR))
    rest = np.exp(rest - rest.max(axis=1, keepdims=True))
    rest /= rest.sum(axis=1, keepdims=True)
    # the vote's distribution given the pattern and class, from the counts without this one item
    held = np.maximum(num[cols] - t, 0.0) / np.maximum(den[cols] - t, FLOOR)
    return float(voted.weights[rows] @ np.log(np.maximum((rest * held).sum(axis=1), 1e-300)))
