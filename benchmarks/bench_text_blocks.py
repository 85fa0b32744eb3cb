"""Peak memory of ``near_duplicate_text`` in memory and on Dask, two source trees side by side (session 40).

Usage (from the repository root; ``--before`` a copy of an earlier ``src``, e.g. ``git archive <commit> src``)::

    python benchmarks/bench_text_blocks.py --before /tmp/main_src                 # 100,000 and 300,000 texts
    python benchmarks/bench_text_blocks.py --before /tmp/main_src --sizes 30000

The texts are ``bench_text_near_duplicates.py``'s (70% base texts of 6-60 words drawn from one Zipf
vocabulary, 20% near copies, 10% rewordings; seed 100), written once to a Parquet file of 8 row
groups (``bench_text_dask.write_texts``). Each (tree, method) runs in a fresh Python process reading
that file, so its peak resident memory (``ru_maxrss``) is its own:

* ``memory``: :func:`labelwise.checks._text_minhash.near_duplicate_texts` on the texts read whole;
* ``dask``: :func:`labelwise.checks._dask_text.dask_near_duplicate_texts` on
  ``dd.read_parquet(split_row_groups=True)["text"]`` (8 partitions), dask's threaded scheduler.

Every run's ``TextPairs`` (codes, pairs, similarities) must equal the first run's of its size, array for
array (checked, or the script stops). Printed: seconds, peak RSS, the ratios of this tree over
``--before`` and the machine line.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def run_one(src: str, method: str, path: Path, out: Path) -> None:
    """One method of the tree ``src`` on the texts of ``path``; its arrays to ``out``, a JSON line to stdout."""
    sys.path.insert(0, src)
    import pandas as pd

    from labelwise.checks import _dask_text, _text_minhash

    t0 = time.perf_counter()
    if method == "memory":
        rows = pd.read_parquet(path)["text"].to_numpy(dtype=object).reshape(-1, 1)
        found = _text_minhash.near_duplicate_texts(rows)
    else:
        import dask
        import dask.dataframe as dd

        with dask.config.set(scheduler="threads"):
            found = _dask_text.dask_near_duplicate_texts(dd.read_parquet(path, split_row_groups=True)["text"])
    seconds = time.perf_counter() - t0
    np.save(out, np.concatenate([found.code, found.u, found.v, found.similarity.view(np.int64)]))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "pairs": int(found.u.size), "rss_peak_mib": peak}), flush=True)


def measure(src: str, method: str, path: Path, out: Path) -> tuple[dict, np.ndarray]:
    """:func:`run_one` in a fresh process; its JSON line and its arrays."""
    done = subprocess.run(
        [sys.executable, __file__, "--one", method, "--src", src, "--data", str(path), "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1]), np.load(out)


def main() -> None:
    """Write the texts, run each tree and method per size, print a table row each."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--before", required=False, help="an earlier src folder to compare with")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000])
    parser.add_argument("--one", choices=["memory", "dask"], help=argparse.SUPPRESS)
    parser.add_argument("--src", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.src, args.one, args.data, args.out)
        return
    from _machine import machine_line
    from bench_text_dask import write_texts

    print(machine_line("dask"))
    print("| texts | method | tree | seconds | x before | peak RSS MiB | x before | pairs |")
    print("|---|---|---|---|---|---|---|---|")
    trees = ([("before", args.before)] if args.before else []) + [("this tree", str(HERE.parent / "src"))]
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"texts-{n}.parquet"
            write_texts(n, 8, path)
            first = None
            for method in ("memory", "dask"):
                lines = {}
                for name, src in trees:
                    line, arrays = measure(src, method, path, Path(tmp) / f"{name[:4]}-{method}-{n}.npy")
                    first = arrays if first is None else first
                    if not np.array_equal(arrays, first):
                        raise SystemExit(f"{method} of {name} at {n}: the pairs differ from the first run's")
                    lines[name] = line
                    base = lines.get("before", line)
                    print(
                        f"| {n:,} | {method} | {name} | {line['seconds']:.1f} | {line['seconds'] / base['seconds']:.2f} "
                        f"| {line['rss_peak_mib']:.0f} | {line['rss_peak_mib'] / base['rss_peak_mib']:.2f} "
                        f"| {line['pairs']:,} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
