"""MMSR on large crowds against crowd-kit's MMSR, on the same input (session 38, mmsr38).

``--part signs``: crowds joined only locally, where the paper's sign step (the eigenvector of the
sign graph) can go wrong: a ring (each item's 6 annotators drawn from a window of 10 neighbours,
``dev_mmsr_signs.ring_crowd``) and batched groups joined by one guest per item
(``bench_kos_mmsr.batched_crowd(..., "per-item")``). Accuracy of majority vote, labelwise MMSR with
``sign_step="eigenvector"`` (the paper's, the default) and ``"checked"``, and crowd-kit's MMSR (its
default ``n_iter``), with the share of annotators whose weight has the truth's sign, and times.

``--part iter``: the M-MSR iteration on batched crowds with two guests per batch, ``--max-iter``
iterations: labelwise's grouped trimmed means against the full sort per half step (the code before
session 38, ``trimmed_means``; factors compared bit for bit) and crowd-kit's ``MMSR`` with the same
``n_iter`` and ``tol`` (whole fits: labelwise's ``MMSR`` and crowd-kit's); then the iteration's rate, the geometric mean of the ratio of successive
changes over the last 100 iterations, and the iterations it would still need to reach ``tol``.

``--part rate``: the rate measured against the random walk's on the co-labelling graph
(:func:`walk_rate`). ``--part settle``: on the two crowds where the iteration is slowest (2,000 annotators, per-batch
guests; a ring of 2,000), MMSR's labels after ``--settle-iters`` iterations against the largest.

Run: ``PYTHONPATH=src python benchmarks/bench_mmsr_large.py --part signs`` (and ``iter``, ``settle``).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_line  # noqa: E402
from bench_kos_mmsr import batched_crowd  # noqa: E402
from dev_mmsr_signs import ring_crowd  # noqa: E402


def _ck(answers: pd.DataFrame) -> pd.DataFrame:
    return answers.rename(columns={"item": "task", "annotator": "worker"})


def _share_right_signs(weights: pd.Series, adversary: np.ndarray) -> float:
    truth = np.where(adversary[weights.index.to_numpy()], -1.0, 1.0)
    return float((np.sign(weights.to_numpy()) == truth).mean())


def _ring_adversaries(n_ann: int, seed: int) -> np.ndarray:
    """The adversaries of :func:`ring_crowd` (its draws repeated in the same order)."""
    rng = np.random.default_rng(seed)
    rng.integers(0, 3, 2 * n_ann)
    rng.uniform(0.55, 0.9, n_ann)
    return rng.random(n_ann) < 0.1


def part_signs(crowdkit_max: int) -> None:
    import crowdkit.aggregation as ck

    from labelwise.aggregate import MMSR, MajorityVote

    rows: list[dict[str, Any]] = []
    cases = [("ring", n, s) for n in (200, 2000) for s in (0, 1, 2)]
    cases += [("per-item guests", n, s) for n in (500, 5000) for s in (0, 1)]
    for kind, n_ann, seed in cases:
        if kind == "ring":
            answers, truth = ring_crowd(n_ann, seed)
            adversary = _ring_adversaries(n_ann, seed)
        else:
            answers, truth, adversary = batched_crowd(n_ann, seed, "per-item")
        row: dict[str, Any] = {"crowd": f"{kind} {n_ann} seed {seed}"}
        row["vote"] = float((MajorityVote().fit(answers).labels_.sort_index().to_numpy() == truth).mean())
        for step in ("eigenvector", "checked"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                est = MMSR(sign_step=step).fit(answers)
                row[f"lw {step} s"] = time.perf_counter() - start
            row[f"lw {step}"] = float((est.labels_.sort_index().to_numpy() == truth).mean())
            row[f"lw {step} signs"] = _share_right_signs(est.annotator_weight_, adversary)
        if n_ann <= crowdkit_max:
            peer = ck.MMSR()
            start = time.perf_counter()
            labels = peer.fit_predict(_ck(answers))
            row["ck s"] = time.perf_counter() - start
            row["ck"] = float((labels.sort_index().to_numpy() == truth).mean())
            row["ck signs"] = _share_right_signs(peer.skills_, adversary)
            row["ck s / lw checked s"] = row["ck s"] / row["lw checked s"]
        rows.append(row)
        print(pd.DataFrame([row]).to_string(index=False), flush=True)
    print(machine_line())
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".3f"))


def _msr(pairs: Any, n_items: int, max_iter: int, tol: float, grouped: bool) -> tuple[Any, float]:
    import labelwise.aggregate.mmsr as mmsr
    from labelwise.aggregate._mmsr_msr import GroupedTrimmedMeans, trimmed_means

    class FullSort:
        def __init__(self, group: np.ndarray) -> None:
            self.group = group

        def __call__(self, values: np.ndarray, current: np.ndarray, f: int, n: int) -> np.ndarray:
            return trimmed_means(self.group, values, current, f, n)

    f = max(int(pairs.co_annotators().min()) // 2 - 1, 0)
    u0 = np.random.default_rng(0).uniform(size=pairs.n_annotators)
    mmsr.GroupedTrimmedMeans = GroupedTrimmedMeans if grouped else FullSort  # type: ignore[misc]
    try:
        start = time.perf_counter()
        out = mmsr.msr_rank_one_pairs(
            pairs.rows, pairs.cols, np.abs(pairs.cov), u0, u0.copy(), f, n_items, max_iter, tol
        )
        return out, time.perf_counter() - start
    finally:
        mmsr.GroupedTrimmedMeans = GroupedTrimmedMeans  # type: ignore[misc]


def part_iter(sizes: list[int], max_iter: int, tol: float, crowdkit_max: int) -> None:
    import crowdkit.aggregation as ck

    from labelwise.aggregate import MMSR, encode_answers
    from labelwise.aggregate._mmsr_pairs import annotator_pairs

    rows = []
    for n_ann in sizes:
        answers, _, _ = batched_crowd(n_ann, 0, "per-batch")
        enc = encode_answers(answers)
        pairs = annotator_pairs(enc)
        (u, v, history), grouped_s = _msr(pairs, enc.n_items, max_iter, tol, grouped=True)
        (u2, v2, history2), full_s = _msr(pairs, enc.n_items, max_iter, tol, grouped=False)
        same = bool(np.array_equal(u, u2) and np.array_equal(v, v2) and history == history2)
        h = np.asarray(history)
        tail = h[-101:]
        rate = float(np.exp(np.mean(np.log(tail[1:] / tail[:-1])))) if h.size > 101 and h[-1] >= tol else np.nan
        still = float(np.log(tol / h[-1]) / np.log(rate)) if np.isfinite(rate) and rate < 1 else np.nan
        row: dict[str, Any] = {"annotators": n_ann, "pairs": pairs.rows.size, "n_iter": h.size}
        row |= {"grouped s": grouped_s, "full sort s": full_s, "full / grouped": full_s / grouped_s}
        row |= {"bit-equal": same, "last change": float(h[-1]), "rate": rate, "iterations still": still}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            MMSR(max_iter=max_iter, tol=tol).fit(answers)
            row["lw fit s"] = time.perf_counter() - start
        if n_ann <= crowdkit_max:
            start = time.perf_counter()
            ck.MMSR(n_iter=max_iter, tol=tol).fit_predict(_ck(answers))
            row["ck fit s"] = time.perf_counter() - start
            row["ck fit / lw fit"] = row["ck fit s"] / row["lw fit s"]
        rows.append(row)
        print(pd.DataFrame([row]).to_string(index=False), flush=True)
    print(machine_line())
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".4g"))


def walk_rate(pairs: Any) -> float:
    """The square of the second largest eigenvalue of the random walk on the co-labelling graph (an
    edge per pair sharing an item): near the fixed point, one M-MSR iteration (a mean over each
    annotator's partners, twice) shrinks the log-errors of ``u`` and ``v`` by about this factor,
    the trimming aside; the top eigenvalue 1 is the rescaling ``u c``, ``v / c`` that leaves
    ``u v^T`` unchanged."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import eigsh

    n = pairs.n_annotators
    adj = sp.csr_matrix((np.ones(pairs.rows.size), (pairs.rows, pairs.cols)), shape=(n, n))
    degree = np.asarray(adj.sum(axis=1)).ravel()
    scale = sp.diags(1.0 / np.sqrt(np.maximum(degree, 1.0)))
    top = eigsh(scale @ adj @ scale, k=2, which="LA", v0=np.linspace(1.0, 2.0, n))[0]
    return float(np.sort(top)[0] ** 2)


def part_rate(max_iter: int) -> None:
    """The measured rate of M-MSR (last 100 iterations, or the 100 before it converged) against
    :func:`walk_rate`, on batched crowds (per-batch guests) and rings."""
    from labelwise.aggregate import encode_answers
    from labelwise.aggregate._mmsr_pairs import annotator_pairs

    rows = []
    crowds = {f"per-batch guests {n}": batched_crowd(n, 0, "per-batch")[0] for n in (500, 2000, 5000)}
    crowds |= {f"ring {n}": ring_crowd(n, 0)[0] for n in (200, 2000)}
    for name, answers in crowds.items():
        enc = encode_answers(answers)
        pairs = annotator_pairs(enc)
        (_, _, history), seconds = _msr(pairs, enc.n_items, max_iter, 1e-10, grouped=True)
        h = np.asarray(history)
        h = h[h > 1e-8]  # the linear phase, before rounding
        tail = h[-101:]
        rate = float(np.exp(np.mean(np.log(tail[1:] / tail[:-1]))))
        row = {"crowd": name, "n_iter": len(history), "s": seconds, "measured rate": rate}
        row |= {"walk rate": walk_rate(pairs), "iterations per decade": np.log(0.1) / np.log(rate)}
        rows.append(row)
        print(pd.DataFrame([row]).to_string(index=False), flush=True)
    print(machine_line())
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".5g"))


def part_settle(max_iters: list[int]) -> None:
    """Labels after each ``max_iter`` against those after the largest, on the two slow crowds."""
    from labelwise.aggregate import MMSR

    rows = []
    crowds = {"per-batch guests 2000 seed 0": batched_crowd(2000, 0, "per-batch")[:2]}
    crowds["ring 2000 seed 0"] = ring_crowd(2000, 0)
    for name, (answers, truth) in crowds.items():
        fits = {}
        for m in max_iters:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                est = MMSR(max_iter=m, sign_step="checked").fit(answers)
                seconds = time.perf_counter() - start
            fits[m] = (est.labels_.sort_index().to_numpy(), est, seconds)
        last = fits[max(max_iters)][0]
        for m, (labels, est, seconds) in fits.items():
            rows.append(
                {
                    "crowd": name,
                    "max_iter": m,
                    "n_iter": est.n_iter_,
                    "converged": est.converged_,
                    "s": seconds,
                    "acc": float((labels == truth).mean()),
                    "labels equal to the largest max_iter's": float((labels == last).mean()),
                }
            )
            print(pd.DataFrame([rows[-1]]).to_string(index=False), flush=True)
    print(machine_line())
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".4g"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["signs", "iter", "settle", "rate"], required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--tol", type=float, default=1e-10)
    parser.add_argument("--settle-iters", type=int, nargs="+", default=[300, 1000, 10000])
    parser.add_argument("--crowdkit-max", type=int, default=500, help="largest crowd crowd-kit is run on")
    args = parser.parse_args()
    if args.part == "signs":
        part_signs(args.crowdkit_max)
    elif args.part == "iter":
        part_iter(args.sizes, args.max_iter, args.tol, args.crowdkit_max)
    elif args.part == "rate":
        part_rate(args.max_iter)
    else:
        part_settle(args.settle_iters)


if __name__ == "__main__":
    main()
