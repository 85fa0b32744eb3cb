"""Graphs sent to a ``distributed`` client by Dawid-Skene's Dask fit, a source tree against another in one run.

``python benchmarks/bench_dask_round_trips.py [--before OLD/src] [--answers N] [--modes default,rings] [--processes]
[--tol T] [--max-iter M] [--rings R]``
runs this file as a script once per source tree (a fresh process each, ``labelwise`` imported from
that tree) on the pair-and-ring crowd of :mod:`_aggregate_dask` (about ``N`` answers; ``--rings R``: with
``R - 1`` more rings, each a heavy annotator copied into 3 more accounts, 10% of each copy's answers
redrawn, so the ring check has ``R`` candidate groups), with a local
``distributed.Client(processes=False)`` (one worker, two threads, in the process; ``--processes``: a
``LocalCluster`` of two single-threaded worker processes, as session 43's cluster run). Each process fits
each mode with ``labelwise.aggregate.distributed.fit`` on 8 partitions and counts the graphs the fit
sends (every ``compute``, ``persist`` and ``get`` goes through ``Client._graph_to_futures``, one call
per graph), with the fit's wall time and stage timings; it writes sha256 hashes of ``labels_``,
``probas_``, ``annotator_confusion_``, ``priors_``, ``loss_history_``, ``dependent_pairs_`` and
``dependent_rings_`` (the one-coin mode: ``skills_`` for the confusion matrices, no pairs). The parent prints both trees side by side and whether the hashes are equal.

Make a copy of an older tree with ``git archive <commit> src | tar -x -C /tmp/before``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
MODES = {
    "default": {},
    "triad off": {"dependency_triad": False},
    "rings": {"dependency_rings": True},
    "one-coin": {},  # OneCoinDawidSkene (no pair check)
}


def _digest(est) -> str:
    """sha256 of the fitted attributes the Dask fit sets (bit for bit)."""
    h = hashlib.sha256()
    model = est.annotator_confusion_ if hasattr(est, "annotator_confusion_") else est.skills_
    for arr in (est.labels_.to_numpy(), est.probas_.to_numpy(), model, est.priors_.to_numpy()):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(np.asarray(est.loss_history_, dtype=np.float64).tobytes())
    if hasattr(est, "dependent_pairs_"):
        h.update(est.dependent_pairs_.to_csv().encode())
        h.update(repr(est.dependent_rings_).encode())
    return h.hexdigest()


def more_rings(answers, n: int):
    """``answers`` with ``n`` more rings: the 4th, 5th, ... heaviest of the crowd's own annotators (not
    its copies) each copied into 3 more accounts, each copy's answers redrawn with probability 0.1 (as
    the crowd's own ring)."""
    import pandas as pd

    heavy = [a for a in answers["annotator"].value_counts().index if "_" not in a]
    rng = np.random.default_rng(47)
    copies = []
    for r in range(n):
        own = answers[answers["annotator"] == heavy[3 + r]]
        for c in range(1, 4):
            labels = own["label"].to_numpy().copy()
            redraw = rng.random(len(labels)) < 0.1
            labels[redraw] = rng.integers(0, 3, int(redraw.sum()))
            copies.append(own.assign(annotator=f"{heavy[3 + r]}_ring{c}", label=labels))
    return pd.concat([answers, *copies], ignore_index=True)


def worker(out: Path, n_answers: int, modes: list[str], processes: bool, em: dict, rings: int = 1) -> None:
    """Fit every mode on Dask with the ``labelwise`` on ``sys.path``; write ``trips.json``."""
    import dask.dataframe as dd
    from distributed import Client

    sys.path.insert(0, str(HERE))
    from _aggregate_dask import simulate

    from labelwise.aggregate import DawidSkene, OneCoinDawidSkene, distributed

    answers = more_rings(simulate(n_answers), rings - 1)
    ddf = dd.from_pandas(answers, npartitions=8)
    res: dict = {"n_answers": len(answers)}
    graphs = [0]
    workers = {"n_workers": 2, "threads_per_worker": 1} if processes else {"n_workers": 1, "threads_per_worker": 2}
    with Client(processes=processes, dashboard_address=":0", **workers) as client:
        send = type(client)._graph_to_futures

        def counted(self, *args, **kwargs):
            graphs[0] += 1
            return send(self, *args, **kwargs)

        type(client)._graph_to_futures = counted
        for name in modes:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                timings: dict = {}
                graphs[0] = 0
                t0 = time.perf_counter()
                method = OneCoinDawidSkene if name == "one-coin" else DawidSkene
                got = distributed.fit(method(**MODES[name], **em), ddf, npartitions=8, timings=timings)
                wall = time.perf_counter() - t0
            res[name] = {
                "graphs": graphs[0],
                "wall": wall,
                "stages": {k: round(v, 2) for k, v in timings.items()},
                "n_iter": got.n_iter_,
                "pairs": len(getattr(got, "dependent_pairs_", ())),
                "rings": len(getattr(got, "dependent_rings_", ())),
                "sha256": _digest(got),
            }
            (out / "trips.json").write_text(json.dumps(res))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="another tree's src (e.g. main's, from git archive)")
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--modes", default="default,triad off,rings,one-coin")
    parser.add_argument("--processes", action="store_true", help="two worker processes (default: in this process)")
    parser.add_argument("--tol", type=float, help="EM's tol (default: the estimator's; 0 runs max_iter iterations)")
    parser.add_argument("--max-iter", type=int, help="EM's max_iter (default: the estimator's)")
    parser.add_argument("--rings", type=int, default=1, help="candidate rings of the crowd (default 1: its own)")
    args = parser.parse_args()
    modes = args.modes.split(",")
    trees = ([("before", Path(args.before).resolve())] if args.before else []) + [("after", HERE.parent / "src")]
    print(
        f"== Dawid-Skene on Dask, distributed.Client(processes={args.processes}), about {args.answers:,} answers, "
        f"tol={args.tol}, max_iter={args.max_iter} (None: the estimator's), {args.rings} ring(s)"
    )
    res = {}
    with tempfile.TemporaryDirectory(prefix="lw_trips_") as tmp:
        for side, src in trees:
            out = Path(tmp) / side
            out.mkdir()
            load = os.getloadavg()[0]
            env = dict(os.environ, PYTHONPATH=str(src))
            em = {k: v for k, v in (("tol", args.tol), ("max_iter", args.max_iter)) if v is not None}
            cmd = [sys.executable, __file__, "--worker", str(src), str(out), str(args.answers), ",".join(modes)]
            cmd += [json.dumps(em), "processes" if args.processes else "threads", str(args.rings)]
            subprocess.run(cmd, check=True, env=env)
            res[side] = json.loads((out / "trips.json").read_text())
            print(f"  {side}: {src} (load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)")
    print(f"  {res['after']['n_answers']:,} answers")
    for name in modes:
        for side, _ in trees:
            r = res[side][name]
            print(
                f"  {name:<10} {side:<7} {r['graphs']:4d} graphs, {r['wall']:7.2f} s wall; EM {r['n_iter']} iterations, "
                f"pairs {r['pairs']}, "
                f"rings {r['rings']}; {r['stages']}"
            )
        if args.before:
            same = res["before"][name]["sha256"] == res["after"][name]["sha256"]
            print(f"  {name:<10} the same fitted attributes bit for bit: {same}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        sys.path.insert(0, sys.argv[2])
        worker(
            Path(sys.argv[3]),
            int(sys.argv[4]),
            sys.argv[5].split(","),
            sys.argv[7] == "processes",
            json.loads(sys.argv[6]),
            int(sys.argv[8]),
        )
    else:
        main()
