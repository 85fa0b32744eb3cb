"""Benchmark: data augmentation, labelwise's ``weak.augment`` against Snorkel 0.10's ``PandasTFApplier``.

One run, the same input for both: twelve transformation functions (word swaps and drops, case
changes, a suffix, a truncation, numeric jitters) on ``--rows`` short texts (default 100,000),
under a ``RandomPolicy`` (two TFs per copy, two copies per row, the original kept) seeded alike:
labelwise's ``random_state=0`` draws the sequences Snorkel draws after ``np.random.seed(0)``.

1. Row TFs: the very same Python functions wrapped by each library (Snorkel gives them a pandas
   Series, labelwise a dict-like row); the augmented tables must be identical.
2. Vectorised TFs: labelwise's same twelve transformations written on the frame (pandas string
   and numpy operations), against the same Snorkel table.

The speed ratio of each is printed. Snorkel 0.10 pins old libraries, so it lives in its own
virtualenv and runs in a subprocess (this script with ``--snorkel-worker``)::

    python benchmarks/bench_augment.py --snorkel-python /work/venvs/weak-snorkel/bin/python

Options: ``--rows``, ``--no-snorkel``, ``--timeout`` (seconds for Snorkel's run). The functions,
the policy and the data generator were written before any run; there is no threshold to choose.
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
WORDS = [f"w{i}" for i in range(30)] + ["win", "cash", "Hi", "mom", "lunch", "MEETING", "refund"]
POLICY = {"sequence_length": 2, "n_per_original": 2, "keep_original": True}
SEED = 0


def make_rows(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` texts of 1-10 words separated by single spaces, a score and a count."""
    rng = np.random.default_rng(seed)
    n_words = rng.integers(1, 11, n)
    flat = np.array(WORDS)[rng.integers(0, len(WORDS), int(n_words.sum()))]
    ends = np.cumsum(n_words)
    text = [" ".join(flat[e - k : e]) for e, k in zip(ends.tolist(), n_words.tolist(), strict=True)]
    return pd.DataFrame({"text": text, "score": rng.normal(size=n).round(6), "n": rng.integers(0, 50, n)})


# ----------------------------------------------------------------------------- row TFs (both libraries)


def swap_win(x):
    words = x.text.split(" ")
    if "win" not in words:
        return None
    x.text = " ".join("prize" if w == "win" else w for w in words)
    return x


def drop_first(x):
    if x.text.count(" ") < 2:
        return None
    x.text = x.text.split(" ", 1)[1]
    return x


def drop_last(x):
    if x.text.count(" ") < 2:
        return None
    x.text = x.text.rsplit(" ", 1)[0]
    return x


def upper_first(x):
    first, _, rest = x.text.partition(" ")
    if first == first.upper():
        return None
    x.text = first.upper() + (" " + rest if rest else "")
    return x


def lower_all(x):
    if x.text == x.text.lower():
        return None
    x.text = x.text.lower()
    return x


def repeat_second(x):
    words = x.text.split(" ")
    if len(words) < 2:
        return None
    x.text = " ".join([*words[:2], words[1], *words[2:]])
    return x


def swap_first_two(x):
    words = x.text.split(" ")
    if len(words) < 2:
        return None
    x.text = " ".join([words[1], words[0], *words[2:]])
    return x


def add_suffix(x):
    if x.text.count(" ") >= 5:
        return None
    x.text = x.text + " ok"
    return x


def truncate(x):
    if len(x.text) <= 30:
        return None
    x.text = x.text[:30]
    return x


def scale_score(x):
    x.score = x.score * 1.1
    return x


def shift_negative(x):
    if x.score >= 0:
        return None
    x.score = x.score + 0.5
    return x


def bump_n(x):
    x.n = x.n + 1
    return x


ROW_TFS = [
    swap_win,
    drop_first,
    drop_last,
    upper_first,
    lower_all,
    repeat_second,
    swap_first_two,
    add_suffix,
    truncate,
    scale_score,
    shift_negative,
    bump_n,
]


# ----------------------------------------------------------------------------- labelwise's vectorised TFs


def vectorised_tfs() -> list:
    from labelwise.weak import transformation_function

    def tf(func):
        return transformation_function(func, vectorized=True)

    def where(df, mask, **columns):
        return df[mask].assign(**{k: v[mask] for k, v in columns.items()})

    win = r"(?<![^ ])win(?![^ ])"

    @tf
    def swap_win(df):
        return where(df, df.text.str.contains(win).to_numpy(), text=df.text.str.replace(win, "prize", regex=True))

    @tf
    def drop_first(df):
        return where(df, (df.text.str.count(" ") >= 2).to_numpy(), text=df.text.str.split(" ", n=1).str[1])

    @tf
    def drop_last(df):
        return where(df, (df.text.str.count(" ") >= 2).to_numpy(), text=df.text.str.rsplit(" ", n=1).str[0])

    @tf
    def upper_first(df):
        first = df.text.str.extract(r"^(\S*)", expand=False)
        upper = first.str.upper()
        return where(df, (first != upper).to_numpy(), text=upper + df.text.str.replace(r"^\S*", "", regex=True))

    @tf
    def lower_all(df):
        lower = df.text.str.lower()
        return where(df, (df.text != lower).to_numpy(), text=lower)

    @tf
    def repeat_second(df):
        return where(
            df,
            (df.text.str.count(" ") >= 1).to_numpy(),
            text=df.text.str.replace(r"^(\S+) (\S+)", r"\1 \2 \2", regex=True),
        )

    @tf
    def swap_first_two(df):
        return where(
            df,
            (df.text.str.count(" ") >= 1).to_numpy(),
            text=df.text.str.replace(r"^(\S+) (\S+)", r"\2 \1", regex=True),
        )

    @tf
    def add_suffix(df):
        return where(df, (df.text.str.count(" ") < 5).to_numpy(), text=df.text + " ok")

    @tf
    def truncate(df):
        return where(df, (df.text.str.len() > 30).to_numpy(), text=df.text.str.slice(0, 30))

    @tf
    def scale_score(df):
        return df.assign(score=df.score * 1.1)

    @tf
    def shift_negative(df):
        return where(df, (df.score < 0).to_numpy(), score=df.score + 0.5)

    @tf
    def bump_n(df):
        return df.assign(n=df.n + 1)

    return [
        swap_win,
        drop_first,
        drop_last,
        upper_first,
        lower_all,
        repeat_second,
        swap_first_two,
        add_suffix,
        truncate,
        scale_score,
        shift_negative,
        bump_n,
    ]


# ----------------------------------------------------------------------------- snorkel worker


def snorkel_worker(inp: str, out: str) -> None:
    from snorkel.augmentation import PandasTFApplier, RandomPolicy, transformation_function

    df = pd.read_pickle(inp)
    tfs = [transformation_function()(f) for f in ROW_TFS]
    policy = RandomPolicy(len(tfs), **POLICY)
    np.random.seed(SEED)  # noqa: NPY002 - Snorkel's RandomPolicy draws from numpy's global state
    start = time.perf_counter()
    got = PandasTFApplier(tfs, policy).apply(df, progress_bar=False)
    seconds = time.perf_counter() - start
    got.attrs["seconds"] = seconds
    got.to_pickle(out)


def run_snorkel(python: str, df: pd.DataFrame, tmp: Path, timeout: float) -> pd.DataFrame | str:
    inp = tmp / "rows.pkl"
    df.astype({"text": object}).to_pickle(inp)  # plain str objects: no pyarrow in that venv
    out = tmp / "snorkel.pkl"
    error = run_worker(python, __file__, [str(inp), str(out)], timeout)
    return error if error is not None else pd.read_pickle(out)


# ----------------------------------------------------------------------------- the comparison


def same(ours: pd.DataFrame, theirs: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(
            ours.astype({"text": object}), theirs.astype({"text": object}), check_dtype=False, check_index_type=False
        )
    except AssertionError as exc:
        print(f"differs: {str(exc)[:400]}", file=sys.stderr)
        return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--snorkel-worker", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--snorkel-python", default=SNORKEL_PYTHON)
    ap.add_argument("--no-snorkel", action="store_true")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--timeout", type=float, default=3600.0)
    args = ap.parse_args()
    if args.snorkel_worker:
        snorkel_worker(*args.snorkel_worker)
        return
    sys.path.insert(0, str(ROOT / "src"))
    from labelwise import weak

    print(machine_line("dask"), flush=True)
    df = make_rows(args.rows)
    runs = {
        "row": [weak.transformation_function(f) for f in ROW_TFS],
        "vectorised": vectorised_tfs(),
    }
    results, out = {}, {"rows": len(df), "tfs": len(ROW_TFS), "policy": POLICY}
    for name, tfs in runs.items():
        policy = weak.RandomPolicy(len(tfs), **POLICY, random_state=SEED)
        start = time.perf_counter()
        results[name] = weak.augment(tfs, df, policy=policy, verbose=False).frame
        out[f"labelwise_{name}_s"] = round(time.perf_counter() - start, 2)
    out["augmented_rows"] = len(results["row"])
    out["row_equals_vectorised"] = same(results["row"], results["vectorised"])
    if not args.no_snorkel:
        with tempfile.TemporaryDirectory() as tmp:
            theirs = run_snorkel(args.snorkel_python, df, Path(tmp), args.timeout)
        if isinstance(theirs, str):
            out["snorkel_error"] = theirs
        else:
            snorkel_s = float(theirs.attrs.pop("seconds"))
            out["snorkel_s"] = round(snorkel_s, 2)
            for name in runs:
                out[f"same_as_snorkel_{name}"] = same(results[name], theirs)
                out[f"speedup_{name}"] = round(snorkel_s / out[f"labelwise_{name}_s"], 1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
