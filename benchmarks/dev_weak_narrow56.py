"""Issue 15, session 56 (narrow56): the SECOND judging of two narrow candidates for "never more than 0.5 below
majority vote" on few low-coverage functions, on a fresh block big enough to reach them.

THE CANDIDATES (both restored from their registering commits, both switches off = main's behaviour):
A, lowmiss56's emptied-class fallback (88507e6b; ``src/labelwise/weak/_emptied_class.py``, 3 lines in
  ``_missing_guard.guard_missing``): where the fit keeps missing abstains with the class balance estimated, K >= 3,
  and no vote row keeps as its most probable class a class majority vote names by strict majority (an emptied
  class), the relabelling guard falls back to majority vote's fit, as plain Dawid-Skene's guard does. Seen 1,240
  low-coverage sets: 6 changed, all to MV's labels; more than 0.5 below MV 228 -> 222, none newly.
B, ident56's identifiability guard (b6e02b0e; ``src/labelwise/weak/_identified.py``, one line each in
  ``label_model._fit_rows`` and ``_fit_tail.pair_checked``): where the functions are at least three, the structure
  EM fits never has fewer than three conditionally independent groups (Allman, Matias and Rhodes, Annals of
  Statistics 37(6A), 2009): the clique search's groups are replaced by one group per function, and the fitted
  check's change refused, where fewer than three would be left. Seen 1,440: 8 changed (7 up 2.6-24.6, one 0.41 down
  to MV's level); more than 0.5 below MV 264 -> 261, none newly.
Each was judged once on 160 fresh low-coverage sets (6740-6899, 6940-7099) and changed no set there: that judging
was uninformative, not negative. Each reaches about one low-coverage fit in 150-200.

HOW EACH SET IS FITTED. Main's fit once, with two spies: on ``_emptied_class.emptied_fit`` (called with the switch
forced on inside the spy and its answer recorded, the switch's own value deciding what the guard gets) and on
``_identified.too_few``. A candidate's fit differs from main's only where its spy fired during main's fit (each hook
is the identity until its condition first holds, and the fit is deterministic), so a candidate is fitted only where
its spy fired, and both together where either fired; elsewhere its labels are main's by construction.

THE RULE (registered before any judging run; judged once: A alone, B alone and A + B, each against main on the same
sets, each stopped at its first failed part):
(a) fresh low-coverage seeds 7100-8299 (``dev_weak_low_coverage_peers.sparse_set``, 1,200 sets; voted items; MV =
    ``MajorityLabelVoter(labels=range(K))``): at least 3 sets changed, strictly fewer sets more than 0.5 points below
    MV than main, none newly more than 0.5 below MV (a set main has within 0.5), mean not lower.
(b) the 93 dev sets (covered gold items): mean not lower than main's by more than 0.01, no set down more than 0.5.
(c) ``bench_weak.py --no-snorkel --skip-apply``'s 19 with the switch(es) on (``_dev_weak_judge.bench_accuracies``):
    every accuracy equal to the record (``compare_with_record``).
(d) fresh ``bench_weak.simulated_sets`` at first seeds 17200, 17300, 17400 (30 sets) and fresh shared-trigger seeds
    1644-1675 at K 2 and 3 (64 sets; covered gold items): none newly more than 0.5 below MV.
Neither candidate adds a fit (A replaces the fit with MV's, B can only skip the check's refit or fit fewer cliques),
so no CPU clause. Each candidate that passes all four is adopted (switch on); if both pass, A + B must pass too, else
only the one with more sets lifted in (a) is adopted. Otherwise ``src`` goes back to main's.

OUTCOME (``--judge`` at 13178310, the registering commit, 23:50-23:53 UTC; log /tmp/narrow56_judge.log, not
committed): ALL THREE PASS, both adopted (``ENABLED = True`` in both modules). (a) 1,200 fresh sets (MV 73.677, main
77.151): A's spy fired on 15, 7 changed, each to MV's labels (up 16.1-45.3 points: 7145, 7216, 7289, 7500, 7605,
7818, 7939), more than 0.5 below MV 234 -> 227, more than 5 below 120 -> 113, mean 77.335; B's spy fired on 13, 7
changed (5 up 0.21-16.14, 7269 down 0.50 and 8148 down 1.36, both already below MV), 234 -> 232, mean 77.168; A + B
14 changed (the two sets of 7), 234 -> 225, mean 77.352; none newly below MV. (b) the 93: no spy fired, 86.8666
each. (c) the 19: 19 of 19 equal to the record, each. (d) bench 17200-17400 (30): no spy fired; shared 1644-1675
(64): A's spy fired on 12 K 3 sets, none changed (already majority vote's fit); none newly below MV. After adoption
the script's "main" switches both modules off, so it still compares against the behaviour before them. After the
run (00009421), A's hook tests for an emptied class only where the one-class guard does not fire (that guard's
warning keeps its own advice); the fallback fires on the same fits, so no label changes.

Run (from the repository root)::

    LABELWISE_CROWD_DATA=/work/shared/data/crowd PYTHONPATH=$PWD/src OMP_NUM_THREADS=1 \\
        python benchmarks/dev_weak_narrow56.py --judge

References: A. P. Dawid and A. M. Skene, Applied Statistics 28(1), 1979; E. S. Allman, C. Matias and J. A. Rhodes,
Annals of Statistics 37(6A), 2009; J. B. Kruskal, Linear Algebra and its Applications 18(2), 1977.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from labelwise import weak  # noqa: E402
from labelwise.weak import _emptied_class, _identified  # noqa: E402
from labelwise.weak.baselines import MajorityLabelVoter  # noqa: E402

FRESH_A = list(range(7100, 8300))
FRESH_D_BENCH = [17200, 17300, 17400]
FRESH_D_SHARED = range(1644, 1676)
CANDIDATES = {"A": (_emptied_class,), "B": (_identified,), "AB": (_emptied_class, _identified)}
OUT = Path("/tmp/narrow56")
_fired = {"A": 0, "B": 0}
_emptied, _too_few = _emptied_class.emptied_fit, _identified.too_few


def _spy_a(*args, **kwargs):  # type: ignore[no-untyped-def]
    """``emptied_fit`` with the switch forced on, its finding recorded; what the guard gets follows the switch."""
    on = _emptied_class.ENABLED
    _emptied_class.ENABLED = True
    try:
        out = _emptied(*args, **kwargs)
    finally:
        _emptied_class.ENABLED = on
    _fired["A"] += bool(len(out))
    return out if on else out[:0]


def _spy_b(groups: list[list[int]], n_functions: int) -> bool:
    """``too_few``, recording each call where it holds."""
    out = _too_few(groups, n_functions)
    _fired["B"] += out
    return out


_emptied_class.emptied_fit, _identified.too_few = _spy_a, _spy_b


def fit(votes, k: int, name: str = "") -> tuple[np.ndarray, dict[str, int]]:
    """``LabelModel(labels=range(k))``'s class codes with candidate ``name``'s switches on ("": main) and the spies'
    counts."""
    _fired.update(A=0, B=0)
    held = {mod: mod.ENABLED for mod in CANDIDATES["AB"]}
    for mod in held:
        mod.ENABLED = mod in CANDIDATES.get(name, ())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = weak.LabelModel(labels=list(range(k))).fit(votes)
    finally:
        for mod, on in held.items():
            mod.ENABLED = on
    return model.labels_.to_numpy(dtype=int), dict(_fired)


def row(name: str, votes, truth: np.ndarray, k: int, scored: np.ndarray) -> dict:
    """Points of MV, main, A, B and A + B on the ``scored`` items (a candidate fitted only where its spy fired)."""
    codes = {"mv": MajorityLabelVoter(labels=list(range(k))).fit(votes).labels_.to_numpy(dtype=int)}
    codes["main"], fired = fit(votes, k)
    for cand in CANDIDATES:
        codes[cand] = fit(votes, k, cand)[0] if any(fired[c] for c in cand) else codes["main"]
    acc = {n: 100.0 * float(np.mean(c[scored] == truth[scored])) for n, c in codes.items()}
    return {"set": name, "K": k, **acc, "fired_A": fired["A"], "fired_B": fired["B"]}


def block(kind: str) -> Iterator[dict]:
    """The rows of one part's sets: ``low`` (voted items), ``dev93``, ``bench``, ``shared`` (covered gold items)."""
    from dev_weak_negative_pairs import bench_sims, rule_sets, shared_sets

    if kind == "low":
        from dev_weak_low_coverage_peers import sparse_set

        for s in FRESH_A:
            meta, sim = sparse_set(s)
            voted = (sim.votes.matrix() >= 0).any(axis=1)
            yield row(str(s), sim.votes, np.asarray(sim.truth), meta["K"], voted)
        return
    sets = {
        "dev93": lambda: (s for s in rule_sets() if s[0].startswith("-1:")),
        "bench": lambda: bench_sims(FRESH_D_BENCH),
        "shared": lambda: shared_sets(FRESH_D_SHARED),
    }[kind]()
    for name, matrix, truth, k in sets:
        yield row(name, matrix, truth, k, (matrix >= 0).any(axis=1) & (truth >= 0))


def table(kind: str) -> pd.DataFrame:
    """:func:`block`'s rows, a line printed for each set where a spy fired, written to ``OUT/<kind>.csv``."""
    got = []
    for r in block(kind):
        got.append(r)
        if r["fired_A"] or r["fired_B"] or len(got) % 100 == 0:
            print(kind, len(got), pd.DataFrame([r]).round(2).to_string(index=False, header=False), flush=True)
    frame = pd.DataFrame(got)
    frame.to_csv(OUT / f"{kind}.csv", index=False)
    return frame


def against_mv(frame: pd.DataFrame, cand: str, label: str) -> dict:
    """Candidate ``cand`` against main and MV on ``frame``: counts more than 0.5 below MV, newly below, changes."""
    gap = {n: frame[n] - frame.mv for n in ("main", cand)}
    out = {
        "below": [int((gap["main"] < -0.5).sum()), int((gap[cand] < -0.5).sum())],
        "deep": [int((gap["main"] < -5).sum()), int((gap[cand] < -5).sum())],
        "newly": frame[(gap[cand] < -0.5) & (gap["main"] >= -0.5)].set.tolist(),
        "means": [round(float(frame[n].mean()), 4) for n in ("mv", "main", cand)],
        "changed": frame[frame[cand] != frame.main][["set", "K", "mv", "main", cand]].round(2).values.tolist(),
    }
    print(f"{label} {cand}:", out, flush=True)
    return out


def part_a(frame: pd.DataFrame, cand: str) -> bool:
    """Part (a): at least 3 changed, strictly fewer below MV, none newly, mean not lower."""
    r = against_mv(frame, cand, "(a)")
    ok = len(r["changed"]) >= 3 and r["below"][1] < r["below"][0] and not r["newly"]
    return ok and r["means"][2] >= r["means"][1] - 1e-9


def part_b(frame: pd.DataFrame, cand: str) -> bool:
    """Part (b): the 93, mean not lower by more than 0.01, none down more than 0.5."""
    fall = frame[cand] - frame.main
    print(f"(b) {cand}: mean {frame.main.mean():.4f} -> {frame[cand].mean():.4f}, largest fall {fall.min():+.3f}")
    return bool(frame[cand].mean() >= frame.main.mean() - 0.01 and (fall >= -0.5).all())


def part_c(cand: str) -> bool:
    """Part (c): bench_weak's 19 with the candidate's switches on, every accuracy equal to the record."""
    from contextlib import ExitStack

    from _dev_weak_judge import bench_accuracies, compare_with_record, switched

    with ExitStack() as stack:
        for mod in CANDIDATES["AB"]:
            stack.enter_context(switched(mod, "ENABLED", mod in CANDIDATES[cand]))
        record = compare_with_record(bench_accuracies())
    differ = record[~record.equal][["set", "printed", "record"]].values.tolist()
    print(f"(c) {cand}: {int(record.equal.sum())} of {len(record)} equal to the record; differ {differ}", flush=True)
    return len(record) == 19 and bool(record.equal.all())


def judge() -> dict[str, str]:
    """The registered rule (module docstring): each candidate's verdict, "PASSES" or the first part it failed."""
    verdict = dict.fromkeys(CANDIDATES, "PASSES")
    frames: dict[str, pd.DataFrame] = {}

    def run(part: str, check) -> None:  # type: ignore[no-untyped-def]
        for cand in [c for c, v in verdict.items() if v == "PASSES"]:
            if not check(cand):
                verdict[cand] = f"FAILS {part}"
            print(f"({part}) {cand}:", "passes" if verdict[cand] == "PASSES" else "FAILS", flush=True)

    def frame(kind: str) -> pd.DataFrame:
        if kind not in frames:
            frames[kind] = table(kind)
        return frames[kind]

    run("a", lambda c: part_a(frame("low"), c))
    run("b", lambda c: part_b(frame("dev93"), c))
    run("c", part_c)
    run("d", lambda c: all(not against_mv(frame(k), c, f"(d) {k}")["newly"] for k in ("bench", "shared")))
    return verdict


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument(
        "--judge", action="store_true", help="the registered rule, once, each candidate to its first failure"
    )
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.judge:
        print("RULE:", judge(), flush=True)


if __name__ == "__main__":
    main()
