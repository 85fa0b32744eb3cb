"""Diagnosis for ``dev_weak_labeler_strength.py`` (issue 15, part 2, session 23): which strength each
labeler gets, against its true accuracy (exploratory, after the rule run; nothing is chosen on it).

Per dense and pair dev crowd: the per-labeler strengths ``s_j`` of the last refit, their median
in the top accuracy quartile, the bottom quartile and the middle half, and the correlation of
``log s_j`` with the labeler's accuracy on the items it answered. Needs the switch, which left
``src``: run it with the ``src/labelwise/weak`` of commit 53f2284 (branch weak23)::

    OMP_NUM_THREADS=1 python benchmarks/dev_weak_labeler_strength_diag.py
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_pair_check import sets  # noqa: E402

from labelwise.weak import LabelModel, _em  # noqa: E402


def main() -> None:
    if not hasattr(_em, "LABELER_STRENGTH"):
        sys.exit("the per-labeler strength left src: run it on src/labelwise/weak of commit 53f2284 (branch weak23)")
    calls: list = []
    estimate = _em.labeler_strengths

    def spy(counts: np.ndarray, groups: list, mean: np.ndarray, strength: float) -> np.ndarray:
        out = estimate(counts, groups, mean, strength)
        calls.append((groups, out))
        return out

    _em.labeler_strengths = spy
    _em.LABELER_STRENGTH = True
    for family, name, votes, truth in sets(["dense", "pair"]):
        matrix = votes.matrix()
        k = len(votes.classes)
        g = pd.Index(votes.classes).get_indexer(truth.reindex(votes.items).to_numpy())
        calls.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            LabelModel(labels=list(range(k))).fit(matrix)
        if not calls:
            print(f"{name:28s} no MAP refit")
            continue
        groups, strengths = calls[-1]
        rows = []
        for gi, members in enumerate(groups):
            if len(members) == 1:
                j = members[0]
                ok = (matrix[:, j] >= 0) & (g >= 0)
                rows.append((strengths[gi], int((matrix[:, j] >= 0).sum()), np.mean(matrix[ok, j] == g[ok])))
        d = pd.DataFrame(rows, columns=["s", "n", "acc"]).dropna()
        good, bad = d.acc >= d.acc.quantile(0.75), d.acc <= d.acc.quantile(0.25)
        print(
            f"{family:6s} {name:28s} s_j median {d.s.median():6.2f}; top quartile {d.s[good].median():6.2f}"
            f" (votes {d.n[good].median():.0f}), middle {d.s[~good & ~bad].median():6.2f},"
            f" bottom {d.s[bad].median():6.2f}; corr(log s_j, accuracy) {np.corrcoef(np.log(d.s), d.acc)[0, 1]:+.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
