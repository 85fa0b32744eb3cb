"""The missing-abstain guard (``weak._missing_guard``, session 48, lfguard48) on the issue-15 rule sets.

``LabelModel()`` with the guard and without it (``_fit_tail.guard_missing`` patched to return the fit as it
is: main's code), on ``_dev_weak_sets.rule_sets()`` (the 93 dev sets, seed -1, and the stress sets of seeds
33-36 and 137-140). Prints each set the guard changed, then per block the mean, the largest fall and rise and
the sets more than 0.5 points below main or further below majority vote than main.

Run: ``OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_missing_guard.py``
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from _dev_weak_sets import rule_sets  # noqa: E402
from dev_weak_labeler_strength import dev_set, score  # noqa: E402

from labelwise.weak import LabelModel, _fit_tail  # noqa: E402

GUARD = _fit_tail.guard_missing


def fit_codes(matrix: np.ndarray, k: int, guard: bool) -> tuple[np.ndarray, str, bool]:
    """Class codes, the abstain model kept and whether the guard fell back."""
    _fit_tail.guard_missing = GUARD if guard else (lambda model, em, run, *args: run)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = LabelModel(labels=list(range(k))).fit(matrix)
    finally:
        _fit_tail.guard_missing = GUARD
    fell = any("missing-abstain fit" in str(w.message) for w in caught)
    return model.labels_.to_numpy(dtype=int), model.abstains_, fell


def main() -> None:
    rows = []
    for seed, family, name, votes, truth in rule_sets():
        matrix, k, g, scored, _, row = dev_set(family, name, votes, truth)
        before, chose, _ = fit_codes(matrix, k, guard=False)
        after, _, fell = fit_codes(matrix, k, guard=True)
        row.update(seed=seed, abstains=chose, fell=fell, before=score(before, g, scored), after=score(after, g, scored))
        rows.append(row)
        if fell or (before != after).any():
            print(f"changed: {seed} {family} {name}: {row['before']:.3f} -> {row['after']:.3f} (MV {row['mv']:.3f})")
    frame = pd.DataFrame(rows)
    for block, part in (("the 93", frame[frame.seed == -1]), ("stress", frame[frame.seed != -1])):
        gain = part.after - part.before
        worse_mv = (part.after - part.mv < np.minimum(part.before - part.mv, -0.5) - 1e-9).sum()
        print(
            f"{block} ({len(part)} sets): mean {part.before.mean():.3f} -> {part.after.mean():.3f}; largest fall "
            f"{gain.min():+.3f}, rise {gain.max():+.3f}; guard fell back on {int(part.fell.sum())}; more than 0.5 "
            f"below main: {int((gain < -0.5).sum())}; further below MV than main: {int(worse_mv)}"
        )


if __name__ == "__main__":
    main()
