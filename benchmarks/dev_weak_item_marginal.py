"""Dev runs: the item effect integrated out of the label model's Dawid-Skene fit (issue 15, session 37, is15f).

The model is is15c's (Carpenter 2008; Paun et al. 2018, "LogRndEff"): labeler ``j`` votes ``a`` on
item ``i`` of class ``y`` with probability ``softmax_a(log π_j[y, ·] + θ_i)[a]``, each labeler's full
confusion matrix ``π_j`` under the label model's Dirichlet prior ``A_j``
(``_em.diagonal_pseudo_counts``), and an item effect ``θ_i ~ N(0, σ² I)`` (a ``K``-vector). is15c and
is15d fitted ``θ_i`` at its MAP jointly with the classes, and with 2-6 votes per item each ``θ_i``
absorbed its item's own votes. The papers integrate ``θ_i`` out (MCMC). Here it is integrated out
deterministically, per item and class, by Laplace's method (Tierney and Kadane 1986):

    P(votes_i | y) = ∫ Π_j softmax(log π_j[y, ·] + θ)[a_ij] N(θ; 0, σ² I) dθ
                   ≈ exp(f_iy(θ̂_iy)) / sqrt(det(σ² H_iy)),

with ``f_iy(θ) = Σ_j log softmax(log π_j[y, ·] + θ)[a_ij] − |θ|² / (2σ²)`` (strictly concave),
``θ̂_iy`` its maximiser and ``H_iy = −∇² f_iy(θ̂_iy) = Σ_j (diag q_ij − q_ij q_ijᵀ) + I / σ²``
(``q_ij`` labeler ``j``'s vote distribution on the item given ``y`` at ``θ̂_iy``). An item with few
votes pays the Occam factor ``det(σ² H)^{-1/2}`` and keeps a broad posterior of ``θ`` for every class:
a class that needs the item effect to explain the votes is charged for it, instead of the effect
being fitted to the votes whatever the class (the MAP failure).

EM on the Laplace-approximate marginal likelihood (plus the log prior of ``π``):

* E-step: for each distinct vote row and class, ``NEWTON`` Newton steps on ``f_iy`` warm-started
  from the last iteration's ``θ̂_iy`` (each halved up to 4 times until ``f_iy`` rises, kept
  otherwise); the class posterior ``T[i, y] ∝ p_y P(votes_i | y)`` with the Laplace marginal;
  ``θ``'s posterior given ``y`` is ``N(θ̂_iy, H_iy⁻¹)``.
* M-step for ``π``: the expected complete log posterior under ``T`` and ``θ | y ~ N(θ̂_iy,
  H_iy⁻¹)``, ``Σ_i Σ_y T_iy E_θ[Σ_j log softmax(log π_j[y, ·] + θ)[a_ij]] + Σ A log π``, raised by
  is15c's minorise-maximise step (Hunter and Lange 2004), ``π_j[y, a] ∝ (N + A)[j, y, a] / (D[j,
  y, a] + Σ_a A[j, y, a])`` with ``N`` the expected vote counts and ``D[j, y, a] = Σ_i T_iy
  E_θ[q_ij(θ)[a]] / π_j[y, a]``; the expectation over ``θ`` by the unscented transform (Julier and
  Uhlmann 1997: the ``2K`` points ``θ̂ ± sqrt(K) L e_c``, ``L Lᵀ = H⁻¹``, equal weights), exact for
  quadratics. At ``θ = 0`` and ``σ² → 0`` it is Dawid-Skene's MAP M-step. The class balance by its
  M-step when it is free.
* Start: today's MAP fit (``θ̂ = 0``); stop when the approximate log marginal posterior per item
  rises by less than ``tol`` (the model's, 1e-6) in absolute value, or after ``MAX_ITER`` (50)
  iterations. The Laplace marginal is an approximation, so EM's monotonicity is not claimed; the
  smoke run prints the objective's smallest change.

It runs where the label model keeps missing abstains with a prior and every labeler is its own
group (is15c's patch of ``fit_abstain_models``, reused from ``dev_weak_item_difficulty.py``);
``--min-votes V`` adds is15d's gate (items with at least ``V`` votes on average).

Exploration and choice (registered and committed before any accuracy was looked at): fresh seed
13 (``--explore --seed 13``: LF configurations sim1300-1309, crowds/sparse seed 13, dense crowds
seeds 13 and 14, pair and look-alike seed 13; 43 sets, in neither the 93, is15b/c's seeds 7 and 9
nor the benchmark). Candidates: ``σ² ∈ {0.1, 0.3, 1.0}`` x gate ``{none, 10 votes per item}``. The
rule (1)-(4) below is applied to each on those 43 sets; the chosen variant is the passing one with
the highest mean accuracy (ties: no gate before the gate, then the smaller ``σ²``). If none
passes, nothing goes to the 93 and the result is written up.

Result of that choice (run 16:30-16:42 UTC, load 6-13): **no candidate passes** on seed 13: every
one fails (2) (dense1_n150_K2_m25_s14 -1.33 points, 2 of 150 items, for every ``σ²``) and (4) (the
gated ones 5.1x and 6.9x, the ungated 12-33x); the ungated ones also fail (3). So, as registered,
nothing went to the 93 from it. Exploration after it (not rules): ``--sigma2 0`` (σ² by empirical
Bayes: its EM update barely leaves its start, 0.08-0.09 after 50 iterations; stopped), the
vectorised E-step (the same objective values to 1e-12), ``--integrate gh`` (K = 2 by
Gauss-Hermite quadrature, to tell the Laplace error from the model's), and ``--sigma2 0.3
--min-votes 10`` / ``--sigma2 0.1 --min-votes 10`` on seed 15 (dense seeds 15, 16).

Second registration (written and committed at 16:47 UTC, after seeing seed 13 and part of seed
15's 0.3 run, before any run on seed 17): **σ² = 0.3 with the gate of 10 votes per item** (the
gated candidate with the highest mean on seed 13) is judged on fresh seed 17 (``--explore --seed
17 --sigma2 0.3 --min-votes 10``: LF sim1700-1709, crowds/sparse seed 17, dense seeds 17 and 18,
pair and look-alike seed 17; 43 sets, in neither the 93, seeds 7, 9, 13, 15 nor the benchmark)
by (1)-(3) of the rule below; (4) is reported, not judged there (the 43 sets lack the 20,000-item
slot crowds that make up most of the 93's CPU sum, so their ratio overstates the 93's; the 93's
(4) judges it). Only if (1)-(3) pass on seed 17: the rule run on the 93, once, with this variant.

Seed 17, run once (16:47-16:50 UTC, load 12-13): (1)-(3) **pass** (43 sets 87.864 -> 88.544; the
14 dense crowds 93.333 -> 95.418, 14 up, 0 down, smallest gain +0.25; nothing else touched); CPU
2.75 -> 13.98 s (5.08x, reported only). So the variant goes to the 93, once:

    OMP_NUM_THREADS=1 python benchmarks/dev_weak_item_marginal.py --sigma2 0.3 --min-votes 10 --save-labels L.npz

run from an export of this commit (``git archive``: main's ``src`` with this script), since the
branch's ``src`` may hold the candidate by then and "before" must be main's ``LabelModel()``.

Rule on the 93 (the brief's, as for is15b/c/d), written and committed before the rule run: the
chosen variant becomes ``LabelModel()``'s default only if, over the 93 dev sets of
``dev_weak_losses.py`` (14 LF sets, 26 crowds, 14 dense, 27 pair, 12 look-alike crowds; dev seeds
only, never the benchmark's 19): (1) mean accuracy not lower than main's ``LabelModel()``; (2) no
set more than 0.5 point below it; (3) every set ``after − MV >= min(before − MV, −0.5)``; (4) summed
CPU at most 3x. Run once with ``OMP_NUM_THREADS=1``. Only after a pass: ``src`` and
``bench_weak.py --skip-apply`` once; after a failure ``src`` stays as on main::

    OMP_NUM_THREADS=1 python benchmarks/dev_weak_item_marginal.py --smoke
    OMP_NUM_THREADS=1 python benchmarks/dev_weak_item_marginal.py --explore --seed 13 --grid
    OMP_NUM_THREADS=1 python benchmarks/dev_weak_item_marginal.py --sigma2 S [--min-votes V]   # the rule run

Run once under the rule, 16:50:34-16:53:03 UTC 2026-12-05 (commit ff201834, from its ``git
archive``, load 11.3-12.3): **fails (2)** on one set, dense2_n300_K2_m60_s1 86.333 -> 83.000
(-3.33; is15d's MAP variant lost 1.67 on the same set); passes (1) (86.691 -> 86.926; the 14 dense
crowds 93.333 -> 94.893, 12 up, 2 down: dense4_s1 -0.17), (3) and (4) (CPU 6.13 -> 17.52 s,
2.86x). Not adopted; ``src`` unchanged. Diagnoses after the run (nothing rerun under the rule):
``--integrate gh`` on that set gives 82.667 (the loss is the model's, not Laplace's), and
``--oracle`` (workers' matrices counted from the truth) gives Dawid-Skene 89.00 against the
item-effect posterior 87.67 at ``σ² = 0.3``: the model itself misreads that crowd.

References: B. Carpenter, "Multilevel Bayesian models of categorical data annotation", technical
report, Alias-i, 2008; S. Paun, B. Carpenter, J. Chamberlain, D. Hovy, U. Kruschwitz and M.
Poesio, "Comparing Bayesian models of annotation", TACL 6, 571-585, 2018; L. Tierney and J. B.
Kadane, "Accurate approximations for posterior moments and marginal densities", JASA 81(393),
82-86, 1986; S. J. Julier and J. K. Uhlmann, "A new extension of the Kalman filter to nonlinear
systems", Proc. SPIE 3068, 1997; D. R. Hunter and K. Lange, "A tutorial on MM algorithms", The
American Statistician 58(1), 30-37, 2004; A. P. Dawid and A. M. Skene, Applied Statistics 28(1),
20-28, 1979.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import logsumexp

sys.path.insert(0, str(Path(__file__).parent))

import dev_weak_item_difficulty as did  # noqa: E402  (patches the label model; off until enabled)
from dev_weak_item_difficulty import Answers, Switch, dev_set, explore_sets, fit, report, score, sets  # noqa: E402

from labelwise.weak._posterior import FLOOR, VotedOutcomes  # noqa: E402

#: Newton steps on each θ̂_iy per EM iteration (warm-started).
NEWTON = 2
#: Step halvings tried in a Newton step before the old θ̂ is kept.
HALVINGS = 4
#: EM iterations at most.
MAX_ITER = 50
#: ``--sigma2 0`` (empirical Bayes): σ²'s start, near Dawid-Skene's model, and its floor.
EB_START = 0.1
EB_FLOOR = 1e-4
Switch.fitted_sigma2 = []


def class_terms(ans: Answers, log_pi: np.ndarray, theta: np.ndarray, s2: float):
    """All classes at once: per answer ``q`` (n, y, K); per row ``f`` (r, y), gradient (r, y, K), ``H`` (r, y, K, K)."""
    k = ans.k
    s = log_pi[ans.labeler] + theta[ans.row]  # (n, y, a)
    s -= s.max(axis=2, keepdims=True)
    q = np.exp(s)
    q /= q.sum(axis=2, keepdims=True)
    own = np.log(np.maximum(q[np.arange(len(ans.vote)), :, ans.vote], 1e-300))  # (n, y)
    f = np.asarray(ans.by_row @ own) - (theta**2).sum(axis=2) / (2 * s2)
    grad = np.asarray(ans.by_row @ (ans.onehot[:, None, :] - q).reshape(len(q), k * k)).reshape(-1, k, k) - theta / s2
    curv = q[:, :, :, None] * np.eye(k) - q[:, :, :, None] * q[:, :, None, :]
    hess = np.asarray(ans.by_row @ curv.reshape(len(q), k**3)).reshape(-1, k, k, k) + np.eye(k) / s2
    return q, f, grad, hess


def row_f(ans: Answers, log_pi: np.ndarray, theta: np.ndarray, s2: float) -> np.ndarray:
    s = log_pi[ans.labeler] + theta[ans.row]
    top = s.max(axis=2)
    lse = top + np.log(np.exp(s - top[:, :, None]).sum(axis=2))  # logsumexp written out (scipy's is slow here)
    own = s[np.arange(len(ans.vote)), :, ans.vote] - lse
    return np.asarray(ans.by_row @ own) - (theta**2).sum(axis=2) / (2 * s2)


def newton(ans: Answers, log_pi: np.ndarray, theta: np.ndarray, s2: float) -> np.ndarray:
    """``NEWTON`` guarded Newton steps on every row's and class's ``f_iy`` (concave)."""
    for _ in range(NEWTON):
        _, f, grad, hess = class_terms(ans, log_pi, theta, s2)
        step = np.linalg.solve(hess, grad[..., None])[..., 0]
        out, todo = theta.copy(), np.ones(theta.shape[:2], dtype=bool)
        for _ in range(HALVINGS + 1):
            trial = np.where(todo[..., None], theta + step, theta)
            better = todo & (row_f(ans, log_pi, trial, s2) > f)
            out[better] = trial[better]
            todo &= ~better
            if not todo.any():
                break
            step *= 0.5
        theta = out
    return theta


def marginal_em(voted: VotedOutcomes, run, k: int, prior: np.ndarray, *, free: bool, n_iter: int, tol: float):
    """EM on the Laplace-approximate marginal (module docstring) from Dawid-Skene's MAP fit ``run``.

    With ``Switch.sigma2`` 0 ("eb"), ``σ²`` is estimated too (type-II maximum likelihood by its EM
    update, ``σ² = Σ_i w_i Σ_y T_iy (|θ̂_iy|² + tr H_iy⁻¹) / (K Σ_i w_i)``, from ``EB_START``).

    Returns the posterior, each row's log P(votes), the class balance, θ̂ (r, K, K) and the objective
    history (per item)."""
    eb = Switch.sigma2 == 0
    s2 = EB_START if eb else Switch.sigma2
    ans = Answers(voted, k)
    w = voted.weights
    total = float(w.sum())
    m, r = len(voted.starts), ans.n_rows
    cols = voted.starts[:, None] + 1 + np.arange(k)[None, :]
    cond = run.mu[cols]  # (m, a, y)
    pi = np.transpose(cond / np.maximum(cond.sum(axis=1, keepdims=True), FLOOR), (0, 2, 1))  # (m, y, a)
    log_pi = np.log(np.maximum(pi, FLOOR))
    log_pi -= logsumexp(log_pi, axis=2, keepdims=True)
    a_prior = np.transpose(prior[cols], (0, 2, 1))
    p = np.maximum(run.p, FLOOR)
    log_p = np.log(p / p.sum())
    theta = np.zeros((r, k, k))  # [row, y, component]
    history: list[float] = []
    scale = np.sqrt(k)
    for _ in range(max(min(n_iter, MAX_ITER), 1)):
        theta = newton(ans, log_pi, theta, s2)
        _, f, _, hess = class_terms(ans, log_pi, theta, s2)
        log_m = f - 0.5 * np.linalg.slogdet(s2 * hess)[1]
        joint = log_m + log_p
        log_z = logsumexp(joint, axis=1)
        post = np.exp(joint - log_z[:, None])
        history.append((float(w @ log_z) + float((a_prior * log_pi).sum())) / total)
        if free:
            log_p = np.log(np.maximum(w @ post, FLOOR) / max(float(w @ post.sum(axis=1)), FLOOR))
        pi = np.exp(log_pi)
        cov = np.linalg.inv(hess)  # (r, y, K, K)
        chol = np.linalg.cholesky(cov)
        wt = post[ans.row] * w[ans.row][:, None]  # (n, y)
        counts = np.asarray(ans.by_labeler @ (wt[:, :, None] * ans.onehot[:, None, :]).reshape(-1, k * k))
        expected = np.zeros((len(wt), k, k))
        for c in range(k):
            for sign in (1.0, -1.0):
                point = theta + sign * scale * chol[..., c]
                s = log_pi[ans.labeler] + point[ans.row]
                s -= s.max(axis=2, keepdims=True)
                q = np.exp(s)
                expected += q / q.sum(axis=2, keepdims=True)
        expected /= 2 * k
        d = np.asarray(ans.by_labeler @ (wt[:, :, None] * expected).reshape(-1, k * k)).reshape(m, k, k) / pi
        new = (counts.reshape(m, k, k) + a_prior) / (d + a_prior.sum(axis=2, keepdims=True))
        pi = np.where(d > 0, np.maximum(new, FLOOR), pi)  # a labeler never seen with class y keeps its row
        log_pi = np.log(pi / pi.sum(axis=2, keepdims=True))
        if eb:
            second = (theta**2).sum(axis=2) + np.trace(cov, axis1=2, axis2=3)  # (r, y)
            s2 = max(float(w @ (post * second).sum(axis=1)) / (k * total), EB_FLOOR)
        if len(history) > 1 and abs(history[-1] - history[-2]) < tol:
            break
    Switch.fitted_sigma2.append(s2)
    return post, log_z, np.exp(log_p), theta, np.asarray(history)


def quadrature_em(voted: VotedOutcomes, run, k: int, prior: np.ndarray, *, free: bool, n_iter: int, tol: float):
    """Diagnosis only (``--integrate gh``, K = 2): the same model with ``θ`` integrated out by
    Gauss-Hermite quadrature instead of Laplace. For two classes only ``δ = θ_1 − θ_0 ~ N(0, 2σ²)``
    matters; ``GH_NODES`` nodes make the integral exact to far below the fit's tolerance, and EM
    (responsibilities over the nodes; the same MM step for ``π``) is then exact EM for that model."""
    if k != 2:
        return marginal_em(voted, run, k, prior, free=free, n_iter=n_iter, tol=tol)
    s2 = Switch.sigma2
    ans = Answers(voted, k)
    w = voted.weights
    total = float(w.sum())
    m, r = len(voted.starts), ans.n_rows
    cols = voted.starts[:, None] + 1 + np.arange(k)[None, :]
    cond = run.mu[cols]
    pi = np.transpose(cond / np.maximum(cond.sum(axis=1, keepdims=True), FLOOR), (0, 2, 1))
    log_pi = np.log(np.maximum(pi, FLOOR))
    log_pi -= logsumexp(log_pi, axis=2, keepdims=True)
    a_prior = np.transpose(prior[cols], (0, 2, 1))
    p = np.maximum(run.p, FLOOR)
    log_p = np.log(p / p.sum())
    x, wq = np.polynomial.hermite.hermgauss(GH_NODES)
    shift = np.zeros((GH_NODES, 2))
    shift[:, 1] = np.sqrt(2 * 2 * s2) * x
    log_om = np.log(wq / np.sqrt(np.pi))
    history: list[float] = []
    n, g = len(ans.vote), GH_NODES
    for _ in range(max(min(n_iter, MAX_ITER), 1)):
        sc = log_pi[ans.labeler][:, :, None, :] + shift[None, None, :, :]  # (n, y, G, a)
        sc -= logsumexp(sc, axis=3, keepdims=True)
        own = sc[np.arange(n), :, :, ans.vote]  # (n, y, G)
        lg = np.asarray(ans.by_row @ own.reshape(n, 2 * g)).reshape(r, 2, g) + log_om
        log_m = logsumexp(lg, axis=2)
        resp = np.exp(lg - log_m[:, :, None])
        joint = log_m + log_p
        log_z = logsumexp(joint, axis=1)
        post = np.exp(joint - log_z[:, None])
        history.append((float(w @ log_z) + float((a_prior * log_pi).sum())) / total)
        if free:
            log_p = np.log(np.maximum(w @ post, FLOOR) / max(float(w @ post.sum(axis=1)), FLOOR))
        pi = np.exp(log_pi)
        wt = post[ans.row] * w[ans.row][:, None]
        counts = np.asarray(ans.by_labeler @ (wt[:, :, None] * ans.onehot[:, None, :]).reshape(-1, k * k))
        expected = np.einsum("nyg,nyga->nya", resp[ans.row], np.exp(sc))
        d = np.asarray(ans.by_labeler @ (wt[:, :, None] * expected).reshape(-1, k * k)).reshape(m, k, k) / pi
        new = (counts.reshape(m, k, k) + a_prior) / (d + a_prior.sum(axis=2, keepdims=True))
        pi = np.where(d > 0, np.maximum(new, FLOOR), pi)
        log_pi = np.log(pi / pi.sum(axis=2, keepdims=True))
        if len(history) > 1 and abs(history[-1] - history[-2]) < tol:
            break
    Switch.fitted_sigma2.append(s2)
    return post, log_z, np.exp(log_p), None, np.asarray(history)


GH_NODES = 40

did.item_difficulty_em = marginal_em


def smoke() -> None:
    """Fresh random crowds (seed 12345, not dev or benchmark sets): runs, the objective's changes, CPU."""
    from labelwise.aggregate import simulate_annotators
    from labelwise.weak import as_votes

    rng = np.random.default_rng(12345)
    for k, m, r in ((4, 30, 5), (2, 60, 9), (3, 40, 12)):
        y = pd.Series(rng.integers(0, k, 300))
        sim = simulate_annotators(y, n_annotators=m, answers_per_item=r, errors="confusion", random_state=12345)
        votes = as_votes(sim.answers.rename(columns={"annotator": "labeler"}).astype({"labeler": str}))
        Switch.objectives.clear()
        _, cpu_b, _ = fit(votes.matrix(), k, False)
        _, cpu_a, ran = fit(votes.matrix(), k, True)
        o = Switch.objectives[0] if Switch.objectives else np.zeros(1)
        ch = np.diff(o)
        print(
            f"K={k} m={m} r={r}: ran {ran}, iterations {len(o)}, smallest change "
            f"{ch.min() if len(ch) else None:.2e}, last change {ch[-1] if len(ch) else 0:.2e}, "
            f"CPU {cpu_b:.3f} -> {cpu_a:.3f} s"
        )


def evaluate(family: str, name: str, votes, truth, saved: dict) -> dict:
    """``dev_weak_item_difficulty.evaluate``, keeping the labels after in ``saved``."""
    matrix, k, g, scored, _, row = dev_set(family, name, votes, truth)
    codes, row["cpu_before"], _ = fit(matrix, k, False)
    row["before"] = score(codes, g, scored)
    codes, row["cpu_after"], row["ran"] = fit(matrix, k, True)
    saved[name] = codes
    row["after"] = score(codes, g, scored)
    row["gain"] = row["after"] - row["before"]
    row["m"], row["K"] = matrix.shape[1], k
    return row


def oracle(seeds: list[int]) -> None:
    """Diagnosis (after the rule run): the dense crowds' posteriors with each worker's confusion matrix
    counted from the truth (+0.5 per cell) and the true class shares, under Dawid-Skene's model and
    under the item-effect model (Laplace, 30 Newton steps) for each ``σ²`` of the grid: the model's
    own effect, without the estimation of ``π``."""
    from dev_weak_dense_crowds import dev_sets as dense_sets

    from labelwise.weak._posterior import voted_outcomes

    for name, votes, truth in dense_sets(seeds, quick=True):
        matrix, k, g, _, _, _ = dev_set("dense", name, votes, truth)
        g = np.asarray(g)
        n, m = matrix.shape
        ans = Answers(voted_outcomes(matrix, k, [[j] for j in range(m)])[0].weighted(np.ones(n)), k)
        counts = np.full((m, k, k), 0.5)
        np.add.at(counts, (ans.labeler, g[ans.row], ans.vote), 1.0)
        log_pi = np.log(counts / counts.sum(axis=2, keepdims=True))
        log_p = np.log(np.bincount(g, minlength=k) / n)
        ds = np.asarray(ans.by_row @ log_pi[ans.labeler, :, ans.vote]) + log_p
        out = [name, f"DS {100 * (ds.argmax(1) == g).mean():.2f}"]
        for s2 in (0.1, 0.3, 1.0):
            theta = np.zeros((n, k, k))
            for _ in range(30):
                theta = newton(ans, log_pi, theta, s2)  # NEWTON steps each
            _, f, _, hess = class_terms(ans, log_pi, theta, s2)
            joint = f - 0.5 * np.linalg.slogdet(s2 * hess)[1] + log_p
            out.append(f"σ²={s2} {100 * (joint.argmax(1) == g).mean():.2f}")
        print(" | ".join(out), flush=True)


GRID = [(s2, v) for v in (0.0, 10.0) for s2 in (0.1, 0.3, 1.0)]


def grid(seed: int) -> None:
    """Every candidate on the fresh seed's 43 sets, each judged by the rule; the choice as registered."""
    rows = []
    for family, name, votes, truth in explore_sets(seed):
        matrix, k, g, scored, _, row = dev_set(family, name, votes, truth)
        codes, row["cpu_before"], _ = fit(matrix, k, False)
        row["before"] = score(codes, g, scored)
        for s2, v in GRID:
            Switch.sigma2, Switch.min_votes = s2, v
            codes, cpu, ran = fit(matrix, k, True)
            row[f"after_{s2}_{v:g}"] = score(codes, g, scored)
            row[f"cpu_{s2}_{v:g}"] = cpu
        rows.append(row)
        print(name, {c: round(x, 3) for c, x in row.items() if c.startswith(("before", "after"))}, flush=True)
    acc = pd.DataFrame(rows)
    best = None
    for s2, v in GRID:
        print(f"\n=== σ² = {s2}, min votes {v:g}")
        part = acc.assign(after=acc[f"after_{s2}_{v:g}"], cpu_after=acc[f"cpu_{s2}_{v:g}"])
        part["gain"] = part.after - part.before
        if report(part) and (best is None or part.after.mean() > best[0] + 1e-12):
            best = (part.after.mean(), s2, v)
    print("\nchosen:", best)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--explore", action="store_true")
    ap.add_argument("--grid", action="store_true", help="with --explore: every candidate, the registered choice")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--sigma2", type=float, default=1.0, help="0: estimated (empirical Bayes; exploration)")
    ap.add_argument("--min-votes", type=float, default=0.0)
    ap.add_argument("--integrate", choices=["laplace", "gh"], default="laplace", help="diagnosis: K = 2 by quadrature")
    ap.add_argument("--only", nargs="*", default=None, help="diagnosis: only sets whose name starts so")
    ap.add_argument("--oracle", nargs="*", type=int, default=None, help="diagnosis: dense seeds, oracle π")
    ap.add_argument("--save-labels", default=None, help="an .npz of each set's labels after (the src check)")
    ap.add_argument("--families", nargs="+", default=["clique", "dense", "pair", "lookalike"])
    args = ap.parse_args()
    Switch.sigma2, Switch.min_votes = args.sigma2, args.min_votes
    if args.integrate == "gh":
        did.item_difficulty_em = quadrature_em
    if args.smoke:
        smoke()
        return
    if args.oracle is not None:
        oracle(args.oracle or [0, 1])
        return
    if args.explore and args.grid:
        grid(args.seed)
        return
    pd.set_option("display.width", 250)
    rows: list[dict] = []
    saved: dict[str, np.ndarray] = {}
    for family, name, votes, truth in explore_sets(args.seed) if args.explore else sets(args.families):
        if args.only is not None and not name.startswith(tuple(args.only)):
            continue
        Switch.fitted_sigma2.clear()
        rows.append(evaluate(family, name, votes, truth, saved))
        rows[-1]["sigma2_fit"] = Switch.fitted_sigma2[-1] if Switch.fitted_sigma2 else np.nan
        print(pd.DataFrame([rows[-1]]).round(3).to_string(index=False, header=len(rows) == 1), flush=True)
    report(pd.DataFrame(rows))
    if args.save_labels:
        np.savez(args.save_labels, **saved)


if __name__ == "__main__":
    main()
