"""The sets the issue-15 dev scripts judge a label-model variant on, and the rule's report, shared by
``dev_weak_mace_prior.py`` (is15o), ``dev_weak_spammer_score.py`` (is15p) and ``dev_weak_max_margin.py`` (is15q).

* :func:`explore_sets`: exploration on fresh seeds only (each script passes its own, never used before):
  is15n's biased crowds on the first four seeds, the 93's generators on every other seed, lure39's stress
  families on every seed;
* :func:`rule_sets`: the rule's sets, the 93 dev sets (seed -1), then the stress sets of seeds 33-36 and 137-140;
* :func:`collect`: each set's rows of every variant, printed as they come; :func:`judge_rule_blocks`: the rule's
  report of one variant on the 93 and on the stress seeds;
* :func:`variant_rows`: one set's rows, main's fit against each variant's (``fit`` first);
* :func:`main_cli`: the scripts' command line (``--explore``, ``--rule V``, ``--only``, ``--out``, ``--bench V``),
  first used by ``dev_weak_multispa.py``.

The generator modules patch labelwise when imported; what they patch is put back here, so importing them
leaves the code under test as it is.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
from dev_weak_lure_stress import stress_sets

from labelwise.weak import _em, _lure, label_model


def _biased_crowd():
    """is15n's ``biased_crowd`` (importing its module patches ``_em.run_em`` and the lured step: undone)."""
    saved = _em.run_em, _lure.LureFit.step
    from dev_weak_class_prior import biased_crowd

    _em.run_em, _lure.LureFit.step = saved
    return biased_crowd


def explore_sets(seeds: Sequence[int]) -> Iterator[tuple]:
    """``(seed, family, name, votes, truth)`` of the exploration sets of ``seeds`` (eight fresh seeds)."""
    saved = label_model.fit_abstain_models, label_model.posterior
    from dev_weak_item_difficulty import explore_sets as gen93  # patches label_model (pass-through): undone

    label_model.fit_abstain_models, label_model.posterior = saved
    biased_crowd = _biased_crowd()
    for seed in seeds[:4]:
        for kk in (2, 3, 4):
            for imbalance in ("none", "moderate", "strong"):
                for bias in ("none", "shared", "own"):
                    name, votes, truth = biased_crowd(kk, imbalance, bias, seed)
                    yield seed, f"biased_{bias}", name, votes, truth
    for seed in seeds[::2]:
        for family, name, votes, truth in gen93(seed):
            yield seed, family, name, votes, truth
    for seed in seeds:
        for family, name, votes, truth in stress_sets(seed):
            yield seed, f"stress_{family}", name, votes, truth


def rule_sets() -> Iterator[tuple]:
    """The rule's sets: the 93 dev sets (seed -1), then the stress sets of seeds 33-36 and 137-140."""
    from dev_weak_pair_check import sets

    for family, name, votes, truth in sets(["clique", "dense", "pair", "lookalike"]):
        yield -1, family, name, votes, truth
    for seed in (33, 34, 35, 36, 137, 138, 139, 140):
        for family, name, votes, truth in stress_sets(seed):
            yield seed, f"stress_{family}", name, votes, truth


def collect(
    source: Iterable[tuple], evaluate: Callable[..., list[dict]], variants: list[str], cols: list[str], only: str | None
) -> pd.DataFrame:
    """Every variant's row of each set of ``source`` (``evaluate(family, name, votes, truth, variants)``), its
    seed added, printed as it comes (``cols``); sets whose name lacks ``only`` are skipped."""
    rows: list[dict] = []
    for seed, family, name, votes, truth in source:
        if only and only not in name:
            continue
        for row in evaluate(family, name, votes, truth, variants):
            row["seed"] = seed
            rows.append(row)
            print(
                pd.DataFrame([row])[["variant", *cols]].round(3).to_string(index=False, header=len(rows) == 1),
                flush=True,
            )
    return pd.DataFrame(rows)


def variant_rows(
    fit: Callable[..., tuple], family: str, name: str, votes, truth, variants: list[str], extra: str
) -> list[dict]:
    """One set's rows: ``fit(matrix, K, None)`` (before: main's ``LabelModel()``) and ``fit(matrix, K, v)`` for each
    variant ``v`` (after). ``fit`` returns class codes, CPU seconds and one more number, kept as column ``extra``."""
    from dev_weak_labeler_strength import dev_set, score

    matrix, k, g, scored, _, base = dev_set(family, name, votes, truth)
    per_item = (matrix >= 0).sum(axis=1)
    base["per_item"] = float(per_item[per_item > 0].mean())
    base["K"] = k
    codes0, cpu0, _ = fit(matrix, k, None)
    base.update(before=score(codes0, g, scored), cpu_before=cpu0)
    rows = []
    for v in variants:
        codes, cpu, more = fit(matrix, k, v)
        row = dict(base, variant=v, after=score(codes, g, scored), cpu_after=cpu, **{extra: more})
        row["gain"] = row["after"] - row["before"]
        row["moved"] = int((codes != codes0)[scored].sum())
        row["rho"] = np.nan
        rows.append(row)
    return rows


def judge_rule_blocks(part: pd.DataFrame, report: Callable[[pd.DataFrame], bool]) -> None:
    """The rule's report of one variant's rows: the 93 dev sets (seed -1) by ``report``, then the stress seeds
    ((4) is judged on the 93; the stress sets' CPU is stated), and whether the rule passes."""
    the93, stress = part[part.seed == -1], part[part.seed != -1]
    print("--- the 93 dev sets ---")
    ok93 = report(the93)
    print("--- stress seeds 33-36 and 137-140 ---")
    ok_stress = report(stress.assign(cpu_after=stress.cpu_before))
    cpu = stress.cpu_after.sum() / max(stress.cpu_before.sum(), 1e-12)
    print(f"stress CPU s summed: before {stress.cpu_before.sum():.2f}, after {stress.cpu_after.sum():.2f} ({cpu:.2f}x)")
    print("RULE:", "passes" if ok93 and ok_stress else "fails")


def main_cli(
    doc: str,
    variants: list[str],
    explore: Callable[[], Iterable[tuple]],
    evaluate: Callable[..., list[dict]],
    summarise: Callable[[pd.DataFrame, list[str], bool], None],
    bench: Callable[[str, list[str]], None],
    cols: list[str],
) -> None:
    """The command line: ``--explore`` (every variant on ``explore()``'s sets), ``--rule V`` (the rule's sets),
    ``--only``, ``--out``, and ``--bench V`` (``main`` or a variant; the other arguments go to ``bench``)."""
    from _machine import machine_line

    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--explore", action="store_true", help="the exploration's fresh seeds, every variant")
    ap.add_argument("--rule", default=None, choices=variants, help="the registered rule run of one variant")
    ap.add_argument("--only", default=None, help="substring of the set names to run (smoke runs)")
    ap.add_argument("--out", default=None, help="CSV of the per-set table")
    ap.add_argument("--bench", default=None, choices=["main", *variants], help="bench_weak.py under it")
    args, rest = ap.parse_known_args()
    if args.bench:
        bench(args.bench, rest)
        return
    if rest:
        ap.error(f"unrecognized arguments: {rest}")
    pd.set_option("display.width", 250)
    if args.explore:
        chosen, source = list(variants), explore()
    elif args.rule is None:
        ap.error("give --explore or --rule V")
    else:
        chosen, source = [args.rule], rule_sets()
    print("machine:", machine_line(), "load:", open("/proc/loadavg").read().split()[:3], flush=True)
    frame = collect(source, evaluate, chosen, cols, args.only)
    if args.out:
        frame.to_csv(args.out, index=False)
    summarise(frame, chosen, bool(args.rule))
    print("load:", open("/proc/loadavg").read().split()[:3])
    sys.stdout.flush()
