"""CPU of the label model's lured-item fit (``weak._lure``), and its answers for a bit-for-bit check.

Runs ``LabelModel()`` on the crowds the lured-item fit reaches: the six K >= 3 dense crowds of the 93
dev sets (``dev_weak_dense_crowds.dense_crowd``, configurations 3, 4 and 6 on seeds 0 and 1), fresh
dense crowds of the same configurations (``--fresh`` seeds), and, with ``--dog``, the benchmark's
``s4_Dog_data`` (``LABELWISE_CROWD_DATA``; timing only, its accuracy is never computed). Per set it
prints the CPU (``time.process_time``) of the whole fit and of ``_lure.refit_lured`` alone, the best of
``--repeat`` fits, and with ``--save`` writes every set's ``labels_`` codes, ``probas_`` and ``lure_params_`` to an
``.npz``; ``--compare`` checks them against such a file (the same labels; the largest posterior
difference). Run it with ``PYTHONPATH`` at either tree's ``src`` to compare two versions in fresh
processes::

    OMP_NUM_THREADS=1 PYTHONPATH=/tmp/main/src python benchmarks/bench_lure_speed.py --dog --save ref.npz
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/bench_lure_speed.py --dog --compare ref.npz
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from _machine import machine_line  # noqa: E402

DENSE_K3 = (3, 4, 6)  # the DENSE configurations with K >= 3
DATA = Path(os.environ.get("LABELWISE_CROWD_DATA", Path(__file__).resolve().parents[1].parent / "shared/data/crowd"))


def crowd_sets(seeds: list[int], fresh: list[int], dog: bool) -> list[tuple[str, object]]:
    from dev_weak_dense_crowds import DENSE, dense_crowd

    from labelwise.weak import as_votes

    out: list[tuple[str, object]] = []
    for seed in [*seeds, *fresh]:
        for i in DENSE_K3:
            n, k, m, share, conf, hard = DENSE[i]
            out.append(
                (f"dense{i}_n{n}_K{k}_m{m}_s{seed}", dense_crowd(n, k, m, share, conf, hard, 1000 * seed + i)[0])
            )
    if dog:
        answers = pd.read_csv(DATA / "s4_Dog_data" / "annotations.csv")
        out.append(("s4_Dog_data", as_votes(answers)))
    return out


def timed_fits(votes, repeat: int) -> tuple[float, float, object]:
    """The best CPU of ``repeat`` fits, of the whole fit and of ``refit_lured`` within it, and the last model."""
    from labelwise.weak import LabelModel, _em

    inner = _em.refit_lured
    spent: list[float] = []

    def timed(*args, **kwargs):
        t = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            spent.append(time.process_time() - t)

    best, best_lure, model = np.inf, np.inf, None
    _em.refit_lured = timed
    try:
        for _ in range(repeat):
            spent.clear()
            t = time.process_time()
            model = LabelModel().fit(votes)
            best = min(best, time.process_time() - t)
            best_lure = min(best_lure, sum(spent))
    finally:
        _em.refit_lured = inner
    return best, best_lure, model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1], help="the 93's dense seeds")
    ap.add_argument("--fresh", type=int, nargs="*", default=[], help="more dense seeds")
    ap.add_argument("--dog", action="store_true", help="the benchmark's s4_Dog_data (timing only)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--save", default=None, help="write each set's labels and posteriors to this .npz")
    ap.add_argument("--compare", default=None, help="check them against such an .npz")
    args = ap.parse_args()
    import labelwise

    print(machine_line(), "| load", open("/proc/loadavg").read().split()[:3], "| labelwise", labelwise.__file__)
    saved: dict[str, np.ndarray] = {}
    ref = np.load(args.compare) if args.compare else None
    total = total_lure = 0.0
    for name, votes in crowd_sets(args.seeds, args.fresh, args.dog):
        cpu, lure_cpu, model = timed_fits(votes, args.repeat)
        total, total_lure = total + cpu, total_lure + lure_cpu
        labels = model.labels_.map({c: i for i, c in enumerate(model.classes_)}).fillna(-1).to_numpy(int)
        probas = np.asarray(model.probas_, dtype=np.float64)
        theta = np.asarray(model.lure_params_ if model.lure_params_ is not None else [], dtype=np.float64)
        saved[f"{name}/labels"], saved[f"{name}/probas"], saved[f"{name}/theta"] = labels, probas, theta
        line = f"{name:28s} fit {cpu:7.3f} s  lured {lure_cpu:7.3f} s  lured_items={model.lured_items_}"
        if ref is not None and f"{name}/labels" in ref:
            same = np.array_equal(ref[f"{name}/labels"], labels)
            diff = float(np.max(np.abs(ref[f"{name}/probas"] - probas)))
            exact = np.array_equal(ref[f"{name}/theta"], theta)
            line += f"  labels {'same' if same else 'DIFFER'}  max |probas diff| {diff:.3g}"
            line += f"  params {'identical' if exact else 'DIFFER'}"
        print(line, flush=True)
    print(f"total fit {total:.3f} s  lured {total_lure:.3f} s | load", open("/proc/loadavg").read().split()[:3])
    if args.save:
        np.savez(args.save, **saved)


if __name__ == "__main__":
    main()
