"""Dev data for the feature-only label score of ``labelwise.checks.label``: votes denoised by label spreading.

Issue 11, session 11. The label check's feature-only score is the self-confidence of the
neighbours' smoothed vote share on the shared k = 10 graph (ties broken by the ``1/d`` vote): a
flipped neighbour casts a full wrong vote. Candidate (one idea): **label spreading** (Zhou,
Bousquet, Lal, Weston & Schoelkopf 2004, "Learning with local and global consistency", NIPS 16)
on the same graph, no second graph: ``W = A + A^T`` (``A`` the directed kNN adjacency, binary, so
a mutual pair weighs 2), ``S = D^{-1/2} W D^{-1/2}``, ``F(0) = Y`` (one-hot given labels),
``F(t+1) = alpha S F(t) + (1 - alpha) Y`` for ``T`` steps; a neighbour ``j`` then votes with its
spread belief ``F_j``, a mix of its own label and its neighbourhood's, so a neighbour whose own
neighbourhood disagrees with its label counts less for that label.

Leave-one-out, exact: ``F(T) = G Y`` with ``G = alpha^T S^T + (1 - alpha) sum_{t<T} alpha^t S^t``,
linear in ``Y``, so removing row ``i``'s one-hot from ``Y`` changes row ``i``'s spread belief by
exactly ``-G_ii e_{y_i}``. Score = the row's leave-one-out mass on its given label over its
leave-one-out total, ``(F_i[y_i] - G_ii) / (sum_c F_i[c] - G_ii)`` (Zhou et al. classify by the
row's largest ``F``; the share makes rows of different degree comparable). ``diag(S) = 0`` (no
row is its own neighbour); ``diag(S^2)_i = sum_j S_ij^2`` is one pass over the edges, so at
``T = 2`` the exact leave-one-out is as cheap as the spreading; ``diag(S^3)`` (the weighted
triangles through each row) and ``diag(S^4)`` need the rows of ``S^2`` (``O(n (2k)^2)`` work and
the graph's transpose): ``T = 3, 4`` are computed here (scipy, dev sizes) to report what deeper
spreading would give, and are **not** candidates (not affordable at 1M rows within the checks'
memory). At ``T = 2`` the score equals "the neighbours' spread beliefs with the row's own label
removed from each", ``sum_j S_ij F_j^{(-i)}``: both readings of leave-one-out coincide.

alpha: Zhou et al. use 0.99 (their fixed point, hundreds of steps); at ``T = 2`` alpha only sets
the weight of the two-hop term against the one-hop share, so it is chosen on TUNING seeds of the
dev generators (never the rule's seeds, never digits or ``bench_checks.inject()`` data) from
{0.2, 0.5, 0.8, 0.99}: the alpha with the highest tuning mean AUROC among those whose worst tuning
set is not lower than ``present``'s by more than 0.001; if none, the highest tuning mean.

Dev generators (sessions 10/11, imported): ``dev_label_kernel.py``'s mixtures ``mix_a``-``mix_f``
(near/far flips at the set's rate) and part 3's eight sets (2% and 10% uniform flips), and
``dev_graph_scaling.py``'s contaminated mixtures ``ct_a``-``ct_f`` (3% flips plus outliers,
duplicates and a planted group). Seeds: RULE = the seeds of sessions 10/11 (mixtures 1000-1002 with
flips 2000-2002; part 3 flips 300-302; ct 5000-5004: ``present`` must reproduce session 11's z-score
column, mean 0.97124); TUNING = mixtures 1010-1012 / flips 2010-2012, part 3 flips 310-312, ct
5010-5012. AUROC of each score against the flipped rows (low score = issue), labelwise's exact
k = 10 graph (``NeighborGraph.build``, z-scored euclidean), averaged over seeds (and rates) per set.

RULE (written before the first run): the chosen ``spread`` (T = 2, alpha chosen as above) replaces
``present`` only if, on the RULE seeds, its mean label AUROC over the 20 dev sets is not lower than
``present``'s and no dev set's mean is lower than ``present``'s by more than 0.001. Otherwise the
score stays as it is. The other grid points are printed on the rule seeds for information only.

Usage: ``OMP_NUM_THREADS=1 python benchmarks/dev_label_spreading.py``; ``--diagnose`` (written after
the rule's run, not part of it): where the loss on the sparse mixtures comes from (see :func:`diagnose`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dev_graph_scaling import CONTAM, contaminated  # noqa: E402
from dev_label_kernel import MIXTURES, flip_near_far, flip_uniform, mixture, part3_sets  # noqa: E402

from labelwise.checks import NeighborGraph, find_data_issues  # noqa: E402

K_NEIGHBOURS = 10
ALPHAS = (0.2, 0.5, 0.8, 0.99)
STEPS = (2, 3, 4)
TOL = 0.001
SEEDS = {
    "rule": {"mix": (1000, 2000, 3), "part3": (300, 3), "ct": (5000, 5)},
    "tuning": {"mix": (1010, 2010, 3), "part3": (310, 3), "ct": (5010, 3)},
}


def spreading_operator(graph: NeighborGraph) -> sp.csr_matrix:
    """``S = D^{-1/2} (A + A^T) D^{-1/2}`` of the directed binary kNN adjacency ``A``."""
    n, k = graph.n, graph.k
    A = sp.csr_matrix((np.ones(n * k), graph.indices.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n))
    W = (A + A.T).tocsr()
    r = 1.0 / np.sqrt(np.asarray(W.sum(axis=1)).ravel())
    return sp.diags(r) @ W @ sp.diags(r)


def spread_scores(graph: NeighborGraph, y: np.ndarray, n_classes: int) -> dict:
    """Leave-one-out spread share on the given label for every (T, alpha) of the grid."""
    S = spreading_operator(graph).tocsr()
    n = graph.n
    Y = np.zeros((n, n_classes))
    Y[np.arange(n), y] = 1.0
    S2 = (S @ S).tocsr()
    diag = {0: np.ones(n), 1: S.diagonal(), 2: np.asarray(S.multiply(S).sum(1)).ravel()}
    diag[3] = np.asarray(S2.multiply(S).sum(1)).ravel()
    diag[4] = np.asarray(S2.multiply(S2).sum(1)).ravel()
    out = {}
    for alpha in ALPHAS:
        F = Y.copy()
        for t in range(1, max(STEPS) + 1):
            F = alpha * (S @ F) + (1 - alpha) * Y
            if t in STEPS:
                g = alpha**t * diag[t] + (1 - alpha) * sum(alpha**s * diag[s] for s in range(t))
                own = F[np.arange(n), y] - g
                out[f"T{t}_a{alpha}"] = own / (F.sum(1) - g)
    return out


def scores(X: np.ndarray, y: np.ndarray) -> dict:
    n_classes = int(y.max()) + 1
    graph = NeighborGraph.build(X, k=K_NEIGHBOURS, method="exact")
    present = find_data_issues(X, y, checks="label", graph=graph).issues["label_score"].to_numpy()
    return {"present": present, **spread_scores(graph, y, n_classes)}


def collect(stage: str) -> dict:
    """(set, candidate) -> AUROCs over the stage's seeds (and rates)."""
    seeds = SEEDS[stage]
    res: dict = {}

    def add(name: str, X: np.ndarray, y: np.ndarray, t: np.ndarray) -> None:
        for cand, s in scores(X, y).items():
            res.setdefault((name, cand), []).append(roc_auc_score(t, -s))

    base, flip_base, count = seeds["mix"]
    for name, (n, kc, d_inf, d_const, d_sparse, rate) in MIXTURES.items():
        for seed in range(count):
            X, y0, Z, centres = mixture(n, kc, d_inf, d_const, d_sparse, base + seed)
            y, t = flip_near_far(y0, Z, centres, rate, np.random.default_rng(flip_base + seed))
            add(name, X, y, t)
    base, count = seeds["part3"]
    for name, (X, y0) in part3_sets().items():
        y0 = np.asarray(y0, dtype=np.int64)
        X = np.asarray(X, dtype=float)
        for seed in range(count):
            rng = np.random.default_rng(base + seed)
            for rate in (0.02, 0.1):
                y, t = flip_uniform(y0, rate, rng)
                add("part3:" + name, X, y, t)
    base, count = seeds["ct"]
    for name, config in CONTAM.items():
        for seed in range(count):
            data = contaminated(config, base + seed)
            add(name, data["X"], data["y"], data["truth"]["flip"])
    return res


def table(res: dict, title: str) -> tuple[list, list, dict]:
    sets = list(dict.fromkeys(a for a, _ in res))
    cands = list(dict.fromkeys(b for _, b in res))
    mean = {(s, c): float(np.mean(res[(s, c)])) for s in sets for c in cands}
    print(f"\n== {title}")
    print("set".ljust(20), *[c.rjust(11) for c in cands])
    for s in sets:
        print(s.ljust(20), *[f"{mean[(s, c)]:11.5f}" for c in cands])
    overall = {c: float(np.mean([mean[(s, c)] for s in sets])) for c in cands}
    print("MEAN".ljust(20), *[f"{overall[c]:11.5f}" for c in cands])
    for c in cands[1:]:
        worst = min(mean[(s, c)] - mean[(s, "present")] for s in sets)
        print(f"{c}: mean {overall[c] - overall['present']:+.5f}, worst set {worst:+.5f}")
    return sets, cands, mean


def verdict(sets: list, mean: dict, cand: str) -> tuple[float, float]:
    diff = float(np.mean([mean[(s, cand)] for s in sets]) - np.mean([mean[(s, "present")] for s in sets]))
    worst = min(mean[(s, cand)] - mean[(s, "present")] for s in sets)
    return diff, worst


def diagnostic_scores(X: np.ndarray, y: np.ndarray) -> dict:
    """``--diagnose``: the rule's candidate split into its parts, on the same exact graph.

    ``sym1``: the alpha -> 0 limit of the candidate, the one-hop share on the symmetrised graph,
    ``(S Y)_i[y_i] / (S 1)_i`` (in-neighbours vote too; no leak, ``diag(S) = 0``); ``rw2``: the
    random-walk variant on the directed graph only, ``P = A / k`` (every row's own k neighbours,
    no in-neighbours), ``F = alpha P F + (1 - alpha) Y``, T = 2, alpha = 0.2, exact leave-one-out
    (``diag(P^2)_i`` = mutual neighbours / k^2; rows of ``F`` sum to 1).
    """
    n_classes = int(y.max()) + 1
    graph = NeighborGraph.build(X, k=K_NEIGHBOURS, method="exact")
    present = find_data_issues(X, y, checks="label", graph=graph).issues["label_score"].to_numpy()
    n, k = graph.n, graph.k
    S = spreading_operator(graph).tocsr()
    Y = np.zeros((n, n_classes))
    Y[np.arange(n), y] = 1.0
    SY = S @ Y
    out = {"present": present, "sym1": SY[np.arange(n), y] / SY.sum(1)}
    P = sp.csr_matrix((np.full(n * k, 1.0 / k), graph.indices.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n))
    alpha = 0.2
    F = Y.copy()
    for _ in range(2):
        F = alpha * (P @ F) + (1 - alpha) * Y
    g = alpha**2 * np.asarray(P.multiply(P.T).sum(1)).ravel() + (1 - alpha)
    out["rw2"] = (F[np.arange(n), y] - g) / (1.0 - g)
    out["spread"] = spread_scores(graph, y, n_classes)["T2_a0.2"]
    return out


def diagnose() -> None:
    """After the rule's run: the candidate's parts on the rule seeds, and the per-seed differences."""
    global scores
    scores = diagnostic_scores  # noqa: F811 - collect() reads the module's ``scores``
    res = collect("rule")
    table(res, "DIAGNOSE, rule seeds")
    print("\nper seed (and rate), spread - present:")
    for name in ("mix_b", "mix_c", "mix_e", "mix_f", "part3:iris"):
        diffs = np.subtract(res[(name, "spread")], res[(name, "present")])
        print(name.ljust(20), " ".join(f"{d:+.4f}" for d in diffs))


def main() -> None:
    if "--diagnose" in sys.argv[1:]:
        diagnose()
        return
    sets, _, mean = table(collect("tuning"), "TUNING seeds (choose alpha at T = 2)")
    family = [f"T2_a{a}" for a in ALPHAS]
    stats = {c: verdict(sets, mean, c) for c in family}
    ok = [c for c in family if stats[c][1] >= -TOL]
    chosen = max(ok or family, key=lambda c: stats[c][0])
    print(f"chosen on tuning seeds: {chosen} ({'within' if ok else 'no alpha within'} the tolerance)", flush=True)
    sets, _, mean = table(collect("rule"), "RULE seeds (sessions 10/11)")
    diff, worst = verdict(sets, mean, chosen)
    passed = diff >= 0 and worst >= -TOL
    print(f"\nRULE, {chosen}: mean {diff:+.5f}, worst set {worst:+.5f} -> {'PASS' if passed else 'fail'}")


if __name__ == "__main__":
    main()
