"""Development grid for the regression audit's residual scale with X, on DEV generators and seeds.

Question: with ``X``, should the residual scale be the out-of-fold model of ``|r|`` always (main),
or the candidate (global MAD, prediction-binned local, model of ``|r|``) with the smallest
interquartile range of ``log|r - loc| - log s`` (Rousseeuw & Yohai, 1984, robust scale; Harvey,
1976, and Davidian & Carroll, 1987, variance modelled through ``log|r|``)? The candidate choice
is written out below (``choose_scale``); it was a library module on branch regsmall27 (commit
ecb4493) and was taken out again when the rule below failed (benchmarks/RESULTS.md, session 27).

Adoption rule, fixed before any run (session 27, regsmall27): adopt the choice only if
  1. the mean F1 over all cases does not drop,
  2. the mean F1 over the cases with n <= 1000 rises, and
  3. no case with n >= 5000 drops by more than 0.01 in F1.
F1 is that of the flagged rows (rule ``mixture``, default threshold) against the injected errors.

The generators are NOT those of ``bench_tasks.py`` or the diabetes check: X ~ N(0, I_6); the
signal is ``2 tanh(X0) + X1 - 0.5 X2^2 + 0.5 X3 X4`` (X5 is not in the signal). Noise models:
variance constant (``homo``), growing with a feature the signal does not use (``feature``: sd
``0.2 + |X5|``), growing with the signal (``pred``: sd ``0.2 + 0.4 |signal|``); each Gaussian or
Student-t(3) (``t3``), scaled so the noise's median sd is about 0.5. Errors:
``corrupt_targets(kind="shift")`` at (rate, magnitude) in (2%, 3), (5%, 1.5), (5%, 3), (10%, 1.5)
(magnitude in target standard deviations; 1.5 = moderate, 3 = large). Sizes 200, 400, 1000 (seeds
100-103), 5000 (seeds 100-101), 20000 (seed 100). Model: labelwise's default regressor, 5 folds.
The out-of-fold predictions and the model of ``|r|`` are computed once per case and shared by
both arms (they are identical in both: same model, folds and seed), so the arms differ only in the
scale.

Usage: python benchmarks/dev_regression_small.py [--out cases.csv] [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
import pandas as pd

from labelwise.audit import regression
from labelwise.audit._residual_scale import local_location_scale, robust_location_scale
from labelwise.noise import corrupt_targets

VARIANCE = ("homo", "feature", "pred")
TAILS = ("gauss", "t3")
ERRORS = ((0.02, 3.0), (0.05, 1.5), (0.05, 3.0), (0.10, 1.5))
SIZES = {
    200: (100, 101, 102, 103),
    400: (100, 101, 102, 103),
    1000: (100, 101, 102, 103),
    5000: (100, 101),
    20000: (100,),
}


CANDIDATES = ("global", "local", "model")


def log_spread(residual: np.ndarray, location: np.ndarray, scale: np.ndarray) -> float:
    """Interquartile range of ``log|r - loc| - log s`` (deviations floored at 1e-9 max(s))."""
    ratio = np.log(np.maximum(np.abs(residual - location), 1e-9 * float(np.max(scale)))) - np.log(scale)
    q1, q3 = np.percentile(ratio, [25.0, 75.0])
    return float(q3 - q1)


def model_fit(residual: np.ndarray, model_scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Main's scale with X: ``r / s`` standardised robustly, mapped back (``regression._standardise``)."""
    loc, c = robust_location_scale(residual / model_scale)
    return loc * model_scale, max(c, regression._TINY) * model_scale


def candidate_fits(residual: np.ndarray, prediction: np.ndarray, model_scale: np.ndarray) -> dict:
    """name -> (location, scale) of the three candidates."""
    loc, c = robust_location_scale(residual)
    n = residual.size
    return {
        "global": (np.full(n, loc), np.full(n, max(c, regression._TINY))),
        "local": local_location_scale(residual, prediction),
        "model": model_fit(residual, model_scale),
    }


def choose_scale(fits: dict, residual: np.ndarray) -> tuple[str, dict]:
    """The candidate with the smallest spread (ties to the simpler one), and every spread."""
    spread = {name: log_spread(residual, loc, s) for name, (loc, s) in fits.items()}
    return min(fits, key=lambda name: (spread[name], CANDIDATES.index(name))), spread


def make(n: int, variance: str, tails: str, rate: float, magnitude: float, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    signal = 2 * np.tanh(X[:, 0]) + X[:, 1] - 0.5 * X[:, 2] ** 2 + 0.5 * X[:, 3] * X[:, 4]
    if variance == "homo":
        sd = np.ones(n)
    elif variance == "feature":
        sd = 0.2 + np.abs(X[:, 5])
    else:
        sd = 0.2 + 0.4 * np.abs(signal)
    eps = rng.normal(size=n) if tails == "gauss" else rng.standard_t(3, n)
    y = signal + 0.5 * eps * sd / np.median(sd)
    noisy = corrupt_targets(y, rate=rate, kind="shift", magnitude=magnitude, random_state=seed + 1)
    return X, noisy


def f1(flags: np.ndarray, truth: np.ndarray) -> float:
    return 2 * int((flags & truth).sum()) / max(int(flags.sum()) + int(truth.sum()), 1)


def at_count(u: np.ndarray, truth: np.ndarray) -> float:
    """F1 of the top ``truth.sum()`` rows by ``|u|`` (the ranking's quality, not a flagging rule)."""
    flags = np.zeros(u.size, bool)
    flags[np.argsort(-np.abs(u), kind="stable")[: int(truth.sum())]] = True
    return f1(flags, truth)


def run_case(X: np.ndarray, y: np.ndarray, truth: np.ndarray) -> dict:
    """Both arms on one case, sharing the out-of-fold predictions and model of |r|; the F1 of
    each fixed candidate and of the rankings at the true count as diagnostics."""
    model = regression.default_regressor(0)
    pred = regression._oof(model, X, y, 5, 0)
    res = y - pred
    s = regression._oof(model, X, np.abs(res), 5, 0)
    s = np.maximum(s, 0.1 * float(np.median(np.abs(res))) + regression._TINY)
    fits = candidate_fits(res, pred, s)
    chosen, spread = choose_scale(fits, res)
    u = {name: (res - loc) / sc for name, (loc, sc) in fits.items()}
    flags = {name: regression._flag_mixture(v, 0.5)[0] for name, v in u.items()}
    return {
        "f1_main": f1(flags["model"], truth),
        "f1_new": f1(flags[chosen], truth),
        "flags_main": int(flags["model"].sum()),
        "flags_new": int(flags[chosen].sum()),
        "chosen": chosen,
        "f1_global": f1(flags["global"], truth),
        "f1_local": f1(flags["local"], truth),
        "rank_main": at_count(u["model"], truth),
        "rank_new": at_count(u[chosen], truth),
        **{f"iqr_{k}": v for k, v in spread.items()},
    }


def verdict(df: pd.DataFrame) -> list[str]:
    small, large = df[df.n <= 1000], df[df.n >= 5000]
    drop = (large.f1_main - large.f1_new).max() if len(large) else 0.0
    checks = [
        (df.f1_new.mean() >= df.f1_main.mean(), f"mean F1 {df.f1_main.mean():.3f} -> {df.f1_new.mean():.3f}"),
        (
            small.f1_new.mean() > small.f1_main.mean(),
            f"n<=1000 {small.f1_main.mean():.3f} -> {small.f1_new.mean():.3f}",
        ),
        (drop <= 0.01, f"worst n>=5000 drop {drop:.4f}"),
    ]
    lines = [f"{'PASS' if ok else 'FAIL'}: {what}" for ok, what in checks]
    lines.append("ADOPT" if all(ok for ok, _ in checks) else "DO NOT ADOPT")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="Write one row per case to this CSV.")
    parser.add_argument("--quick", action="store_true", help="One seed, n 200 and 1000 only (a smoke run).")
    args = parser.parse_args()
    sizes = {200: (100,), 1000: (100,)} if args.quick else SIZES
    rows = []
    t0 = time.perf_counter()
    for n, seeds in sizes.items():
        for seed, variance, tails, (rate, mag) in itertools.product(seeds, VARIANCE, TAILS, ERRORS):
            X, noisy = make(n, variance, tails, rate, mag, seed)
            out = run_case(X, noisy.labels, noisy.is_corrupted)
            rows.append(
                {"n": n, "seed": seed, "variance": variance, "tails": tails, "rate": rate, "magnitude": mag, **out}
            )
        print(f"n={n} done, {len(rows)} cases, {time.perf_counter() - t0:.0f} s", flush=True)
    df = pd.DataFrame(rows)
    if args.out:
        df.to_csv(args.out, index=False)
    pd.set_option("display.width", 160)
    print(df.groupby("n")[["f1_main", "f1_new"]].mean().round(3).assign(cases=df.groupby("n").size()))
    print(df.groupby(["variance", "tails"])[["f1_main", "f1_new"]].mean().round(3))
    cols = ["f1_main", "f1_new", "f1_global", "f1_local", "rank_main", "rank_new"]
    print("diagnostics (fixed candidates; rankings cut at the true count):")
    print(df.groupby(df.n <= 1000)[cols].mean().round(3).rename(index={True: "n<=1000", False: "n>=5000"}))
    print(df.groupby("magnitude")[cols].mean().round(3))
    zero = (df.flags_new == 0) & (df.flags_main > 0)
    print(f"cases where the choice flags nothing and main flags some: {int(zero.sum())}")
    print(pd.crosstab([df.n], [df.variance, df.chosen]))
    print(f"{len(df)} cases, {time.perf_counter() - t0:.0f} s")
    print("\n".join(verdict(df)))


if __name__ == "__main__":
    main()
