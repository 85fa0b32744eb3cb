"""Choose the feature-only label score of ``labelwise.checks.label`` on dev data (not on digits).

Dev sets: scikit-learn's wine, breast_cancer and iris, palmerpenguins (four numeric columns),
three ``make_classification`` seeds and one ``make_blobs`` (none of them is the ``--detect``
benchmark's blobs or digits). Labels are flipped uniformly at 2% and 10% (5 seeds each); the
AUROC of each candidate score against the flips is averaged. Candidates, all on labelwise's
exact k = 10 graph (standardised euclidean): the neighbours' vote share (self-confidence, what
Datalab uses), its normalised margin, distance-weighted votes (``1/d``, Dudani's linear weights,
``1/rank``) alone and as tie-breaks of the vote share, ``impl`` (what ``find_data_issues`` now
returns) and ``vote_raw`` (the vote share on unstandardised features, Datalab's graph).

Usage: ``OMP_NUM_THREADS=1 python benchmarks/dev_label_score.py``.
"""

import numpy as np
from sklearn import datasets
from sklearn.metrics import roc_auc_score

from labelwise.checks import NeighborGraph
from labelwise.checks.label import neighbour_vote_probs

K = 10


def sets():
    out = {}
    for name in ("wine", "breast_cancer", "iris"):
        d = getattr(datasets, "load_" + name)()
        out[name] = (d.data, d.target)
    import palmerpenguins

    p = palmerpenguins.load_penguins().dropna()
    out["penguins"] = (
        p[["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]].to_numpy(float),
        p["species"].astype("category").cat.codes.to_numpy(),
    )
    for s in range(3):
        X, y = datasets.make_classification(
            3000, 20, n_informative=8, n_classes=5, n_clusters_per_class=2, class_sep=1.5, random_state=s
        )
        out[f"mkclass{s}"] = (X, y)
    X, y = datasets.make_blobs(3000, 32, centers=8, cluster_std=3.0, random_state=4)
    out["blobs32"] = (X, y)
    return out


def flip(y, rate, rng):
    y = y.copy()
    Kc = y.max() + 1
    n = len(y)
    f = rng.choice(n, max(2, int(rate * n)), replace=False)
    y[f] = (y[f] + rng.integers(1, Kc, len(f))) % Kc
    t = np.zeros(n, bool)
    t[f] = True
    return y, t


def scores(g, y, Kc):
    p = neighbour_vote_probs(g, y, Kc)
    n = len(y)
    sc = {}
    sc["vote"] = p[np.arange(n), y]
    other = p.copy()
    other[np.arange(n), y] = -1
    sc["margin"] = (p[np.arange(n), y] - other.max(1) + 1) / 2
    d = g.distances.astype(float)
    for wname, w in (
        ("inv", 1 / (d + 1e-12 * d.max() + 1e-12)),
        (
            "dudani",
            np.where((d[:, -1:] - d[:, :1]) > 0, (d[:, -1:] - d) / np.maximum(d[:, -1:] - d[:, :1], 1e-300), 1.0),
        ),
        ("rank", 1.0 / np.arange(1, K + 1)[None, :] * np.ones_like(d)),
    ):
        agree = y[g.indices] == y[:, None]
        sc["w_" + wname] = (w * agree).sum(1) / w.sum(1)
        sc["vote+" + wname] = sc["vote"] + 1e-6 * sc["w_" + wname]
    return sc


res = {}
for name, (X, y0) in sets().items():
    y0 = np.asarray(y0, dtype=np.int64)
    for seed in range(5):
        rng = np.random.default_rng(100 + seed)
        for rate in (0.02, 0.1):
            y, t = flip(y0, rate, rng)
            Kc = y.max() + 1
            g = NeighborGraph.build(X, k=K, method="exact")
            graw = NeighborGraph.build(X, k=K, method="exact", standardize=False)
            sc = scores(g, y, Kc)
            from labelwise.checks import find_data_issues

            sc["impl"] = find_data_issues(X, y, checks="label", method="exact").issues["label_score"].to_numpy()
            sc["vote_raw"] = scores(graw, y, Kc)["vote"]
            for k_, v in sc.items():
                res.setdefault((name, k_), []).append(roc_auc_score(t, -v))
names = sorted({a for a, _ in res})
meths = list(dict.fromkeys(b for _, b in res))
print("data".ljust(14), *[m[:11].rjust(11) for m in meths])
for nm in names:
    print(nm.ljust(14), *[f"{np.mean(res[(nm, m)]):11.4f}" for m in meths])
print("MEAN".ljust(14), *[f"{np.mean([np.mean(res[(nm, m)]) for nm in names]):11.4f}" for m in meths])
print(
    "wins vs vote".ljust(14),
    *[f"{sum(np.mean(res[(nm, m)]) > np.mean(res[(nm, 'vote')]) for nm in names):11d}" for m in meths],
)
