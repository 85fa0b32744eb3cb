"""Dev measurements for the threads goal of issue 12: the in-memory audit, ``n_jobs=1`` vs ``n_jobs=2``.

Uses ``bench_scale.generate`` with a dev seed (default 1, never the benchmark's 0) at 1e6 x 100
float32, cached as ``.npy`` files in ``--dir``. Modes:

- ``time``: wall and process CPU of ``find_label_issues``, ``n_jobs`` 1 and 2 alternating, best of ``--repeat``.
- ``stages``: CPU (``time.thread_time``, summed over the threads) and wall of each stage of the audit
  (pass 1, pass 2, the selection, the rest), per ``n_jobs``, best of ``--repeat``: which stage grows
  with two threads.
- ``timeline``: per stage (with two threads, the selection's members step before its queue is a
  stage of its own), its wall time, the busiest thread's wall time, its CPU over the threads,
  the gaps between stages, and the process's user / system time and page faults, per ``n_jobs``
  (the fastest call of ``--repeat``); ``--set module.NAME=value`` changes a block-size knob first
  (``passes.FIRST_PASS_ELEMENTS``, ``columns.GATHER_ELEMENTS``, ``chunks.COARSE_ROWS``). Run it with
  ``PYTHONPATH`` at another ``src`` (e.g. ``git archive`` of main) to compare, in alternation.
- ``same``: the results of ``n_jobs`` 1 and 2 are identical.
- ``save``: the flags, ranking and quality of ``n_jobs=2``, to compare across code versions.

Usage: ``PYTHONPATH=src python benchmarks/dev_threads.py [time|stages|timeline|same|save] [--seed 1] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_scale import generate


def load(folder: Path, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The dev data in memory, generated once into ``folder``."""
    sub = folder / f"threads_n{n}_s{seed}"
    if not (sub / "labels.npy").exists():
        sub.mkdir(parents=True, exist_ok=True)
        generate(sub, n, seed)
    return np.load(sub / "labels.npy"), np.load(sub / "probs.npy")


def time_jobs(labels: np.ndarray, probs: np.ndarray, repeat: int) -> dict:
    import labelwise as lw

    out: dict = {}
    for _ in range(repeat):
        for jobs in (1, 2):
            wall, cpu = time.perf_counter(), time.process_time()
            lw.find_label_issues(labels, probs, n_jobs=jobs)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best = out.setdefault(f"jobs{jobs}", {"wall": np.inf, "cpu": np.inf})
            best["wall"], best["cpu"] = min(best["wall"], wall), min(best["cpu"], cpu)
    out["ratio"] = out["jobs1"]["wall"] / out["jobs2"]["wall"]
    return out


class StageClock:
    """Thread CPU time of wrapped functions, summed per stage name (thread-safe)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.lock = threading.Lock()

    def wrap(self, name: str, fn):  # type: ignore[no-untyped-def]
        @functools.wraps(fn)
        def inner(*args, **kwargs):  # type: ignore[no-untyped-def]
            t = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                with self.lock:
                    self.cpu[name] = self.cpu.get(name, 0.0) + time.thread_time() - t

        return inner


def stages(labels: np.ndarray, probs: np.ndarray, repeat: int) -> dict:
    import labelwise as lw
    from labelwise.audit import _passes, _select, find

    clock = StageClock()
    # run_audit and filters bind these through their modules: patch the module attributes.
    _passes.self_confidence_pass = clock.wrap("pass1", _passes.self_confidence_pass)
    _passes.row_statistics_pass = clock.wrap("pass2", _passes.row_statistics_pass)
    _select.margin_entries = clock.wrap("selection", _select.margin_entries)
    find.ranked_flagged = clock.wrap("ranking", find.ranked_flagged)
    out: dict = {}
    for _ in range(repeat):
        for jobs in (1, 2):
            clock.cpu.clear()
            wall, main_cpu, cpu = time.perf_counter(), time.thread_time(), time.process_time()
            lw.find_label_issues(labels, probs, n_jobs=jobs)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            main_cpu = time.thread_time() - main_cpu
            got = {**clock.cpu, "total_cpu": cpu, "main_thread_cpu": main_cpu, "wall": wall}
            best = out.setdefault(f"jobs{jobs}", {})
            for key, value in got.items():
                best[key] = min(best.get(key, np.inf), value)
    return {k: {s: round(v, 4) for s, v in d.items()} for k, d in out.items()}


def timeline(labels: np.ndarray, probs: np.ndarray, repeat: int, knobs: list[str]) -> dict:
    import resource

    import labelwise as lw
    from labelwise import _chunks
    from labelwise.audit import _columns, _passes, _select, find

    modules = {"passes": _passes, "columns": _columns, "chunks": _chunks}
    for knob in knobs:
        name, value = knob.split("=")
        mod, attr = name.split(".")
        setattr(modules[mod], attr, int(value))
    events: list[tuple] = []

    def wrap(name, fn):  # type: ignore[no-untyped-def]
        @functools.wraps(fn)
        def inner(*args, **kwargs):  # type: ignore[no-untyped-def]
            t0, c0 = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                events.append((name, threading.get_ident(), t0, time.perf_counter(), time.thread_time() - c0))

        return inner

    _passes.self_confidence_pass = wrap("pass1", _passes.self_confidence_pass)
    _passes.row_statistics_pass = wrap("pass2", _passes.row_statistics_pass)
    if hasattr(_select, "margin_members"):  # the two-thread selection's members step (session 13 on)
        _select.margin_members = wrap("members", _select.margin_members)
    _select.margin_entries = wrap("selection", _select.margin_entries)
    rank = "ranked_flagged" if hasattr(find, "ranked_flagged") else "order_by_key"  # main before session 6
    setattr(find, rank, wrap("ranking", getattr(find, rank)))
    lw.find_label_issues(labels, probs, n_jobs=2)
    best: dict = {}
    for _ in range(repeat):
        for jobs in (1, 2):
            events.clear()
            r0 = resource.getrusage(resource.RUSAGE_SELF)
            t0 = time.perf_counter()
            lw.find_label_issues(labels, probs, n_jobs=jobs)
            wall = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_SELF)
            row = {
                "wall": wall,
                "user": r1.ru_utime - r0.ru_utime,
                "sys": r1.ru_stime - r0.ru_stime,
                "faults": r1.ru_minflt - r0.ru_minflt,
            }
            prev = 0.0
            for stage in ("pass1", "pass2", "members", "selection", "ranking"):
                ev = [e for e in events if e[0] == stage]
                if not ev:  # the members step runs with two threads only
                    continue
                start, stop = min(e[2] for e in ev) - t0, max(e[3] for e in ev) - t0
                busy: dict = {}
                for e in ev:
                    busy[e[1]] = busy.get(e[1], 0.0) + e[3] - e[2]
                row |= {f"{stage}_gap": start - prev, f"{stage}_wall": stop - start}
                row |= {f"{stage}_cpu": sum(e[4] for e in ev), f"{stage}_busiest": max(busy.values())}
                prev = stop
            key = f"jobs{jobs}"
            if key not in best or row["wall"] < best[key]["wall"]:
                best[key] = row
    out: dict = {"src": lw.__file__, "knobs": knobs, "ratio": best["jobs1"]["wall"] / best["jobs2"]["wall"]}
    for key, row in best.items():
        out[key] = {k: (v if k == "faults" else round(1e3 * v, 1)) for k, v in row.items()}
    return out


def same(labels: np.ndarray, probs: np.ndarray) -> dict:
    import labelwise as lw

    a = lw.find_label_issues(labels, probs, n_jobs=1)
    b = lw.find_label_issues(labels, probs, n_jobs=2)
    fields = ("is_issue", "ranked_indices", "label_quality", "suggested_codes", "confident_joint", "thresholds")
    return {f: bool(np.array_equal(getattr(a, f), getattr(b, f))) for f in fields} | {"n_issues": int(a.n_issues)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["time", "stages", "timeline", "same", "save"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--set", nargs="*", default=[], help="timeline: knobs, module.NAME=value")
    parser.add_argument("--out", default=None, help="with mode save: write is_issue/ranked_indices here (.npz)")
    args = parser.parse_args()
    labels, probs = load(Path(args.dir), args.n, args.seed)
    print(f"load average at start: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    if args.mode == "time":
        res = time_jobs(labels, probs, args.repeat)
    elif args.mode == "stages":
        res = stages(labels, probs, args.repeat)
    elif args.mode == "timeline":
        res = timeline(labels, probs, args.repeat, args.set)
    elif args.mode == "same":
        res = same(labels, probs)
    else:
        import labelwise as lw

        r = lw.find_label_issues(labels, probs, n_jobs=2)
        np.savez(args.out, is_issue=r.is_issue, ranked=r.ranked_indices, quality=r.label_quality)
        res = {"saved": args.out, "n_issues": int(r.n_issues)}
    res["load_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(res, default=float))


if __name__ == "__main__":
    main()
