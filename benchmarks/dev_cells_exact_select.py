"""The approximate indexes without hnswlib (``"cells"``, ``"spill"``) on tightly packed and ordinary rows:
recall@10 and time.

Two tables: the out-of-sample predicted probabilities of MNIST's 10,000 test images
(``../shared/data/label_errors/mnist/pred_probs.npy``, from the release of Northcutt, Athalye &
Mueller 2021) as 10 z-scored features (rows packed near the one-hot corners, closer than the float32
error bound of the products), and 50,000 x 32 standard normal rows (seeded). On each,
``_cells.cell_knn`` and ``_spill.spill_knn`` (k = 10, one thread) on the z-scored rows as
``NeighborGraph.build`` passes them (a :class:`StandardizedRows` view): the best wall time of
``--repeat`` runs, recall@10 on 1,000 seeded rows against float64 brute force over the z-scored
float32 rows (a neighbour no farther than the true 10th counts) and a digest of the graph.

Usage: ``OMP_NUM_THREADS=1 PYTHONPATH=<a labelwise src> python benchmarks/dev_cells_exact_select.py
[--data DIR] [--repeat 2] [--tables mnist,gauss]``; run it once per version and compare the lines.
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


def recall_at_k(Z: np.ndarray, idx: np.ndarray, n_rows: int) -> float:
    """Recall@10 against float64 brute force over ``Z`` on ``n_rows`` seeded rows (ties count as found)."""
    Z64 = Z.astype(np.float64)
    rows = np.random.default_rng(0).choice(len(Z), n_rows, replace=False)
    hits = []
    for r in rows:
        diff = Z64 - Z64[r]
        d = np.einsum("ij,ij->i", diff, diff)
        d[r] = np.inf
        hits.append(np.mean(d[idx[r]] <= np.partition(d, K - 1)[K - 1]))
    return float(np.mean(hits))


def one_table(name: str, X: np.ndarray, repeat: int) -> list[dict]:
    from labelwise.checks import _cells, _spill
    from labelwise.checks.graph import StandardizedRows

    view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
    Z = view.materialize()
    out = []
    for index, search in (("cells", _cells.cell_knn), ("spill", _spill.spill_knn)):
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            idx, sq = search(view, K, n_threads=1)
            times.append(time.perf_counter() - start)
        out.append(
            {
                "table": name,
                "index": index,
                "best_s": round(min(times), 2),
                "times": [round(t, 2) for t in times],
                "recall10": round(recall_at_k(Z, idx, SAMPLE), 4),
                "digest": hashlib.sha256(idx.tobytes() + sq.tobytes()).hexdigest()[:16],
            }
        )
        print(json.dumps(out[-1]), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared/data/label_errors/mnist"))
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--tables", default="mnist,gauss")
    args = parser.parse_args()
    tables = args.tables.split(",")
    if "mnist" in tables:
        one_table("MNIST pred_probs 10000x10", np.load(Path(args.data) / "pred_probs.npy"), args.repeat)
    if "gauss" in tables:
        X = np.random.default_rng(0).standard_normal((50_000, 32)).astype(np.float32)
        one_table("gaussian 50000x32", X, args.repeat)


if __name__ == "__main__":
    main()
