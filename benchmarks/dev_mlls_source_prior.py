"""Simulated data only: MLLS's E-step source priors, the mean validation posterior (labelwise's default,
Alexandari et al. 2020) or the validation label frequencies (Saerens et al. 2002 as written), on
overconfident posteriors without calibration. (Session 48.)

Per seed: 3 Gaussian classes in 5 dimensions, source and target priors drawn from Dirichlet(3, 3, 3),
2,000 validation and 2,000 target rows, the Bayes posterior under the source priors with its logits
doubled (overconfident). Prints the mean and median L1 error of the target priors for each choice.

Usage: python benchmarks/dev_mlls_source_prior.py
"""

from __future__ import annotations

import numpy as np

from labelwise.shift.mlls import em_priors


def main() -> int:
    errors: dict[str, list[float]] = {"posterior": [], "labels": []}
    for seed in range(20):
        rng = np.random.default_rng(seed)
        k = 3
        source, target = rng.dirichlet(np.ones(k) * 3), rng.dirichlet(np.ones(k) * 3)
        means = rng.normal(size=(k, 5)) * 1.2

        def draw(priors, n, rng=rng, means=means):
            y = rng.choice(k, n, p=priors)
            return means[y] + rng.normal(size=(n, 5)), y

        def posterior(X, source=source, means=means):
            logit = 2.0 * (-0.5 * ((X[:, None, :] - means[None]) ** 2).sum(-1) + np.log(source))
            p = np.exp(logit - logit.max(axis=1, keepdims=True))
            return p / p.sum(axis=1, keepdims=True)

        Xv, yv = draw(source, 2000)
        Xt, yt = draw(target, 2000)
        vp, tp = posterior(Xv), posterior(Xt)
        truth = np.bincount(yt, minlength=k) / len(yt)
        for name, ps in (("posterior", vp.mean(axis=0)), ("labels", np.bincount(yv, minlength=k) / len(yv))):
            q, _ = em_priors(tp, ps)
            errors[name].append(float(np.abs(q - truth).sum()))
    for name, err in errors.items():
        print(f"{name:9s} mean L1 {np.mean(err):.4f} median {np.median(err):.4f}")
    wins = sum(a < b for a, b in zip(errors["posterior"], errors["labels"], strict=True))
    print(f"mean posterior nearer the truth in {wins} of 20")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
