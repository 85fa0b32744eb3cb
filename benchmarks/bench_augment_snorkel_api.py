"""Benchmark: Snorkel 0.10's batches, list applier and memo keys run live against labelwise's.

One run, the same input and seeds for both libraries (Snorkel 0.10 in its own virtualenv, this
script with ``--snorkel-worker`` in a subprocess):

1. ``PandasTFApplier.apply_generator(df, batch_size)`` against ``weak.augment_batches``, batch by
   batch, for ``ApplyAllPolicy``, ``ApplyEachPolicy``, ``RandomPolicy`` and ``MeanFieldPolicy``, at
   a batch size that divides the rows (Snorkel then raises after the last batch: its generator
   yields ``pd.concat`` of nothing) and one that does not.
2. The same with two TFs memoised under ``memoize_key`` (the text's first word): Snorkel returns
   its cached Series, whose name is the first row of that key, so its index for a memo hit is that
   row's label; the values are compared, and the labels Snorkel changes are counted.
3. ``TFApplier.apply`` / ``apply_generator`` on a list of ``SimpleNamespace`` points against
   ``weak.augment`` / ``weak.augment_batches`` on the same list (a TF with a preprocessor added,
   whose field stays on the points in both), plus a memoised run.

The twelve row TFs and the rows are ``bench_augment``'s. For each comparison it prints whether the
outputs are equal and the speed ratio (Snorkel's seconds over labelwise's)::

    python benchmarks/bench_augment_snorkel_api.py --snorkel-python /work/venvs/weak-snorkel/bin/python

Options: ``--rows`` (default 3,000), ``--timeout``. Nothing is tuned: the configurations were
written before any run.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import pickle
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from _machine import machine_line
from _worker import run_worker
from bench_augment import ROW_TFS, SNORKEL_PYTHON, make_rows

ROOT = Path(__file__).resolve().parents[1]
SEED = 0
N_TFS = len(ROW_TFS)
P = (np.arange(1, N_TFS + 1) / np.arange(1, N_TFS + 1).sum()).tolist()
# name: (policy class, its keyword arguments after n_tfs)
POLICIES: dict[str, tuple[str, dict[str, Any]]] = {
    "all": ("ApplyAllPolicy", {"n_per_original": 1, "keep_original": True}),
    "each": ("ApplyEachPolicy", {"keep_original": False}),
    "random": ("RandomPolicy", {"sequence_length": 2, "n_per_original": 2, "keep_original": True}),
    "meanfield": ("MeanFieldPolicy", {"sequence_length": 3, "p": P, "n_per_original": 2, "keep_original": False}),
}
MEMOISED = ("lower_all", "upper_first")


def text_key(x: Any) -> Any:
    """The memo key of the memoised TFs: the text's first word (a Series, a namespace or a labelwise
    row). Coarser than what the TFs read, on purpose: rows of one first word share one output (their
    other words, score and count included), which both libraries must do alike."""
    return x.text.split(" ")[0]


def batch_sizes(n: int) -> list[int]:
    return [n // 4, n // 4 + 7]


def make_policy(lib: Any, name: str, **extra: Any) -> Any:
    cls, kwargs = POLICIES[name]
    return getattr(lib, cls)(N_TFS, **kwargs, **extra)


def points_of(df: pd.DataFrame) -> list[SimpleNamespace]:
    cols = {c: df[c].tolist() for c in df.columns}
    return [SimpleNamespace(**{c: cols[c][i] for c in cols}) for i in range(len(df))]


# ----------------------------------------------------------------------------- snorkel worker


def snorkel_worker(inp: str, out: str) -> None:
    import snorkel.augmentation as sa
    from snorkel.preprocess import preprocessor

    df = pd.read_pickle(inp)
    points = points_of(df)

    def tfs(memoised: bool = False) -> list:
        return [
            sa.transformation_function(
                memoize=memoised and f.__name__ in MEMOISED, memoize_key=text_key if memoised else None
            )(f)
            for f in ROW_TFS
        ]

    @preprocessor()
    def n_words(x):
        x.n_words = len(x.text.split(" "))
        return x

    @sa.transformation_function(pre=[n_words])
    def exclaim_short(x):
        if x.n_words > 3:
            return None
        x.text = x.text + "!"
        return x

    results: dict[str, Any] = {}

    def run(key: str, make: Any) -> None:
        np.random.seed(SEED)  # noqa: NPY002 - Snorkel's random policies draw from numpy's global state
        got: list = []
        error = None
        start = time.perf_counter()
        try:
            for batch in make():
                got.append(batch)
        except ValueError as exc:  # apply_generator's pd.concat of no rows after a last full batch
            error = f"{type(exc).__name__}: {exc}"
        results[key] = {"batches": got, "error": error, "seconds": time.perf_counter() - start}

    for name in POLICIES:
        for size in batch_sizes(len(df)):
            run(
                f"frame/{name}/{size}",
                lambda n=name, s=size: sa.PandasTFApplier(tfs(), make_policy(sa, n)).apply_generator(df, s),
            )
    size = batch_sizes(len(df))[1]
    run(
        f"frame-memo/random/{size}",
        lambda: sa.PandasTFApplier(tfs(True), make_policy(sa, "random")).apply_generator(df, size),
    )
    with_pre = [*tfs(), exclaim_short]
    pol = sa.RandomPolicy(N_TFS + 1, sequence_length=2, n_per_original=2, keep_original=True)
    run("list/random/all", lambda: [sa.TFApplier(with_pre, pol).apply(points, progress_bar=False)])
    run(f"list/random/{size}", lambda: sa.TFApplier(with_pre, pol).apply_generator(points, size))
    memo_tfs = [*tfs(True), exclaim_short]
    run(f"list-memo/random/{size}", lambda: sa.TFApplier(memo_tfs, pol).apply_generator(points, size))
    with open(out, "wb") as fh:
        pickle.dump(results, fh)


# ----------------------------------------------------------------------------- labelwise


def labelwise_runs(df: pd.DataFrame) -> dict[str, Any]:
    from labelwise import weak

    points = points_of(df)

    def tfs(memoised: bool = False) -> list:
        return [
            weak.transformation_function(
                f,
                memoize=memoised and f.__name__ in MEMOISED,
                memoize_key=text_key if memoised and f.__name__ in MEMOISED else None,
            )
            for f in ROW_TFS
        ]

    @weak.preprocessor()
    def n_words(x):
        return {"n_words": len(x.text.split(" "))}

    @weak.transformation_function(pre=[n_words])
    def exclaim_short(x):
        if x.n_words > 3:
            return None
        x.text = x.text + "!"
        return x

    results: dict[str, Any] = {}

    def run(key: str, make: Any) -> None:
        start = time.perf_counter()
        got = list(make())
        results[key] = {"batches": got, "seconds": time.perf_counter() - start}

    for name in POLICIES:
        for size in batch_sizes(len(df)):
            run(
                f"frame/{name}/{size}",
                lambda n=name, s=size: weak.augment_batches(
                    tfs(), df, policy=make_policy(weak, n, **_seed(n)), batch_size=s
                ),
            )
    size = batch_sizes(len(df))[1]
    run(
        f"frame-memo/random/{size}",
        lambda: weak.augment_batches(
            tfs(True), df, policy=make_policy(weak, "random", random_state=SEED), batch_size=size
        ),
    )

    def pol() -> Any:
        return weak.RandomPolicy(N_TFS + 1, sequence_length=2, n_per_original=2, keep_original=True, random_state=SEED)

    with_pre = [*tfs(), exclaim_short]
    run("list/random/all", lambda: [weak.augment(with_pre, points, policy=pol(), verbose=False)])
    run(f"list/random/{size}", lambda: weak.augment_batches(with_pre, points, policy=pol(), batch_size=size))
    memo = [*tfs(True), exclaim_short]
    run(f"list-memo/random/{size}", lambda: weak.augment_batches(memo, points, policy=pol(), batch_size=size))
    return results


def _seed(name: str) -> dict[str, Any]:
    return {"random_state": SEED} if name in ("random", "meanfield") else {}


# ----------------------------------------------------------------------------- the comparison


def compare(key: str, ours: list, theirs: list) -> dict[str, Any]:
    """Batch by batch: equal frames (values and index; values only for a memoised run, with the count of
    Snorkel's index labels taken from another row) or equal lists of points."""
    out: dict[str, Any] = {"batches": len(ours), "snorkel_batches": len(theirs)}
    if len(ours) != len(theirs):
        out["same"] = False
        return out
    moved = 0
    for mine, their in zip(ours, theirs, strict=True):
        if hasattr(mine, "points"):
            if mine.points != their:
                print(f"{key}: points differ", file=sys.stderr)
                out["same"] = False
                return out
            continue
        frame = mine.frame.astype({"text": object})
        their = their.astype({"text": object})
        if key.startswith("frame-memo"):
            moved += int((frame.index.to_numpy() != their.index.to_numpy()).sum())
            frame, their = frame.reset_index(drop=True), their.reset_index(drop=True)
        try:
            pd.testing.assert_frame_equal(frame, their, check_dtype=False, check_index_type=False)
        except AssertionError as exc:
            print(f"{key}: {str(exc)[:400]}", file=sys.stderr)
            out["same"] = False
            return out
    out["same"] = True
    if key.startswith("frame-memo"):
        out["snorkel_index_labels_of_another_row"] = moved
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--snorkel-worker", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--snorkel-python", default=SNORKEL_PYTHON)
    ap.add_argument("--rows", type=int, default=3_000)
    ap.add_argument("--timeout", type=float, default=3600.0)
    args = ap.parse_args()
    if args.snorkel_worker:
        snorkel_worker(*args.snorkel_worker)
        return
    sys.path.insert(0, str(ROOT / "src"))
    print(machine_line(), flush=True)
    df = make_rows(args.rows).astype({"text": object})
    ours = labelwise_runs(df)
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "rows.pkl", Path(tmp) / "snorkel.pkl"
        df.to_pickle(inp)
        error = run_worker(args.snorkel_python, __file__, [str(inp), str(out)], args.timeout)
        if error is not None:
            print(json.dumps({"snorkel_error": error}))
            return
        with open(out, "rb") as fh:
            theirs = pickle.load(fh)
    report: dict[str, Any] = {"rows": len(df), "tfs": N_TFS}
    for key, mine in ours.items():
        row = compare(key, mine["batches"], theirs[key]["batches"])
        row["rows_out"] = sum(len(b) for b in mine["batches"])
        row["labelwise_s"] = round(mine["seconds"], 3)
        row["snorkel_s"] = round(theirs[key]["seconds"], 3)
        row["speedup"] = round(theirs[key]["seconds"] / max(mine["seconds"], 1e-9), 1)
        if theirs[key]["error"]:
            row["snorkel_raised_after_last_batch"] = theirs[key]["error"]
        report[key] = row
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
