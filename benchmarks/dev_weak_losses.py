"""Dev diagnosis: on which kind of set does ``weak.LabelModel`` trail its peers? (issue 15, part 2, session 11).

On the dev sets only (never the benchmark's 19): session 6's 54 (the 40 of
``dev_weak_clique_prior.py``, the 14 dense crowds of ``dev_weak_dense_crowds.py``), the 27 pair crowds
of ``dev_aggregate_pair_crowds.py`` and the 12 look-alike crowds of ``dev_aggregate_eb_prior.py``
(dev seeds, as ``dev_weak_pair_check.sets`` makes them). Per set: the structure a user sees without
gold (items, labelers, classes, votes per item, votes per labeler, the vote shares' spread), and the
accuracy of labelwise's ``LabelModel()``, majority vote, crowd-kit's ``DawidSkene`` and Snorkel's
``LabelModel`` (its own venv, as ``bench_weak.py`` runs it), and the items whose posterior has an
exact tie (within 1e-12) between its top classes. Nothing is chosen here; it says which kind of set
a change should aim at::

    python benchmarks/dev_weak_losses.py [--no-snorkel] [--families clique dense pair lookalike]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from bench_weak import SNORKEL_PYTHON, run_snorkel  # noqa: E402
from dev_weak_pair_check import sets  # noqa: E402

from labelwise.aggregate import MajorityVote  # noqa: E402
from labelwise.weak import LabelModel  # noqa: E402


def structure(votes) -> dict:
    """What a user sees without gold."""
    matrix = votes.matrix()
    voted = matrix >= 0
    per_item = voted.sum(axis=1)
    per_labeler = voted.sum(axis=0)
    k = len(votes.classes)
    shares = np.bincount(matrix[voted], minlength=k) / max(int(voted.sum()), 1)
    return {
        "items": matrix.shape[0],
        "labelers": matrix.shape[1],
        "K": k,
        "per_item": float(per_item[per_item > 0].mean()),
        "per_labeler_med": float(np.median(per_labeler)),
        "share_max": float(shares.max()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-snorkel", action="store_true")
    ap.add_argument("--families", nargs="*", default=["clique", "dense", "pair", "lookalike"])
    ap.add_argument("--out", default=None, help="CSV of the per-set table")
    args = ap.parse_args()
    pd.set_option("display.width", 250)
    import crowdkit.aggregation as ca

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for family, name, votes, truth in sets(args.families):
            row: dict = {"family": family, "set": name, **structure(votes)}
            matrix = votes.matrix()
            g = truth.reindex(votes.items).to_numpy()
            scored = (matrix >= 0).any(axis=1) & pd.notna(g)

            def acc(labels, scored=scored, g=g) -> float:
                return 100 * float(np.mean(np.asarray(labels)[scored] == g[scored]))

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = LabelModel().fit(votes)
            post = model.probas_.to_numpy()
            top = np.sort(post, axis=1)
            row["ties"] = int(np.sum((top[:, -1] - top[:, -2] <= 1e-12) & scored))
            row["abstains"] = model.abstains_
            row["lw"] = acc(model.labels_.to_numpy())
            long = votes.to_annotations()
            row["mv"] = acc(MajorityVote().fit(long).labels_.reindex(votes.items).to_numpy())
            ds = ca.DawidSkene(n_iter=100).fit_predict(long.rename(columns={"item": "task", "annotator": "worker"}))
            row["ck_ds"] = acc(ds.reindex(votes.items).to_numpy())
            if not args.no_snorkel:
                path = Path(tmp) / "L.npz"
                np.savez(path, L=matrix, k=len(votes.classes))
                res = run_snorkel(SNORKEL_PYTHON, "label_model", path, 300)
                row["snorkel"] = np.nan if "error" in res else acc(np.asarray(votes.classes)[np.asarray(res["pred"])])
            rows.append(row)
            print(pd.DataFrame([row]).round(3).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    peers = ["ck_ds"] + ([] if args.no_snorkel else ["snorkel"])
    frame["best_peer"] = frame[peers].max(axis=1)
    frame["gap"] = frame.lw - frame.best_peer
    if args.out:
        frame.to_csv(args.out, index=False)
    print("\nsets where labelwise trails the better peer (gap, points):")
    print(frame[frame.gap < 0].round(3).to_string(index=False))
    print("\nper family: sets / trailing / mean gap / exact-tie items")
    for fam, part in frame.groupby("family", sort=False):
        print(f"{fam:10s} {len(part):3d} {int((part.gap < 0).sum()):3d} {part.gap.mean():+.3f} {int(part.ties.sum())}")


if __name__ == "__main__":
    main()
