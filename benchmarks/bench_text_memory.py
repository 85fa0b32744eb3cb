"""Memory of ``near_duplicate_text``: the candidates held whole (main before session 39) against streamed.

Usage (from the repository root)::

    python benchmarks/bench_text_memory.py                        # 100,000 and 300,000 texts
    python benchmarks/bench_text_memory.py --sizes 30000 --peer-max 30000

The texts are ``bench_text_near_duplicates.py``'s (70% base texts of 6-60 words drawn from one Zipf
vocabulary, 20% near copies, 10% rewordings; seed 100), written once to a Parquet file
(``bench_text_dask.write_texts``). Each method runs in a fresh Python process reading that file, so
its peak resident memory (``ru_maxrss``) is its own:

* ``held``: the path of :func:`labelwise.checks._text_minhash.near_duplicate_texts` before session
  39, step for step: every band's candidates made at once (:func:`~labelwise.checks._text_minhash.candidate_pairs`),
  their signature agreement, the floor, the exact Jaccard index. It also counts the candidates: per
  band (summed over the bands), distinct, and at the signature floor;
* ``streamed``: :func:`~labelwise.checks._text_minhash.near_duplicate_texts` as it is (candidates made
  and checked by blocks, :func:`~labelwise.checks._text_minhash.floored_candidates`);
* ``datasketch``: ``MinHash(num_perm=128)`` and ``MinHashLSH(threshold=0.7)``, candidates checked from
  Python sets (up to ``--peer-max`` texts).

The streamed pairs must equal the held ones, array for array (checked, or the script stops); the
pairs datasketch misses or adds beside them are counted. Printed: times, ratios over ``held``,
peak memory, the counts and the machine line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from bench_text_dask import datasketch_run, pair_codes, rss_mib, write_texts  # noqa: E402


def held_path(rows: np.ndarray) -> tuple[object, dict[str, int]]:
    """The pre-session-39 path (all candidates held), its ``TextPairs`` and its candidate counts."""
    from labelwise.checks import _text_minhash as tm

    distinct = tm.DistinctTexts.of(rows)
    sig = tm.signatures(distinct.keys, tm.SHINGLE, tm.BANDS * tm.ROWS_PER_BAND, 0)
    per_band = 0
    for band in range(tm.BANDS):
        _, size = np.unique(tm.band_key(sig, band, tm.ROWS_PER_BAND), return_counts=True)
        per_band += int((size * (size - 1) // 2).sum())
    u, v = tm.candidate_pairs(sig, tm.BANDS, tm.ROWS_PER_BAND)
    floor = tm.signature_floor(tm.THRESHOLD, sig.shape[1])
    agree = np.zeros(u.size, dtype=np.int64)
    for s in range(0, u.size, 1 << 15):
        agree[s : s + (1 << 15)] = (sig[u[s : s + (1 << 15)]] == sig[v[s : s + (1 << 15)]]).sum(axis=1)
    counts = {"band_candidates": per_band, "distinct_candidates": int(u.size)}
    u, v = u[agree >= floor], v[agree >= floor]
    counts["at_floor"] = int(u.size)
    sim = tm.jaccard(distinct.keys, u, v, tm.SHINGLE)
    keep = sim >= tm.THRESHOLD
    count = np.bincount(distinct.code[distinct.code >= 0], minlength=distinct.keys.shape[0])
    found = tm.TextPairs(distinct.code, count, u[keep], v[keep], sim[keep], tm.THRESHOLD, tm.SHINGLE)
    return found, counts


def run_one(method: str, path: Path, out: Path) -> None:
    """One method on the texts of ``path``; its pairs to ``out`` (.npy), a JSON line to stdout."""
    import pandas as pd

    from labelwise.checks._text_minhash import near_duplicate_texts

    before = rss_mib()
    t0 = time.perf_counter()
    counts: dict[str, int] = {}
    if method in ("held", "streamed"):
        rows = pd.read_parquet(path)["text"].to_numpy(dtype=object).reshape(-1, 1)
        found, counts = held_path(rows) if method == "held" else (near_duplicate_texts(rows), {})
        n, same_text = found.code.shape[0], int((found.count * (found.count - 1) // 2).sum())
        pairs = pair_codes(found.code, found.u, found.v)
        np.save(out.with_suffix(".sim.npy"), found.similarity)
    else:
        n, same_text, pairs = datasketch_run(path)
    seconds = time.perf_counter() - t0
    np.save(out, pairs)
    line = {"method": method, "n": n, "seconds": seconds, "pairs": int(pairs.size), "same_text": same_text}
    print(json.dumps(line | counts | {"rss_before_mib": before, "rss_peak_mib": rss_mib()}), flush=True)


def measure(method: str, path: Path, folder: Path, n: int) -> tuple[dict, np.ndarray]:
    """:func:`run_one` in a fresh process; its JSON line and its pairs (with the similarities after)."""
    out = folder / f"{method}-{n}.npy"
    done = subprocess.run(
        [sys.executable, __file__, "--one", method, "--data", str(path), "--pairs", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    sim = out.with_suffix(".sim.npy")
    pairs = np.load(out)
    if sim.exists():
        pairs = np.concatenate([pairs.astype(np.float64), np.load(sim)])
    return json.loads(done.stdout.strip().splitlines()[-1]), pairs


def main() -> None:
    """Write the texts, run each method per size, print a table row per method and size."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000])
    parser.add_argument("--peer-max", type=int, default=100_000, help="largest size datasketch runs on")
    parser.add_argument("--skip-held-above", type=int, default=10**9, help="largest size the held path runs on")
    parser.add_argument("--one", choices=["held", "streamed", "datasketch"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--pairs", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.data, args.pairs)
        return
    from _machine import machine_line

    print(machine_line("datasketch"))
    print("| texts | method | seconds | x held's time | peak RSS MiB | x held's peak | pairs of distinct texts "
          "| missed vs streamed | extra vs streamed | band candidates | distinct candidates | at the floor |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in args.sizes:
            path = folder / f"texts-{n}.parquet"
            write_texts(n, 1, path)
            methods = (["held"] if n <= args.skip_held_above else []) + ["streamed"]
            methods += ["datasketch"] if n <= args.peer_max else []
            done = {m: measure(m, path, folder, n) for m in methods}
            ref_line, ref = done.get("held", done["streamed"])
            if not np.array_equal(done["streamed"][1], ref):
                raise SystemExit("the streamed pairs differ from the held ones")
            base_pairs = ref[: ref.size // 2].astype(np.int64)
            for method, (line, pairs) in done.items():
                ids = pairs if method == "datasketch" else pairs[: pairs.size // 2].astype(np.int64)
                missed, extra = np.setdiff1d(base_pairs, ids).size, np.setdiff1d(ids, base_pairs).size
                counts = [
                    f"{line[c]:,}" if c in line else "" for c in ("band_candidates", "distinct_candidates", "at_floor")
                ]
                print(
                    f"| {n:,} | {method} | {line['seconds']:.1f} | {line['seconds'] / ref_line['seconds']:.2f} "
                    f"| {line['rss_peak_mib']:.0f} | {line['rss_peak_mib'] / ref_line['rss_peak_mib']:.2f} "
                    f"| {line['pairs']:,} | {missed:,} | {extra:,} | " + " | ".join(counts) + " |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
