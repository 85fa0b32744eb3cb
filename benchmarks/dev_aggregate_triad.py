"""Dev runs: the triad gate in ``aggregate.DawidSkene``'s dependent-pair check (issue 15, part 1, session 40, dsdep40).

REGISTRATION (written and committed before the judging run; results at the end).

The case. ``weak.LabelModel`` keeps a dependent pair only if its excess agreement stands out over
what both members share with a third labeler (``weak._pair_triad``, session 39 pairfp39: on
crowds where a few good labelers stand among many lured ones, every pair of the good ones agrees
more than the class-conditional model predicts, and grouping them is a false positive).
``aggregate.DawidSkene()``'s own check (``dependency_threshold=5``) has no such gate. Step 1
(``tmp`` runs of main's ``DawidSkene()``, disclosed): on ``minimax4_n600_K4_m30_s96`` of
``dev_weak_lure_stress.py`` it groups ``w19-w21`` (z 6.73) and ``w17-w19`` (z 6.85) and falls to
39.67% against majority vote's 54.83%, its own fit without the check 86.00% and crowd-kit's
Dawid-Skene 87.83%; on the 96 stress sets of fresh seeds 33-36 the check fires on two sets:
``blur2_n1500_K5_m60_s33`` (w29-w57, z 5.50; 98.00 with and without) and
``minimax2_n1500_K5_m60_s35`` (w20-w35, z 5.15; 84.73 against 85.40 without the check, crowd-kit
86.80). Means over the 96: MV 86.974, ``DawidSkene()`` 92.466, without the check 92.473,
crowd-kit 92.709.

The variant (``DawidSkene(dependency_triad=True)``): the pairs the check confirms are kept only
if ``z_ab − max(0, max_c min(z_ac, z_bc)) > dependency_threshold``, ``c`` over the annotators
sharing at least ``MIN_SHARED_ITEMS`` (50) of the screen's items with each member, every ``z`` the
pair's agreements on its shared items against the prediction from each item's other answers
(``check_one_pair``) under the check's fit of every answer with the found groups weighted
(``fit_without`` holding no annotator out: EM from the weighted vote shares, then one M-step of
every answer counted once). The gate is ``labelwise.aggregate._pair_triad.triad_keep``, the same
function that ``weak._pair_triad`` then uses (Hagenaars 1988: a direct effect between two
indicators raises the pair's residual alone; Chen and Thissen 1997's bivariate residual; Gelman,
Meng and Stern 1996). No new constant. Tried before registration on the case only: both pairs
dropped, 39.67 -> 86.00. Nothing of the dev crowds below nor of seeds 33-36 was run with it.

Rule (the form of every aggregate default since session 8 and of issue 15's rules), run ONCE with
``OMP_NUM_THREADS=1``; before = main's default (``dependency_triad=False`` is main's code path),
after = the variant; for ``DawidSkene()`` and for ``AutoAggregator()`` (whose Dawid-Skene candidate
is ``DawidSkene()``) each, over (i) the 93 crowds of ``dev_aggregate_pair_check.py`` (families
auto 33, look-alike 12, dense 21, pair 27; seeds 0-2): (1) mean accuracy not lower; (2) no crowd
more than 0.5 point below before; (3) every crowd ``after − MV >= min(before − MV, −0.5)``; (4)
summed CPU at most 3x; and (ii) the 96 stress sets of seeds 33-36 (``DawidSkene()`` only): (1')
the mean must GAIN (after > before), (2), (3) and (4). Adopted as the default only if all pass::

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_aggregate_triad.py --case    # the named case
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_aggregate_triad.py --judge   # the rule, once
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_aggregate_triad.py --minimax1  # step 3's diagnosis

References: J. A. Hagenaars, Sociological Methods and Research 16(3), 379-405, 1988; W.-H. Chen and
D. Thissen, J. Educational and Behavioral Statistics 22(3), 265-289, 1997; A. Gelman, X.-L. Meng and
H. Stern, Statistica Sinica 6, 733-807, 1996; A. P. Dawid and A. M. Skene, Applied Statistics 28(1),
20-28, 1979.

Results
-------
**The rule run, once** (``--judge``, commit bf0b186c, 01:21:12-01:26:47 UTC, load 6.4-9.4, other
runs beside it): **passes**. (i) The 93 aggregate crowds: ``DawidSkene()`` 83.655 -> 83.655 and
``AutoAggregator()`` 83.971 -> 83.971, no crowd changed; the check fires on 15 (all pair crowds,
the planted pair each time, z 7.98-16.57) and the gate keeps every pair; CPU 4.28 -> 4.57 s
(1.07x), auto 24.56 -> 25.18 s (1.03x). (ii) Seeds 33-36 (96 sets): 92.466 -> 92.473, 1 up / 0
down: ``minimax2_n1500_K5_m60_s35`` 84.73 -> 85.40 (w20-w35 dropped), ``blur2_n1500_K5_m60_s33``
98.00 -> 98.00 (w29-w57 dropped, no label moves); worst vs MV +0.20 -> +0.20; CPU 1.55 -> 1.69 s
(1.09x). Adopted: ``DawidSkene(dependency_triad=True)`` is the default.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from dev_aggregate_auto_glad import crowds  # noqa: E402
from dev_weak_lure_stress import stress_sets  # noqa: E402

from labelwise.aggregate import AutoAggregator, DawidSkene, MajorityVote, _dependent  # noqa: E402

CASE = "minimax4_n600_K4_m30_s96"


def _acc(labels: pd.Series, truth: pd.Series) -> float:
    return 100 * float((labels.to_numpy() == truth.reindex(labels.index).to_numpy()).mean())


def ds(answers: pd.DataFrame, truth: pd.Series, triad: bool) -> tuple[float, float, str]:
    """``DawidSkene(dependency_triad=triad)``: accuracy, CPU seconds and the pairs it groups."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.process_time()
        est = DawidSkene(dependency_triad=triad).fit(answers)
        cpu = time.process_time() - start
    cols = ["annotator_a", "annotator_b", "z"]
    pairs = ";".join(f"{a}-{b}:{z:.2f}" for a, b, z in est.dependent_pairs_[cols].itertuples(index=False))
    return _acc(est.labels_, truth), cpu, pairs


def auto(answers: pd.DataFrame, truth: pd.Series, triad: bool) -> tuple[float, float]:
    """``AutoAggregator()`` with its Dawid-Skene candidate's ``dependency_triad`` patched: accuracy, CPU."""
    defaults = DawidSkene.__init__.__kwdefaults__
    saved = defaults["dependency_triad"]
    defaults["dependency_triad"] = triad
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.process_time()
            labels = AutoAggregator().fit(answers).labels_
            return _acc(labels, truth), time.process_time() - start
    finally:
        defaults["dependency_triad"] = saved


def row_of(family: str, name: str, answers: pd.DataFrame, truth: pd.Series, with_auto: bool) -> dict:
    """One crowd: majority vote, before (main) and after (the gate), points."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row: dict = {"family": family, "set": name, "mv": _acc(MajorityVote().fit(answers).labels_, truth)}
    row["before"], row["cpu_before"], row["pairs_before"] = ds(answers, truth, False)
    row["after"], row["cpu_after"], row["pairs_after"] = ds(answers, truth, True)
    if with_auto:
        row["auto_before"], row["cpu_auto_before"] = auto(answers, truth, False)
        row["auto_after"], row["cpu_auto_after"] = auto(answers, truth, True)
    return row


def judge(frame: pd.DataFrame, before: str, after: str, gain: bool) -> bool:
    """The rule's conditions on one group of sets (module docstring)."""
    diff = frame[after] - frame[before]
    cpu = frame[f"cpu_{after}"].sum() / max(frame[f"cpu_{before}"].sum(), 1e-12)
    floor = np.minimum(frame[before] - frame.mv, -0.5)
    mean_ok = (
        frame[after].mean() > frame[before].mean() if gain else frame[after].mean() >= frame[before].mean() - 1e-12
    )
    rules = {
        "(1') mean gains" if gain else "(1) mean not lower": bool(mean_ok),
        "(2) none > 0.5 below before": bool((diff >= -0.5 - 1e-9).all()),
        "(3) none pushed > 0.5 below MV": bool(((frame[after] - frame.mv) >= floor - 1e-9).all()),
        "(4) CPU at most 3x": bool(cpu <= 3.0),
    }
    print(
        f"{after} vs {before}: mean {frame[before].mean():.3f} -> {frame[after].mean():.3f}, "
        f"{int((diff > 0).sum())} up / {int((diff < 0).sum())} down, largest fall {diff.min():+.2f}, "
        f"rise {diff.max():+.2f}, worst vs MV {(frame[before] - frame.mv).min():+.2f} -> "
        f"{(frame[after] - frame.mv).min():+.2f}, CPU {frame[f'cpu_{before}'].sum():.2f} -> "
        f"{frame[f'cpu_{after}'].sum():.2f} s ({cpu:.2f}x)"
    )
    for what, ok in rules.items():
        print(f"  {what}: {'passes' if ok else 'fails'}")
    bad = frame[(diff < -0.5 - 1e-9) | ((frame[after] - frame.mv) < floor - 1e-9)]
    if len(bad):
        print(bad[["set", "mv", before, after]].round(2).to_string(index=False))
    return all(rules.values())


def per_family(frame: pd.DataFrame, cols: list[str]) -> None:
    """Mean and worst-vs-MV per family."""
    for family, part in [*frame.groupby("family", sort=False), ("all", frame)]:
        text = "; ".join(f"{c} {part[c].mean():.3f} (worst vs MV {(part[c] - part.mv).min():+.2f})" for c in cols)
        print(f"{family!s:10s} ({len(part):2d}) MV {part.mv.mean():.3f}; {text}")


def show_gate() -> None:
    """Print each gated pair's ``z_ab`` and shared excess (wraps the gate of ``_dependent``)."""
    inner = _dependent.triad_keep

    def loud(pairs, z_of, shared, min_shared, threshold):  # type: ignore[no-untyped-def]
        seen: dict = {}

        def z(x: int, y: int) -> float:
            seen[(x, y)] = z_of(x, y)
            return seen[(x, y)]

        keep = inner(pairs, z, shared, min_shared, threshold)
        for row, k in zip(pairs, keep, strict=True):
            a, b = int(row[0]), int(row[1])
            thirds = {c: min(seen.get((min(a, c), max(a, c)), np.nan), seen.get((min(b, c), max(b, c)), np.nan))
                      for c in {u for key in seen for u in key} - {a, b}}  # fmt: skip
            best = max(thirds, key=lambda c: np.nan_to_num(thirds[c], nan=-np.inf)) if thirds else None
            print(f"  pair ({a}, {b}): z_ab {seen[(a, b)]:.2f}, shared excess {thirds.get(best, 0.0):.2f} "
                  f"(via {best}), kept {bool(k)}")  # fmt: skip
        return keep

    _dependent.triad_keep = loud


def _ds_map(onehot: np.ndarray, pseudo: np.ndarray, start: np.ndarray, n_iter: int) -> tuple[np.ndarray, float]:
    """Dawid-Skene MAP EM on dense one-hot votes ``[item, labeler, label]`` from the posterior ``start``
    for ``n_iter`` steps (fixed, no tolerance): the last posterior and the MAP objective per item."""
    post, obj = start, np.nan
    for _ in range(max(n_iter, 0) + 1):
        prior = post.mean(axis=0)
        counts = np.einsum("ik,ijl->jkl", post, onehot) + pseudo[None]
        conf = counts / counts.sum(axis=2, keepdims=True)
        joint = np.log(prior)[None] + np.einsum("ijl,jkl->ik", onehot, np.log(conf))
        top = joint.max(axis=1, keepdims=True)
        log_z = top[:, 0] + np.log(np.exp(joint - top).sum(axis=1))
        obj = float(log_z.sum() + (pseudo[None] * np.log(conf)).sum()) / len(post)
        if n_iter == 0:
            return np.exp(joint - log_z[:, None]), obj
        post, n_iter = np.exp(joint - log_z[:, None]), n_iter - 1
    return post, obj


def diagnose_minimax1() -> None:
    """Step 3: ``minimax1_n800_K4_m109_s87``, where ``weak.LabelModel()`` falls below majority vote
    with no grouping: the peers, and the Dawid-Skene MAP objective of the fit from majority vote, of
    a fit started at the truth, and at the parameters of the truth's M-step (the oracle)."""
    import crowdkit.aggregation as ck

    from labelwise.aggregate import GLAD, OneCoinDawidSkene
    from labelwise.weak import LabelModel

    votes, truth = next((v, t) for _, name, v, t in stress_sets(87) if name.startswith("minimax1"))
    answers = votes.to_annotations()
    ck_answers = answers.rename(columns={"item": "task", "annotator": "worker"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = DawidSkene().fit(answers)
        runs = {
            "majority vote": MajorityVote().fit(answers).labels_,
            "weak.LabelModel()": LabelModel().fit(votes).labels_,
            "weak.LabelModel(lured_items=False)": LabelModel(lured_items=False).fit(votes).labels_,
            "DawidSkene()": ds.labels_,
            "DawidSkene(smoothing=0)": DawidSkene(smoothing=0).fit(answers).labels_,
            "DawidSkene(prior_strength=50)": DawidSkene(prior_strength=50).fit(answers).labels_,
            "OneCoinDawidSkene()": OneCoinDawidSkene().fit(answers).labels_,
            "GLAD()": GLAD(verbose=False).fit(answers).labels_,
            "crowd-kit DawidSkene": ck.DawidSkene(n_iter=100, tol=1e-5).fit_predict(ck_answers),
            "crowd-kit OneCoinDawidSkene": ck.OneCoinDawidSkene(n_iter=100, tol=1e-5).fit_predict(ck_answers),
            "crowd-kit GLAD": ck.GLAD().fit_predict(ck_answers),
            "crowd-kit MMSR": ck.MMSR().fit_predict(ck_answers),
        }
    for what, labels in runs.items():
        print(f"{what}: {_acc(labels, truth):.2f}")
    matrix = votes.matrix()
    n, k = matrix.shape[0], len(votes.classes)
    g = pd.Index(votes.classes).get_indexer(truth.reindex(votes.items).to_numpy())
    onehot = np.zeros((*matrix.shape, k))
    rows, cols = np.nonzero(matrix >= 0)
    onehot[rows, cols, matrix[rows, cols]] = 1.0
    shares = onehot.sum(axis=1) / onehot.sum(axis=(1, 2))[:, None]
    for what, start, steps in (("from majority vote", shares, 2000), ("from the truth", np.eye(k)[g], 2000),
                               ("the truth's M-step (oracle)", np.eye(k)[g], 0)):  # fmt: skip
        post, obj = _ds_map(onehot, ds.pseudo_counts_, start, steps)
        print(f"DS MAP {what}: accuracy {100 * np.mean(post.argmax(1) == g):.2f}, objective/item {obj:.5f}")
    halves = np.random.default_rng(0).random(n) < 0.5  # the oracle out of fold: parameters from the other half
    post = np.zeros((n, k))
    for half in (halves, ~halves):
        counts = np.einsum("ik,ijl->jkl", np.eye(k)[g[~half]], onehot[~half]) + ds.pseudo_counts_[None]
        conf, prior = counts / counts.sum(axis=2, keepdims=True), np.bincount(g[~half], minlength=k) / (~half).sum()
        post[half] = np.log(prior)[None] + np.einsum("ijl,jkl->ik", onehot[half], np.log(conf))
    print(
        f"DS posterior at the truth's parameters, out of fold (two halves): accuracy {100 * np.mean(post.argmax(1) == g):.2f}"
    )
    fitted = ds.labels_.reindex(votes.items).to_numpy()
    right = shares[np.arange(n), g]
    for t in range(k):
        for f in range(k):
            if ((g == t) & (fitted == f)).sum() > 20:
                sel = (g == t) & (fitted == f)
                print(f"truth {t}, DawidSkene() {f}: {sel.sum()} items, votes for the truth {right[sel].mean():.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", action="store_true", help="the named case, with each pair's z and shared excess")
    ap.add_argument("--judge", action="store_true", help="the rule, once: the 93 aggregate crowds and seeds 33-36")
    ap.add_argument("--out", default=None, help="CSV prefix for the per-set tables")
    ap.add_argument("--minimax1", action="store_true", help="step 3: the diagnosis of minimax1_n800_K4_m109_s87")
    args = ap.parse_args()
    pd.set_option("display.width", 250)
    if args.minimax1:
        diagnose_minimax1()
    if args.case:
        show_gate()
        for family, name, votes, truth in stress_sets(96):
            if name == CASE:
                print(pd.DataFrame([row_of(family, name, votes.to_annotations(), truth, False)]).round(3))
    if not args.judge:
        return
    rows = []
    for family in ("auto", "lookalike", "dense", "pair"):
        for seed in (0, 1, 2):
            for name, answers, truth in crowds(family, seed):
                rows.append(row_of(family, f"{name} s{seed}", answers, truth, True))
                print(pd.DataFrame([rows[-1]]).round(2).to_string(index=False, header=len(rows) == 1), flush=True)
    dev = pd.DataFrame(rows)
    rows = []
    for seed in (33, 34, 35, 36):
        for family, name, votes, truth in stress_sets(seed):
            rows.append(row_of(family, name, votes.to_annotations(), truth, False))
            print(pd.DataFrame([rows[-1]]).round(2).to_string(index=False, header=len(rows) == 1), flush=True)
    stress = pd.DataFrame(rows)
    if args.out:
        dev.to_csv(f"{args.out}_dev.csv", index=False)
        stress.to_csv(f"{args.out}_stress.csv", index=False)
    print("\nthe 93 aggregate dev crowds")
    per_family(dev, ["before", "after", "auto_before", "auto_after"])
    ok = judge(dev, "before", "after", False)
    ok &= judge(dev, "auto_before", "auto_after", False)
    print("\nstress seeds 33-36")
    per_family(stress, ["before", "after"])
    ok &= judge(stress, "before", "after", True)
    changed = pd.concat([dev, stress])
    changed = changed[(changed.pairs_before != changed.pairs_after) | (changed.before != changed.after)]
    print("\nsets whose pairs or labels changed:")
    print(changed[["set", "mv", "before", "after", "pairs_before", "pairs_after"]].round(2).to_string(index=False))
    print("rule:", "passes" if ok else "fails")


if __name__ == "__main__":
    main()
