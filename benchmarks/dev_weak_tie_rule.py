"""Session 49 (ties49): the label models' tie rule, main's (one seeded draw per distinct vote row) against this
branch's (one seeded draw per tied item, items in sorted order: ``MajorityVote``'s rule), side by side in one run.

A tie rule changes realised labels only on items whose top classes tie exactly, so per set this prints, for
each rule: the realised accuracy on the covered items, the EXPECTED accuracy with ties split (a tied item counts
the share of its tied classes that is right: it depends on the posterior only, so the two rules must agree), and
the number of covered items that are tied. Sets: ``dev_weak_shared_triggers.py``'s judging seeds 216-247 (K = 2
and 3: 64 sets; ``LabelModel()`` and ``DawidSkeneLabelModel()`` against ``MajorityVote``'s realised labels, as
``bench_weak.py`` scores majority vote) and ``bench_weak.py``'s 19 label-model sets (``LabelModel()`` only).

No constant and no default changes with the rule; nothing here chooses anything. Run (each rule in its own
subprocess, main's ``src`` from ``git archive``)::

    OMP_NUM_THREADS=1 python benchmarks/dev_weak_tie_rule.py --main-src /tmp/mainsrc-ties49/src [--csv out.csv]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TIE_RTOL = 1e-9  # labelwise.aggregate._base.TIE_RTOL


def _scores(model, truth: np.ndarray, scored: np.ndarray) -> dict:
    """Realised and expected (ties split) accuracy, and tied items, on the ``scored`` items."""
    probas = model.probas_.to_numpy()
    codes = pd.Index(model.classes_).get_indexer(truth)
    top = probas.max(axis=1, keepdims=True)
    tied = probas >= top - TIE_RTOL * np.maximum(np.abs(top), 1.0)
    hit = np.where(codes >= 0, tied[np.arange(len(codes)), np.maximum(codes, 0)], False) / tied.sum(axis=1)
    labels = model.labels_.to_numpy()
    return {
        "acc": float(np.mean(labels[scored] == truth[scored])),
        "expected": float(hit[scored].mean()),
        "tied": int((tied.sum(axis=1) > 1)[scored].sum()),
    }


def _fit(model, votes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(votes)


def worker(out: str) -> None:
    """Every set's scores under the ``labelwise`` on ``sys.path`` (``PYTHONPATH``), written as JSON."""
    sys.path.insert(0, str(HERE))
    from bench_weak import crowd_sets, simulated_sets
    from dev_weak_shared_triggers import bench_majority, shared_trigger_set

    from labelwise import weak
    from labelwise.aggregate import MajorityVote

    rows = []
    for seed in range(216, 248):
        for k in (2, 3):
            matrix, truth, _ = shared_trigger_set(seed, k)
            covered = (matrix >= 0).any(axis=1)
            mv = bench_majority(matrix)
            row = {
                "set": f"trig{seed}_K{k}",
                "n": int(covered.sum()),
                "mv": float(np.mean(mv[covered] == truth[covered])),
            }
            for name, model in (("lm", weak.LabelModel()), ("ds", weak.DawidSkeneLabelModel())):
                fitted = _fit(model, matrix)
                row |= {f"{name}_{key}": value for key, value in _scores(fitted, truth, covered).items()}
                row[f"{name}_is_mv"] = float(np.mean(fitted.labels_.to_numpy()[covered] == mv[covered]))
            rows.append(row)
            print(row["set"], flush=True)
    for name, votes, gold in [*crowd_sets(), *simulated_sets(1000)]:
        v = weak.as_votes(votes)
        g = gold.reindex(v.items)
        scored = (v.matrix() >= 0).any(axis=1) & g.notna().to_numpy()
        truth = g.to_numpy()
        mv = MajorityVote().fit(v.to_annotations()).labels_.reindex(v.items).to_numpy()
        row = {"set": name, "n": int(scored.sum()), "mv": float(np.mean(mv[scored] == truth[scored]))}
        row |= {f"lm_{key}": value for key, value in _scores(_fit(weak.LabelModel(), v), truth, scored).items()}
        rows.append(row)
        print(name, flush=True)
    Path(out).write_text(json.dumps(rows))


def run(src: str, tmp: Path, tag: str) -> pd.DataFrame:
    out = tmp / f"{tag}.json"
    env = {**os.environ, "PYTHONPATH": src}
    subprocess.run([sys.executable, __file__, "--worker", str(out)], env=env, check=True, stdout=subprocess.DEVNULL)
    return pd.DataFrame(json.loads(out.read_text())).set_index("set")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--main-src", default="/tmp/mainsrc-ties49/src")
    ap.add_argument("--csv", default=None)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker)
        return
    with tempfile.TemporaryDirectory() as tmp:
        main_rows = run(args.main_src, Path(tmp), "main")
        ours = run(str(ROOT / "src"), Path(tmp), "branch")
    frame = main_rows.join(ours.drop(columns=["n", "mv"]), lsuffix="_main", rsuffix="_new")
    pd.set_option("display.width", 250)
    pd.set_option("display.max_rows", 200)
    print(frame.round(4).to_string())
    trig = frame[frame.index.str.startswith("trig")]
    for m in ("lm", "ds"):
        for tag in ("main", "new"):
            gap = (trig[f"{m}_acc_{tag}"] - trig["mv"]) * 100
            print(
                f"{m} {tag}: mean {trig[f'{m}_acc_{tag}'].mean():.4f} (expected {trig[f'{m}_expected_{tag}'].mean():.4f}), "
                f"sets > 0.5 below MajorityVote: {int((gap < -0.5).sum())} of {len(trig)}, worst {gap.min():.2f}"
            )
    print(f"MajorityVote mean {trig['mv'].mean():.4f}")
    for m in ("lm", "ds"):
        same = np.allclose(frame[f"{m}_expected_main"].dropna(), frame[f"{m}_expected_new"].dropna(), atol=1e-12)
        print(f"{m}: expected accuracies equal under both rules on every set: {same}")
    if args.csv:
        frame.to_csv(args.csv)


if __name__ == "__main__":
    main()
