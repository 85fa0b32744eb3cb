"""Near-duplicate texts on templated texts: a few words and an ``item N`` suffix shared by many rows.

Usage (from the repository root; ``PYTHONPATH`` picks the labelwise that is timed)::

    PYTHONPATH=src python benchmarks/bench_text_templated.py                 # 20,000, 50,000, 100,000 texts
    PYTHONPATH=src python benchmarks/bench_text_templated.py --sizes 20000 --profile

The texts (seed 45, fixed): each is 5 words drawn with replacement from 12 made-up words, then
``item N`` with ``N`` drawn from ``n // 20`` numbers (so about 20 rows share each suffix). Such
texts (product titles, tickets, log lines) share most of their shingles, so the LSH band buckets
hold thousands of texts each (session 45, walk45). Printed per size: the seconds of
:func:`labelwise.checks._text_minhash.near_duplicate_texts` and of the check
(``find_data_issues(texts=, checks="near_duplicate_text")``), the candidates at the signature floor,
the pairs kept, the flagged rows, the sets, and a digest of the flags, the scores, the sets and the
pairs (equal digests: the same answers bit for bit), then the machine line. ``--profile`` prints
cProfile's top functions of one run of the check.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
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
    from labelwise.checks import find_data_issues
    from labelwise.checks._text_minhash import near_duplicate_texts

    t0 = time.perf_counter()
    pairs = near_duplicate_texts(texts)
    t_pairs = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = find_data_issues(texts=texts[:, 0], checks="near_duplicate_text")
    t_check = time.perf_counter() - t0
    issues = report.issues
    flags = issues["is_near_duplicate_text_issue"].to_numpy()
    score = issues["near_duplicate_text_score"].to_numpy()
    info = report.info["near_duplicate_text"]
    return {
        "pairs_s": t_pairs,
        "check_s": t_check,
        "pairs": int(pairs.u.size),
        "flagged": int(flags.sum()),
        "sets": int(info["n_sets"]),
        "digest": digest(flags, score, info["sets"], pairs.u, pairs.v, pairs.similarity),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 50_000, 100_000])
    parser.add_argument("--profile", action="store_true", help="cProfile one run of the check per size")
    args = parser.parse_args()
    import labelwise

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
        print(
            f"n={n:>7,}  pairs {r['pairs_s']:7.2f} s  check {r['check_s']:7.2f} s  pairs kept {r['pairs']:>9,}  "
            f"flagged {r['flagged']:>7,}  sets {r['sets']:>6,}  digest {r['digest']}",
            flush=True,
        )
    print(machine_line("scipy"))


if __name__ == "__main__":
    main()
