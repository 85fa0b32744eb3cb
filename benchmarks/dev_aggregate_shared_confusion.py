"""Issue 15 part 1 (session 55, aggex55): should ``labelwise aggregate``'s Dawid-Skene test for one shared confusion?

The weak label model keeps one confusion shared by exchangeable labelers where a likelihood-ratio test does not reject
it (misses54, session 54: cifar10n_slots 0.9195 -> 0.9204). The test now lives in the aggregate layer
(``aggregate._shared_confusion``: Dawid and Skene's EM with a tied M-step; Wilks' χ² with ``(m - 1) K (K - 1)``
degrees of freedom at 5%, run only where every annotator has 5 answers per confusion cell, Cochran's rule, and no
dependent group was found), and ``DawidSkene(shared_confusion="auto")`` runs it. Nothing of it was tuned: α = 0.05
and 5 per cell are the weak model's textbook values, and no variant was explored on any set below.

REGISTERED RULE (committed before the judging run; judged ONCE, stop at the first failing part). Before = main's
``DawidSkene()`` (``shared_confusion=False``), after = the candidate, ``shared_confusion="auto"`` as the default
(``DawidSkene.__init__``'s default switched in one process, so that ``AutoAggregator()``'s Dawid-Skene candidate
follows it as ``dawid_skene.DEFAULT_SHARED_CONFUSION = "auto"`` would make it). Both ``DawidSkene()`` (the command
line's default method) and ``AutoAggregator()`` are judged:

(a) fresh slot crowds of misses54's exchangeable family (``dev_weak_misses.exchangeable_slots``, its 6
    configurations) at seeds 40-49 (60 crowds; misses54 used 0-3, 10-14 and one crowd of seed 7): ``DawidSkene()``'s
    mean accuracy must be HIGHER after than before, ``AutoAggregator()``'s not lower, and no crowd lower by more
    than 0.5 points under either;
(b) fresh per-worker crowds of part 1's generators: ``bench_aggregate.SPARSE``'s 7 sparse configurations
    (``simulate_sparse_crowd``) at seeds 15600-15602 (21 crowds) and ``dev_aggregate_auto.DENSE``'s 4 dense ones
    (``simulate_annotators``, accuracies U(0.35, 0.85)) at seeds 15600-15604 (20 crowds); no seed of these was used
    (grep of RESULTS.md and benchmarks/): no crowd lower by more than 0.5 points under either method;
(c) ``bench_aggregate.py``'s real sets (the nine of ``../shared/data/crowd``) and its sparse crowds (seeds 100 and
    101): part 1's two goals still met after, for both methods (never more than 0.5 points below majority vote on
    every real and sparse crowd; mean over the real sets at least crowd-kit's best single method's, DawidSkene
    0.8443 on record, gen52a), and no real set lower by more than 0.5 points.

Adopted (``DEFAULT_SHARED_CONFUSION = "auto"``) only if all three pass; otherwise the parameter stays, off by default.

RESULT (judged once, commit a6eda398): part (a) FAILED on its last clause, one crowd ``xslots0_n2000_K3_s3_w50_s43``
84.40 -> 83.35 under both methods (means +0.139 and +0.160); (b) and (c) not run; the default stays False
(``benchmarks/RESULTS.md``, session 55, aggex55, with the diagnosis).

Usage (``LABELWISE_CROWD_DATA=/work/shared/data/crowd`` for part c)::

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_aggregate_shared_confusion.py --part a   # then b, c
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from labelwise.aggregate import AutoAggregator, DawidSkene, MajorityVote  # noqa: E402

#: Part (a)'s slot-family seeds, part (b)'s sparse and dense seeds, part (c)'s bench sparse seeds.
SLOT_SEEDS = range(40, 50)
SPARSE_SEEDS = (15600, 15601, 15602)
DENSE_SEEDS = (15600, 15601, 15602, 15603, 15604)
BENCH_SPARSE_SEEDS = (100, 101)
#: crowd-kit's best single method's mean over the nine real sets (DawidSkene, gen52a, session 52).
CROWDKIT_BEST = 0.8443
CANDIDATE = "auto"


@contextmanager
def default_shared(value: bool | str) -> Iterator[None]:
    """``DawidSkene()``'s ``shared_confusion`` default set to ``value`` inside the block (restored after)."""
    defaults = DawidSkene.__init__.__kwdefaults__
    held = defaults["shared_confusion"]
    defaults["shared_confusion"] = value
    try:
        yield
    finally:
        defaults["shared_confusion"] = held


def _fit(kind: type, answers: pd.DataFrame, value: bool | str) -> tuple[pd.Series, float, object]:
    with default_shared(value), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.process_time()
        est = kind().fit(answers)
        cpu = time.process_time() - start
    test = getattr(est, "shared_test_", None)
    return est.labels_, cpu, test


def _acc(labels: pd.Series, truth: pd.Series) -> float:
    common = truth.index.intersection(labels.index)
    return 100 * float((labels.loc[common].astype(str) == truth.loc[common].astype(str)).mean())


def row_of(family: str, name: str, answers: pd.DataFrame, truth: pd.Series) -> dict:
    """One crowd: majority vote, then each method before and after (points, CPU seconds, the test's p-value)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row: dict = {"family": family, "set": name, "mv": _acc(MajorityVote().fit(answers).labels_, truth)}
    for key, kind in (("ds", DawidSkene), ("auto", AutoAggregator)):
        for side, value in (("main", False), ("cand", CANDIDATE)):
            labels, cpu, test = _fit(kind, answers, value)
            row[f"{key}_{side}"], row[f"cpu_{key}_{side}"] = _acc(labels, truth), cpu
            if side == "cand":
                row[f"p_{key}"] = np.nan if test is None else test.p_value
    print(pd.DataFrame([row]).round(4).to_string(index=False, header=False), flush=True)
    return row


def slot_crowds() -> Iterator[tuple[str, str, pd.DataFrame, pd.Series]]:
    from dev_weak_misses import slot_sets

    for _, family, name, votes, truth in slot_sets(SLOT_SEEDS):
        yield family, name, votes.to_annotations(), truth


def worker_crowds() -> Iterator[tuple[str, str, pd.DataFrame, pd.Series]]:
    from bench_aggregate import SPARSE
    from dev_aggregate_auto import DENSE

    from labelwise.aggregate.simulate import simulate_annotators
    from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd

    for seed in SPARSE_SEEDS:
        for r, k, n, m, spam, adv in SPARSE:
            sim = simulate_sparse_crowd(n, k, m, answers_per_item=r, spammer_share=spam, adversary_share=adv,
                                        random_state=seed)  # fmt: skip
            yield "sparse", f"sparse_r{r}_K{k}_n{n}_m{m}_s{seed}", sim.answers, sim.true_labels
    for seed in DENSE_SEEDS:
        for errors, k, n, m, r in DENSE:
            truth = np.random.default_rng(seed).integers(0, k, n)
            sim = simulate_annotators(truth, n_annotators=m, answers_per_item=r, accuracy=(0.35, 0.85),
                                      errors=errors, random_state=seed)  # fmt: skip
            yield "dense", f"{errors}_K{k}_n{n}_m{m}_r{r}_s{seed}", sim.answers, sim.true_labels


def bench_crowds() -> Iterator[tuple[str, str, pd.DataFrame, pd.Series]]:
    from _crowd_sets import REAL_CROWD_SETS, read_crowd_set
    from bench_aggregate import DATA, SPARSE

    from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd

    data = Path(os.environ.get("LABELWISE_CROWD_DATA", DATA))
    for name in REAL_CROWD_SETS:
        answers, gold = read_crowd_set(data / name)
        yield "real", name, answers, gold
    for r, k, n, m, spam, adv in SPARSE:
        for seed in BENCH_SPARSE_SEEDS:
            sim = simulate_sparse_crowd(n, k, m, answers_per_item=r, spammer_share=spam, adversary_share=adv,
                                        random_state=seed)  # fmt: skip
            yield "bench_sparse", f"sparse_r{r}_K{k}_s{seed}", sim.answers, sim.true_labels


def summary(frame: pd.DataFrame, label: str) -> None:
    for key in ("ds", "auto"):
        gain = frame[f"{key}_cand"] - frame[f"{key}_main"]
        print(f"{label} {key} ({len(frame)} sets): mean {frame[f'{key}_main'].mean():.4f} -> "
              f"{frame[f'{key}_cand'].mean():.4f} ({gain.mean():+.4f}); up {int((gain > 0).sum())}, down "
              f"{int((gain < 0).sum())}; largest fall {gain.min():+.3f}, rise {gain.max():+.3f}; test run on "
              f"{int(frame[f'p_{key}'].notna().sum())}, shared kept on {int((frame[f'p_{key}'] >= 0.05).sum())}; "
              f"CPU {frame[f'cpu_{key}_main'].sum():.1f} -> {frame[f'cpu_{key}_cand'].sum():.1f} s", flush=True)  # fmt: skip


def judge(part: str) -> tuple[pd.DataFrame, bool]:
    """One part of the registered rule (module docstring), printed with its verdict."""
    source = {"a": slot_crowds, "b": worker_crowds, "c": bench_crowds}[part]()
    frame = pd.DataFrame([row_of(*crowd) for crowd in source])
    summary(frame, f"part ({part})")
    falls = {key: frame[f"{key}_cand"] - frame[f"{key}_main"] for key in ("ds", "auto")}
    ok = all(bool(f.min() >= -0.5) for f in falls.values())
    if part == "a":
        ok = ok and bool(falls["ds"].mean() > 0) and bool(falls["auto"].mean() >= 0)
    if part == "c":
        real = frame[frame.family == "real"]
        for key in ("ds", "auto"):
            below = frame[frame[f"{key}_cand"] - frame.mv < -0.5]
            mean = real[f"{key}_cand"].mean() / 100
            print(f"  {key} after: more than 0.5 below MV on {len(below)} {below.set.tolist()}; real mean {mean:.4f} "
                  f"vs crowd-kit best {CROWDKIT_BEST}")  # fmt: skip
            ok = ok and below.empty and mean >= CROWDKIT_BEST
        ok = ok and all(bool((f[frame.family == "real"]).min() >= -0.5) for f in falls.values())
    print(f"PART ({part}): {'PASS' if ok else 'FAIL'}", flush=True)
    return frame, ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=["a", "b", "c"], required=True, help="one part of the registered judging run")
    ap.add_argument("--out", default=None, help="CSV of the per-set table")
    args = ap.parse_args()
    print("load:", open("/proc/loadavg").read().split()[:3], flush=True)
    frame, _ = judge(args.part)
    if args.out:
        frame.to_csv(args.out, index=False)
    print("load:", open("/proc/loadavg").read().split()[:3], flush=True)


if __name__ == "__main__":
    main()
