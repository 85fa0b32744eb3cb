"""Time ``read_table`` on one table kept as users keep it: plain ``.csv``, ``.csv.gz``, ``.csv.bz2``,
``.csv.xz``, ``.zip`` and UTF-16 tab-delimited ``.txt`` (Excel's "Unicode Text"), in one process,
the forms interleaved, best of ``--repeats`` per round; each timed read makes its decoded copy afresh
(the per-process cache is cleared), as a command's first read does. pandas' own ``read_csv`` of the
plain and the gzip file is timed beside them for scale (session 47). Usage::

    PYTHONPATH=src python benchmarks/dev_compressed_read.py --rows 100000 --rounds 3
"""

from __future__ import annotations

import argparse
import gzip
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from labelwise.io import plain_text as plain
from labelwise.io import read_table


def _files(folder: Path, rows: int) -> dict[str, Path]:
    """The same 6-column table (3 text ids, 3 floats) in each form."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "item": [f"item{i:06d}" for i in rng.integers(0, rows // 3, rows)],
            "annotator": [f"w{a}" for a in rng.integers(0, 50, rows)],
            "label": rng.choice(["cat", "dog", "bird"], rows),
            "x0": rng.normal(size=rows),
            "x1": rng.normal(size=rows),
            "x2": rng.normal(size=rows),
        }
    )
    text = frame.to_csv(index=False)
    files = {"csv": folder / "t.csv"}
    files["csv"].write_text(text)
    for name, suffix in (("gzip", ".gz"), ("bz2", ".bz2"), ("xz", ".xz")):
        files[name] = folder / f"t.csv{suffix}"
        frame.to_csv(files[name], index=False)
    files["zip"] = folder / "t.zip"
    with zipfile.ZipFile(files["zip"], "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("t.csv", text)
    files["utf16"] = folder / "t.txt"
    files["utf16"].write_bytes(frame.to_csv(index=False, sep="\t").encode("utf-16"))
    return files


def _time(read, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        plain._COPIES.clear()
        start = time.perf_counter()
        read()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    ids = ["item", "annotator", "label"]
    with tempfile.TemporaryDirectory() as tmp:
        files = _files(Path(tmp), args.rows)
        sizes = {name: path.stat().st_size for name, path in files.items()}
        print("bytes:", sizes, "gzip bytes uncompressed:", len(gzip.decompress(files["gzip"].read_bytes())))
        for round_ in range(args.rounds):
            times = {
                name: _time(lambda p=path: read_table(p, text_columns=ids), args.repeats)
                for name, path in files.items()
            }
            times["pandas csv"] = _time(lambda: pd.read_csv(files["csv"]), args.repeats)
            times["pandas gzip"] = _time(lambda: pd.read_csv(files["gzip"]), args.repeats)
            print(f"round {round_ + 1}: " + ", ".join(f"{k} {v:.3f} s" for k, v in times.items()), flush=True)


if __name__ == "__main__":
    main()
