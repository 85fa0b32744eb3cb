"""Does a speed change leave the default label model's every answer as it was, to the bit? (fast54, session 54)

Fits the default ``weak.LabelModel()`` on 242 seen sets and saves, per set, every fitted attribute (the names
ending in ``_`` that ``fit`` sets), the private structure the model keeps for ``predict`` (``_groups``, ``_pairs``)
and the warnings' messages; ``--compare`` fits again and compares with a saved file as
``check_weak_fit_same.py`` does (arrays by their bytes and dtype, frames by values, index and dtypes, the rest by
``==``), and prints the largest ``probas_`` difference.

The sets (all seen before this session):

* ``bench_weak.py``'s 9 crowd sets and its 10 simulated sets at first seeds 1000, 6000, 6100, 6200, 6300 and 12500
  (69; the K = 3 and K = 5 informative fits this session profiles are among them);
* the 93 dev sets of ``_dev_weak_sets.rule_sets`` (seed -1);
* 40 shared-trigger sets (``dev_weak_shared_triggers.shared_trigger_set``, seeds 200-219, K = 2 and 3);
* 40 low-coverage sets (``dev_weak_low_coverage_peers.sparse_set``, seeds 5100-5139, lowcov51's exploration seeds).

Run it once on the code before the change and once after, each with its own ``PYTHONPATH`` (``--only`` takes a
comma-separated list of name prefixes, e.g. ``bench/sim125``):

    LABELWISE_CROWD_DATA=/work/shared/data/crowd PYTHONPATH=<before>/src python benchmarks/dev_weak_fit_bits.py \
        --save /tmp/before.pkl
    LABELWISE_CROWD_DATA=/work/shared/data/crowd PYTHONPATH=<after>/src python benchmarks/dev_weak_fit_bits.py \
        --compare /tmp/before.pkl
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_weak_fit_same import save_or_compare, save_or_compare_parser  # noqa: E402  (speedfit51's check)

BENCH_FIRST_SEEDS = (1000, 6000, 6100, 6200, 6300, 12500)
TRIGGER_SEEDS = range(200, 220)
LOW_COVERAGE_SEEDS = range(5100, 5140)


def all_sets() -> Iterator[tuple[str, object]]:
    """Every set's name and votes, in a fixed order."""
    import _dev_weak_sets
    import bench_weak
    import dev_weak_low_coverage_peers
    import dev_weak_shared_triggers

    from labelwise.weak import as_votes

    for name, answers, _ in bench_weak.crowd_sets():
        yield f"bench/{name}", as_votes(answers.astype({"annotator": str}))
    for first in BENCH_FIRST_SEEDS:
        for name, votes, _ in bench_weak.simulated_sets(first):
            yield f"bench/{name}", votes
    for seed, family, name, votes, _ in _dev_weak_sets.rule_sets():
        if seed != -1:
            break
        yield f"dev/{family}/{name}", votes
    for seed in TRIGGER_SEEDS:
        for k in (2, 3):
            yield f"trigger/{seed}_K{k}", dev_weak_shared_triggers.shared_trigger_set(seed, k)[0]
    for seed in LOW_COVERAGE_SEEDS:
        yield f"lowcov/{seed}", dev_weak_low_coverage_peers.sparse_set(seed)[1].votes


def fitted(votes: object) -> dict:
    """The default label model's fitted attributes on ``votes``, its ``_groups`` and ``_pairs``, and its warnings'
    messages."""
    from labelwise.weak import LabelModel

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = LabelModel().fit(votes)
    out = {k: v for k, v in vars(model).items() if k.endswith("_") and not k.startswith("_")}
    out["_groups"], out["_pairs"] = model._groups, model._pairs
    out["_warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    return out


def main() -> None:
    parser = save_or_compare_parser(__doc__.splitlines()[0])
    parser.add_argument("--only", default=None, help="comma-separated name prefixes: only these sets")
    args = parser.parse_args()
    prefixes = None if args.only is None else tuple(s.strip() for s in args.only.split(","))
    keep = None if prefixes is None else (lambda name: name.startswith(prefixes))
    results = {name: fitted(votes) for name, votes in all_sets() if keep is None or keep(name)}
    save_or_compare(results, args.save, args.compare, keep)


if __name__ == "__main__":
    main()
