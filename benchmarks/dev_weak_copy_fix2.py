"""Issue 15, session 55 (copy2): copy55's ungrown screen re-registered with one refusal, and judged once on fresh seeds.

A SECOND JUDGING OF A REFINED CANDIDATE. copy55 (``benchmarks/dev_weak_copy_fix55.py``) found that 77 of the 81 seen
copy-family sets more than 0.5 below majority vote (MV) at 1,000 items hold a one-class rule's copies that the search
never grew into a clique, so screen2's co-vote screen (``src/labelwise/weak/_one_class_covote.py``, offered only past a
grown clique) never sees them. Its candidate ``SCREEN_UNGROWN`` (offer the screen where no clique was grown, keep only
the new cliques it grows past the plan) passed its parts (a) and (b) and FAILED (c) on the real crowd smem_rte
(0.9288 -> 0.8400): workers 85, 87 and 88 answered exactly the same 20 items, 88 all one class, and were joined as a
one-class rule's copies. After that verdict, on seen sets only, copy55 found the refusal below; it was chosen after
seeing smem_rte, so smem_rte cannot judge it, and this script registers it with fresh seeds and a family aimed at its
risk.

THE CANDIDATE (switch ``SCREEN_UNGROWN`` in ``_one_class_covote.py``, False in ``src`` at registration; the hook: one
line of ``_dependencies.clique_search`` through ``_one_class_covote.screened_groups``): copy55's candidate as committed
at 0330ba0c (where the search grew no clique past its plan, screen2's screen is offered all the same and only the new
groups it grows past the plan are kept, a kept clique fitting informative abstains by ``_clique_cap.grown_abstains``),
plus ONE RULE: such a new group is refused (its members stay as the search left them) where two of its members voted
on exactly the same items (identical vote supports; Jaccard overlap of the voted items 1.0). A rule's copy votes on its
own where the rule abstains; workers given the same batch vote on exactly the same items, and their co-votes are the
assignment's. No tuned number. Seen sets (copy55's exploration): the 620 seen copy sets at 1,000 items below MV
95 -> 9, as without the refusal; smem_rte 0.9288 as main.

THE RISK FAMILY (``block_set``; no simulator in ``src`` draws who answers by batch, so it is drawn here): crowds whose
workers answer in ASSIGNMENT BLOCKS, as MTurk HITs. Per seed: K in {2, 3, 4}; batches of 10, 20 or 40 items, 20, 40 or
60 of them; teams of 3-5 workers, each batch taken by one team drawn at random (so a team takes on average 1, 2 or 4
batches); each seat of a batch goes to a worker outside the team with probability ``churn`` in {0, 0.2, 0.5} (so some
teammates' supports overlap without being equal: the case the refusal does not cover); a share {0.1, 0.2, 0.3} of
workers are one-class spammers (always their own class), the others answer right with an accuracy uniform in
(0.55, 0.95) and wrong with their own Dirichlet(0.5) preferences over the other classes; the class prior is
Dirichlet(5). Each worker is its own "rule", so any clique of more than 3 workers counts as a false join.
Dev seeds 0-19 of the family, looked at BEFORE registration (scratch ``/tmp/copy2/dev.py``; main, the candidate, and
the candidate without the refusal): below MV main 2, candidate 5 (3 newly: block4, block7, block10, falls of 55-67
points to about chance, each a screen-made clique of teammates with a churned seat, informative abstains forced), without
the refusal 15 (a screen-made clique in 14 of 20 sets, 14 falls of more than 0.5); means 86.155, 77.286, 50.058. So the
refusal removes most of the risk on these seeds, not all; the rule below is registered as stated all the same.

JUDGING RULE (registered before any run on the judging seeds; judged ONCE, in order, stopping at the first failed part;
adopted (``SCREEN_UNGROWN = True``) only if all four hold, else ``src`` goes back to main's in a commit). Main: ``src``
with the switch off, the candidate: on, each set fitted both ways in one process (``LabelModel(labels=range(K))``; K
unknown for the bench sets). MV is ``labelwise.aggregate.MajorityVote``; "below MV": more than 0.5 points below it; a
false join: a clique of more than 3 functions of more than one rule (``dev_weak_clique_cap_n.false_joins``), per set.
(a) ``--part a``: fresh copy-family seeds 4340-4419 (80 sets) at n = 1,000 and 10,000: at 1,000 items the sets below MV
    strictly fewer than main's; at neither n a set newly below MV; no false join in the candidate's fit that main's fit
    of the same set lacks; at each n the mean not lower than main's.
(b) ``--part b``: the assignment-block family, fresh seeds 9100-9139 (40 sets, chosen before any run of the family;
    dev seeds 0-19 only were looked at): no set newly below MV, none more than 0.5 points below main's.
(c) ``--part c``: fresh bench-generator first seeds 15700, 15800, 15900 (30 sets) at n = 1,000 and 10,000, and fresh
    low-coverage seeds 6540-6579 (``dev_weak_low_coverage_peers.sparse_set``, 40 sets): on each, the sets below MV not
    more than main's and none newly below MV.
(d) ``--part d``: the 93 dev sets (``_dev_weak_judge.part_b``'s table): mean not lower than main's by more than 0.01,
    none more than 0.5 below main's; ``bench_weak.py --no-snorkel --skip-apply``'s 19
    (``_dev_weak_judge.bench_accuracies`` / ``compare_with_record``): every accuracy equal to the record (4 places);
    fit CPU of the 19 (medians of 3 alternating fits, summed; ``dev_weak_clique_bars.cpu_ratio_19``) at most 1.05x.

OUTCOME (registration commit 214bc038 at 20:37:52 UTC; judged 20:37:54-20:38:38 UTC, load 4.1-4.4): NOT ADOPTED, part (a)
fails; parts (b)-(d) not run; ``src`` went back to main's (e6066d1f).
(a) FAIL on one clause. n = 1,000: below MV main 8 -> candidate 0 (none newly), 19 up and 1 down by more than 0.5 (copy4345
    84.38 -> 83.45, MV 76.73), mean 86.906 -> 89.163 (MV 80.158); n = 10,000: no set changed (0 -> 0, mean 91.679). But
    copy4349 (K3, 23 functions) holds a false join in the candidate's fit that main's lacks: [0, 3, 20, 21, 22], rules
    [0, 3, 3, 3, 3]: lf_0, an independent one-class rule (class 1), in one-class rule 3's grown clique (co-vote z 9.2
    with lf_3, co-vote correlation given the class 0.65; 6.9-7.4 with 20-22). Main joins lf_0 with lf_7 (a pair). That
    set rose 88.30 -> 97.20 (MV 83.90); the clause counts joins, not points.
After the verdict (dev seeds 0-59 of the block family, ``/tmp/copy2/dev.py``, nothing registered): below MV main 2,
candidate 18 (16 down by more than 0.5), without the refusal 44; in the three falls of seeds 0-19 the teammate cliques
have a largest pairwise Jaccard of 0.5-0.875 (a churned seat); once one is kept, its forced informative abstains bring
more cliques in later steps of the fit, identical supports among them, which the refusal (asked only of the screen's
groups) never sees: on block43 the screen keeps one clique (no two supports equal) and the fit ends with seven.

Run (``PYTHONPATH=<worktree>/src OMP_NUM_THREADS=1``, from the repository root; ``LABELWISE_CROWD_DATA`` for (d))::

    python benchmarks/dev_weak_copy_fix2.py --blocks 0-19      # dev seeds of the block family, main and candidate
    python benchmarks/dev_weak_copy_fix2.py --part a           # then b, c, d (the src of 214bc038)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

import dev_weak_clique_bars as bars  # noqa: E402
import dev_weak_copy_fix55 as fix55  # noqa: E402  (sets screen.switch to its switch: SCREEN_UNGROWN, the same switch)
from dev_weak_clique_screen2 import judged  # noqa: E402

from labelwise import weak  # noqa: E402

#: The registration commit: the candidate's ``src`` (``src`` went back to main's after part (a) failed). copy55's
#: ``switch`` names it where ``src`` lacks the switch.
fix55.REGISTERED = REGISTERED = "214bc038"


def block_set(seed: int) -> tuple[str, object, np.ndarray, int, np.ndarray]:
    """One crowd of the assignment-block family (the module's docstring): name, votes, truth in the votes' item order,
    K and each worker's "rule" (itself)."""
    rng = np.random.default_rng(seed)
    k, size, n_batches = int(rng.choice([2, 3, 4])), int(rng.choice([10, 20, 40])), int(rng.choice([20, 40, 60]))
    per_team, churn, spam = (
        int(rng.choice([1, 2, 4])),
        float(rng.choice([0.0, 0.2, 0.5])),
        float(rng.choice([0.1, 0.2, 0.3])),
    )
    sizes = rng.integers(3, 6, max(2, n_batches // per_team))
    team = np.repeat(np.arange(len(sizes)), sizes)  # worker -> team
    n_workers, n_items = len(team), size * n_batches
    truth = rng.choice(k, n_items, p=rng.dirichlet(np.full(k, 5.0)))
    one_class, fav = rng.random(n_workers) < spam, rng.integers(0, k, n_workers)
    acc, prefs = rng.uniform(0.55, 0.95, n_workers), rng.dirichlet(np.full(k - 1, 0.5), n_workers)
    rows = []
    for b, t in enumerate(rng.integers(0, len(sizes), n_batches)):
        seats = np.flatnonzero(team == t)
        swap = rng.random(len(seats)) < churn
        outside = rng.permutation(np.setdiff1d(np.arange(n_workers), seats))[: int(swap.sum())]
        seats[swap] = outside
        items = np.arange(b * size, (b + 1) * size)
        for w in seats:
            y = truth[items]
            wrong = (y + 1 + rng.choice(k - 1, size, p=prefs[w])) % k
            label = np.where(one_class[w], fav[w], np.where(rng.random(size) < acc[w], y, wrong))
            rows.append(pd.DataFrame({"item": items, "annotator": f"w{w}", "label": label}))
    votes = weak.as_votes(pd.concat(rows, ignore_index=True), classes=list(range(k)))
    name = f"block{seed}_K{k}_b{size}x{n_batches}_t{per_team}_c{churn}_s{spam}"
    return name, votes, truth[np.asarray(votes.items, dtype=int)], k, np.arange(len(votes.labelers))


def block_sets(seeds: tuple[int, ...] | range) -> Iterator[tuple[str, object, np.ndarray, int, np.ndarray]]:
    """:func:`block_set` of each seed."""
    for seed in seeds:
        yield block_set(seed)


def part_a() -> bool:
    """(a): fresh copy-family seeds 4340-4419 at 1,000 and 10,000 items (copy55's part (a) on them)."""
    return fix55.part_a(range(4340, 4420), "copy2")


def part_b() -> bool:
    """(b): the assignment-block family, fresh seeds 9100-9139."""
    frame, got = judged(block_sets(range(9100, 9140)), 0, "(b) blocks")
    frame.to_csv("/tmp/copy2_part_b_blocks.csv", index=False)
    return not got["newly"] and not got["fall"]


def part_c() -> bool:
    """(c): fresh bench-generator first seeds 15700-15900 at 1,000 and 10,000 items, fresh low-coverage seeds
    6540-6579 (copy55's part (b) on them)."""
    return fix55.part_b((15700, 15800, 15900), range(6540, 6580), "copy2/c")


#: (d): copy55's part (c), the same rule on the same 93 and 19 (its lines say "(c)"; its CSV of the 93:
#: /tmp/copy55_part_b_93.csv), switching ``SCREEN_UNGROWN`` by copy55's ``switch``.
part_d = fix55.part_c


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--blocks", default=None, help="dev seeds of the block family, e.g. 0-19 (no rule)")
    parser.add_argument("--part", choices=["a", "b", "c", "d"], default=None)
    args = parser.parse_args()
    if args.blocks:
        frame, _ = judged(block_sets(bars.spans(args.blocks)), 0, "blocks")
        frame.to_csv("/tmp/copy2_blocks_dev.csv", index=False)
    elif args.part:
        verdict = {"a": part_a, "b": part_b, "c": part_c, "d": part_d}[args.part]()
        print(f"({args.part}):", "PASS" if verdict else "FAIL")
        sys.exit(0 if verdict else 1)
    else:
        parser.error("give --blocks or --part")


if __name__ == "__main__":
    main()
