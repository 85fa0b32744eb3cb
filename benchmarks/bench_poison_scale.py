"""Poisoned-data detectors on representations larger than is comfortable in memory: labelwise's
``spectral_signatures`` and ``activation_clustering`` reading a memory-mapped ``.npy`` by row
blocks, vs ART 1.20.1's ``SpectralSignatureDefense`` (which takes in-memory activations) at the
largest size run here, on the same rows in one run.

The data: ``--rows`` x ``--dims`` float32 (default 2,000,000 x 256 = 2 GB on disk), written to
``--path`` block by block; 10 Gaussian classes (labels drawn at random, so the classes interleave
on disk), 3% of class 0 shifted by a trigger (norm 8) along one random direction. Nothing is tuned
on it: ``eps`` is the true poisoned share of class 0, activation clustering runs the paper's
defaults (ICA to 10 dims, relative size < 0.35).

Each run is a fresh child process, so its memory is its own: the peak of its anonymous memory
(``RssAnon`` of /proc/self/status sampled every 20 ms: what the process allocated; pages of the
memory map are file-backed and reclaimable, not counted there) and its peak resident set
(``VmHWM``, the mapped file's pages included). ``--art-rows``: the first rows given to ART (read
into memory, as ART needs) and to labelwise in memory, for the speed ratio and the agreement on
the same input. BLAS on ``--blas-threads`` threads (default 1, as bench_poison_detect.py).
``--detectors`` picks spectral signatures and/or activation clustering (vs ART's
``ActivationDefence`` with FastICA to 10 dims; ``--analysis`` for both where ART has it);
``--baseline-src /path/to/other/src ...`` runs labelwise's activation clustering at ``--rows`` with
other labelwises (before and after a change, in one run), interleaved: this labelwise, each other,
each other again, this one again. Activation clustering reports its Lloyd passes (per class and
iteration on class-grouped slabs; per iteration for all classes at once before session 36).

    python benchmarks/bench_poison_scale.py [--rows 2000000] [--dims 256] [--art-rows 500000] [--path /tmp/x.npy]
        [--detectors spectral clusters] [--analysis smaller] [--baseline-src ../main/src ../older/src]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
from _machine import machine_line

TARGET, SHARE, CLASSES = 0, 0.03, 10
#: ART's name of labelwise's analysis. ART 1.20.1's "relative-size" raises under numpy 2 (``cluster_id in
#: poison_clusters`` on an empty array), so ART runs its default "smaller" then: the same reduction and
#: 2-means (all the time and memory), another rule; the flags are then not compared.
ART_ANALYSES = {"relative-size": "smaller", "smaller": "smaller", "silhouette": "silhouette-scores"}


def make(path: Path, rows: int, dims: int, seed: int = 0) -> None:
    """The features (memory-mapped .npy, written by blocks), labels and poisoned rows."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, CLASSES, size=rows)
    poisoned = (labels == TARGET) & (rng.random(rows) < SHARE)
    centres = rng.normal(scale=1.0, size=(CLASSES, dims)).astype(np.float32)
    trigger = rng.normal(size=dims)
    trigger = (8.0 * trigger / np.linalg.norm(trigger)).astype(np.float32)
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(rows, dims))
    for start in range(0, rows, 100_000):
        stop = min(start + 100_000, rows)
        block = rng.standard_normal(size=(stop - start, dims), dtype=np.float32) + centres[labels[start:stop]]
        block[poisoned[start:stop]] += trigger
        out[start:stop] = block
    out.flush()
    del out
    np.save(path.with_suffix(".labels.npy"), labels)
    np.save(path.with_suffix(".poisoned.npy"), poisoned)


class Peak:
    """The peak anonymous memory of this process, sampled in a thread."""

    def __init__(self) -> None:
        self.anon, self.stop = 0, False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    @staticmethod
    def status(field: str) -> int:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        return 0

    def run(self) -> None:
        while not self.stop:
            self.anon = max(self.anon, self.status("RssAnon"))
            time.sleep(0.02)


def art_clusters(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """ART's ActivationDefence with labelwise's defaults (FastICA to 10 dims, relative size)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from art.defences.detector.poison import ActivationDefence

        sys.path.insert(0, str(Path(__file__).parent))
        from bench_poison_detect import FixedActivations

        det = ActivationDefence(FixedActivations(features, CLASSES), np.arange(len(labels)), labels)
        _, clean = det.detect_poison(
            nb_clusters=2, nb_dims=10, reduce="FastICA", cluster_analysis=ART_ANALYSES[ARGS.analysis]
        )
    return np.asarray(clean) == 0


def count_lloyd_passes() -> list[int]:
    """Counts labelwise's Lloyd passes over the reduced rows: one per class and iteration on the
    class-grouped slabs (session 36), or one per 2-means iteration for all classes at once (session
    35's passes, and Dask's); -1 on a labelwise before them (``--baseline-src``)."""
    calls = [0]
    try:
        from labelwise.poison import _detect_slabs as module

        name = "_lloyd_step"
    except ImportError:
        try:
            from labelwise.poison import _detect_lloyd as module

            name = "_lloyd_pass"
        except ImportError:
            return [-1]
    real = getattr(module, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        return real(*args, **kwargs)

    setattr(module, name, counted)
    return calls


def child(task: str, path: Path, rows: int) -> dict:
    """One measured run (in a fresh process)."""
    from threadpoolctl import threadpool_limits

    import labelwise as lw

    labels = np.load(path.with_suffix(".labels.npy"))[:rows]
    poisoned = np.load(path.with_suffix(".poisoned.npy"))[:rows]
    eps = float(poisoned[labels == TARGET].mean())
    passes = count_lloyd_passes()
    peak = Peak()
    base = peak.status("RssAnon")
    start = time.perf_counter()
    with threadpool_limits(ARGS.blas_threads):
        if task.endswith("-memory") or task.startswith("art"):
            features = np.array(np.load(path, mmap_mode="r")[:rows])
        else:
            features = np.load(path, mmap_mode="r")[:rows]
        if task.startswith("lw-spectral"):
            flagged = lw.poison.spectral_signatures(features, labels, eps=eps).is_flagged
        elif task.startswith("lw-clusters"):
            flagged = lw.poison.activation_clustering(features, labels, analysis=ARGS.analysis).is_flagged
        elif task == "art-clusters":
            flagged = art_clusters(features, labels)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from art.defences.detector.poison import SpectralSignatureDefense

                sys.path.insert(0, str(Path(__file__).parent))
                from bench_poison_detect import FixedActivations

                wrap = FixedActivations(features, CLASSES)
                det = SpectralSignatureDefense(wrap, np.arange(rows), labels, expected_pp_poison=eps)
                _, clean = det.detect_poison()
            flagged = np.asarray(clean) == 0
    seconds = time.perf_counter() - start
    peak.stop = True
    peak.thread.join()
    tp = int(np.sum(flagged & poisoned))
    np.save(path.with_suffix(f".{task}.{rows}.flags.npy"), flagged)
    return {
        "task": task,
        "rows": rows,
        "seconds": round(seconds, 1),
        "peak_anon_mb": round((peak.anon - base) / 2**20),
        "peak_rss_mb": round(peak.status("VmHWM") / 2**20),
        "recall": round(tp / max(1, poisoned.sum()), 3),
        "precision": round(tp / max(1, flagged.sum()), 3),
        **({"lloyd_passes": passes[0]} if task.startswith("lw-clusters") else {}),
    }


def run(task: str, rows: int, src: str | None = None) -> dict:
    """One task in a fresh process (labelwise imported from ``src`` when given)."""
    cmd = [sys.executable, __file__, "--child", task, "--rows", str(rows), "--path", str(ARGS.path)]
    cmd += ["--blas-threads", str(ARGS.blas_threads), "--analysis", ARGS.analysis]
    env = None if src is None else {**os.environ, "PYTHONPATH": src}
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    load = open("/proc/loadavg", encoding="ascii").read().split()[0]
    if out.returncode != 0:
        return {"task": task, "rows": rows, "error": out.stderr.strip().splitlines()[-1:]}
    result = {**json.loads(out.stdout.strip().splitlines()[-1]), "load_after": float(load)}
    if src is not None:  # its flags kept apart from this labelwise's
        flags = Path(ARGS.path).with_suffix(f".{task}.{rows}.flags.npy")
        flags.replace(flags.with_suffix(f".base{ARGS.baseline_src.index(src)}.npy"))
        result["task"], result["src"] = f"{task} ({src})", src
    return result


def compare_baselines(results: list[dict]) -> None:
    """This labelwise's activation clustering against each ``--baseline-src``: the ratio of their
    mean times and whether the flags are the same row by row."""
    path, rows = Path(ARGS.path), ARGS.rows
    ours = [r["seconds"] for r in results if r.get("task") == "lw-clusters" and r["rows"] == rows]
    mine = np.load(path.with_suffix(f".lw-clusters.{rows}.flags.npy"))
    for i, src in enumerate(ARGS.baseline_src):
        theirs = [r["seconds"] for r in results if r.get("src") == src]
        if not ours or not theirs:
            continue
        other = np.load(path.with_suffix(f".lw-clusters.{rows}.flags.base{i}.npy"))
        print(
            f"clusters, {rows} rows: {src} mean {np.mean(theirs):.1f} s / this labelwise mean {np.mean(ours):.1f} s "
            f"= {np.mean(theirs) / np.mean(ours):.2f}; flags identical: {bool(np.array_equal(mine, other))}"
        )


def main() -> None:
    path = Path(ARGS.path)
    if ARGS.child:
        print(json.dumps(child(ARGS.child, path, ARGS.rows)))
        return
    print(machine_line("scikit-learn", "adversarial-robustness-toolbox"))
    print(f"load average at the start: {open('/proc/loadavg', encoding='ascii').read().split()[:3]}")
    print(f"data: {ARGS.rows} x {ARGS.dims} float32 ({ARGS.rows * ARGS.dims * 4 / 2**30:.2f} GiB) at {path}")
    start = time.perf_counter()
    make(path, ARGS.rows, ARGS.dims)
    print(f"written in {time.perf_counter() - start:.0f} s")
    results = []
    for name in ARGS.detectors:
        results.append(run(f"lw-{name}", ARGS.rows))
        print(json.dumps(results[-1]), flush=True)
        for src in ARGS.baseline_src if name == "clusters" else []:
            results.append(run(f"lw-{name}", ARGS.rows, src))
            print(json.dumps(results[-1]), flush=True)
        for src in reversed(ARGS.baseline_src) if name == "clusters" else []:  # again, in the other order
            results.append(run(f"lw-{name}", ARGS.rows, src))
            print(json.dumps(results[-1]), flush=True)
        if ARGS.baseline_src and name == "clusters":
            results.append(run(f"lw-{name}", ARGS.rows))
            print(json.dumps(results[-1]), flush=True)
        for rows in ARGS.art_rows:
            for task in (f"lw-{name}", f"lw-{name}-memory", f"art-{name}"):
                results.append(run(task, rows))
                print(json.dumps(results[-1]), flush=True)
    if ARGS.baseline_src and "clusters" in ARGS.detectors:
        compare_baselines(results)
    for name in ARGS.detectors:
        for rows in ARGS.art_rows:
            t = {r["task"]: r.get("seconds") for r in results if r["rows"] == rows}
            if not (t.get(f"lw-{name}") and t.get(f"art-{name}")):
                continue
            if name == "clusters" and ART_ANALYSES[ARGS.analysis] != ARGS.analysis:
                print(f"{name}, {rows} rows: ART time / labelwise memmap {t[f'art-{name}'] / t[f'lw-{name}']:.2f}")
                continue
            a = np.load(path.with_suffix(f".lw-{name}.{rows}.flags.npy"))
            b = np.load(path.with_suffix(f".art-{name}.{rows}.flags.npy"))
            ratio = t[f"art-{name}"] / t[f"lw-{name}"]
            print(f"{name}, {rows} rows: flags agree on {np.mean(a == b):.4f}; ART time / labelwise memmap {ratio:.2f}")
    print(f"load average at the end: {open('/proc/loadavg', encoding='ascii').read().split()[:3]}")
    if not ARGS.keep:  # only the files written here (a log beside them named like the data stays)
        written = [path, path.with_suffix(".labels.npy"), path.with_suffix(".poisoned.npy")]
        for p in [*written, *path.parent.glob(path.stem + ".*.flags*.npy")]:
            p.unlink(missing_ok=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--art-rows", type=int, nargs="*", default=[500_000])
    parser.add_argument("--path", default="/tmp/bench_poison_scale.npy")
    parser.add_argument("--blas-threads", type=int, default=1)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--detectors", nargs="*", choices=["spectral", "clusters"], default=["spectral", "clusters"])
    parser.add_argument(
        "--baseline-src", nargs="*", default=[], help="other labelwise src/ folders: clusters runs with each, twice"
    )
    parser.add_argument("--analysis", default="relative-size", help="labelwise activation clustering's analysis")
    parser.add_argument("--child", default=None)
    ARGS = parser.parse_args()
    main()
