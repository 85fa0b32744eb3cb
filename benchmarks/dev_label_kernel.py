"""Dev data for the feature-only label score of ``labelwise.checks.label``: a self-tuning kernel vote.

Issue 11, session 10. The label check's feature-only score is the self-confidence of the
neighbours' smoothed vote share (``k + 1`` values), ties broken by the ``1/d``-weighted vote
(part 3). Candidate (one idea, two uses): the vote weighted by the self-tuning kernel of
Zelnik-Manor & Perona (2004), ``w_ij = exp(-d_ij^2 / (sigma_i sigma_j))`` with ``sigma_i`` the
distance from row ``i`` to its 7th neighbour (the paper's choice, ``min(7, k)`` here), so each
neighbour's weight is measured in the local scales of both rows (a neighbour far away relative to
either row's own neighbourhood counts less):

- ``present``: what ``find_data_issues`` returns now (vote share + 1e-3 vote x 1/d tie-break);
- ``st_vote``: the kernel-weighted share, smoothed as the counts are, ``(sum w agree + 1/K) / (sum w + 1)``;
- ``vote+st``: the vote share with ties broken by the kernel-weighted share (instead of ``1/d``).

Dev sets (none is digits or the benchmark's ``inject()`` data):

- ``mix*``: this script's Gaussian mixtures: K classes in a few informative columns whose scales
  differ by up to 10^3 (each class its own per-column spread), plus useless columns: near-constant
  ones (noise of std 1e-3 of a unit) and sparse ones (0 in 97% of rows, rare exponential spikes),
  which z-scoring blows up to unit variance; labels flipped at 2% or 5%, half "near" (to the class
  whose centre is nearest after the row's own, among the rows closest to that boundary) and half
  "far" (uniform among the other classes, at random rows); 3 seeds per configuration;
- ``part3:*``: the dev sets of ``dev_label_score.py`` (wine, breast_cancer, iris, penguins, three
  ``make_classification`` seeds, one ``make_blobs``), 2% and 10% uniform flips, 3 seeds.

AUROC of each score against the flips (low score = issue), on labelwise's exact k = 10 graph
(``NeighborGraph.build``, standardised euclidean), averaged over seeds and rates per set.

RULE (written before the first run): a candidate replaces ``present`` only if its mean AUROC over
all dev sets is not lower than ``present``'s and no dev set's mean is lower than ``present``'s by
more than 0.001. If both pass, the higher mean wins. Otherwise the score stays as it is.

Usage: ``OMP_NUM_THREADS=1 python benchmarks/dev_label_kernel.py``.
"""

from __future__ import annotations

import numpy as np
from sklearn import datasets
from sklearn.metrics import roc_auc_score

from labelwise.checks import NeighborGraph, find_data_issues
from labelwise.checks.label import neighbour_vote_given

K_NEIGHBOURS = 10
#: Zelnik-Manor & Perona (2004): sigma_i is the distance to the 7th neighbour.
SIGMA_RANK = 7

#: name -> (n, classes, informative columns, near-constant columns, sparse columns, flip rate)
MIXTURES = {
    "mix_a": (1500, 3, 4, 8, 0, 0.02),
    "mix_b": (1500, 3, 4, 0, 24, 0.05),
    "mix_c": (3000, 6, 8, 16, 16, 0.02),
    "mix_d": (3000, 6, 8, 0, 0, 0.05),
    "mix_e": (3000, 10, 12, 20, 30, 0.05),
    "mix_f": (2000, 10, 6, 40, 10, 0.02),
}


def mixture(n: int, n_classes: int, d_inf: int, d_const: int, d_sparse: int, seed: int) -> tuple:
    """Features, labels and class centres of one Gaussian mixture with useless columns."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    centres = rng.normal(scale=2.5, size=(n_classes, d_inf))
    spread = rng.uniform(0.6, 1.4, size=(n_classes, d_inf))
    Z = centres[y] + rng.normal(size=(n, d_inf)) * spread[y]
    units = 10.0 ** rng.uniform(-1, 2, d_inf)
    const = 1e-3 * rng.normal(size=(n, d_const))
    sparse = np.where(rng.random((n, d_sparse)) < 0.03, rng.exponential(2.0, (n, d_sparse)), 0.0)
    X = np.hstack([Z * units, const, sparse])
    return X, y, Z, centres


def flip_near_far(y: np.ndarray, Z: np.ndarray, centres: np.ndarray, rate: float, rng) -> tuple:
    """Flip ``rate`` of the labels: half to the nearest other class near the boundary, half uniformly."""
    n, n_classes = len(y), len(centres)
    m = max(2, int(rate * n))
    d = ((Z[:, None, :] - centres[None]) ** 2).sum(-1)
    own = d[np.arange(n), y]
    d_other = d.copy()
    d_other[np.arange(n), y] = np.inf
    nearest = d_other.argmin(1)
    gap = d_other.min(1) - own  # small: close to the boundary with ``nearest``
    near = rng.choice(np.argsort(gap)[: max(m, n // 5)], m // 2, replace=False)
    rest = np.setdiff1d(np.arange(n), near)
    far = rng.choice(rest, m - m // 2, replace=False)
    y = y.copy()
    y[near] = nearest[near]
    y[far] = (y[far] + rng.integers(1, n_classes, len(far))) % n_classes
    truth = np.zeros(n, bool)
    truth[near] = truth[far] = True
    return y, truth


def part3_sets() -> dict:
    out = {}
    for name in ("wine", "breast_cancer", "iris"):
        d = getattr(datasets, "load_" + name)()
        out[name] = (d.data, d.target)
    try:
        import palmerpenguins

        p = palmerpenguins.load_penguins().dropna()
        cols = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
        out["penguins"] = (p[cols].to_numpy(float), p["species"].astype("category").cat.codes.to_numpy())
    except ImportError:  # pragma: no cover - optional dev dependency
        pass
    for s in range(3):
        X, y = datasets.make_classification(
            3000, 20, n_informative=8, n_classes=5, n_clusters_per_class=2, class_sep=1.5, random_state=s
        )
        out[f"mkclass{s}"] = (X, y)
    X, y = datasets.make_blobs(3000, 32, centers=8, cluster_std=3.0, random_state=4)
    out["blobs32"] = (X, y)
    return out


def flip_uniform(y: np.ndarray, rate: float, rng) -> tuple:
    y = y.copy()
    n_classes, n = int(y.max()) + 1, len(y)
    f = rng.choice(n, max(2, int(rate * n)), replace=False)
    y[f] = (y[f] + rng.integers(1, n_classes, len(f))) % n_classes
    truth = np.zeros(n, bool)
    truth[f] = True
    return y, truth


def kernel_share(graph: NeighborGraph, y: np.ndarray, n_classes: int) -> np.ndarray:
    """Smoothed share of the self-tuning-kernel weight on neighbours with the row's label."""
    d = graph.distances.astype(np.float64)
    sigma = d[:, min(SIGMA_RANK, graph.k) - 1]
    pos = sigma[sigma > 0]
    sigma = np.maximum(sigma, 1e-3 * (pos.mean() if pos.size else 1.0))
    w = np.exp(-(d**2) / (sigma[:, None] * sigma[graph.indices]))
    agree = y[graph.indices] == y[:, None]
    return ((w * agree).sum(1) + 1.0 / n_classes) / (w.sum(1) + 1.0)


def scores(X: np.ndarray, y: np.ndarray) -> dict:
    n_classes = int(y.max()) + 1
    graph = NeighborGraph.build(X, k=K_NEIGHBOURS, method="exact")
    present = find_data_issues(X, y, checks="label", graph=graph).issues["label_score"].to_numpy()
    vote = neighbour_vote_given(graph, y, n_classes)
    st = kernel_share(graph, y, n_classes)
    return {"present": present, "st_vote": st, "vote+st": vote + 1e-3 / (K_NEIGHBOURS + 1) * st}


def main() -> None:
    res: dict = {}
    for name, (n, kc, d_inf, d_const, d_sparse, rate) in MIXTURES.items():
        for seed in range(3):
            X, y0, Z, centres = mixture(n, kc, d_inf, d_const, d_sparse, 1000 + seed)
            y, t = flip_near_far(y0, Z, centres, rate, np.random.default_rng(2000 + seed))
            for cand, s in scores(X, y).items():
                res.setdefault((name, cand), []).append(roc_auc_score(t, -s))
    for name, (X, y0) in part3_sets().items():
        y0 = np.asarray(y0, dtype=np.int64)
        for seed in range(3):
            rng = np.random.default_rng(300 + seed)
            for rate in (0.02, 0.1):
                y, t = flip_uniform(y0, rate, rng)
                for cand, s in scores(X, y).items():
                    res.setdefault(("part3:" + name, cand), []).append(roc_auc_score(t, -s))
    sets = list(dict.fromkeys(a for a, _ in res))
    cands = list(dict.fromkeys(b for _, b in res))
    mean = {(s, c): float(np.mean(res[(s, c)])) for s in sets for c in cands}
    print("set".ljust(20), *[c.rjust(10) for c in cands])
    for s in sets:
        print(s.ljust(20), *[f"{mean[(s, c)]:10.5f}" for c in cands])
    overall = {c: float(np.mean([mean[(s, c)] for s in sets])) for c in cands}
    print("MEAN".ljust(20), *[f"{overall[c]:10.5f}" for c in cands])
    passed = []
    for c in cands[1:]:
        worst = min(mean[(s, c)] - mean[(s, "present")] for s in sets)
        ok = overall[c] >= overall["present"] and worst >= -0.001
        print(f"{c}: mean {overall[c] - overall['present']:+.5f}, worst set {worst:+.5f} -> {'PASS' if ok else 'fail'}")
        if ok:
            passed.append(c)
    print("chosen:", max(passed, key=overall.get) if passed else "present (no candidate passed)")


if __name__ == "__main__":
    main()
