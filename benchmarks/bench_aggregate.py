"""Benchmark: labelwise.aggregate vs crowd-kit on the nine real crowd data sets.

For every data set in ../shared/data/crowd (relative to the project root) this runs every labelwise
aggregation method and every crowd-kit classification method on the same answer table and prints
accuracy against the gold labels and fit time side by side, the speed-up of each labelwise method
over its crowd-kit counterpart, and whether the goals of the aggregate issue are met.

Both libraries are timed the same way: the best of ``--repeats`` fits, a fit over 2 s not being
repeated. crowd-kit runs in a fresh subprocess per (data set, method) with a wall-clock limit
(``--timeout``, for all its repeats); a subprocess that exceeds it is reported as ``timeout``, one
that raises as ``error`` (crowd-kit 1.4.2's Wawa and ZeroBasedSkill fail under scikit-learn >= 1.7
with an ``__sklearn_tags__`` error).

It also checks the default method of ``labelwise aggregate`` (issue 15), and the Dawid-Skene
default and ``auto`` side by side: on every real set and on
simulated sparse crowds (1 and 2 answers per item, 2 to 100 classes, spammers and adversarial
annotators; seeds 100 and 101 unless ``--sparse-seeds`` names others, never used to choose the
default's prior, which was chosen with ``benchmarks/dev_aggregate_prior.py`` on seeds 0-2) it must
be at most 0.5 points below majority vote, and its mean accuracy over the real sets at least that of
the best single crowd-kit method. ``--sparse-crowdkit`` adds crowd-kit's DawidSkene to those rows.

Usage::

    python benchmarks/bench_aggregate.py                 # all sets, 120 s limit per crowd-kit method
    python benchmarks/bench_aggregate.py --sets CF MS --timeout 30 --json out.json
    python benchmarks/bench_aggregate.py --sparse-only   # just the simulated sparse crowds
    python benchmarks/bench_aggregate.py --sparse-only --sparse-seeds 7000 7001 --sparse-crowdkit  # fresh seeds
    python benchmarks/bench_aggregate.py --no-sparse --lw-methods dawid-skene --ck-methods dawid-skene  # DS rows
    python benchmarks/bench_aggregate.py --large         # 10M answers in memory, per stage (issue 12)
    python benchmarks/bench_aggregate.py --large --before /tmp/before/src   # ... next to an older tree
    python benchmarks/bench_aggregate.py --dask [--before /tmp/before/src]  # Dawid-Skene's checks on Dask, 1e6 answers
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "crowd"
sys.path.insert(0, str(ROOT / "src"))

from _aggregate_dask import run_dask
from _aggregate_large import run_large
from _crowd_sets import REAL_CROWD_SETS, accuracy, read_crowd_set
from _machine import cpu_model

from labelwise.aggregate import METHODS
from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd
from labelwise.cli.aggregate import DEFAULT_METHOD

SPARSE = [  # (answers per item, K, n_items, n_annotators, spammer share, adversary share)
    (1, 100, 50000, 500, 0.1, 0.05),
    (1, 10, 10000, 200, 0.1, 0.05),
    (1, 2, 10000, 200, 0.2, 0.1),
    (2, 100, 50000, 500, 0.1, 0.05),
    (2, 20, 10000, 300, 0.2, 0.1),
    (2, 5, 10000, 200, 0.1, 0.05),
    (2, 2, 10000, 100, 0.2, 0.1),
]
SPARSE_SEEDS = (100, 101)

SETS = REAL_CROWD_SETS
# crowdlab needs a model's probabilities, gold-majority-vote the true labels of some items
LW_METHODS = [m for m in METHODS if m not in ("crowdlab", "gold-majority-vote")]
CK_METHODS = {
    "majority-vote": "MajorityVote",
    "wawa": "Wawa",
    "zero-based-skill": "ZeroBasedSkill",
    "dawid-skene": "DawidSkene",
    "one-coin": "OneCoinDawidSkene",
    "glad": "GLAD",
    "mace": "MACE",
    "kos": "KOS",
    "mmsr": "MMSR",
}

_CHILD = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
import crowdkit.aggregation as ca
path, cls_name, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
clock = getattr(time, sys.argv[4]) if len(sys.argv) > 4 else time.perf_counter
df = pd.read_csv(path, dtype=str).rename(columns={"item": "task", "annotator": "worker"})
times = []
for _ in range(repeats):  # best of N, as for labelwise; a run over 2 s is not repeated
    est = getattr(ca, cls_name)()
    t0 = clock()
    labels = est.fit_predict(df)
    times.append(clock() - t0)
    if times[-1] > 2.0:
        break
json.dump({"time": min(times), "labels": {str(k): str(v) for k, v in labels.items()}}, sys.stdout)
"""


def machine() -> str:
    cpu = cpu_model()
    import crowdkit  # noqa: F401
    import sklearn

    ck = getattr(sys.modules.get("crowdkit"), "__version__", None)
    if ck is None:
        from importlib.metadata import version

        ck = version("crowd-kit")
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, scikit-learn {sklearn.__version__}, crowd-kit {ck}"
    )


#: The clock both libraries are timed with (``--clock``): wall time, or the process's CPU time,
#: which a machine shared with other jobs inflates far less.
CLOCKS = {"wall": "perf_counter", "cpu": "process_time"}
CLOCK = CLOCKS["wall"]


def run_labelwise(name: str, answers: pd.DataFrame, repeats: int) -> tuple[pd.Series, float]:
    clock = getattr(time, CLOCK)
    times = []
    for _ in range(repeats):
        est = METHODS[name]()
        t0 = clock()
        est.fit(answers)
        times.append(clock() - t0)
        if times[-1] > 2.0:
            break
    return est.labels_.astype(str), float(min(times))


def run_crowdkit(cls_name: str, path: Path, timeout: float, repeats: int, python: str = sys.executable) -> dict:
    try:
        proc = subprocess.run(
            [python, "-c", _CHILD, str(path), cls_name, str(repeats), CLOCK],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout"}
    if proc.returncode != 0:
        last = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        return {"status": "error", "error": last[-1][:160] if last else f"exit {proc.returncode}"}
    out = json.loads(proc.stdout)
    return {"status": "ok", "time": out["time"], "labels": pd.Series(out["labels"])}


#: Methods whose issue-15 goals are reported side by side: the Dawid-Skene default and ``auto``.
GOAL_METHODS = list(dict.fromkeys(["dawid-skene", "auto", DEFAULT_METHOD]))


def run_sparse(seeds: tuple[int, ...] = SPARSE_SEEDS, timeout: float | None = None) -> bool:
    """Each goal method vs majority vote on simulated sparse crowds; True when the default meets the goal.

    With ``timeout`` (seconds), crowd-kit's DawidSkene is run on each crowd too (a subprocess, as for
    the real sets) and its accuracy printed beside the others.
    """
    import tempfile
    import warnings

    print(f"\n== simulated sparse crowds: {GOAL_METHODS} vs majority-vote (points; default {DEFAULT_METHOD!r})")
    ok_all = {m: True for m in GOAL_METHODS}
    for r, k, n, m, spam, adv in SPARSE:
        for seed in seeds:
            sim = simulate_sparse_crowd(
                n, k, m, answers_per_item=r, spammer_share=spam, adversary_share=adv, random_state=seed
            )
            truth = sim.true_labels
            res = {}
            for name in ["majority-vote", *GOAL_METHODS]:
                est = METHODS[name]()
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    est.fit(sim.answers)
                note = getattr(est, "chosen_", None) or f"fallback={getattr(est, 'fallback_', None)}"
                res[name] = (
                    100 * float((est.labels_.to_numpy() == truth.to_numpy()).mean()),
                    time.perf_counter() - t0,
                    note,
                )
            cells = []
            for name in GOAL_METHODS:
                gap = res[name][0] - res["majority-vote"][0]
                ok_all[name] &= gap >= -0.5
                cells.append(
                    f"{name} {res[name][0]:.2f} ({gap:+.2f}) {res[name][1]:.1f} s [{res[name][2]}] {'ok' if gap >= -0.5 else 'MISS'}"
                )
            if timeout is not None:
                with tempfile.TemporaryDirectory() as tmp:
                    sim.answers.to_csv(Path(tmp) / "answers.csv", index=False)
                    ck = run_crowdkit("DawidSkene", Path(tmp) / "answers.csv", timeout, 1)
                if ck["status"] == "ok":
                    ck_acc = 100 * accuracy(ck["labels"], truth.astype(str).set_axis(truth.index.astype(str)))
                    gap = ck_acc - res["majority-vote"][0]
                    cells.append(f"crowd-kit DS {ck_acc:.2f} ({gap:+.2f}) {ck['time']:.1f} s")
                else:
                    cells.append(f"crowd-kit DS {ck['status']}")
            print(
                f"  {r} answer(s)/item K={k:<3} {n:>6} items {m:>3} annotators seed {seed}: "
                f"majority {res['majority-vote'][0]:.2f}  " + "  ".join(cells),
                flush=True,
            )
    for name in GOAL_METHODS:
        print(f"  {name}: never more than 0.5 points below majority vote: {'met' if ok_all[name] else 'NOT met'}")
    return ok_all[DEFAULT_METHOD]


def default_goals(frame: pd.DataFrame) -> None:
    """Issue 15's goals for the default method (and the other goal methods) on the real sets."""
    lw = frame.pivot(index="set", columns="method", values="lw_acc")
    ck = None
    if "ck_acc" in frame:
        ck_all = frame[frame.ck_status == "ok"].pivot(index="set", columns="method", values="ck_acc")
        ck = ck_all.dropna(axis=1)  # crowd-kit methods that ran on every set
    for name in GOAL_METHODS:
        print(f"\n== {name}{' (the default)' if name == DEFAULT_METHOD else ''} on the real sets")
        gaps = 100 * (lw[name] - lw["majority-vote"])
        for ds, gap in gaps.items():
            print(
                f"  {ds:<34} {lw.loc[ds, name]:.4f} vs majority {lw.loc[ds, 'majority-vote']:.4f} "
                f"({gap:+.2f} pts) {'ok' if gap >= -0.5 else 'MISS'}"
            )
        print(f"  never more than 0.5 points below majority vote: {'met' if (gaps >= -0.5).all() else 'NOT met'}")
        if ck is None or ck.empty:
            continue
        best = ck.mean().idxmax()
        ours = lw[name].mean()
        print(
            f"  mean over {len(lw)} sets: {name} {ours:.4f}, best single crowd-kit method ({best}, of "
            f"{list(ck.columns)}) {ck[best].mean():.4f}: {'met' if ours >= ck[best].mean() else 'NOT met'}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", nargs="*", default=SETS)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per crowd-kit subprocess (all its repeats)")
    ap.add_argument("--repeats", type=int, default=3, help="timing of both libraries: best of N (runs under 2 s)")
    ap.add_argument("--no-crowdkit", action="store_true")
    ap.add_argument("--ck-methods", nargs="*", default=list(CK_METHODS), help="crowd-kit methods to run")
    ap.add_argument("--lw-methods", nargs="*", default=LW_METHODS, choices=LW_METHODS, help="labelwise methods to run")
    ap.add_argument(
        "--legacy-python",
        help="a Python with crowd-kit 1.4.2 and scikit-learn 1.5.2: reruns the crowd-kit methods that "
        "fail under the main environment's scikit-learn (Wawa, ZeroBasedSkill) with it",
    )
    ap.add_argument("--json", type=Path, help="write all numbers here")
    ap.add_argument(
        "--clock", choices=sorted(CLOCKS), default="wall", help="time fits by wall clock or by the process's CPU time"
    )
    ap.add_argument("--sparse-only", action="store_true", help="only the simulated sparse crowds")
    ap.add_argument("--no-sparse", action="store_true", help="skip the simulated sparse crowds")
    ap.add_argument(
        "--sparse-seeds", nargs="+", type=int, default=list(SPARSE_SEEDS), help="seeds of the simulated sparse crowds"
    )
    ap.add_argument(
        "--sparse-crowdkit", action="store_true", help="also run crowd-kit's DawidSkene on the sparse crowds"
    )
    ap.add_argument("--large", action="store_true", help="only time 10M answers in memory per stage (issue 12)")
    ap.add_argument(
        "--dask", action="store_true", help="only time Dawid-Skene's dependence checks on Dask (1e6 answers)"
    )
    ap.add_argument(
        "--before", help="with --large or --dask: another tree's src/ (e.g. git archive of main) run side by side"
    )
    ap.add_argument("--large-answers", type=int, help="with --large (default 1e7) or --dask (1e6): number of answers")
    ap.add_argument("--scheduler", choices=("sync", "cluster"), default="sync", help="with --dask: where the fit runs")
    ap.add_argument("--limit", type=float, help="with --dask: stop each tree's run after this many seconds")
    ap.add_argument(
        "--modes",
        nargs="+",
        choices=("default", "triad-off", "rings"),
        help="with --dask: the fits to run (default: all)",
    )
    args = ap.parse_args()
    global CLOCK
    CLOCK = CLOCKS[args.clock]

    print("machine:", machine(), f"(fits timed by {args.clock} time)")
    if args.large:
        run_large(args.before, args.large_answers or 10_000_000)
        return
    if args.dask:
        modes = [m.replace("-", " ") for m in args.modes] if args.modes else None
        run_dask(args.before, args.large_answers or 1_000_000, args.scheduler, args.limit, modes)
        return
    if not args.no_sparse:
        sparse_ok = run_sparse(tuple(args.sparse_seeds), args.timeout if args.sparse_crowdkit else None)
        print(
            f"  default never more than 0.5 points below majority vote on the sparse crowds: "
            f"{'met' if sparse_ok else 'NOT met'}"
        )
    if args.sparse_only:
        return
    rows = []
    for ds in args.sets:
        folder = DATA / ds
        answers, gold = read_crowd_set(folder)
        print(
            f"\n== {ds}: {len(answers):,} answers, {answers['item'].nunique():,} items, "
            f"{answers['annotator'].nunique()} annotators, K={answers['label'].nunique()}, "
            f"gold {len(gold):,}"
        )
        lw = {}
        for m in args.lw_methods:
            labels, t = run_labelwise(m, answers, args.repeats)
            lw[m] = {"acc": accuracy(labels, gold), "time": t, "labels": labels}
        ck = {}
        if not args.no_crowdkit:
            for m, cls_name in CK_METHODS.items():
                if m not in args.ck_methods:
                    continue
                res = run_crowdkit(cls_name, folder / "annotations.csv", args.timeout, args.repeats)
                if res["status"] == "error" and args.legacy_python and "__sklearn_tags__" in res["error"]:
                    first_error = res["error"]
                    res = run_crowdkit(
                        cls_name, folder / "annotations.csv", args.timeout, args.repeats, args.legacy_python
                    )
                    res["note"] = f"ran under scikit-learn 1.5.2 (main env: {first_error[:60]}...)"
                if res["status"] == "ok":
                    res["acc"] = accuracy(res["labels"], gold)
                ck[m] = res
        header = f"{'method':<18}{'labelwise acc':>14}{'time s':>10}   {'crowd-kit acc':>14}{'time s':>10}{'speed-up':>10}{'agree':>8}"
        print(header)
        for m in list(dict.fromkeys(LW_METHODS + list(CK_METHODS))):
            a = lw.get(m)
            c = ck.get(m)
            la = f"{a['acc']:.4f}" if a else "-"
            lt = f"{a['time']:.4f}" if a else "-"
            if c is None:
                ca_, ct, sp, ag = ("-" if args.no_crowdkit else "n/a"), "-", "-", "-"
            elif c["status"] != "ok":
                ca_, ct, sp, ag = c["status"], (f">{args.timeout:.0f}" if c["status"] == "timeout" else "-"), "-", "-"
                if a and c["status"] == "timeout":
                    sp = f">{args.timeout / a['time']:.0f}x"
            else:
                ca_, ct = f"{c['acc']:.4f}", f"{c['time']:.3f}"
                sp = f"{c['time'] / a['time']:.0f}x" if a else "-"
                if a:
                    common = a["labels"].index.intersection(c["labels"].index)
                    ag = f"{(a['labels'].loc[common] == c['labels'].loc[common]).mean():.3f}"
                else:
                    ag = "-"
            print(f"{m:<18}{la:>14}{lt:>10}   {ca_:>14}{ct:>10}{sp:>10}{ag:>8}")
            row = {"set": ds, "method": m}
            if a:
                row.update(lw_acc=a["acc"], lw_time=a["time"])
            if c is not None:
                row.update(
                    ck_status=c["status"],
                    ck_acc=c.get("acc"),
                    ck_time=c.get("time"),
                    ck_error=c.get("error"),
                    ck_note=c.get("note"),
                )
                if a and c["status"] == "ok":
                    common = a["labels"].index.intersection(c["labels"].index)
                    row["agree"] = float((a["labels"].loc[common] == c["labels"].loc[common]).mean())
            rows.append(row)
        for m, c in ck.items():
            if c["status"] == "error":
                print(f"  crowd-kit {CK_METHODS[m]} failed: {c['error']}")
            if c.get("note"):
                print(f"  crowd-kit {CK_METHODS[m]} {c['note']}")

    frame = pd.DataFrame(rows)
    if args.json:
        args.json.write_text(frame.to_json(orient="records", indent=1))
    if {"majority-vote", *GOAL_METHODS} <= set(args.lw_methods):
        default_goals(frame)
    if args.no_crowdkit:
        return
    print("\n== goals")
    verdicts = []
    for m in ("dawid-skene", "one-coin", "glad", "mace"):
        for _, r in frame[frame.method == m].iterrows():
            verdict, note = method_goal(m, r, args.timeout)
            verdicts.append(verdict)
            print(f"  {m:<12} {r.set:<34} {verdict:<4} {note}")
    print(
        f"  per-method goals: {verdicts.count('ok')} ok, {verdicts.count('MISS')} MISS, "
        f"{verdicts.count('n/a')} without a crowd-kit number (timed out or not run; neither miss nor win)"
    )
    cif = frame[(frame.set == "cifar10n_slots") & frame.method.isin(["dawid-skene", "one-coin"])]
    for _, r in cif.iterrows():
        print(f"  {r.method:<12} on cifar10n_slots: {r.lw_time:.3f} s ({'ok' if r.lw_time < 1 else 'MISS'} < 1 s)")
    outcomes = []
    for ds, sub in frame.groupby("set", sort=False):
        win, line = best_on_set(ds, sub)
        outcomes.append(win)
        print(line)
    compared = [w for w in outcomes if w is not None]
    print(
        f"  best labelwise >= best crowd-kit on {sum(compared)} of {len(compared)} sets with a crowd-kit number "
        f"(goal >= 7 of 9; {len(outcomes) - len(compared)} set(s) without one)"
    )


def method_goal(method: str, r: pd.Series, timeout: float) -> tuple[str, str]:
    """The per-set goal of one method against crowd-kit's: ("ok" | "MISS" | "n/a", note).

    A crowd-kit method that timed out or was not run has no accuracy to compare with: "n/a",
    neither a miss nor a win (a NaN accuracy used to print as "MISS crowd-kit nan").
    """
    status = r.get("ck_status")
    if status == "ok":
        gap = 100 * (r.lw_acc - r.ck_acc)
        speed = r.ck_time / r.lw_time
        acc_ok = abs(gap) <= 0.5 or method in ("glad", "mace")
        ok = speed >= 20 and (acc_ok or gap > 0)
        return ("ok" if ok else "MISS"), f"acc {r.lw_acc:.4f} vs {r.ck_acc:.4f} ({gap:+.2f} pts), {speed:.0f}x"
    if status == "timeout":
        return "n/a", f"crowd-kit timed out (> {timeout:.0f} s), labelwise {r.lw_time:.2f} s"
    if not isinstance(status, str):  # no crowd-kit row: the method was not in --ck-methods
        return "n/a", "crowd-kit not run"
    return "MISS", f"crowd-kit {status}: {r.get('ck_error')}"


def best_on_set(ds: str, sub: pd.DataFrame) -> tuple[bool | None, str]:
    """Best labelwise against best crowd-kit accuracy on one set: (win, or None without a crowd-kit number; line)."""
    best_lw = sub.lw_acc.max()
    lw_name = sub.loc[sub.lw_acc.idxmax(), "method"]
    status = sub["ck_status"] if "ck_status" in sub else pd.Series(None, index=sub.index, dtype=object)
    ck_ok, out = sub[status == "ok"], list(sub.method[status == "timeout"])
    timed_out = f"; {', '.join(out)} timed out" if out else ""
    if ck_ok.empty:
        return None, f"  best on {ds:<34} labelwise {best_lw:.4f} ({lw_name}) vs crowd-kit: no number{timed_out}"
    best_ck = ck_ok.ck_acc.max()
    win = bool(best_ck <= best_lw)
    ck_name = ck_ok.loc[ck_ok.ck_acc.idxmax(), "method"]
    return win, (
        f"  best on {ds:<34} labelwise {best_lw:.4f} ({lw_name}) vs crowd-kit {best_ck:.4f} ({ck_name}) "
        f"{'>=' if win else '<'}{timed_out}"
    )


if __name__ == "__main__":
    main()
