"""Issue 15, session 56 (copy56): the one-class co-vote screen offered where no clique was grown, each of its pairs
kept only where a class-conditional test of the VOTES confirms a copy (a Cochran-Mantel-Haenszel z-score).

WHY. copy55 found that 77 of the 81 seen copy-family sets more than 0.5 below majority vote (MV) at 1,000 items hold a
one-class rule's copies that the clique search never grew into a clique, so screen2's co-vote screen (offered only past
a grown clique) never sees them. Offering the screen there (copy55, ``dev_weak_copy_fix55.py``) failed on the real crowd
smem_rte: workers given the same batch of items co-vote by their assignment. copy2 (``dev_weak_copy_fix2.py``) refused
cliques whose members voted on exactly the same items and failed on a new false join; on its assignment-block crowds an
item-overlap rule put 18 of 60 dev sets below MV. Who votes (co-votes, overlap) cannot tell a copy from a co-assigned
worker. What they vote can: a copy of a one-class rule ``r`` (class ``a``) votes ``a`` where ``r`` fires, its errors
included, and its own votes elsewhere; a co-assigned worker's answers are independent of whether ``r`` was given the
item, given the class.

THE CANDIDATE (switch ``SCREEN_GIVEN_CLASS`` in ``src/labelwise/weak/_one_class_covote.py``, False in ``src`` at
registration, True since the verdict; the hook: one line of ``_dependencies.clique_search`` through ``_one_class_covote.screened_groups``).
Where the model runs its own clique search with the grown cap and the search grew no clique past its plan, screen2's
screen is offered all the same (pairs of exactly one one-class function, co-vote z over the search's threshold and
co-vote correlation given the class at least ``NEAR_COPY_CORR``), but each of its pairs ``(r, c)`` is kept only where
``copied_vote_z`` is over the search's threshold (``dependency_threshold``, 5; no new number): on the items ``c``
votes on, per class of the search's posterior (the vote shares), the 2x2 table "``r`` fires" x "``c`` votes ``r``'s
class", combined over the classes by Cochran and Mantel-Haenszel's statistic (one-sided). The kept pairs are then
tested by the search as in screen2 (joint table by BIC, the grown cap's complete linkage), and of the groups that
result only those grown past the plan that the search's groups lack are kept (copy55's rule); a kept clique fits
informative abstains (``_clique_cap.grown_abstains``, main's). Where the search did grow a clique, main's screen is
unchanged. No extra EM fit is run.
How it differs: copy55 kept every pair of the screen (co-votes only: co-assigned workers pass); copy2 refused a clique
whose members' voted items are equal (item overlap: a churned seat passes, and a copy is refused only by chance); this
candidate reads no overlap of who votes at all, only whether ``c``'s vote follows ``r``'s firing within the class.

SEEN-DATA CHECK (seen seeds only, before registration). ``--pairs``: every pair the ungrown screen offers in the
candidate's fit, its test z under the search's vote shares (the candidate's), under main's FITTED posterior (the
brief's suggestion) and under the vote shares of the other functions ("lpo"); confirmed = z over 5:

    family (seen)                                   pairs   confirmed: shares   main's fit   lpo   largest z (shares)
    copy family at 1,000 items, a rule's copy       1467    1398                476          1427  14.12
    copy family at 1,000 items, independent         10      6                   1            6     8.81
    assignment blocks, dev seeds 0-59               1967    0                   0            0     2.47
    bench_weak's crowds (CF 453, smem_rte 4, ...)   462     0                   0            0     1.28

(copy family seeds 0-59, 1000-1079, 2000-2079, 3000-3059, 4000-4419, 700 sets, pairs offered in 238; smem_rte's four,
worker 87 with 44, 84, 85 and 86: z -0.50, 0, 0.30, 0.) Main's fitted posterior does NOT serve: the fit that counts a
rule's copies as independent absorbs their dependence (copy4202's lf_2 with its five copies: z -0.01 to 0.10 under it,
7.1-9.1 under the shares), so the candidate reads the search's own posterior, the vote shares, and no fit is added.
The threshold is the search's ``dependency_threshold`` (5). The six independent pairs confirmed are accurate one-class
rules with another rule's copies (copy1037, 4207, 4349, 4367): under a posterior read from the votes, an accurate rule's
firing still tells the class, so the stratified test is confounded (the false join below).
``--measure`` (main and candidate fitted, the same seen seeds): copy family at 1,000 items, below MV main 103 ->
candidate 14 of 700 (none newly), 9 down and 174 up by more than 0.5, mean 86.064 -> 88.825 (MV 80.253), false joins
main 1 (copy4271) and candidate 2 (copy4271 and copy4349's [0, 3, 20, 21, 22], the one copy2 judged, 88.30 -> 97.20),
CPU 35.5 -> 38.7 s; at 10,000 items no label changed (700 sets); the bench generator's first seeds 1000, 6000-6300,
12600, 12700, 14100, 14200, 14900-15100 (120 sets) at 1,000 and 10,000 items: no label changed. The block crowds and
the 19's crowds have no confirmed pair, so their fits are main's. Two refinements explored on the 205 changed copy sets
(the test asked of every cross pair of the search's parts in a kept clique; or of the one-class functions the search
left alone) removed copy4349's false join but refused right cliques whose copy-with-copy pairs test weakly (copy1078's
lf_11 with lf_10, z 3.5) and kept the others, which put sets lower (below MV 22 against 14, copy4418 newly); not
registered.

JUDGING RULE (registered before any run on the judging seeds; judged ONCE, in order, stopping at the first failed
part; adopted (``SCREEN_GIVEN_CLASS = True``) only if all four hold, else ``src`` goes back to main's in a commit).
Main: ``src`` with the switch off, the candidate: on, each set fitted both ways in one process
(``LabelModel(labels=range(K))``; K unknown for the bench sets). MV is ``labelwise.aggregate.MajorityVote``; "below
MV": more than 0.5 points below it; a false join: a clique of more than 3 functions of more than one rule
(``dev_weak_clique_cap_n.false_joins``), compared per set.
(a) ``--part a``: fresh copy-family seeds 4420-4499 (80 sets) at n = 1,000 and 10,000: at 1,000 items the sets below
    MV strictly fewer than main's; at neither n a set newly below MV; no false join in the candidate's fit that main's
    fit of the same set lacks; at each n the mean not lower than main's.
(b) ``--part b``: the assignment-block family (``dev_weak_copy_fix2.block_set``), fresh seeds 9100-9139 (40 sets): no
    set newly below MV, none more than 0.5 points below main's.
(c) ``--part c`` (``LABELWISE_CROWD_DATA`` set, so smem_rte is among the 19): ``bench_weak.py --no-snorkel
    --skip-apply``'s 19 (``_dev_weak_judge.bench_accuracies`` / ``compare_with_record``): every accuracy equal to the
    record (4 places); their fit CPU (medians of 3 alternating fits, summed; ``dev_weak_clique_bars.cpu_ratio_19``)
    at most 1.05x; the 93 dev sets (``_dev_weak_judge.part_b``'s table): mean not lower than main's by more than
    0.01, none more than 0.5 below main's.
(d) ``--part d``: fresh bench-generator first seeds 17800, 17900, 18000 (30 sets) at n = 1,000 and 10,000, and fresh
    low-coverage seeds 6540-6579 (``dev_weak_low_coverage_peers.sparse_set``, 40 sets): on each, the sets below MV not
    more than main's and none newly below MV. The candidate adds no fit (no EM run; only the test's sums inside the
    search), so the brief's cold-CPU clause for added fits does not apply.

OUTCOME (registration commit db080a31 at 23:15:13 UTC; judged 23:15:15-23:18:55 UTC, load 9.5-12.0): ADOPTED, all four
parts pass (``SCREEN_GIVEN_CLASS = True``).
(a) PASS. n = 1,000: below MV main 15 -> candidate 0 of 80 (none newly), 23 up and none down by more than 0.5, mean
    85.735 -> 89.477 (MV 80.093), no false join in either fit; n = 10,000: no set changed (below 0 -> 0, mean 89.883;
    one false join, main's own, in both fits).
(b) PASS. The 40 block crowds: no set changed (below MV 1 -> 1, mean 85.998).
(c) PASS. The 19: 19 of 19 equal to the record (smem_rte 0.9288); CPU 1.045 -> 1.055 s (1.010x). The 93: 93 of 93
    equal (mean 86.8666).
(d) PASS. Bench first seeds 17800-18000 at 1,000 items: below MV 11 -> 11, none newly; one set changed, sim17808
    95.59 -> 95.29 (MV 83.65; a grown clique [5, 20, 22, 25] of one rule); at 10,000 items and on low-coverage seeds
    6540-6579 no set changed (3 -> 3, 12 -> 12).

Run (``PYTHONPATH=<worktree>/src OMP_NUM_THREADS=1``, from the repository root)::

    python benchmarks/dev_weak_copy_fix56.py --pairs "copy:0-59;block:0-59;crowd:" --out /tmp/copy56/pairs.csv
    python benchmarks/dev_weak_copy_fix56.py --measure 1000 --out /tmp/copy56/m1000.csv     # seen seeds, no rule
    python benchmarks/dev_weak_copy_fix56.py --part a     # then b, c (LABELWISE_CROWD_DATA set), d
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

import dev_weak_clique_bars as bars  # noqa: E402
import dev_weak_clique_screen as screen  # noqa: E402
import dev_weak_copy_fix2 as fix2  # noqa: E402
import dev_weak_copy_fix55 as fix55  # noqa: E402
from dev_weak_clique_cap_n import copy_sets  # noqa: E402
from dev_weak_clique_screen2 import judged  # noqa: E402

from labelwise import weak  # noqa: E402
from labelwise.weak import _one_class_covote  # noqa: E402


def switch() -> tuple:
    """The candidate's module and switch name."""
    return _one_class_covote, "SCREEN_GIVEN_CLASS"


# screen.fit (bars.fit, bars.cpu_ratio_19) and copy55's part (c) switch this module's candidate; set after the imports
screen.switch = fix55.switch = switch


def crowd_sets(names: str | None = None) -> Iterator[tuple[str, object, np.ndarray, None, np.ndarray]]:
    """``bench_weak``'s crowds (``LABELWISE_CROWD_DATA``) as ``(name, votes, truth, None, each worker itself)``."""
    import bench_weak

    for name, answers, gold in bench_weak.crowd_sets():
        if names and name not in names.split(","):
            continue
        votes = weak.as_votes(answers.astype({"annotator": str}))
        truth = gold.reindex(votes.items).to_numpy()
        yield name, votes, truth, None, np.arange(len(votes.labelers))


def sources(spec: str, n: int) -> Iterator[tuple]:
    """``family:SEEDS`` (``copy``, ``block``, ``crowd`` (names or empty)), ``;``-separated."""
    for part in spec.split(";"):
        family, _, what = part.partition(":")
        if family == "copy":
            yield from copy_sets(bars.spans(what), n)
        elif family == "block":
            yield from fix2.block_sets(bars.spans(what))
        elif family == "crowd":
            yield from crowd_sets(what or None)
        else:
            raise SystemExit(f"unknown family {family!r}")


def _shares(matrix: np.ndarray, k: int, drop: tuple[int, ...] = ()) -> np.ndarray:
    """Vote shares of each row over the functions not in ``drop`` (uniform where none of them votes)."""
    keep = np.setdiff1d(np.arange(matrix.shape[1]), drop)
    sub = matrix[:, keep]
    counts = np.stack([(sub == y).sum(axis=1) for y in range(k)], axis=1).astype(float)
    total = counts.sum(axis=1, keepdims=True)
    return np.where(total > 0, counts / np.maximum(total, 1), 1.0 / k)


def pair_rows(name: str, votes, k: int | None, roots: np.ndarray) -> tuple[list[dict], weak.LabelModel]:
    """The ungrown screen's pairs in the candidate's fit of one set (recorded from ``_copied``), each with the
    test's z under the search's vote shares (the candidate's), under main's fitted posterior and under the vote
    shares of the other functions; and main's fitted model."""
    v = weak.as_votes(votes)
    kw = {} if k is None else {"labels": list(range(k))}
    seen: dict[tuple[int, int], float] = {}
    held = _one_class_covote._copied

    def record(matrix, tables, one, near, threshold):
        a, b = np.nonzero(np.triu(near))
        pairs = [(int(x), int(y)) if one[x] else (int(y), int(x)) for x, y in zip(a, b, strict=True)]
        z = _one_class_covote.copied_vote_z(matrix, tables._post, tables.weights, pairs)
        seen.update(zip(pairs, z.tolist(), strict=True))
        return held(matrix, tables, one, near, threshold)

    main = weak.LabelModel(**kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        main.fit(votes)
        _one_class_covote._copied, _one_class_covote.SCREEN_GIVEN_CLASS = record, True
        try:
            weak.LabelModel(**kw).fit(votes)
        finally:
            _one_class_covote._copied, _one_class_covote.SCREEN_GIVEN_CLASS = held, False
    assert tuple(main.labelers_) == tuple(v.labelers)
    full = np.asarray(v.matrix())
    kk = len(main.classes_)
    post = main.probas_.reindex(v.items).to_numpy()
    ones = np.ones(len(full))
    rows = []
    for (r, c), z in seen.items():
        fitted = _one_class_covote.copied_vote_z(full, post, ones, [(r, c)])[0]
        lpo = _one_class_covote.copied_vote_z(full, _shares(full, kk, (r, c)), ones, [(r, c)])[0]
        vr, vc = full[:, r] >= 0, full[:, c] >= 0
        rows.append(
            {
                "set": name, "r": r, "c": c, "copy": bool(roots[r] == roots[c]), "z_shares": z, "z_fit": fitted,
                "z_lpo": lpo, "jaccard": float((vr & vc).sum() / max((vr | vc).sum(), 1)),
                "c_alone": int((vc & ~vr).sum()), "ab_main": str(main.abstains_),
            }
        )  # fmt: skip
    return rows, main


def pairs(spec: str, n: int, out: str) -> None:
    """``--pairs``: :func:`pair_rows` of every set of ``spec``, to ``out``; confirmed / refused counted."""
    rows = []
    for name, votes, _truth, k, roots in sources(spec, n):
        got, _ = pair_rows(name, votes, k, roots)
        rows += got
        for row in got:
            print({key: round(val, 2) if isinstance(val, float) else val for key, val in row.items()}, flush=True)
    frame = pd.DataFrame(rows)
    frame.to_csv(out, index=False)
    if len(frame):
        for col in ("z_shares", "z_fit", "z_lpo"):
            print(col, frame.groupby("copy")[col].apply(lambda s: f"{int((s > 5).sum())} of {len(s)} over 5"))


def part_a() -> bool:
    """(a): fresh copy-family seeds 4420-4499 at 1,000 and 10,000 items (copy55's part (a) on them)."""
    return fix55.part_a(range(4420, 4500), "copy56")


def part_b() -> bool:
    """(b): the assignment-block family, fresh seeds 9100-9139: none newly below MV, none down more than 0.5."""
    frame, got = judged(fix2.block_sets(range(9100, 9140)), 0, "(b) blocks")
    frame.to_csv("/tmp/copy56_part_b_blocks.csv", index=False)
    return not got["newly"] and not got["fall"]


def part_c() -> bool:
    """(c): the 19 (equal to the record, CPU at most 1.05x) and the 93 (copy55's part (c), the same rule; its lines
    say "(c)", its CSV of the 93 is /tmp/copy55_part_b_93.csv), through this module's switch."""
    return fix55.part_c()


def part_d() -> bool:
    """(d): fresh bench-generator first seeds 17800-18000 at 1,000 and 10,000 items, fresh low-coverage seeds
    6540-6579 (copy55's part (b) on them)."""
    return fix55.part_b((17800, 17900, 18000), range(6540, 6580), "copy56/d")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pairs", default=None, help="family:seeds;... (seen seeds only)")
    parser.add_argument("--n", type=int, default=1_000)
    parser.add_argument("--out", default="/tmp/copy56/pairs.csv")
    parser.add_argument("--part", choices=["a", "b", "c", "d"], default=None)
    parser.add_argument("--measure", type=int, default=None, help="items per set (seen seeds), no rule")
    parser.add_argument("--variants", default="main,cand")
    parser.add_argument("--copy", default="0-59,1000-1079,2000-2079,3000-3059,4000-4419")
    parser.add_argument("--bench", default="1000,6000,6100,6200,6300,12600,12700,14100,14200,14900,15000,15100")
    args = parser.parse_args()
    if not (args.pairs or args.measure or args.part):
        parser.error("give --pairs, --measure or --part")
    if args.part:
        verdict = {"a": part_a, "b": part_b, "c": part_c, "d": part_d}[args.part]()
        print(f"({args.part}):", "PASS" if verdict else "FAIL")
        sys.exit(0 if verdict else 1)
    pairs(args.pairs, args.n, args.out) if args.pairs else bars.measure(args)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
