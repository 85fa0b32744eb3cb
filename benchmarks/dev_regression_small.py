"""Development grid for the regression audit on small tables, on DEV generators and seeds.

Session 27, regguard27 (this version). regflag27's prior ``P(nu) ~ exp(-lambda / nu)``,
``lambda = 20``, on the clean t's degrees of freedom raised the ``mixture`` rule's F1 at small n but
moved one n = 5000 case by -0.062. This version adds ONE guard, chosen and written here before any
grid run:

Guard (b), "the prior decides only when maximum likelihood is degenerate": fit main's mixture by
maximum likelihood; if its error weight is below one row's worth (``n * pi < 1``: the fit expects
less than one wrong target, i.e. the error component has collapsed onto the boundary of the
parameter space and nothing is flaggable), refit with the prior (MAP by EM) and use that fit;
otherwise keep the ML fit unchanged. Why this one: a collapsed weight is the classic boundary
failure of ML for mixtures (the second component is not identified when its weight goes to 0, and
the likelihood cannot choose between "heavy clean tails" and "a few errors"), and the standard
remedy is to regularise the estimate by a prior only there (Fraley & Raftery, 2007, Bayesian
regularisation of mixture estimates against degeneracy; the prior itself is a penalised-complexity
prior in the spirit of Simpson et al., 2017). Where ML already finds errors, the data have spoken
and its answer is kept: no case in which main flags something can change through the guard
except via a collapsed fit, so large tables, where errors are identified, keep main's answer.
The likelihood-ratio guard (a) was not chosen: the MAP maximises ``loglik - lambda / nu``, so its
log-likelihood deficit against ML is at most ``lambda / nu_ML - lambda / nu_MAP``, below 1.92 nats
for every ML fit with ``nu_ML > 10`` and small on the flat (nu, pi) ridge that caused the n = 5000
drop: that guard would pass exactly the moves it is meant to stop. ``lambda = 20`` as fixed by
regflag27 (not tuned here).

Arms, all from the same out-of-fold predictions and model of ``|r|`` per case:
  main:    |r|-model scale, mixture by maximum likelihood (the library's code on main);
  new:     |r|-model scale, the guarded fit (ML, or the MAP with the prior when ML collapsed);
  prior:   |r|-model scale, the prior always (regflag27's candidate; diagnostic only);
  noX_main / noX_new: predictions only (the prediction-binned scale, ``local_location_scale``),
           ML / the guarded fit (the library's path without X).

Adoption rule, fixed before any run (the same four checks as regflag27's), for ``new``:
  1. the mean F1 over all cases does not drop,
  2. the mean F1 over the cases with n <= 1000 rises by at least 0.01,
  3. no case with n >= 5000 drops by more than 0.01 in F1,
  4. without X (noX arms) the mean F1 over all cases does not drop.
Fresh seeds: 108-111 (n <= 1000), 108-109 (n = 5000), 108 (n = 20000); 360 cases; run ONCE.

Outcome (one run, 7 min): ``new`` passes all four checks and is adopted (library
``_residual_mixture.fit_guarded_mixture``, used by ``regression._flag_mixture``): mean F1 0.602 ->
0.635, n <= 1000 0.542 -> 0.582, worst n >= 5000 drop 0 (the guard kept ML in all 72 large cases),
without X 0.516 -> 0.581; 29 cases better, none worse. The unguarded prior failed check 3 again
(drop 0.074). See benchmarks/RESULTS.md, session 27, regguard27.
F1 is that of the flagged rows (posterior of the wide component above 0.5) against the injected
errors.

Session 27, regflag27 (the earlier version, seeds 104-107, commit b12e8b6): the prior alone and the
prior with regsmall27's scale choice; not adopted (check 3). Session 27, regsmall27 (seeds 100-103,
commit 11304e9): the scale choice alone; not adopted (benchmarks/RESULTS.md).

The generators are NOT those of ``bench_tasks.py`` or the diabetes check: X ~ N(0, I_6); the
signal is ``2 tanh(X0) + X1 - 0.5 X2^2 + 0.5 X3 X4`` (X5 is not in the signal). Noise models:
variance constant (``homo``), growing with a feature the signal does not use (``feature``: sd
``0.2 + |X5|``), growing with the signal (``pred``: sd ``0.2 + 0.4 |signal|``); each Gaussian or
Student-t(3) (``t3``), scaled so the noise's median sd is about 0.5. Errors:
``corrupt_targets(kind="shift")`` at (rate, magnitude) in (2%, 3), (5%, 1.5), (5%, 3), (10%, 1.5)
(magnitude in target standard deviations; 1.5 = moderate, 3 = large). Model: labelwise's default
regressor, 5 folds. Run with OMP_NUM_THREADS=1.

Usage: python benchmarks/dev_regression_small.py [--out cases.csv] [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
import pandas as pd

from labelwise.audit import regression
from labelwise.audit._residual_mixture import fit_residual_mixture
from labelwise.audit._residual_scale import local_location_scale, robust_location_scale
from labelwise.noise import corrupt_targets

VARIANCE = ("homo", "feature", "pred")
TAILS = ("gauss", "t3")
ERRORS = ((0.02, 3.0), (0.05, 1.5), (0.05, 3.0), (0.10, 1.5))
SIZES = {
    200: (108, 109, 110, 111),
    400: (108, 109, 110, 111),
    1000: (108, 109, 110, 111),
    5000: (108, 109),
    20000: (108,),
}
#: The prior's rate (nats), fixed by regflag27 on seeds 100-101 (not tuned here).
TAIL_PRIOR = 20.0


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


def posterior_with_tail_prior(u: np.ndarray, tail_prior: float) -> np.ndarray:
    """``fit_residual_mixture(u).posterior`` with a prior ``P(nu) ~ exp(-tail_prior / nu)`` on the
    clean t's degrees of freedom (MAP by EM): the library's ``tail_prior`` option, which is the
    code of commit b918ba6 of branch regflag27 (this script carried a copy while the option was
    out of the library; adopted behind the guard by regguard27)."""
    return fit_residual_mixture(u, tail_prior=tail_prior).posterior


def guarded_fit(u: np.ndarray, tail_prior: float) -> tuple[np.ndarray, str]:
    """The guard, fixed before the run: main's ML fit, unless its error weight collapsed below one
    row's worth (``n * pi < 1``), then the MAP fit with the prior. Returns (posterior, which fit)."""
    ml = fit_residual_mixture(u)
    if ml.error_weight * u.size >= 1:
        return ml.posterior, "ml"
    return posterior_with_tail_prior(u, tail_prior), "prior"


def flags_of(u: np.ndarray, arm: str) -> tuple[np.ndarray, str]:
    """The ``mixture`` rule's flags (posterior above 0.5) for ``arm`` (ml, guarded, prior)."""
    if arm == "ml":
        return fit_residual_mixture(u).posterior > 0.5, "ml"
    if arm == "prior":
        return posterior_with_tail_prior(u, TAIL_PRIOR) > 0.5, "prior"
    post, used = guarded_fit(u, TAIL_PRIOR)
    return post > 0.5, used


def run_case(X: np.ndarray, y: np.ndarray, truth: np.ndarray) -> dict:
    """Every arm on one case, sharing the out-of-fold predictions and model of |r|; the F1 of the
    rankings at the true count as diagnostics."""
    model = regression.default_regressor(0)
    pred = regression._oof(model, X, y, 5, 0)
    res = y - pred
    s = regression._oof(model, X, np.abs(res), 5, 0)
    s = np.maximum(s, 0.1 * float(np.median(np.abs(res))) + regression._TINY)
    fits = candidate_fits(res, pred, s)
    u = {name: (res - loc) / sc for name, (loc, sc) in fits.items()}
    arms = {
        "main": ("model", "ml"),
        "new": ("model", "guarded"),
        "prior": ("model", "prior"),
        "noX_main": ("local", "ml"),
        "noX_new": ("local", "guarded"),
    }
    out = {k: flags_of(u[scale], arm) for k, (scale, arm) in arms.items()}
    return {
        **{f"f1_{k}": f1(v, truth) for k, (v, _) in out.items()},
        **{f"flags_{k}": int(v.sum()) for k, (v, _) in out.items()},
        "used_new": out["new"][1],
        "used_noX_new": out["noX_new"][1],
        "rank_main": at_count(u["model"], truth),
        "rank_noX": at_count(u["local"], truth),
    }


def verdict(df: pd.DataFrame, arm: str) -> list[str]:
    """The four checks of the adoption rule for candidate ``arm`` (``new``; ``prior`` as a diagnostic)."""
    small, large = df[df.n <= 1000], df[df.n >= 5000]
    new = df[f"f1_{arm}"]
    drop = (large.f1_main - large[f"f1_{arm}"]).max() if len(large) else 0.0
    checks = [
        (new.mean() >= df.f1_main.mean(), f"mean F1 {df.f1_main.mean():.3f} -> {new.mean():.3f}"),
        (
            small[f"f1_{arm}"].mean() >= small.f1_main.mean() + 0.01,
            f"n<=1000 {small.f1_main.mean():.3f} -> {small[f'f1_{arm}'].mean():.3f} (needs +0.01)",
        ),
        (drop <= 0.01, f"worst n>=5000 drop {drop:.4f}"),
        (
            df.f1_noX_new.mean() >= df.f1_noX_main.mean(),
            f"without X {df.f1_noX_main.mean():.3f} -> {df.f1_noX_new.mean():.3f}",
        ),
    ]
    lines = [f"{arm}: {'PASS' if ok else 'FAIL'}: {what}" for ok, what in checks]
    lines.append(f"{arm}: " + ("ADOPTABLE" if all(ok for ok, _ in checks) else "DO NOT ADOPT"))
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
    f1s = ["f1_main", "f1_new", "f1_prior", "f1_noX_main", "f1_noX_new"]
    print(df.groupby("n")[f1s].mean().round(3).assign(cases=df.groupby("n").size()))
    print(df.groupby(["variance", "tails"])[f1s].mean().round(3))
    print(df.groupby("magnitude")[f1s].mean().round(3))
    print("fit used by the guard (with X, without X):")
    print(pd.crosstab(df.n, df.used_new), pd.crosstab(df.n, df.used_noX_new), sep="\n")
    ranks = ["rank_main", "rank_noX"]
    print("rankings cut at the true count:")
    print(df.groupby(df.n <= 1000)[ranks].mean().round(3).rename(index={True: "n<=1000", False: "n>=5000"}))
    for arm in ("main", "new", "prior", "noX_main", "noX_new"):
        print(f"{arm}: cases flagging nothing {int((df[f'flags_{arm}'] == 0).sum())}")
    for arm in ("new", "noX_new"):
        base = "main" if arm == "new" else "noX_main"
        d = df[f"f1_{arm}"] - df[f"f1_{base}"]
        print(f"{arm} vs {base}: better {int((d > 0.01).sum())}, worse {int((d < -0.01).sum())} (by > 0.01)")
    print(f"{len(df)} cases, {time.perf_counter() - t0:.0f} s")
    print("\n".join(verdict(df, "new") + verdict(df, "prior")))
    print("adopt: new" if all("PASS" in x for x in verdict(df, "new")[:4]) else "new fails")


if __name__ == "__main__":
    main()
