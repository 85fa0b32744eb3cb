"""Benchmark: labeling functions with preprocessors and resources, labelwise against Snorkel 0.10.

One run, the same input for both:

1. Six labeling functions on ``--rows`` rows (default 1,000,000) that read two preprocessors (a
   lower-cased text; its word count, computed from the lower-cased text) and a knowledge base
   passed as a resource. Snorkel: its ``PandasLFApplier`` with the rules written per row and its
   ``@preprocessor(memoize=True)``; labelwise: ``weak.apply`` with the preprocessors vectorised
   (each run once for the frame) and the rules vectorised, except the knowledge-base rule, a row
   function with ``resources=``. The two label matrices must be identical; the speed ratio is
   printed.
2. On that label matrix and a simulated gold label: Snorkel's ``get_label_buckets`` (gold, first
   rule, second rule) against ``weak.label_buckets``, its ``filter_unlabeled_dataframe`` against
   ``weak.filter_unlabeled`` (kept rows and probabilities), and ``LFAnalysis.lf_empirical_probs``
   against ``weak.lf_empirical_probs``: identical or not, and the largest difference.

Snorkel 0.10 pins old libraries, so it lives in its own virtualenv and runs in a subprocess (this
script with ``--snorkel-worker``, importing only numpy, pandas and snorkel)::

    python benchmarks/bench_weak_pre.py --snorkel-python /work/venvs/weak-snorkel/bin/python

Options: ``--rows``, ``--no-snorkel``, ``--timeout`` (seconds for Snorkel's run). The rules and
the data generator were written before any run; there is no default or threshold to choose.
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
from _machine import machine_line
from _worker import run_worker

ROOT = Path(__file__).resolve().parents[1]
SNORKEL_PYTHON = "/work/venvs/weak-snorkel/bin/python"
WORDS = [f"w{i}" for i in range(40)] + ["win", "cash", "prize", "hi", "mom", "lunch", "meeting", "refund"]
KB = {"refund": 0, "meeting": 0, "prize": 1, "w7": 1, "w13": 0}
CLASSES = [0, 1]


def make_rows(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` short texts of 2-12 words, each word upper-cased with probability 0.3, a score, a gold label."""
    rng = np.random.default_rng(seed)
    n_words = rng.integers(2, 13, n)
    vocab = np.array(WORDS + [w.upper() for w in WORDS])
    picks = rng.integers(0, len(WORDS), int(n_words.sum())) + len(WORDS) * (rng.random(int(n_words.sum())) < 0.3)
    flat = vocab[picks]
    ends = np.cumsum(n_words)
    text = [" ".join(flat[e - k : e]) for e, k in zip(ends.tolist(), n_words.tolist(), strict=True)]
    return pd.DataFrame({"text": text, "score": rng.normal(size=n), "gold": rng.integers(0, 2, n)})


# ----------------------------------------------------------------------------- labelwise's rules


def labelwise_rules() -> list:
    from labelwise.weak import labeling_function, preprocessor

    @preprocessor(vectorized=True)
    def lower(df):
        return {"lower": df.text.str.lower()}

    @preprocessor(vectorized=True, pre=[lower])
    def words(df):
        return {"n_words": df.lower.str.count(" ").to_numpy() + 1}

    def has(word, label):
        def rule(df):
            return np.where(df.lower.str.contains(rf"\b{word}\b", regex=True).to_numpy(), label, -1)

        return labeling_function(rule, name=f"has_{word}", abstain=-1, vectorized=True, pre=[lower])

    @labeling_function(abstain=-1, vectorized=True, pre=[lower, words])
    def long(df):
        return np.where(df.n_words.to_numpy() > 9, 0, -1)

    @labeling_function(abstain=-1, vectorized=True, pre=[words])
    def short_hi(df):
        return np.where((df.n_words.to_numpy() <= 3) & df.lower.str.startswith("hi").to_numpy(), 1, -1)

    @labeling_function(abstain=-1, pre=[lower], resources={"kb": KB})
    def kb_first(row, kb):
        return kb.get(row.lower.split(" ", 1)[0], -1)

    return [has("win", 1), has("cash", 1), has("lunch", 0), long, short_hi, kb_first]


# ----------------------------------------------------------------------------- snorkel worker


def snorkel_rules() -> list:
    import re

    from snorkel.labeling import labeling_function
    from snorkel.preprocess import preprocessor

    @preprocessor(memoize=True)
    def lower(x):
        x.lower = x.text.lower()
        return x

    @preprocessor(memoize=True, pre=[lower])
    def words(x):
        x.n_words = x.lower.count(" ") + 1
        return x

    def has(word, label):
        pattern = re.compile(rf"\b{word}\b")

        @labeling_function(name=f"has_{word}", pre=[lower])
        def rule(x):
            return label if pattern.search(x.lower) else -1

        return rule

    @labeling_function(pre=[lower, words])
    def long(x):
        return 0 if x.n_words > 9 else -1

    @labeling_function(pre=[lower, words])
    def short_hi(x):
        return 1 if x.n_words <= 3 and x.lower.startswith("hi") else -1

    @labeling_function(pre=[lower], resources={"kb": KB})
    def kb_first(x, kb):
        return kb.get(x.lower.split(" ", 1)[0], -1)

    return [has("win", 1), has("cash", 1), has("lunch", 0), long, short_hi, kb_first]


def snorkel_worker(inp: str, out: str) -> None:
    from snorkel.analysis import get_label_buckets
    from snorkel.labeling import LFAnalysis, PandasLFApplier, filter_unlabeled_dataframe

    df = pd.read_pickle(inp)
    start = time.perf_counter()
    L = PandasLFApplier(snorkel_rules()).apply(df, progress_bar=False)
    seconds = time.perf_counter() - start
    y = df.gold.to_numpy()
    buckets = get_label_buckets(y, L[:, 0], L[:, 1])
    probas = np.stack([1 - (df.score.to_numpy() > 0), df.score.to_numpy() > 0], axis=1).astype(float)
    kept, kept_probas = filter_unlabeled_dataframe(df, probas, L)
    P = LFAnalysis(L).lf_empirical_probs(y, 2)
    np.savez(
        out,
        L=L,
        keys=np.array([list(map(int, k)) for k in buckets]),
        sizes=np.array([len(v) for v in buckets.values()]),
        rows=np.concatenate(list(buckets.values())),
        kept=kept.index.to_numpy(),
        kept_probas=kept_probas,
        P=P,
        seconds=seconds,
    )


def run_snorkel(python: str, df: pd.DataFrame, tmp: Path, timeout: float) -> dict:
    inp = tmp / "rows.pkl"
    df.astype({"text": object}).to_pickle(inp)  # plain str objects: no pyarrow in that venv
    out = tmp / "snorkel.npz"
    error = run_worker(python, __file__, [str(inp), str(out)], timeout)
    if error is not None:
        return {"error": error}
    return dict(np.load(out))


# ----------------------------------------------------------------------------- the comparison


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--snorkel-worker", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--snorkel-python", default=SNORKEL_PYTHON)
    ap.add_argument("--no-snorkel", action="store_true")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--timeout", type=float, default=3600.0)
    args = ap.parse_args()
    if args.snorkel_worker:
        snorkel_worker(*args.snorkel_worker)
        return
    print(machine_line("dask"), flush=True)
    sys.path.insert(0, str(ROOT / "src"))
    from labelwise import weak

    df = make_rows(args.rows)
    rules = labelwise_rules()
    start = time.perf_counter()
    votes = weak.apply(rules, df, classes=CLASSES, verbose=False)
    lw_s = time.perf_counter() - start
    L = votes.matrix()
    y = df.gold.to_numpy()
    start = time.perf_counter()
    buckets = weak.label_buckets(y, L[:, 0], L[:, 1])
    probas = np.stack([1 - (df.score.to_numpy() > 0), df.score.to_numpy() > 0], axis=1).astype(float)
    kept = weak.filter_unlabeled(df, votes, probas)
    P = weak.lf_empirical_probs(votes, y)
    utils_s = time.perf_counter() - start
    out: dict = {"rows": len(df), "lfs": len(rules), "labelwise_apply_s": round(lw_s, 2), "utils_s": round(utils_s, 2)}
    out["votes_per_rule"] = (L != -1).sum(axis=0).tolist()
    if not args.no_snorkel:
        with tempfile.TemporaryDirectory() as tmp:
            res = run_snorkel(args.snorkel_python, df, Path(tmp), args.timeout)
        if "error" in res:
            out["snorkel_error"] = res["error"]
        else:
            snorkel_s = float(res["seconds"])
            theirs = {
                tuple(k): r
                for k, r in zip(res["keys"].tolist(), np.split(res["rows"], np.cumsum(res["sizes"])[:-1]), strict=True)
            }
            out.update(
                snorkel_apply_s=round(snorkel_s, 2),
                speedup=round(snorkel_s / lw_s, 1),
                same_votes=bool(np.array_equal(res["L"], L)),
                same_buckets=list(theirs) == list(buckets)
                and all(np.array_equal(theirs[k], v) for k, v in buckets.items()),
                same_filter=bool(
                    np.array_equal(res["kept"], kept.frame.index.to_numpy())
                    and np.array_equal(res["kept_probas"], kept.probas)
                ),
                empirical_probs_maxdiff=float(np.nanmax(np.abs(res["P"] - P))),
            )
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
