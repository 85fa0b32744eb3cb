"""Issue 15, session 55 (copy55): copies of a one-class rule missed where the clique search grew no clique.

THE FINDING (seen copy seeds 0-59, 1000-1079, 2000-2079, 3000-3059, 4000-4259 at 1,000 items, 540 sets;
``--diagnose``): main is more than 0.5 below MV on 81. In 77 a rule voting one class has 3-5 copies that main's fit
leaves apart (none joined, or only a pair or a triple of them) and the search grew no clique past ``max_clique``; 1 is
the same beside a grown clique (copy4057), 2 are copies of a rule voting several classes missed under missing abstains
(copy4102, copy4193), 1 has every copy group whole (copy35). The largest group is the first. screen2's co-vote screen (``src/labelwise/weak/_one_class_covote.py``) is offered only past a
grown clique, so it never sees these sets; the agreement screen misses the copies (agreement z near 0 given the class
for a one-class rule), and the informative fit's one-class check, asked under the fitted posterior, does not find them
either. The gold structure's informative fit is above MV on nearly all of them.

THE CANDIDATE (switch ``SCREEN_UNGROWN`` in ``_one_class_covote.py``, False in ``src`` at registration; the hook: one
line of ``_dependencies.clique_search`` through ``_one_class_covote.screened_groups``): where the model runs its own
clique search with the grown cap (``_clique_cap.clique_limits`` gives ``full_past``) and the search grew no clique past
its plan, screen2's screen is offered all the same (pairs of exactly one one-class function, co-vote z over the
search's threshold and co-vote correlation given the class at least ``NEAR_COPY_CORR``, tested after the search's own
pairs, each still to pass the search's tests and the grown cap's complete linkage); of the groups that result, only
those grown past the plan (more than ``max_clique`` functions) that the search's groups lack are kept, the search's
other groups kept less their members. So a pair or a triple the screen would join stays apart, as in main (screen54
found that such small right joins move ``abstains="auto"`` to missing on K2 bench sets at 10,000 items), and a kept
clique past the plan fits informative abstains (``_clique_cap.grown_abstains``, main's rule). No new threshold. Where
the search did grow a clique, main's screen is unchanged.
Exploration (seen seeds only, ``--measure``; copy family 540 sets as above, bench generator first seeds 1000, 6000-6300,
12600, 12700, 14100, 14200, 90 sets): at 1,000 items copy sets below MV 81 -> 5 (none newly), 132 up and 4 down by
more than 0.5 (largest fall copy4189 85.89 -> 81.85, MV 69.35: main reached the same clique by the one-class fit's
learned pairs), no false join, mean 86.058 -> 88.937 (MV 80.226), CPU 33.0 -> 35.4 s; at 10,000 items no copy set
changed; the 90 bench sets changed at neither n; low-coverage seeds 5880-5919 (40) unchanged.

JUDGING RULE (registered before any judging run; judged ONCE, in order, stopping at the first failed part; adopted
(``SCREEN_UNGROWN = True``) only if all three hold, else ``src`` goes back to main's in a commit). Main: ``src`` with the
switch off, the candidate: on, each set fitted both ways in one process. MV is ``labelwise.aggregate.MajorityVote``;
"below MV": more than 0.5 points below it; a false join: a clique of more than 3 functions holding functions of more
than one rule (``dev_weak_clique_cap_n.false_joins``), compared per set.
(a) ``--part a``: fresh copy-family seeds 4260-4339 (80 sets) at n = 1,000 and 10,000: at 1,000 items the sets below MV
    strictly fewer than main's; at neither n a set newly below MV (below under the candidate, not under main); no false
    join in the candidate's fit that main's fit of the same set lacks; at each n the mean not lower than main's.
(b) ``--part b``: fresh bench-generator first seeds 14900, 15000, 15100 (30 sets) at n = 1,000 and 10,000, and fresh
    low-coverage seeds 6340-6379 (``dev_weak_low_coverage_peers.sparse_set``, 40 sets at their own size): on each, the
    sets below MV not more than main's and none newly below MV.
(c) ``--part c``: the 93 dev sets (``_dev_weak_judge.part_b``'s table): mean not lower than main's by more than 0.01,
    none more than 0.5 below main's; ``bench_weak.py --no-snorkel --skip-apply``'s 19
    (``_dev_weak_judge.bench_accuracies`` / ``compare_with_record``): every accuracy equal to the record (4 places);
    fit CPU of the 19 (medians of 3 alternating fits, summed; ``dev_weak_clique_bars.cpu_ratio_19``) at most 1.05x.

OUTCOME (registration commit be5f34ba at 20:16:33 UTC; judged 20:16:36-20:19:09 UTC, load 5.7-8.6): NOT ADOPTED,
part (c) fails on one of the 19; ``src`` went back to main's (``SCREEN_UNGROWN`` removed).
(a) PASS. n = 1,000: below MV main 14 -> candidate 4, none newly, 26 up and 3 down by more than 0.5, mean 85.263 ->
    88.470 (MV 80.524), one false join in both fits and none the candidate's alone; n = 10,000: no set changed (0 -> 0,
    mean 90.810).
(b) PASS. No set changed: bench first seeds 14900-15100 at 1,000 items (below MV 8 -> 8, mean 84.970) and 10,000
    (1 -> 1, 83.604); low-coverage seeds 6340-6379 (8 -> 8, 74.639).
(c) FAIL. The 93 unchanged (mean 86.8666); of the 19, smem_rte 0.9288 -> 0.8400 (18 of 19 equal); CPU 0.980x.
    smem_rte (a crowd: 164 workers, 20 answers each on 800 items): workers 85-88 answered the same 20 items, 88 all
    one class; their co-votes are the crowd's assignment, the screen joins 88 to 85-87 and the linkage passes, a
    clique of 4 past the plan, so ``grown_abstains`` keeps informative abstains where main's auto chose missing.

Run (``PYTHONPATH=<worktree>/src OMP_NUM_THREADS=1``, from the repository root; ``--part`` and ``--measure`` need the
registered ``src`` of be5f34ba)::

    python benchmarks/dev_weak_copy_fix55.py --diagnose 4200-4259             # seen copy seeds, main's falls
    python benchmarks/dev_weak_copy_fix55.py --measure 1000 --copy 0-59 --bench 1000,6000   # seen seeds, no rule
    python benchmarks/dev_weak_copy_fix55.py --part a    # then b, c (LABELWISE_CROWD_DATA set)
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

import dev_weak_clique_bars as bars  # noqa: E402
import dev_weak_clique_screen as screen  # noqa: E402
from dev_weak_clique_cap import copy_roots, copy_set  # noqa: E402
from dev_weak_clique_cap_n import bench_sets, copy_sets  # noqa: E402
from dev_weak_clique_screen2 import judged  # noqa: E402
from dev_weak_rejected_refit import bench_majority  # noqa: E402

from labelwise import weak  # noqa: E402

#: The registration commit: the candidate's ``src`` (``src`` went back to main's after part (c) failed).
REGISTERED = "be5f34ba"


def switch() -> tuple:
    """The candidate's module and switch name; a clear error where ``src`` lacks them (main's, since the verdict)."""
    from labelwise.weak import _one_class_covote

    if not hasattr(_one_class_covote, "SCREEN_UNGROWN"):
        raise SystemExit(f"the candidate is not in this src: run with the src of commit {REGISTERED}")
    return _one_class_covote, "SCREEN_UNGROWN"


screen.switch = switch  # screen.fit (bars.fit) switches this module's candidate; set after screen2's import


def low_sets(seeds: range) -> Iterator[tuple[str, object, np.ndarray, int, np.ndarray]]:
    """The low-coverage family's sets (``sparse_set``) with each function's rule."""
    from dev_weak_low_coverage_peers import sparse_set

    for seed in seeds:
        meta, sim = sparse_set(seed)
        roots = np.where(sim.parent >= 0, sim.parent, np.arange(len(sim.parent)))
        yield f"low{seed}_K{meta['K']}", sim.votes, sim.truth.reindex(sim.votes.items).to_numpy(), meta["K"], roots


def gold_naive_bayes(matrix: np.ndarray, y: np.ndarray, k: int, groups: list[list[int]]) -> float:
    """Points on the voted items of naive Bayes over ``groups``, every outcome table counted from gold ``y`` there
    (0.01 pseudo-counts; in-sample, an upper reference, as ``diag_weak_trigger_falls.gold_reference``)."""
    from diag_weak_trigger_falls import gold_reference

    return 100 * gold_reference(matrix, y, k, groups)


def _fit(votes, k: int, **kw):
    model = weak.LabelModel(labels=list(range(k)), **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(votes)
    names = list(weak.as_votes(votes).labelers)
    return model, [[names.index(f) for f in g] for g in model.groups_]


def diagnosis(seed: int, n: int = 1_000) -> dict | None:
    """One copy set: MV, main's points, groups and abstain model; where main is below MV, each true copy group as the
    fit splits it (``1c``: its rule votes one class), the fits with main's search under each abstain model, the gold
    structure's fits (the true copy groups as ``dependencies``, no search, ``max_clique`` 6) and gold naive Bayes."""
    from labelwise.weak._one_class import one_class_functions

    name, votes, truth, k = copy_set(seed, n_items=n)
    roots, matrix = copy_roots(seed), np.asarray(weak.as_votes(votes).matrix())
    scored = (matrix >= 0).any(axis=1) & pd.notna(truth)

    def points(model) -> float:
        return 100 * float(np.mean(model.labels_.to_numpy()[scored] == truth[scored]))

    model, groups = _fit(votes, k)
    row = {
        "set": name,
        "mv": 100 * float(np.mean(bench_majority(votes)[scored] == truth[scored])),
        "main": points(model),
    }
    row |= {"ab": str(model.abstains_), "groups": str([g for g in groups if len(g) > 1])}
    if row["main"] - row["mv"] >= -0.5:
        return row
    true = [np.flatnonzero(roots == r).tolist() for r in np.unique(roots)]
    copied = [g for g in true if len(g) > 1]
    one, owner = one_class_functions(matrix), {j: t for t, g in enumerate(groups) for j in g}
    split = [
        f"rule{g[0]}({'1c' if one[g[0]] else 'mc'}): {[[j for j in g if owner[j] == t] for t in sorted({owner[j] for j in g})]}"
        for g in copied
    ]
    row |= {"truth": "; ".join(split), "grown": any(len(g) > 3 for g in groups)}
    for ab in ("informative", "missing"):
        row[f"main_{ab}"] = points(_fit(votes, k, abstains=ab)[0])
    labelers = list(weak.as_votes(votes).labelers)
    pairs = [(labelers[g[0]], labelers[j]) for g in copied for j in g[1:]]
    for ab in ("auto", "informative", "missing"):
        gold, _ = _fit(votes, k, dependencies=pairs, dependency_threshold=None, max_clique=6, abstains=ab)
        row[f"gold_{ab}"] = points(gold)
        row["gold_ab"] = str(gold.abstains_) if ab == "auto" else row["gold_ab"]
    y = truth.astype(int)
    row["nb_true"] = gold_naive_bayes(matrix, y, k, true)
    row["nb_fit"] = gold_naive_bayes(matrix, y, k, groups)
    return row


def diagnose(spec: str, out: str) -> None:
    """``--diagnose SEEDS``: :func:`diagnosis` of each seen copy seed, the sets below MV printed."""
    rows = []
    for seed in bars.spans(spec):
        row = diagnosis(seed)
        rows.append(row)
        if "truth" in row:
            print({key: round(v, 2) if isinstance(v, float) else v for key, v in row.items()}, flush=True)
    frame = pd.DataFrame(rows)
    frame.to_csv(out, index=False)
    print(f"below MV: {int((frame.main - frame.mv < -0.5).sum())} of {len(frame)}")


def part_a(seeds: range = range(4260, 4340), tag: str = "copy55") -> bool:
    """(a): fresh copy-family seeds 4260-4339 at 1,000 and 10,000 items (``seeds``: copy2's, ``dev_weak_copy_fix2``)."""
    ok = True
    for n in (1_000, 10_000):
        frame, got = judged(copy_sets(tuple(seeds), n), n, f"(a) n={n}")
        frame.to_csv(f"/tmp/{tag}_part_a_{n}.csv", index=False)
        fewer = got["below"] < got["below_main"] if n == 1_000 else True
        ok = ok and fewer and not got["newly"] and not got["new_false"] and frame.cand.mean() >= frame.main.mean()
        print(f"(a) n={n}: mean main {frame.main.mean():.3f}, candidate {frame.cand.mean():.3f}", flush=True)
    return ok


def part_b(firsts: tuple = (14900, 15000, 15100), low: range = range(6340, 6380), tag: str = "copy55/b") -> bool:
    """(b): fresh bench-generator first seeds 14900-15100 at 1,000 and 10,000 items, fresh low-coverage seeds
    6340-6379 (``firsts``, ``low`` and ``tag``, "name/part": copy2's part (c), ``dev_weak_copy_fix2``)."""
    name, part = tag.split("/")
    sources = [(bench_sets(firsts, n), n, f"({part}) bench n={n}") for n in (1_000, 10_000)]
    sources.append((low_sets(low), 0, f"({part}) low"))
    for source, n, label in sources:
        frame, got = judged(source, n, label)
        frame.to_csv(f"/tmp/{name}_part_{part}_{label.split()[1]}_{n}.csv", index=False)
        if got["below"] > got["below_main"] or got["newly"]:
            return False
    return True


def part_c() -> bool:
    """(c): the 93 dev sets (mean not lower by more than 0.01, none down more than 0.5) and the 19 (equal to the
    record; fit CPU at most 1.05x)."""
    from _dev_weak_judge import bench_accuracies, compare_with_record
    from _dev_weak_judge import part_b as judge_93

    def fit93(matrix: np.ndarray, k: int, candidate: bool) -> tuple[np.ndarray, float]:
        labels, cpu, _, _ = screen.fit(matrix, k, "cand" if candidate else "main")
        return labels.astype(int), cpu

    judge_93("93", None, "copy55", fit93)
    frame = pd.read_csv("/tmp/copy55_part_b_93.csv")
    ok93 = bool(frame.cand.mean() >= frame.main.mean() - 0.01 and (frame.cand - frame.main >= -0.5).all())
    print(
        f"(c) the 93: mean {frame.main.mean():.4f} -> {frame.cand.mean():.4f}, falls > 0.5: "
        f"{int((frame.cand - frame.main < -0.5).sum())}"
    )
    compared = compare_with_record(bench_accuracies(*switch(), True))
    print(compared.to_string())
    ratio = bars.cpu_ratio_19()
    print(f"(c) the 19: {int(compared.equal.sum())} of 19 equal to the record; CPU ratio {ratio:.3f}")
    return ok93 and bool(compared.equal.all()) and ratio <= 1.05


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--diagnose", default=None, help="seen copy seeds, e.g. 4200-4259")
    parser.add_argument("--measure", type=int, default=None, help="items per set (seen seeds), no rule")
    parser.add_argument("--variants", default="main,cand")
    parser.add_argument("--copy", default="0-59,1000-1079,2000-2079,3000-3059,4000-4259")
    parser.add_argument("--bench", default="1000,6000,6100,6200,6300,12600,12700,14100,14200")
    parser.add_argument("--out", default="/tmp/copy55_measure.csv")
    parser.add_argument("--part", choices=["a", "b", "c"], default=None)
    args = parser.parse_args()
    if args.diagnose:
        diagnose(args.diagnose, args.out)
    elif args.measure:
        bars.measure(args)
    elif args.part:
        verdict = {"a": part_a, "b": part_b, "c": part_c}[args.part]()
        print(f"({args.part}):", "PASS" if verdict else "FAIL")
        sys.exit(0 if verdict else 1)
    else:
        parser.error("give --diagnose, --measure or --part")


if __name__ == "__main__":
    main()
