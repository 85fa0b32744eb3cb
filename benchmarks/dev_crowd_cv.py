"""Dev experiment behind CrowdClassifier's default ``cv``: in-sample (the paper) vs out-of-fold E-step.

make_classification data (never the benchmark's tables), 12 simulated annotators (3 good, 5 poor,
4 spammers), 1-3 answers per row; logistic regression, a random forest and gradient boosting;
held-out accuracy and the soft labels' accuracy on the training rows. Session 34 ran seed 0
(gradient boosting in-sample only: it took 600 s on the loaded machine, before the fit put BLAS on
one thread). Usage: python benchmarks/dev_crowd_cv.py [seeds...]
"""

import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from labelwise.robust import CrowdClassifier

warnings.simplefilter("ignore")


def crowd(y, K, rng):
    n = len(y)
    J = 12
    acc = np.r_[np.full(3, 0.85), np.full(5, 0.55), np.full(4, 1.0 / K)]  # good, poor, spammers
    per = rng.integers(1, 4, n)
    rows = np.repeat(np.arange(n), per)
    ann = np.concatenate([rng.choice(J, p, replace=False) for p in per])
    right = rng.random(rows.size) < acc[ann]
    wrong = (y[rows] + rng.integers(1, K, rows.size)) % K
    return pd.DataFrame({"item": rows, "annotator": ann, "label": np.where(right, y[rows], wrong)})


res = []
for seed in [int(a) for a in sys.argv[1:]] or [0]:
    X, y = make_classification(1500, 10, n_informative=6, n_classes=4, n_clusters_per_class=1, random_state=seed)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=seed)
    ans = crowd(ytr, 4, np.random.default_rng(seed))
    for name, est in [
        ("lr", LogisticRegression(max_iter=1000)),
        ("rf", RandomForestClassifier(100, min_samples_leaf=2, random_state=0, n_jobs=1)),
        ("hgb", HistGradientBoostingClassifier(max_iter=50, random_state=0)),
    ]:
        for cv in (None, 3, 5):
            t = time.time()
            m = CrowdClassifier(est, cv=cv, random_state=0, max_iter=20).fit(Xtr, ans)
            res.append(
                (
                    seed,
                    name,
                    cv,
                    (m.predict(Xte) == yte).mean(),
                    (m.posterior_.argmax(1) == ytr).mean(),
                    m.n_iter_,
                    time.time() - t,
                )
            )
            print(res[-1], flush=True)
df = pd.DataFrame(res, columns=["seed", "est", "cv", "test_acc", "train_post_acc", "n_iter", "sec"])
print(df.groupby(["est", "cv"], dropna=False)[["test_acc", "train_post_acc", "n_iter", "sec"]].mean())
