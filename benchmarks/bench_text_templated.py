"""Near-duplicate texts on templated texts: a few words and an ``item N`` suffix shared by many rows.

Usage (from the repository root; ``PYTHONPATH`` picks the labelwise that is timed)::

    PYTHONPATH=src python benchmarks/bench_text_templated.py                 # 20,000, 50,000, 100,000 texts
    PYTHONPATH=src python benchmarks/bench_text_templated.py --sizes 20000 --profile
    python benchmarks/bench_text_templated.py --sizes 20000 50000 --repeats 2 \
        --compare main=/tmp/mainsrc/src this=src                             # two sources, alternated

The texts (seed 45, fixed): each is 5 words drawn with replacement from 12 made-up words, then
``item N`` with ``N`` drawn from ``n // 20`` numbers (so about 20 rows share each suffix). Such
texts (product titles, tickets, log lines) share most of their shingles, so the LSH band buckets
hold thousands of texts each (session 45, walk45). Printed per size: the seconds of
:func:`labelwise.checks._text_minhash.near_duplicate_texts` and of the check
(``find_data_issues(texts=, checks="near_duplicate_text")``), the candidates at the signature floor,
the pairs kept, the flagged rows, the sets, and a digest of the flags, the scores, the sets and the
pairs (equal digests: the same answers bit for bit), then the machine line. The seconds of the
exact Jaccard step inside ``near_duplicate_texts`` are printed too (``jaccard``: the calls of
``_text_minhash.jaccard``, timed by a wrapper). ``--profile`` prints cProfile's top functions of
one run of the check. ``--compare LABEL=SRC ...`` runs each size in a fresh process per source
(``PYTHONPATH=SRC``, ``OMP_NUM_THREADS=1``), the sources alternated ``--repeats`` times, each line
with the load average (``/proc/loadavg``) before it: the same machine and load for both.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_line

WORDS = 12
WORDS_PER_TEXT = 5
ROWS_PER_SUFFIX = 20
SEED = 45


def templated_texts(n: int, seed: int = SEED) -> np.ndarray:
    """``(n, 1)`` object array: 5 of 12 made-up words and an ``item N`` suffix shared by ~20 rows."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocab = ["".join(rng.choice(letters, size=int(rng.integers(3, 9)))) for _ in range(WORDS)]
    words = rng.integers(0, WORDS, size=(n, WORDS_PER_TEXT))
    item = rng.integers(0, max(n // ROWS_PER_SUFFIX, 1), size=n)
    texts = [" ".join(vocab[w] for w in row) + f" item {i}" for row, i in zip(words, item, strict=True)]
    return np.array(texts, dtype=object).reshape(-1, 1)


def digest(*arrays: object) -> str:
    """A short sha256 of the arrays' bytes and reprs, in order."""
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes() if isinstance(a, np.ndarray) else repr(a).encode())
    return h.hexdigest()[:16]


def run_once(texts: np.ndarray) -> dict[str, object]:
    """Time the pairs and the check on ``texts``; their counts and digest."""
    from labelwise.checks import _text_minhash, find_data_issues

    step = _text_minhash.jaccard
    spent: list[float] = []

    def timed_jaccard(*args: object, **kwargs: object) -> np.ndarray:
        t = time.perf_counter()
        out = step(*args, **kwargs)
        spent.append(time.perf_counter() - t)
        return out

    _text_minhash.jaccard = timed_jaccard  # type: ignore[assignment]
    try:
        t0 = time.perf_counter()
        pairs = _text_minhash.near_duplicate_texts(texts)
        t_pairs = time.perf_counter() - t0
    finally:
        _text_minhash.jaccard = step  # type: ignore[assignment]
    t0 = time.perf_counter()
    report = find_data_issues(texts=texts[:, 0], checks="near_duplicate_text")
    t_check = time.perf_counter() - t0
    issues = report.issues
    flags = issues["is_near_duplicate_text_issue"].to_numpy()
    score = issues["near_duplicate_text_score"].to_numpy()
    info = report.info["near_duplicate_text"]
    return {
        "pairs_s": t_pairs,
        "jaccard_s": sum(spent),
        "check_s": t_check,
        "pairs": int(pairs.u.size),
        "flagged": int(flags.sum()),
        "sets": int(info["n_sets"]),
        "digest": digest(flags, score, info["sets"], pairs.u, pairs.v, pairs.similarity),
    }


def line(n: int, r: dict[str, object]) -> str:
    """One size's printed line."""
    return (
        f"n={n:>7,}  pairs {r['pairs_s']:7.2f} s (jaccard {r['jaccard_s']:6.2f} s)  check {r['check_s']:7.2f} s  "
        f"pairs kept {r['pairs']:>9,}  flagged {r['flagged']:>7,}  sets {r['sets']:>6,}  digest {r['digest']}"
    )


def compare(sizes: list[int], sources: list[str], repeats: int) -> None:
    """Each size in a fresh process per ``LABEL=SRC``, the sources alternated ``repeats`` times."""
    pairs = [s.split("=", 1) for s in sources]
    for n in sizes:
        for rep in range(repeats):
            for label, src in pairs if rep % 2 == 0 else pairs[::-1]:
                load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
                env = {**os.environ, "PYTHONPATH": str(Path(src).resolve()), "OMP_NUM_THREADS": "1"}
                done = subprocess.run(
                    [sys.executable, __file__, "--sizes", str(n), "--json"],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                r = json.loads(done.stdout.strip().splitlines()[-1])
                print(f"{label:>6} (load {load:>5})  {line(n, r)}  [{r['labelwise']}]", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 50_000, 100_000])
    parser.add_argument("--profile", action="store_true", help="cProfile one run of the check per size")
    parser.add_argument("--compare", nargs="+", metavar="LABEL=SRC", help="time each source in its own process")
    parser.add_argument("--repeats", type=int, default=1, help="with --compare: runs of each source per size")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare:
        compare(args.sizes, args.compare, args.repeats)
        print(machine_line("scipy"))
        return
    import labelwise

    if not args.json:
        print(f"labelwise from {Path(labelwise.__file__).resolve().parent}")
    for n in args.sizes:
        texts = templated_texts(n)
        if args.profile:
            from labelwise.checks import find_data_issues

            prof = cProfile.Profile()
            prof.enable()
            find_data_issues(texts=texts[:, 0], checks="near_duplicate_text")
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
            continue
        r = run_once(texts)
        r["labelwise"] = str(Path(labelwise.__file__).resolve().parent)
        print(json.dumps(r) if args.json else line(n, r), flush=True)
    if not args.json:
        print(machine_line("scipy"))


if __name__ == "__main__":
    main()
