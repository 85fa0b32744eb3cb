"""Dev study for ``auto`` (issue 16, session 35): the blend as a log-linear pool, on dev seeds only.

**Diagnosis** (seeds 100-131; penguins, then wine, iris and breast cancer: 768 runs, the chooser's
inputs captured as ``choose_model`` computes them; numbers in benchmarks/RESULTS.md, session 35).
On penguins ``auto`` is ahead of cleanlab by +1.86 points on average but below it in 50 of 192
runs, and those runs *under-flag*: auto flags 0.91x the flipped rows there, cleanlab 0.99x. The
rows a probability set passes are those whose probability of their true class reaches the class's
threshold ``t_j`` (the mean of ``p_j`` over the rows given ``j``; Northcutt et al. 2021); the
share of flipped rows that pass is 0.85 for the calibrated logistic model and the blend, and it
moves with each family's temperature: sharpening (logistic ``T`` 0.82, trees 0.88) raises it
(0.81 -> 0.85, 0.80 -> 0.83), softening kNN's floored vote shares (``T`` 2.2) lowers it
(0.83 -> 0.68, as session 12 found). The blend mixes the *calibrated* families linearly, so each
family enters at the one temperature fitted to it alone.

**The change tested: the blend as a log-linear (logarithmic) opinion pool.** Instead of the linear
pool ``sum_m w_m p_m`` (convex weights), the blend is ``softmax(sum_m w_m log p_m)`` with weights
``w_m >= 0`` that need not sum to 1 (Genest & Zidek 1986; Heskes 1998), fitted by log loss. Its
log loss is convex in ``w`` (a multinomial logistic model whose features are the families'
log-probabilities), so the fit is a small convex problem; with one family it *is* temperature
scaling (``w = 1/T``), so the families' temperatures and the mix are fitted jointly instead of one
after the other, and a linear pool's known under-confidence where calibrated components agree
(Ranjan & Gneiting 2010) is not built in. Cross-fitted over the folds exactly like the linear
blend (the weights used on fold ``j`` fitted on the other folds); everything else of the chooser
(the 1% margin to take the blend, the finalists within 2%, the majority-filter agreement) is
unchanged. Families' probabilities enter raw (floored at ``_calibrate.FLOOR`` before the
logarithm): a temperature would only rescale a weight.

**Adoption rule, written and committed before the judging runs** (the brief's rule). On **fresh
dev seeds 400-411** (never used by an earlier pass; never the reported 0-2), all 7 tables,
uniform and class-conditional flips at 5%, 10% and 20% (72 runs per table), ``logpool`` is
adopted only if, against ``present`` (the chooser as on main, replayed on the same captured
candidates, its pick checked equal to ``choose_model``'s on every run):

(a) the mean F1 gain over cleanlab (all 504 runs) is not lower than ``present``'s;
(b) no table's mean F1 is below cleanlab's where ``present``'s is not;
(c) penguins' mean gain over cleanlab is higher than ``present``'s (the table the change is for);
(d) every run's audited log loss is within 2% of the best single candidate's raw log loss, or, on
    a table where ``present`` already exceeds 2% in some run, the table's worst gap is no larger;
(e) every table's mean ``auto`` time (``present``'s measured time, minus its blend step, plus the
    pool's, both timed on the captured candidates) is at most 4x its mean logistic time.

If it fails, nothing in ``src`` changes. Then ``bench_default_model.py --seeds 0 1 2`` is run once.

    OMP_NUM_THREADS=1 python benchmarks/dev_auto_logpool.py capture --seeds 400 ... 411 \
        --tables digits --save /tmp/is16/fresh_digits.pkl      # (and the other tables)
    python benchmarks/dev_auto_logpool.py rule /tmp/is16/fresh_*.pkl

References
----------
.. [1] Genest & Zidek, "Combining Probability Distributions: A Critique and an Annotated
   Bibliography", Statistical Science 1(1), 1986 (linear and logarithmic opinion pools).
.. [2] Heskes, "Selecting Weighting Factors in Logarithmic Opinion Pools", NIPS 1998.
.. [3] Ranjan & Gneiting, "Combining probability forecasts", JRSS B 72(1), 2010.
.. [4] Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset Labels",
   JAIR 70, 2021.
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import time
import warnings

import numpy as np
import pandas as pd
from bench_default_model import f1, flip, load_tables, numeric_matrix

warnings.filterwarnings("ignore")


def pool_logits(stack: list[np.ndarray]) -> np.ndarray:
    """The families' log-probabilities, floored as the temperature floors them, shape (M, n, K)."""
    from labelwise.models._calibrate import FLOOR

    z = np.stack([np.log(np.maximum(p, FLOOR)) for p in stack])
    return z - z.max(axis=2, keepdims=True)


def _pool_loss(w: np.ndarray, z: np.ndarray, zy_mean: np.ndarray) -> tuple[float, np.ndarray]:
    s = np.tensordot(w, z, axes=1)
    top = s.max(axis=1, keepdims=True)
    e = np.exp(s - top)
    total = e.sum(axis=1, keepdims=True)
    return float(np.mean(np.log(total[:, 0]) + top[:, 0]) - w @ zy_mean), e / total


def fit_pool(z: np.ndarray, codes: np.ndarray, *, max_iter: int = 100, tol: float = 1e-10) -> np.ndarray:
    """Weights ``w >= 0`` minimising the log loss of ``softmax(sum_m w_m z_m)``.

    The loss is convex in ``w``: its gradient is ``mean_i (E_q[z_m] - z_{m,y_i})`` and its Hessian
    the mean over rows of the covariance of the ``z_m`` under ``q_i``. Projected Newton steps on
    the weights not held at 0 (a held weight is freed when its gradient is negative), with
    backtracking, until the loss gains less than ``tol``.
    """
    n = codes.shape[0]
    zy_mean = z[:, np.arange(n), codes].mean(axis=1)
    w = np.full(z.shape[0], 1.0 / z.shape[0])
    loss, q = _pool_loss(w, z, zy_mean)
    for _ in range(max_iter):
        ez = np.einsum("mnk,nk->mn", z, q)
        grad = ez.mean(axis=1) - zy_mean
        hess = np.einsum("mnk,lnk,nk->ml", z, z, q) / n - ez @ ez.T / n
        free = (w > 0) | (grad < 0)
        step = np.zeros_like(w)
        step[free] = -np.linalg.solve(hess[np.ix_(free, free)] + 1e-12 * np.eye(int(free.sum())), grad[free])
        t = 1.0
        while t > 1e-8:
            trial = np.maximum(w + t * step, 0.0)
            new_loss, new_q = _pool_loss(trial, z, zy_mean)
            if new_loss <= loss:
                break
            t *= 0.5
        else:
            break
        w, q, gained, loss = trial, new_q, loss - new_loss, new_loss
        if gained < tol:
            break
    return w


def apply_pool(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    s = np.tensordot(w, z, axes=1)
    s -= s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


def cross_fit_pool(stack, codes, folds):
    """The pool cross-fitted over the folds (as ``_calibrate.cross_fit_blend``), and the weights on all rows."""
    z = pool_logits(stack)
    out = np.empty_like(stack[0])
    for test in folds:
        train = np.ones(codes.shape[0], dtype=bool)
        train[test] = False
        out[test] = apply_pool(z[:, test], fit_pool(z[:, train], codes[train]))
    return out, fit_pool(z, codes)


def capture(args) -> None:
    """Run ``choose_model`` per dev run and keep what its last step (``_pick``) received, with cleanlab's flags."""
    import cleanlab.filter
    from sklearn.linear_model import LogisticRegression

    import labelwise as lw
    from labelwise.models import _auto, choose_model, default_model

    store = {}
    original = _auto._pick

    def spy(*a):
        spy.args = a  # type: ignore[attr-defined]
        return original(*a)

    _auto._pick = spy
    for name, (features, labels) in load_tables().items():
        if args.tables and name not in args.tables:
            continue
        classes, codes = np.unique(labels.astype(str), return_inverse=True)
        for seed, kind, rate in itertools.product(args.seeds, args.kinds, args.rates):
            noisy = flip(codes, len(classes), rate, kind, seed)
            t0 = time.perf_counter()
            choice = choose_model(features, noisy, random_state=seed)
            t_auto = time.perf_counter() - t0
            best, results, finished, calibrated, _, tests, _, _ = spy.args  # type: ignore[attr-defined]
            t0 = time.perf_counter()
            logistic = default_model(features, model="logistic", random_state=seed)
            lw.find_label_issues(
                noisy, lw.out_of_fold_probs(logistic, features, noisy, random_state=seed, verbose=False)
            )
            t_logistic = time.perf_counter() - t0
            cl = lw.out_of_fold_probs(
                LogisticRegression(), numeric_matrix(features), noisy, random_state=seed, verbose=False
            )
            store[(name, seed, kind, rate)] = {
                "codes": codes,
                "noisy": noisy,
                "best": best.name,
                "results": results,
                "finished": finished,
                "calibrated": calibrated,
                "tests": tests,
                "chosen": choice.chosen,
                "cl_flags": cleanlab.filter.find_label_issues(noisy, cl),
                "t_auto": t_auto,
                "t_logistic": t_logistic,
            }
            print(name, seed, kind, rate, choice.chosen, f"{t_auto:.3f}", flush=True)
    with open(args.save, "wb") as fh:
        pickle.dump(store, fh)


def pick(variant: str, run: dict):
    """The chooser's last step on a captured run: ``present`` (``_auto._pick``) or with the log-linear pool."""
    from labelwise.models import _auto
    from labelwise.models._agree import agreeing_pick
    from labelwise.models._calibrate import log_loss

    best = next(c for c in run["results"] if c.name == run["best"])
    noisy, finished = run["noisy"], run["finished"]
    t0 = time.perf_counter()
    if variant == "present":
        chosen, option, _ = _auto._pick(
            best, run["results"], finished, run["calibrated"], noisy, run["tests"], True, True
        )
        return chosen, option, time.perf_counter() - t0
    options = _auto._options(run["results"], finished, run["calibrated"])
    present = best.name
    if len(finished) > 1:
        pooled, w = cross_fit_pool(list(finished.values()), noisy, run["tests"])
        weights = {n: float(x) for n, x in zip(finished, w, strict=True)}
        options["blend"] = _auto.Option(log_loss(pooled, noisy), pooled, weights=weights)
        if options["blend"].log_loss < options[best.name].log_loss * (1 - _auto.BLEND_MIN_GAIN):
            present = "blend"
        chosen, _ = agreeing_pick(options, list(finished), present, noisy)
    else:
        chosen = present
    return chosen, options[chosen], time.perf_counter() - t0


def replay(paths) -> pd.DataFrame:
    import labelwise as lw

    rows = []
    for path in paths:
        with open(path, "rb") as fh:
            store = pickle.load(fh)
        for (table, seed, kind, rate), run in store.items():
            truth = run["noisy"] != run["codes"]
            best_raw = min(c.log_loss for c in run["results"] if c.skipped is None)
            row = {"table": table, "seed": seed, "kind": kind, "rate": rate, "f1_cleanlab": f1(run["cl_flags"], truth)}
            row |= {"t_auto": run["t_auto"], "t_logistic": run["t_logistic"]}
            for variant in ("present", "logpool"):
                chosen, option, seconds = pick(variant, run)
                flagged = lw.find_label_issues(run["noisy"], option.probs).is_issue
                row |= {f"chosen_{variant}": chosen, f"f1_{variant}": f1(flagged, truth)}
                row |= {f"gap_{variant}": option.log_loss / best_raw - 1, f"t_pick_{variant}": seconds}
                row[f"n_{variant}"] = int(flagged.sum())
            if row["chosen_present"] != run["chosen"]:
                raise AssertionError(
                    f"replay of {table, seed, kind, rate} picked {row['chosen_present']}, not {run['chosen']}"
                )
            row["n_flipped"] = int(truth.sum())
            rows.append(row)
    return pd.DataFrame(rows)


def rule(args) -> None:
    runs = replay(args.captures)
    runs["t_logpool"] = runs["t_auto"] - runs["t_pick_present"] + runs["t_pick_logpool"]
    table = runs.groupby("table").agg(
        runs=("seed", "size"),
        f1_cleanlab=("f1_cleanlab", "mean"),
        f1_present=("f1_present", "mean"),
        f1_logpool=("f1_logpool", "mean"),
        gap_present=("gap_present", "max"),
        gap_logpool=("gap_logpool", "max"),
        t_logistic=("t_logistic", "mean"),
        t_present=("t_auto", "mean"),
        t_logpool=("t_logpool", "mean"),
        changed=("chosen_logpool", lambda s: int((s != runs.loc[s.index, "chosen_present"]).sum())),
    )
    for v in ("present", "logpool"):
        table[f"gain_{v}"] = 100 * (table[f"f1_{v}"] - table["f1_cleanlab"])
        table[f"ratio_{v}"] = table[f"t_{v}"] / table["t_logistic"]
    pd.set_option("display.width", 250)
    print(table.round(4).to_string())
    for v in ("present", "logpool"):
        print(
            f"{v}: chosen {runs[f'chosen_{v}'].value_counts().to_dict()}; flags / flipped {runs[f'n_{v}'].sum() / runs['n_flipped'].sum():.3f}"
        )
    gain = {v: 100 * (runs[f"f1_{v}"] - runs["f1_cleanlab"]).mean() for v in ("present", "logpool")}
    checks = {
        "a": gain["logpool"] >= gain["present"],
        "b": bool(((table["gain_logpool"] >= 0) | (table["gain_present"] < 0)).all()),
        "c": bool(table.loc["penguins", "gain_logpool"] > table.loc["penguins", "gain_present"]),
        "d": bool((table["gap_logpool"] <= np.maximum(0.02, table["gap_present"]) + 1e-12).all()),
        "e": bool((table["ratio_logpool"] <= 4).all()),
    }
    print(f"mean gain present {gain['present']:+.3f}, logpool {gain['logpool']:+.3f} points")
    print("rule: " + ", ".join(f"({k}) {'ok' if ok else 'FAIL'}" for k, ok in checks.items()))
    print("verdict: " + ("adopt" if all(checks.values()) else "not adopted"))
    if args.save:
        runs.to_csv(args.save, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    go = sub.add_parser("capture")
    go.add_argument("--seeds", type=int, nargs="+", required=True)
    go.add_argument("--tables", nargs="+", default=None)
    go.add_argument("--rates", type=float, nargs="+", default=[0.05, 0.1, 0.2])
    go.add_argument("--kinds", nargs="+", default=["uniform", "class_conditional"])
    go.add_argument("--save", required=True)
    check = sub.add_parser("rule")
    check.add_argument("captures", nargs="+")
    check.add_argument("--save", default=None, help="per-run CSV")
    args = parser.parse_args()
    if any(seed in (0, 1, 2) for seed in getattr(args, "seeds", [])):
        parser.error("seeds 0-2 are the reported seeds; dev seeds only here")
    capture(args) if args.command == "capture" else rule(args)


if __name__ == "__main__":
    main()
