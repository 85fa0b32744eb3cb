"""Dev A/B for issue 12's 10M-answer Dawid-Skene: EM's E-step by row blocks against the whole-array steps.

On the seed-1 crowd of ``dev_majority_steps.py`` (10M answers, 1M items, 10,000 annotators, K=5;
never the benchmark's seed 0), one ``DawidSkene().fit`` captures EM's inputs (the count matrices,
the start, the prior's pseudo-counts); then, in the same process and alternating, EM runs
``--repeat`` times per variant:

- ``whole``: every E-step on whole arrays and every M-step taking its own ``M.T @ T`` (main's EM);
- ``block=B``: the E-step by row blocks of ``B`` items with the next M-step's product
  (``_em_pass.posterior_and_counts``), for each ``B`` of ``--blocks``;

printing wall, user and system seconds and minor faults of each run, and checking that every
variant's posterior equals the first bit for bit. ``--guard`` times the guard (``relabelled_classes``)
the same way against its whole-array form.

Usage: ``PYTHONPATH=src python benchmarks/dev_ds_em.py [--repeat 5] [--blocks 4096 16384 65536] [--guard]``
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
import warnings

import numpy as np
from dev_majority_steps import _usage, simulate


def _capture(answers):  # type: ignore[no-untyped-def]
    from labelwise.aggregate import DawidSkene, dawid_skene

    captured: dict = {}
    original = dawid_skene.DawidSkene._run_em

    def grab(self, obs, post, pseudo, n, **kwargs):  # type: ignore[no-untyped-def]
        captured.update(obs=obs, post=post.copy(), pseudo=pseudo, n=n)
        return original(self, obs, post, pseudo, n, **kwargs)

    dawid_skene.DawidSkene._run_em = grab  # type: ignore[method-assign]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = DawidSkene().fit(answers)
    dawid_skene.DawidSkene._run_em = original  # type: ignore[method-assign]
    return captured, est


def _variants(blocks: list[int]) -> dict:  # type: ignore[type-arg]
    from labelwise.aggregate import _em_pass, dawid_skene

    real_e_step = dawid_skene.DawidSkene.__dict__["_e_step"].__func__
    real_pass = _em_pass.posterior_and_counts

    def whole_e_step(*args, keep_counts=False, **kwargs):  # type: ignore[no-untyped-def]
        return real_e_step(*args, **kwargs)  # main's E-step; the M-step then takes its own product

    out = {"whole": (whole_e_step, real_pass)}
    for b in blocks:
        out[f"block={b}"] = (real_e_step, functools.partial(real_pass, block_rows=b))
    return out


def em_ab(answers, repeat: int, blocks: list[int]) -> None:  # type: ignore[no-untyped-def]
    from labelwise.aggregate import DawidSkene, dawid_skene

    cap, _ = _capture(answers)
    variants = _variants(blocks)
    rows: dict[str, list[tuple[float, float, float, int]]] = {name: [] for name in variants}
    first = None
    for _ in range(repeat):
        for name, (e_step, em_pass) in variants.items():
            dawid_skene.DawidSkene._e_step = staticmethod(e_step)  # type: ignore[method-assign,assignment]
            dawid_skene.posterior_and_counts = em_pass  # type: ignore[assignment]
            est = DawidSkene()
            est.loss_history_ = []
            u, s, f = _usage()
            t = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                post = est._run_em(cap["obs"], cap["post"], cap["pseudo"], cap["n"])
            u2, s2, f2 = _usage()
            rows[name].append((time.perf_counter() - t, u2 - u, s2 - s, f2 - f))
            if first is None:
                first = post.copy()
            elif not np.array_equal(post, first):
                raise AssertionError(f"{name}: another posterior")
            print(f"{name:<12} wall {rows[name][-1][0]:.3f} user {u2 - u:.3f} sys {s2 - s:.3f} minflt {f2 - f}")
            del post
    for name, got in rows.items():
        print(
            f"{name:<12} median wall {statistics.median(r[0] for r in got):.3f} user "
            f"{statistics.median(r[1] for r in got):.3f} (min {min(r[1] for r in got):.3f}) sys "
            f"{statistics.median(r[2] for r in got):.3f}  EM iterations {len(est.loss_history_)}"
        )


def guard_ab(answers, repeat: int) -> None:  # type: ignore[no-untyped-def]
    from labelwise.aggregate._guard import relabelled_classes

    _, est = _capture(answers)
    post = est.probas_.to_numpy()
    reference = np.random.default_rng(0).integers(0, 4, post.shape).astype(np.float64)

    def whole(reference, post):  # type: ignore[no-untyped-def]  # the guard before row blocks
        k = reference.shape[1]
        level = reference.max(axis=1) - 1e-12
        n_top = np.zeros(len(reference), dtype=np.intp)
        for j in range(k):
            n_top += reference[:, j] >= level
        strict = n_top == 1
        w = np.ones(len(reference))
        return np.bincount(
            reference.argmax(axis=1)[strict] * k + post.argmax(axis=1)[strict], weights=w[strict], minlength=k * k
        )

    for _ in range(repeat):
        for name, fn in (("whole", whole), ("blocks", relabelled_classes)):
            u, s, f = _usage()
            t = time.perf_counter()
            fn(reference, post)
            u2, s2, f2 = _usage()
            print(
                f"guard {name:<7} wall {time.perf_counter() - t:.3f} user {u2 - u:.3f} sys {s2 - s:.3f} minflt {f2 - f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--blocks", type=int, nargs="*", default=[4096, 16384, 65536])
    parser.add_argument("--guard", action="store_true", help="time the guard instead of EM")
    args = parser.parse_args()
    answers = simulate(args.seed)
    if args.guard:
        guard_ab(answers, args.repeat)
    else:
        em_ab(answers, args.repeat, args.blocks)


if __name__ == "__main__":
    main()
