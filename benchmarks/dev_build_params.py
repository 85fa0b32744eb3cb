"""A cheaper hnswlib build for the checks' graph, its recall paid back by a random first round?

Session 7 (RESULTS.md, issue 11) inserts the rows in 16 seeded random rounds, cell by cell within
a round (``_ann.insertion_order``). Two leads it left, tested together here:

- **A random first round**: the first round (``n / 16`` rows) is itself inserted in pure cell
  order, and it lays out the index's long links; at 1M rows the rounds lost 0.003-0.005 recall
  on ``lowrank``. Variants marked ``F`` insert the first round in the permutation's own (random)
  order, the later rounds cell by cell as now.
- **A cheaper (M, ef_construction)**: the build is two thirds of the 100k graph's time and scales
  about with ``ef_construction`` (and with ``M``, the links each insertion scores and keeps).

Dev sets of ``dev_hnsw_params`` only (``lowrank``, ``iso``), never the benchmark's generator.
Every variant runs labelwise's whole pipeline: pivot cells, insertion order, ``build_index``,
``search_index`` (cell-by-cell queries, first search, exact re-scoring, second search). recall@10
on 2,000 rows against exact search; process CPU seconds of order + build + search (the machine is
shared: wall times are rough).

Variants are ``M/efC/ef`` with an optional ``F`` (random first round), e.g. ``16/100/64`` (the
present pipeline), ``16/64/64F``.

The rule, fixed before any variant ran (session 7's, with its repeats):

1. At 100,000 rows, ``--repeats 2``: a variant passes if its recall@10 is at least 0.99 in every
   repeat on both sets and its mean recall is at most 0.002 below the present pipeline's
   (``16/100/64``) on each set.
2. Of those that pass, the one with the least graph CPU (order + build + search, summed over both
   sets and the repeats) is the candidate, if it saves at least 15% of the present pipeline's
   CPU (else nothing is kept).
3. At 300,000 rows (``--repeats 2``), the candidate's mean recall must be at most 0.002 below the
   present pipeline's on each set. If it is not, the next cheapest variant that passed (1) and
   (2) is checked the same way, once; if that fails too, nothing is kept.

Added after the 100,000-row grid (no cheaper build passed (1): every ``efC`` 64 or 48 and ``M``
12 variant fell below 0.99 in a repeat or more than 0.002 below on ``iso``), before any run at
300,000 rows: the random first round alone (``16/100/64F``, the present parameters) passed (1)
with a higher mean recall on both sets and saves nothing, so it is judged as a recall change:

4. At 300,000 rows (``--repeats 2``), ``16/100/64F`` is kept if its mean recall is at most 0.002
   below the present pipeline's on neither set and at least 0.002 above it on one set, and its
   graph CPU (summed over both sets and the repeats) is at most 5% above the present's.
   A 1,000,000-row ``lowrank`` pair (one build each) is reported, not used.

Usage: ``python benchmarks/dev_build_params.py 100000 --variants 16/100/64,16/100/64F,16/64/64F``
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
PRESENT = "16/100/64"


def parse(variant: str) -> tuple[int, int, int, bool]:
    """``M/efC/ef[F]`` as (M, ef_construction, ef, random first round)."""
    first = variant.endswith("F")
    M, efc, ef = (int(v) for v in variant.rstrip("F").split("/"))
    return M, efc, ef, first


def order(view, first_random: bool) -> np.ndarray:
    """The library's insertion order; with ``first_random``, its first round in the permutation's order.

    (The runs of RESULTS.md, session 8, made the random first round in this script, by giving the
    first round's rows one cell; ``insertion_order(random_first=True)`` is the same order.)
    """
    from labelwise.checks import _ann

    cells = _ann.pivot_cells(view, random_state=0)
    return _ann.insertion_order(view.shape[0], 0, cells=cells, random_first=first_random)


def one(view, variant: str) -> tuple[np.ndarray, dict[str, tuple[float, float]]]:
    from labelwise.checks import _ann

    M, efc, ef, first = parse(variant)
    times = {}
    clock = time.perf_counter(), time.process_time()
    insert = order(view, first)
    query = _ann.locality_order(view)
    times["order"] = time.perf_counter() - clock[0], time.process_time() - clock[1]
    clock = time.perf_counter(), time.process_time()
    index = _ann.build_index(view, order=insert, M=M, ef_construction=efc)
    times["build"] = time.perf_counter() - clock[0], time.process_time() - clock[1]
    clock = time.perf_counter(), time.process_time()
    idx = _ann.search_index(index, view, K, order=query, ef=ef)[0]
    times["search"] = time.perf_counter() - clock[0], time.process_time() - clock[1]
    return idx, times


def main() -> None:
    dev.variants_main(one, f"{PRESENT},16/100/64F,16/64/64F,16/48/64F,12/64/64F,16/64/64", QUERIES)


if __name__ == "__main__":
    main()
