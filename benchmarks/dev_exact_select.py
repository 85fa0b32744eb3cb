"""The exact neighbour search on tightly packed rows and on ordinary rows: recall, exactness, time.

Two tables: the out-of-sample predicted probabilities of MNIST's 10,000 test images
(``../shared/data/label_errors/mnist/pred_probs.npy``, from the release of Northcutt, Athalye &
Mueller 2021) as 10 z-scored features (rows packed near the one-hot corners: true squared
10th-neighbour distances of about 1e-11, far below the float32 error bound of the products), and
20,000 x 32 standard normal rows (seeded). On each, ``graph.exact_knn(Z, 10)`` on the z-scored
float32 rows: the best wall time of ``--repeat`` runs, recall@10 and the share of rows whose list is
brute force's exactly (indices by (distance, row)) on 1,000 seeded rows against float64 brute force
over the same float32 rows, and a digest of the whole graph (indices and distance bits) to compare
two versions of the library. Where the library has ``checks._exact_select``, the rows whose
candidates were in doubt (re-scored over their band) are counted too.

Usage: ``PYTHONPATH=<a labelwise src> python benchmarks/dev_exact_select.py [--data DIR] [--repeat 3]``;
run it once per version (e.g. a worktree of the earlier commit) and compare the lines.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

SAMPLE = 1000
K = 10


def brute_force_check(Z: np.ndarray, idx: np.ndarray, n_rows: int) -> tuple[float, float]:
    """Recall@10 (a neighbour no farther than the true 10th counts) and the share of rows whose
    list equals float64 brute force's by (distance, row), on ``n_rows`` seeded rows."""
    Z64 = Z.astype(np.float64)
    rows = np.random.default_rng(0).choice(len(Z), n_rows, replace=False)
    hits, same = [], []
    for r in rows:
        diff = Z64 - Z64[r]
        d = np.einsum("ij,ij->i", diff, diff)
        d[r] = np.inf
        order = np.lexsort((np.arange(len(d)), d))[:K]
        hits.append(np.mean(d[idx[r]] <= d[order[-1]]))
        same.append(bool((idx[r] == order).all()))
    return float(np.mean(hits)), float(np.mean(same))


def one_table(name: str, X: np.ndarray, repeat: int) -> dict:
    from labelwise.checks import graph
    from labelwise.checks.graph import StandardizedRows

    Z = StandardizedRows.fit(X, metric="euclidean", standardize=True).materialize()
    doubt = count_doubt()
    times = []
    for _ in range(repeat):
        if doubt:
            doubt["rows"] = 0
        start = time.perf_counter()
        idx, sq = graph.exact_knn(Z, K)
        times.append(time.perf_counter() - start)
    recall, same = brute_force_check(Z, idx, SAMPLE)
    digest = hashlib.sha256(idx.tobytes() + sq.tobytes()).hexdigest()[:16]
    return {
        "table": name,
        "rows": Z.shape[0],
        "d": Z.shape[1],
        "best_s": min(times),
        "times": [round(t, 2) for t in times],
        "recall10": recall,
        "same_as_brute": same,
        "rows_in_doubt": doubt.get("rows"),
        "digest": digest,
    }


def count_doubt() -> dict:
    """Counts the rows ``_exact_select`` re-scores over their band (nothing on a version without it)."""
    seen: dict = {}
    try:
        from labelwise.checks import _exact_select
    except ImportError:
        return seen
    band_best = _exact_select._band_best

    def counted(*args, **kwargs):
        seen["rows"] = seen.get("rows", 0) + 1
        return band_best(*args, **kwargs)

    _exact_select._band_best = counted  # type: ignore[assignment]
    seen["rows"] = 0
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/label_errors/mnist"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["mnist", "gaussian"], help="one table")
    args = parser.parse_args()
    import labelwise

    print(f"labelwise from {Path(labelwise.__file__).parent}")
    tables = {
        "mnist pred_probs": lambda: np.load(args.data / "pred_probs.npy"),
        "gaussian 20k x 32": lambda: np.random.default_rng(0).normal(size=(20_000, 32)),
    }
    for name, X in tables.items():
        if args.only and not name.startswith(args.only):
            continue
        print(json.dumps(one_table(name, X(), args.repeat)))


if __name__ == "__main__":
    main()
