"""``take_rows`` and ``scatter_add`` (``labelwise._dask_take``) against gather + numpy, and against
another version of the module (``--old PATH``, e.g. ``main``'s file) in alternating runs.

The inputs of issue 12, session 20 (dq20): ``n`` values (normal float64) in ``c`` row chunks, indices
``(n, k)`` uniform in ``[0, n)`` and weights ``(n, k)`` uniform in ``[0, 1)``, both in ``c`` row
chunks, all persisted on the threads scheduler before the timers start. Each round times every
contender once, in turn (the order rotates every round); the table gives the median and the range
over ``--rounds`` rounds. Every result is compared bit for bit: ``take_rows`` with
``values.compute()[idx.compute()]``, ``scatter_add`` with the ``--old`` version's (both are also
compared with ``np.bincount`` to 1e-12: they add in another order). ``--cluster``: on a
``LocalCluster(n_workers=2, threads_per_worker=1, processes=False)`` instead, the inputs persisted
on its workers.

Usage: ``python benchmarks/bench_dask_take.py [--n 1000000] [--k 10] [--chunks 8 32] [--rounds 5]
[--old /work/main/src/labelwise/_dask_take.py] [--cluster]``
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import dask
import dask.array as da
import numpy as np
from _machine import cpu_model

import labelwise
from labelwise import _dask_take


def load_old(path: str) -> Any:
    """The module at ``path`` as ``labelwise._dask_take_old`` (its relative imports resolve in labelwise)."""
    spec = importlib.util.spec_from_file_location("labelwise._dask_take_old", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run(n: int, k: int, c: int, rounds: int, old: Any) -> None:
    rng = np.random.default_rng(0)
    values = da.from_array(rng.normal(size=n), chunks=-(-n // c)).persist()
    idx = da.from_array(rng.integers(0, n, (n, k)), chunks=(-(-n // c), -1)).persist()
    w = da.from_array(rng.random((n, k)), chunks=(-(-n // c), -1)).persist()
    sizes = tuple(int(s) for s in values.chunks[0])
    want_take = values.compute()[idx.compute()]
    want_add = np.bincount(idx.compute().ravel(), w.compute().ravel(), minlength=n)
    contenders: dict[str, Callable[[], Any]] = {
        "take_rows": lambda: _dask_take.take_rows(values, idx).compute(),
        "take: gather + numpy": lambda: values.compute()[idx.compute()],
        "scatter_add": lambda: _dask_take.scatter_add(idx, w, n, sizes).compute(),
        "scatter: gather + np.bincount": lambda: np.bincount(idx.compute().ravel(), w.compute().ravel(), minlength=n),
    }
    if old is not None:
        contenders["take_rows (old)"] = lambda: old.take_rows(values, idx).compute()
        contenders["scatter_add (old)"] = lambda: old.scatter_add(idx, w, n, sizes).compute()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    results: dict[str, Any] = {}
    names = list(contenders)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            seconds, results[name] = timed(contenders[name])
            times[name].append(seconds)
    for name in ("take_rows", "take_rows (old)"):
        if name in results:
            assert results[name].dtype == want_take.dtype and np.array_equal(results[name], want_take), name
    for name in ("scatter_add", "scatter_add (old)"):
        if name in results:
            np.testing.assert_allclose(results[name], want_add, rtol=1e-12, atol=1e-12)
    same_bits = "n/a"
    if old is not None:
        same_bits = str(results["scatter_add"].tobytes() == results["scatter_add (old)"].tobytes())
    print(f"\n{n:.0e} x {k}, {c} x {c} chunks; scatter_add bit-equal to --old: {same_bits}")
    print("| what | median s | range s |\n|---|---|---|")
    for name in names:
        print(f"| {name} | {statistics.median(times[name]):.3f} | {min(times[name]):.3f}-{max(times[name]):.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--chunks", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--old", default=None, help="another _dask_take.py to time alternately")
    parser.add_argument("--cluster", action="store_true", help="a LocalCluster of 2 one-thread workers")
    args = parser.parse_args()
    old = load_old(args.old) if args.old else None
    print(
        f"{cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, dask {dask.__version__}, "
        f"labelwise from {labelwise.__file__}; {'LocalCluster 2 x 1 thread' if args.cluster else 'threads scheduler'}"
    )
    with contextlib.ExitStack() as stack:
        if args.cluster:
            from distributed import Client, LocalCluster

            cluster = stack.enter_context(
                LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
            )
            stack.enter_context(Client(cluster))
        else:
            stack.enter_context(dask.config.set(scheduler="threads"))
        for c in args.chunks:
            run(args.n, args.k, c, args.rounds, old)


if __name__ == "__main__":
    main()
