"""Near-duplicate texts: labelwise's MinHash/LSH pairs against datasketch's MinHashLSH on the same texts.

Usage (from the repository root)::

    python benchmarks/bench_text_near_duplicates.py                   # 2,000, 10,000 and 50,000 texts
    python benchmarks/bench_text_near_duplicates.py --sizes 10000 --truth-max 10000

The texts (``dev_text_near_duplicates.py``'s generator, ``--draw truncated``, fresh seed 100): 70% base texts of 6-60
made-up words, 20% near copies of them (case, punctuation, up to 10% of the words edited), 10%
rewordings (30-60% of the words replaced). Both libraries go from the raw texts to the pairs at
Jaccard >= 0.7 of the normalised texts' character 5-shingles, candidates checked exactly:

* labelwise: :func:`labelwise.checks._text_minhash.near_duplicate_texts` (26 bands x 4 minima);
* datasketch: ``MinHash(num_perm=128)`` of each text's shingles (``update_batch``),
  ``MinHashLSH(threshold=0.7, num_perm=128)`` (its own bands; ``--same-bands``: 104 permutations in
  labelwise's 26 bands of 4, ``params=(26, 4)``), every text inserted then queried, each
  candidate's Jaccard computed from the Python shingle sets.

Printed per size: the pairs each finds, the pairs of the brute force (every pair's exact Jaccard by a
sparse product, up to ``--truth-max`` texts), the pairs one finds and the other misses, the times and
their ratio (datasketch's over labelwise's), and the machine line.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dev_text_near_duplicates as dev
from _machine import machine_line
from dev_text_near_duplicates import draw_words, edit, restyle, vocabulary

dev.TRUNCATED = True  # Zipf(1.1) truncated to the vocabulary

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from labelwise.checks._text_minhash import (  # noqa: E402
    BANDS,
    ROWS_PER_BAND,
    SHINGLE,
    THRESHOLD,
    near_duplicate_texts,
    normalise,
)


def texts_of(n: int, seed: int = 100) -> list[str]:
    """``n`` texts: 70% base, 20% near copies, 10% rewordings."""
    rng = np.random.default_rng(seed)
    vocab = vocabulary(rng)
    n_base = int(0.7 * n)
    base = [draw_words(rng, vocab, int(rng.integers(6, 61))) for _ in range(n_base)]
    out = [" ".join(b) for b in base]
    for _ in range(int(0.2 * n)):
        b = base[int(rng.integers(n_base))]
        out.append(restyle(rng, edit(rng, b, vocab, int(rng.integers(0, math.ceil(0.1 * len(b)) + 1)))))
    while len(out) < n:
        b = base[int(rng.integers(n_base))]
        share = rng.uniform(0.3, 0.6)
        out.append(" ".join(draw_words(rng, vocab, 1)[0] if rng.random() < share else w for w in b))
    return out


def shingle_set(text: str) -> set[str]:
    """The character shingles of a normalised text."""
    s = normalise(text)
    return {s} if len(s) < SHINGLE else {s[i : i + SHINGLE] for i in range(len(s) - SHINGLE + 1)}


def labelwise_pairs(texts: list[str]) -> set[tuple[int, int]]:
    """Row pairs at or above the threshold (rows sharing a normalised text included)."""
    found = near_duplicate_texts(np.array(texts, dtype=object).reshape(-1, 1))
    rows: dict[int, list[int]] = {}
    for r, c in enumerate(found.code):
        rows.setdefault(int(c), []).append(r)
    out = {(a, b) for m in rows.values() for i, a in enumerate(m) for b in m[i + 1 :]}
    for u, v in zip(found.u, found.v, strict=True):
        out |= {(min(a, b), max(a, b)) for a in rows[int(u)] for b in rows[int(v)]}
    return out


def datasketch_pairs(texts: list[str], same_bands: bool = False) -> set[tuple[int, int]]:
    """datasketch's MinHashLSH candidates, checked exactly (``same_bands``: labelwise's 26 bands of 4
    minima, ``params=(26, 4)``, instead of its own choice for the threshold at 128 permutations)."""
    from datasketch import MinHash, MinHashLSH

    sets = [shingle_set(t) for t in texts]
    perms = BANDS * ROWS_PER_BAND if same_bands else 128
    if same_bands:
        lsh = MinHashLSH(num_perm=perms, params=(BANDS, ROWS_PER_BAND))
    else:
        lsh = MinHashLSH(threshold=THRESHOLD, num_perm=perms)
    hashes = []
    for i, s in enumerate(sets):
        m = MinHash(num_perm=perms, seed=1)
        m.update_batch([g.encode("utf-8") for g in s])
        lsh.insert(i, m)
        hashes.append(m)
    out = set()
    for i, m in enumerate(hashes):
        for j in lsh.query(m):
            if j > i and len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= THRESHOLD:
                out.add((i, j))
    return out


def brute_force(texts: list[str]) -> set[tuple[int, int]]:
    """Every pair's exact Jaccard by the sparse product of the rows x shingles matrix."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, t in enumerate(texts):
        for g in shingle_set(t):
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
    S = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), len(vocab)))
    size = np.asarray(S.sum(axis=1)).ravel()
    out = set()
    for s in range(0, len(texts), 2000):
        inter = (S[s : s + 2000] @ S.T).tocoo()
        a, b, x = inter.row + s, inter.col, inter.data
        keep = (a < b) & (x / (size[a] + size[b] - x) >= THRESHOLD)
        out |= set(zip(a[keep].tolist(), b[keep].tolist(), strict=True))
    return out


def main() -> None:
    """Run both on each size and print a table row per size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000, 50000])
    parser.add_argument("--truth-max", type=int, default=10000)
    parser.add_argument("--same-bands", action="store_true", help="datasketch with labelwise's 26 x 4 bands")
    args = parser.parse_args()
    print(machine_line("datasketch"))
    print(
        "| texts | labelwise pairs | datasketch pairs | brute force | missed by labelwise | missed by datasketch "
        "| labelwise s | datasketch s | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        texts = texts_of(n)
        t0 = time.perf_counter()
        ours = labelwise_pairs(texts)
        t1 = time.perf_counter()
        peer = datasketch_pairs(texts, args.same_bands)
        t2 = time.perf_counter()
        truth = brute_force(texts) if n <= args.truth_max else ours | peer
        print(
            f"| {n:,} | {len(ours):,} | {len(peer):,} | {len(truth):,}{'' if n <= args.truth_max else ' (union)'} "
            f"| {len(truth - ours):,} | {len(truth - peer):,} | {t1 - t0:.2f} | {t2 - t1:.2f} | {(t2 - t1) / (t1 - t0):.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
