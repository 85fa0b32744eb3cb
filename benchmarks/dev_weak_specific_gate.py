"""Dev runs: a clique gate that also admits a *specific* dependent pair of crowd workers (issue 15,
session 7), simulated only.

Session 6 made a pair join a clique of ``weak.LabelModel`` only if the two also *vote on the same
items* more than coverages independent given the class predict (``covote_z``): copies of a rule
fire together, crowd workers lured together on hard items do not. That also shuts out a pair of
crowd workers who make the same mistakes (a real dependency that a joint table models), since who
answers is assignment. Variant ``either``: the pair passes the gate if it co-votes, *or* if its
agreement z-score exceeds the median z of all pairs sharing ``min_shared`` items (floored at 0) by
the same ``dependency_threshold`` (a lure shared by the whole crowd raises every pair; a dependent
pair stands out), the BIC test applying as before. ``bic_only`` (no gate, the search before
session 6) is shown for reference.

Sets: the 54 of ``dev_weak_dense_crowds.py --covote`` (dense crowds, the crowds and LF sets of
``dev_weak_clique_prior.py``) and the 15 pair crowds of ``dev_aggregate_pair_crowds.py`` (seeds 0-2).
Rule, fixed before the run: ``either`` replaces the gate only if its mean accuracy over all 69 sets
is not lower, its worst shortfall below majority vote is not larger, and no set loses more than 0.5
point against the default (session 6's rule for its pair-specific variant). Usage::

    python benchmarks/dev_weak_specific_gate.py
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from dev_aggregate_pair_crowds import PAIR, pair_crowd
from dev_weak_dense_crowds import dev_sets

from labelwise.aggregate import MajorityVote
from labelwise.weak import LabelModel, _dependencies, as_votes
from labelwise.weak._dependencies import PairTables

_STATE: dict = {}
# the clique search calls agreement_excess in weak._dependencies (it left label_model): patched there
_ORIGINAL = {"excess": _dependencies.agreement_excess, "covote": PairTables.covote_z}


def _capturing_excess(*args):
    z, shared = _ORIGINAL["excess"](*args)
    iu = np.triu_indices(z.shape[0], 1)
    enough = shared[iu] >= 20
    _STATE["z"] = z
    _STATE["baseline"] = max(0.0, float(np.median(z[iu][enough]))) if enough.any() else 0.0
    return z, shared


def _either(self, a, b):
    z = _STATE["z"]
    if z[a, b] - _STATE["baseline"] > 5.0:
        return np.inf
    return _ORIGINAL["covote"](self, a, b)


def fit(votes, variant: str):
    _dependencies.agreement_excess = _capturing_excess if variant == "either" else _ORIGINAL["excess"]
    PairTables.covote_z = {"either": _either, "bic_only": lambda self, a, b: np.inf}.get(variant, _ORIGINAL["covote"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return LabelModel().fit(votes)
    finally:
        _dependencies.agreement_excess = _ORIGINAL["excess"]
        PairTables.covote_z = _ORIGINAL["covote"]


def main() -> None:
    sets = dev_sets([0, 1], False, lf_sets=True)
    for seed in (0, 1, 2):
        for cfg in PAIR:
            answers, truth = pair_crowd(*cfg, seed=seed)
            sets.append(
                (
                    f"pair_K{cfg[1]}_lure{cfg[7]}_b{cfg[4]}_s{seed}",
                    as_votes(answers.rename(columns={"annotator": "labeler"})),
                    truth,
                )
            )
    rows = []
    for name, votes, truth in sets:
        g = truth.reindex(votes.items).to_numpy()
        scored = (votes.matrix() >= 0).any(axis=1) & pd.notna(g)
        row: dict = {"set": name}
        for variant in ("default", "either", "bic_only"):
            model = fit(votes, variant)
            row[variant] = float(np.mean(model.labels_.to_numpy()[scored] == g[scored]))
            row[f"cl_{variant}"] = sum(len(c) > 1 for c in model.groups_)
        mv = MajorityVote().fit(votes.to_annotations()).labels_.reindex(votes.items).to_numpy()
        row["majority"] = float(np.mean(mv[scored] == g[scored]))
        rows.append(row)
        print(pd.DataFrame([row]).round(4).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    for label, part in (
        ("pair crowds", frame[frame.set.str.startswith("pair")]),
        ("the 54 sets", frame[~frame.set.str.startswith("pair")]),
        ("all", frame),
    ):
        print(f"\n{label} ({len(part)}): mean / worst points vs majority vote / largest loss vs default")
        for col in ("default", "either", "bic_only"):
            worst = float(((part[col] - part["majority"]) * 100).min())
            loss = float(((part["default"] - part[col]) * 100).max())
            print(f"{col:9s} {part[col].mean():.4f} / {worst:+.2f} / {loss:+.2f}")
    d, e = frame["default"], frame["either"]
    ok = e.mean() >= d.mean() and (e - frame.majority).min() >= (d - frame.majority).min() and (d - e).max() <= 0.005
    print("rule:", "either replaces the gate" if ok else "the gate stays")


if __name__ == "__main__":
    main()
