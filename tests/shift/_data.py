"""A labelled source split and a prior-shifted target split from one scikit-learn data set."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression


def shifted_problem(target_priors, n_target=3000, seed=0, k=3):
    X, y = make_classification(
        12000,
        8,
        n_informative=5,
        n_redundant=0,
        n_classes=k,
        n_clusters_per_class=1,
        class_sep=1.0,
        random_state=seed,
    )
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(y))
    tr, va, pool = idx[:3000], idx[3000:6000], idx[6000:]
    model = LogisticRegression(max_iter=500).fit(X[tr], y[tr])
    q = np.asarray(target_priors, dtype=float)
    counts = rng.multinomial(n_target, q)
    take = np.concatenate([rng.choice(pool[y[pool] == c], counts[c], replace=True) for c in range(k)])
    true_priors = np.bincount(y[take], minlength=k) / len(take)
    return model, X[va], y[va], X[take], y[take], true_priors
