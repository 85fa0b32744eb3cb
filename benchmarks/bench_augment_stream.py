"""Benchmark: augmenting a CSV in memory, in batches and lazily on Dask (peak memory and time).

One CSV of ``--rows`` short texts (default 400,000), four vectorised transformation functions, a
seeded ``RandomPolicy`` (two TFs per copy, ``--copies`` copies per row, the original kept). Each way
runs in its own process, whose peak resident memory (``ru_maxrss``) is reported:

1. ``memory``: ``pd.read_csv`` then ``weak.augment`` (the whole augmented table in memory).
2. ``batches``: ``weak.augment_batches`` over ``pd.read_csv(chunksize=...)``, each batch reduced
   (row count and a hash of its rows) and dropped, as a training loop would.
3. ``lazy``: ``dd.read_csv`` then ``weak.augment(..., lazy=True)`` reduced the same way per
   partition (``dask`` extra; the synchronous scheduler, one partition at a time).

``memory`` and ``batches`` must give the same table (same row count, same hash: the policy draws
batch after batch from one stream); ``lazy`` draws per partition (another table, same size in
expectation). There is no peer: Snorkel's ``apply_generator`` has no memory claim to compare with,
and Snorkel 0.10 is not installed. Nothing is tuned; ``--batch-rows`` is the chunk and batch size.

    python benchmarks/bench_augment_stream.py --rows 400000
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import machine_line

ROOT = Path(__file__).resolve().parents[1]
WORDS = [f"w{i}" for i in range(40)] + ["win", "cash", "refund", "lunch"]


def write_rows(path: Path, n: int, seed: int = 1) -> None:
    """``n`` texts of 1-12 words, a score and a count, to the CSV ``path``."""
    rng = np.random.default_rng(seed)
    n_words = rng.integers(1, 13, n)
    flat = np.array(WORDS)[rng.integers(0, len(WORDS), int(n_words.sum()))]
    ends = np.cumsum(n_words)
    text = [" ".join(flat[e - k : e]) for e, k in zip(ends.tolist(), n_words.tolist(), strict=True)]
    pd.DataFrame({"text": text, "score": rng.normal(size=n).round(6), "n": rng.integers(0, 50, n)}).to_csv(
        path, index=False
    )


def tfs() -> list:
    from labelwise import weak

    @weak.transformation_function(vectorized=True)
    def upper(df):
        return df.assign(text=df.text.str.upper())

    @weak.transformation_function(vectorized=True)
    def drop_last(df):
        long = df[df.text.str.count(" ") >= 1]
        return long.assign(text=long.text.str.rsplit(" ", n=1).str[0])

    @weak.transformation_function(vectorized=True)
    def jitter(df):
        return df.assign(score=(df.score * 1.1).round(6))

    @weak.transformation_function(vectorized=True)
    def bump(df):
        small = df[df.n < 40]
        return small.assign(n=small.n + 1)

    return [upper, drop_last, jitter, bump]


def digest(frame: pd.DataFrame) -> int:
    """An order-sensitive hash of the rows (index and values), a sum mod 2**64 (so batches add up)."""
    h = pd.util.hash_pandas_object(frame.astype({"text": object}), index=True).to_numpy()
    return int((h * (frame.index.to_numpy().astype(np.uint64) * 2 + 1)).sum())


def worker(mode: str, path: str, copies: int, batch_rows: int) -> dict:
    """One way, in this process: rows out, hash, seconds."""
    from labelwise import weak

    policy = weak.RandomPolicy(sequence_length=2, n_per_original=copies, random_state=0)
    start = time.perf_counter()
    if mode == "memory":
        out = weak.augment(tfs(), pd.read_csv(path), policy=policy, verbose=False)
        rows, parts = len(out.frame), [digest(out.frame.reset_index(drop=True))]
    elif mode == "batches":
        rows, parts, offset = 0, [], 0
        with pd.read_csv(path, chunksize=batch_rows) as reader:
            for batch in weak.augment_batches(tfs(), reader, policy=policy, batch_size=batch_rows):
                rows += len(batch.frame)
                parts.append(digest(batch.frame.reset_index(drop=True).set_axis(np.arange(len(batch.frame)) + offset)))
                offset += len(batch.frame)
    else:
        import dask
        import dask.dataframe as dd

        ddf = dd.read_csv(path, blocksize=batch_rows * 40)
        lazy = weak.augment(tfs(), ddf, policy=policy, lazy=True)
        with dask.config.set(scheduler="synchronous"):
            counts = lazy.map_partitions(len).compute().tolist()
        rows, parts = int(sum(counts)), [len(counts)]
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mode": mode, "rows": rows, "seconds": seconds, "peak_mb": peak_mb, "parts": parts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--batch-rows", type=int, default=20_000)
    parser.add_argument("--worker", nargs=2, metavar=("MODE", "PATH"))
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.copies, args.batch_rows)))
        return
    print(machine_line("dask"))
    print(f"load average: {open('/proc/loadavg').read().split()[:3]}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rows.csv"
        write_rows(path, args.rows)
        print(f"input: {args.rows:,} rows, {path.stat().st_size / 2**20:.1f} MiB of CSV; {args.copies} copies per row")
        results = {}
        for mode in ("memory", "batches", "lazy"):
            cmd = [sys.executable, __file__, "--worker", mode, str(path), "--copies", str(args.copies)]
            cmd += ["--batch-rows", str(args.batch_rows)]
            env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
            done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
            results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
            r = results[mode]
            print(f"{mode:8s} rows out {r['rows']:>10,}  {r['seconds']:7.2f} s  peak RSS {r['peak_mb']:7.0f} MB")
    memory, batches = results["memory"], results["batches"]
    same = memory["rows"] == batches["rows"] and _combine(batches["parts"]) == memory["parts"][0]
    print(f"batches == memory table: {same}")
    print(f"peak memory ratio memory/batches: {memory['peak_mb'] / batches['peak_mb']:.1f}x, ", end="")
    print(f"memory/lazy: {memory['peak_mb'] / results['lazy']['peak_mb']:.1f}x")


def _combine(parts: list[int]) -> int:
    """The batches' hashes summed as :func:`digest` sums one table's (positions offset per batch)."""
    return int(sum(parts) % 2**64)


if __name__ == "__main__":
    main()
