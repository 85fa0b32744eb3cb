"""Dev probe (issue 16): auto's kNN family with and without a learned metric, on dev seeds only.

The reported penguins shortfall (seed 2, class-conditional 5%) comes from kNN neighbourhoods shaped
by label-free columns (``sex``, ``year``; benchmarks/RESULTS.md, session 22). This probe asks
whether a learned metric, neighbourhood components analysis (Goldberger, Roweis, Hinton &
Salakhutdinov, NIPS 2004; scikit-learn's ``NeighborhoodComponentsAnalysis``) before the same kNN,
gives the kNN better out-of-fold probabilities and flags. kNN alone, out of fold on labelwise's
folds, audited by :func:`labelwise.find_label_issues`; dev seeds 200-219, never the reported 0-2.

    OMP_NUM_THREADS=1 python benchmarks/dev_auto_knn_metric.py penguins iris wine breast_cancer
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
import pandas as pd
from bench_default_model import f1, flip, load_tables

warnings.filterwarnings("ignore")


def knn_run(frame, roles, noisy, truth, k, seed, learned_metric):
    """F1 of the flagged set, log loss and seconds of the kNN family's out-of-fold probabilities."""
    from sklearn.metrics import log_loss
    from sklearn.neighbors import NeighborhoodComponentsAnalysis
    from sklearn.pipeline import Pipeline

    import labelwise as lw
    from labelwise.models import FAMILIES

    pipe = FAMILIES["knn"].build(roles, seed)
    if learned_metric:
        nca = NeighborhoodComponentsAnalysis(random_state=seed, max_iter=50)
        pipe = Pipeline([pipe.steps[0], ("nca", nca), pipe.steps[1]])
    t0 = time.perf_counter()
    probs = lw.out_of_fold_probs(pipe, frame, noisy, random_state=seed, verbose=False)
    seconds = time.perf_counter() - t0
    clipped = np.clip(probs, 1e-6, 1.0)
    clipped /= clipped.sum(axis=1, keepdims=True)
    flagged = lw.find_label_issues(noisy, probs).is_issue
    return f1(flagged, truth), log_loss(noisy, clipped, labels=range(k)), seconds


def main(names: list[str]) -> None:
    from labelwise.columns import infer_column_roles

    tables = load_tables()
    rows = []
    for name in names:
        features, labels = tables[name]
        _, codes = np.unique(labels.astype(str), return_inverse=True)
        k = int(codes.max()) + 1
        frame = features.reset_index(drop=True)
        roles = infer_column_roles(frame)
        for seed in range(200, 220):
            for kind in ("uniform", "class_conditional"):
                for rate in (0.05, 0.1):
                    noisy = flip(codes, k, rate, kind, seed)
                    truth = noisy != codes
                    plain = knn_run(frame, roles, noisy, truth, k, seed, False)
                    learned = knn_run(frame, roles, noisy, truth, k, seed, True)
                    rows.append((name, seed, kind, rate, *plain, *learned))
                    print(rows[-1], flush=True)
    cols = ["table", "seed", "kind", "rate", "f1_knn", "ll_knn", "t_knn", "f1_nca", "ll_nca", "t_nca"]
    runs = pd.DataFrame(rows, columns=cols)
    print(runs.groupby("table")[["f1_knn", "f1_nca", "ll_knn", "ll_nca", "t_knn", "t_nca"]].mean().round(4))


if __name__ == "__main__":
    main(sys.argv[1:] or ["penguins", "iris", "wine", "breast_cancer"])
