"""MultiSPA and MultiSPA-KL (Ibrahim, Fu, Kargas and Huang, NeurIPS 2019): Dawid-Skene confusions from pairwise
co-occurrences, as a start for the label model's Dawid-Skene MAP fit.

Model. Labeler ``m`` answers ``a`` given class ``y`` with probability ``A_m[a, y]`` (each column of ``A_m`` a
distribution), the class has prior ``d`` (``D = diag(d)``) and labelers answer independently given the class. Two
labelers' joint answer distribution is then ``R_{m,l} = A_m D A_lᵀ`` ([1]_, Eq. 2), estimated by
``R̂_{m,l}[a, b]``, the share of the items both answered on which ``m`` said ``a`` and ``l`` said ``b``.

MultiSPA ([1]_, Algorithm 1). For each labeler ``m``, ``Z_m = [R_{m,l_1}, …, R_{m,l_T}] = A_m H_mᵀ`` over the other
labelers, ``H_m``'s rows the rows ``(A_l D)[b, :]``. Each column of ``Z_m`` normalised to sum 1 is ``A_m`` times a
point of the probability simplex (``1ᵀA_m = 1ᵀ``), so the normalised columns lie in the convex hull of ``A_m``'s
columns; where, for every class ``y``, some labeler's answer ``b`` is (nearly) given only on class ``y`` (the
paper's anchor condition), the hull's vertices are ``A_m``'s columns, and the successive projection algorithm
(SPA [2]_: ``K`` times, the column of largest Euclidean norm after projecting out the columns already chosen)
finds them, up to their order.

MultiSPA-KL ([1]_, the criterion fitted after MultiSPA). ``min Σ_{pairs} KL(R̂_{m,l} ‖ A_m D A_lᵀ)`` over column-
stochastic ``A_m`` and ``d`` in the simplex, started from MultiSPA's estimate. Each pair's term is, up to a constant,
``−Σ_{a,b} R̂_{m,l}[a, b] log (A_m D A_lᵀ)[a, b]``: the likelihood of a latent-class model of answer pairs, so the
EM steps of that model (the multiplicative updates of KL nonnegative factorisation under the simplex constraints)
lower the criterion at every step; they run until a step lowers it by less than :data:`KL_TOL` or :data:`KL_ITER`
steps. The paper's criterion weighs each pair's ``R̂`` equally, which is kept.

MultiSPA-EM (the paper's Dawid-Skene EM initialised by MultiSPA, or by MultiSPA-KL): :func:`multispa_confusions`
returns the E-step at the estimate (``kl=True``: after the KL fit); ``_spectral.keep_higher_map`` runs the label
model's MAP EM from it beside majority vote's start and keeps the fit of higher MAP objective.

Departures, each forced by what the paper leaves open or by finite samples:

* Estimation noise. A normalised column of ``Z_m`` built from a few co-occurrences is near a simplex vertex by
  chance, which SPA would pick first; a column enters ``Z_m`` only when it counts at least :data:`MIN_COLUMN`
  co-occurrences, and a pair enters the KL criterion only when the two labelers share that many items. A labeler
  with fewer than ``K`` such columns gets no estimate: it does not enter the start (its answers count for nothing
  in the start's E-step) and EM fits it from there.
* Column order. SPA returns ``A_m``'s columns in an order of its own for each labeler. They are matched to the
  classes (Hungarian assignment, least ℓ1 distance) to the labeler's confusion against majority vote's shares
  (``majority``): the latent classes are exchangeable, and the labels keep majority vote's names as the label
  model's other starts do.
* The start of ``d``: the mean of majority vote's shares (MultiSPA itself gives no ``d``).

References
----------
.. [1] S. Ibrahim, X. Fu, N. Kargas and K. Huang, "Crowdsourcing via Pairwise Co-occurrences: Identifiability and
   Algorithms", NeurIPS 2019, 7847-7857. https://arxiv.org/abs/1909.12325
.. [2] N. Gillis and S. A. Vavasis, "Fast and Robust Recursive Algorithms for Separable Nonnegative Matrix
   Factorization", IEEE TPAMI 36(4), 698-714, 2014.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._posterior import VotedOutcomes
from ._spectral import DELTA, Spectral

__all__ = ["KL_ITER", "KL_TOL", "MIN_COLUMN", "cooccurrences", "kl_refine", "multispa_confusions", "spa"]

#: Co-occurrences a column of ``Z_m`` (and a pair of the KL criterion) must count.
MIN_COLUMN = 20
#: Most EM steps of the KL fit (0: MultiSPA alone).
KL_ITER = 200
#: The KL fit stops when a step lowers the criterion (its mean over the pairs) by less than this.
KL_TOL = 1e-7


def spa(z: np.ndarray, k: int) -> np.ndarray:
    """The successive projection algorithm ([2]_): ``k`` column indices of ``z`` (rows: coordinates).

    Each step picks the column of largest Euclidean norm and projects every column onto the orthogonal complement
    of the picked one (ties: the first column).
    """
    resid = np.array(z, dtype=np.float64)
    picked: list[int] = []
    for _ in range(k):
        norms = np.einsum("ij,ij->j", resid, resid)
        norms[picked] = -1.0
        j = int(np.argmax(norms))
        picked.append(j)
        u = resid[:, j] / max(float(np.sqrt(norms[j])), 1e-300)
        resid -= np.outer(u, u @ resid)
    return np.asarray(picked)


def _decode(voted: VotedOutcomes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each vote's row, labeler and class (single labelers: column ``starts[j] + 1 + a``)."""
    lam = voted.lam
    row = np.repeat(np.arange(lam.shape[0]), np.diff(lam.indptr))
    labeler = np.searchsorted(voted.starts, lam.indices, side="right") - 1
    return row, labeler, lam.indices - voted.starts[labeler] - 1


def cooccurrences(
    row: np.ndarray, labeler: np.ndarray, vote: np.ndarray, w: np.ndarray, m: int, k: int
) -> sp.csr_matrix:
    """``N[(m, a), (l, b)]``: the items (rows weighted by ``w``) on which labeler ``m`` said ``a``, ``l`` said ``b``."""
    x = sp.csr_matrix((w[row], (row, labeler * k + vote)), shape=(len(w), m * k))
    ones = sp.csr_matrix((np.ones(len(row)), (row, labeler * k + vote)), shape=(len(w), m * k))
    return sp.csr_matrix(ones.T @ x)


def _confusion_vs(row: np.ndarray, labeler: np.ndarray, vote: np.ndarray, w: np.ndarray, post: np.ndarray, m: int):
    """Each labeler's answers against the posterior ``post``: ``[j, a, y]``, columns normalised."""
    k = post.shape[1]
    out = np.zeros((m * k, k))
    np.add.at(out, labeler * k + vote, post[row] * w[row, None])
    out = out.reshape(m, k, k)
    return out / np.maximum(out.sum(axis=1, keepdims=True), 1e-300)


def _spa_confusions(n: sp.csr_matrix, m: int, k: int, reference: np.ndarray) -> dict[int, np.ndarray]:
    """MultiSPA per labeler: ``{m: A_m}`` (``[a, y]``, columns matched to ``reference[m]``) for the labelers with at
    least ``k`` columns of at least :data:`MIN_COLUMN` co-occurrences."""
    from scipy.optimize import linear_sum_assignment

    n = n.tocsr()
    out = {}
    for j in range(m):
        block = n[j * k : (j + 1) * k].toarray()  # (k, m·k): R_{j,l} up to a scale per pair, all l side by side
        block[:, j * k : (j + 1) * k] = 0.0  # not with itself
        sums = block.sum(axis=0)
        cols = np.flatnonzero(sums >= MIN_COLUMN)
        if len(cols) < k:
            continue
        z = block[:, cols] / sums[cols][None, :]
        a = z[:, spa(z, k)]
        cost = np.abs(a[:, :, None] - reference[j][:, None, :]).sum(axis=0)  # [SPA column, class]
        picked, cls = linear_sum_assignment(cost)
        est = np.empty((k, k))
        est[:, cls] = a[:, picked]
        est = np.maximum(est, DELTA)
        out[j] = est / est.sum(axis=0, keepdims=True)
    return out


def kl_refine(
    r_hat: np.ndarray, first: np.ndarray, second: np.ndarray, a: np.ndarray, d: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """MultiSPA-KL's fit: ``min Σ_p KL(r_hat[p] ‖ A[first[p]] D A[second[p]]ᵀ)`` by EM from ``a`` ``(labelers, K, K)``
    ``[j, answer, class]`` and ``d``; returns ``A``, ``d`` and the criterion's ``Σ_p Σ r_hat log model`` divided by
    the number of pairs, per step (never decreasing). Stops when a step raises it by less than :data:`KL_TOL`."""
    n_pairs, n_lab = len(first), len(a)
    cols = np.arange(n_pairs)
    # labeler x pair incidences: the M-step's sums over a labeler's pairs as one sparse product each
    inc_f = sp.csr_matrix((np.ones(n_pairs), (first, cols)), shape=(n_lab, n_pairs))
    inc_s = sp.csr_matrix((np.ones(n_pairs), (second, cols)), shape=(n_lab, n_pairs))
    touched = np.zeros(n_lab, dtype=bool)
    touched[first] = touched[second] = True
    history: list[float] = []
    a = a.copy()
    for _ in range(KL_ITER + 1):
        af, asec = a[first], a[second]  # (P, K, K): [pair, answer, class]
        model = np.matmul(af * d, np.transpose(asec, (0, 2, 1)))  # A_m D A_lᵀ
        history.append(float(np.sum(r_hat * np.log(np.maximum(model, 1e-300)))) / n_pairs)
        if len(history) > KL_ITER or (len(history) > 1 and history[-1] - history[-2] < KL_TOL):
            break
        ratio = r_hat / np.maximum(model, 1e-300)
        num_f = af * d * np.matmul(ratio, asec)  # each pair's cells' mass on class y, by m's answer
        num_s = asec * d * np.matmul(np.transpose(ratio, (0, 2, 1)), af)  # the same by l's answer
        k = a.shape[1]
        num = np.asarray(inc_f @ num_f.reshape(n_pairs, -1) + inc_s @ num_s.reshape(n_pairs, -1)).reshape(n_lab, k, k)
        num = np.maximum(num[touched], DELTA)
        a[touched] = num / num.sum(axis=1, keepdims=True)
        d_new = np.maximum(num_f.sum(axis=(0, 1)), DELTA)
        d = d_new / d_new.sum()
    return a, d, history


def multispa_confusions(
    voted: VotedOutcomes, w: np.ndarray, k: int, groups: list[list[int]], majority: np.ndarray, *, kl: bool = False
) -> Spectral:
    """MultiSPA, then (``kl``) MultiSPA-KL's fit (module docstring), on the label model's distinct vote rows.

    Parameters
    ----------
    voted : VotedOutcomes
        The rows' outcomes of single labelers.
    w : ndarray of shape (n_rows,)
        Items per row.
    k : int
    groups : list of list of int
        The label model's labeler groups; every labeler must be on its own.
    majority : ndarray of shape (n_rows, K)
        Majority vote's shares per row: they name the classes and start ``d``.
    kl : bool, default False
        Refine MultiSPA's estimate by the KL fit (at most :data:`KL_ITER` steps); False: MultiSPA alone, ``d`` at
        majority vote's mean shares.

    Returns
    -------
    _spectral.Spectral
        ``confusion`` ``[labeler, class, answer]`` (uniform for a labeler without an estimate), ``balance`` and the
        rows' posterior at them; or why it could not run (cliques, fewer than two labelers with an estimate).
    """
    if any(len(g) > 1 for g in groups):
        return Spectral(None, None, None, "labelers are modelled jointly (cliques)")
    m = len(voted.starts)
    row, labeler, vote = _decode(voted)
    n = cooccurrences(row, labeler, vote, w, m, k)
    reference = _confusion_vs(row, labeler, vote, w, majority, m)
    est = _spa_confusions(n, m, k, reference)
    if len(est) < 2:
        return Spectral(None, None, None, f"fewer than two labelers share {MIN_COLUMN} items per column ({len(est)})")
    keys = np.array(sorted(est))
    a = np.stack([est[j] for j in keys])  # [estimated labeler, answer, class]
    d = np.maximum(w @ majority, DELTA)
    d /= d.sum()
    shared = _pair_blocks(n, keys, k)
    if shared is not None and kl and KL_ITER:
        a, d, _ = kl_refine(*shared, a, d)
    confusion = np.full((m, k, k), 1.0 / k)
    confusion[keys] = np.transpose(a, (0, 2, 1))  # [labeler, class, answer]
    log_post = np.tile(np.log(d), (voted.lam.shape[0], 1))
    np.add.at(log_post, row, np.log(confusion[labeler, :, vote]))
    log_post -= log_post.max(axis=1, keepdims=True)
    post = np.exp(log_post)
    return Spectral(confusion, d, post / post.sum(axis=1, keepdims=True))


def _pair_blocks(n: sp.csr_matrix, keys: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``R̂`` of each pair of estimated labelers sharing at least :data:`MIN_COLUMN` items, and the pair's two
    positions in ``keys``; None when no pair does."""
    coo = n.tocoo()
    pos = np.full(n.shape[0] // k, -1)
    pos[keys] = np.arange(len(keys))
    i, j = pos[coo.row // k], pos[coo.col // k]
    keep = (i >= 0) & (j >= 0) & (i < j)  # each unordered pair once (N is symmetric)
    i, j, a, b, v = i[keep], j[keep], coo.row[keep] % k, coo.col[keep] % k, coo.data[keep]
    totals = sp.csr_matrix((v, (i, j)), shape=(len(keys), len(keys))).tocoo()
    big = totals.data >= MIN_COLUMN
    if not big.any():
        return None
    first, second = totals.row[big], totals.col[big]
    index = sp.csr_matrix((np.arange(1, len(first) + 1), (first, second)), shape=totals.shape)
    pair = np.asarray(index[i, j]).ravel() - 1
    ok = pair >= 0
    r_hat = np.zeros((len(first), k, k))
    np.add.at(r_hat, (pair[ok], a[ok], b[ok]), v[ok])
    r_hat /= r_hat.sum(axis=(1, 2), keepdims=True)
    return r_hat, first, second
