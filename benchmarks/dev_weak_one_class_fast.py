"""Issue 15, session 51 (fast51): is15t's one-class fit (``weak._one_class_fit``) made cheaper without changing its
answers, checked set by set on every set it was judged on, and its CPU measured on ``bench_weak.py``'s 19 sets.

No candidate and no judging rule: every change to ``src`` must leave, with the one-class fit switched on, the learned
pairs, the fitted groups and the labels identical and ``probas_`` within 1e-9 on all of these sets (the record is
written once with main's code, then compared):

* the shared-trigger sets of ``dev_weak_shared_triggers.shared_trigger_set`` (K = 2, 3): exploration seeds 200-215 and
  280-295, and is15t's judging seeds 456-487 (part (a));
* ``_dev_weak_sets.rule_sets()``: the 93 dev sets and the stress sets of seeds 33-36 and 137-140 (part (b));
* ``bench_weak.py``'s 19 sets (part (c); ``LABELWISE_CROWD_DATA``) and its ``--dev`` sets (seeds 100-109).

Run (``PYTHONPATH=<worktree>/src OMP_NUM_THREADS=1``, from ``benchmarks``)::

    python dev_weak_one_class_fast.py --record /tmp/fast51/main.pkl            # with main's src
    python dev_weak_one_class_fast.py --record /tmp/fast51/new.pkl --against /tmp/fast51/main.pkl
    python dev_weak_one_class_fast.py --record /tmp/fast51/main_off.pkl --switch off          # and with the switch off
    python dev_weak_one_class_fast.py --cpu on|off [--cold]                     # the 19 sets' fit CPU
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from labelwise.weak import LabelModel, _structure_learning  # noqa: E402
from labelwise.weak import _one_class_fit as one_class_fit  # noqa: E402

CALLS: list[Any] = []  # the learned pairs of each fit (None: the learner did not run)


def _recording(original: Any) -> Any:
    def learned_pairs(*args: Any, **kwargs: Any) -> Any:
        out = original(*args, **kwargs)
        CALLS.append(None if out is None else list(out))
        return out

    return learned_pairs


_structure_learning.learned_pairs = _recording(_structure_learning.learned_pairs)


def model(on: bool, **params: Any) -> LabelModel:
    """``LabelModel(**params)`` with the one-class fit switched ``on`` (the parameter where ``src`` has it, else
    main's module constant)."""
    if "one_class_rules" in LabelModel().get_params():
        return LabelModel(one_class_rules=on, **params)
    one_class_fit.ONE_CLASS_RULES = on
    return LabelModel(**params)


def judged_sets() -> Iterator[tuple[str, Any, dict]]:
    """``(name, votes, params)`` of every judged set."""
    import _dev_weak_sets
    import bench_weak
    import dev_weak_shared_triggers as triggers

    from labelwise.weak import as_votes

    for seed in [*range(200, 216), *range(280, 296), *range(456, 488)]:
        for k in (2, 3):
            yield f"trigger_{seed}_K{k}", triggers.shared_trigger_set(seed, k)[0], {}
    for seed, family, name, votes, _ in _dev_weak_sets.rule_sets():
        yield f"b_{seed}_{family}_{name}", votes.matrix(), {"labels": list(range(len(votes.classes)))}
    for name, answers, _ in bench_weak.crowd_sets():
        yield f"c_{name}", as_votes(answers.astype({"annotator": str})), {}
    for first in (1000, 100):
        for name, votes, _ in bench_weak.simulated_sets(first):
            yield f"c_{name}", as_votes(votes), {}


def fit_record(votes: Any, params: dict, on: bool = True) -> dict:
    """One fit with the switch ``on``: learned pairs, groups, labels and ``probas_``."""
    start = len(CALLS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model(on, **params).fit(votes)
    return {
        "learned": CALLS[start:],
        "groups": [tuple(g) for g in fitted.groups_],
        "labels": fitted.labels_.to_numpy(),
        "probas": fitted.probas_.to_numpy(dtype=float),
    }


def compare(old: dict, new: dict) -> bool:
    """Counts of the sets whose learned pairs, groups, labels and probas (1e-9) are the same in both records."""
    names = list(old)
    assert list(new) == names, "the records hold other sets"
    same = {"learned": 0, "groups": 0, "labels": 0, "probas": 0}
    worst = 0.0
    for name in names:
        a, b = old[name], new[name]
        same["learned"] += a["learned"] == b["learned"]
        same["groups"] += a["groups"] == b["groups"]
        same["labels"] += bool(np.array_equal(a["labels"], b["labels"]))
        diff = float(np.abs(a["probas"] - b["probas"]).max()) if a["probas"].size else 0.0
        worst = max(worst, diff)
        same["probas"] += diff <= 1e-9
        if not (a["learned"] == b["learned"] and a["groups"] == b["groups"] and diff <= 1e-9):
            print(f"DIFFERS {name}: learned {a['learned']} -> {b['learned']}, max |probas| diff {diff:.3g}")
    ran = sum(any(x is not None for x in old[n]["learned"]) for n in names)
    paired = sum(any(x for x in old[n]["learned"] if x) for n in names)
    print(f"{len(names)} sets ({ran} where the learner ran, {paired} with a learned pair): same " + str(same))
    print(f"largest |probas| difference {worst:.3g}")
    return all(v == len(names) for v in same.values())


def cpu_table(on: bool, cold: bool, sets: str | None) -> None:
    """``LabelModel().fit``'s CPU seconds on ``bench_weak.py``'s 19 sets with the switch ``on``: warm (median of
    3 after a warm-up fit, in this process) or ``cold`` (the first fit in a fresh process, per set)."""
    import bench_weak

    from labelwise.weak import as_votes

    data = [(n, as_votes(a.astype({"annotator": str}))) for n, a, _ in bench_weak.crowd_sets()]
    data += [(n, as_votes(v)) for n, v, _ in bench_weak.simulated_sets(1000)]
    for name, votes in data:
        if sets and name not in sets.split(","):
            continue
        if cold:
            cmd = [sys.executable, __file__, "--cold-one", name, "--cpu", "on" if on else "off"]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=os.environ).stdout
            print(out.strip().splitlines()[-1], flush=True)
            continue
        times = []
        for _ in range(4):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.process_time()
                model(on).fit(votes)
                times.append(time.process_time() - start)
        print(
            f"{name} warm {'on' if on else 'off'} {np.median(times[1:]):.4f} s (min {min(times[1:]):.4f})", flush=True
        )


def cold_one(name: str, on: bool) -> None:
    """The first ``LabelModel().fit`` of this process on the set ``name``: its CPU seconds (votes built first)."""
    import bench_weak

    from labelwise.weak import as_votes

    if name.startswith("sim"):
        votes = as_votes(dict((n, v) for n, v, _ in bench_weak.simulated_sets(1000))[name])
    else:
        answers = dict((n, a) for n, a, _ in bench_weak.crowd_sets())[name]
        votes = as_votes(answers.astype({"annotator": str}))
    fitted = model(on)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.process_time()
        fitted.fit(votes)
        cpu = time.process_time() - start
    print(f"{name} cold {'on' if on else 'off'} {cpu:.4f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--record", help="write every judged set's fit (switch on) to this pickle")
    parser.add_argument("--against", help="compare the record with this earlier one")
    parser.add_argument("--switch", choices=["on", "off"], default="on", help="with --record: the switch (default on)")
    parser.add_argument("--cpu", choices=["on", "off"], help="the 19 bench sets' fit CPU with the switch on / off")
    parser.add_argument("--cold", action="store_true", help="with --cpu: the first fit in a fresh process per set")
    parser.add_argument("--sets", help="with --cpu: comma-separated set names only")
    parser.add_argument("--cold-one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_one:
        cold_one(args.cold_one, args.cpu == "on")
    elif args.cpu:
        cpu_table(args.cpu == "on", args.cold, args.sets)
    elif args.record:
        start = time.process_time()
        on = args.switch == "on"
        record = {name: fit_record(votes, params, on) for name, votes, params in judged_sets()}
        print(f"{len(record)} sets fitted in {time.process_time() - start:.1f} s CPU")
        Path(args.record).parent.mkdir(parents=True, exist_ok=True)
        Path(args.record).write_bytes(pickle.dumps(record))
        if args.against:
            sys.exit(0 if compare(pickle.loads(Path(args.against).read_bytes()), record) else 1)
    else:
        parser.error("give --record PATH [--against PATH] or --cpu on|off")


if __name__ == "__main__":
    main()
