"""Rows sorted by cluster: does inserting them into hnswlib in row order lose recall?

And does a seeded random insertion order (``labelwise.checks._ann.insertion_order``, the default
since issue 11, session 6) restore it at no extra build cost on data already in random order? Dev
generators only (``dev_hnsw_params``: ``lowrank``, ``iso``), never the benchmark's. "sorted" puts the
rows cell by cell (``_ann.locality_order`` with another seed), as data sorted by class or by time
would be; recall@10 on 1,000 rows against exact search.

Usage: ``python benchmarks/dev_insertion_order.py 100000 iso,lowrank``
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import dev_hnsw_params as dev  # noqa: E402


def main() -> None:
    from labelwise.checks import _ann
    from labelwise.checks.graph import StandardizedRows

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    sets = sys.argv[2].split(",") if len(sys.argv) > 2 else ["iso", "lowrank"]
    print(f"load average at start {os.getloadavg()}", flush=True)
    for name in sets:
        generated = getattr(dev, name)(n)
        for data in ("as generated", "sorted"):
            X = generated
            if data == "sorted":
                view = StandardizedRows.fit(generated, metric="euclidean", standardize=True)
                X = generated[_ann.locality_order(view, random_state=5)]
            q = np.random.default_rng(0).choice(n, 1000, replace=False)
            true = dev.truth(dev.standardise(X), q)
            view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
            for insert in ("rows", "random"):
                order = None if insert == "rows" else _ann.insertion_order(n, 0)
                wall, cpu = time.perf_counter(), time.process_time()
                index = _ann.build_index(view, order=order)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                idx = _ann.search_index(index, view, dev.K, order=_ann.locality_order(view))[0]
                recall = np.mean([len(set(idx[i]) & set(true[j])) / dev.K for j, i in enumerate(q)])
                print(
                    f"{name} {data:12s} insert={insert:6s} recall@10={recall:.4f} build {wall:.1f} s wall, {cpu:.1f} s CPU"
                )


if __name__ == "__main__":
    main()
