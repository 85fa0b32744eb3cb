"""The three-part judging rule's reports of parts (a) and (b), shared by the issue-15 clique candidates' scripts
(``dev_weak_one_class_cliques.py`` (is15s) and the scripts that reuse it; ``dev_weak_structure_learner.py``
(is15x)). Each script gives its own fit: main's default and the candidate's, switched in one process."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

#: ``fit(matrix, K, candidate)`` -> (class codes, CPU seconds): main's default (False) or the candidate's (True).
Fit = Callable[[np.ndarray, int, bool], tuple[np.ndarray, float]]


def judge_a(frame: pd.DataFrame, label: str) -> bool:
    """Part (a) of the rule, printed; whether it holds."""
    gap = {name: frame[name] - frame.mv_bench for name in ("main", "cand")}
    below = {name: int((g < -0.5).sum()) for name, g in gap.items()}
    deep = (gap["cand"] < -0.5) & (frame.cand - frame.main < -0.5)
    ok = bool(frame.cand.mean() >= frame.main.mean() - 1e-9 and below["cand"] < below["main"] and not deep.any())
    print(f"\n{label} ({len(frame)} sets), points; MajorityVote mean {frame.mv_bench.mean():.3f}")
    for name in ("main", "cand"):
        print(
            f"  {name}: mean {frame[name].mean():.3f}, more than 0.5 below MV {below[name]}, worst gap {gap[name].min():+.2f}"
        )
    fall = frame.cand - frame.main
    print(
        f"  candidate vs main: largest fall {fall.min():+.2f}, rise {fall.max():+.2f}, >0.5 below main {int((fall < -0.5).sum())}"
    )
    print(f"  both >0.5 below MV and >0.5 below main: {int(deep.sum())} {frame[deep][['seed', 'K']].values.tolist()}")
    print("  (a):", "PASS" if ok else "FAIL")
    return ok


def part_b(block: str, only: str | None, tag: str, fit: Fit) -> bool:
    """Part (b) of the rule on one block of ``_dev_weak_sets.rule_sets()`` (``only``: sets whose name holds it;
    ``tag``: the candidate's name in the CSV written to /tmp), main and the candidate fitted by ``fit``."""
    from _dev_weak_sets import rule_sets
    from dev_weak_labeler_strength import dev_set, score

    rows = []
    for seed, family, name, votes, truth in rule_sets():
        if (seed == -1) != (block == "93") or (only and only not in name):
            continue
        matrix, k, g, scored, _, row = dev_set(family, name, votes, truth)
        before, cpu_main = fit(matrix, k, False)
        after, cpu_cand = fit(matrix, k, True)
        row.update(seed=seed, name=name, main=score(before, g, scored), cand=score(after, g, scored))
        row.update(cpu_main=cpu_main, cpu_cand=cpu_cand)
        rows.append(row)
        if (before != after).any():
            print(
                f"changed: {seed} {family} {name}: {row['main']:.3f} -> {row['cand']:.3f} (MV {row['mv']:.3f})",
                flush=True,
            )
    frame = pd.DataFrame(rows)
    label = f"{block}{' ' + only if only else ''}"
    frame.to_csv(f"/tmp/{tag}_part_b_{label.replace(' ', '_')}.csv", index=False)
    gain = frame.cand - frame.main
    worse_mv = frame.cand - frame.mv < np.minimum(frame.main - frame.mv, -0.5) - 1e-9
    ok = bool(frame.cand.mean() >= frame.main.mean() - 1e-9 and (gain >= -0.5).all() and not worse_mv.any())
    print(
        f"(b) {label} ({len(frame)} sets): mean main {frame.main.mean():.4f} -> candidate {frame.cand.mean():.4f}; "
        f"largest fall {gain.min():+.3f}, rise {gain.max():+.3f}; more than 0.5 below main: {int((gain < -0.5).sum())}; "
        f"further below MV than main: {int(worse_mv.sum())} -> {'PASS' if ok else 'FAIL'}",
        flush=True,
    )
    print(
        f"  CPU seconds: main {frame.cpu_main.sum():.1f}, candidate {frame.cpu_cand.sum():.1f} "
        f"(ratio {frame.cpu_cand.sum() / frame.cpu_main.sum():.2f})",
        flush=True,
    )
    return ok
