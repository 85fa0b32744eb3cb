"""Dev data for the neighbour graph's column scaling: a fenced range, chosen against z-scores by the labels.

Issue 11, session 13. ``NeighborGraph.build`` centres every column and divides it by its standard
deviation (z-scores) before the euclidean search. Session 11 (``dev_graph_scaling.py``) tried the
column range (Milligan & Cooper 1988) instead: it won on the sparse mixtures but failed its rule,
(a) because 1% of far rows set the informative columns' ranges (its ``--diagnose``: with the range
taken over the non-outlying rows the losses on ``ct_b``/``ct_e`` vanish) and (b) on ``ct_d`` even
without outliers (one-hot columns outweigh Gaussian ones after range scaling; its data_valuation
lost 0.006 with the outliers' rows left out of the range). No univariate column scale is right for
every table, so the candidate answers (a) with a robust range and (b) by letting the given labels
choose.

Candidate (ONE, fixed before the first run), ``auto``:

1. **Fenced range** (``fenced``): z-score the columns (the present pass); per row, the z-scored
   norm without the row's single largest column, ``t_i = sqrt(sum_j z_ij^2 - max_j z_ij^2)``
   (a row far out in many columns at once has a large ``t``; a row with one spike, a rare-but-real
   value of a sparse column, does not); Tukey's (1977, *Exploratory Data Analysis*) far-out fence on
   the ``t_i``, ``Q3 + 3 (Q3 - Q1)``, a quartile-based location/scale (breakdown 25%, where a
   mean/sd fence is set by the outliers it is meant to exclude; Rousseeuw & Croux 1993, JASA
   88:1273-1283, on robust scale estimation); each column divided by its range (max - min,
   Milligan & Cooper 1988, J. Classification 5:181-204) over the rows inside the fence (a column
   constant inside the fence keeps its full range; a constant column is left at zero). One extra
   pass for ``t``, one for the fenced min/max; no extra graph.
2. **The labels choose** between z-scores and the fenced range, by the leave-one-out k-NN agreement
   with the given labels, the criterion of neighbourhood components analysis (Goldberger, Roweis,
   Hinton & Salakhutdinov 2004, NIPS 17: the metric that maximises the expected leave-one-out k-NN
   agreement), over this family of two diagonal metrics: on a random subsample of at most 5,000 rows
   (seeded; each scaling's mean/scale computed on all rows), each row's share of its k = 10 nearest
   other subsample rows carrying its label, under each scaling; the fenced range is taken only if
   the mean paired difference (fenced - zscore) exceeds 1.645 standard errors (a one-sided test at
   the conventional 5% level: the default changes only on evidence). Without labels: z-scores.

Compared: ``zscore`` (the present default), ``auto`` (the candidate); ``fenced`` (step 1 alone) is
printed for information, not a candidate. Each on labelwise's exact k = 10 graph (same search, the
columns scaled first).

Dev sets (none is digits, none is ``bench_checks.inject()`` data), the seeds of sessions 10/11:

- label score: ``dev_label_kernel.py``'s mixtures ``mix_a``-``mix_f`` (3 seeds, near/far flips) and
  part 3's eight sets (3 seeds, 2% and 10% uniform flips);
- every graph check: ``dev_graph_scaling.py``'s contaminated mixtures ``ct_a``-``ct_f`` (5 seeds,
  5000-5004) and two NEW generators of this script (5 seeds each, 7000-7004), with the same
  injected issues (3% label flips, 1% global and 1% local outliers, 0.5% exact and 1% near
  duplicates, a planted 4% group with random labels, a 25% evaluation split holding every copy):
  ``img_a``/``img_b``, image-like rows (8 x 8 and 10 x 10 pixels in 0..16, class templates of
  Gaussian strokes, shifted by up to a pixel, stray background pixels: near-constant and sparse
  border pixels; global outliers are scattered-noise images, local ones their class's template
  shifted by two pixels with heavy noise); ``tab_a``/``tab_b``, mixed-unit tables with heavy tails
  (latent Gaussian/Student-t classes turned into log-normal, count and plain columns of units
  spread over 10^4, plus 0/1 columns, some following the class, some not).

AUROC (low score = issue) per check as in ``dev_graph_scaling.py``: label (flips), outlier against
global and against local outliers separately, near_duplicate, leakage (evaluation rows: the
copies), data_valuation (flips), underperforming_group (the planted group).

RULE (written before the first run; session 11's rule): ``auto`` becomes the default only if, for
EVERY check above, its mean AUROC over that check's dev sets (each set's mean over seeds and rates)
is not lower than ``zscore``'s, and no dev set's mean is lower than ``zscore``'s by more than 0.001.
Otherwise the default stays z-scores.

Usage: ``OMP_NUM_THREADS=1 python benchmarks/dev_graph_fence.py`` (``--diagnose``: after the rule's
run, the failing sets seed by seed).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dev_graph_scaling import CONTAM, auroc, contaminated  # noqa: E402
from dev_label_kernel import MIXTURES, flip_near_far, flip_uniform, mixture, part3_sets  # noqa: E402

from labelwise.checks import NeighborGraph, find_data_issues  # noqa: E402

K_NEIGHBOURS = 10
#: Tukey's far-out fence: Q3 + FENCE x (Q3 - Q1).
FENCE = 3.0
#: Rows of the subsample on which the labels choose the scaling.
CHOICE_ROWS = 5000
#: One-sided 5% normal quantile: the fenced range is chosen only above it.
CHOICE_Z = 1.645
CHECKS = ["label", "outlier", "exact_duplicate", "near_duplicate", "leakage", "underperforming_group", "data_valuation"]

#: name -> (n, classes, side)
IMAGES = {"img_a": (2000, 6, 8), "img_b": (2500, 10, 10)}
#: name -> (n, classes, latent columns, class-following 0/1 columns, noise 0/1 columns)
TABLES = {"tab_a": (2000, 4, 8, 3, 3), "tab_b": (3000, 6, 12, 6, 4)}


# ----------------------------------------------------------------------------- the candidate


def zscore_scale(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, std = X.mean(0), X.std(0)
    return mean, np.where(std > 0, std, 1.0)


def fenced_range_scale(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Column means and the fenced ranges; also the share of rows outside the fence."""
    mean, std = zscore_scale(X)
    sq = ((X - mean) / std) ** 2
    t = np.sqrt(np.maximum(sq.sum(1) - sq.max(1), 0.0))
    q1, q3 = np.quantile(t, [0.25, 0.75])
    inside = t <= q3 + FENCE * (q3 - q1)
    span = X[inside].max(0) - X[inside].min(0)
    full = X.max(0) - X.min(0)
    span = np.where(span > 0, span, full)
    return mean, np.where(span > 0, span, 1.0), float(1.0 - inside.mean())


def loo_agreement(Xs: np.ndarray, y: np.ndarray) -> np.ndarray:
    k = min(K_NEIGHBOURS, len(y) - 1)
    g = NeighborGraph.build(Xs, k=k, method="exact", standardize=False)
    return (y[g.indices] == y[:, None]).mean(1)


def choose(X: np.ndarray, y: np.ndarray, fenced: tuple, seed: int = 0) -> str:
    """``"fenced"`` if the labels' leave-one-out k-NN agreement is significantly higher with it."""
    n = len(y)
    rows = np.sort(np.random.default_rng(seed).choice(n, CHOICE_ROWS, replace=False)) if n > CHOICE_ROWS else None
    Xs, ys = (X, y) if rows is None else (X[rows], y[rows])
    mz, sz = zscore_scale(X)
    d = loo_agreement((Xs - fenced[0]) / fenced[1], ys) - loo_agreement((Xs - mz) / sz, ys)
    se = d.std(ddof=1) / np.sqrt(len(d))
    return "fenced" if se > 0 and d.mean() > CHOICE_Z * se else "zscore"


def graphs(X: np.ndarray, y: np.ndarray) -> tuple[dict, str, float]:
    """The exact graphs under z-scores and the fenced range, the labels' choice, the fenced share."""
    fenced = fenced_range_scale(X)
    out = {
        "zscore": NeighborGraph.build(X, k=K_NEIGHBOURS, method="exact"),
        "fenced": NeighborGraph.build((X - fenced[0]) / fenced[1], k=K_NEIGHBOURS, method="exact", standardize=False),
    }
    return out, choose(X, y, fenced), fenced[2]


# ----------------------------------------------------------------------------- new generators


def _split_rows(rng: np.random.Generator, n: int, n_group: int) -> list[np.ndarray]:
    rows = rng.permutation(np.arange(n_group, n))
    m = max(2, n // 100)
    sizes = [3 * m, m, m, m // 2, m // 2, m, m]
    return np.split(rows[: sum(sizes)], np.cumsum(sizes)[:-1])


def _finish(X, y, rng, n, n_group, parts, near_copy) -> dict:
    """Duplicates, split and truth (as ``dev_graph_scaling.contaminated``)."""
    flip, glob, local, ex_src, ex_dst, near_src, near_dst = parts
    X[ex_dst], y[ex_dst] = X[ex_src], y[ex_src]
    X[near_dst], y[near_dst] = near_copy(X[near_src]), y[near_src]
    is_train = rng.random(n) < 0.75
    is_train[np.r_[ex_src, near_src]] = True
    is_train[np.r_[ex_dst, near_dst]] = False
    truth = {name: np.zeros(n, bool) for name in ("flip", "global", "local", "dup", "copy", "group")}
    truth["flip"][flip] = True
    truth["global"][glob] = True
    truth["local"][local] = True
    truth["dup"][np.r_[ex_src, ex_dst, near_src, near_dst]] = True
    truth["copy"][np.r_[ex_dst, near_dst]] = True
    truth["group"][:n_group] = True
    return {"X": X, "y": y, "split": np.where(is_train, "train", "test"), "truth": truth}


def _shifted(T: np.ndarray, dy: int, dx: int) -> np.ndarray:
    s = T.shape[0]
    P = np.zeros((s + 4, s + 4))
    P[2 + dy : 2 + dy + s, 2 + dx : 2 + dx + s] = T
    return P[2 : 2 + s, 2 : 2 + s]


def images(config: tuple, seed: int) -> dict:
    """Image-like rows: class templates of three Gaussian strokes, shifted, scaled, noisy, in 0..16."""
    n, n_classes, side = config
    rng = np.random.default_rng(seed)
    n_group = int(0.04 * n)
    y = rng.integers(0, n_classes, n)
    yy, xx = np.mgrid[0:side, 0:side]
    temps = []
    for _ in range(n_classes + 1):
        T = np.zeros((side, side))
        for _ in range(3):
            cy, cx = rng.uniform(1.5, side - 2.5, 2)
            w = rng.uniform(0.8, 1.5)
            T += np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * w * w))
        temps.append(T / T.max())
    cls = y.copy()
    cls[:n_group] = n_classes

    def draw(c: np.ndarray, reach: int, noise: float) -> np.ndarray:
        out = np.empty((len(c), side * side))
        for i, ci in enumerate(c):
            dy, dx = rng.integers(-reach, reach + 1, 2)
            T = _shifted(temps[ci], int(dy), int(dx)).ravel()
            img = 16 * rng.uniform(0.7, 1.2) * T + noise * rng.normal(size=T.size) * (T > 0.05)
            stray = rng.random(T.size) < 0.02
            img[stray] += rng.uniform(1, 16, stray.sum())
            out[i] = img
        return np.clip(np.round(out), 0, 16)

    X = draw(cls, 1, 1.5)
    parts = _split_rows(rng, n, n_group)
    flip, glob, local = parts[:3]
    y[flip] = (y[flip] + rng.integers(1, n_classes, len(flip))) % n_classes
    y[:n_group] = rng.integers(0, n_classes, n_group)
    X[glob] = np.where(
        rng.random((len(glob), side * side)) < 0.3, np.round(rng.uniform(0, 16, (len(glob), side * side))), 0
    )
    X[local] = draw(cls[local], 2, 5.0)

    def near_copy(rows: np.ndarray) -> np.ndarray:
        rows = rows.copy()
        for r in rows:
            px = rng.choice(side * side, 3, replace=False)
            r[px] = np.clip(r[px] + rng.choice([-1, 1], 3), 0, 16)
        return rows

    return _finish(X, y, rng, n, n_group, parts, near_copy)


def tables(config: tuple, seed: int) -> dict:
    """Mixed-unit tables with heavy tails: latent classes as log-normal, count and plain columns, plus 0/1 columns."""
    n, n_classes, d_lat, d_follow, d_noise = config
    rng = np.random.default_rng(seed)
    n_group = int(0.04 * n)
    y = rng.integers(0, n_classes, n)
    centres = rng.normal(scale=1.5, size=(n_classes + 1, d_lat))
    spread = rng.uniform(0.6, 1.4, size=(n_classes + 1, d_lat))
    cls = y.copy()
    cls[:n_group] = n_classes
    heavy = rng.random(d_lat) < 0.5
    noise = np.where(heavy, rng.standard_t(3, size=(n, d_lat)), rng.normal(size=(n, d_lat)))
    Z = centres[cls] + noise * spread[cls]
    parts = _split_rows(rng, n, n_group)
    flip, glob, local = parts[:3]
    y[flip] = (y[flip] + rng.integers(1, n_classes, len(flip))) % n_classes
    y[:n_group] = rng.integers(0, n_classes, n_group)
    sd = Z.std(0)
    Z[glob] = Z.mean(0) + rng.normal(size=(len(glob), d_lat)) * sd * rng.uniform(3, 5, (len(glob), 1))
    Z[local] = centres[cls[local]] + 2.5 * rng.normal(size=(len(local), d_lat)) * spread[cls[local]]
    kind = np.arange(d_lat) % 3
    cols = np.where(kind == 0, np.exp(Z / 2), np.where(kind == 1, 0.0, Z))
    counts = rng.poisson(3 * np.exp(np.clip(Z / 3, -10, 10)))
    cols = np.where(kind == 1, counts, cols)
    units = 10.0 ** rng.uniform(-1, 3, d_lat)
    p_follow = rng.uniform(0.1, 0.9, (n_classes, d_follow))
    follow = (rng.random((n, d_follow)) < p_follow[y % n_classes]).astype(float)
    noise01 = (rng.random((n, d_noise)) < rng.uniform(0.1, 0.5, d_noise)).astype(float)
    X = np.hstack([cols * units, follow, noise01])

    def near_copy(rows: np.ndarray) -> np.ndarray:
        rows = rows.copy()
        rows[:, :d_lat] *= 1 + 0.01 * rng.normal(size=(len(rows), d_lat))
        return rows

    return _finish(X, y, rng, n, n_group, parts, near_copy)


# ----------------------------------------------------------------------------- measuring


def check_aurocs(data: dict, graph: NeighborGraph) -> dict:
    X, y, t = data["X"], data["y"], data["truth"]
    found = find_data_issues(X, y, checks=CHECKS, graph=graph, split=data["split"]).issues
    test = data["split"] == "test"
    return {
        "label": auroc(t["flip"], found["label_score"]),
        "outlier-global": auroc(t["global"], found["outlier_score"], ~t["local"]),
        "outlier-local": auroc(t["local"], found["outlier_score"], ~t["global"]),
        "near_duplicate": auroc(t["dup"], found["near_duplicate_score"]),
        "leakage": auroc(t["copy"], found["leakage_score"], test),
        "data_valuation": auroc(t["flip"], found["data_valuation_score"]),
        "underperforming_group": auroc(t["group"], found["underperforming_group_score"]),
    }


def record(res: dict, picks: dict, name: str, X: np.ndarray, y: np.ndarray, measure) -> None:
    g, pick, out_share = graphs(X, y)
    values = {sc: measure(g[sc]) for sc in ("zscore", "fenced")}
    values["auto"] = values[pick]
    picks.setdefault(name, []).append((pick, out_share))
    for sc, per_check in values.items():
        for check, v in per_check.items():
            res.setdefault((check, name, sc), []).append(v)


def collect() -> tuple[dict, dict]:
    res: dict = {}
    picks: dict = {}

    def label_only(X, y, t):
        return lambda g: {"label": auroc(t, find_data_issues(X, y, checks="label", graph=g).issues["label_score"])}

    for name, (n, kc, d_inf, d_const, d_sparse, rate) in MIXTURES.items():
        for seed in range(3):
            X, y0, Z, centres = mixture(n, kc, d_inf, d_const, d_sparse, 1000 + seed)
            y, t = flip_near_far(y0, Z, centres, rate, np.random.default_rng(2000 + seed))
            record(res, picks, name, X, y, label_only(X, y, t))
    for name, (X, y0) in part3_sets().items():
        y0 = np.asarray(y0, dtype=np.int64)
        X = np.asarray(X, dtype=float)
        for seed in range(3):
            rng = np.random.default_rng(300 + seed)
            for rate in (0.02, 0.1):
                y, t = flip_uniform(y0, rate, rng)
                record(res, picks, "part3:" + name, X, y, label_only(X, y, t))
    print("done label sets", flush=True)
    makers = [(name, lambda s, c=config: contaminated(c, 5000 + s)) for name, config in CONTAM.items()]
    makers += [(name, lambda s, c=config: images(c, 7000 + s)) for name, config in IMAGES.items()]
    makers += [(name, lambda s, c=config: tables(c, 7000 + s)) for name, config in TABLES.items()]
    for name, make in makers:
        for seed in range(5):
            data = make(seed)
            record(res, picks, name, data["X"], data["y"], lambda g, d=data: check_aurocs(d, g))
        print(f"done {name}", flush=True)
    return res, picks


def diagnose() -> None:
    """After the rule's run (not part of it): the sets that failed, seed by seed.

    Per seed of ``ct_a`` and ``ct_c``: the labels' choice and its statistic (mean paired difference
    of the leave-one-out agreement over its standard error), the number of graph-DBSCAN clusters
    and the underperforming_group and local-outlier AUROCs under each scaling.
    """
    from labelwise.checks.underperforming_group import graph_dbscan

    for name in ("ct_a", "ct_c"):
        for seed in range(5):
            data = contaminated(CONTAM[name], 5000 + seed)
            X, y = data["X"], data["y"]
            fenced = fenced_range_scale(X)
            mz, sz = zscore_scale(X)
            d = loo_agreement((X - fenced[0]) / fenced[1], y) - loo_agreement((X - mz) / sz, y)
            stat = d.mean() / (d.std(ddof=1) / np.sqrt(len(d)))
            g, pick, _ = graphs(X, y)
            line = [f"{name} seed {5000 + seed}: pick {pick:6s} (agreement +{d.mean():.4f}, {stat:+.2f} se)"]
            for sc in ("zscore", "fenced"):
                a = check_aurocs(data, g[sc])
                clusters = int(graph_dbscan(g[sc]).max()) + 1
                line.append(
                    f"{sc}: clusters {clusters:3d}, group {a['underperforming_group']:.4f}, "
                    f"local {a['outlier-local']:.4f}, label {a['label']:.4f}"
                )
            print(" | ".join(line), flush=True)


def main() -> None:
    if "--diagnose" in sys.argv[1:]:
        diagnose()
        return
    res, picks = collect()
    shown = ("zscore", "auto", "fenced")
    verdicts = []
    for check in dict.fromkeys(c for c, _, _ in res):
        sets = list(dict.fromkeys(s for c, s, _ in res if c == check))
        mean = {(s, sc): float(np.mean(res[(check, s, sc)])) for s in sets for sc in shown}
        print(f"\n== {check}")
        print("set".ljust(22), *[sc.rjust(9) for sc in shown], "auto-zscore".rjust(12), "picks (fenced/all)")
        for s in sets:
            diff = mean[(s, "auto")] - mean[(s, "zscore")]
            n_f = sum(p == "fenced" for p, _ in picks[s])
            out = np.mean([o for _, o in picks[s]])
            print(
                s.ljust(22),
                *[f"{mean[(s, sc)]:9.5f}" for sc in shown],
                f"{diff:+12.5f}",
                f"{n_f}/{len(picks[s])}, outside fence {out:.4f}",
            )
        overall = {sc: float(np.mean([mean[(s, sc)] for s in sets])) for sc in shown}
        worst = min(mean[(s, "auto")] - mean[(s, "zscore")] for s in sets)
        ok = overall["auto"] >= overall["zscore"] and worst >= -0.001
        print(
            "MEAN".ljust(22), *[f"{overall[sc]:9.5f}" for sc in shown], f"{overall['auto'] - overall['zscore']:+12.5f}"
        )
        fenced_worst = min(mean[(s, "fenced")] - mean[(s, "zscore")] for s in sets)
        print(
            f"{check}: auto mean {overall['auto'] - overall['zscore']:+.5f}, worst set {worst:+.5f} -> "
            f"{'PASS' if ok else 'fail'}  (fenced alone: mean {overall['fenced'] - overall['zscore']:+.5f}, "
            f"worst {fenced_worst:+.5f})"
        )
        verdicts.append(ok)
    print("\nRULE:", "PASS: auto becomes the default" if all(verdicts) else "fail: the default stays z-scores")


if __name__ == "__main__":
    main()
