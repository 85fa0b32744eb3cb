"""The spill lists (``index="spill"``) as the default index at large n, with the spill chosen per size?

Session 9 (RESULTS.md, issue 11) kept ``index="spill"`` (k-means cells of ``C`` rows, every row
filed in the lists of its ``S`` nearest cells, one BLAS product per cell) as an option: at 100,000
rows it cost about half hnswlib's CPU, but on the dev set ``wide`` (few large isotropic clusters)
its recall@10 with ``S = 8`` was 0.925-0.946 against hnswlib's 0.953, below the absolute floor of
0.99 that hnswlib itself misses there. At 1,000,000 x 64 hnswlib's graph is ~230 s (goal for the
whole run: 180 s) and its recall on the benchmark's data is only 0.81-0.83: hnswlib's recall falls
with n at fixed (M, ef) as well. The question here: with a spill ``S`` that may grow with n, do
the spill lists keep hnswlib's recall *at the same n* for less time? The spill's cost per row is
``S x C`` distances (BLAS products and one ``argpartition``), linear in n at fixed ``S``.

Dev sets of ``dev_hnsw_params`` only (``lowrank``, ``iso``, ``wide``), never the benchmark's
generator or seeds. recall@10 on 2,000 seeded rows against exact search; process CPU seconds of
the whole approximate search (the machine is shared: wall times are rough).

Variants: ``hnswlib`` (the present default pipeline, ``_ann._hnswlib_search``) and
``spill:1024/S`` for ``S`` in 8, 12, 16, 24 (a new k-means seed per run).

The rule, fixed before any variant ran (written 2026-12-01 22:21 UTC):

1. At each size n in 100,000 (``--repeats 2``) and 300,000 (``--repeats 1``: time), on all three
   sets: a spill variant *passes at n* if on every set its mean recall@10 is at least hnswlib's
   mean recall@10 at the same n (same invocation) minus 0.002, and its CPU summed over the sets is
   below hnswlib's.
2. At 1,000,000 rows (``--repeats 1``; sets ``wide`` and ``lowrank``: the hard geometry and the
   one with earlier 1M numbers; ``iso`` too if time allows) the same test, run only for the
   cheapest variant that passed at 300,000 and the next larger ``S`` (hnswlib's 1M recall is the
   one measured here, in the same invocation).
3. Per size, the cheapest (CPU) passing variant is that size's choice. ``index="auto"`` becomes the
   spill lists, with that size's ``S``, for ``n`` in (previous tested size, this size], and for
   every n above 1,000,000 the 1M choice, **only for the sizes from which every larger tested size
   has a choice**; below that, and everywhere if 1M has no choice, ``auto`` stays hnswlib. The
   switch is a size table in the index registry, not a branch.
4. Nothing is chosen on the benchmark's data; its 1M run (the slot) only reports.

Amended at 22:29 UTC, after the 100,000-row ``wide`` set's first repeat and before any other run
(the shared machine was at load average 8-10: one set's repeat took 5 minutes wall): (1) runs with
``--repeats 1`` at 100,000 rows, (1) at 300,000 rows on ``wide`` only (the set where the spill
lists were weakest in session 9), and (2) at 1,000,000 rows on ``wide`` (one build each of
hnswlib and of the spill variants, run in separate processes before 23:08 UTC: recall does not
depend on the load); ``lowrank`` at 1,000,000 rows only if time allows, against session 8's
hnswlib numbers there (0.978-0.980, the present pipeline's code) if hnswlib cannot be re-run.

Usage: ``python benchmarks/dev_spill_scale.py 100000 --sets lowrank,iso,wide``
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dev_hnsw_params as dev  # noqa: E402
import dev_ivf  # noqa: E402

VARIANTS = "hnswlib,spill:1024/8,spill:1024/12,spill:1024/16,spill:1024/24"


def main() -> None:
    dev.variants_main(dev_ivf.one, VARIANTS, dev_ivf.QUERIES)


if __name__ == "__main__":
    main()
