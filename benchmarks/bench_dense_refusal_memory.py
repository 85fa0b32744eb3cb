"""The dense aggregators' refusal against the memory available now, this checkout against another source tree.

Usage::

    python benchmarks/bench_dense_refusal_memory.py OTHER_SRC [n_answers]   # the refusals, both trees
    python benchmarks/bench_dense_refusal_memory.py --peaks N_ITEMS K N_ANNOTATORS PER_ITEM

The first form encodes ``bench_majority_many_classes.py``'s free-text answers (``n_answers``, default 100,000)
and asks each tree's ``check_dense_fits`` about them (nothing dense is allocated), then fits each dense method of
this checkout in its own process, its address space capped at 6 GiB (a fit the check lets through stops there).
The second measures each dense method's peak traced memory (tracemalloc sees numpy's allocations) over its
posterior's bytes, on a simulated crowd: ``n_items``, ``K`` classes, each item answered by ``per_item`` of
``n_annotators`` annotators, 70% right.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "src"
METHODS = "DawidSkene,OneCoinDawidSkene,GLAD,MACE,MMSR,BWA,KOS,SoftLabelAverage,AutoAggregator"

ANSWERS = r"""
import numpy as np, pandas as pd
g = np.random.default_rng(0)
items = g.integers(0, n // 5, n)
labels = np.where(g.random(n) < 0.2, items * 1000 + g.integers(0, 2, n), np.arange(n) + 10**9)
df = pd.DataFrame({"item": items, "annotator": np.arange(n) % 50, "label": labels})
"""

CHECK = (
    "import json, sys\nn = int(sys.argv[1])\n"
    + ANSWERS
    + r"""
from labelwise.aggregate import _sparse_votes
from labelwise.aggregate._answers import encode_answers
enc = encode_answers(df)
out = {"items": enc.n_items, "K": enc.n_classes}
for square in (False, True):
    try:
        _sparse_votes.check_dense_fits("M", enc, per_annotator_square=square)
        out[f"square={square}"] = "fits"
    except Exception as e:
        out[f"square={square}"] = str(e)[:230]
print(json.dumps(out))
"""
)

FIT = (
    "import json, resource, sys, time\nn, name = int(sys.argv[1]), sys.argv[2]\n"
    "resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))\n"
    + ANSWERS
    + r"""
from labelwise import aggregate
t = time.perf_counter()
try:
    getattr(aggregate, name)().fit(df)
    r = {"outcome": "fitted"}
except MemoryError as e:
    r = {"outcome": f"MemoryError {str(e)[:60]}"}
except Exception as e:
    r = {"outcome": f"{type(e).__name__}: {str(e)[:150]}"}
r["s"] = round(time.perf_counter() - t, 2)
r["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps(r))
"""
)

PEAKS = r"""
import sys, tracemalloc, warnings
import numpy as np, pandas as pd
from labelwise import aggregate
n_items, k, n_ann, per = (int(a) for a in sys.argv[1:5])
g = np.random.default_rng(0)
truth = g.integers(0, k, n_items)
item = np.repeat(np.arange(n_items), per)
ann = np.concatenate([g.choice(n_ann, per, replace=False) for _ in range(n_items)])
label = np.where(g.random(item.size) < 0.7, truth[item], g.integers(0, k, item.size))
df = pd.DataFrame({"item": item, "annotator": ann, "label": label})
post = 8 * n_items * k
for name in sys.argv[5].split(","):
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(aggregate, name)().fit(df)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"| {n_items:,} x {k} ({n_ann} annotators, {per} per item) | {name} | {peak / 2**20:.1f} MiB | {peak / post:.2f} |")
"""


def _run(src: Path, code: str, *args: str) -> str:
    """The child's output (its error's last 300 characters when it printed nothing)."""
    env = {"PYTHONPATH": str(src), "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False)
    return done.stdout.strip() or done.stderr.strip()[-300:]


def main() -> None:
    if sys.argv[1] == "--peaks":
        print(_run(HERE, PEAKS, *sys.argv[2:6], METHODS))
        return
    other = Path(sys.argv[1]).resolve()
    n = sys.argv[2] if len(sys.argv) > 2 else "100000"
    print("MemTotal/MemAvailable:", Path("/proc/meminfo").read_text().splitlines()[:3])
    for label, src in (("this", HERE), ("other", other)):
        print(label, "check_dense_fits:", _run(src, CHECK, n))
    for name in METHODS.split(","):
        print("this", name, _run(HERE, FIT, n, name))


if __name__ == "__main__":
    main()
