"""Before/after check of the shared SQUAREM (``labelwise._squarem``, session 33, squarem33).

Fits the three ported callers on simulated data and saves every fitted attribute (``--save``), or
compares a run with a saved one (``--compare``), bit for bit:

* the weak label model (``LabelModel``, both abstain models) on ``simulate_lfs`` with
  ``bench_weak.py``'s simulated configurations, dev seeds 100-109, 3000 items each (10,000 in the
  benchmark; fewer to keep the check short);
* STAPLE (``pool="annotator"``, the default, and ``pool="item"``) on ``bench_masks.py --dev``'s
  simulated masks, dev seeds 100-101;
* ``BiasPrecision`` and ``RobustBiasPrecision`` on ``bench_numbers.py``'s small cases (1000 and
  10,000 answers, with and without 5% typos, seed 2026).

Usage: ``python benchmarks/dev_squarem_unify.py --save before.pkl`` on the old code, then
``--compare before.pkl`` on the new.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

# labelwise first: from PYTHONPATH (the old code for --save), before bench_numbers puts this tree's src first
import labelwise
from labelwise.aggregate import STAPLE, BiasPrecision, RobustBiasPrecision
from labelwise.aggregate._masks_simulate import simulate_masks
from labelwise.weak import LabelModel, simulate_lfs

sys.path.insert(0, str(Path(__file__).parent))

from bench_numbers import simulate as simulate_numbers  # noqa: E402
from bench_weak import SIM_CONFIGS  # noqa: E402


def fitted(model) -> dict:
    """Every public fitted attribute, as numpy arrays or plain values."""
    out = {}
    for name, value in vars(model).items():
        if not name.endswith("_") or name.startswith("_"):
            continue
        if isinstance(value, (pd.Series, pd.DataFrame, pd.Index)):
            value = value.to_numpy()
        elif isinstance(value, dict):
            value = {k: (v.to_numpy() if hasattr(v, "to_numpy") else v) for k, v in value.items()}
        elif isinstance(value, list):
            value = np.asarray(value, dtype=object) if any(isinstance(v, (tuple, str)) for v in value) else value
        out[name] = value
    return out


def cases(seconds: dict[str, float] | None = None) -> dict[str, dict]:
    """Every case's fitted attributes; ``seconds`` receives each family's fitting time."""
    results = {}
    seconds = {} if seconds is None else seconds
    clock = time.perf_counter()
    for i, (_, m, k, corr, cov, imb) in enumerate(SIM_CONFIGS):
        seed = 100 + i
        sim = simulate_lfs(3000, m, k, n_correlated=corr, coverage=cov, imbalance=imb, random_state=seed)
        for abstains in ("informative", "missing"):
            results[f"weak seed{seed} {abstains}"] = fitted(LabelModel(abstains=abstains).fit(sim.votes))
    seconds["weak"], clock = seconds.get("weak", 0.0) + time.perf_counter() - clock, time.perf_counter()
    for seed in (100, 101):
        for size, n_ann, n_items in ((64, 3, 30), (64, 5, 30), (128, 9, 10)):
            masks, _ = simulate_masks(n_items, size, n_ann, n_spammers=1, missing=0.1, random_state=seed)
            for params in ({}, {"pool": "item", "prior": "item"}):
                key = f"staple seed{seed} {size}px x{n_ann} {params or 'default'}"
                results[key] = fitted(STAPLE(**params).fit(masks))
    seconds["staple"], clock = seconds.get("staple", 0.0) + time.perf_counter() - clock, time.perf_counter()
    for n in (1000, 10_000):
        for typos in (0.0, 0.05):
            answers, _ = simulate_numbers(n, 2026, typos=typos)
            for est in (BiasPrecision(), RobustBiasPrecision()):
                results[f"{type(est).__name__} n={n} typos={typos}"] = fitted(est.fit(answers))
    seconds["numbers"] = seconds.get("numbers", 0.0) + time.perf_counter() - clock
    return results


def same(a, b) -> tuple[bool, float]:
    """Whether ``a`` and ``b`` are equal bit for bit, and their largest absolute difference."""
    if isinstance(a, dict):
        pairs = [same(a[k], b.get(k)) for k in a] if isinstance(b, dict) and set(a) == set(b) else [(False, np.inf)]
        return all(p[0] for p in pairs), max((p[1] for p in pairs), default=0.0)
    try:
        x, y = np.asarray(a), np.asarray(b)
    except Exception:  # noqa: BLE001
        return a == b, 0.0 if a == b else np.inf
    if x.shape != y.shape:
        return False, np.inf
    if x.dtype.kind in "fc" and y.dtype.kind in "fc":
        equal = bool(np.array_equal(x, y, equal_nan=True))
        both = np.isfinite(x) & np.isfinite(y)
        diff = float(np.max(np.abs(x[both] - y[both]), initial=0.0))
        return equal, diff
    equal = bool(np.all(x == y)) if x.size else True
    return equal, 0.0 if equal else np.inf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--compare", type=Path)
    parser.add_argument("--repeat", type=int, default=1, help="fit every case this often; the best time is printed")
    args = parser.parse_args()
    print(f"labelwise from {Path(labelwise.__file__).parent}")
    best: dict[str, float] = {}
    for _ in range(max(args.repeat, 1)):
        seconds: dict[str, float] = {}
        results = cases(seconds)
        best = {k: min(v, best.get(k, np.inf)) for k, v in seconds.items()}
    print(f"{len(results)} fits; best of {args.repeat}: " + ", ".join(f"{k} {v:.2f} s" for k, v in best.items()))
    if args.save:
        args.save.write_bytes(pickle.dumps(results))
        return
    before = pickle.loads(args.compare.read_bytes())
    n_differ = 0
    for key, attrs in before.items():
        after = results[key]
        for name, value in attrs.items():
            equal, diff = same(value, after.get(name))
            if not equal:
                n_differ += 1
                print(f"DIFFERS {key} {name}: max abs difference {diff:.3g}")
    print(f"{len(before)} fits, {sum(map(len, before.values()))} attributes compared: {n_differ} differ")


if __name__ == "__main__":
    main()
