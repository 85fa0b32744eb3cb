"""Simulated texts with near copies, and brute-force Jaccard of their shingles, for the text checks' tests."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from scipy.sparse import csr_matrix

LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))
SHINGLE, THRESHOLD = 5, 0.7  # the documented similarity, written out here (an oracle of its own)


def normalise(text: str) -> str:
    """NFKC, case folded, every run of characters other than letters and digits one blank, stripped."""
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def simulated_texts(n_base: int, seed: int) -> list[str]:
    """``n_base`` texts of 6-40 made-up words (Zipf(1.1) over 2,000 words), then ``n_base // 2`` near
    copies (case, punctuation, up to 10% of the words edited) and ``n_base // 2`` rewordings (30-60%
    of the words replaced): pairs on both sides of the threshold."""
    rng = np.random.default_rng(seed)
    vocab = sorted({"".join(rng.choice(LETTERS, rng.integers(2, 11))) for _ in range(2000)})

    p = 1.0 / np.arange(1, len(vocab) + 1) ** 1.1

    def words(n: int) -> list[str]:
        return [vocab[r] for r in rng.choice(len(vocab), n, p=p / p.sum())]

    base = [words(int(rng.integers(6, 41))) for _ in range(n_base)]
    texts = [" ".join(b) for b in base]
    for _ in range(n_base // 2):
        b = list(base[int(rng.integers(n_base))])
        for _ in range(int(rng.integers(0, len(b) // 10 + 2))):
            b[int(rng.integers(len(b)))] = words(1)[0]
        texts.append(" ".join(w.upper() if rng.random() < 0.2 else w + "," for w in b))
    for _ in range(n_base // 2):
        b = base[int(rng.integers(n_base))]
        share = rng.uniform(0.3, 0.6)
        texts.append(" ".join(words(1)[0] if rng.random() < share else w for w in b))
    return texts


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """The character k-shingles of a normalised text (a short text is one shingle), as Python strings."""
    s = normalise(text)
    return {s} if len(s) < k else {s[i : i + k] for i in range(len(s) - k + 1)}


def jaccard(a: str, b: str) -> float:
    """The Jaccard index of two texts' shingle sets."""
    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y)


def brute_force_pairs(texts: list[str | None], threshold: float = THRESHOLD) -> set[tuple[int, int]]:
    """Every pair of rows with text whose shingle sets (Python strings, no hashing) have Jaccard at
    least ``threshold``: all pairs at once, by the product of the rows x shingles matrix."""
    has = [t is not None and bool(normalise(t)) for t in texts]
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, t in enumerate(texts):
        for g in shingles(t) if has[i] else ():
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
    S = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), max(len(vocab), 1)))
    inter = (S @ S.T).toarray()
    size = np.asarray(S.sum(axis=1)).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = inter / (size[:, None] + size[None, :] - inter)
    a, b = np.nonzero(np.triu(jac >= threshold, 1))
    return {(int(i), int(j)) for i, j in zip(a, b, strict=True) if has[i] and has[j]}
