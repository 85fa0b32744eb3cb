"""Benchmark: labelwise slicing functions and per-slice scores against Snorkel 0.10.

labelwise ``weak.apply_slices`` (10 vectorised and 3 row-wise slicing functions) and
``evaluate.slice_scores`` (accuracy and F1) against Snorkel's ``PandasSFApplier`` (the same 13 rules,
written per row: Snorkel's applier is row-wise) and ``Scorer.score_slices``, on the same simulated
rows at 10k, 100k and 1M rows. Reported: whether the membership matrices are identical, the largest
absolute difference of the per-slice scores, and each side's seconds (apply, score) and the ratio.
labelwise's bootstrap intervals are timed separately (Snorkel gives no interval).

Snorkel 0.10 lives in its own virtualenv and runs in a subprocess (this script with
``--snorkel-worker``)::

    python benchmarks/bench_slices.py --snorkel-python /work/venvs/weak-snorkel/bin/python

Options: ``--rows 10000,100000,1000000``, ``--no-snorkel``, ``--timeout`` (seconds per Snorkel run).
The data are simulated here (seed 0); no default of labelwise was chosen on them.
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
import pandas as pd
from _worker import run_worker

SNORKEL_PYTHON = "/work/venvs/weak-snorkel/bin/python"
WORDS = [f"w{i}" for i in range(40)]
KEYWORDS = ["w1", "w2", "w3", "w5", "w8"]
METRICS = ["accuracy", "f1"]


def make_rows(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Rows (text, score, hour, n_words), binary gold labels and predictions that err more at night."""
    rng = np.random.default_rng(seed)
    n_words = rng.integers(2, 13, n)
    flat = np.array(WORDS)[rng.integers(0, len(WORDS), int(n_words.sum()))]
    ends = np.cumsum(n_words)
    text = [" ".join(flat[e - k : e]) for e, k in zip(ends.tolist(), n_words.tolist(), strict=True)]
    hour = rng.integers(0, 24, n)
    score = rng.normal(size=n)
    gold = (score + rng.normal(scale=0.8, size=n) > 0).astype(np.int64)
    error = np.where((hour < 6) | (n_words < 4), 0.3, 0.1)
    pred = np.where(rng.random(n) < error, 1 - gold, gold)
    return pd.DataFrame({"text": text, "score": score, "hour": hour, "n_words": n_words}), gold, pred


# ----------------------------------------------------------------------------- the 13 rules
# Written twice on purpose: vectorised (and 3 per row) for labelwise, all per row for Snorkel.


def labelwise_rules() -> list:
    from labelwise.weak import slicing_function

    rules = []
    for word in KEYWORDS:
        rules.append(
            slicing_function(
                lambda df, w=word: df.text.str.contains(w, regex=False), name=f"kw_{word}", vectorized=True
            )
        )
    for t in (0.5, 1.5):
        rules.append(slicing_function(lambda df, t=t: df.score.abs() > t, name=f"far_{t}", vectorized=True))
    rules.append(slicing_function(lambda df: df.hour < 6, name="night", vectorized=True))
    rules.append(slicing_function(lambda df: df.n_words < 4, name="short", vectorized=True))
    rules.append(slicing_function(lambda df: (df.hour >= 9) & (df.hour < 17), name="office", vectorized=True))
    rules.append(slicing_function(lambda row: row.text.startswith("w1 "), name="starts_w1"))
    rules.append(slicing_function(lambda row: row.score * row.n_words > 5, name="long_positive"))
    rules.append(slicing_function(lambda row: row.text.count("w7") >= 2, name="twice_w7"))
    return rules


def snorkel_rules() -> list:
    from snorkel.slicing import slicing_function

    rules = []

    def make(name, f):
        return slicing_function(name=name)(f)

    for word in KEYWORDS:
        rules.append(make(f"kw_{word}", lambda x, w=word: w in x.text))
    for t in (0.5, 1.5):
        rules.append(make(f"far_{t}", lambda x, t=t: abs(x.score) > t))
    rules.append(make("night", lambda x: x.hour < 6))
    rules.append(make("short", lambda x: x.n_words < 4))
    rules.append(make("office", lambda x: 9 <= x.hour < 17))
    rules.append(make("starts_w1", lambda x: x.text.startswith("w1 ")))
    rules.append(make("long_positive", lambda x: x.score * x.n_words > 5))
    rules.append(make("twice_w7", lambda x: x.text.count("w7") >= 2))
    return rules


def snorkel_worker(inp: str, out: str) -> None:
    from snorkel.analysis import Scorer
    from snorkel.slicing import PandasSFApplier

    data = pd.read_pickle(inp)
    gold, pred = data.pop("gold").to_numpy(), data.pop("pred").to_numpy()
    start = time.perf_counter()
    S = PandasSFApplier(snorkel_rules()).apply(data, progress_bar=False)
    applied = time.perf_counter() - start
    start = time.perf_counter()
    scores = Scorer(metrics=METRICS).score_slices(S=S, golds=gold, preds=pred, probs=np.eye(2)[pred], as_dataframe=True)
    scored = time.perf_counter() - start
    np.save(out + ".npy", np.column_stack([S[name] for name in S.dtype.names]).astype(bool))
    scores.to_csv(out + ".csv")
    Path(out).write_text(json.dumps({"apply_s": applied, "score_s": scored, "names": list(S.dtype.names)}))


def run_snorkel(python: str, inp: Path, timeout: float) -> dict:
    out = inp.with_suffix(".out.json")
    error = run_worker(python, __file__, [str(inp), str(out)], timeout)
    if error is not None:
        return {"error": error}
    result = json.loads(out.read_text())
    result["S"] = np.load(str(out) + ".npy")
    result["scores"] = pd.read_csv(str(out) + ".csv", index_col=0)
    return result


def one_size(n: int, args: argparse.Namespace, tmp: Path) -> dict:
    from labelwise.evaluate import slice_scores
    from labelwise.weak import apply_slices

    df, gold, pred = make_rows(n)
    start = time.perf_counter()
    members = apply_slices(labelwise_rules(), df, verbose=False)
    lw_apply = time.perf_counter() - start
    start = time.perf_counter()
    ours = slice_scores(gold, pred, members, metrics=METRICS, n_bootstrap=0).table
    lw_score = time.perf_counter() - start
    start = time.perf_counter()
    slice_scores(gold, pred, members, metrics=METRICS, n_bootstrap=200)
    lw_boot = time.perf_counter() - start
    row = {"rows": n, "lw_apply_s": lw_apply, "lw_score_s": lw_score, "lw_score_bootstrap200_s": lw_boot}
    if args.no_snorkel:
        return row
    path = tmp / f"rows{n}.pkl"
    df.astype({"text": object}).assign(gold=gold, pred=pred).to_pickle(path)  # no pyarrow in that venv
    res = run_snorkel(args.snorkel_python, path, args.timeout)
    if "error" in res:
        row["snorkel_error"] = res["error"]
        return row
    row["same_membership"] = bool(res["names"] == list(members.names) and np.array_equal(res["S"], members.matrix))
    theirs = res["scores"].rename(index=lambda s: s.removeprefix("slice_"))
    diff = 0.0
    for name in members.names + ("overall",):
        for metric in METRICS:
            diff = max(diff, abs(float(theirs.loc[name, metric]) - float(ours.loc[name, metric])))
    row.update(
        max_score_diff=diff,
        snorkel_apply_s=res["apply_s"],
        snorkel_score_s=res["score_s"],
        apply_speedup=res["apply_s"] / lw_apply,
        total_speedup=(res["apply_s"] + res["score_s"]) / (lw_apply + lw_score),
    )
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--snorkel-worker", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--snorkel-python", default=SNORKEL_PYTHON)
    ap.add_argument("--no-snorkel", action="store_true")
    ap.add_argument("--rows", default="10000,100000,1000000")
    ap.add_argument("--timeout", type=float, default=1800.0)
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
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.rows.split(",")):
            rows.append(one_size(n, args, Path(tmp)))
            print(json.dumps(rows[-1]), flush=True)
    print(pd.DataFrame(rows).round(4).to_string(index=False))


if __name__ == "__main__":
    main()
