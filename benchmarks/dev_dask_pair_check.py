"""Dev runs (issue 12, session 9): the Dask Dawid-Skene fit with the dependent-pair check against the in-memory fit.

Simulated crowds only: the crowds of ``dev_aggregate_pair_check.py`` (families ``pair``, ``dense``,
``lookalike``, ``auto``) and, with ``--large``, crowds of more than 50,000 items (where the pair
screen runs on a sample of items): ``simulate_sparse_crowd`` crowds as in the session-8 cost
runs, one of them with a copied heavy account. For each crowd it fits ``DawidSkene()`` in memory
and with ``labelwise.aggregate.distributed.fit`` on a Dask DataFrame split into each of
``--partitions`` (synchronous scheduler), and prints whether the labels, fallbacks and flagged
pairs are the same, and the largest differences of the posteriors and of the pairs' ``z``.

``--crowd NAME ...`` instead fits the named real crowd sets of ``--crowd-dir`` (default
``$LABELWISE_CROWD_DATA`` or ``../shared/data/crowd``) in memory and on a ``LocalCluster`` of two
single-threaded worker processes (4 partitions): an equality check of the two paths, nothing
chosen on it.

``--dump FILE`` (in-memory fits only) pickles each crowd's in-memory posteriors and pairs, and
``--compare FILE`` compares this tree's in-memory fits with such a dump (made by a copy of this
script run in another tree: the in-memory default before a change)::

    python benchmarks/dev_dask_pair_check.py [--seeds 0 1 2] [--families pair dense] [--large]
        [--partitions 1 3 7] [--dump FILE | --compare FILE]
    python benchmarks/dev_dask_pair_check.py --crowd ZenCrowd_us [--crowd-dir DIR]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import pickle
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from dev_aggregate_auto_glad import crowds

from labelwise.aggregate import DawidSkene


def large_crowds(seed: int):
    """Crowds of more than 50,000 items: the pair screen runs on a sample of 50,000 items."""
    from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd

    plain = simulate_sparse_crowd(200_000, 2, 200, answers_per_item=5, random_state=seed).answers
    yield "sparse-200k-x5", plain
    wide = simulate_sparse_crowd(100_000, 5, 2_000, answers_per_item=10, random_state=seed).answers
    yield "sparse-100k-x10", wide
    heavy = plain[plain.annotator == plain.annotator.value_counts().index[0]]
    # an id of the same type: mixed int/str ids are ordered differently in memory (first seen) and on Dask (sorted str)
    copied = pd.concat([plain, heavy.assign(annotator=int(plain.annotator.max()) + 1)], ignore_index=True)
    yield "sparse-200k-x5+copy", copied


def pairs_of(est: DawidSkene) -> pd.DataFrame:
    return est.dependent_pairs_.reset_index(drop=True).astype({"annotator_a": str, "annotator_b": str})


def fit_memory(answers: pd.DataFrame) -> DawidSkene:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return DawidSkene().fit(answers)


def fit_dask(answers: pd.DataFrame, n: int) -> DawidSkene:
    import dask
    import dask.dataframe as dd

    from labelwise.aggregate import distributed

    with dask.config.set(scheduler="sync"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return distributed.fit(DawidSkene(), dd.from_pandas(answers, npartitions=n), npartitions=n)


def compare(ref: dict, got: DawidSkene) -> dict:
    """Equality of labels, fallback and pairs; largest posterior and z differences."""
    post = got.probas_.to_numpy()
    same_pairs = pairs_of(got)[["annotator_a", "annotator_b"]].equals(ref["pairs"][["annotator_a", "annotator_b"]])
    dz = (
        float(np.abs(pairs_of(got).z.to_numpy() - ref["pairs"].z.to_numpy()).max())
        if same_pairs and len(ref["pairs"])
        else 0.0
    )
    return {
        "labels": bool((got.labels_.astype(str).to_numpy() == ref["labels"]).all()),
        "fallback": got.fallback_ == ref["fallback"],
        "pairs": same_pairs,
        "n_pairs": len(ref["pairs"]),
        "d_post": float(np.abs(post - ref["post"]).max()),
        "d_z": dz,
    }


def record(est: DawidSkene) -> dict:
    return {
        "labels": est.labels_.astype(str).to_numpy(),
        "post": est.probas_.to_numpy(),
        "pairs": pairs_of(est),
        "fallback": est.fallback_,
    }


def real_crowds(names: list[str], folder: Path) -> None:
    """In memory and on a LocalCluster: the same labels, posteriors and pairs on real crowd sets."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from labelwise.aggregate import distributed

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster):
        for name in names:
            answers = pd.read_csv(folder / name / "annotations.csv", dtype=str)
            t0 = time.perf_counter()
            ref = record(fit_memory(answers))
            t_mem = time.perf_counter() - t0
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est = distributed.fit(DawidSkene(), dd.from_pandas(answers, npartitions=4))
            t_dask = time.perf_counter() - t0
            row = {"set": name, "t_memory": round(t_mem, 3), "t_cluster": round(t_dask, 2), **compare(ref, est)}
            print(pd.DataFrame([row]).to_string(index=False), flush=True)
            print(pairs_of(est).to_string(index=False), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--families", nargs="*", default=["pair", "dense", "lookalike", "auto"])
    ap.add_argument("--large", action="store_true", help="also crowds of more than 50,000 items")
    ap.add_argument("--partitions", type=int, nargs="*", default=[1, 3, 7])
    ap.add_argument("--dump", help="pickle the in-memory fits here (no Dask)")
    ap.add_argument("--compare", help="compare the in-memory fits with this dump")
    ap.add_argument("--crowd", nargs="*", help="real crowd sets: in memory against a LocalCluster")
    ap.add_argument("--crowd-dir", default=os.environ.get("LABELWISE_CROWD_DATA", "../shared/data/crowd"))
    args = ap.parse_args()
    if args.crowd:
        real_crowds(args.crowd, Path(args.crowd_dir))
        return
    dumped: dict = {}
    before = pickle.loads(Path(args.compare).read_bytes()) if args.compare else None
    rows = []
    for seed in args.seeds:
        named = [(f, name, a) for f in args.families for name, a, _ in crowds(f, seed)]
        named += [("large", name, a) for name, a in large_crowds(seed)] if args.large else []
        for i, (family, name, answers) in enumerate(named):
            key = f"{family}/{i}/{name}/{seed}"  # names repeat within a family
            t0 = time.perf_counter()
            ref = record(fit_memory(answers))
            t_mem = time.perf_counter() - t0
            if args.dump:
                dumped[key] = ref
                print(key, f"{t_mem:.2f}s", len(ref["pairs"]), "pairs", flush=True)
                continue
            if before is not None:
                got = before[key]
                rows.append({"crowd": key, "vs": "before", "t": t_mem, **compare(got, _as_est(ref))})
            for n in args.partitions:
                t0 = time.perf_counter()
                est = fit_dask(answers, n)
                rows.append({"crowd": key, "vs": f"dask/{n}", "t": time.perf_counter() - t0, **compare(ref, est)})
            print(pd.DataFrame(rows[-len(args.partitions) - (before is not None) :]).to_string(index=False), flush=True)
    if args.dump:
        Path(args.dump).write_bytes(pickle.dumps(dumped))
        return
    frame = pd.DataFrame(rows)
    print("\nsummary per comparison: all labels / fallbacks / pairs equal; largest posterior and z differences")
    for vs, part in frame.groupby("vs"):
        print(
            f"{vs}: {len(part)} fits, labels {part['labels'].all()}, fallback {part['fallback'].all()}, "
            f"pairs {part['pairs'].all()} ({int((part.n_pairs > 0).sum())} crowds with pairs), "
            f"max |d post| {part.d_post.max():.2e}, max |d z| {part.d_z.max():.2e}"
        )


class _as_est:
    """A recorded fit read as ``compare``'s ``got``."""

    def __init__(self, rec: dict):
        self.labels_ = pd.Series(rec["labels"])
        self.probas_ = pd.DataFrame(rec["post"])
        self.fallback_ = rec["fallback"]
        self.dependent_pairs_ = rec["pairs"]


if __name__ == "__main__":
    main()
