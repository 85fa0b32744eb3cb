"""Dev runs for the label model's cliques (issue 15, part 2), on simulated data only.

:class:`labelwise.weak.LabelModel` joins functions whose agreement z-score is over
``dependency_threshold`` into cliques that model their joint votes. This script compares:

* ``before``: session 4's model (z-score only; a clique's joint votes get ``smoothing`` only in
  the missing-abstain MAP fit);
* ``prior``: a clique's joint votes get the product of its members' diagonal priors;
* ``bic``: that, and a pair over the threshold is joined only when its joint table pays for its
  parameters by BIC (:func:`labelwise.weak._dependencies.joint_bic_gain`): the model kept;
* ``independent``: no cliques (``dependency_threshold=None``);

on the dev sets of ``dev_weak_abstains.py`` (none from the benchmark) and on *slot crowds*: every
item answered by the same few "slots" (as CIFAR-10N's three), K classes, with a share of hard
items on which every slot is drawn to the item's look-alike class (a real dependency between
slots, given the class) or no hard items (independent slots).

Prints per set the accuracy of each, of majority vote and of ``aggregate.DawidSkene()``, and the
cliques formed (``cl_*``); then mean accuracy, worst points below majority vote, and the sets
where each is at least Dawid-Skene's accuracy. Usage::

    python benchmarks/dev_weak_clique_prior.py

``bic_gain`` is patched at ``weak._dependencies.PairTables`` since session 55 (``label_model`` no longer imports
``PairTables``; the class is the same one the clique search uses).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))


def slot_crowd(n_items: int, n_classes: int, n_slots: int, hard_share: float, seed: int) -> tuple:
    """Each item answered once by each of ``n_slots`` slots of accuracy 0.75-0.95; on a ``hard_share``
    of items every answer is, with probability 0.5, the item's own look-alike class (shared error)."""
    from labelwise.weak import as_votes

    rng = np.random.default_rng(seed)
    k = n_classes
    y = rng.integers(0, k, n_items)
    look = (y + rng.integers(1, k, n_items)) % k
    hard = rng.random(n_items) < hard_share
    acc = rng.uniform(0.75, 0.95, n_slots)
    item = np.repeat(np.arange(n_items), n_slots)
    slot = np.tile(np.arange(n_slots), n_items)
    t = y[item]
    lured = hard[item] & (rng.random(len(item)) < 0.5)
    right = rng.random(len(item)) < acc[slot]
    wrong = (t + rng.integers(1, k, len(item))) % k
    label = np.where(lured, look[item], np.where(right, t, wrong))
    answers = pd.DataFrame({"item": item, "labeler": [f"slot{s}" for s in slot], "label": label})
    return as_votes(answers), pd.Series(y, index=pd.RangeIndex(n_items))


def dev_sets() -> list[tuple[str, object, pd.Series]]:
    from dev_weak_abstains import dev_sets as abstain_sets

    out = list(abstain_sets())
    for seed in (0, 1):
        for k, slots, hard in ((10, 3, 0.2), (10, 3, 0.0), (5, 3, 0.3), (10, 4, 0.2)):
            votes, y = slot_crowd(20000, k, slots, hard, seed)
            out.append((f"slots_K{k}_s{slots}_hard{hard}_s{seed}", votes, y))
    return out


def _without_clique_prior(groups, k, smoothing, accuracy, strength):
    """The prior before: single functions' vote columns only, cliques' joint outcomes at ``smoothing``."""
    from labelwise.aggregate.priors import diagonal_confusion_prior

    a = diagonal_confusion_prior(k, strength=strength, accuracy=accuracy)
    sizes = [(k + 1) ** len(g) for g in groups]
    out = np.full((int(sum(sizes)), k), smoothing)
    offset = 0
    for g, size in zip(groups, sizes, strict=True):
        if len(g) == 1:
            out[offset + 1 : offset + 1 + k] = a.T
        offset += size
    return out


def _no_gate(tables, pairs):
    """No BIC test: every pair over the z threshold may join a clique (as before)."""
    return np.full(len(pairs), np.inf)


VARIANTS = ("before", "prior", "bic", "independent")


def _fit(votes, variant: str):
    from labelwise.weak import LabelModel, _dependencies, _em

    saved = (_em.diagonal_pseudo_counts, _dependencies.PairTables.bic_gain)
    if variant == "before":
        _em.diagonal_pseudo_counts = _without_clique_prior
    if variant in ("before", "prior"):
        _dependencies.PairTables.bic_gain = _no_gate
    try:
        model = LabelModel(dependency_threshold=None if variant == "independent" else 5.0)
        return model.fit(votes)
    finally:
        _em.diagonal_pseudo_counts, _dependencies.PairTables.bic_gain = saved


def evaluate(name: str, votes, truth: pd.Series) -> dict:
    from labelwise.aggregate import DawidSkene, MajorityVote

    matrix = votes.matrix()
    covered = (matrix >= 0).any(axis=1)
    g = truth.reindex(votes.items).to_numpy()
    scored = covered & pd.notna(g)

    def acc(labels) -> float:
        return float(np.mean(np.asarray(labels)[scored] == g[scored]))

    row: dict = {"set": name, "n": int(votes.n_items), "m": votes.n_labelers}
    for variant in VARIANTS:
        model = _fit(votes, variant)
        row[variant] = acc(model.labels_.to_numpy())
        if variant != "independent":
            row[f"cl_{variant}"] = sum(len(c) > 1 for c in model.groups_)
    row["abstains"] = model.abstains_
    answers = votes.to_annotations()
    row["majority"] = acc(MajorityVote().fit(answers).labels_.reindex(votes.items).to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row["dawid_skene"] = acc(DawidSkene().fit(answers).labels_.reindex(votes.items).to_numpy())
    return row


def main() -> None:
    pd.set_option("display.width", 220)
    rows = []
    for name, votes, truth in dev_sets():
        rows.append(evaluate(name, votes, truth))
        print(pd.DataFrame([rows[-1]]).round(4).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    crowds = frame[frame["abstains"] == "missing"]
    lfs = frame[frame["abstains"] != "missing"]
    for label, part in (("all sets", frame), ("missing abstains (crowds)", crowds), ("informative (LF sets)", lfs)):
        print(f"\n{label} ({len(part)}): mean accuracy, worst points below majority vote, sets >= Dawid-Skene")
        for col in VARIANTS:
            worst = float(((part["majority"] - part[col]) * 100).max()) if len(part) else float("nan")
            ge = int((part[col] >= part["dawid_skene"] - 1e-12).sum())
            print(f"{col:8s} mean {part[col].mean():.4f}  worst below MV {worst:+.2f}  >= DS {ge} of {len(part)}")


if __name__ == "__main__":
    main()
