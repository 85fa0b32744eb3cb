"""Insert hnswlib's rows in rounds, cell by cell within each round: a cheaper build at the same recall?

Session 6 (RESULTS.md, issue 11) found that inserting the rows cell by cell halves the graph's CPU
(consecutive insertions search the same region of the index, which stays in cache, and the rows
of a cell lie together in the index's memory), but loses recall: a cell is inserted whole while
the cells around it hold only a random prefix of their rows. Here every row is given a seeded
random round (``R`` rounds of ``n / R`` rows); round by round, the round's rows are inserted cell
by cell (the pivot cells of ``_ann.pivot_cells``, the same cells as the query order), in random
order within a cell. After each round the index holds a uniform random share of the rows, as with
a random insertion order, so the graph should grow as it does now; within a round the insertions
are local. ``R = n`` is the present random order, ``R = 1`` pure cell order.

Dev sets of ``dev_hnsw_params`` only (``lowrank``, ``iso``), never the benchmark's generator.
Variants: ``random`` (the present default: a seeded random insertion order), ``rounds:R``; every
variant is queried cell by cell (``_ann.locality_order``) with the whole ``search_index`` (first
search, exact re-scoring, second search). recall@10 on 2,000 rows against exact search; process CPU
seconds of making the order, the build and the search (the machine is shared: wall times rough).

The rule, fixed before any variant ran:

1. At 100,000 rows, ``--repeats 2``: a variant passes if its recall@10 is at least 0.99 in every
   repeat on both sets and its mean recall is at most 0.002 below ``random``'s on each set.
2. Of those that pass, the one with the least graph CPU (order + build + search, summed over both
   sets and the repeats) is the candidate, if it saves at least 15% of ``random``'s CPU (else
   nothing is kept).
3. At 300,000 rows (``--repeats 2``), the candidate's mean recall must be at most 0.002 below
   ``random``'s on each set. If it is not, the next cheapest variant that passed (1) and (2) is
   checked the same way, once; if that fails too, nothing is kept.

Usage: ``python benchmarks/dev_insertion_rounds.py 100000 --variants random,rounds:2,rounds:4,rounds:8,rounds:16``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dev_hnsw_params as dev  # noqa: E402

K = 10
QUERIES = 2000


def one(view, variant: str) -> tuple[np.ndarray, dict[str, tuple[float, float]]]:
    from labelwise.checks import _ann

    times = {}
    clock = time.perf_counter(), time.process_time()
    if variant == "random":
        insert = _ann.insertion_order(view.shape[0], 0)
    else:
        cells = _ann.pivot_cells(view, random_state=0)
        rounds = int(variant.split(":")[1])  # session 7's rounds: the first one cell by cell too
        insert = _ann.insertion_order(view.shape[0], 0, cells=cells, rounds=rounds, random_first=False)
    query = _ann.locality_order(view)
    times["order"] = time.perf_counter() - clock[0], time.process_time() - clock[1]
    clock = time.perf_counter(), time.process_time()
    index = _ann.build_index(view, order=insert)
    times["build"] = time.perf_counter() - clock[0], time.process_time() - clock[1]
    clock = time.perf_counter(), time.process_time()
    idx = _ann.search_index(index, view, K, order=query)[0]
    times["search"] = time.perf_counter() - clock[0], time.process_time() - clock[1]
    return idx, times


def main() -> None:
    dev.variants_main(one, "random,rounds:2,rounds:4,rounds:8,rounds:16", QUERIES)


if __name__ == "__main__":
    main()
