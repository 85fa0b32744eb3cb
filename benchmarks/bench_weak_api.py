"""Benchmark: Snorkel's label-model API in labelwise against Snorkel 0.10, on the same votes.

One run, the same input for both: ``simulate_lfs`` votes (``--rows`` items, default 200,000; 10
functions; 3 classes; seed 0) and their simulated truth.

1. Baselines and utilities: majority vote's probabilities (``MajorityLabelVoter.predict_proba``),
   its predictions under Snorkel's ``"random"`` and ``"abstain"`` tie-break policies, its
   ``score`` (accuracy, coverage, f1_macro), and ``probs_to_preds`` on the label model's
   probabilities: identical or not, and each side's time and the speed ratio.
2. The label models: each fitted on the votes by its own defaults (Snorkel: ``LabelModel.fit``
   with ``n_epochs=100``, ``seed=0``; labelwise: ``weak.LabelModel()``), scored on the truth with
   ``score(metrics=["accuracy"], tie_break_policy="random")``, and the time of fit plus score.

Snorkel 0.10 lives in its own virtualenv and runs in a subprocess (this script with
``--snorkel-worker``)::

    python benchmarks/bench_weak_api.py --snorkel-python /work/venvs/weak-snorkel/bin/python

Options: ``--rows``, ``--no-snorkel``, ``--timeout``. Nothing is tuned on this data: the models
run with their defaults.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _worker import run_worker

SNORKEL_PYTHON = "/work/venvs/weak-snorkel/bin/python"
METRICS = ["accuracy", "coverage", "f1_macro"]


def snorkel_worker(folder: Path) -> None:
    """Snorkel's half: reads votes.npz, writes snorkel.npz and snorkel.json."""
    from snorkel.labeling.model import LabelModel, MajorityLabelVoter
    from snorkel.utils import probs_to_preds

    data = np.load(folder / "votes.npz")
    L, y, probs = data["L"], data["y"], data["probs"]
    times, out = {}, {}
    mv = MajorityLabelVoter(cardinality=3)
    start = time.perf_counter()
    mv_probs = mv.predict_proba(L)
    times["mv_predict_proba"] = time.perf_counter() - start
    start = time.perf_counter()
    mv_random = mv.predict(L, tie_break_policy="random")
    mv_abstain = mv.predict(L, tie_break_policy="abstain")
    times["mv_predict_two_policies"] = time.perf_counter() - start
    start = time.perf_counter()
    out["mv_score"] = mv.score(L, y, metrics=METRICS)
    times["mv_score"] = time.perf_counter() - start
    start = time.perf_counter()
    preds = probs_to_preds(probs, "random")
    times["probs_to_preds"] = time.perf_counter() - start
    start = time.perf_counter()
    lm = LabelModel(cardinality=3, verbose=False)
    lm.fit(L, n_epochs=100, seed=0, progress_bar=False)
    out["lm_accuracy"] = lm.score(L, y, metrics=["accuracy"], tie_break_policy="random")["accuracy"]
    times["lm_fit_score"] = time.perf_counter() - start
    np.savez(folder / "snorkel.npz", mv_probs=mv_probs, mv_random=mv_random, mv_abstain=mv_abstain, preds=preds)
    (folder / "snorkel.json").write_text(json.dumps({"times": times, **out}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--snorkel-python", default=SNORKEL_PYTHON)
    parser.add_argument("--no-snorkel", action="store_true")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()

    from labelwise import weak

    sim = weak.simulate_lfs(args.rows, 10, 3, random_state=0)
    L, y = sim.votes.matrix(), sim.truth.to_numpy()
    times = {}
    start = time.perf_counter()
    lm = weak.LabelModel().fit(L)
    lm_accuracy = lm.score(L, y, metrics=["accuracy"], tie_break_policy="random")["accuracy"]
    times["lm_fit_score"] = time.perf_counter() - start
    probs = lm.predict_proba(L).to_numpy()
    mv = weak.MajorityLabelVoter(labels=[0, 1, 2]).fit(L)
    start = time.perf_counter()
    mv_probs = mv.predict_proba(L).to_numpy()
    times["mv_predict_proba"] = time.perf_counter() - start
    start = time.perf_counter()
    mv_random = mv.predict(L, tie_break_policy="random").to_numpy()
    mv_abstain = mv.predict(L, tie_break_policy="abstain").to_numpy()
    times["mv_predict_two_policies"] = time.perf_counter() - start
    start = time.perf_counter()
    mv_score = mv.score(L, y, metrics=METRICS)
    times["mv_score"] = time.perf_counter() - start
    start = time.perf_counter()
    preds = weak.probs_to_preds(probs, "random")
    times["probs_to_preds"] = time.perf_counter() - start

    print(f"votes: {args.rows} items, 10 functions, 3 classes (simulate_lfs, seed 0)")
    print(f"labelwise majority vote score: {mv_score}")
    print(f"labelwise LabelModel accuracy (random tie-break): {lm_accuracy:.4f}")
    if args.no_snorkel:
        print("labelwise times (s): " + ", ".join(f"{k} {v:.3f}" for k, v in times.items()))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        np.savez(folder / "votes.npz", L=L, y=y, probs=probs)
        failed = run_worker(args.snorkel_python, __file__, [tmp], args.timeout)
        if failed is not None:
            print(f"Snorkel's half failed: {failed}")
            return
        theirs = np.load(folder / "snorkel.npz")
        info = json.loads((folder / "snorkel.json").read_text())
    same = {
        "mv_predict_proba": bool(np.array_equal(mv_probs, theirs["mv_probs"])),
        "mv_predict random": bool(np.array_equal(mv_random, theirs["mv_random"])),
        "mv_predict abstain": bool(np.array_equal(mv_abstain, theirs["mv_abstain"])),
        "mv_score": bool(all(abs(mv_score[k] - info["mv_score"][k]) < 1e-12 for k in METRICS)),
        "probs_to_preds random": bool(np.array_equal(preds, theirs["preds"])),
    }
    print("identical to Snorkel: " + ", ".join(f"{k} {v}" for k, v in same.items()))
    print(f"Snorkel LabelModel accuracy (random tie-break): {info['lm_accuracy']:.4f}")
    print(f"{'step':<26}{'labelwise s':>12}{'Snorkel s':>12}{'speed-up':>10}")
    for key, ours in times.items():
        other = info["times"][key]
        print(f"{key:<26}{ours:>12.3f}{other:>12.3f}{other / max(ours, 1e-9):>10.1f}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--snorkel-worker":
        snorkel_worker(Path(sys.argv[2]))
    else:
        main()
