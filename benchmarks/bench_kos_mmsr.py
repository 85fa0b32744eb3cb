"""Benchmark: KOS for more than two classes, and MMSR for very many annotators (session 36).

``--part kos``: accuracy against the truth of labelwise's multi-class KOS (Karger, Oh & Shah 2013:
``K - 1`` binary tasks by thresholding the class order), next to majority vote, MMSR and
Dawid-Skene of both libraries, on the real multi-class crowd sets of
``../shared/data/crowd`` (labels read as integers, so the class order is numeric) and on simulated
crowds (seeds 200 and 201). (crowd-kit's Wawa is left out: with scikit-learn 1.9 its
``fit_predict`` raises an AttributeError about ``__sklearn_tags__``.) crowd-kit's ``KOS`` is for binary tasks only: it is run too, and its
outcome (an error, or labels) is printed as it comes.

Simulated crowds (1,000 items, 30 annotators, 5 answers per item, K = 5, accuracies uniform in
0.55-0.9): ``uniform`` (wrong answers uniform over the other classes), ``ordinal`` (wrong answers
one class off) and ``ordinal+reversed`` (as ``ordinal``, and 30% of the annotators answer the
reversed class ``K - 1 - truth``).

``--part mmsr``: MMSR's fit time and memory on crowds of 500 to 20,000 annotators, this tree's
(pairs of annotators who share an item only) next to a baseline tree's (``--baseline-src``, e.g.
main before session 36: dense ``n_annotators x n_annotators`` matrices) and crowd-kit's, each fit
in a fresh process (peak resident memory during the fit, minus the memory before it). The crowd
works in batches, as crowdsourcing platforms hand out tasks: groups of 8 annotators share 16
items, each item answered by 6 of its group and by two guests from other groups who answer the
whole batch (``--bridges per-batch``, which joins the groups; ``per-item``: one guest drawn per
item instead), K = 3, accuracies uniform in 0.55-0.9 and 10% adversaries right with probability
0.05.
``--max-iter`` caps the iterations of all three (crowd-kit's ``n_iter``); ``n_iter`` in the table
is the count labelwise ran (it stops at ``tol``, crowd-kit at its own rule). Where both trees ran,
the script prints the largest difference of their weights and the share of
equal labels; for each fit, its accuracy (``acc``) and the share of annotators whose weight has the
sign of the truth (``signs``: negative for the adversaries), and the majority vote's accuracy.

Usage::

    python benchmarks/bench_kos_mmsr.py --part kos
    python benchmarks/bench_kos_mmsr.py --part mmsr --baseline-src ../main-before/src
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _crowd_sets import accuracy  # noqa: E402
from _machine import machine_line  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data" / "crowd"
MULTICLASS_SETS = ["s4_Dog_data", "s4_Face_Sentiment_Identification", "CF", "MS", "cifar10n_slots"]


def simulated_crowd(
    kind: str, seed: int, n_items: int = 1000, k: int = 5, n_ann: int = 30
) -> tuple[pd.DataFrame, pd.Series]:
    """One of the three simulated crowds of ``--part kos`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    acc = rng.uniform(0.55, 0.9, n_ann)
    reversed_ = np.zeros(n_ann, dtype=bool)
    if kind == "ordinal+reversed":
        reversed_[rng.choice(n_ann, int(0.3 * n_ann), replace=False)] = True
    item = np.repeat(np.arange(n_items), 5)
    ann = np.argsort(rng.random((n_items, n_ann)), axis=1)[:, :5].ravel()
    t = truth[item]
    if kind == "uniform":
        wrong = (t + rng.integers(1, k, item.size)) % k
    else:
        step = rng.choice([-1, 1], item.size)
        wrong = np.clip(t + step, 0, k - 1)
        wrong = np.where(wrong == t, t - step, wrong)
    label = np.where(rng.random(item.size) < acc[ann], t, wrong)
    label = np.where(reversed_[ann], k - 1 - t, label)
    answers = pd.DataFrame({"item": item, "annotator": ann, "label": label})
    return answers, pd.Series(truth, index=pd.RangeIndex(n_items, name="item"))


def batched_crowd(
    n_ann: int, seed: int, bridges: str = "per-batch", k: int = 3, group: int = 8, items: int = 16
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The batched crowd of ``--part mmsr`` (see the module docstring), its truth and which
    annotators are adversaries. ``bridges="per-batch"``: two annotators from other groups answer
    every item of a batch; ``"per-item"``: one annotator from another group, drawn per item, answers
    it (most of the pairs it makes share a single item)."""
    rng = np.random.default_rng(seed)
    n_groups = n_ann // group
    n_items = n_groups * items
    truth = rng.integers(0, k, n_items)
    acc = rng.uniform(0.55, 0.9, n_ann)
    adversary = rng.random(n_ann) < 0.1
    acc[adversary] = 0.05
    first = np.repeat(np.arange(n_groups) * group, items)
    members = first[:, None] + np.argsort(rng.random((n_items, group)), axis=1)[:, :6]
    if bridges == "per-batch":
        guests = np.arange(n_groups)[:, None] * group + group + rng.integers(0, n_ann - group, (n_groups, 2))
        guest = np.repeat(guests % n_ann, items, axis=0)
    else:
        guest = ((first + group + rng.integers(0, n_ann - group, n_items)) % n_ann)[:, None]
    ann = np.concatenate([members, guest], axis=1).ravel()
    item = np.repeat(np.arange(n_items), members.shape[1] + guest.shape[1])
    t = truth[item]
    label = np.where(rng.random(item.size) < acc[ann], t, (t + rng.integers(1, k, item.size)) % k)
    return pd.DataFrame({"item": item, "annotator": ann, "label": label}), truth, adversary


def _ck(answers: pd.DataFrame) -> pd.DataFrame:
    return answers.rename(columns={"item": "task", "annotator": "worker"})


def _kos_rows(name: str, answers: pd.DataFrame, truth: pd.Series) -> dict[str, Any]:
    import crowdkit.aggregation as ck

    import labelwise.aggregate as agg

    row: dict[str, Any] = {"data": name, "K": answers["label"].nunique()}
    for method in ("majority-vote", "kos", "mmsr", "dawid-skene"):
        start = time.perf_counter()
        labels = agg.METHODS[method]().fit(answers).labels_
        row[f"lw {method}"] = accuracy(labels, truth)
        row[f"lw {method} s"] = time.perf_counter() - start
    peers = {
        "ck MajorityVote": lambda: ck.MajorityVote().fit_predict(_ck(answers)),
        "ck DawidSkene": lambda: ck.DawidSkene(n_iter=100).fit_predict(_ck(answers)),
        "ck MMSR": lambda: ck.MMSR().fit_predict(_ck(answers)),
        "ck KOS": lambda: ck.KOS().fit_predict(_ck(answers)),
    }
    for key, fit in peers.items():
        try:
            row[key] = accuracy(fit(), truth)
        except Exception as exc:  # crowd-kit's KOS on K > 2: its own error, reported
            row[key] = f"error: {type(exc).__name__}"
    return row


def part_kos() -> None:
    rows = []
    for name in MULTICLASS_SETS:
        answers = pd.read_csv(DATA / name / "annotations.csv")
        gold = pd.read_csv(DATA / name / "gold.csv").set_index("item")["label"].astype(str)
        gold.index = gold.index.astype(answers["item"].dtype)
        rows.append(_kos_rows(name, answers, gold))
        print(rows[-1], flush=True)
    for kind in ("uniform", "ordinal", "ordinal+reversed"):
        for seed in (200, 201):
            answers, truth = simulated_crowd(kind, seed)
            rows.append(_kos_rows(f"sim {kind} seed {seed}", answers, truth.astype(str)))
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    accs = [c for c in table.columns if not c.endswith(" s") and c not in ("data", "K")]
    print(table[["data", "K", *accs]].to_markdown(index=False, floatfmt=".3f"))
    print(table[["data", "lw kos s", "lw majority-vote s"]].to_markdown(index=False, floatfmt=".3f"))


_CHILD = """
import json, resource, sys, time, warnings
import numpy as np
sys.path.insert(0, {here!r})
from bench_kos_mmsr import batched_crowd
answers, truth, adversary = batched_crowd({n_ann}, {seed}, {bridges!r})
warnings.simplefilter("ignore")
which = {which!r}
if which == "crowdkit":
    import crowdkit.aggregation as ck
    answers = answers.rename(columns={{"item": "task", "annotator": "worker"}})
    est = ck.MMSR(n_iter={max_iter})
else:
    import labelwise.aggregate as agg
    est = agg.MMSR(max_iter={max_iter})
    assert agg.__file__.startswith({src!r}), agg.__file__
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if which == "crowdkit":
    labels = est.fit_predict(answers)
    weights = est.skills_.sort_index()
else:
    est.fit(answers)
    labels, weights = est.labels_, est.annotator_weight_
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
np.save({out!r} + ".w.npy", weights.to_numpy())
np.save({out!r} + ".l.npy", labels.sort_index().to_numpy())
acc = float((labels.sort_index().to_numpy() == truth).mean())
signs = float((np.sign(weights.to_numpy()) == np.where(adversary[weights.index.to_numpy()], -1, 1)).mean())
n_iter = getattr(est, "n_iter_", None)
print(json.dumps({{"s": seconds, "mb": (peak - before) / 1024, "acc": acc, "signs": signs, "n_iter": n_iter}}))
"""


def _fit_in_child(
    which: str, src: str, n_ann: int, bridges: str, max_iter: int, out: str, timeout: float
) -> dict[str, Any]:
    code = _CHILD.format(
        here=str(HERE), n_ann=n_ann, seed=0, bridges=bridges, max_iter=max_iter, which=which, src=src, out=out
    )
    env = {**os.environ, "PYTHONPATH": src}
    try:
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"note": f"timeout ({timeout:.0f} s)"}
    if done.returncode != 0:
        return {"note": f"error: {done.stderr.strip().splitlines()[-1][:80]}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def part_mmsr(
    sizes: list[int],
    bridges: str,
    max_iter: int,
    baseline: str | None,
    baseline_max: int,
    crowdkit_max: int,
    timeout: float,
) -> None:
    import labelwise.aggregate as agg

    ours = str(HERE.parent / "src")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n_ann in sizes:
            answers, truth, _ = batched_crowd(n_ann, 0, bridges)
            vote = agg.MajorityVote().fit(answers).labels_.sort_index().to_numpy()
            print(f"{n_ann} annotators, {len(answers)} answers: majority vote accuracy {(vote == truth).mean():.3f}")
            runs = {"labelwise (pairs)": ("labelwise", ours)}
            if baseline and n_ann <= baseline_max:
                runs["labelwise baseline (dense)"] = ("labelwise", baseline)
            if n_ann <= crowdkit_max:
                runs["crowd-kit"] = ("crowdkit", ours)
            for label, (which, src) in runs.items():
                out = f"{tmp}/{n_ann}-{which}-{src == ours}"
                res = _fit_in_child(which, src, n_ann, bridges, max_iter, out, timeout)
                rows.append({"annotators": n_ann, "implementation": label, **res})
                print(rows[-1], flush=True)
            if "labelwise baseline (dense)" in runs:
                w_new, w_old = (np.load(f"{tmp}/{n_ann}-labelwise-{flag}.w.npy") for flag in (True, False))
                l_new, l_old = (
                    np.load(f"{tmp}/{n_ann}-labelwise-{flag}.l.npy", allow_pickle=True) for flag in (True, False)
                )
                print(
                    f"  {n_ann} annotators: weights differ by at most {np.abs(w_new - w_old).max():.3g}, "
                    f"labels equal on {(l_new == l_old).mean():.1%}",
                    flush=True,
                )
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".3f"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["kos", "mmsr"], required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000, 20000])
    parser.add_argument("--bridges", choices=["per-batch", "per-item"], default="per-batch")
    parser.add_argument("--max-iter", type=int, default=10000, help="MMSR's max_iter (crowd-kit's n_iter), all three")
    parser.add_argument("--baseline-src", default=None, help="src folder of the tree to compare MMSR with")
    parser.add_argument("--baseline-max", type=int, default=5000, help="largest crowd for the dense baseline")
    parser.add_argument("--crowdkit-max", type=int, default=2000, help="largest crowd for crowd-kit's MMSR")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per fit in the MMSR part")
    args = parser.parse_args()
    print(machine_line("crowd-kit", "scipy"), f"load {os.getloadavg()[0]:.1f}", flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if args.part == "kos":
            part_kos()
        else:
            part_mmsr(
                args.sizes,
                args.bridges,
                args.max_iter,
                args.baseline_src,
                args.baseline_max,
                args.crowdkit_max,
                args.timeout,
            )
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
