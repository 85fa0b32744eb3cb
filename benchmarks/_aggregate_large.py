"""10M answers in memory (issue 12), per stage, a source tree against another in one run.

``python benchmarks/bench_aggregate.py --large [--before OLD/src]`` calls :func:`run_large`: it runs
this file as a script once per source tree (a fresh process each, ``labelwise`` imported from that
tree), on the same simulated answers (1,000,000 items, 10,000 annotators, K=5, 70% accuracy,
10,000,000 answers, seed 0), with integer ids and with string ids in a DataFrame. Each process
writes its timings (wall and CPU per stage) and its labels and posteriors; the parent prints them
side by side and checks that both trees give identical labels and posteriors within 1e-9.

Make a copy of an older tree with ``git archive <commit> src | tar -x -C /tmp/before``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"majority-vote fit": 1.0, "dawid-skene fit": 3.0}


def simulate(n_answers: int = 10_000_000, n_items: int = 1_000_000, n_annotators: int = 10_000, k: int = 5):
    """The answers (integer ids) and the true class of each item."""
    rng = np.random.default_rng(0)
    truth = rng.integers(0, k, n_items)
    item = rng.integers(0, n_items, n_answers)
    ann = rng.integers(0, n_annotators, n_answers)
    right = rng.random(n_answers) < 0.7
    label = np.where(right, truth[item], (truth[item] + rng.integers(1, k, n_answers)) % k)
    return pd.DataFrame({"item": item, "annotator": ann, "label": label}), truth


def _timed(fn):
    """(result, wall s, CPU s, of which system s: page faults of fresh allocations, mostly)."""
    t0, c0, s0 = time.perf_counter(), time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_stime
    out = fn()
    sys_s = resource.getrusage(resource.RUSAGE_SELF).ru_stime - s0
    return out, time.perf_counter() - t0, time.process_time() - c0, sys_s


def _string_ids(pattern: str, codes: np.ndarray) -> pd.Series:
    """``pattern.format(code)`` for every code, as pandas' default (Arrow) strings, in sorted order
    of the codes (zero-padded); made once per distinct code, then taken."""
    distinct = pd.array([pattern.format(c) for c in range(int(codes.max()) + 1)], dtype="str")
    return pd.Series(distinct.take(codes))


def worker(out: Path, n_answers: int) -> None:
    """Time every stage with the ``labelwise`` on ``sys.path``; write ``timings.json`` and arrays."""
    from labelwise.aggregate import DawidSkene, MajorityVote, OneCoinDawidSkene
    from labelwise.aggregate._answers import encode_answers

    answers, truth = simulate(n_answers, n_answers // 10, max(n_answers // 1000, 10))
    times: dict[str, list[float]] = {}
    info: dict[str, object] = {}

    def stage(name, fn):
        out, *times[name] = _timed(fn)
        return out

    enc = stage("encode (int ids)", lambda: encode_answers(answers))
    pat = stage("answer patterns", lambda enc=enc: enc.patterns)
    info["patterns"] = [pat.n_patterns, bool(getattr(pat, "grouped", True))]
    del enc, pat
    estimators = {"majority-vote": MajorityVote, "dawid-skene": DawidSkene, "one-coin": OneCoinDawidSkene}
    for name, cls in estimators.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = stage(f"{name} fit", lambda cls=cls: cls().fit(answers))
        np.save(out / f"{name}_codes.npy", np.asarray(est.label_codes_))
        np.save(out / f"{name}_probas.npy", est.probas_.to_numpy())
        info[f"{name} iterations"] = int(est.n_iter_)
        info[f"{name} accuracy"] = float((est.labels_.to_numpy() == truth[est.labels_.index.to_numpy()]).mean())
        del est
    strings = pd.DataFrame(
        {
            "item": _string_ids("i{:07d}", answers["item"].to_numpy()),
            "annotator": _string_ids("w{:05d}", answers["annotator"].to_numpy()),
            "label": answers["label"],
        }
    )
    info["string dtype"] = str(strings["item"].dtype)
    stage("encode (string ids)", lambda: encode_answers(strings))
    for name in ("majority-vote", "dawid-skene"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = stage(f"{name} fit (string ids)", lambda name=name: estimators[name]().fit(strings))
        np.save(out / f"{name}_strings_codes.npy", np.asarray(est.label_codes_))
    (out / "timings.json").write_text(json.dumps({"times": times, "info": info}))


def _run_tree(src: Path, out: Path, n_answers: int) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(src))
    subprocess.run([sys.executable, __file__, str(src), str(out), str(n_answers)], check=True, env=env)
    return json.loads((out / "timings.json").read_text())


def _compare(before: Path, after: Path) -> None:
    for name in ("majority-vote", "dawid-skene", "one-coin"):
        same = np.array_equal(np.load(before / f"{name}_codes.npy"), np.load(after / f"{name}_codes.npy"))
        diff = float(np.abs(np.load(before / f"{name}_probas.npy") - np.load(after / f"{name}_probas.npy")).max())
        ok = same and diff <= 1e-9
        print(f"  {name}: labels identical {same}, max |posterior difference| {diff:.2e}: {'met' if ok else 'NOT met'}")


def run_large(before: str | None = None, n_answers: int = 10_000_000) -> None:
    """Run the stages with ``ROOT/src`` (and first with ``before``, another tree's ``src``);
    ``n_answers`` answers on a tenth as many items and a thousandth as many annotators."""
    trees = ([("before", Path(before).resolve())] if before else []) + [("after", ROOT / "src")]
    print(
        f"\n== large: {n_answers:,} answers, {n_answers // 10:,} items, {max(n_answers // 1000, 10):,} annotators, "
        f"K=5; load average {os.getloadavg()}"
    )
    with tempfile.TemporaryDirectory(prefix="lw_large_") as tmp:
        res = {side: _run_tree(src, Path(tmp) / side, n_answers) for side, src in trees}
        print(f"  load average after the runs: {os.getloadavg()}")
        after = res["after"]
        header = "  stage".ljust(34) + "".join(f"{side + ': wall / CPU (sys) s':>30}" for side, _ in trees)
        print(header + ("   CPU before/after" if before else ""))
        for stage, (wall, cpu, sys_s) in after["times"].items():
            cells = ""
            if before:
                bw, bc, bs = res["before"]["times"].get(stage, [np.nan] * 3)
                cells += f"{bw:>14.2f} / {bc:6.2f} ({bs:4.2f})"
            cells += f"{wall:>14.2f} / {cpu:6.2f} ({sys_s:4.2f})"
            ratio = f"   {res['before']['times'].get(stage, [0, np.nan])[1] / max(cpu, 1e-9):.2f}x" if before else ""
            goal = GOALS.get(stage)
            verdict = f"   goal <= {goal:.0f} s: {'met' if cpu <= goal else 'NOT met'} (CPU)" if goal else ""
            print(f"  {stage:<32}{cells}{ratio}{verdict}")
        for side, _ in trees:
            print(f"  {side}: {res[side]['info']}")
        strings_same = all(
            np.array_equal(
                np.load(Path(tmp) / "after" / f"{n}_codes.npy"), np.load(Path(tmp) / "after" / f"{n}_strings_codes.npy")
            )
            for n in ("majority-vote", "dawid-skene")
        )
        print(f"  string ids give the labels of integer ids: {strings_same}")
        if before:
            _compare(Path(tmp) / "before", Path(tmp) / "after")


if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])
    worker(Path(sys.argv[2]), int(sys.argv[3]))
