"""Dev measurements for the threads goal of issue 12: would pass 1's per-row top-T summary spare the selection's reads?

The selection of ``prune_by_noise_rate`` (``_select.margin_entries``, mispredicted rows only) gathers
every mispredicted row of ``probs`` again. The idea measured here: pass 1 keeps each row's ``T``
largest probabilities and their classes (plus the ``T+1``-th value as a bound on the others); the
selection takes every cell's cut among those candidates, and rereads from ``probs`` only the rows
where an unseen class could still reach a cut (exactness fallback). A row labelled ``i`` must be
reread when ``v_{T+1} - p_i >= min_j cut(i, j)`` over its class's wanted cells (the cut of a cell
with fewer candidates than wanted is ``> 0``); ``pairs`` counts the (row, cell) pairs whose bound
reaches that cell's own cut, i.e. what a per-cell reread would need.

Modes (dev data: ``bench_scale.generate`` with seed 1, never the benchmark's 0; ``dev_threads.load``):

- ``counts``: per ``T``, the summary's candidate entries, the rows to reread and the pairs.
- ``costs``: process CPU (``time.thread_time``, best of ``--repeat``) of the parts: a top-``T`` summary
  of every row by blocks (what pass 1 would add), the exact cut of the candidates
  (``packed_cut_mask``), and the current selection on all mispredicted rows and on a random share of
  them the size of the reread rows.
- ``--boost B``: instead of the benchmark's generator, the same Dirichlet rows with the true class's
  extra concentration ``B * U(0.2, 2)`` (the generator's is 3): sharper rows, to see where the idea
  would pay (in memory, seed ``--seed``).
- ``bounds``: a second idea, per-column lower bounds (the first share of a class's rows selected
  exactly, the rest filtered by those cuts): candidates kept per class for a few shares.

Usage: ``PYTHONPATH=src python benchmarks/dev_topk_summary.py [counts|costs|bounds] [--seed 1] [--max-t 5]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from dev_threads import load


def sharper(n: int, k: int, boost: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``bench_scale.generate``'s rows (20% of labels flipped) with the true class's concentration ``boost * U(0.2, 2)``."""
    rng = np.random.default_rng([seed, 99])
    true = rng.integers(0, k, n)
    alpha = np.ones((n, k), dtype=np.float32)
    alpha[np.arange(n), true] += boost * rng.uniform(0.2, 2.0, n).astype(np.float32)
    probs = rng.standard_gamma(alpha, dtype=np.float32)
    probs /= probs.sum(axis=1, keepdims=True)
    flip = rng.random(n) < 0.2
    true[flip] = (true[flip] + rng.integers(1, k, flip.sum())) % k
    return true, probs


def selection_inputs(labels: np.ndarray, probs: np.ndarray) -> dict:
    """The first selection's inputs of ``find_label_issues`` on this data (captured, not recomputed)."""
    import labelwise as lw
    from labelwise.audit import filters

    got: dict = {}
    original = filters._noise_rate_selection

    def spy(inputs, wanted, mispredicted_only):  # type: ignore[no-untyped-def]
        got.setdefault("wanted", wanted.copy())
        got.setdefault("inputs", inputs)
        return original(inputs, wanted, mispredicted_only)

    filters._noise_rate_selection = spy
    try:
        result = lw.find_label_issues(labels, probs, n_jobs=1)
    finally:
        filters._noise_rate_selection = original
    inputs = got["inputs"]
    codes, predicted = np.asarray(inputs.codes), np.asarray(inputs.stats.predicted)
    rows = np.flatnonzero(got["wanted"].any(axis=1)[codes] & (predicted != codes))
    return {
        "wanted": got["wanted"],
        "codes": codes,
        "predicted": predicted,
        "self_conf": np.asarray(inputs.self_conf),
        "rows": rows,
        "flagged": int(result.n_issues),
    }


def reread(probs: np.ndarray, d: dict, t: int) -> dict:
    """Candidates, rows to reread and (row, cell) pairs for a top-``t`` summary (exact, from ``probs``)."""
    k = probs.shape[1]
    rows, wanted = d["rows"], d["wanted"].ravel()
    part = probs[rows]
    order = np.argsort(-part, axis=1, kind="stable")[:, : t + 1]
    values = np.take_along_axis(part, order, axis=1)
    given, p_given = d["codes"][rows], d["self_conf"][rows]
    cells = given[:, None] * k + order[:, :t]
    margins = values[:, :t] - p_given[:, None]
    ok = (margins > 0) & (wanted[cells] > 0)
    cell, margin = cells[ok], margins[ok]
    cut = np.full(k * k, np.nextafter(np.float32(0), np.float32(1)), dtype=np.float32)  # "> 0" where short
    by = np.lexsort((-margin, cell))
    sizes = np.bincount(cell, minlength=k * k)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    full = np.flatnonzero((sizes >= wanted) & (wanted > 0))
    cut[full] = margin[by][starts[full] + wanted[full] - 1]
    cut = np.where(wanted > 0, cut, np.inf).reshape(k, k)
    bound = values[:, t] - p_given
    again = (bound > 0) & (bound >= cut.min(axis=1)[given])
    ranked = np.sort(cut, axis=1)
    pairs = sum(
        int(np.searchsorted(ranked[i], bound[(given == i) & (bound > 0)], side="right").sum()) for i in range(k)
    )
    return {"entries": int(cell.size), "reread_rows": int(again.sum()), "share": float(again.mean()), "pairs": pairs}


def summary(probs: np.ndarray, predicted: np.ndarray, t: int) -> None:
    """Top-``t`` classes and values of every row and the ``t+1``-th value, by blocks (as pass 1 would)."""
    n, k = probs.shape
    step = max(1, (1 << 18) // k)
    classes = np.empty((n, t - 1), np.int16)
    values = np.empty((n, t - 1), probs.dtype)
    bound = np.empty(n, probs.dtype)
    buffer, at = np.empty((step, k), probs.dtype), np.arange(step)
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        block, a = buffer[: hi - lo], at[: hi - lo]
        np.copyto(block, probs[lo:hi])
        block[a, predicted[lo:hi]] = -np.inf
        for i in range(t - 1):
            c = block.argmax(axis=1)
            classes[lo:hi, i], values[lo:hi, i] = c, block[a, c]
            block[a, c] = -np.inf
        bound[lo:hi] = block.max(axis=1)


def cpu(fn: Callable[[], object], repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t = time.thread_time()
        fn()
        best = min(best, time.thread_time() - t)
    return round(best, 4)


def costs(probs: np.ndarray, d: dict, max_t: int, repeat: int) -> dict:
    from labelwise.audit import _packed_cut, _select

    k = probs.shape[1]
    top = probs[np.arange(probs.shape[0]), d["predicted"]]
    limits = d["wanted"].ravel()
    out: dict = {}
    for t in range(2, max_t + 1):
        out[f"summary_T{t}"] = cpu(lambda t=t: summary(probs, d["predicted"], t), repeat)
    rows, given = d["rows"], d["codes"][d["rows"]]
    part = probs[rows]  # each row's second class and value, as pass 1 would have kept them
    part[np.arange(rows.size), d["predicted"][rows]] = -np.inf
    c2 = part.argmax(axis=1)
    v2 = part[np.arange(rows.size), c2]
    del part

    def cut_top2() -> None:
        cell = np.stack([given * k + d["predicted"][rows], given * k + c2], axis=1).ravel()
        margin = (np.stack([top[rows], v2], axis=1) - d["self_conf"][rows][:, None]).ravel()
        ok = (margin > 0) & (limits[cell] > 0)
        _packed_cut.packed_cut_mask(cell[ok], -margin[ok], limits)

    out["candidates_T2_cut"] = cpu(cut_top2, repeat)
    rng = np.random.default_rng(0)
    for share in (1.0, 0.436, 0.228):
        sub = np.sort(rng.choice(rows, int(share * rows.size), replace=False))
        shown = d["codes"].astype(d["predicted"].dtype)  # rows outside ``sub`` look predicted right: skipped
        shown[sub] = d["predicted"][sub]
        out[f"selection_share_{share}"] = cpu(
            lambda shown=shown: _select.margin_entries(
                0, probs, d["codes"], shown, limits=limits, mispredicted_only=True, merge=False
            ),
            repeat,
        )
    return out


def bounds(probs: np.ndarray, d: dict) -> dict:
    from labelwise.audit._columns import top_counts_by_row

    out: dict = {}
    for cls in (3, 50):
        idx = d["rows"][d["codes"][d["rows"]] == cls]
        counts = d["wanted"][cls]
        margins = probs[idx] - probs[idx, cls][:, None]
        for share in (0.1, 0.25, 0.5):
            first = int(share * idx.size)
            chosen, cut = top_counts_by_row(np.ascontiguousarray(margins[:first].T), counts, above=0.0)
            tiny = np.nextafter(np.float32(0), np.float32(1))
            bound = np.where(counts > 0, np.where(counts <= first, np.maximum(cut, tiny), tiny), np.inf)
            later = int(np.count_nonzero(margins[first:] >= bound))
            out[f"class{cls}_share{share}"] = {
                "rows": int(idx.size),
                "wanted": int(counts.sum()),
                "candidates": int(chosen.sum()) + later,
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["counts", "costs", "bounds"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--max-t", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--boost", type=float, default=None, help="sharper dev rows instead of the generator's")
    args = parser.parse_args()
    if args.boost is None:
        labels, probs = load(Path(args.dir), args.n, args.seed)
    else:
        labels, probs = sharper(args.n, 100, args.boost, args.seed)
    print(f"load average at start: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    d = selection_inputs(labels, probs)
    res: dict = {
        "boost": args.boost,
        "mispredicted_rows": int(d["rows"].size),
        "wanted": int(d["wanted"].sum()),
        "flagged": d["flagged"],
    }
    if args.mode == "counts":
        res |= {f"T{t}": reread(probs, d, t) for t in range(1, args.max_t + 1)}
    elif args.mode == "costs":
        res |= costs(probs, d, args.max_t, args.repeat)
    else:
        res |= bounds(probs, d)
    res["load_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
