"""Dev check of RASA's / HRRASA's default ``skill_floor`` (session 39, fix39), on simulated vectors only.

The rule, written before the run: the relative floor becomes an estimator's default if, on
``simulate_vector_answers`` (seeds 0-9; 40 items x 8 annotators and 200 x 8, dim 6), the mean
squared error of the aggregated vectors to the truth, averaged over the seeds, is not worse than
the absolute floor's (crowd-kit's 1e-5) by more than 1 % at either size; else that estimator keeps
the absolute floor by default. HRRASA is run with ``lambda_emb=1`` (vectors only). Also printed:
how many annotators end at the floor and the median of the largest reliability.

Usage::

    PYTHONPATH=src python benchmarks/dev_skill_floor.py
"""

from __future__ import annotations

import numpy as np
from _machine import machine_line

from labelwise.aggregate import HRRASA, RASA
from labelwise.aggregate._embed_simulate import simulate_vector_answers

FLOORS = ("relative", "absolute")


def run(n_items: int, cls: type, extra: dict) -> str:
    err: dict[str, list[float]] = {f: [] for f in FLOORS}
    floored = dict.fromkeys(FLOORS, 0)
    top: dict[str, list[float]] = {f: [] for f in FLOORS}
    for seed in range(10):
        sim = simulate_vector_answers(n_items, 8, dim=6, random_state=seed)
        for floor in FLOORS:
            m = cls(skill_floor=floor, **extra).fit(sim.answers, sim.embeddings)
            diff = m.embeddings_ - sim.truth[m.items_.to_numpy()]
            err[floor].append(float(np.mean(np.sum(diff**2, axis=1))))
            floored[floor] += int(m.skill_floored_.sum())
            top[floor].append(float(m.annotator_skill_.max()))
    rel, ab = np.mean(err["relative"]), np.mean(err["absolute"])
    verdict = "passes" if rel <= 1.01 * ab else "fails"
    return (
        f"{cls.__name__} n={n_items}: mse relative {rel:.5f} absolute {ab:.5f} ratio {rel / ab:.4f} ({verdict}); "
        f"annotators at the floor {floored}; median largest skill relative {np.median(top['relative']):.4g} "
        f"absolute {np.median(top['absolute']):.4g}"
    )


if __name__ == "__main__":
    print(machine_line("scikit-learn"))
    for n in (40, 200):
        for cls, extra in ((RASA, {}), (HRRASA, {"lambda_emb": 1.0})):
            print(run(n, cls, extra))
