"""Issue 15 part 1's own scenario on fresh simulated crowds, and the command a new user runs on one.

The issue's scenario: 50,000 items, about 500 annotators, one answer per item and 100 classes,
where ``DawidSkene(smoothing=0.01)`` (the default then) returned a permutation of the classes.
This runs it, with 2 answers per item too and K in {2, 5, 20, 100}, on simulated sparse crowds
(:func:`labelwise.aggregate.simulate_sparse.simulate_sparse_crowd`: Zipf-like activity, 10%
spammers, 5% adversarial annotators) at seeds given on the command line, and prints per crowd the
accuracy and fit time of majority vote, ``labelwise aggregate``'s default method, the
maximum-likelihood ``DawidSkene(smoothing=0)``, the old default ``DawidSkene(smoothing=0.01)`` and
crowd-kit's ``DawidSkene`` (a subprocess with a time limit), the default's gap to majority vote
(goal: never below -0.5 points), and what each labelwise fit says about itself: ``converged_``,
``n_iter_``, ``fallback_``, its warnings, and whether that report agrees with ``loss_history_``
(converged: the last decrease passes the loop's own stopping test, ``_converged.loss_settled``,
within ``max_iter`` iterations and without a warning; not converged: ``max_iter`` iterations and a
warning).

``--cli`` instead writes one crowd's answers to a CSV and runs ``python -m labelwise aggregate
answers.csv --out DIR`` (no method: the default), then compares its labels.csv with the API
default's labels; it prints the command's wall time and peak memory (the child's maximum RSS).

Usage::

    python benchmarks/bench_aggregate_scenario.py --seeds 7100 [--answers 1 2] [--classes 2 5 20 100]
    python benchmarks/bench_aggregate_scenario.py --cli --seeds 7100 --answers 1 --classes 100
"""

from __future__ import annotations

import argparse
import json
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
sys.path.insert(0, str(ROOT / "src"))

from labelwise.aggregate import METHODS, DawidSkene
from labelwise.aggregate._converged import loss_settled
from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd
from labelwise.cli.aggregate import DEFAULT_METHOD

N_ITEMS, N_ANNOTATORS, SPAM, ADV = 50_000, 500, 0.1, 0.05

_CK_CHILD = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from crowdkit.aggregation import DawidSkene
df = pd.read_csv(sys.argv[1], dtype=str).rename(columns={"item": "task", "annotator": "worker"})
est = DawidSkene()
t0 = time.perf_counter()
labels = est.fit_predict(df)
out = {"time": time.perf_counter() - t0, "n_iter": len(est.loss_history_), "max_iter": est.n_iter,
       "labels": {str(k): str(v) for k, v in labels.items()}}
json.dump(out, sys.stdout)
"""


def fit_labelwise(est, answers: pd.DataFrame, truth: np.ndarray) -> dict:
    """Fit, time and describe one labelwise aggregator: accuracy and what it reports about itself."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        est.fit(answers)
        elapsed = time.perf_counter() - t0
    acc = 100 * float((est.labels_.to_numpy() == truth).mean())
    out = {"acc": acc, "time": elapsed, "warnings": [str(w.message)[:90] for w in caught]}
    if hasattr(est, "converged_"):
        hist = np.asarray(getattr(est, "loss_history_", []), dtype=float)
        n_iter, conv = int(est.n_iter_), bool(est.converged_)
        max_iter, tol = getattr(est, "max_iter", None), getattr(est, "tol", None)
        warned = any("max_iter" in w or "converge" in w.lower() for w in out["warnings"])
        if len(hist) < 2:  # no EM ran (e.g. majority vote): nothing to contradict
            honest = conv
        elif conv:  # stopped by the loop's own test, before max_iter, without a warning
            honest = n_iter == len(hist) <= max_iter and loss_settled(hist[-2] - hist[-1], hist[-1], tol) and not warned
        else:
            honest = n_iter == len(hist) == max_iter and warned
        out.update(
            converged=conv,
            n_iter=n_iter,
            fallback=getattr(est, "fallback_", None),
            honest=bool(honest),
            monotone=bool(len(hist) < 2 or (np.diff(hist) <= 1e-12 * np.abs(hist[:-1]).max()).all()),
        )
    return out


def fit_crowdkit(answers: pd.DataFrame, truth: np.ndarray, timeout: float) -> dict:
    """crowd-kit's DawidSkene in a subprocess (wall-clock limit ``timeout``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.csv"
        answers.to_csv(path, index=False)
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _CK_CHILD, str(path)], capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return {"status": f"timeout > {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"status": "error: " + (proc.stderr.strip().splitlines() or ["?"])[-1][:100]}
    res = json.loads(proc.stdout)
    labels = pd.Series(res["labels"])
    pred = labels.reindex([str(i) for i in range(len(truth))]).to_numpy()
    acc = 100 * float((pred == truth.astype(str)).mean())
    return {"status": "ok", "acc": acc, "time": res["time"], "n_iter": res["n_iter"], "max_iter": res["max_iter"]}


def describe(name: str, r: dict) -> str:
    line = f"    {name:<28} {r['acc']:6.2f}  {r['time']:6.1f} s"
    if "converged" in r:
        line += (
            f"  converged_={r['converged']} n_iter_={r['n_iter']} fallback_={r['fallback']} "
            f"report agrees with loss_history_: {r['honest']}, loss never up: {r['monotone']}"
        )
    for w in r["warnings"]:
        line += f"\n{'':<30}warning: {w}"
    return line


def run_scenario(seeds: list[int], answers_per_item: list[int], classes: list[int], timeout: float) -> bool:
    """The table; True when the default is never more than 0.5 points below majority vote."""
    estimators = {
        "majority-vote": lambda: METHODS["majority-vote"](),
        f"default ({DEFAULT_METHOD})": lambda: METHODS[DEFAULT_METHOD](),
        "DawidSkene(smoothing=0)": lambda: DawidSkene(smoothing=0),
        "DawidSkene(smoothing=0.01)": lambda: DawidSkene(smoothing=0.01),
    }
    ok = True
    for r in answers_per_item:
        for k in classes:
            for seed in seeds:
                sim = simulate_sparse_crowd(
                    N_ITEMS, k, N_ANNOTATORS, answers_per_item=r, spammer_share=SPAM, adversary_share=ADV,
                    random_state=seed,
                )  # fmt: skip
                truth = sim.true_labels.to_numpy()
                res = {name: fit_labelwise(make(), sim.answers, truth) for name, make in estimators.items()}
                mv = res["majority-vote"]["acc"]
                gap = res[f"default ({DEFAULT_METHOD})"]["acc"] - mv
                ok &= gap >= -0.5
                print(
                    f"\n  {r} answer(s)/item, K={k}, {N_ITEMS} items, {N_ANNOTATORS} annotators, seed {seed}: "
                    f"default - majority = {gap:+.2f} points {'ok' if gap >= -0.5 else 'MISS'}"
                )
                for name, out in res.items():
                    print(describe(name, out))
                ck = fit_crowdkit(sim.answers, truth, timeout)
                if ck["status"] == "ok":
                    print(
                        f"    {'crowd-kit DawidSkene':<28} {ck['acc']:6.2f}  {ck['time']:6.1f} s  "
                        f"iterations {ck['n_iter']} of n_iter={ck['max_iter']}"
                    )
                else:
                    print(f"    {'crowd-kit DawidSkene':<28} {ck['status']}")
                sys.stdout.flush()
    return ok


def run_cli(seed: int, r: int, k: int) -> None:
    """``labelwise aggregate answers.csv`` with no method against the API default on the same crowd."""
    sim = simulate_sparse_crowd(
        N_ITEMS, k, N_ANNOTATORS, answers_per_item=r, spammer_share=SPAM, adversary_share=ADV, random_state=seed
    )
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "answers.csv", Path(tmp) / "out"
        sim.answers.to_csv(path, index=False)
        cmd = [sys.executable, "-m", "labelwise", "aggregate", str(path), "--out", str(out)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"  $ python -m labelwise aggregate answers.csv --out out   (exit {proc.returncode})")
        lines = (proc.stderr + proc.stdout).strip().splitlines()
        print("    " + "\n    ".join(lines[:6] + ["..."] + lines[-1:]))
        if proc.returncode != 0:
            return
        cli = pd.read_csv(out / "labels.csv").set_index("item")["label"].sort_index()
        summary = json.loads((out / "summary.json").read_text())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api = METHODS[DEFAULT_METHOD]().fit(sim.answers).labels_.sort_index()
    same = bool(cli.index.equals(api.index) and (cli.to_numpy() == api.to_numpy()).all())
    acc = 100 * float((cli.to_numpy() == sim.true_labels.to_numpy()).mean())
    keys = ("method", "iterations", "converged", "fallback", "seconds")
    print(f"    summary.json: { {key: summary.get(key) for key in keys} }, params {summary['settings']['params']}")
    print(
        f"    {r} answer(s)/item K={k} seed {seed}: labels.csv == API default labels_ on all {len(api)} items: {same}"
    )
    print(f"    accuracy {acc:.2f}; wall {wall:.1f} s; peak memory (child max RSS) {peak_mb:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", nargs="+", type=int, required=True, help="fresh seeds of the simulated crowds")
    ap.add_argument("--answers", nargs="+", type=int, default=[1, 2], help="answers per item")
    ap.add_argument("--classes", nargs="+", type=int, default=[2, 5, 20, 100], help="numbers of classes K")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds for each crowd-kit fit")
    ap.add_argument("--cli", action="store_true", help="only the command-line run on the first seed/answers/K")
    args = ap.parse_args()
    print(f"labelwise from {sys.modules['labelwise'].__file__}; default method {DEFAULT_METHOD!r}")
    if args.cli:
        run_cli(args.seeds[0], args.answers[0], args.classes[0])
        return
    ok = run_scenario(args.seeds, args.answers, args.classes, args.timeout)
    print(f"\n  default never more than 0.5 points below majority vote: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
