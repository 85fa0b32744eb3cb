"""Dev runs: the ring check of ``aggregate.DawidSkene`` (issue 15's safe default, session 41, ring41).

REGISTRATION (written and committed before the judging run; results at the end).

The case (lead, session 40): a worker behind four or more accounts is not found by the pair check,
with or without the triad gate: the other copies stay in the model each pair is checked against,
dominate the held-out posterior and look accurate, so one mediocre worker counts four or more times.

The variant (``DawidSkene(dependency_rings=True)``, ``labelwise.aggregate._ring_check``): pairs
sharing >= 50 items and agreeing on >= 0.8 of them are joined; each connected group of 3-12
annotators (at most 3 groups, largest first) is held out as a whole: EM on every other answer, each
member's confusion matrix fitted by one-annotator EM against the posterior without the group, and
each pair of members kept if its agreements exceed the prediction by z > ``dependency_threshold``
and by >= 3% of its shared items (the pair check's own thresholds). Kept pairs join
``dependent_pairs_`` and their groups' answers weigh 1/m per item. Constants (0.8, 3, 12, 3) were
set before any run; exploration (disclosed) on fresh seeds 120-123 only (``--explore``).

Exploration, before registration (commit of the variant as written, 04:53-04:56 UTC, load 15-17):
the ring crowds of seeds 120-123 (88): 80.991 -> 86.326 (MV 81.227), 59 up / 0 down, every ring of
4-8 found (all its pairs), rings of 2 left to the pair check, no-ring crowds unchanged; CPU 1.62x.
The families of the 93 on seeds 120-121 (62 crowds): 82.559 -> 82.559, no pair changed, CPU 1.07x;
the stress families on seeds 120-123 (96 sets): 92.173 -> 92.173, no pair changed. Nothing changed
after it; the registered seeds (0-2, 33-36, 124-127) were not run with the variant.

Ring crowds (``ring_crowds(seed)``, fixed here): 600 items, ``simulate_annotators`` with 15
annotators, K drawn from {2, 3, 4, 5, 6}, 3-10 answers per item, accuracies uniform in (0.55, 0.9) for
K = 2 and (0.45, 0.8) otherwise (dsdep40 / lead-40 ranges); a ring = the annotator of median
(``mediocre``) or highest (``good``) accuracy copied into 1, 3, 4, 5, 7 more accounts (rings of 2, 4,
5, 6, 8), each copy identical (``flip 0``) or with each answer redrawn uniformly with probability 0.1
(``flip 0.1``); plus 2 crowds with no ring. 2 workers x 5 sizes x 2 flips + 2 = 22 crowds per seed.

Rule, run ONCE with ``OMP_NUM_THREADS=1`` (``--judge``); before = main's default
(``dependency_rings=False``), after = the variant, ``DawidSkene()`` only (not ``AutoAggregator``:
time, disclosed): (a) the 93 crowds of ``dev_aggregate_pair_check.py`` (as
``dev_aggregate_triad.py`` builds them) and the 96 stress sets of seeds 33-36 each: unchanged, or
mean not lower and no set more than 0.5 point below before; (b) the ring crowds of seeds 124-127
(88 crowds): mean accuracy higher than before and no crowd more than 0.5 point below before;
(c) summed CPU on the 93 at most 1.5x before. Adopted as the default only if all pass::

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_aggregate_rings.py --explore  # seeds 120-123
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_aggregate_rings.py --judge    # the rule, once

References: A. Gelman, X.-L. Meng and H. Stern, Statistica Sinica 6, 733-807, 1996; A. KhudaBukhsh,
J. Carbonell and P. Jansen, HCOMP 2014; A. P. Dawid and A. M. Skene, Applied Statistics 28(1),
20-28, 1979.

Results
-------
**The rule run, once** (``--judge``, commit 7fe13473, 04:56-04:59 UTC, load 15-17, other runs
beside it): **fails (a)** on the stress seeds. (a) the 93: 83.655 -> 83.655, no pair changed, CPU
4.59 -> 4.96 s (1.08x): passes. Seeds 33-36: 92.473 -> 92.455, 0 up / 1 down:
``minimax5_n2000_K3_m100_s35`` 85.30 -> 83.55 (-1.75; MV 74.95): the screen joins five good
annotators (skill 0.75-0.81, each pair agreeing >= 0.8) and, held out together, one pair of them
(w35-w95, 161 agreements of 197 against 128.9, z 5.06) passes the thresholds: the item-difficulty
misfit of pairfp39 / dsdep40 (the triad gate's case), 1 of the group's 10 pairs. (b) the ring
crowds of seeds 124-127: 85.534 -> 89.723 (MV 84.072), 45 up / 3 down, largest fall -0.50, rise
+22.67; every mediocre ring of 4-8 back to the no-copy level (mediocre6 78.04 -> 90.08, mediocre8
78.02 -> 90.08); passes. The 3 down: ``good5/6/8_f0.1_s127`` (K = 2, ~3 answers per item, a 0.9
worker's copies with 10% redrawn answers, -0.50 / -0.33 / -0.33): only 3 / 4 / 11 of the ring's
10 / 15 / 28 pairs pass z > 5, and their connected part is weighted while the rest of the ring
still counts fully. Not adopted. The variant's screen and
confirmation are in ``src/labelwise/aggregate/_ring_check.py`` since ring41b (unchanged; ring41b
adds its clique decision there) and are imported from it; its per-pair weighting lives in this
script (``minimax5_s35``, ``good5_f0.1_s127`` and ``mediocre6_f0.0_s127`` rerun from here give the
judged rows digit for digit).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from _machine import machine_line  # noqa: E402
from dev_aggregate_auto_glad import crowds  # noqa: E402
from dev_weak_lure_stress import stress_sets  # noqa: E402

from labelwise.aggregate import DawidSkene, MajorityVote  # noqa: E402
from labelwise.aggregate._answers import EncodedAnswers  # noqa: E402
from labelwise.aggregate._dependent import MemoryPairs, pairs_frame  # noqa: E402
from labelwise.aggregate._observed import _Observed, _with_answer_weights  # noqa: E402
from labelwise.aggregate._pair_check import group_answer_weights  # noqa: E402
from labelwise.aggregate._patterns import AnswerPatterns  # noqa: E402
from labelwise.aggregate.simulate import simulate_annotators  # noqa: E402

SIZES = (2, 4, 5, 6, 8)

# ---- the variant (was ``src/labelwise/aggregate/_ring_check.py`` in the judged commit 7fe13473; ring41b
# then moved its screen and confirmation into ``src`` unchanged, where they are imported from; the per-pair
# weighting below is this variant's own, ring41b's decides per clique) ----
from labelwise.aggregate._ring_check import candidate_rings, confirm_ring  # noqa: E402


def weigh_rings(
    est: Any,
    enc: EncodedAnswers,
    pat: AnswerPatterns,
    obs: _Observed,
    vote: np.ndarray,
    pseudo: np.ndarray,
) -> _Observed | None:
    """Find rings (module docstring) beside the pairs already in ``est.dependent_pairs_``; add their
    pairs there and return ``obs`` with every dependent group's answers on an item counting as one,
    or None when no ring is found."""
    data = MemoryPairs(est, enc, pat, obs, vote)
    groups = candidate_rings(data.screened, enc.n_annotators)
    if not groups:
        return None
    names = enc.annotator_index()
    found = est.dependent_pairs_
    known = np.column_stack(
        [names.get_indexer(found.annotator_a), names.get_indexer(found.annotator_b), found.iloc[:, 2:].to_numpy()]
    ).reshape(-1, 6)
    rows: list[tuple[float, ...]] = []
    for members in groups:
        pairs = np.array([*known, *rows]).reshape(-1, 6)
        ab = (pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64))
        seen = set(zip(*ab, strict=True))
        rows += [
            r for r in confirm_ring(data, ab, members, pseudo, float(est.dependency_threshold)) if r[:2] not in seen
        ]
    if not rows:
        return None
    every = np.array([*known, *rows]).reshape(-1, 6)
    new = pairs_frame(np.array(rows), names)
    est.dependent_pairs_ = pd.concat([found, new], ignore_index=True) if len(found) else new
    pa, pb = every[:, 0].astype(np.int64), every[:, 1].astype(np.int64)
    return _with_answer_weights(obs, group_answer_weights(obs.m, obs.annotator_of, enc.n_annotators, pa, pb))


_PLAIN = DawidSkene._weigh_dependent


def _weigh_with_rings(self: Any, enc: Any, pat: Any, obs: Any, vote: Any, pseudo: Any) -> Any:
    """The variant's hook in ``DawidSkene._fit``: the pair check, then :func:`weigh_rings`."""
    weighted = _PLAIN(self, enc, pat, obs, vote, pseudo)
    return weigh_rings(self, enc, pat, obs, vote, pseudo) or weighted


def ring_crowd(seed: int, worker: str, size: int, flip: float) -> tuple[pd.DataFrame, pd.Series]:
    """One registered ring crowd (module docstring); ``size`` 1: no ring."""
    rng = np.random.default_rng([seed, 7])
    k, per_item = int(rng.integers(2, 7)), int(rng.integers(3, 11))
    truth = pd.Series(rng.integers(0, k, 600))
    acc = (0.55, 0.9) if k == 2 else (0.45, 0.8)
    sim = simulate_annotators(truth, n_annotators=15, answers_per_item=per_item, accuracy=acc, random_state=seed)
    order = sim.annotator_accuracy.sort_values(kind="stable").index
    who = order[len(order) // 2] if worker == "mediocre" else order[-1]
    own = sim.answers[sim.answers["annotator"] == who]
    parts = [sim.answers]
    for c in range(1, size):
        labels = own["label"].to_numpy().copy()
        redraw = rng.random(len(labels)) < flip
        labels[redraw] = rng.integers(0, k, int(redraw.sum()))
        parts.append(own.assign(annotator=f"{who}_copy{c}", label=labels))
    return pd.concat(parts, ignore_index=True), truth


def ring_crowds(seed: int):
    """(family, name, answers, truth) of the 22 ring crowds of one seed."""
    for worker in ("mediocre", "good"):
        for size in SIZES:
            for flip in (0.0, 0.1):
                yield f"{worker}{size}", f"{worker}{size}_f{flip}_s{seed}", *ring_crowd(seed, worker, size, flip)
    for extra in (0, 1):
        yield "none", f"none{extra}_s{seed}", *ring_crowd(seed * 10 + extra, "mediocre", 1, 0.0)


def _acc(labels: pd.Series, truth: pd.Series) -> float:
    return 100 * float((labels.to_numpy() == truth.reindex(labels.index).to_numpy()).mean())


def ds(answers: pd.DataFrame, truth: pd.Series, rings: bool) -> tuple[float, float, int]:
    """``DawidSkene()``, with the variant's hook when ``rings``: accuracy, CPU seconds, dependent pairs."""
    DawidSkene._weigh_dependent = _weigh_with_rings if rings else _PLAIN  # type: ignore[method-assign]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.process_time()
            est = DawidSkene(dependency_rings=False).fit(answers)  # main before ring41b: the hook adds the variant
            cpu = time.process_time() - start
    finally:
        DawidSkene._weigh_dependent = _PLAIN  # type: ignore[method-assign]
    return _acc(est.labels_, truth), cpu, len(est.dependent_pairs_)


def row_of(family: str, name: str, answers: pd.DataFrame, truth: pd.Series) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row: dict = {"family": family, "set": name, "mv": _acc(MajorityVote().fit(answers).labels_, truth)}
    row["before"], row["cpu_before"], row["pairs_before"] = ds(answers, truth, False)
    row["after"], row["cpu_after"], row["pairs_after"] = ds(answers, truth, True)
    print(pd.DataFrame([row]).round(2).to_string(index=False, header=False), flush=True)
    return row


def judge(frame: pd.DataFrame, gain: bool, cpu_limit: float | None) -> bool:
    """(a) or (b), and (c) where ``cpu_limit`` is given (module docstring)."""
    diff = frame.after - frame.before
    cpu = frame.cpu_after.sum() / max(frame.cpu_before.sum(), 1e-12)
    unchanged = bool((diff == 0).all())
    mean_ok = frame.after.mean() > frame.before.mean() if gain else frame.after.mean() >= frame.before.mean() - 1e-12
    rules = {"mean": bool(mean_ok) or (unchanged and not gain), "none > 0.5 below": bool((diff >= -0.5 - 1e-9).all())}
    if cpu_limit is not None:
        rules["CPU"] = bool(cpu <= cpu_limit)
    print(
        f"  mean {frame.before.mean():.3f} -> {frame.after.mean():.3f} (MV {frame.mv.mean():.3f}), "
        f"{int((diff > 0).sum())} up / {int((diff < 0).sum())} down, largest fall {diff.min():+.2f}, rise "
        f"{diff.max():+.2f}, pairs on {int((frame.pairs_after != frame.pairs_before).sum())} sets changed, CPU "
        f"{frame.cpu_before.sum():.2f} -> {frame.cpu_after.sum():.2f} s ({cpu:.2f}x); "
        + ", ".join(f"{k} {'passes' if v else 'fails'}" for k, v in rules.items())
    )
    for family, part in frame.groupby("family", sort=False):
        print(f"    {family:10s} ({len(part):2d}) MV {part.mv.mean():.2f} before {part.before.mean():.2f} "
              f"after {part.after.mean():.2f}")  # fmt: skip
    return all(rules.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--explore", action="store_true", help="ring crowds of seeds 120-123 (exploration)")
    ap.add_argument("--judge", action="store_true", help="the rule, once")
    args = ap.parse_args()
    pd.set_option("display.width", 250)
    print(machine_line(), flush=True)
    if args.explore:
        frame = pd.DataFrame([row_of(*c) for s in (120, 121, 122, 123) for c in ring_crowds(s)])
        judge(frame, True, None)
    if not args.judge:
        return
    rings = pd.DataFrame([row_of(*c) for s in (124, 125, 126, 127) for c in ring_crowds(s)])
    dev = pd.DataFrame(
        [row_of(f, f"{n} s{s}", a, t) for f in ("auto", "lookalike", "dense", "pair") for s in (0, 1, 2)
         for n, a, t in crowds(f, s)]
    )  # fmt: skip
    stress = pd.DataFrame(
        [row_of(f, n, v.to_annotations(), t) for s in (33, 34, 35, 36) for f, n, v, t in stress_sets(s)]
    )
    print("\n(a) the 93 aggregate dev crowds")
    ok = judge(dev, False, 1.5)
    print("(a) stress seeds 33-36")
    ok &= judge(stress, False, None)
    print("(b) ring crowds, seeds 124-127")
    ok &= judge(rings, True, None)
    print("rule:", "passes" if ok else "fails", flush=True)


if __name__ == "__main__":
    main()
