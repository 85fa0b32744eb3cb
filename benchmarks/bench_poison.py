"""Noise and poisoning: labelwise's defences on FLORAL's Moon sheets, attacks on make_moons, timings.

Run: ``.venv/bin/python benchmarks/bench_poison.py [--quick]`` from the project root. Prints
markdown tables (copied into benchmarks/RESULTS.md).

1. Every defence on every FLORAL Moon sheet (../shared/data/floral_moon): clean-test accuracy,
   mean and spread over 5 seeds for the random ones, next to a plain RBF SVC (C=10, gamma=0.5).
2. random / farthest / topk_sv / ALFA attacks at 5-25% on make_moons (n=1000, noise 0.2), plain
   SVC and the defences side by side (robustness_curve, 3 seeds).
3. Timings: ALFA on 600 points, FloralSVC (paper defaults) on 500 points, LFA on 300 points.
4. Noise generation next to the peer, cleanlab 2.9.0 (generate_noisy_labels,
   generate_noise_matrix_from_trace), each peer call in a subprocess with a time limit.
"""

from __future__ import annotations

import argparse
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
from sklearn.datasets import make_moons
from sklearn.svm import SVC

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "floral_moon"
SHEETS = [
    "train",
    "train_adv_5",
    "train_adv_10",
    "train_adv_15",
    "train_adv_20",
    "train_adv_25",
    "train_adv_5_lfa",
    "train_adv_10_lfa",
    "train_adv_25_lfa",
]
MOON_GAMMA = 0.5  # the FLORAL paper's RBF width on its Moon sheets (the defences default to "scale")

from _machine import cpu_model  # noqa: E402

import labelwise as lw  # noqa: E402
from labelwise.poison import (  # noqa: E402
    LNSVC,
    AuditThenTrain,
    CurieSVC,
    FloralSVC,
    GraphSanitizedSVC,
    LabelSanitizedSVC,
    alfa,
    lfa,
    robustness_curve,
)


def machine() -> str:
    cpu = cpu_model()
    return (
        f"{os.cpu_count()} cores (nproc), {cpu}; Python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {__import__('sklearn').__version__}, scipy {__import__('scipy').__version__}"
    )


def load(name):
    frame = pd.read_csv(DATA / f"{name}.csv")
    return frame[["feature_0", "feature_1"]].to_numpy(), frame["label"].to_numpy()


def sheets_table(n_seeds: int) -> pd.DataFrame:
    X_test, y_test = load("test")
    defences = {
        "floral (paper)": (lambda s: FloralSVC(gamma=MOON_GAMMA, random_state=s), True),
        "floral (k=10%)": (lambda s: FloralSVC(gamma=MOON_GAMMA, budget=0.1, random_state=s), True),
        "ln-svm": (lambda s: LNSVC(gamma=MOON_GAMMA), False),
        "curie": (lambda s: CurieSVC(gamma=MOON_GAMMA), False),
        "ls-svm": (lambda s: LabelSanitizedSVC(gamma=MOON_GAMMA), False),
        "audit": (lambda s: AuditThenTrain(gamma=MOON_GAMMA, random_state=s), True),
        "graph": (lambda s: GraphSanitizedSVC(gamma=MOON_GAMMA), False),
    }
    rows = []
    for sheet in SHEETS:
        X, y = load(sheet)
        row = {
            "sheet": sheet,
            "flipped": int((y != load("train")[1]).sum()),
            "svc": SVC(C=10, gamma=MOON_GAMMA).fit(X, y).score(X_test, y_test),
        }
        for name, (make, random) in defences.items():
            accs = [make(s).fit(X, y).score(X_test, y_test) for s in (range(n_seeds) if random else [0])]
            row[name] = float(np.mean(accs))
            row[name + " sd"] = float(np.std(accs)) if random else 0.0
        rows.append(row)
    return pd.DataFrame(rows)


def fmt_sheets(t: pd.DataFrame) -> str:
    names = ["floral (paper)", "floral (k=10%)", "ln-svm", "curie", "ls-svm", "audit", "graph"]
    head = "| sheet | flipped | plain SVC | " + " | ".join(names) + " |"
    lines = [head, "|" + "---|" * (3 + len(names))]
    for _, r in t.iterrows():
        cells = []
        for n in names:
            sd = r[n + " sd"]
            cells.append(f"{r[n]:.3f}" + (f" ± {sd:.3f}" if sd > 0 else ""))
        lines.append(f"| {r['sheet']} | {r['flipped']} | {r['svc']:.3f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def goal_lines(t: pd.DataFrame) -> str:
    out = []
    for n in ["floral (paper)", "floral (k=10%)", "graph"]:
        ge = t[n] >= t["svc"] - 1e-12
        d20 = float(t.loc[t.sheet == "train_adv_20", n].iloc[0] - t.loc[t.sheet == "train_adv_20", "svc"].iloc[0])
        d25 = float(t.loc[t.sheet == "train_adv_25", n].iloc[0] - t.loc[t.sheet == "train_adv_25", "svc"].iloc[0])
        met = bool(ge.all() and d20 >= 0.05 and d25 >= 0.05)
        below = ", ".join(t.loc[~ge, "sheet"]) or "none"
        out.append(
            f"- {n}: >= plain SVC on {int(ge.sum())}/{len(t)} sheets (below on: {below}); "
            f"adv_20 {d20 * 100:+.1f} pts, adv_25 {d25 * 100:+.1f} pts -> goal {'MET' if met else 'NOT met'}"
        )
    return "\n".join(out)


def moons_table(seeds: int, quick: bool) -> pd.DataFrame:
    X, y = make_moons(1000, noise=0.2, random_state=0)
    X = (X - X.mean(0)) / X.std(0)
    models = ["svc", "floral", "ln-svm", "curie", "ls-svm", "audit", "graph"]
    budgets = [0.05, 0.1, 0.25] if quick else [0.05, 0.1, 0.15, 0.2, 0.25]
    curve = robustness_curve(
        models,
        X,
        y,
        attacks=["random", "farthest", "topk_sv", "alfa"],
        budgets=budgets,
        seeds=seeds,
        test=0.3,
        C=10.0,
        gamma=MOON_GAMMA,
        verbose=False,
    )
    return curve.summary()


def fmt_moons(s: pd.DataFrame) -> str:
    wide = s.pivot_table(index=["attack", "budget"], columns="model", values="mean", sort=False).reset_index()
    models = [m for m in ["svc", "floral", "ln-svm", "curie", "ls-svm", "audit", "graph"] if m in wide.columns]
    lines = ["| attack | budget | " + " | ".join(models) + " |", "|" + "---|" * (2 + len(models))]
    for _, r in wide.iterrows():
        lines.append(f"| {r['attack']} | {r['budget']:g} | " + " | ".join(f"{r[m]:.3f}" for m in models) + " |")
    return "\n".join(lines)


def timings(quick: bool) -> list[str]:
    out = []
    X, y = make_moons(600, noise=0.2, random_state=0)
    for b in (0.05, 0.25):
        t = time.perf_counter()
        res = alfa(X, y, b)
        out.append(
            f"- ALFA, n=600, budget {b:g}: {time.perf_counter() - t:.2f} s ({res.info['n_iter']} LP/SVM "
            f"alternations; goal < 10 s)"
        )
    Xs, ys = load("train_adv_10")
    t = time.perf_counter()
    FloralSVC(gamma=MOON_GAMMA, random_state=0).fit(Xs, ys)
    out.append(f"- FloralSVC paper defaults (500 rounds, k=25), n=500: {time.perf_counter() - t:.2f} s (goal < 30 s)")
    X3, y3 = make_moons(300, noise=0.2, random_state=0)
    t = time.perf_counter()
    lfa(X3, y3, 0.05, random_state=0)
    out.append(f"- LFA (16 margin candidates per step), n=300, budget 0.05 (15 flips): {time.perf_counter() - t:.2f} s")
    return out


PEER = r"""
import json, sys, time
import numpy as np
from cleanlab.benchmarking import noise_generation as ng
task = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
y = rng.integers(0, task["K"], task["n"])
m = np.array(task["matrix"])
np.random.seed(0)
t = time.perf_counter(); noisy = ng.generate_noisy_labels(y, m); t_flip = time.perf_counter() - t
t = time.perf_counter(); ng.generate_noise_matrix_from_trace(task["K"], task["K"] * 0.7, py=np.bincount(y) / len(y), valid_noise_matrix=True, seed=0); t_mat = time.perf_counter() - t
joint = np.zeros((task["K"], task["K"])); np.add.at(joint, (noisy, y), 1)
print(json.dumps({"t_flip": t_flip, "t_matrix": t_mat, "max_count_error": float(np.abs(joint - m * np.bincount(y, minlength=task["K"])).max())}))
"""


def noise_vs_cleanlab(n: int, K: int, timeout: float = 120.0) -> list[str]:
    rng = np.random.default_rng(0)
    y = rng.integers(0, K, n)
    m = lw.noise.noise_matrix(K, 0.3, kind="random", random_state=0)
    t = time.perf_counter()
    ours = lw.noise.flip_labels(y, m, random_state=0)
    t_flip = time.perf_counter() - t
    t = time.perf_counter()
    lw.noise.noise_matrix(K, 0.3, kind="random", random_state=1)
    t_mat = time.perf_counter() - t
    joint = np.zeros((K, K))
    np.add.at(joint, (ours.labels, y), 1)
    err = float(np.abs(joint - m * np.bincount(y, minlength=K)).max())
    task = json.dumps({"n": n, "K": K, "matrix": m.tolist()})
    try:
        proc = subprocess.run([sys.executable, "-c", PEER, task], capture_output=True, text=True, timeout=timeout)
        peer = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else None
        note = (
            ""
            if peer
            else f"cleanlab failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr else proc.returncode}"
        )
    except subprocess.TimeoutExpired:
        peer, note = None, f"cleanlab timed out after {timeout:.0f} s"
    lines = [
        f"- flip_labels, n={n:,}, K={K}: labelwise {t_flip:.3f} s, largest |count - n_j M_ij| = {err:.2f} "
        f"(largest-remainder rounding: always < 1)"
    ]
    if peer:
        lines.append(
            f"  cleanlab generate_noisy_labels {peer['t_flip']:.3f} s (ratio cleanlab/labelwise "
            f"{peer['t_flip'] / t_flip:.1f}x), largest count error {peer['max_count_error']:.2f} (truncation)"
        )
        lines.append(
            f"- random noise matrix, K={K}, trace 0.7K: labelwise {t_mat * 1000:.1f} ms, cleanlab "
            f"generate_noise_matrix_from_trace {peer['t_matrix'] * 1000:.1f} ms"
        )
    else:
        lines.append(f"  {note}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer seeds and budgets")
    args = parser.parse_args()
    n_seeds = 2 if args.quick else 5
    print(f"Machine: {machine()}\n")
    t0 = time.perf_counter()
    if DATA.is_dir():
        t = sheets_table(n_seeds)
        print(f"### FLORAL Moon sheets: clean-test accuracy (random defences: mean ± sd over {n_seeds} seeds)\n")
        print(fmt_sheets(t))
        print("\nGoal (>= plain SVC on every sheet, >= 5 points better on adv_20 and adv_25):\n")
        print(goal_lines(t))
    else:
        print(f"(FLORAL sheets not found at {DATA}; skipped)")
    seeds = 2 if args.quick else 3
    print(
        f"\n### make_moons (n=1000, noise 0.2, standardised; 70/30 split): clean-test accuracy, mean of {seeds} seeds\n"
    )
    print(fmt_moons(moons_table(seeds, args.quick)))
    print("\n### Timings\n")
    print("\n".join(timings(args.quick)))
    print("\n### Noise generation vs cleanlab 2.9.0\n")
    print("\n".join(noise_vs_cleanlab(1_000_000, 10)))
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
