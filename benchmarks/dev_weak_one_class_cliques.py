"""Issue 15, session 49 (is15s): one-class rules that share triggers joined as cliques, and the label model on sets of
mostly one-class votes, judged on fresh shared-trigger seeds.

Why. On keyword rules that share triggers (``dev_weak_shared_triggers.shared_trigger_set``) main's ``LabelModel()``
is more than 0.5 points below majority vote on 42 of 64 judging sets (lfguard48). Most of the loss is missed
cliques: declaring the rules that read one feature as cliques lifts the default above majority vote on most
exploration sets (the lead, session 49). The clique search screens pairs by their agreement z-score
(``weak._dependencies.agreement_excess``), which is identically 0 for two functions that each vote one class:
they agree always (same class) or never, and independence given the class predicts the same. Bach et al. (2017)
and Ratner et al. (2019) model dependent functions as cliques; for one-class functions the dependence is in who
votes, which the search's accept step (co-votes, ``PairTables.covote_z``) already measures.

THE CANDIDATE (one, registered here; in ``src`` at the registration commit, switched by
``weak._one_class_fit.ONE_CLASS_RULES``; main's default is the same code with the switch off, in the same process).
Everything below applies only where more than half the votes come from one-class functions (the missing-abstain
guard's ``ONE_CLASS_VOTES``); elsewhere the label model is main's.
1. ``weak._one_class_screen``: in the clique search, a pair of one-class functions voting the *same* class is
   screened and accepted by its co-vote z-score (over the search's threshold) and its joint table's BIC, both read
   under the vote shares of the *other* functions (a row with no other vote: the mean vote shares), not under the
   vote shares the search reads (built from the pair's own votes, a function of the two variables whose
   independence is tested). Pairs voting different classes keep the agreement screen (z = 0: not joined by it).
2. ``max_clique`` by a principle: a clique of one-class functions of one class may grow past ``max_clique`` while
   each join pays by BIC (the two groups' joint outcome given the class over the two groups as independent,
   ``group_bic_gain``, under the shares without the clique's members); other cliques keep ``max_clique = 3``. A
   memory bound only: ``(K + 1)^s <= 4096`` outcomes.
3. ``weak._one_class_fit``: ``abstains="auto"`` keeps informative abstains (with missing abstains one-class votes
   say nothing: not identified); the relabelling guard (``weak._missing_guard``) checks the informative fit too;
   ``class_balance="votes"`` (the default) is fitted fixed and free, and the free balance is kept when it pays for
   its K - 1 parameters by BIC on the items with a vote (vote shares of one-class rules are their coverage, not the
   class's prevalence: the "invisible class" of seed 206 K=3).
Explored on shared-trigger seeds 200-215 and 280-295 only (``--explore``): main mean 66.28 / 64.11 points, candidate
74.14 / 72.39 (``MajorityVote`` 70.39 / 68.06); sets more than 0.5 below ``MajorityVote`` main 21 / 23, candidate
5 / 5; one set both more than 0.5 below ``MajorityVote`` and below main (291 K=3: -0.59 and -1.06). Variants seen
on the way (not candidates): the co-vote screen under the search's vote shares (74.0 / 72.5, but it joined
independent one-class rules of ``simulate_lfs`` sets, seeds 280-283: 3 of 32 such sets fell 4-18 points), under
the moment fit's posterior (72.7 / 70.9, 1 and 4 sets below both; it misses trigger cliques, the fit itself
follows the trigger). Known before the judging run: the leave-out screen still joins independent one-class rules on
some ``simulate_lfs`` sets (seeds 280-283: 4 of 32 fall more than 0.5 points, as
``tests/weak/test_one_class.py``'s high-coverage five-class set shows); part (b) holds two such sets.

JUDGING RULE (registered, session 49, committed with the candidate before any judging run). The candidate becomes
the default only if all three parts hold, judged in order, stopping at the first that fails:
(a) shared-trigger seeds 296-327 (fresh: never run before), K = 2 and 3 (64 sets), accuracy on the covered items:
    the candidate's mean not below main's; the number of sets more than 0.5 points below ``MajorityVote``
    (``mv_bench``, as ``bench_weak.py`` scores it) strictly below main's; and NO set on which the candidate is both
    more than 0.5 points below ``mv_bench`` and more than 0.5 points below main. Reported: the worst gap to
    ``mv_bench`` and the counts, main and candidate.
(b) ``_dev_weak_sets.rule_sets()`` (the 93 dev sets, seed -1, and the stress sets of seeds 33-36 and 137-140), per
    block: the mean not below main's, no set more than 0.5 points below main's, no set further below majority vote
    than main's is (``cand - mv >= min(main - mv, -0.5)``); the summed CPU seconds and their ratio stated.
(c) ``LABELWISE_CROWD_DATA=/work/shared/data/crowd OMP_NUM_THREADS=1 python benchmarks/bench_weak.py --no-snorkel
    --skip-apply`` with the candidate in ``src``: none of the 19 accuracies below main's (RESULTS.md).
If a part fails, ``src`` goes back to main's.

OUTCOME (judging seeds 296-327, 03:41-03:42 UTC by the sandbox clock, load 10-12, commit 95e4113f): the candidate
FAILS part (a). Its mean rose 67.35 -> 74.27 points (``MajorityVote`` 70.96) and the sets more than 0.5 below
``MajorityVote`` fell 44 -> 8 (worst gap -22.89 -> -11.80), but 2 sets are both more than 0.5 below ``MajorityVote``
and more than 0.5 below main: seed 324 K=3 (main 53.69, candidate 45.29, MV 57.10: the new cliques let EM swap
classes 1 and 2, balance 0.63/0.35 -> 0.35/0.61) and seed 318 K=3 (56.50 -> 55.99, MV 56.96). Not adopted: ``src``
is main's again. After the rule, reported and not used: ``--part ablation`` (each part switched off alone on (a):
without the screen mean 68.03 and 7 such sets; without the balance choice 73.26 and 3; the abstain part changes
nothing on these sets) and ``--part b --block 93`` at the registration commit, which already shows the 93's
``lfs_unipolar1_s100`` falling 94.26 -> 75.25 (MV 86.86): the leave-out screen joins independent one-class rules
there, so part (b) would fail too. See ``benchmarks/RESULTS.md``, session 49 (is15s).

Run at the registration commit (``git worktree add DIR 95e4113f``, ``PYTHONPATH=DIR/src``)::

    OMP_NUM_THREADS=1 PYTHONPATH=DIR/src python benchmarks/dev_weak_one_class_cliques.py --explore 200-215
    OMP_NUM_THREADS=1 PYTHONPATH=DIR/src python benchmarks/dev_weak_one_class_cliques.py --part a
    OMP_NUM_THREADS=1 PYTHONPATH=DIR/src python benchmarks/dev_weak_one_class_cliques.py --part ablation  # after a
    OMP_NUM_THREADS=1 PYTHONPATH=DIR/src python benchmarks/dev_weak_one_class_cliques.py --part b --block 93
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

import _dev_weak_judge as judge  # noqa: E402
import dev_weak_shared_triggers as triggers  # noqa: E402
from _dev_weak_judge import judge_a  # noqa: E402,F401  (is15u's, is15v's and is15w's scripts read it here)

from labelwise.weak import LabelModel  # noqa: E402


def require_candidate() -> None:
    """Exit with where the result is when is15s's candidate (``weak/_one_class_screen.py``) is not in ``src``: it was not
    adopted, and since session 50 ``weak/_one_class_fit.py`` is is15t's fit, not this candidate's. The models and
    tables above stay importable (``dev_weak_one_class_cliques2.py`` and ``5.py`` read them)."""
    import importlib.util

    if importlib.util.find_spec("labelwise.weak._one_class_screen") is None:
        sys.exit(
            "is15s's candidate (weak/_one_class_screen.py) is not in src (not adopted): its result is in "
            'benchmarks/RESULTS.md, session 49 (is15s), "One-class rules sharing triggers joined as cliques"; to rerun '
            "it, check out commit 95e4113f (src and this script: git worktree add DIR 95e4113f) and run DIR's copy"
        )


SEEDS = "296-327"


class MainLabelModel(LabelModel):
    """``LabelModel()`` with the one-class fit off (``one_class_rules=False``): main's default."""

    def fit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.one_class_rules = False
        return super().fit(*args, **kwargs)


class CandidateLabelModel(LabelModel):
    """``LabelModel()`` with the one-class fit on (``one_class_rules=True``; the module constant
    ``_one_class_fit.ONE_CLASS_RULES`` until session 51)."""

    def fit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.one_class_rules = True
        return super().fit(*args, **kwargs)


def shared_trigger_table(seeds: list[int]) -> pd.DataFrame:
    """Per set: ``MajorityVote`` (``mv_bench``), main's and the candidate's default, points on the covered items."""
    rows = []
    for seed in seeds:
        for k in (2, 3):
            matrix, truth, _ = triggers.shared_trigger_set(seed, k)
            row: dict = {
                "seed": seed,
                "K": k,
                "mv_bench": triggers.accuracy(triggers.bench_majority(matrix), matrix, truth),
            }
            for name, model in (("main", MainLabelModel()), ("cand", CandidateLabelModel())):
                labels, _ = triggers.fit_labels(model, matrix)
                row[name] = triggers.accuracy(labels, matrix, truth)
                row[f"groups_{name}"] = max(len(g) for g in model.groups_)
                row[f"p_{name}"] = np.round(model.class_balance_, 2).tolist()
            rows.append(row)
            print(pd.DataFrame([row]).round(4).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    for col in ("mv_bench", "main", "cand"):
        frame[col] = frame[col] * 100
    return frame


def fit_codes(matrix: np.ndarray, k: int, model: type[LabelModel]) -> tuple[np.ndarray, float]:
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model(labels=list(range(k))).fit(matrix)
    return fitted.labels_.to_numpy(dtype=int), time.process_time() - start


def part_b(block: str, only: str | None = None, tag: str = "is15s") -> bool:
    """Part (b) of the rule on one block of ``_dev_weak_sets.rule_sets()`` (``only``: sets whose name holds it;
    ``tag``: the candidate's name in the CSV written to /tmp)."""
    return judge.part_b(
        block, only, tag, lambda matrix, k, cand: fit_codes(matrix, k, CandidateLabelModel if cand else MainLabelModel)
    )


def ablation() -> None:
    """Diagnosis after the rule (no choice made from it): each of the candidate's parts switched off alone, on (a)."""
    from labelwise.weak import _one_class_screen as screen
    from labelwise.weak import label_model

    whole = screen.screen_and_grow, label_model.fit_rows, label_model.abstain_mode  # the names label_model calls
    parts = {
        "no_screen": (lambda matrix, z, *a: (z, lambda x, y: None, None), whole[1], whole[2]),
        "no_balance": (whole[0], lambda model, *a: model._fit_rows(*a), whole[2]),
        "no_abstain": (whole[0], whole[1], lambda abstains, *a: abstains),
    }
    frame = pd.read_csv("/tmp/is15s_part_a.csv")
    for name, (scr, fit, mode) in parts.items():
        screen.screen_and_grow, label_model.fit_rows, label_model.abstain_mode = scr, fit, mode
        try:
            accs = []
            for seed, k in zip(frame.seed, frame.K, strict=True):
                matrix, truth, _ = triggers.shared_trigger_set(int(seed), int(k))
                accs.append(100 * triggers.accuracy(triggers.fit_labels(LabelModel(), matrix)[0], matrix, truth))
        finally:
            screen.screen_and_grow, label_model.fit_rows, label_model.abstain_mode = whole
        frame["cand"] = accs
        judge_a(frame, f"(a) seeds {SEEDS}, candidate without {name[3:]} (diagnosis, not a candidate)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--explore", default=None, help="exploration seeds (200-215 or 280-295), no rule")
    parser.add_argument("--part", choices=["a", "b", "ablation"], default=None)
    parser.add_argument("--block", choices=["93", "stress"], default="93")
    args = parser.parse_args()
    require_candidate()
    if args.explore:
        frame = shared_trigger_table(triggers.parse_seeds(args.explore))
        judge_a(frame, f"exploration seeds {args.explore} (no rule)")
        return
    if args.part == "a":
        frame = shared_trigger_table(triggers.parse_seeds(SEEDS))
        frame.to_csv("/tmp/is15s_part_a.csv", index=False)
        sys.exit(0 if judge_a(frame, f"(a) shared-trigger seeds {SEEDS}") else 1)
    if args.part == "b":
        sys.exit(0 if part_b(args.block) else 1)
    if args.part == "ablation":
        return ablation()
    parser.error("give --explore SEEDS or --part")


if __name__ == "__main__":
    main()
