"""labelwise at scale (issue 12): memory-mapped and Dask audits, threads, aggregation on a LocalCluster.

One run, every stage in a fresh process (so peak memory is its own), all on the same files:

- ``threads``: in-memory audit of the first 1e6 x 100 rows, ``n_jobs=1`` vs ``n_jobs=2`` (wall and CPU,
  best of 3 each, alternating).
- ``inmem`` / ``memmap``: the whole ``n x 100`` float32 file loaded, and memory-mapped.
- ``cleanlab``: ``cleanlab.experimental.label_issues_batched.find_label_issues_batched`` on the same file.
- ``dask``: ``dask.array`` read chunk by chunk by the workers of ``LocalCluster(n_workers=2,
  threads_per_worker=1)``; the client's peak memory is measured. The workers import labelwise
  before the timer starts (timed apart as ``worker_import``), as the other stages' processes do.
- ``agg``: 10M answers (1M items, 10k annotators, K=5), in memory and on the LocalCluster.

Peak anonymous memory is ``RssAnon`` of /proc/self/status sampled every 10 ms (memory-mapped pages
are file-backed and not counted). Files go to ``--dir`` (default /tmp) and are deleted at the end.

With ``--before-src DIR`` (a ``src/`` folder of an earlier labelwise, e.g. from ``git archive``), the
``threads``, ``memmap`` and ``dask`` stages also run on that code, just before the current one, on the
same files.

Usage: ``python benchmarks/bench_scale.py [--n 10000000] [--dir /tmp] [--stages ...] [--before-src DIR] [--data DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _machine import cpu_model

K = 100


class PeakAnon:
    """Samples RssAnon of this process in a thread; ``peak`` in bytes."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def now() -> int:
        with open("/proc/self/status", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.now())
            time.sleep(0.01)

    def __enter__(self) -> PeakAnon:  # noqa: PYI034
        self.base = self.now()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())


def generate(folder: Path, n: int, seed: int = 0) -> None:
    """Noisy Dirichlet probabilities (20% of labels flipped) written block by block to .npy files."""
    probs = np.lib.format.open_memmap(folder / "probs.npy", mode="w+", dtype=np.float32, shape=(n, K))
    labels = np.lib.format.open_memmap(folder / "labels.npy", mode="w+", dtype=np.int64, shape=(n,))
    step = 250_000
    for i, start in enumerate(range(0, n, step)):
        rng = np.random.default_rng([seed, i])
        m = min(step, n - start)
        true = rng.integers(0, K, m)
        alpha = np.ones((m, K), dtype=np.float32)
        alpha[np.arange(m), true] += 3.0 * rng.uniform(0.2, 2.0, m).astype(np.float32)
        block = rng.standard_gamma(alpha, dtype=np.float32)
        block /= block.sum(axis=1, keepdims=True)
        probs[start : start + m] = block
        flip = rng.random(m) < 0.2
        true[flip] = (true[flip] + rng.integers(1, K, flip.sum())) % K
        labels[start : start + m] = true
    probs.flush()
    labels.flush()


def stage(name: str, folder: Path) -> dict:
    """Run one stage in this process; returns its measurements."""
    import labelwise as lw

    labels = np.load(folder / "labels.npy")
    out: dict = {}
    if name == "threads":
        n = min(1_000_000, labels.shape[0])
        probs = np.array(np.load(folder / "probs.npy", mmap_mode="r")[:n])
        for jobs in (1, 2, 1, 2, 1, 2):  # best of 3 each, alternating
            wall, cpu = time.perf_counter(), time.process_time()
            lw.find_label_issues(labels[:n], probs, n_jobs=jobs)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best = out.setdefault(f"jobs{jobs}", {"wall": np.inf, "cpu": np.inf})
            best["wall"], best["cpu"] = min(best["wall"], wall), min(best["cpu"], cpu)
        return out
    with PeakAnon() as mem:
        wall = time.perf_counter()
        if name == "inmem":
            flags = lw.find_label_issues(labels, np.load(folder / "probs.npy")).is_issue
        elif name == "memmap":
            flags = lw.find_label_issues(labels, np.load(folder / "probs.npy", mmap_mode="r")).is_issue
        elif name == "cleanlab":
            from cleanlab.experimental.label_issues_batched import (
                find_label_issues_batched,
            )

            idx = find_label_issues_batched(
                labels_file=str(folder / "labels.npy"), pred_probs_file=str(folder / "probs.npy"), verbose=False
            )
            flags = np.zeros(labels.shape[0], dtype=bool)
            flags[idx] = True
        else:
            raise ValueError(name)
        out["wall"] = time.perf_counter() - wall
    out["peak_anon_extra"] = mem.peak - mem.base
    np.save(folder / f"flags_{name}.npy", flags)
    return out


def dask_stage(folder: Path, chunk_rows: int) -> dict:
    """The audit as dask tasks on a LocalCluster; the client never loads the file."""
    from distributed import Client, LocalCluster

    import labelwise as lw
    from labelwise.cli._scale import load_probs

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    with cluster, Client(cluster) as client, PeakAnon() as mem:
        # The workers import labelwise first, outside the timer, as every other stage's process
        # does before its timer (about 1.5 s here; timed and reported apart).
        warm = time.perf_counter()
        client.run(_import_labelwise)
        warm = time.perf_counter() - warm
        # The client imports dask.array (which load_probs needs) before the timer too, as a user who
        # builds a dask array has; timed and reported apart.
        client_import = time.perf_counter()
        import dask.array  # noqa: F401

        client_import = time.perf_counter() - client_import
        wall = time.perf_counter()
        probs = load_probs(folder / "probs.npy", chunk_rows, lazy=True)
        labels = load_probs(folder / "labels.npy", chunk_rows, lazy=True)
        result = lw.find_label_issues(labels, probs)
        passes = time.perf_counter() - wall
        flags = result.is_issue.compute()
        wall = time.perf_counter() - wall
    np.save(folder / "flags_dask.npy", flags)
    return {
        "wall": wall,
        "passes": passes,
        "worker_import": warm,
        "client_import": client_import,
        "client_peak_anon_extra": mem.peak - mem.base,
    }


def _import_labelwise() -> None:
    import labelwise.audit.chunked  # noqa: F401


def simulate_answers(n_items: int = 1_000_000, n_ann: int = 10_000, per_item: int = 10, k: int = 5, seed: int = 0):
    """10M answers: items x 10 random annotators of accuracy U(0.5, 0.95), uniform errors."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    true = rng.integers(0, k, n_items)
    acc = rng.uniform(0.5, 0.95, n_ann)
    item = np.repeat(np.arange(n_items), per_item)
    ann = rng.integers(0, n_ann, item.size)
    right = rng.random(item.size) < acc[ann]
    label = np.where(right, true[item], (true[item] + rng.integers(1, k, item.size)) % k)
    return pd.DataFrame({"item": item, "annotator": ann, "label": label})


def agg_stage(folder: Path) -> dict:
    """Majority vote, Dawid-Skene and one-coin in memory and on a LocalCluster: timings and label agreement."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import labelwise as lw
    from labelwise.aggregate import distributed

    answers = simulate_answers()
    parquet = folder / "answers"
    dd.from_pandas(answers, npartitions=8).to_parquet(str(parquet), write_index=False)
    out: dict = {"n_answers": len(answers)}
    methods = {
        "majority": lw.aggregate.MajorityVote,
        "dawid_skene": lw.aggregate.DawidSkene,
        "one_coin": lw.aggregate.OneCoinDawidSkene,
    }
    refs = {}
    for name, cls in methods.items():
        wall = time.perf_counter()
        refs[name] = cls().fit(answers)
        out[f"{name}_memory"] = time.perf_counter() - wall
    del answers
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster):
        for name, cls in methods.items():
            timings: dict = {}
            wall = time.perf_counter()
            got = distributed.fit(cls(), dd.read_parquet(str(parquet)), timings=timings)
            out[f"{name}_cluster"] = time.perf_counter() - wall
            out[f"{name}_stages"] = {k: round(v, 2) for k, v in timings.items()}
            out[f"{name}_iterations"] = int(got.n_iter_)
            out[f"{name}_same_labels"] = bool((got.labels_.to_numpy() == refs[name].labels_.to_numpy()).all())
            out[f"{name}_max_proba_diff"] = float(np.abs(got.probas_.to_numpy() - refs[name].probas_.to_numpy()).max())
    return out


def child(args: list[str], src: str | None = None) -> dict:
    cmd = [sys.executable, __file__, *args]
    env = dict(os.environ, PYTHONPATH=src) if src else None  # another labelwise source tree (--before-src)
    res = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if res.returncode != 0:
        return {"error": res.stderr.strip().splitlines()[-1] if res.stderr.strip() else f"exit {res.returncode}"}
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    parser.add_argument("--chunk-rows", type=int, default=250_000)
    parser.add_argument("--stages", default="threads,inmem,memmap,cleanlab,dask,agg")
    parser.add_argument(
        "--before-src",
        help="a src/ folder of an earlier labelwise: its threads, memmap and dask stages run too, side by side",
    )
    parser.add_argument(
        "--data",
        help="a folder for the generated files, generated there only if missing and kept afterwards "
        "(so they can be made before a timed run); default: a temporary folder, deleted at the end",
    )
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        folder = Path(args.folder)
        if args.stage == "dask":
            result = dask_stage(folder, args.chunk_rows)
        elif args.stage == "agg":
            result = agg_stage(folder)
        else:
            result = stage(args.stage, folder)
        print(json.dumps(result))
        return
    print(
        f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, load average {os.getloadavg()[0]:.1f}"
    )
    folder = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="lw-bench-scale-", dir=args.dir))
    try:
        existing = folder / "probs.npy"
        if args.data and existing.exists() and np.load(existing, mmap_mode="r").shape == (args.n, K):
            print(f"data: {args.n} x {K} float32 in {folder} (generated before this run)")
        else:
            folder.mkdir(parents=True, exist_ok=True)
            t = time.perf_counter()
            generate(folder, args.n)
            print(
                f"generated {args.n} x {K} float32 ({args.n * K * 4 / 1e9:.1f} GB) in {time.perf_counter() - t:.0f} s"
            )
        for stale in folder.glob("flags_*.npy"):  # an earlier run's flags in a kept folder
            stale.unlink()
        results = {}
        for name in args.stages.split(","):
            extra = ["--chunk-rows", str(args.chunk_rows)] if name == "dask" else []
            before = None
            # the earlier code first, so the flags files are the current code's
            if args.before_src and name in ("threads", "memmap", "dask"):
                before = child(["--stage", name, "--folder", str(folder), *extra], src=args.before_src)
                results[f"{name}_before"] = before
                print(f"{name} (before: {args.before_src})", json.dumps(before), flush=True)
            results[name] = child(["--stage", name, "--folder", str(folder), *extra])
            print(name, json.dumps(results[name]), flush=True)
            if before is not None and "wall" in before and "wall" in results[name]:
                print(f"{name}: before / now wall = {before['wall'] / results[name]['wall']:.2f}x", flush=True)
            if before is not None and "jobs1" in before and "jobs2" in before:
                ratio = before["jobs1"]["wall"] / before["jobs2"]["wall"]
                print(f"threads (before): n_jobs=1 / n_jobs=2 = {ratio:.2f}x", flush=True)
        report(folder, results)
    finally:
        if not args.data:
            shutil.rmtree(folder, ignore_errors=True)


def report(folder: Path, results: dict) -> None:
    def flags(name: str) -> np.ndarray | None:
        path = folder / f"flags_{name}.npy"
        return np.load(path) if path.exists() else None

    ref, ref_name = flags("inmem"), "in memory"
    if ref is None:  # without the inmem stage, the memory map's flags (themselves tested identical) are the reference
        ref, ref_name = flags("memmap"), "the memory map"
    for name in ("memmap", "dask", "cleanlab"):
        got = flags(name)
        if ref is not None and got is not None and not (name == "memmap" and ref_name == "the memory map"):
            print(
                f"{name}: flags identical to {ref_name}: {bool(np.array_equal(got, ref))} "
                f"({int((got != ref).sum())} differ; {int(got.sum())} vs {int(ref.sum())} flagged)"
            )
    mm, cl, dk = results.get("memmap", {}), results.get("cleanlab", {}), results.get("dask", {})
    if "wall" in mm and "wall" in cl:
        print(
            f"memmap vs cleanlab batched: {cl['wall'] / mm['wall']:.2f}x faster (goal >= 3x); "
            f"peak anon {mm['peak_anon_extra'] / 1e9:.2f} GB (goal <= 1 GB) vs {cl['peak_anon_extra'] / 1e9:.2f} GB"
        )
    if "wall" in mm and "wall" in dk:
        print(
            f"dask LocalCluster: {dk['wall'] / mm['wall']:.2f}x the memmap wall time (goal <= 2x); client peak "
            f"anon {dk['client_peak_anon_extra'] / 1e9:.2f} GB (goal < 0.5 GB); the workers' import of labelwise "
            f"before the timer took {dk.get('worker_import', float('nan')):.2f} s, the client's import of "
            f"dask.array {dk.get('client_import', float('nan')):.2f} s"
        )
    th = results.get("threads", {})
    if "jobs1" in th:
        print(
            f"threads at 1e6 x 100: n_jobs=1 {th['jobs1']['wall']:.2f} s wall / {th['jobs1']['cpu']:.2f} s CPU, "
            f"n_jobs=2 {th['jobs2']['wall']:.2f} s / {th['jobs2']['cpu']:.2f} s CPU: "
            f"{th['jobs1']['wall'] / th['jobs2']['wall']:.2f}x (goal >= 1.6x)"
        )


if __name__ == "__main__":
    main()
