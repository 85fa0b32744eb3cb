"""A spectral start for the label model's Dawid-Skene fit: Stage 1 of Zhang, Chen, Zhou and Jordan (2014).

Stage 1 estimates each labeler's confusion matrix by the method of moments (Zhang et al., Algorithm 1):

1. The labelers are split into three disjoint non-empty groups ``G_1, G_2, G_3`` and each item gets its
   group-aggregated label ``Z_gj = (1 / |G_g|) Σ_{i ∈ G_g} z_ij`` (``z_ij`` the one-hot vote, zero when
   ``i`` did not vote on ``j``). The paper allows any partition; here the labelers, ranked by their
   number of votes (ties by position), are dealt round-robin, which depends neither on the items' order
   nor on the classes' names.
2. For each ``(a, b, c)`` in ``{(2, 3, 1), (3, 1, 2), (1, 2, 3)}``, with ``M_xy = (1/n) Σ_j Z_xj ⊗ Z_yj``:
   ``Ẑ_aj = M_cb M_ab⁻¹ Z_aj``, ``Ẑ_bj = M_ca M_ba⁻¹ Z_bj``, ``M₂ = (1/n) Σ_j Ẑ_aj ⊗ Ẑ_bj`` and ``M₃ =
   (1/n) Σ_j Ẑ_aj ⊗ Ẑ_bj ⊗ Z_cj``. With ``Q`` whitening ``M₂`` (``Qᵀ M₂ Q = I``), the robust tensor power
   method [2]_ (``N_POWER`` power iterations from each start, the best by ``T(θ, θ, θ)``, ``N_POWER``
   more, deflation) decomposes ``M₃(Q, Q, Q)`` into eigenpairs ``(α_h, v_h)``: ``w_h = α_h⁻²``
   and ``μ_ch = α_h (Qᵀ)⁺ v_h``. Column ``h`` of ``C_c`` is the ``μ_ch`` whose ``h``-th coordinate is largest.
3. A labeler ``i`` of group ``g``: ``C_i = ((1/n) Σ_j z_ij ⊗ Z_aj) (W C_aᵀ)⁻¹`` with ``a = g + 1 (mod 3)``
   and ``W = diag(w)`` of ``a``'s decomposition; each column is clipped at :data:`DELTA` and normalised
   (the paper's truncation before EM; the normalisation also divides out the labeler's voting rate,
   which the zero ``z_ij`` of a missing vote folds into ``C_i``).

One departure: the power method's starts are not random but the whitened class directions ``Qᵀ e_h``
(the rows of ``Q``). Renaming the classes permutes them with the tensor's coordinates, so the same
component is found first and deflated; random starts in the whitened space found the components in
an order that depended on the classes' names, and the estimate moved by up to 2e-3 under a renaming.
``M₂`` is symmetrised before its eigen-decomposition and the whitened ``M₃`` before the power method
(both are symmetric in expectation, not in a sample). The moments are sums over the distinct vote rows,
each weighted by its number of items. Where Stage 1 cannot run, :func:`spectral_confusions` says why.

Stage 2 (:func:`keep_higher_map`): the label model's MAP EM, already run from majority vote's shares,
is also run from the E-step at the spectral estimate, and the fit of the higher MAP objective is kept.
Chosen by the registered rule of ``benchmarks/dev_weak_spectral.py``.

References
----------
.. [1] Y. Zhang, X. Chen, D. Zhou and M. I. Jordan, "Spectral Methods Meet EM: A Provably Optimal
   Algorithm for Crowdsourcing", NeurIPS 2014; JMLR 17(102), 1-44, 2016.
.. [2] A. Anandkumar, R. Ge, D. Hsu, S. M. Kakade and M. Telgarsky, "Tensor Decompositions for Learning
   Latent Variable Models", JMLR 15, 2773-2832, 2014.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..aggregate.dawid_skene import relabelled_classes
from ._posterior import VotedOutcomes

__all__ = [
    "MAX_COND",
    "MIN_SHARED_PER_CELL",
    "Spectral",
    "higher_map",
    "keep_higher_map",
    "power_method",
    "spectral_confusions",
]

#: Items voted on by all three groups must number at least this times K² (the third moment's cells).
MIN_SHARED_PER_CELL = 10
#: Largest condition number of ``M_ab`` (and of ``W C_aᵀ``) accepted.
MAX_COND = 1e8
#: Truncation of the estimated confusion entries before EM.
DELTA = 1e-6
#: The robust tensor power method's iterations per start and after the choice ([2]_, Algorithm 1).
N_POWER = 30
TRIPLES = ((1, 2, 0), (2, 0, 1), (0, 1, 2))


@dataclass(frozen=True)
class Spectral:
    """Stage 1's result: ``confusion`` (labeler, class, vote), ``balance`` (K,) and ``post``, each row's
    posterior at them (the E-step that starts EM); or ``reason``, why it could not run, with the others None."""

    confusion: np.ndarray | None
    balance: np.ndarray | None
    post: np.ndarray | None
    reason: str | None = None


def _fail(reason: str) -> Spectral:
    return Spectral(None, None, None, reason)


def power_method(t: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Robust tensor power method ([2]_, Algorithm 1) on a symmetric ``k x k x k`` tensor ``t``.

    For each of ``k`` components: ``N_POWER`` iterations ``θ ← t(I, θ, θ) / ‖t(I, θ, θ)‖`` from each row
    of ``starts``, the one with the largest ``t(θ, θ, θ)`` iterated ``N_POWER`` more times, its eigenvalue
    ``λ = t(θ, θ, θ)`` (sign made positive: ``(−θ, −λ)`` is the same component of an odd-order tensor),
    then deflation ``t ← t − λ θ⊗θ⊗θ``.

    Returns
    -------
    the eigenvalues (k,) and the eigenvectors as columns (k, k), in the order found
    """
    k = t.shape[0]
    t = t.copy()
    values, vectors = np.empty(k), np.empty((k, k))
    for h in range(k):
        theta = starts / np.maximum(np.linalg.norm(starts, axis=1, keepdims=True), 1e-300)
        for _ in range(N_POWER):
            theta = np.einsum("abc,sb,sc->sa", t, theta, theta)
            theta /= np.maximum(np.linalg.norm(theta, axis=1, keepdims=True), 1e-300)
        best = theta[int(np.argmax(np.einsum("abc,sa,sb,sc->s", t, theta, theta, theta)))]
        for _ in range(N_POWER):
            best = np.einsum("abc,b,c->a", t, best, best)
            best /= max(float(np.linalg.norm(best)), 1e-300)
        value = float(np.einsum("abc,a,b,c->", t, best, best, best))
        if value < 0:  # odd order: (−v, −λ) is the same component
            best, value = -best, -value
        values[h], vectors[:, h] = value, best
        t -= value * np.einsum("a,b,c->abc", best, best, best)
    return values, vectors


def _symmetric(t: np.ndarray) -> np.ndarray:
    """The mean of ``t`` over the six orders of its three axes."""
    axes = ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))
    return np.sum([np.transpose(t, ax) for ax in axes], axis=0) / 6.0


def _decompose(z: list[np.ndarray], w: np.ndarray, a: int, b: int, c: int, k: int) -> tuple | str:
    """Step 2 for one ``(a, b, c)`` on the groups' aggregated labels ``z`` (rows weighted by ``w``):
    ``(C_c, w)`` (columns: classes) or why it failed."""
    n = float(w.sum())

    def mom(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x * w[:, None]).T @ y / n

    m_ab, m_ba = mom(z[a], z[b]), mom(z[b], z[a])
    if max(np.linalg.cond(m_ab), np.linalg.cond(m_ba)) > MAX_COND:
        return f"the groups' second moment M_ab is singular (groups {a + 1}, {b + 1})"
    za = z[a] @ (mom(z[c], z[b]) @ np.linalg.inv(m_ab)).T
    zb = z[b] @ (mom(z[c], z[a]) @ np.linalg.inv(m_ba)).T
    m2 = mom(za, zb)
    m2 = (m2 + m2.T) / 2
    sig, u = np.linalg.eigh(m2)
    if sig.min() <= 1e-12 * max(abs(sig).max(), 1e-300):
        return "the second moment M2 is not positive definite"
    q = u / np.sqrt(sig)[None, :]
    # M3(Q, Q, Q) = (1/n) Σ_j w_j (Qᵀẑ_a) ⊗ (Qᵀẑ_b) ⊗ (Qᵀz_c)
    qa, qb, qc = za @ q, zb @ q, z[c] @ q
    t = _symmetric(np.einsum("j,ja,jb,jc->abc", w / n, qa, qb, qc))
    alpha, v = power_method(t, q)  # starts: the whitened class directions Qᵀ e_h (the rows of Q)
    if alpha.min() <= 0:
        return "the whitened third moment has a non-positive eigenvalue"
    mu = (u * np.sqrt(sig)[None, :]) @ v * alpha[None, :]  # (Qᵀ)⁺ v_h α_h, one column per component
    pick = np.argmax(mu, axis=1)  # class h takes the component whose h-th coordinate is largest
    if len(set(pick.tolist())) < k:
        return "the components do not match the classes one to one"
    return mu[:, pick], alpha[pick] ** -2.0


def spectral_confusions(voted: VotedOutcomes, w: np.ndarray, k: int, groups: list[list[int]]) -> Spectral:
    """Zhang et al.'s Stage 1 (module docstring) on the label model's distinct vote rows.

    Parameters
    ----------
    voted : VotedOutcomes
        The rows' outcomes of single labelers (column ``starts[j] + 1 + a``: labeler ``j`` votes ``a``).
    w : ndarray of shape (n_rows,)
        Items per row.
    k : int
    groups : list of list of int
        The label model's labeler groups; Stage 1 needs every labeler on its own.

    Returns
    -------
    Spectral
        The estimate, or why it could not run: labelers modelled jointly, fewer than three labelers
        with a vote, fewer than ``MIN_SHARED_PER_CELL · K²`` items voted on by all three groups (sparse
        crowds of one or two votes per item), a singular ``M_ab`` or ``W C_aᵀ``, ``M₂`` not positive
        definite, a non-positive eigenvalue, or components that do not match the classes one to one.
    """
    if any(len(g) > 1 for g in groups):
        return _fail("labelers are modelled jointly (cliques)")
    lam = voted.lam
    r = lam.shape[0]
    row = np.repeat(np.arange(r), np.diff(lam.indptr))
    labeler = np.searchsorted(voted.starts, lam.indices, side="right") - 1
    vote = lam.indices - voted.starts[labeler] - 1
    m = len(voted.starts)
    counts = np.bincount(labeler, weights=w[row], minlength=m)
    active = np.flatnonzero(counts > 0)
    if len(active) < 3:
        return _fail(f"fewer than three labelers voted ({len(active)})")
    order = active[np.lexsort((active, -counts[active]))]
    group = np.full(m, -1)
    group[order] = np.arange(len(order)) % 3
    sizes = np.bincount(group[order], minlength=3).astype(float)
    z = []
    for g in range(3):
        zg = np.zeros((r, k))
        sel = group[labeler] == g
        np.add.at(zg, (row[sel], vote[sel]), 1.0 / sizes[g])
        z.append(zg)
    all_three = np.all([zg.sum(axis=1) > 0 for zg in z], axis=0)
    shared = float(w @ all_three)
    if shared < MIN_SHARED_PER_CELL * k * k:
        return _fail(f"too few items voted on by all three groups ({shared:g} < {MIN_SHARED_PER_CELL} K²)")
    decomp = {}
    for a, b, c in TRIPLES:
        out = _decompose(z, w, a, b, c, k)
        if isinstance(out, str):
            return _fail(out)
        decomp[c] = out
    n = float(w.sum())
    confusion = np.empty((m, k, k))
    for g in range(3):
        a = (g + 1) % 3
        c_a, w_a = decomp[a]
        base = w_a[:, None] * c_a.T  # W C_aᵀ
        if np.linalg.cond(base) > MAX_COND:
            return _fail("W C_a^T is singular")
        inv = np.linalg.inv(base)
        members = np.flatnonzero(group == g)
        sel = group[labeler] == g
        pair = np.zeros((m, k, k))  # [i, vote, class of Z_a's coordinate]
        np.add.at(pair, (labeler[sel], vote[sel]), z[a][row[sel]] * (w[row[sel]] / n)[:, None])
        est = pair[members] @ inv  # [i, vote, class]
        est = np.maximum(est, DELTA)
        confusion[members] = np.transpose(est / est.sum(axis=1, keepdims=True), (0, 2, 1))
    silent = np.setdiff1d(np.arange(m), active)
    confusion[silent] = 1.0 / k
    balance = np.mean([np.maximum(decomp[c][1], DELTA) for c in range(3)], axis=0)
    balance /= balance.sum()
    log_post = np.tile(np.log(balance), (r, 1))
    np.add.at(log_post, row, np.log(confusion[labeler, :, vote]))
    log_post -= log_post.max(axis=1, keepdims=True)
    post = np.exp(log_post)
    return Spectral(confusion, balance, post / post.sum(axis=1, keepdims=True))


def keep_higher_map(
    run: Any,
    voted: VotedOutcomes,
    w: np.ndarray,
    k: int,
    groups: list[list[int]],
    majority: np.ndarray,
    refit: Callable[[np.ndarray], Any],
    tol: float,
    start: bool | str = True,
) -> Any:
    """Zhang et al.'s Stage 2 beside the usual start: the MAP fit ``run`` (an ``_em.EMRun`` started from
    majority vote's shares ``majority``) or the same fit started from the spectral estimate, whichever
    has the higher MAP objective.

    ``refit``: the MAP EM from a start posterior (the same rows, prior, class balance and tolerance
    as ``run``). Both runs' ``objective[-1]`` is the log posterior per item (``_em.log_prior`` plus the
    log-likelihood) at their returned parameters: one function at two points. The spectral fit is kept
    when it is higher by more than ``tol`` (each run is known to within ``tol``: its last SQUAREM cycle
    gained less) and does not relabel majority vote's classes (``relabelled_classes``) unless ``run``
    does too, as the label model's informative runs. ``spectral`` of the returned run says which:
    ``"kept"``, ``"not kept"``, or ``"not run: <why>"`` (:func:`spectral_confusions`' reason).
    ``start``: the label model's ``spectral_start``; False returns ``run`` (``"not run: spectral_start=False"``),
    ``"multispa"`` (``"multispa-kl"``) starts from Ibrahim et al.'s MultiSPA (MultiSPA-KL) estimate
    (``_multispa.multispa_confusions``).
    """
    if not start:
        return run._replace(spectral="not run: spectral_start=False")
    if start in ("multispa", "multispa-kl"):
        from ._multispa import multispa_confusions  # it imports this module's ``Spectral``: here, not at the top

        spec = multispa_confusions(voted, w, k, groups, majority, kl=start == "multispa-kl")
    else:
        spec = spectral_confusions(voted, w, k, groups)
    if spec.post is None:
        return run._replace(spectral=f"not run: {spec.reason}")
    alt = refit(spec.post)
    if higher_map(run, alt, majority, w, tol):
        return alt._replace(spectral="kept")
    return run._replace(spectral="not kept")


def higher_map(run: Any, alt: Any, majority: np.ndarray, w: np.ndarray, tol: float) -> bool:
    """Whether the second start's MAP fit ``alt`` replaces ``run``: its objective higher by more than ``tol``, and it
    does not relabel majority vote's classes (``majority``: its shares) unless ``run`` does too."""
    relabels = [len(relabelled_classes(majority, r.post, w)) > 0 for r in (run, alt)]
    return bool(alt.objective[-1] - run.objective[-1] > tol and (not relabels[1] or relabels[0]))
