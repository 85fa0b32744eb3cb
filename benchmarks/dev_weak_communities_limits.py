"""Dev diagnosis: how much of the crowd prior's cost on dense crowds a community prior can win back (issue 15, session 12).

Exploratory, on the 14 dense crowds of ``dev_weak_dense_crowds.py`` only (dev seeds 0 and 1); no
rule, nothing chosen on it but the decision to write the second variant of
``dev_weak_communities.py`` (full confusion matrices), which the RESULTS section discloses. Per set,
``weak.LabelModel`` accuracy (points) with:

* ``s8``: the crowd prior (the default); ``s0``: no prior (``prior_strength=0``);
* ``c2``: the first variant, one-coin communities (``communities=2``);
* ``own``: every worker its own one-coin community at its own expected accuracy (the limit of any
  one-coin community prior: the prior's mean moves, its shape stays one-coin);
* ``full``: CBCC-like full K x K communities, the crowd fixed and two learned, ten community steps
  from a fixed start per M-step (the exploratory form of the second variant);
* ``ownfull``: every worker its own full confusion (its expected counts) as its prior mean.

Every variant keeps ``prior_strength=8`` pseudo-votes per row except ``s0``. It needs the first
variant's module: run it at commit 84817da (branch weak14), e.g. ``git worktree add /tmp/c 84817da``::

    PYTHONPATH=/tmp/c/src python benchmarks/dev_weak_communities_limits.py
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys
import warnings
from pathlib import Path

import numpy as np
from scipy.special import gammaln

sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_pair_check import sets  # noqa: E402

from labelwise.weak import LabelModel  # noqa: E402

try:
    import labelwise.weak._communities as cm  # noqa: E402
except ImportError:
    sys.exit(
        "the community prior left src (not adopted): its result is in benchmarks/RESULTS.md, session 12 (weak), "
        '"a mixture of worker communities as the crowd prior (CBCC)"; to rerun it, run this script at commit '
        "84817da (branch weak14)"
    )


def own_one_coin(right, wrong, crowd, strength, n_communities, k):
    """Every worker its own one-coin community at its own expected accuracy."""
    a = cm._clip(right.sum(1) / np.maximum(right.sum(1) + wrong.sum(1), 1e-6), k)
    return a, np.ones(len(a)) / len(a), np.eye(len(a))


def full_communities(self, data, n_communities=3):
    """Full K x K communities: the crowd's one-coin matrix fixed, the others learned."""
    k, s = self.k, self.strength
    n = np.transpose(data[self.cols], (0, 2, 1))  # (J, y, a)
    crowd = np.full((k, k), (1 - self.crowd) / (k - 1))
    np.fill_diagonal(crowd, self.crowd)
    accs = np.linspace(1.0 / k + 0.1 * (1 - 1.0 / k), 0.99, n_communities + 1)[1:]
    m = np.array([crowd] + [np.where(np.eye(k, dtype=bool), a, (1 - a) / (k - 1)) for a in accs[: n_communities - 1]])
    log_pi = np.full(n_communities, -np.log(n_communities))
    for _ in range(cm.COMMUNITY_STEPS):
        alpha = s * m
        log_r = (gammaln(alpha[None] + n[:, None]) - gammaln(alpha[None])).sum(axis=(2, 3)) + log_pi
        log_r -= log_r.max(1, keepdims=True)
        r = np.exp(log_r)
        r /= r.sum(1, keepdims=True)
        mass = r.sum(0)
        log_pi = np.log(np.maximum(mass / mass.sum(), 1e-6))
        pooled = np.einsum("jc,jya->cya", r[:, 1:], n) + 0.01
        m[1:] = np.clip(pooled / pooled.sum(2, keepdims=True), 0.005, None)
        m[1:] /= m[1:].sum(2, keepdims=True)
    out = self.base.copy()
    out[self.cols] = s * np.transpose(np.einsum("jc,cya->jya", r, m), (0, 2, 1))
    return out


def own_full(self, data):
    """Every worker its own full confusion (expected counts + 0.01) as its prior mean."""
    n = np.transpose(data[self.cols], (0, 2, 1)) + 0.01
    out = self.base.copy()
    out[self.cols] = self.strength * np.transpose(n / n.sum(2, keepdims=True), (0, 2, 1))
    return out


def main() -> None:
    warnings.simplefilter("ignore")
    call, fit_communities = cm.CommunityPrior.__call__, cm.fit_communities
    variants = {
        "s8": ({}, call, fit_communities),
        "s0": ({"prior_strength": 0.0}, call, fit_communities),
        "c2": ({"communities": 2}, call, fit_communities),
        "own": ({"communities": 2}, call, own_one_coin),
        "full": ({"communities": 2}, full_communities, fit_communities),
        "ownfull": ({"communities": 2}, own_full, fit_communities),
    }
    scores: dict[str, list[float]] = {v: [] for v in variants}
    for _, name, votes, truth in sets(["dense"]):
        g = truth.reindex(votes.items).to_numpy()
        row = {}
        for v, (params, prior_call, fit) in variants.items():
            cm.CommunityPrior.__call__, cm.fit_communities = prior_call, fit
            model = LabelModel(**params).fit(votes)
            row[v] = round(100 * float(np.mean(model.labels_.to_numpy() == g)), 2)
            scores[v].append(row[v])
        print(name, row, flush=True)
    print("mean:", {v: round(float(np.mean(s)), 3) for v, s in scores.items()})


if __name__ == "__main__":
    main()
