"""``labelwise export`` of an audit of a Parquet folder at scale: main's in-memory export against the streamed one.

Makes ROWS rows in PARTS parts with ``bench_audit_scale_ids.inputs``, audits them with ``--id-column sample``,
records 10 decisions (5 excluded, 5 relabelled, spread over the parts) in ``review.sqlite``, and prints the
commands to time: ``labelwise export A --out clean.parquet`` under ``/usr/bin/time -v`` with each ``src``.

    python benchmarks/bench_export_stream.py --rows 1000000 --parts 8 --folder /tmp/big
    python benchmarks/bench_export_stream.py --rows 1000000 --parts 8 --floats 20 --text 100 --folder /tmp/wide

``--floats K --text C`` widens each part with K more float columns and a text column of C characters a row,
the columns that are streamed (the label and id columns are read whole either way). ``--named-index`` writes
each part with ``sample`` as its pandas index (``df.set_index("sample").to_parquet``), which main exported in
memory (session 55).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_audit_scale_ids import inputs  # noqa: E402


def _widen(folder: Path, floats: int, text: int) -> None:
    """Add ``floats`` float columns and a ``text`` column of ``text`` characters to every part, in place."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    for part in sorted(folder.glob("*.parquet")):
        frame = pd.read_parquet(part)
        for k in range(floats):
            frame[f"f{k}"] = rng.normal(size=len(frame))
        if text:
            words = np.array(["label", "noise", "review", "audit", "crowd", "clean", "parquet", "stream"])
            picks = rng.integers(0, len(words), size=(len(frame), text // 6 + 1))
            frame["text"] = [" ".join(w)[:text] for w in words[picks]]
        frame.to_parquet(part, index=False)


def _named_index(folder: Path) -> None:
    """Write every part of ``folder`` again with ``sample`` as its pandas index, in place."""
    import pandas as pd

    for part in sorted(folder.glob("*.parquet")):
        pd.read_parquet(part).set_index("sample").to_parquet(part)


def main() -> None:
    """Make the folder, its audit and the decisions."""
    from labelwise.review.store import DecisionStore

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument("--floats", type=int, default=0)
    parser.add_argument("--text", type=int, default=0)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--named-index", action="store_true")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=False)
    inputs(args.folder, args.rows, args.parts)
    if args.floats or args.text:
        _widen(args.folder / "data", args.floats, args.text)
    if args.named_index:
        _named_index(args.folder / "data")
    audit = [sys.executable, "-m", "labelwise", "audit", str(args.folder / "data"), "--label", "y", "--probs",
             str(args.folder / "p.npy"), "--scheduler", "synchronous", "--id-column", "sample",
             "--out", str(args.folder / "A"), "--quiet", "--no-report"]  # fmt: skip
    subprocess.run(audit, check=True)
    store = DecisionStore(args.folder / "A" / "review.sqlite")
    step = args.rows // 10
    for k in range(10):
        row = k * step + 7
        store.record(row, "exclude" if k % 2 else "relabel", version=0, reviewer="bench", label=None if k % 2 else "e")
    print(f"/usr/bin/time -v {sys.executable} -m labelwise export {args.folder / 'A'} --out clean.parquet")


if __name__ == "__main__":
    main()
