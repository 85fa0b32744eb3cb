"""Dawid-Skene on Dask with its dependence checks, a source tree against another in one run.

``python benchmarks/bench_aggregate.py --dask [--before OLD/src] [--large-answers N] [--scheduler sync|cluster]``
calls :func:`run_dask`: it runs this file as a script once per source tree (a fresh process each,
``labelwise`` imported from that tree) on the same simulated crowd: ``simulate_sparse_crowd`` with
``N // 10`` items (10 answers each, K=3, ``N // 1000`` annotators, seed 0), plus a copy of its
heaviest annotator (a copied pair) and four copies of its third heaviest, each answer of a copy
redrawn with probability 0.1 (a ring of five accounts): about ``N`` answers. Each process fits
``DawidSkene()`` (the pair check and its triad gate), ``DawidSkene(dependency_triad=False)`` and
``DawidSkene(dependency_rings=True)`` in memory and with ``labelwise.aggregate.distributed.fit``
on 8 partitions (the synchronous scheduler, timed by wall and the process's CPU; or ``cluster``: a
``LocalCluster`` of two single-threaded worker processes, wall only: the CPU column is then the
client's and scheduler's process alone), and writes the timings, the stage timings, each Dask fit's
peak resident memory (this process, which holds the client and a ``LocalCluster``'s scheduler, and
each worker: Linux's ``VmHWM``, reset before the fit), what each found and whether the Dask fit gives
the in-memory labels and posteriors.
The parent prints both trees side by side, the ratio, the load and the machine line.

Make a copy of an older tree with ``git archive <commit> src | tar -x -C /tmp/before``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

MODES = {
    "default": {},
    "triad off": {"dependency_triad": False},
    "rings": {"dependency_rings": True},
}


def simulate(n_answers: int) -> pd.DataFrame:
    """The crowd of the module docstring (string annotator ids)."""
    from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd

    n_items = n_answers // 10
    crowd = simulate_sparse_crowd(n_items, 3, max(n_answers // 1000, 20), answers_per_item=10, random_state=0)
    answers = crowd.answers.astype({"annotator": str})
    heavy = answers["annotator"].value_counts().index
    rng = np.random.default_rng(1)
    copies = [answers[answers["annotator"] == heavy[0]].assign(annotator=f"{heavy[0]}_copy")]
    ring = answers[answers["annotator"] == heavy[2]]
    for c in range(1, 5):
        labels = ring["label"].to_numpy().copy()
        redraw = rng.random(len(labels)) < 0.1
        labels[redraw] = rng.integers(0, 3, int(redraw.sum()))
        copies.append(ring.assign(annotator=f"{heavy[2]}_ring{c}", label=labels))
    return pd.concat([answers, *copies], ignore_index=True)


def worker(out: Path, n_answers: int, scheduler: str, modes: list[str]) -> None:
    """Fit every mode in memory and on Dask with the ``labelwise`` on ``sys.path``; write ``dask.json``."""
    import dask
    import dask.dataframe as dd

    from labelwise.aggregate import DawidSkene, distributed

    answers = simulate(n_answers)
    ddf = dd.from_pandas(answers, npartitions=8)
    res: dict = {"n_answers": len(answers), "n_items": int(answers["item"].nunique())}
    cluster = None
    if scheduler == "cluster":
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
    try:
        for name in modes:
            params = MODES[name]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0, c0 = time.perf_counter(), time.process_time()
                ref = DawidSkene(**params).fit(answers)
                memory = (time.perf_counter() - t0, time.process_time() - c0)
                timings: dict = {}
                _reset_peaks(client if cluster is not None else None)
                with dask.config.set(scheduler="sync") if cluster is None else _nothing():
                    t0, c0 = time.perf_counter(), time.process_time()
                    got = distributed.fit(DawidSkene(**params), ddf, npartitions=8, timings=timings)
                    on_dask = (time.perf_counter() - t0, time.process_time() - c0)
                peaks = _peaks(client if cluster is not None else None)
            res[name] = {
                "memory": memory,
                "dask": on_dask,
                "stages": {k: round(v, 2) for k, v in timings.items()},
                "peak MiB": peaks,
                "pairs": len(got.dependent_pairs_),
                "rings": len(getattr(got, "dependent_rings_", []) or []),
                "memory pairs": len(ref.dependent_pairs_),
                "memory rings": len(ref.dependent_rings_),
                "same labels": bool((got.labels_.to_numpy() == ref.labels_.to_numpy()).all()),
                "max |posterior difference|": float(np.abs(got.probas_.to_numpy() - ref.probas_.to_numpy()).max()),
            }
            np.save(out / f"{name.replace(' ', '_')}.npy", got.probas_.to_numpy())
            (out / "dask.json").write_text(json.dumps(res))  # each mode as it ends (the parent may stop us)
    finally:
        if cluster is not None:
            client.close()
            cluster.close()


def _hwm_reset() -> None:
    """Reset this process's peak resident memory (Linux: ``VmHWM``, ``/proc/self/clear_refs``)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _hwm_mib() -> float:
    """This process's peak resident memory since the last reset (MiB; NaN where not readable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return float("nan")


def _reset_peaks(client) -> None:
    """Reset the peak memory of this process (the client and, on a ``LocalCluster``, its scheduler,
    which runs in this process) and of every worker."""
    _hwm_reset()
    if client is not None:
        client.run(_hwm_reset)


def _peaks(client) -> dict:
    """Peak memory since :func:`_reset_peaks`: this process (client and scheduler) and each worker (MiB)."""
    out = {"client+scheduler": _hwm_mib()}
    if client is not None:
        out["workers"] = sorted(client.run(_hwm_mib).values())
    return out


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def run_dask(
    before: str | None = None,
    n_answers: int = 1_000_000,
    scheduler: str = "sync",
    limit: float | None = None,
    modes: list[str] | None = None,
) -> None:
    """Run :func:`worker` with ``ROOT/src`` (and first with ``before``, another tree's ``src``), each
    stopped after ``limit`` seconds (the modes it finished are printed, the others as not finished);
    ``modes``: the keys of :data:`MODES` to fit (default: all)."""
    modes = list(MODES) if modes is None else modes
    root = Path(__file__).resolve().parents[1]
    trees = ([("before", Path(before).resolve())] if before else []) + [("after", root / "src")]
    print(f"\n== dask: Dawid-Skene's dependence checks, about {n_answers:,} answers, {scheduler} scheduler")
    res = {}
    with tempfile.TemporaryDirectory(prefix="lw_dask_") as tmp:
        for side, src in trees:
            out = Path(tmp) / side
            out.mkdir()
            load = os.getloadavg()
            env = dict(os.environ, PYTHONPATH=str(src))
            cmd = [sys.executable, __file__, str(src), str(out), str(n_answers), scheduler, ",".join(modes)]
            t0 = time.perf_counter()
            try:
                subprocess.run(cmd, check=True, env=env, timeout=limit)
            except subprocess.TimeoutExpired:
                print(f"  {side}: stopped after {time.perf_counter() - t0:.0f} s (limit {limit:.0f} s)")
            res[side] = json.loads((out / "dask.json").read_text()) if (out / "dask.json").exists() else {}
            print(f"  {side}: load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after")
        after = res["after"]
        print(f"  {after['n_answers']:,} answers, {after['n_items']:,} items")
        for name in modes:
            for side, _ in trees:
                if name not in res[side]:
                    print(f"  {name:<10} {side:<7} not finished")
                    continue
                r = res[side][name]
                print(
                    f"  {name:<10} {side:<7} dask {r['dask'][0]:7.2f} s wall / {r['dask'][1]:7.2f} s CPU; "
                    f"memory {r['memory'][0]:6.2f} / {r['memory'][1]:6.2f}; pairs {r['pairs']} (memory "
                    f"{r['memory pairs']}), rings {r['rings']} (memory {r['memory rings']}); same labels "
                    f"{r['same labels']}, max |posterior diff| {r['max |posterior difference|']:.1e}; {r['stages']}; "
                    f"peak MiB {r.get('peak MiB')}"
                )
            if before and name in res["before"]:
                b, a = res["before"][name]["dask"], after[name]["dask"]
                same = np.abs(
                    np.load(Path(tmp) / "before" / f"{name.replace(' ', '_')}.npy")
                    - np.load(Path(tmp) / "after" / f"{name.replace(' ', '_')}.npy")
                ).max()
                print(
                    f"  {name:<10} before/after: {b[0] / a[0]:.2f}x wall, {b[1] / max(a[1], 1e-9):.2f}x CPU "
                    f"(max |posterior difference| before vs after {same:.1e})"
                )


if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])
    worker(Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5].split(","))
