"""Does a change of the label model's code leave every result as it was? (speedfit51, session 51)

Fits the default ``weak.LabelModel()`` on the sets issue 15 judges the label model on and saves, per set, the
labels, ``probas_``, every other fitted attribute (the names ending in ``_`` that ``fit`` sets) and the warnings'
messages; ``--compare`` fits again and compares with a saved file, attribute by attribute: arrays and frames
bit for bit (``probas_`` also by its largest absolute difference), everything else by ``==``.

The sets: the 19 of ``bench_weak.py`` (first seed 1000), the 93 dev sets of ``_dev_weak_sets.rule_sets`` (seed
-1) and the shared-trigger sets of seeds 200-215 (K = 2 and 3) with ``LabelModel(one_class_rules=...)`` off
and on; with it on also ``bench_weak.py``'s 10 simulated sets. Run it once on the code before the change and once after, each with its own ``PYTHONPATH``:

    LABELWISE_CROWD_DATA=/work/shared/data/crowd PYTHONPATH=<before>/src python benchmarks/check_weak_fit_same.py \
        --save /tmp/before.pkl
    LABELWISE_CROWD_DATA=/work/shared/data/crowd PYTHONPATH=<after>/src python benchmarks/check_weak_fit_same.py \
        --compare /tmp/before.pkl
"""

from __future__ import annotations

import argparse
import pickle
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))


def bench_sets() -> Iterator[tuple[str, object]]:
    """The 19 ``bench_weak.py`` sets, their votes built as the benchmark builds them."""
    import bench_weak

    from labelwise.weak import as_votes

    for name, answers, _ in bench_weak.crowd_sets():
        yield f"bench/{name}", as_votes(answers.astype({"annotator": str}))
    for name, votes, _ in bench_weak.simulated_sets(1000):
        yield f"bench/{name}", votes


def dev_sets() -> Iterator[tuple[str, object]]:
    """The 93 dev sets (the rule's first block), as label matrices with their classes declared."""
    import _dev_weak_sets

    for seed, family, name, votes, _ in _dev_weak_sets.rule_sets():
        if seed != -1:
            break
        yield f"dev/{family}/{name}", votes


def trigger_sets() -> Iterator[tuple[str, np.ndarray]]:
    """The shared-trigger sets of seeds 200-215, K = 2 and 3."""
    import dev_weak_shared_triggers as triggers

    for seed in range(200, 216):
        for k in (2, 3):
            yield f"trigger/{seed}_K{k}", triggers.shared_trigger_set(seed, k)[0]


def fitted(votes: object, one_class_rules: bool = False) -> dict:
    """The default label model's fitted attributes on ``votes`` (``one_class_rules`` as given) and its warnings'
    messages."""
    from labelwise.weak import LabelModel

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = LabelModel(one_class_rules=one_class_rules).fit(votes)
    out = {k: v for k, v in vars(model).items() if k.endswith("_") and not k.startswith("_")}
    out["_warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    return out


def simulated_bench_sets() -> Iterator[tuple[str, object]]:
    """``bench_weak.py``'s 10 simulated sets (first seed 1000)."""
    import bench_weak

    for name, votes, _ in bench_weak.simulated_sets(1000):
        yield f"bench/{name}", votes


def run_all(one_class_rules: bool) -> dict[str, dict]:
    results = {}
    on = [trigger_sets(), simulated_bench_sets()]
    sources = [bench_sets(), dev_sets(), trigger_sets()] if not one_class_rules else on
    for source in sources:
        for name, votes in source:
            key = f"{name}/one_class_rules={one_class_rules}"
            results[key] = fitted(votes, one_class_rules)
            print(key, flush=True)
    return results


def same(a: object, b: object) -> bool:
    """Bit for bit: arrays by their bytes and dtype, frames and series by values, index and dtypes."""
    if isinstance(a, pd.DataFrame | pd.Series | pd.Index):
        kinds = [str(x.dtypes if isinstance(x, pd.DataFrame) else x.dtype) for x in (a, b)]
        return type(a) is type(b) and a.equals(b) and kinds[0] == kinds[1]
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.shape == b.shape
            and a.dtype == b.dtype
            and (a.tobytes() == b.tobytes() or (a.dtype == object and bool(np.all(a == b))))
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return bool(a == b)


def compare(before: dict[str, dict], after: dict[str, dict]) -> int:
    """Print each difference; return the number of sets with one."""
    bad = 0
    n_attrs = 0
    worst = 0.0
    for key, old in before.items():
        new = after.get(key)
        if new is None:
            print(f"MISSING {key}")
            bad += 1
            continue
        diffs = [a for a in sorted(set(old) | set(new)) if a not in old or a not in new or not same(old[a], new[a])]
        n_attrs += len(old)
        if "probas_" in old and "probas_" in new:
            worst = max(worst, float(np.abs(old["probas_"].to_numpy() - new["probas_"].to_numpy()).max(initial=0.0)))
        if diffs:
            bad += 1
            print(f"DIFFERS {key}: {', '.join(diffs)}")
    print(
        f"compared {len(before)} fits ({n_attrs} attributes and warning lists): {bad} differ; largest probas_ "
        f"difference {worst:.3g}"
    )
    return bad


def save_or_compare_parser(description: str) -> argparse.ArgumentParser:
    """The command line of a check like this one: ``--save PATH`` or ``--compare PATH`` (``dev_weak_fit_bits.py``)."""
    parser = argparse.ArgumentParser(description=description)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="fit every set and save the results here")
    group.add_argument("--compare", type=Path, help="fit every set and compare with the results saved here")
    return parser


def save_or_compare(results: dict[str, dict], save: Path | None, against: Path | None, keep: Any = None) -> None:
    """Save ``results`` to ``save``, or compare them with the results saved at ``against`` (those whose name
    ``keep`` accepts, all without it) and exit 1 when one differs."""
    if save:
        with open(save, "wb") as fh:
            pickle.dump(results, fh)
        print(f"saved {len(results)} fits to {save}")
        return
    with open(against, "rb") as fh:  # type: ignore[arg-type]
        before = pickle.load(fh)
    before = before if keep is None else {k: v for k, v in before.items() if keep(k)}
    raise SystemExit(1 if compare(before, results) else 0)


def main() -> None:
    args = save_or_compare_parser(__doc__.splitlines()[0]).parse_args()
    save_or_compare({**run_all(False), **run_all(True)}, args.save, args.compare)


if __name__ == "__main__":
    main()
