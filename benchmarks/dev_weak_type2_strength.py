"""Dev runs: the crowd prior's strength by empirical Bayes in ``weak.LabelModel`` (issue 15, part 2, session 11).

Exploratory, and **no rule was committed before it ran**: written to see whether the strength
that the hierarchical Dawid-Skene model's marginal likelihood prefers (``weak._strength``,
``weak._em.STRENGTH = "type2"``: Minka 2000's Dirichlet-multinomial evidence of every function's
expected vote counts per class, alternated with the MAP fit; Kim and Ghahramani 2012, Paun et al.
2018) is weaker on the dense crowds where ``dev_weak_losses.py`` finds the label model behind
crowd-kit's maximum-likelihood Dawid-Skene. It is not (4-19 pseudo-votes there, 10-19 at K = 2)
and it runs to the search's bound (10,000) on the batch and slot crowds and loses up to 5.8 points
on sparse crowds, so it was dropped without a rule run (benchmarks/RESULTS.md, issue 15, session
11). Per set: accuracy (points) and CPU seconds with the fixed strength 8 and with the estimate,
and the estimates of the successive refits::

    python benchmarks/dev_weak_type2_strength.py [clique dense pair lookalike]

It needs the variant, which left ``src`` again: run it at commit 55ac665 (branch weak13, the commit
that added it), e.g. ``git worktree add /tmp/t2 55ac665``.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_pair_check import sets  # noqa: E402

import labelwise.weak._em as em_mod  # noqa: E402
from labelwise.weak import LabelModel  # noqa: E402


def main() -> None:
    if not hasattr(em_mod, "STRENGTH"):
        sys.exit("the empirical-Bayes strength left src: run this script at the commit that added it")
    estimates: list[float] = []
    estimate = em_mod.type2_strength

    def recorded(counts, mean):
        s = estimate(counts, mean)
        estimates.append(round(s, 2))
        return s

    em_mod.type2_strength = recorded
    warnings.simplefilter("ignore")
    for family, name, votes, truth in sets(sys.argv[1:] or ["clique", "dense", "pair", "lookalike"]):
        g = truth.reindex(votes.items).to_numpy()
        out = {}
        for variant in ("fixed", "type2"):
            em_mod.STRENGTH = variant
            estimates.clear()
            start = time.process_time()
            model = LabelModel().fit(votes)
            out[variant] = (
                round(100 * float(np.mean(model.labels_.to_numpy() == g)), 3),
                round(time.process_time() - start, 3),
            )
        print(family, name, out, estimates, flush=True)


if __name__ == "__main__":
    main()
