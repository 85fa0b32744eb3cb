"""Development grid for the regression flagging rule, on DEV generators and seeds only.

The generators here are NOT the one of ``bench_tasks.py`` (which draws X ~ N(0, I_5), a linear +
sine target and noise sd 0.2 + 0.8 |X0|, seeds 0 and 2): they are one-dimensional latent signals
with five noise models (homoscedastic Gaussian, noise growing with the prediction, a per-row
log-normal noise level that the prediction does not explain, Student-t(3) noise, and t(5) noise
growing with the prediction), three error rates (2%, 5%, 10%), two error magnitudes (2 and 4
target standard deviations) of ``corrupt_targets(kind="mixed")``, seeds 100-102 and 3,000 /
20,000 rows. Predictions are the signal plus a small estimation error (a good out-of-fold model).

Candidates: scale (global MAD, or the prediction-local one of ``_residual_scale``) x rule
(``|u| > 3``, ``|u| > 4``, two-Gaussian mixture of Aitkin & Wilson, t + Cauchy mixture of
``_residual_mixture`` with the error scale at least 1.5, 3, 5 or 10 clean scales). Printed: mean F1 per noise model and overall, and the F1 at the true
number of errors (the ranking's quality, which no flagging rule can beat with that ranking).

Usage: python benchmarks/dev_regression_flags.py [--sizes 3000 20000]
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np
import pandas as pd
from scipy.special import expit

from labelwise.audit._residual_mixture import fit_residual_mixture
from labelwise.audit._residual_scale import MAD_TO_SD, local_location_scale
from labelwise.noise import corrupt_targets

NOISE = ("homo", "hetero_pred", "lognormal_level", "t3", "t5_hetero_pred")


def make(noise: str, n: int, rate: float, magnitude: float, seed: int):
    rng = np.random.default_rng(seed)
    signal = 3.0 * np.tanh(rng.normal(size=n)) + rng.normal(0, 1.0, n)
    if noise == "homo":
        eps = rng.normal(size=n)
    elif noise == "hetero_pred":
        eps = rng.normal(size=n) * (0.2 + 0.6 * np.abs(signal))
    elif noise == "lognormal_level":
        eps = rng.normal(size=n) * np.exp(rng.normal(0, 0.6, n))
    elif noise == "t3":
        eps = rng.standard_t(3, n)
    else:
        eps = rng.standard_t(5, n) * (0.2 + 0.6 * np.abs(signal))
    y = signal + 0.5 * eps
    noisy = corrupt_targets(y, rate=rate, magnitude=magnitude, random_state=seed + 1)
    pred = signal + rng.normal(0, 0.1, n)
    return noisy, pred


def two_gaussians(u: np.ndarray, iters: int = 200) -> np.ndarray:
    """Aitkin & Wilson (1980): N(0, s^2) clean + N(0, t^2) outliers, EM, posterior > 0.5."""
    u2 = u**2
    pi, s2, t2 = 0.05, 1.0, max(float(np.quantile(u2, 0.99)), 2.25)
    post = np.zeros(u.size)
    for _ in range(iters):
        lc = np.log1p(-pi) - 0.5 * np.log(s2) - u2 / (2 * s2)
        le = np.log(pi) - 0.5 * np.log(t2) - u2 / (2 * t2)
        post = expit(le - lc)
        pi = float(np.clip(post.mean(), 1e-6, 0.5))
        s2 = float((1 - post) @ u2 / max((1 - post).sum(), 1e-12))
        t2 = max(float(post @ u2 / max(post.sum(), 1e-12)), 2.25 * s2)
    return post > 0.5


def expected_f1_cut(post: np.ndarray) -> np.ndarray:
    """Top-k posteriors with k maximising the plug-in expected F1 ``2 S_k / (k + sum p)``."""
    order = np.argsort(-post, kind="stable")
    gain = 2.0 * np.cumsum(post[order]) / (np.arange(1, post.size + 1) + post.sum())
    flags = np.zeros(post.size, bool)
    flags[order[: int(np.argmax(gain)) + 1]] = True
    return flags


def standardise(res: np.ndarray, pred: np.ndarray, scale: str) -> np.ndarray:
    if scale == "global":
        loc = np.median(res)
        return (res - loc) / (MAD_TO_SD * np.median(np.abs(res - loc)))
    loc, s = local_location_scale(res, pred)
    return (res - loc) / s


RULES = {
    "z>3": lambda u: np.abs(u) > 3,
    "z>4": lambda u: np.abs(u) > 4,
    "2gauss": two_gaussians,
    **{
        f"t+cauchy w>={w}": (lambda u, w=w: fit_residual_mixture(u, min_width=w).posterior > 0.5)
        for w in (1.5, 3.0, 5.0, 10.0)
    },
    "t+cauchy w>=5 exp-F1": lambda u: expected_f1_cut(fit_residual_mixture(u, min_width=5.0).posterior),
}


def f1(flags: np.ndarray, truth: np.ndarray) -> float:
    return 2 * int((flags & truth).sum()) / max(int(flags.sum()) + int(truth.sum()), 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", type=int, default=[3000, 20000])
    args = parser.parse_args()
    rows = []
    grid = itertools.product(NOISE, args.sizes, (0.02, 0.05, 0.1), (2.0, 4.0), (100, 101, 102))
    for noise, n, rate, mag, seed in grid:
        noisy, pred = make(noise, n, rate, mag, seed)
        res = noisy.labels - pred
        for scale in ("global", "local"):
            u = standardise(res, pred, scale)
            top = np.zeros(n, bool)
            top[np.argsort(-np.abs(u), kind="stable")[: noisy.n_corrupted]] = True
            rows.append((noise, n, rate, mag, seed, scale, "oracle count", f1(top, noisy.is_corrupted)))
            for name, rule in RULES.items():
                rows.append((noise, n, rate, mag, seed, scale, name, f1(rule(u), noisy.is_corrupted)))
    frame = pd.DataFrame(rows, columns=["noise", "n", "rate", "magnitude", "seed", "scale", "rule", "f1"])
    table = frame.pivot_table(index=["scale", "rule"], columns="noise", values="f1", aggfunc="mean")
    table["mean"] = frame.pivot_table(index=["scale", "rule"], values="f1", aggfunc="mean")["f1"]
    table["worst"] = frame.groupby(["scale", "rule"])["f1"].min()
    print(table.round(3).to_string())
    by_rate = frame.pivot_table(index=["scale", "rule"], columns="rate", values="f1", aggfunc="mean")
    print(by_rate.round(3).to_string())


if __name__ == "__main__":
    main()
