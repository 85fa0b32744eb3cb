"""Multi-label answers larger than memory: ``MultiLabelAggregator`` on a table held in memory against
the same fit on a Parquet folder read partition by partition (a dask DataFrame), and crowd-kit's
``BinaryRelevance`` where it runs, on the same simulated answers in one run.

The answers are simulated here, part by part (never the whole table in this process): items with
true tag sets (each of ``--tags`` tags with probability 0.25), ``--per-item`` answers per item by
annotators drawn from 200, each with a sensitivity from U(0.6, 0.95) and a specificity from
U(0.85, 0.99) per tag. Tag cells are text (``"t0|t3"``), as a CSV or Parquet export holds them.

Each path runs in a process of its own; printed per path: seconds (the fit, reading included),
peak resident memory of the process (``ru_maxrss``, as ``/usr/bin/time -v`` reports it), and the
per-tag accuracy against the true tags. Nothing was tuned on these answers: both labelwise paths run
the same defaults (threshold 0.5).

    python benchmarks/bench_tags_scale.py [--answers 20000000] [--method majority-vote]
        [--crowdkit-max 2000000] [--folder /tmp/tags-scale]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import machine_line

N_ANNOTATORS = 200


def _combos(n_tags: int) -> np.ndarray:
    """The tag cell of every subset of ``n_tags`` tags, by its bit mask."""
    names = [f"t{j}" for j in range(n_tags)]
    return np.array(["|".join(n for j, n in enumerate(names) if m >> j & 1) for m in range(1 << n_tags)], dtype=object)


def make(folder: Path, n_answers: int, n_tags: int, per_item: int, parts: int, seed: int = 0) -> None:
    """Write ``parts`` Parquet parts of answers and ``truth.npy`` (items x tags) beside them."""
    rng = np.random.default_rng(seed)
    n_items = n_answers // per_item
    truth = rng.random((n_items, n_tags)) < 0.25
    sens = rng.uniform(0.6, 0.95, (N_ANNOTATORS, n_tags))
    spec = rng.uniform(0.85, 0.99, (N_ANNOTATORS, n_tags))
    combos, weights = _combos(n_tags), 1 << np.arange(n_tags)
    (folder / "answers").mkdir(parents=True, exist_ok=True)
    np.save(folder / "truth.npy", truth)
    names = np.array([f"w{a:03d}" for a in range(N_ANNOTATORS)], dtype=object)
    for p, items in enumerate(np.array_split(np.arange(n_items), parts)):
        item = np.repeat(items, per_item)
        ann = rng.integers(0, N_ANNOTATORS, item.size)
        true = truth[item]
        said = np.where(true, rng.random(true.shape) < sens[ann], rng.random(true.shape) > spec[ann])
        frame = pd.DataFrame({"item": item, "annotator": names[ann], "tags": combos[said.astype(np.int64) @ weights]})
        frame.to_parquet(folder / "answers" / f"part.{p:04d}.parquet", index=False)


def _accuracy(chosen: np.ndarray, truth: np.ndarray) -> float:
    return float((chosen == truth).mean())


def run(folder: Path, how: str, method: str) -> dict:
    """One path, in this process: seconds, peak memory and per-tag accuracy."""
    from labelwise.aggregate import MultiLabelAggregator

    truth = np.load(folder / "truth.npy")
    tags = pd.Index([f"t{j}" for j in range(truth.shape[1])])
    start = time.perf_counter()
    if how == "crowdkit":
        from crowdkit.aggregation import BinaryRelevance, DawidSkene, MajorityVote

        table = pd.read_parquet(folder / "answers").rename(columns={"item": "task", "annotator": "worker"})
        table["label"] = [c.split("|") if c else [] for c in table.pop("tags")]
        base = MajorityVote() if method == "majority-vote" else DawidSkene(n_iter=100, tol=1e-5)
        labels = BinaryRelevance(base_aggregator=base).fit(table).labels_.reindex(np.arange(truth.shape[0]))
        seconds = time.perf_counter() - start
        index = {t: j for j, t in enumerate(tags)}
        chosen = np.zeros(truth.shape, dtype=bool)
        for i, got in enumerate(labels):
            for tag in got if isinstance(got, list) else []:
                chosen[i, index[tag]] = True
    else:
        if how == "memory":
            answers = pd.read_parquet(folder / "answers")
        else:
            import dask.dataframe as dd

            answers = dd.read_parquet(str(folder / "answers"))
        est = MultiLabelAggregator(method).fit(answers)
        seconds = time.perf_counter() - start
        chosen = est.probas_.reindex(index=np.arange(truth.shape[0]), columns=tags).to_numpy() > 0.5
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"path": how, "seconds": round(seconds, 2), "peak_mib": round(peak), "tag_acc": _accuracy(chosen, truth)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=20_000_000)
    parser.add_argument("--tags", type=int, default=8)
    parser.add_argument("--per-item", type=int, default=5)
    parser.add_argument("--parts", type=int, default=40)
    parser.add_argument("--method", default="majority-vote")
    parser.add_argument("--crowdkit-max", type=int, default=2_000_000, help="Run crowd-kit up to this many answers.")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/labelwise-tags-scale"))
    parser.add_argument("--only", choices=["memory", "blocks", "crowdkit"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:  # a child process: one path, its result as JSON
        print(json.dumps(run(args.folder, args.only, args.method)))
        return
    print(machine_line("crowd-kit", "dask", "pyarrow"), flush=True)
    start = time.perf_counter()
    make(args.folder, args.answers, args.tags, args.per_item, args.parts)
    print(
        f"{platform.python_version()}, {args.answers:,} answers, {args.tags} tags, {args.parts} Parquet parts, "
        f"method {args.method}; written in {time.perf_counter() - start:.1f} s"
    )
    paths = ["memory", "blocks"] + (["crowdkit"] if args.answers <= args.crowdkit_max else [])
    results = {}
    for how in paths:
        cmd = [sys.executable, __file__, "--only", how, "--folder", str(args.folder), "--method", args.method]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"{how}: failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
            continue
        results[how] = json.loads(done.stdout.strip().splitlines()[-1])
        print(results[how])
    if "memory" in results and "blocks" in results:
        m, b = results["memory"], results["blocks"]
        print(
            f"blocks / memory: peak memory {b['peak_mib'] / m['peak_mib']:.2f}x, time {b['seconds'] / m['seconds']:.2f}x, "
            f"same accuracy: {m['tag_acc'] == b['tag_acc']}"
        )
    if "crowdkit" in results and "blocks" in results:
        c, b = results["crowdkit"], results["blocks"]
        print(
            f"crowd-kit / blocks: peak memory {c['peak_mib'] / b['peak_mib']:.2f}x, time {c['seconds'] / b['seconds']:.2f}x"
        )


if __name__ == "__main__":
    main()
