"""Issue 15, session 55 (trig2): the pooled-weight prior (``weak._pooled_prior``) on the shared-trigger falls.

(Docstring: rule and outcome to be stated before the judging run.)

Run (from the repository root)::

    PYTHONPATH=$PWD/src OMP_NUM_THREADS=1 python benchmarks/dev_weak_trigger_fix4.py --seeds 200-215 --csv /tmp/x.csv
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_shared_triggers import accuracy, bench_majority, shared_trigger_set  # noqa: E402

from labelwise import weak  # noqa: E402
from labelwise.weak import _pooled_prior  # noqa: E402


def fit_labels(matrix: np.ndarray, k: int, enabled: bool) -> np.ndarray:
    """``LabelModel(labels=range(k))``'s labels on ``matrix`` with :data:`_pooled_prior.ENABLED` set to
    ``enabled`` for the fit (restored after it)."""
    before = _pooled_prior.ENABLED
    _pooled_prior.ENABLED = enabled
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = weak.LabelModel(labels=list(range(k))).fit(matrix)
    finally:
        _pooled_prior.ENABLED = before
    return model.labels_.to_numpy(dtype=int)


def timed_fit(matrix: np.ndarray, k: int, enabled: bool) -> tuple[np.ndarray, float]:
    """:func:`fit_labels` and its CPU seconds (``_dev_weak_judge.part_b``'s fit)."""
    start = time.process_time()
    labels = fit_labels(matrix, k, enabled)
    return labels, time.process_time() - start


def parse_sets(text: str) -> list[tuple[int, int]]:
    """``FIRST-LAST[,...]`` -> (seed, K) for K = 2 and 3; or ``SEED:K[,...]`` -> those sets."""
    out: list[tuple[int, int]] = []
    for part in text.split(","):
        if ":" in part:
            seed, k = part.split(":")
            out.append((int(seed), int(k)))
        else:
            lo, hi = int(part.split("-")[0]), int(part.split("-")[-1])
            out += [(s, k) for s in range(lo, hi + 1) for k in (2, 3)]
    return out


def explore(sets: list[tuple[int, int]]) -> pd.DataFrame:
    """Per shared-trigger set: MV (as ``bench_weak.py`` scores it), main's default and the candidate's, points on
    voted items."""
    rows = []
    for seed, k in sets:
        matrix, y, _ = shared_trigger_set(seed, k)
        main, cand = fit_labels(matrix, k, False), fit_labels(matrix, k, True)
        row = {"seed": seed, "K": k, "mv": 100 * accuracy(bench_majority(matrix), matrix, y)}
        row |= {"main": 100 * accuracy(main, matrix, y), "cand": 100 * accuracy(cand, matrix, y)}
        rows.append(row | {"changed": bool((main != cand).any())})
    return pd.DataFrame(rows)


def summarise(frame: pd.DataFrame) -> str:
    """The judging counts of ``frame`` (columns mv, main, cand)."""
    below = {c: frame[c] - frame.mv < -0.5 for c in ("main", "cand")}
    return (
        f"{len(frame)} sets: more than 0.5 below MV {int(below['main'].sum())} -> {int(below['cand'].sum())}, newly "
        f"{int((below['cand'] & ~below['main']).sum())}, fixed {int((below['main'] & ~below['cand']).sum())}; mean "
        f"{frame.main.mean():.3f} -> {frame.cand.mean():.3f} (MV {frame.mv.mean():.3f}); changed "
        f"{int(frame.changed.sum())}, down more than 0.5 {int((frame.cand - frame.main < -0.5).sum())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", default="200-215", help="FIRST-LAST[,...] or SEED:K[,...] (seen seeds only)")
    parser.add_argument("--csv", default=None)
    parser.add_argument("--dev", action="store_true", help="the 93 dev sets (``_dev_weak_judge.part_b``) instead")
    args = parser.parse_args()
    if args.dev:
        from _dev_weak_judge import part_b

        part_b("93", None, "trig2", timed_fit)
        return
    frame = explore(parse_sets(args.seeds))
    print(summarise(frame))
    if args.csv:
        frame.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
