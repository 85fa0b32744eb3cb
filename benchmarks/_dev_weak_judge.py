"""The three-part judging rule's reports of parts (a) and (b), shared by the issue-15 clique candidates' scripts
(``dev_weak_one_class_cliques.py`` (is15s) and the scripts that reuse it; ``dev_weak_structure_learner.py``
(is15x)). Each script gives its own fit: main's default and the candidate's, switched in one process.

For the scripts after them: :func:`fits_with_switch` (a label model fitted with a module switch off and on, the
switch always restored) and part (c)'s record (:func:`record_accuracies`, :func:`compare_with_record` with
bench_weak's own rounding, :func:`bench_accuracies`)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, NamedTuple

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


# ----------------------------------------------------------------------------- a module switch, and part (c)
class Fitted(NamedTuple):
    """One fit of :func:`fits_with_switch`: its labels (``labels_``' values), CPU seconds and the fitted model."""

    labels: np.ndarray
    cpu: float
    model: Any


@contextmanager
def switched(module: ModuleType, name: str, value: Any) -> Iterator[None]:
    """``module.name`` set to ``value`` inside the block and restored after it, whatever the block raised.

    Raises
    ------
    AttributeError
        ``module`` has no ``name`` (a misspelt switch would otherwise be set beside the one the code reads).
    """
    held = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, held)


def fits_with_switch(
    module: ModuleType, name: str, votes: Any, *, values: tuple = (False, True), **kw: Any
) -> dict[Any, Fitted]:
    """``weak.LabelModel(**kw).fit(votes)`` once with ``module.name`` at each of ``values`` (main's default, then the
    candidate's), warnings silenced and the switch restored after each: ``{value: Fitted}``."""
    from labelwise import weak

    out = {}
    for value in values:
        model = weak.LabelModel(**kw)
        with switched(module, name, value), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.process_time()
            model.fit(votes)
            cpu = time.process_time() - start
        out[value] = Fitted(model.labels_.to_numpy(), cpu, model)
    return out


#: The record's changes since ``dev_weak_copy_screen.RECORD`` (sessions 52-53), by the defaults adopted in session 54.
SESSION_54 = {"cifar10n_slots": 0.9204}


def record_accuracies() -> pd.Series:
    """The 19 accuracies on record as ``bench_weak.py --no-snorkel --skip-apply`` prints them (pandas' round to 4
    places), indexed by set name in its order: ``dev_weak_copy_screen.RECORD`` (the record of sessions 52 and 53,
    sim1004 0.9983) with session 54's one change, cifar10n_slots 0.9195 -> 0.9204 (misses54's exchangeable
    labelers), which the lead's final run of session 54 equals set for set."""
    from dev_weak_copy_screen import RECORD

    return pd.Series({**RECORD, **SESSION_54}, name="record").rename_axis("set")


def compare_with_record(frame: pd.DataFrame, record: pd.Series | None = None) -> pd.DataFrame:
    """``frame`` (``bench_weak.label_model_section``'s rows: ``set``, ``labelwise``) against the record, one row per
    set of the record: ``printed`` (``labelwise`` rounded to 4 places by pandas, as bench_weak prints it: 743/800 =
    0.92875 is 0.9288, where Python's ``round`` gives 0.9287), ``record``, ``change`` (printed - record, NaN for a
    set ``frame`` lacks), ``equal`` and ``at_or_above``."""
    record = record_accuracies() if record is None else record
    printed = frame.set_index("set")["labelwise"].astype(float).round(4).reindex(record.index)
    out = pd.DataFrame({"printed": printed, "record": record})
    out["change"] = (out.printed - out.record).round(4)
    out["equal"] = out.printed == out.record
    out["at_or_above"] = out.printed >= out.record
    return out.reset_index()


def bench_accuracies(module: ModuleType | None = None, name: str = "", value: Any = True, sets: str | None = None):
    """``bench_weak.py``'s label-model section with ``--no-snorkel --skip-apply`` (``sets``: its ``--sets``), with
    ``module.name`` = ``value`` when a module is given (restored after): its frame, for :func:`compare_with_record`."""
    import argparse
    import tempfile
    from contextlib import nullcontext
    from pathlib import Path

    import bench_weak

    sims_only = bool(sets) and all(s.strip().startswith("sim") for s in str(sets).split(","))
    args = argparse.Namespace(no_snorkel=True, sims_only=sims_only, first_seed=1000, sets=sets)
    with switched(module, name, value) if module is not None else nullcontext(), tempfile.TemporaryDirectory() as tmp:
        return bench_weak.label_model_section(args, Path(tmp))
