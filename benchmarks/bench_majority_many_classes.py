"""Majority vote and self_consistency on 1M answers with ~1M distinct labels (free text) and with K = 10,
this checkout against another source tree, side by side in one run (each fit in its own process).

Usage: ``python benchmarks/bench_majority_many_classes.py OTHER_SRC [n_answers]``; prints seconds, peak RSS
and the outcome (a MemoryError on a dense table is reported, not raised).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "src"

CHILD = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
from labelwise.aggregate import MajorityVote
from labelwise.weak import self_consistency
n, case, what = int(sys.argv[1]), sys.argv[2], sys.argv[3]
g = np.random.default_rng(0)
items = g.integers(0, n // 5, n)
if case == "distinct":  # every answer its own text but a few repeats: ties and real majorities
    labels = np.where(g.random(n) < 0.2, items * 1000 + g.integers(0, 2, n), np.arange(n) + 10**9)
else:
    labels = g.integers(0, 10, n)
df = pd.DataFrame({"item": items, "annotator": np.arange(n) % 50, "label": labels})
t = time.perf_counter()
try:
    if what == "mv":
        out = MajorityVote(random_state=0).fit(df).labels_
    else:
        out = self_consistency(df, random_state=0)["label"]
    result = {"ok": True, "checksum": int(pd.util.hash_pandas_object(out).sum() % 10**9)}
except MemoryError as e:
    result = {"ok": False, "error": f"{type(e).__name__}: {str(e)[:80]}"}
result["s"] = round(time.perf_counter() - t, 2)
result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps(result))
"""


def main() -> None:
    other = Path(sys.argv[1]).resolve()
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    for case in ("distinct", "k10"):
        for what in ("mv", "self_consistency"):
            for name, src in (("this", HERE), ("other", other)):
                run = subprocess.run(
                    [sys.executable, "-c", CHILD, str(n), case, what],
                    env={"PYTHONPATH": str(src), "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
                    capture_output=True,
                    text=True,
                    check=False,
                )
                line = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-300:]
                print(
                    json.dumps({"case": case, "what": what, "src": name, **json.loads(line)})
                    if line.startswith("{")
                    else line
                )


if __name__ == "__main__":
    main()
