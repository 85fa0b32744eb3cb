"""Time of the default ``DawidSkene()`` and of its dependent-pair check, against crowd-kit's DS.

The default Dawid-Skene fit checks every pair of annotators against the fitted model
(``labelwise.aggregate._pair_check.check_pairs``); on small dense crowds that check is most of the
fit. For Duck, SP_amt, ZenCrowd_us, Dog and a simulated dense crowd (400 items, 200 annotators,
each item answered by each annotator with probability 0.6), the script prints the best of
``--repeats`` fits of ``DawidSkene()`` and of ``DawidSkene(smoothing=0)`` (no check), the time spent
in ``check_pairs`` during the best default fit, crowd-kit's ``DawidSkene`` on the three small sets
(``fit_predict``, best of ``--repeats``) and the ratio crowd-kit / labelwise, the load average, and a
sha256 of ``probas_``, ``labels_`` and ``dependent_pairs_``. Times are the process's CPU time
(``--clock wall``: elapsed time).

``--before SRC`` also times another checkout's ``src`` (a child process with ``PYTHONPATH=SRC``,
run before this one on each set) and prints the speed-up and whether the hashes are equal::

    cd benchmarks && PYTHONPATH=../src python bench_pair_check.py --before /path/to/main/src
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _crowd_sets import read_crowd_set
from _machine import cpu_model

CROWD = Path(os.environ.get("LABELWISE_CROWD_DATA", Path(__file__).resolve().parents[2] / "shared/data/crowd"))
#: Real sets timed, and the ones crowd-kit's DS is timed on.
REAL = ["d_Duck_Identification", "SP_amt", "ZenCrowd_us", "s4_Dog_data"]
CROWDKIT = ["d_Duck_Identification", "SP_amt", "ZenCrowd_us"]
#: The clock of every timing: the process's CPU time by default (``--clock wall``: elapsed time),
#: which a loaded machine disturbs less than elapsed time (every fit here runs on one thread).
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
_clock = CLOCKS["cpu"]


def dense_crowd(seed: int = 0, n_items: int = 400, n_ann: int = 200, k: int = 3) -> pd.DataFrame:
    """Each annotator (accuracy 0.55-0.9, errors uniform) answers each item with probability 0.6."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    acc = rng.uniform(0.55, 0.9, n_ann)
    item, ann = (x.ravel() for x in np.meshgrid(np.arange(n_items), np.arange(n_ann), indexing="ij"))
    keep = rng.random(item.size) < 0.6
    item, ann = item[keep], ann[keep]
    right = rng.random(item.size) < acc[ann]
    label = np.where(right, truth[item], (truth[item] + rng.integers(1, k, item.size)) % k)
    return pd.DataFrame({"item": item, "annotator": ann, "label": label})


def load_sets() -> dict[str, pd.DataFrame]:
    sets = {name: read_crowd_set(CROWD / name)[0] for name in REAL}
    sets["dense (simulated)"] = dense_crowd()
    return sets


def _digest(model) -> str:
    h = hashlib.sha256()
    for frame in (model.probas_, model.labels_, model.dependent_pairs_):
        h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        if isinstance(frame, pd.DataFrame):
            h.update(np.ascontiguousarray(frame.select_dtypes("number").to_numpy(dtype=np.float64)).tobytes())
    return h.hexdigest()[:16]


def time_labelwise(answers: pd.DataFrame, repeats: int) -> dict:
    """Best of ``repeats`` default fits (and the check's share of the best), and of smoothing=0."""
    from labelwise.aggregate import DawidSkene, _dependent

    spent = [0.0]
    inner = _dependent.check_pairs

    def timed(*args, **kwargs):
        t0 = _clock()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[0] += _clock() - t0

    best, best_check, model = np.inf, 0.0, None
    _dependent.check_pairs = timed
    try:
        for _ in range(repeats):
            spent[0] = 0.0
            t0 = _clock()
            model = DawidSkene().fit(answers)
            took = _clock() - t0
            if took < best:
                best, best_check = took, spent[0]
    finally:
        _dependent.check_pairs = inner
    plain = np.inf
    for _ in range(repeats):
        t0 = _clock()
        DawidSkene(smoothing=0).fit(answers)
        plain = min(plain, _clock() - t0)
    return {
        "ds": best,
        "check": best_check,
        "plain": plain,
        "digest": _digest(model),
        "pairs": len(model.dependent_pairs_),
    }


def time_crowdkit(answers: pd.DataFrame, repeats: int) -> float:
    from crowdkit.aggregation import DawidSkene as CkDawidSkene

    frame = answers.rename(columns={"item": "task", "annotator": "worker"})
    best = np.inf
    for _ in range(repeats):
        t0 = _clock()
        CkDawidSkene().fit_predict(frame)
        best = min(best, _clock() - t0)
    return best


def child(repeats: int, names: list[str]) -> None:
    """Time the labelwise on ``sys.path`` (``--json``): one JSON object by set name."""
    sets = load_sets()
    json.dump({name: time_labelwise(sets[name], repeats) for name in names}, sys.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="best of N fits")
    ap.add_argument("--before", help="another checkout's src folder, timed first on each set")
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="cpu", help="CPU time of the process, or elapsed time")
    ap.add_argument("--json", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    global _clock
    _clock = CLOCKS[args.clock]
    warnings.simplefilter("ignore")
    if args.json is not None:
        child(args.repeats, args.json)
        return
    import sklearn

    import labelwise

    print(
        f"machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, numpy "
        f"{np.__version__}, pandas {pd.__version__}, scikit-learn {sklearn.__version__}; "
        f"labelwise from {Path(labelwise.__file__).parent}; clock: {args.clock}; {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC"
    )
    sets = load_sets()
    head = f"{'set':22} {'answers':>7} {'load':>5} {'DS':>9} {'check':>9} {'smooth=0':>9} {'crowd-kit':>9} {'ck/DS':>6}"
    print(head + ("  before  (check)  speed-up  same bits" if args.before else "  sha256"))
    for name, answers in sets.items():
        load = os.getloadavg()[0]
        before = None
        if args.before:
            env = {**os.environ, "PYTHONPATH": args.before}
            cmd = [sys.executable, __file__, "--repeats", str(args.repeats), "--clock", args.clock, "--json", name]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
            before = json.loads(out)[name]
        now = time_labelwise(answers, args.repeats)
        ck = time_crowdkit(answers, args.repeats) if name in CROWDKIT else float("nan")
        line = (
            f"{name[:22]:22} {len(answers):7d} {load:5.2f} {now['ds'] * 1e3:7.1f}ms {now['check'] * 1e3:7.1f}ms "
            f"{now['plain'] * 1e3:7.1f}ms {ck * 1e3:7.1f}ms {ck / now['ds']:5.1f}x"
        )
        if before is not None:
            same = "yes" if before["digest"] == now["digest"] else "NO"
            line += f"  {before['ds'] * 1e3:7.1f}ms ({before['check'] * 1e3:5.1f}ms) {before['ds'] / now['ds']:6.2f}x  {same}"
            if np.isfinite(ck):
                line += f" (crowd-kit / before {ck / before['ds']:.1f}x)"
        else:
            line += f"  {now['digest']}"
        print(line, flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
