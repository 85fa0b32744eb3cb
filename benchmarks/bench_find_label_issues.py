"""labelwise.find_label_issues vs cleanlab.filter.find_label_issues, side by side.

Both libraries get the same synthetic out-of-fold probabilities (softmax of Gaussian logits with
the true class boosted, 10% of labels flipped) for every n in --sizes, K in --classes and dtype
in --dtypes. Time: best of --repeat runs in this process, wall clock and CPU time, for labelwise,
cleanlab with n_jobs=1 and cleanlab with its default n_jobs (all cores). Memory: peak extra
memory during the call and memory still held after it returns, measured with tracemalloc in a
fresh child process per library (cleanlab keeps a module-global copy of the probabilities, so
measuring both in one process would be unfair to whichever runs second).

    python benchmarks/bench_find_label_issues.py                 # the full grid (several minutes)
    python benchmarks/bench_find_label_issues.py --sizes 1e5 --classes 10 --dtypes float64
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
from _machine import cpu_model  # noqa: E402


def synthetic(n: int, k: int, dtype: str, seed: int = 0):
    """Labels and probabilities: 10% label noise, a model that is right about 80% of the time."""
    rng = np.random.default_rng(seed)
    true = rng.integers(0, k, n)
    probs = rng.standard_normal((n, k), dtype=np.float32)
    probs[np.arange(n), true] += 3.0
    np.exp(probs, out=probs)
    probs /= probs.sum(axis=1, keepdims=True)
    labels = true.copy()
    flip = rng.random(n) < 0.1
    labels[flip] = (true[flip] + rng.integers(1, k, flip.sum())) % k
    probs = probs.astype(dtype)
    probs /= probs.sum(axis=1, keepdims=True)
    return labels, probs


def run(lib: str, labels, probs, filter_by: str):
    if lib == "labelwise":
        import labelwise

        return labelwise.find_label_issues(labels, probs, filter_by=filter_by).is_issue
    import cleanlab.filter

    n_jobs = 1 if lib == "cleanlab-1" else None
    return cleanlab.filter.find_label_issues(labels, probs, filter_by=filter_by, n_jobs=n_jobs)


def best_time(lib, labels, probs, filter_by, repeat):
    walls, cpus, mask = [], [], None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        mask = run(lib, labels, probs, filter_by)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus), mask


def same_counts_differ(labels, probs, filter_by: str) -> int:
    """Flags that differ when cleanlab is handed labelwise's calibrated confident joint.

    With K > 16 cleanlab breaks ties between equal rounding remainders in an unstable order,
    so the integer counts per cell (and hence a few flags) can differ; given the same counts
    (and cleanlab's argmax rule, issue #1248) the flagged sets must agree exactly.
    """
    import cleanlab.filter

    import labelwise

    ours = labelwise.find_label_issues(labels, probs, filter_by=filter_by, confident_class_rule="argmax")
    theirs = cleanlab.filter.find_label_issues(
        labels, probs, filter_by=filter_by, n_jobs=1, confident_joint=ours.calibrated_confident_joint
    )
    return int((ours.is_issue != theirs).sum())


def child(lib: str, n: int, k: int, dtype: str, filter_by: str) -> None:
    """Measure peak extra and retained memory of one call in this fresh process."""
    import threading
    import tracemalloc

    labels, probs = synthetic(n, k, dtype)
    # Import and warm up outside the measurement, on a thread that then ends: what a library keeps
    # per thread (labelwise's scratch buffers) goes with it, so the measured call allocates all it
    # needs, as a user's first call does (a warm-up on this thread hid labelwise's fixed-size buffers).
    warm = threading.Thread(target=run, args=(lib, labels[:1000], probs[:1000], filter_by))
    warm.start()
    warm.join()
    import gc

    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    mask = run(lib, labels, probs, filter_by)
    current, peak = tracemalloc.get_traced_memory()
    retained = current - base - mask.nbytes
    tracemalloc.stop()
    print(json.dumps({"peak": peak - base, "retained": max(retained, 0), "probs_bytes": probs.nbytes}))


def memory(lib, n, k, dtype, filter_by):
    out = subprocess.run(
        [sys.executable, __file__, "--child", lib, str(n), str(k), dtype, filter_by],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> str:
    import numpy

    cpu = cpu_model()
    try:
        import cleanlab

        cl = cleanlab.__version__
    except ImportError:
        cl = "not installed"
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"cleanlab {cl}, load average {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e5,1e6")
    parser.add_argument("--classes", default="10,100")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--filter-by", default="prune_by_noise_rate")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--child", nargs=5, metavar=("LIB", "N", "K", "DTYPE", "FILTER"))
    args = parser.parse_args()
    if args.child:
        lib, n, k, dtype, filter_by = args.child
        child(lib, int(n), int(k), dtype, filter_by)
        return

    warm_labels, warm_probs = synthetic(1000, 10, "float64")
    for lib in ("labelwise", "cleanlab-1"):  # imports and first-call costs stay out of the timings
        run(lib, warm_labels, warm_probs, args.filter_by)
    print(f"machine: {machine()}")
    print(
        f"filter_by={args.filter_by}; times are best of {args.repeat} (wall s / CPU s); memory as multiples of the probs array"
    )
    header = (
        "| n | K | dtype | labelwise wall (cpu) | cleanlab n_jobs=1 wall (cpu) | cleanlab default wall | "
        "speed-up vs n_jobs=1 | vs default | flags differing: as is / same counts | peak extra mem lw / cl | retained after return lw / cl |"
    )
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for n in [int(float(s)) for s in args.sizes.split(",")]:
        for k in [int(s) for s in args.classes.split(",")]:
            for dtype in args.dtypes.split(","):
                labels, probs = synthetic(n, k, dtype)
                repeat = args.repeat if n * k <= 10_000_000 else max(1, args.repeat - 1)
                lw_wall, lw_cpu, lw_mask = best_time("labelwise", labels, probs, args.filter_by, repeat)
                c1_wall, c1_cpu, c1_mask = best_time("cleanlab-1", labels, probs, args.filter_by, repeat)
                cd_wall, _, _ = best_time("cleanlab-default", labels, probs, args.filter_by, 1)
                same = f"{int((lw_mask != c1_mask).sum())} / {same_counts_differ(labels, probs, args.filter_by)}"
                mem = "-"
                kept = "-"
                if not args.no_memory:
                    m_lw = memory("labelwise", n, k, dtype, args.filter_by)
                    m_cl = memory("cleanlab-1", n, k, dtype, args.filter_by)
                    size = m_lw["probs_bytes"]
                    mem = f"{m_lw['peak'] / size:.2f}x / {m_cl['peak'] / size:.2f}x"
                    kept = f"{m_lw['retained'] / size:.2f}x / {m_cl['retained'] / size:.2f}x"
                print(
                    f"| {n:.0e} | {k} | {dtype} | {lw_wall:.3f} ({lw_cpu:.3f}) | {c1_wall:.3f} ({c1_cpu:.3f}) | "
                    f"{cd_wall:.3f} | {c1_wall / lw_wall:.1f}x | {cd_wall / lw_wall:.1f}x | {same} | {mem} | {kept} |",
                    flush=True,
                )
                del labels, probs


if __name__ == "__main__":
    main()
