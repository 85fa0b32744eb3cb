"""Dev measurements for issue 12's 10M-answer majority vote: where ``MajorityVote().fit`` spends its time.

The crowd has the structure of ``_aggregate_large.simulate`` (10M answers on 1M items by 10,000
annotators, K=5, 70% accuracy) with a dev seed (default 1, never the benchmark's 0). Modes:

- ``steps``: wall, user and system seconds and minor faults of each step of the fit (the three
  id encodings, the sorted keys, the duplicate count, the vote shares, the tie-broken argmax, the
  annotators' agreement, the results), for ``--repeat`` fits in one process.
- ``allocations``: every step that grew the traced memory by more than ``--min-mb`` MB (numpy's
  allocations are traced by ``tracemalloc``), on the second fit of the process: the fresh arrays
  whose pages the kernel must clear (the system time of the fit); ``--method dawid-skene`` traces
  ``DawidSkene().fit`` instead.
- ``sequence``: in one process, as ``bench_aggregate.py --large`` runs them: the encoding, then
  majority vote, Dawid-Skene and one-coin fits; wall, CPU and system seconds and minor faults of each.
  ``--order`` runs the stages in another order (e.g. one-coin before Dawid-Skene).
- ``ds-steps``: as ``steps`` for ``DawidSkene().fit`` (the encoding, the answer patterns, the prior's
  agreement, the count matrices, the dependent-pair screen's shared items, EM, the guard, the
  results); ``--after-mv`` fits a majority vote first in the same process.

``PYTHONPATH`` at another ``src`` (``git archive`` of main) compares trees. Labels are written to
``--out`` (``.npy``) to check that two trees give the same.

Usage: ``PYTHONPATH=src python benchmarks/dev_majority_steps.py [steps|allocations|sequence|ds-steps] [--seed 1]``
"""

from __future__ import annotations

import argparse
import functools
import resource
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd


def simulate(seed: int, n_answers: int = 10_000_000, n_items: int = 1_000_000, n_annotators: int = 10_000, k: int = 5):
    """The answers (integer ids), as ``_aggregate_large.simulate`` with another seed."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    item = rng.integers(0, n_items, n_answers)
    ann = rng.integers(0, n_annotators, n_answers)
    right = rng.random(n_answers) < 0.7
    label = np.where(right, truth[item], (truth[item] + rng.integers(1, k, n_answers)) % k)
    return pd.DataFrame({"item": item, "annotator": ann, "label": label})


def _usage() -> tuple[float, float, int]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime, r.ru_minflt


def _timer(rows: list[tuple]):  # type: ignore[no-untyped-def]
    """A decorator factory appending (name, wall, user, sys, minor faults) of each call to ``rows``."""

    def timed(name, fn):  # type: ignore[no-untyped-def]
        @functools.wraps(fn)
        def inner(*args, **kwargs):  # type: ignore[no-untyped-def]
            u, s, f = _usage()
            t = time.perf_counter()
            out = fn(*args, **kwargs)
            u2, s2, f2 = _usage()
            rows.append((name, time.perf_counter() - t, u2 - u, s2 - s, f2 - f))
            return out

        return inner

    return timed


def steps(answers: pd.DataFrame, repeat: int) -> np.ndarray:
    from labelwise.aggregate import MajorityVote, _answers, _base, majority

    rows: list[tuple] = []
    timed = _timer(rows)

    for mod, name in [
        (_answers, "_factorize"),
        (_answers, "sorted_pair_label_keys"),
        (_answers, "duplicate_pairs"),
        (majority, "weighted_vote_shares"),
        (majority, "agreement_skill"),
        (_base, "argmax_random_ties"),
    ]:
        setattr(mod, name, timed(name, getattr(mod, name)))
    for name in ("_encode", "_set_results"):
        setattr(_base.BaseAggregator, name, timed(name, getattr(_base.BaseAggregator, name)))
    for _ in range(repeat):
        rows.clear()
        u, s, f = _usage()
        t = time.perf_counter()
        est = MajorityVote().fit(answers)
        u2, s2, f2 = _usage()
        print(f"fit: wall {time.perf_counter() - t:.3f} user {u2 - u:.3f} sys {s2 - s:.3f} minflt {f2 - f}")
        for row in rows:
            print(f"  {row[0]:<28} wall {row[1]:.3f} user {row[2]:.3f} sys {row[3]:.3f} minflt {row[4]}")
    return np.asarray(est.label_codes_)


def ds_steps(answers: pd.DataFrame, repeat: int, after_mv: bool) -> np.ndarray:
    import warnings

    from labelwise.aggregate import DawidSkene, MajorityVote, _answers, _base, _dependent, dawid_skene

    rows: list[tuple] = []
    timed = _timer(rows)
    for mod, name in [
        (dawid_skene, "agreement_accuracy"),
        (dawid_skene, "weighted_vote_shares"),  # main before session 11
        (dawid_skene, "_vote_shares_in_place"),  # session 11 on
        (dawid_skene, "relabelled_classes"),  # main before session 12
        (dawid_skene, "strict_classes"),  # session 12 on: the guard in two parts
        (dawid_skene, "relabelled_given"),
        (dawid_skene, "_full_confusion"),
        (_dependent, "shared_pairs"),
        (_dependent, "find_dependent_pairs"),
    ]:
        if hasattr(mod, name):  # the trees compared name some steps differently
            setattr(mod, name, timed(name, getattr(mod, name)))
    build = dawid_skene._Observed.build.__func__  # type: ignore[attr-defined]
    dawid_skene._Observed.build = classmethod(timed("_Observed.build", build))  # type: ignore[method-assign]
    _answers.answer_patterns = timed("answer_patterns", _answers.answer_patterns)  # type: ignore[attr-defined]
    DawidSkene._run_em = timed("_run_em", DawidSkene._run_em)  # type: ignore[method-assign]
    for name in ("_encode", "_set_results"):
        setattr(_base.BaseAggregator, name, timed(name, getattr(_base.BaseAggregator, name)))
    if after_mv:
        MajorityVote().fit(answers)
    for _ in range(repeat):
        rows.clear()
        u, s, f = _usage()
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = DawidSkene().fit(answers)
        u2, s2, f2 = _usage()
        print(f"fit: wall {time.perf_counter() - t:.3f} user {u2 - u:.3f} sys {s2 - s:.3f} minflt {f2 - f}")
        for row in rows:
            print(f"  {row[0]:<28} wall {row[1]:.3f} user {row[2]:.3f} sys {row[3]:.3f} minflt {row[4]}")
    return np.asarray(est.label_codes_)


def allocations(answers: pd.DataFrame, min_mb: float, method: str = "majority-vote") -> np.ndarray:
    import warnings

    from labelwise.aggregate import DawidSkene, MajorityVote, OneCoinDawidSkene

    cls = {"majority-vote": MajorityVote, "dawid-skene": DawidSkene, "one-coin": OneCoinDawidSkene}[method]
    warnings.simplefilter("ignore")
    cls().fit(answers)  # the first fit grows the heap
    tracemalloc.start()
    state = {"base": 0}

    def profile(frame, event, arg):  # type: ignore[no-untyped-def]
        _, peak = tracemalloc.get_traced_memory()
        if peak - state["base"] > min_mb * 1e6:  # grown since the last event: by the call just made
            where = f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_lineno} {frame.f_code.co_name}"
            print(f"  +{(peak - state['base']) / 1e6:7.1f} MB before {event} {getattr(arg, '__name__', '')} at {where}")
        tracemalloc.reset_peak()
        state["base"] = tracemalloc.get_traced_memory()[0]

    sys.setprofile(profile)
    try:
        est = cls().fit(answers)
    finally:
        sys.setprofile(None)
        tracemalloc.stop()
    return np.asarray(est.label_codes_)


#: The stages of ``sequence``, in the benchmark's order.
STAGES = ("encode", "majority-vote", "dawid-skene", "one-coin")


def sequence(answers: pd.DataFrame, order: tuple[str, ...] = STAGES) -> np.ndarray:
    import warnings

    from labelwise.aggregate import DawidSkene, MajorityVote, OneCoinDawidSkene
    from labelwise.aggregate._answers import encode_answers

    stages = {
        "encode": lambda: encode_answers(answers),
        "majority-vote": lambda: MajorityVote().fit(answers),
        "dawid-skene": lambda: DawidSkene().fit(answers),
        "one-coin": lambda: OneCoinDawidSkene().fit(answers),
    }
    codes = np.empty(0)
    for name, fit in ((name, stages[name]) for name in order):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            u, s, f = _usage()
            t = time.perf_counter()
            out = fit()
            u2, s2, f2 = _usage()
        print(f"{name} {time.perf_counter() - t:.2f}/{u2 - u + s2 - s:.2f}({s2 - s:.2f}) minflt {f2 - f}", end="  ")
        if name == "majority-vote":
            codes = np.asarray(out.label_codes_)  # type: ignore[union-attr]
        del out
    print()
    return codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["steps", "allocations", "sequence", "ds-steps"], nargs="?", default="steps")
    parser.add_argument("--after-mv", action="store_true", help="ds-steps: a majority-vote fit first")
    parser.add_argument(
        "--method",
        choices=["majority-vote", "dawid-skene", "one-coin"],
        default="majority-vote",
        help="allocations: the fit traced",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--min-mb", type=float, default=20.0)
    parser.add_argument("--out", default=None, help="write the labels' codes here (.npy)")
    parser.add_argument(
        "--order",
        default=",".join(STAGES),
        help=f"sequence: the stages in this order, comma-separated (of {', '.join(STAGES)})",
    )
    args = parser.parse_args()
    answers = simulate(args.seed)
    if args.mode == "steps":
        codes = steps(answers, args.repeat)
    elif args.mode == "ds-steps":
        codes = ds_steps(answers, args.repeat, args.after_mv)
    elif args.mode == "allocations":
        codes = allocations(answers, args.min_mb, args.method)
    else:
        order = tuple(args.order.split(","))
        unknown = sorted(set(order) - set(STAGES))
        if unknown:
            parser.error(f"--order must name stages of {list(STAGES)}, got {unknown}")
        codes = sequence(answers, order)
    if args.out:
        np.save(args.out, codes)


if __name__ == "__main__":
    main()
