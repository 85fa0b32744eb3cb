"""Near-duplicate texts on Dask: labelwise in memory, labelwise on dask, datasketch's MinHashLSH, same texts.

Usage (from the repository root)::

    python benchmarks/bench_text_dask.py                          # 100,000 and 1,000,000 texts
    python benchmarks/bench_text_dask.py --sizes 100000 --partitions 8 --peer-max 100000

The texts are ``bench_text_near_duplicates.py``'s (70% base texts of 6-60 made-up words, 20% near
copies, 10% rewordings; seed 100), written once to a Parquet file of ``--partitions`` row groups.
Each method then runs in a fresh Python process that reads that file, so that its peak resident
memory (``ru_maxrss``) is its own; the process's memory after its imports and before reading the
texts is printed beside it (the difference is what the method and its texts hold):

* ``memory``: :func:`labelwise.checks._text_minhash.near_duplicate_texts` on the texts read whole;
* ``dask``: :func:`labelwise.checks._dask_text.dask_near_duplicate_texts` on
  ``dd.read_parquet(split_row_groups=True)`` (one partition a row group), dask's threaded scheduler;
* ``datasketch``: ``MinHash(num_perm=128)`` of each text's shingle set and ``MinHashLSH(threshold=0.7)``,
  every text inserted then queried, each candidate's Jaccard computed from the sets (up to
  ``--peer-max`` texts: pure Python, minutes at a million).

Each gives the pairs at Jaccard >= 0.7 as pairs of distinct normalised texts (each named by its
first row) and counts the row pairs that share a normalised text (datasketch's row pairs are
mapped so); the dask pairs must equal the in-memory ones (checked), and the pairs datasketch finds
or misses beside labelwise's are counted. Printed: times, ratios
(datasketch's and dask's time over labelwise in memory's), peak memory and the machine line.
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
sys.path.insert(0, str(HERE.parent / "src"))


def rss_mib() -> float:
    """This process's peak resident memory so far, MiB (Linux's ``ru_maxrss`` is KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_texts(n: int, partitions: int, path: Path) -> None:
    """The benchmark's ``n`` texts as a Parquet file of ``partitions`` row groups (column ``text``)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    from bench_text_near_duplicates import texts_of

    table = pa.Table.from_pandas(pd.DataFrame({"text": texts_of(n)}), preserve_index=False)
    pq.write_table(table, path, row_group_size=-(-n // partitions))


def pair_codes(code: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """labelwise's pairs of distinct texts as pairs of their first rows, ``a * n + b`` (``a < b``), sorted."""
    n = code.shape[0]
    has = np.flatnonzero(code >= 0)
    first = np.full(int(code.max(initial=-1)) + 1, n, dtype=np.int64)
    np.minimum.at(first, code[has], has)
    a, b = first[u], first[v]
    return np.sort(np.minimum(a, b) * n + np.maximum(a, b))


def datasketch_run(path: Path) -> tuple[int, int, np.ndarray]:
    """datasketch's MinHashLSH on the texts of ``path``: the number of texts, its pairs of equal
    normalised texts, and its pairs of distinct texts as :func:`pair_codes`."""
    import pandas as pd
    from bench_text_near_duplicates import datasketch_pairs

    from labelwise.checks._text_minhash import normalise

    texts = pd.read_parquet(path)["text"].tolist()
    found_rows = np.array(sorted(datasketch_pairs(texts)), dtype=np.int64).reshape(-1, 2)
    code = pd.factorize(np.array([normalise(t) for t in texts], dtype=object))[0]
    same = code[found_rows[:, 0]] == code[found_rows[:, 1]]
    pairs = np.unique(pair_codes(code, code[found_rows[~same, 0]], code[found_rows[~same, 1]]))
    return len(texts), int(same.sum()), pairs


def run_one(method: str, path: Path, out: Path) -> None:
    """One method on the texts of ``path``; its pairs to ``out`` (.npy), a JSON line to stdout."""
    import pandas as pd

    if method == "dask":
        import dask.dataframe as dd

        from labelwise.checks._dask_text import dask_near_duplicate_texts
    elif method == "memory":
        from labelwise.checks._text_minhash import near_duplicate_texts
    before = rss_mib()
    t0 = time.perf_counter()
    if method == "dask":
        texts = dd.read_parquet(path, split_row_groups=True)["text"]
        found = dask_near_duplicate_texts(texts)
        n, same_text = found.code.shape[0], int((found.count * (found.count - 1) // 2).sum())
        pairs = pair_codes(found.code, found.u, found.v)
    elif method == "memory":
        rows = pd.read_parquet(path)["text"].to_numpy(dtype=object).reshape(-1, 1)
        found = near_duplicate_texts(rows)
        n, same_text = found.code.shape[0], int((found.count * (found.count - 1) // 2).sum())
        pairs = pair_codes(found.code, found.u, found.v)
    else:
        n, same_text, pairs = datasketch_run(path)
    seconds = time.perf_counter() - t0
    np.save(out, pairs)
    line = {"method": method, "n": n, "seconds": seconds, "pairs": int(pairs.size), "same_text": same_text}
    print(json.dumps(line | {"rss_before_mib": before, "rss_peak_mib": rss_mib()}), flush=True)


def measure(method: str, path: Path, folder: Path, n: int) -> tuple[dict, np.ndarray]:
    """:func:`run_one` in a fresh process; its JSON line and its pairs."""
    out = folder / f"{method}-{n}.npy"
    done = subprocess.run(
        [sys.executable, __file__, "--one", method, "--data", str(path), "--pairs", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1]), np.load(out)


def main() -> None:
    """Write the texts, run each method per size, print a table row per method and size."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--peer-max", type=int, default=100_000, help="largest size datasketch runs on")
    parser.add_argument("--one", choices=["memory", "dask", "datasketch"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--pairs", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.data, args.pairs)
        return
    from _machine import machine_line

    print(machine_line("dask", "datasketch"))
    print(f"partitions: {args.partitions}; dask scheduler: threads")
    print("| texts | method | seconds | x memory's time | pairs of distinct texts | rows sharing a text (pairs) "
          "| missed vs memory | extra vs memory | peak RSS MiB | RSS before texts MiB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in args.sizes:
            path = folder / f"texts-{n}.parquet"
            write_texts(n, args.partitions, path)
            base, base_pairs = measure("memory", path, folder, n)
            methods = ["memory", "dask"] + (["datasketch"] if n <= args.peer_max else [])
            for method in methods:
                line, pairs = (base, base_pairs) if method == "memory" else measure(method, path, folder, n)
                if method == "dask" and not np.array_equal(pairs, base_pairs):
                    raise SystemExit("the dask pairs differ from the in-memory pairs")
                missed = np.setdiff1d(base_pairs, pairs).size
                extra = np.setdiff1d(pairs, base_pairs).size
                print(
                    f"| {n:,} | {method} | {line['seconds']:.1f} | {line['seconds'] / base['seconds']:.2f} "
                    f"| {line['pairs']:,} | {line['same_text']:,} | {missed:,} | {extra:,} "
                    f"| {line['rss_peak_mib']:.0f} | {line['rss_before_mib']:.0f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
