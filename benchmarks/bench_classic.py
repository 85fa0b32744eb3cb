"""Benchmark: labelwise's KOS, MMSR, gold-weighted vote and crowd metrics vs crowd-kit 1.4.2.

On the nine real crowd sets of ../shared/data/crowd (KOS on the four binary ones) and on simulated
crowds with adversarial annotators, each method of both libraries runs on the same answer table;
the script prints accuracy against the truth and fit time side by side, and the speed ratio.

- KOS: both with 100 iterations (crowd-kit's default, the paper's fixed count); crowd-kit stops
  early when its unscaled messages pass 1e300.
- MMSR: both with their defaults (max_iter/n_iter 10000, tol 1e-10, crowd-kit's rule for F).
- Gold majority vote: gold labels of a random half of the gold items (seed 0) weigh the
  annotators; accuracy is measured on the other half. Annotators without a gold answer weigh 0.5
  in labelwise (``on_missing_skill="value"``); crowd-kit cannot fit them, so its accuracy is
  measured on its fit with the missing skills filled the same way (its MajorityVote with
  ``on_missing_skill="value"``, ``default_skill=0.5``).
- Metrics: ``uncertainty`` (every skill 1), ``consistency`` (majority vote) and
  ``accuracy_on_aggregates`` (majority vote): the largest absolute difference of the two
  libraries' values (on the items without a vote tie: crowd-kit takes the first tied label) and
  the time of each.

crowd-kit runs in a forked process with a wall-clock limit per call (``--timeout``); a call past
it is reported as ``timeout``. Simulated crowds use seeds 100 and 101 (nothing in labelwise was
tuned on them: KOS and MMSR have no threshold of their own beyond crowd-kit's defaults).

Usage::

    python benchmarks/bench_classic.py                    # all sets, 120 s per crowd-kit call
    python benchmarks/bench_classic.py --sets d_Duck_Identification smem_rte --timeout 30
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _crowd_sets import REAL_CROWD_SETS, accuracy, read_crowd_set  # noqa: E402
from _machine import cpu_model  # noqa: E402

import labelwise.aggregate as agg  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "crowd"


def _ck(answers: pd.DataFrame) -> pd.DataFrame:
    return answers.rename(columns={"item": "task", "annotator": "worker"})


def _timed(fn: Callable[[], Any], repeats: int = 3) -> tuple[Any, float]:
    """The result and the best time of up to ``repeats`` calls (one when a call takes over 2 s)."""
    best, out = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
        if best > 2.0:
            break
    return out, best


_JOB: Callable[[], Any] | None = None


def _run_job() -> tuple[Any, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _JOB is not None
        return _timed(_JOB, repeats=1)


def _with_timeout(fn: Callable[[], Any], timeout: float) -> tuple[Any, float] | str:
    """``fn()`` in a forked process: (result, seconds), or ``"timeout"`` / ``"error: ..."``."""
    global _JOB
    _JOB = fn
    ctx = mp.get_context("fork")
    with ctx.Pool(1) as pool:
        pending = pool.apply_async(_run_job)
        try:
            return pending.get(timeout=timeout)
        except mp.TimeoutError:
            pool.terminate()
            return "timeout"
        except Exception as exc:  # crowd-kit's own failures are reported, not raised
            return f"error: {type(exc).__name__}"


def _row(data: str, method: str, truth: pd.Series, ours: tuple[pd.Series, float], theirs: Any) -> dict[str, Any]:
    labels, seconds = ours
    row: dict[str, Any] = {"data": data, "method": method, "lw_acc": accuracy(labels, truth), "lw_s": seconds}
    if isinstance(theirs, str):
        row.update(ck_acc=np.nan, ck_s=np.nan, speedup=np.nan, note=theirs)
    else:
        row.update(ck_acc=accuracy(theirs[0], truth), ck_s=theirs[1], speedup=theirs[1] / seconds, note="")
    return row


def compare_methods(name: str, answers: pd.DataFrame, truth: pd.Series, timeout: float) -> list[dict[str, Any]]:
    """KOS (binary sets), MMSR and the gold vote of both libraries on one answer table."""
    import crowdkit.aggregation as ck

    rows = []
    if answers["label"].nunique() == 2:
        ours = _timed(lambda: agg.KOS().fit(answers).labels_)
        theirs = _with_timeout(lambda: ck.KOS(n_iter=100).fit(_ck(answers)).labels_, timeout)
        rows.append(_row(name, "kos", truth, ours, theirs))
    ours = _timed(lambda: agg.MMSR().fit(answers).labels_)
    theirs = _with_timeout(lambda: ck.MMSR().fit_predict(_ck(answers)), timeout)
    rows.append(_row(name, "mmsr", truth, ours, theirs))
    gold = truth.sample(frac=0.5, random_state=0)
    rest = truth.drop(gold.index)
    ours = _timed(
        lambda: agg.GoldMajorityVote(gold=gold, on_missing_skill="value", default_skill=0.5).fit(answers).labels_
    )

    def crowdkit_gold() -> pd.Series:
        skills = ck.GoldMajorityVote().fit(_ck(answers), gold.rename_axis("task")).skills_
        vote = ck.MajorityVote(on_missing_skill="value", default_skill=0.5)
        return vote.fit(_ck(answers), skills=skills).labels_

    rows.append(_row(name, "gold-majority-vote", rest, ours, _with_timeout(crowdkit_gold, timeout)))
    return rows


def compare_metrics(name: str, answers: pd.DataFrame, timeout: float) -> list[dict[str, Any]]:
    """The three metrics of both libraries: largest difference and times."""
    from crowdkit.metrics.data import consistency, uncertainty
    from crowdkit.metrics.workers import accuracy_on_aggregates

    counts = answers.groupby(["item", "label"]).size().unstack(fill_value=0)
    top = np.sort(counts.to_numpy(), axis=1)
    table = answers[answers["item"].isin(counts.index[top[:, -1] > top[:, -2]])].reset_index(drop=True)
    pairs = {
        "uncertainty": (
            lambda: agg.uncertainty(table, aggregate=False),
            lambda: uncertainty(_ck(table), compute_by="task", aggregate=False),
        ),
        "consistency": (
            lambda: agg.consistency(table, by_item=True),
            lambda: consistency(_ck(table), by_task=True),
        ),
        "accuracy_on_aggregates": (
            lambda: agg.accuracy_on_aggregates(table, by="annotator"),
            lambda: accuracy_on_aggregates(_ck(table), by="worker"),
        ),
    }
    rows = []
    for metric, (ours_fn, theirs_fn) in pairs.items():
        ours, seconds = _timed(ours_fn)
        theirs = _with_timeout(theirs_fn, timeout)
        row: dict[str, Any] = {"data": name, "metric": metric, "lw_s": seconds}
        if isinstance(theirs, str):
            row.update(max_diff=np.nan, ck_s=np.nan, speedup=np.nan, note=theirs)
        else:
            diff = np.abs(ours.to_numpy() - theirs[0].reindex(ours.index).to_numpy(dtype=float))
            row.update(max_diff=float(np.nanmax(diff)), ck_s=theirs[1], speedup=theirs[1] / seconds, note="")
        rows.append(row)
    return rows


def adversarial_crowd(k: int, share: float, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """1000 items, 20 annotators, 5 answers per item; honest ones right with probability 0.6-0.9,
    a ``share`` of adversaries right with probability 0.05 (their errors uniform over the others)."""
    rng = np.random.default_rng(seed)
    n_adv = int(round(20 * share))
    acc = np.concatenate([rng.uniform(0.6, 0.9, 20 - n_adv), np.full(n_adv, 0.05)])
    truth = rng.integers(0, k, 1000)
    sim = agg.simulate_annotators(truth, n_annotators=20, answers_per_item=5, accuracy=acc, random_state=seed)
    return sim.answers, sim.true_labels.astype(str).set_axis(sim.true_labels.index.astype(str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=REAL_CROWD_SETS)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    import crowdkit
    import sklearn

    print(
        f"# {cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}, crowd-kit {crowdkit.__version__}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    methods, metrics = [], []
    for name in args.sets:
        answers, gold = read_crowd_set(DATA / name)
        methods += compare_methods(name, answers, gold, args.timeout)
        metrics += compare_metrics(name, answers, args.timeout)
        print(f"  done {name}", file=sys.stderr, flush=True)
    for k in (2, 3):
        for share in (0.2, 0.35):
            for seed in (100, 101):
                answers, truth = adversarial_crowd(k, share, seed)
                table = answers.astype(str)
                name = f"adv k={k} share={share} seed={seed}"
                rows = compare_methods(name, table, truth, args.timeout)
                mv = _timed(lambda t=table: agg.MajorityVote().fit(t).labels_)
                rows.append(_row(name, "majority-vote", truth, mv, "reference"))
                methods += rows
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 200)
    print(pd.DataFrame(methods).round(4).to_string(index=False))
    print(pd.DataFrame(metrics).round(6).to_string(index=False))


if __name__ == "__main__":
    main()
