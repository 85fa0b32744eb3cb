"""Issue 15, session 53 (cliquen53): does clique53's near-copy bar hold at other numbers of items?

clique53 (``dev_weak_clique_cap.py``, adopted) lets the clique search grow a clique past ``max_clique`` = 3 up to 6
functions, joining two groups only if every pair across them co-votes with ``PairTables.covote_z`` at least
``NEAR_COPY`` x the threshold = 4 x 5 = 20. The bar was chosen on sets of 10,000 items (false joins at z 6.7-17.0,
copies at 24.9-62.7). A z-score grows with the square root of the items; this script measures the rule at other
sizes.

MEASUREMENT (``--measure N``, seen seeds only): the bench generator's first seeds 6000-6300 and 1000
(``bench_weak.SIM_CONFIGS`` with ``n_items`` replaced by N, the same seeds and every other setting as
``bench_weak.simulated_sets``: the same configurations, other draws) and the copy family's seeds 0-59 and 1000-1079
(``dev_weak_clique_cap.copy_set(seed, n_items=N)``). ``LabelModel()`` with ``_clique_cap.GROW_CLIQUES`` off and on;
per set: accuracy on the gold items with a vote, MV's, fit CPU, and the cliques of more than 3 functions that hold
a function of another rule (the simulator's copies: ``SimulatedVotes.parent`` for the bench generator,
``dev_weak_clique_cap.copy_roots`` for the copy family; a function's rule is its parent's index for a copy, its own
otherwise). Every pair over the search's threshold (co-vote z > 5) is written with its z, whether it is a copy
pair, and the effect sizes of :func:`pair_effects`.

Run (``PYTHONPATH=<worktree>/src OMP_NUM_THREADS=1``, from the repository root)::

    python benchmarks/dev_weak_clique_cap_n.py --measure 1000 --out /tmp/cliquen53_n1000
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_clique_cap import copy_roots, copy_set  # noqa: E402
from dev_weak_rejected_refit import bench_majority  # noqa: E402

from labelwise import weak  # noqa: E402
from labelwise.weak import _clique_cap  # noqa: E402
from labelwise.weak._dependencies import PairTables  # noqa: E402

#: The seen seeds the measurement runs: bench generator first seeds, copy-family seeds.
BENCH_FIRST = (6000, 6100, 6200, 6300, 1000)
COPY_SEEDS = (*range(60), *range(1000, 1080))


def bench_sets(firsts: tuple[int, ...], n: int) -> Iterator[tuple[str, object, np.ndarray, None, np.ndarray]]:
    """``bench_weak.simulated_sets(first)`` with ``n`` items: name, votes, truth, K (None), each function's rule."""
    import bench_weak

    for first in firsts:
        for i, (_, m, k, corr, cov, imb) in enumerate(bench_weak.SIM_CONFIGS):
            seed = first + i
            sim = weak.simulate_lfs(n, m, k, n_correlated=corr, coverage=cov, imbalance=imb, random_state=seed)
            roots = np.where(sim.parent >= 0, sim.parent, np.arange(len(sim.parent)))
            name = f"sim{seed}_K{k}_m{m}+{corr}_cov{cov[1]}"
            yield name, sim.votes, sim.truth.reindex(sim.votes.items).to_numpy(), None, roots


def copy_sets(seeds: tuple[int, ...], n: int) -> Iterator[tuple[str, object, np.ndarray, int, np.ndarray]]:
    """The copy family's sets with ``n`` items, with each function's rule."""
    for seed in seeds:
        yield (*copy_set(seed, n_items=n), copy_roots(seed))


def pair_effects(matrix: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """(m, m) co-vote statistics on the vote shares (as the clique search computes them, unit weights): ``z``
    (``PairTables.covote_z_all``), ``excess`` = (co-votes - expected) / the smaller function's votes, ``phi``,
    the correlation of the two vote indicators, and ``cphi``, their correlation given the class: the co-vote excess
    over the square root of the product of each indicator's variance within the classes, ``Σ_y n_y q_jy (1 - q_jy)``."""
    votes = matrix >= 0
    counts = np.stack([(matrix == y).sum(axis=1) for y in range(k)], axis=1).astype(float)
    total = counts.sum(axis=1, keepdims=True)
    shares = np.where(total > 0, counts / np.maximum(total, 1), 1.0 / k)
    tables = PairTables(matrix, shares, np.ones(len(matrix)), k)
    z = tables.covote_z_all()
    n_y, q, both = tables._coverage
    expected = (q * n_y[None, :]) @ q.T
    cover = votes.sum(axis=0).astype(float)
    excess = (both - expected) / np.maximum(np.minimum.outer(cover, cover), 1.0)
    p = cover / len(matrix)
    phi = (both / len(matrix) - np.outer(p, p)) / np.sqrt(np.maximum(np.outer(p * (1 - p), p * (1 - p)), 1e-300))
    spread = (q * (1 - q)) @ n_y  # each function's vote-indicator variance within the classes, summed
    cphi = (both - expected) / np.sqrt(np.maximum(np.outer(spread, spread), 1e-300))
    return {"z": z, "excess": excess, "phi": phi, "cphi": cphi}


def fit(votes, k: int | None, grow: bool) -> tuple[np.ndarray, float, list[list[int]], bool]:
    """``LabelModel()`` with ``GROW_CLIQUES`` = ``grow``: labels, CPU seconds, groups (indices), learned structure."""
    model = weak.LabelModel() if k is None else weak.LabelModel(labels=list(range(k)))
    held, _clique_cap.GROW_CLIQUES = _clique_cap.GROW_CLIQUES, grow
    start = time.process_time()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(votes)
        cpu = time.process_time() - start
    finally:
        _clique_cap.GROW_CLIQUES = held
    names = list(weak.as_votes(votes).labelers)
    groups = [[names.index(f) for f in g] for g in model.groups_]
    return model.labels_.to_numpy(), cpu, groups, bool(getattr(model, "_structure_learned", False))


def false_joins(groups: list[list[int]], roots: np.ndarray, z: np.ndarray) -> list[str]:
    """Cliques of more than 3 functions holding functions of more than one rule, each with its smallest cross-rule
    co-vote z."""
    out = []
    for g in groups:
        if len(g) > 3 and len(set(roots[g].tolist())) > 1:
            cross = [z[a, b] for a in g for b in g if roots[a] != roots[b]]
            out.append(f"{g} rules {roots[g].tolist()} min cross z {min(cross):.1f}")
    return out


def measure(n: int, out: str, families: str) -> None:
    """Per set: MV, off and on accuracy, CPU, false joins (``out``.csv); pairs over z > 5 (``out``_pairs.csv)."""
    rows, pairs = [], []
    sources = []
    if "bench" in families:
        sources.append(bench_sets(BENCH_FIRST, n))
    if "copy" in families:
        sources.append(copy_sets(COPY_SEEDS, n))
    for source in sources:
        for name, votes, truth, k, roots in source:
            v = weak.as_votes(votes)
            matrix = np.asarray(v.matrix())
            kk = len(v.classes) if k is None else k
            eff = pair_effects(matrix, kk)
            scored = (matrix >= 0).any(axis=1) & pd.notna(truth)
            row: dict = {"set": name, "n": n}
            labels = {"mv": bench_majority(votes)}
            for key, grow in (("off", False), ("on", True)):
                labels[key], row[f"cpu_{key}"], groups, row[f"learned_{key}"] = fit(votes, k, grow)
                row[f"g_{key}"] = max(len(g) for g in groups)
                joins = false_joins(groups, roots, eff["z"])
                row[f"false_{key}"] = len(joins)
                row[f"false_{key}_detail"] = "; ".join(joins)
            for key, lab in labels.items():
                row[key] = 100 * float(np.mean(np.asarray(lab)[scored] == truth[scored]))
            rows.append(row)
            iu = np.triu_indices(matrix.shape[1], 1)
            over = eff["z"][iu] > 5
            for a, b in zip(iu[0][over].tolist(), iu[1][over].tolist(), strict=True):
                pair = {"set": name, "n": n, "a": a, "b": b, "copy": bool(roots[a] == roots[b])}
                pairs.append(pair | {key: float(val[a, b]) for key, val in eff.items()})
            if row["false_on"] or row["false_off"] or abs(row["on"] - row["off"]) > 0.5:
                print(
                    f"{name}: off g{row['g_off']} {row['off']:.2f} -> on g{row['g_on']} {row['on']:.2f} (MV "
                    f"{row['mv']:.2f}); false off {row['false_off_detail'] or 0}, on {row['false_on_detail'] or 0}",
                    flush=True,
                )
    pd.DataFrame(rows).to_csv(f"{out}.csv", index=False)
    pd.DataFrame(pairs).to_csv(f"{out}_pairs.csv", index=False)
    table(pd.DataFrame(rows), n)


def table(frame: pd.DataFrame, n: int) -> None:
    """The measurement's counts per family, printed."""
    for fam, part in frame.groupby(frame.set.str.startswith("copy").map({True: "copy", False: "bench"})):
        print(
            f"n={n} {fam} ({len(part)} sets): false joins (sets) off {int((part.false_off > 0).sum())}, on "
            f"{int((part.false_on > 0).sum())}; on below off by >0.5: {int((part.on - part.off < -0.5).sum())}; "
            f">0.5 below MV off {int((part.off - part.mv < -0.5).sum())}, on {int((part.on - part.mv < -0.5).sum())}; "
            f"mean MV {part.mv.mean():.3f} off {part.off.mean():.3f} on {part.on.mean():.3f}; CPU off "
            f"{part.cpu_off.sum():.1f} s, on {part.cpu_on.sum():.1f} s",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--measure", type=int, required=True, help="items per set")
    parser.add_argument("--out", required=True, help="CSV path prefix")
    parser.add_argument("--families", default="bench,copy")
    args = parser.parse_args()
    measure(args.measure, args.out, args.families)


if __name__ == "__main__":
    main()
