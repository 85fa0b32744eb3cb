"""One confusion matrix shared by every annotator: Dawid and Skene's EM with tied parameters, and the test that keeps it.

A crowd table stored by *slot* (the first, second, third answer of each item, each slot filled by whichever worker
took the item: CIFAR-10N's three annotations, a table with columns ``annotator_1..3``) has exchangeable
"annotators": each slot's confusion is the same mixture of the workers' confusions. Dawid and Skene's model [1]_
with one confusion per annotator then estimates ``m`` times the parameters the data identify. The class-conditional
model of [1]_ with the annotators' parameters tied (one ``π[k, l]`` for all, each answer independent given the class)
is nested in it and is estimated from ``m`` times the answers. Its M-step is :meth:`DawidSkene._m_step
<labelwise.aggregate.DawidSkene>`'s with ``shared=True`` (:func:`tied_m_step`: the expected counts pooled over the
annotators before normalising, the prior's pseudo-counts added once); :func:`em_fit` runs that EM.

Test (:func:`shared_test`). Both models are fitted by maximum likelihood (EM from the vote shares) and the
likelihood-ratio statistic ``2 (ℓ_separate − ℓ_shared)`` is compared with a χ² distribution of ``(m − 1) K (K − 1)``
degrees of freedom (Wilks [2]_). The test runs only where the χ² approximation is sound: every annotator has at least
:data:`MIN_PER_CELL` answers per cell of its ``K x K`` confusion on average (Cochran's [3]_ rule of thumb of 5
expected counts per cell; without it a sparse crowd, whose workers have a few answers each, never rejects: the test
has no power there). Where it does not reject at :data:`ALPHA`, the shared model is kept. The weak label model
(``weak._exchangeable``) and :class:`~labelwise.aggregate.DawidSkene` (``shared_confusion="auto"``) both call it.

References
----------
.. [1] A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer error-rates using the EM
   algorithm", Applied Statistics 28(1), 20-28, 1979.
.. [2] S. S. Wilks, "The large-sample distribution of the likelihood ratio for testing composite hypotheses",
   Annals of Mathematical Statistics 9(1), 60-62, 1938.
.. [3] W. G. Cochran, "Some methods for strengthening the common χ² tests", Biometrics 10(4), 417-451, 1954.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ._answers import _csr_from_pairs
from ._observed import _FLOOR, _Observed, _vote_shares

__all__ = [
    "ALPHA",
    "MIN_PER_CELL",
    "SharedFit",
    "SharedTest",
    "em_fit",
    "observed_rows",
    "shared_test",
    "tied_log_prior",
    "tied_m_step",
]

#: Level of the likelihood-ratio test of one shared confusion against one per annotator.
ALPHA = 0.05
#: Answers per confusion cell (``K²`` cells) each annotator needs on average for the test to run.
MIN_PER_CELL = 5.0
#: The test's EM: at most this many steps, stopped when the log-likelihood per item rises by less than :data:`TEST_TOL`.
TEST_ITER = 500
TEST_TOL = 1e-9


class SharedTest(NamedTuple):
    """The likelihood-ratio test of one shared confusion: the statistic, its degrees of freedom and p-value."""

    statistic: float
    df: int
    p_value: float


class SharedFit(NamedTuple):
    """One :func:`em_fit`: the last E-step's posterior, the balance and the used columns' confusion rows it was
    computed at (``given[r, k] = π_j[k, l]`` for used column ``r = (j, l)``), the shared confusion ``[l, k]`` (None for
    one per annotator), the log-likelihood of the answers (no prior term), the EM steps and whether it converged."""

    post: np.ndarray
    prior: np.ndarray
    given: np.ndarray
    shared: np.ndarray | None
    log_likelihood: float
    steps: int
    converged: bool


def tied_m_step(obs: _Observed, counts: np.ndarray, pseudo: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """The tied M-step from the used columns' expected counts ``counts[r, k]``: ``π[k, l] ∝ Σ_j n_j[k, l] + A[k, l]``
    (the pseudo-counts ``A`` once, each cell floored at ``floor``). Returns ``given`` (``π[k, l_r]`` per used column
    ``r``) and the shared confusion ``[l, k]``."""
    k = pseudo.shape[0]
    pooled = np.empty((k, k))  # [given l, true k]
    for c in range(k):
        pooled[:, c] = np.bincount(obs.label_of, weights=counts[:, c], minlength=k)
    pooled += pseudo.T
    np.maximum(pooled, floor, out=pooled)
    shared = pooled / pooled.sum(axis=0)
    return shared.take(obs.label_of, axis=0), shared


def tied_log_prior(pseudo: np.ndarray, shared: np.ndarray) -> float:
    """The Dirichlet prior's log density (up to a constant) for one shared confusion: ``Σ_{k,l} A[k, l] log π[k, l]``,
    counted once."""
    return float((pseudo.T * np.log(shared)).sum())


def observed_rows(matrix: np.ndarray, w: np.ndarray, k: int) -> _Observed:
    """:class:`~labelwise.aggregate._observed._Observed` of vote rows: ``matrix[i, j]`` the label annotator ``j`` gave
    on row ``i`` (-1: none), row ``i`` standing for ``w[i]`` items (the weak label model's compressed rows)."""
    r, c = np.nonzero(matrix >= 0)
    n_ann = matrix.shape[1]
    code = c * k + matrix[r, c]
    used = np.zeros(n_ann * k, dtype=bool)
    used[code] = True
    columns = np.flatnonzero(used)
    position = np.cumsum(used) - 1
    m = sp.csr_matrix((np.ones(len(r)), (r, position[code])), shape=(matrix.shape[0], len(columns)))
    annotator_of = columns // k
    by_annotator = _csr_from_pairs(annotator_of, np.arange(len(columns)), (n_ann, len(columns)))
    unused = (~used).reshape(n_ann, k).astype(np.float64)
    weights = np.asarray(w, dtype=np.float64)
    return _Observed(columns, m, m.T, weights, annotator_of, columns % k, by_annotator, unused, unused @ np.ones(k))


def em_fit(
    obs: _Observed,
    k: int,
    *,
    shared: bool,
    pseudo: np.ndarray | None = None,
    n_iter: int = TEST_ITER,
    tol: float = TEST_TOL,
    floor: float = _FLOOR,
    balance: np.ndarray | None = None,
) -> SharedFit:
    """Dawid and Skene's EM (:class:`~labelwise.aggregate.DawidSkene`'s M- and E-steps) from the vote shares, one
    confusion per annotator or one ``shared``; ``pseudo`` (K x K, ``[k, l]``; None: maximum likelihood) added to
    the expected counts, ``balance`` a fixed class balance (None: estimated), ``floor`` each count's floor. Stops
    when the objective per item (log-likelihood plus the prior's log density) rises by less than ``tol``, or after
    ``n_iter`` steps."""
    from .dawid_skene import DawidSkene

    a = np.zeros((k, k)) if pseudo is None else pseudo
    post, total = _vote_shares(obs, k), float(obs.weights.sum())
    last, steps, converged = -np.inf, 0, False
    while steps < n_iter:
        steps += 1
        prior, given, extra = DawidSkene._m_step(obs, post, a, shared=shared, floor=floor, balance=balance)
        post, nll = DawidSkene._e_step(obs, prior, given, extra, 1, None)
        term = 0.0
        if pseudo is not None and pseudo.any():
            term = DawidSkene._log_prior(obs, pseudo, np.log(given), extra, shared)
        objective = (term - nll) / total
        if objective - last < tol:
            converged = True
            break
        last = objective
    return SharedFit(post, prior, given, extra if shared else None, -nll, steps, converged)


def answers_per_annotator(obs: _Observed) -> np.ndarray:
    """Each annotator's number of answers, weighted by the rows' items."""
    return np.asarray(obs.by_annotator @ (obs.mt @ obs.weights)).ravel()


def shared_test(obs: _Observed, k: int, *, floor: float = _FLOOR) -> SharedTest | None:
    """The likelihood-ratio test of one shared confusion against one per annotator (module docstring), or None where
    there are fewer than two annotators or one has fewer than :data:`MIN_PER_CELL` answers per confusion cell."""
    from scipy.stats import chi2

    m = obs.by_annotator.shape[0]
    if m < 2 or k < 2 or answers_per_annotator(obs).min() < MIN_PER_CELL * k * k:
        return None
    separate = em_fit(obs, k, shared=False, floor=floor).log_likelihood
    tied = em_fit(obs, k, shared=True, floor=floor).log_likelihood
    statistic = max(2.0 * (separate - tied), 0.0)
    df = (m - 1) * k * (k - 1)
    return SharedTest(statistic, df, float(chi2.sf(statistic, df)))
