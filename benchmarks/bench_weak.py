"""Benchmark: labelwise.weak against Snorkel 0.10 and crowd-kit (issue 15, part 2).

Three comparisons, each run side by side in one run:

1. Label models on the nine real crowd sets in ../shared/data/crowd (annotators as labeling
   functions, abstain = no answer) and on simulated labeling-function sets with correlated and
   low-coverage functions (``labelwise.weak.simulate_lfs``, seeds 1000+, never used to choose
   defaults: those were chosen on seeds 100-105 with ``--dev``). Accuracy of labelwise's
   ``LabelModel``, Snorkel's ``LabelModel`` (defaults, ``fit(L, seed=0)``), crowd-kit's
   ``DawidSkene`` and majority vote, on the gold items that got at least one vote, and the fit
   times of labelwise and Snorkel.
2. Applying 20 labeling functions to 1,000,000 rows: labelwise ``weak.apply`` with vectorised
   functions against Snorkel's ``PandasLFApplier`` with the same 20 rules written per row (Snorkel's
   applier is row-wise). The two label matrices are checked to be identical.
3. ``weak.analysis`` against Snorkel's ``LFAnalysis.lf_summary`` on the same matrices: largest
   absolute difference of coverage, overlaps, conflicts and empirical accuracy.

Snorkel 0.10 pins old library versions, so it lives in its own virtualenv and runs in a
subprocess (this same script with ``--snorkel-worker``, which imports only numpy, pandas and
snorkel)::

    python3.11 -m venv /work/venvs/weak-snorkel
    /work/venvs/weak-snorkel/bin/pip install snorkel==0.10.0 pyarrow
    python benchmarks/bench_weak.py --snorkel-python /work/venvs/weak-snorkel/bin/python

Options: ``--apply-rows`` (default 1,000,000), ``--no-snorkel``, ``--skip-apply`` (label models
only), ``--sets NAME,...`` (only these label-model sets), ``--sims-only`` (only the simulated sets, e.g.
at other ``--first-seed`` values), ``--apply-only``, ``--dev`` (the
default-choosing runs on dev seeds, no Snorkel; the abstain-model rule was chosen with
``benchmarks/dev_weak_abstains.py``).
"""

from __future__ import annotations

import os

# One BLAS / OpenMP thread for labelwise and for Snorkel's torch alike (set before numpy loads; the
# subprocess inherits it). On this 2-core machine shared by many jobs, threaded BLAS on small
# vectors spends most of its time waiting for cores (a 11,525-long dot product: 25 µs with one
# thread, 28 ms with the default threads under load).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _worker import run_worker

ROOT = Path(__file__).resolve().parents[1]
# the crowd sets; LABELWISE_CROWD_DATA points elsewhere (a git worktree has no ../shared)
DATA = Path(os.environ.get("LABELWISE_CROWD_DATA", ROOT.parent / "shared" / "data" / "crowd"))
SNORKEL_PYTHON = "/work/venvs/weak-snorkel/bin/python"
WORDS = [f"w{i}" for i in range(60)]
KEYWORDS = ["w1", "w2", "w3", "w5", "w8", "w13", "w21", "w34", "w40", "w55"]


# ----------------------------------------------------------------------------- the 20 rules
# Written twice on purpose: vectorised for labelwise, per row for Snorkel; the matrices are compared.


def vectorised_rules() -> list:
    from labelwise.weak import labeling_function

    rules = []
    for i, word in enumerate(KEYWORDS):

        def kw(df, word=word, label=i % 2):
            return np.where(df.text.str.contains(word, regex=False).to_numpy(), label, -1)

        rules.append(labeling_function(kw, name=f"kw_{word}", abstain=-1, vectorized=True))
    for t in (0.5, 1.0, 1.5, 2.0, 2.5):

        def score(df, t=t):
            s = df.score.to_numpy()
            return np.where(s > t, 1, np.where(s < -t, 0, -1))

        rules.append(labeling_function(score, name=f"score_{t}", abstain=-1, vectorized=True))
    for j in (3, 4, 5, 6, 7):

        def length(df, j=j):
            n = df.n_words.to_numpy()
            return np.where(n >= j + 4, 1, np.where(n <= j, 0, -1))

        rules.append(labeling_function(length, name=f"len_{j}", abstain=-1, vectorized=True))
    return rules


def snorkel_rules() -> list:
    from snorkel.labeling import labeling_function

    rules = []
    for i, word in enumerate(KEYWORDS):

        @labeling_function(name=f"kw_{word}", resources={"word": word, "label": i % 2})
        def kw(x, word, label):
            return label if word in x.text else -1

        rules.append(kw)
    for t in (0.5, 1.0, 1.5, 2.0, 2.5):

        @labeling_function(name=f"score_{t}", resources={"t": t})
        def score(x, t):
            return 1 if x.score > t else (0 if x.score < -t else -1)

        rules.append(score)
    for j in (3, 4, 5, 6, 7):

        @labeling_function(name=f"len_{j}", resources={"j": j})
        def length(x, j):
            return 1 if x.n_words >= j + 4 else (0 if x.n_words <= j else -1)

        rules.append(length)
    return rules


def make_rows(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_words = rng.integers(2, 13, n)
    vocab = np.array(WORDS)
    flat = vocab[rng.integers(0, len(WORDS), int(n_words.sum()))]
    ends = np.cumsum(n_words)
    text = [" ".join(flat[e - k : e]) for e, k in zip(ends.tolist(), n_words.tolist(), strict=False)]
    return pd.DataFrame({"text": text, "score": rng.normal(size=n), "n_words": n_words})


# ----------------------------------------------------------------------------- snorkel worker


def snorkel_worker(task: str, inp: str, out: str) -> None:
    result: dict = {}
    if task == "label_model":
        from snorkel.labeling.model import LabelModel

        data = np.load(inp)
        L, k = data["L"], int(data["k"])
        start, cpu = time.perf_counter(), time.process_time()  # this process's CPU: its own clock
        model = LabelModel(cardinality=k, verbose=False)
        model.fit(L, seed=0, progress_bar=False)
        probs = model.predict_proba(L)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        result = {"seconds": seconds, "cpu_seconds": cpu_seconds, "pred": probs.argmax(axis=1).tolist()}
    elif task == "analysis":
        from snorkel.labeling import LFAnalysis

        data = np.load(inp)
        summary = LFAnalysis(data["L"]).lf_summary(data["Y"])
        result = {c: summary[c].astype(float).tolist() for c in ("Coverage", "Overlaps", "Conflicts", "Emp. Acc.")}
    elif task == "apply":
        from snorkel.labeling import PandasLFApplier

        df = pd.read_pickle(inp)
        start = time.perf_counter()
        L = PandasLFApplier(snorkel_rules()).apply(df, progress_bar=False)
        result = {"seconds": time.perf_counter() - start}
        np.save(out + ".npy", L)
    Path(out).write_text(json.dumps(result))


def run_snorkel(python: str, task: str, inp: Path, timeout: float) -> dict:
    out = inp.with_suffix(f".{task}.json")
    error = run_worker(python, __file__, [task, str(inp), str(out)], timeout)
    if error is not None:
        return {"error": error}
    result = json.loads(out.read_text())
    if task == "apply":
        result["L"] = np.load(str(out) + ".npy")
    return result


# ----------------------------------------------------------------------------- label model sets


def crowd_sets() -> list[tuple[str, pd.DataFrame, pd.Series]]:
    sets = []
    for folder in sorted(p for p in DATA.iterdir() if (p / "annotations.csv").exists()):
        answers = pd.read_csv(folder / "annotations.csv")
        gold = pd.read_csv(folder / "gold.csv").set_index("item")["label"]
        sets.append((folder.name, answers, gold))
    return sets


SIM_CONFIGS = [  # (n_items, n_lfs, n_classes, n_correlated, coverage, imbalance)
    (10_000, 10, 2, 0, (0.05, 0.6), 1.0),
    (10_000, 10, 2, 3, (0.05, 0.6), 2.0),
    (10_000, 20, 2, 6, (0.01, 0.1), 1.0),
    (10_000, 10, 3, 0, (0.02, 0.3), 1.0),
    (10_000, 15, 3, 4, (0.05, 0.6), 3.0),
    (10_000, 20, 3, 6, (0.01, 0.1), 2.0),
    (10_000, 10, 5, 0, (0.05, 0.6), 1.0),
    (10_000, 15, 5, 4, (0.02, 0.3), 2.0),
    (10_000, 20, 5, 6, (0.05, 0.6), 1.0),
    (10_000, 12, 2, 4, (0.02, 0.3), 3.0),
]


def simulated_sets(first_seed: int) -> list[tuple[str, object, pd.Series]]:
    from labelwise.weak import simulate_lfs

    out = []
    for i, (n, m, k, corr, cov, imb) in enumerate(SIM_CONFIGS):
        seed = first_seed + i
        sim = simulate_lfs(n, m, k, n_correlated=corr, coverage=cov, imbalance=imb, random_state=seed)
        out.append((f"sim{seed}_K{k}_m{m}+{corr}_cov{cov[1]}", sim.votes, sim.truth))
    return out


def evaluate(name: str, votes, gold: pd.Series, args, tmp: Path) -> dict:
    import crowdkit.aggregation as ca

    from labelwise.aggregate import MajorityVote
    from labelwise.weak import LabelModel, as_votes

    v = as_votes(votes)
    matrix = v.matrix()
    covered = (matrix >= 0).any(axis=1)
    g = gold.reindex(v.items)
    scored = covered & g.notna().to_numpy()
    truth = g.to_numpy()[scored]

    def acc(labels) -> float:
        return float(np.mean(np.asarray(labels)[scored] == truth))

    row: dict = {"set": name, "items": int(v.n_items), "lfs": v.n_labelers, "K": len(v.classes)}
    start, cpu = time.perf_counter(), time.process_time()
    model = LabelModel().fit(v)
    row["lw_s"], row["lw_cpu_s"] = time.perf_counter() - start, time.process_time() - cpu
    row["labelwise"] = acc(model.labels_.to_numpy())
    row["abstains"] = model.abstains_
    row["pairs"] = len(model.dependent_pairs_)  # dependent pairs found by the pair check (session 9)
    long = v.to_annotations()
    mv = MajorityVote().fit(long).labels_.reindex(v.items)
    row["majority"] = acc(mv.to_numpy())
    ds = ca.DawidSkene(n_iter=100).fit_predict(long.rename(columns={"item": "task", "annotator": "worker"}))
    row["crowdkit_ds"] = acc(ds.reindex(v.items).to_numpy())
    if not args.no_snorkel:
        path = tmp / f"{name}.npz"
        np.savez(path, L=matrix, k=len(v.classes))
        res = run_snorkel(args.snorkel_python, "label_model", path, args.timeout)
        if "error" in res:
            row["snorkel"], row["snorkel_s"], row["note"] = np.nan, np.nan, "snorkel " + res["error"]
        else:
            row["snorkel"] = acc(v.classes[np.asarray(res["pred"])])
            row["snorkel_s"], row["snorkel_cpu_s"] = res["seconds"], res.get("cpu_seconds", np.nan)
        if name.startswith("sim") or name == "CF":  # analysis check on a few matrices
            codes = pd.Index(v.classes).get_indexer(g.to_numpy())
            keep = codes >= 0
            np.savez(path, L=matrix[keep], Y=codes[keep])
            theirs = run_snorkel(args.snorkel_python, "analysis", path, args.timeout)
            if "error" not in theirs:
                from labelwise.weak import analysis

                ours = analysis(matrix[keep], gold=codes[keep])
                diffs = [
                    np.nanmax(np.abs(ours[a].to_numpy(dtype=float) - np.asarray(theirs[b], dtype=float)))
                    for a, b in (
                        ("coverage", "Coverage"),
                        ("overlaps", "Overlaps"),
                        ("conflicts", "Conflicts"),
                        ("empirical_accuracy", "Emp. Acc."),
                    )
                ]
                row["analysis_maxdiff"] = float(max(diffs))
    return row


def label_model_section(args, tmp: Path) -> pd.DataFrame:
    from labelwise.weak import as_votes

    rows = []
    sets = [] if args.sims_only else [(n, as_votes(a.astype({"annotator": str})), g) for n, a, g in crowd_sets()]
    for name, votes, gold in pick_sets(sets + simulated_sets(args.first_seed), args.sets):
        rows.append(evaluate(name, votes, gold, args, tmp))
        print(pd.DataFrame([rows[-1]]).round(4).to_string(index=False, header=len(rows) == 1), flush=True)
    return pd.DataFrame(rows)


def pick_sets(sets: list, wanted: str | None) -> list:
    """The sets named in ``--sets`` (comma-separated), in the benchmark's order; all of them without it."""
    if not wanted:
        return sets
    names = [n.strip() for n in wanted.split(",") if n.strip()]
    known = [s[0] for s in sets]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise SystemExit(f"--sets: expected names among {', '.join(known)}; got {', '.join(unknown) or repr(wanted)}")
    return [s for s in sets if s[0] in names]


def apply_section(args, tmp: Path) -> dict:
    from labelwise.weak import apply

    df = make_rows(args.apply_rows)
    rules = vectorised_rules()
    start = time.perf_counter()
    votes = apply(rules, df, classes=[0, 1], verbose=False)
    ours = votes.matrix()
    lw_s = time.perf_counter() - start
    out = {"rows": len(df), "lfs": len(rules), "lw_s": lw_s}
    if not args.no_snorkel:
        path = tmp / "rows.pkl"  # pickle: the Snorkel venv has no parquet engine
        df.astype({"text": object}).to_pickle(path)  # plain str objects: no pyarrow in that venv
        res = run_snorkel(args.snorkel_python, "apply", path, args.timeout_apply)
        if "error" in res:
            out["snorkel_error"] = res["error"]
        else:
            out["snorkel_s"] = res["seconds"]
            out["same_matrix"] = bool(np.array_equal(res["L"], ours))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--snorkel-worker", nargs=3, metavar=("TASK", "IN", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--snorkel-python", default=SNORKEL_PYTHON)
    ap.add_argument("--no-snorkel", action="store_true")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per Snorkel label-model fit")
    ap.add_argument("--timeout-apply", type=float, default=1800.0)
    ap.add_argument("--apply-rows", type=int, default=1_000_000)
    ap.add_argument("--first-seed", type=int, default=1000)
    ap.add_argument("--apply-only", action="store_true", help="only the applier comparison")
    ap.add_argument("--skip-apply", action="store_true", help="only the label-model comparison")
    ap.add_argument("--sims-only", action="store_true", help="only the simulated label-model sets, no crowd sets")
    ap.add_argument("--sets", help="comma-separated set names: only these label-model sets (a rerun of a few)")
    ap.add_argument("--dev", action="store_true", help="simulated dev seeds 100-109 only, no Snorkel, no applier")
    args = ap.parse_args()
    if args.snorkel_worker:
        snorkel_worker(*args.snorkel_worker)
        return
    sys.path.insert(0, str(Path(__file__).parent))
    import platform

    import sklearn
    from _machine import cpu_model

    print(
        f"machine: {cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, scikit-learn {sklearn.__version__}"
    )
    pd.set_option("display.width", 220)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if args.dev:
            args.no_snorkel, args.first_seed = True, 100
            frame = pd.DataFrame([evaluate(n, v, t, args, tmp) for n, v, t in simulated_sets(100)])
            print(frame.round(4).to_string(index=False))
            return
        applied = {}
        if not args.skip_apply:
            print("\n== applying 20 labeling functions")
            applied = apply_section(args, tmp)
        if args.apply_only:
            report(None, applied, args)
            return
        print("\n== label models (accuracy on gold items with a vote; fit seconds)")
        frame = label_model_section(args, tmp)
    report(frame, applied, args)


def report(frame: pd.DataFrame | None, applied: dict, args) -> None:
    print("\n== goals")
    if frame is not None:
        label_model_goals(frame, args)
    if applied:
        apply_goal(applied)


def peer_goal_line(frame: pd.DataFrame, snorkel_run: bool) -> str:
    """The goal line "labelwise >= max(Snorkel, crowd-kit DS) on >= 80% of the sets", with a verdict
    only when every set has both peers' accuracies (without Snorkel's, a count against crowd-kit
    alone would read as the goal met)."""
    if not snorkel_run:
        wins = frame["labelwise"] >= frame["crowdkit_ds"] - 1e-12
        return (
            f"labelwise >= crowd-kit DS on {int(wins.sum())} of {len(frame)} sets; the goal (labelwise >= "
            "max(Snorkel, crowd-kit DS) on >= 80% of the sets) needs Snorkel, not run (--no-snorkel): no verdict"
        )
    wins = frame["labelwise"] >= frame[["crowdkit_ds", "snorkel"]].max(axis=1) - 1e-12
    line = f"labelwise >= max(Snorkel, crowd-kit DS) on {int(wins.sum())} of {len(frame)} sets ({wins.mean():.0%}; goal >= 80%): "
    missing = frame["snorkel"].isna()
    if missing.any():
        return line + f"no verdict, Snorkel gave no accuracy on {', '.join(frame.loc[missing, 'set'])}"
    return line + ("met" if wins.mean() >= 0.8 else "NOT met")


def label_model_goals(frame: pd.DataFrame, args) -> None:
    print(peer_goal_line(frame, not args.no_snorkel))
    gap = (frame["majority"] - frame["labelwise"]) * 100
    print(
        f"largest shortfall below majority vote: {gap.max():.2f} points on {frame.loc[gap.idxmax(), 'set']} "
        f"(goal <= 0.5): {'met' if gap.max() <= 0.5 else 'NOT met'}"
    )
    for _, r in frame.loc[gap > 0.5].iterrows():
        print(f"  below MV by more than 0.5: {r['set']} labelwise {r['labelwise']:.4f} vs majority {r['majority']:.4f}")
    if not args.no_snorkel:
        speed = frame["snorkel_s"] / frame["lw_s"]
        verdict = "met" if speed.min() >= 10 else "NOT met"
        if speed.isna().any():  # a set Snorkel failed on has no speed-up to judge
            verdict = f"no verdict, Snorkel has no time on {int(speed.isna().sum())} set(s)"
        print(
            f"speed-up over Snorkel's LabelModel: min {speed.min():.1f}x, median {speed.median():.1f}x "
            f"(goal >= 10x on every set): {verdict}"
        )
        print(cpu_speed_line(frame))
        print(f"analysis vs LFAnalysis, largest abs difference: {frame['analysis_maxdiff'].max():.2e}")


def cpu_speed_line(frame: pd.DataFrame) -> str:
    """The speed-up in CPU seconds (each side's ``time.process_time()``; Snorkel's measured in its worker process),
    beside the wall-clock verdict and not a verdict: a shortfall on the wall clock only, with the CPU ratio over
    10x, is the shared machine's load."""
    cpu = frame["snorkel_cpu_s"] / frame["lw_cpu_s"] if "snorkel_cpu_s" in frame else pd.Series(dtype=float)
    if cpu.dropna().empty:
        return "CPU: no CPU times from Snorkel"
    low = cpu.idxmin()
    return (
        f"CPU: min {cpu.min():.1f}x ({frame.loc[low, 'set']}: Snorkel {frame.loc[low, 'snorkel_cpu_s']:.3f} s, "
        f"labelwise {frame.loc[low, 'lw_cpu_s']:.3f} s), median {cpu.median():.1f}x (process CPU seconds; "
        "the verdict is the wall clock's)"
    )


def apply_goal(applied: dict) -> None:
    if "snorkel_s" in applied:
        ratio = applied["snorkel_s"] / applied["lw_s"]
        print(
            f"apply {applied['lfs']} LFs to {applied['rows']:,} rows: labelwise {applied['lw_s']:.2f} s, Snorkel "
            f"{applied['snorkel_s']:.2f} s, {ratio:.1f}x (goal >= 5x): {'met' if ratio >= 5 else 'NOT met'}; "
            f"identical matrices: {applied['same_matrix']}"
        )
    else:
        print(f"apply: labelwise {applied['lw_s']:.2f} s; Snorkel: {applied.get('snorkel_error', 'not run')}")


if __name__ == "__main__":
    main()
