"""``near_duplicate_text`` check: rows whose texts are the same or nearly the same.

The texts (``find_data_issues(texts=)``, the text columns of ``labelwise audit``'s table) are
normalised (Unicode NFKC, case folded, punctuation and blanks made one blank), and two rows are
near duplicates when the Jaccard index of their character 5-shingle sets is at least ``threshold``
(0.7; rows whose normalised texts are equal have Jaccard 1). The threshold and the shingle length
were chosen on simulated texts (``benchmarks/dev_text_near_duplicates.py``: copies with up to 10%
of their words edited are near duplicates, texts with 30-60% of their words replaced or half their
words new are not). The pairs are found by MinHash and LSH bands and their Jaccard index computed
exactly (:mod:`labelwise.checks._text_minhash`): nothing below the threshold is flagged, and a pair
at the threshold is missed with probability below 1e-3. The LSH candidates are made and checked by
blocks, never all held (texts sharing frequent words can make their number grow as the square of
the texts), and the exact Jaccard index is computed by blocks of pairs, the shingle hashes of the
texts named by several pairs kept once within a fixed budget (:data:`._text_jaccard.SHINGLE_CACHE_BYTES`):
memory is the signatures, that cache, one block and the pairs kept. On a terminal, the LSH bands
and the blocks of pairs are shown as they are done. The sets are the connected components of
the pairs (as ``near_duplicate``'s); the flagged rows are the rows in any pair. Score: ``1 -`` the
highest Jaccard index to another row (0 for a row whose normalised text another row has).

Rows with no text (every column missing or empty after normalising) are never near duplicates;
``exact_duplicate`` compares them as written. Options (``check_options["near_duplicate_text"]``):
``threshold`` in (0, 1], ``shingle`` (characters, >= 1), ``block_rows`` (texts shingled at a time;
nothing depends on it). Texts given as a dask DataFrame or Series (alone, beside features in
memory or beside dask features): the MinHash passes run per partition (:mod:`._dask_text`, the same
pairs; ``block_rows`` is then the partition) and the texts stay on the workers (``exact_duplicate``
hashes them there, :mod:`._dask_text_rows`); the client holds a few numbers a row.

References
----------
Broder, A. Z. (1997). On the resemblance and containment of documents. Proceedings of Compression
and Complexity of Sequences, 21-29.
"""

from __future__ import annotations

import numpy as np

from .._validate.arguments import check_fraction, check_positive_int
from ._base import Check, CheckInputs, CheckResult, columns, summary_row
from ._dask_text_rows import DaskTexts
from ._text_minhash import BLOCK_ROWS, SHINGLE, THRESHOLD, TextPairs, near_duplicate_texts
from .exact_duplicate import MAX_SETS_IN_INFO, sets_from_groups
from .near_duplicate import pair_components

NAME = "near_duplicate_text"


def cached_pairs(inputs: CheckInputs) -> TextPairs:
    """The texts' near-duplicate pairs, found once per call of ``find_data_issues`` (read by
    ``leakage`` too); the options are checked here."""
    if "text_near_pairs" not in inputs.cache:
        assert inputs.texts is not None  # guaranteed by the checks' ``requires``
        where = f"check_options[{NAME!r}]"
        threshold = check_fraction(
            f"{where}['threshold']",
            inputs.option(NAME, "threshold", THRESHOLD),
            closed_low=False,
            closed_high=True,
        )
        k = check_positive_int(f"{where}['shingle']", inputs.option(NAME, "shingle", SHINGLE))
        block = check_positive_int(f"{where}['block_rows']", inputs.option(NAME, "block_rows", BLOCK_ROWS))
        if isinstance(inputs.texts, DaskTexts):  # texts given as dask: the passes run per partition
            from ._dask_text import dask_near_duplicate_texts

            pairs = dask_near_duplicate_texts(inputs.texts.frame, threshold, k, seed=inputs.random_state)
        else:
            pairs = near_duplicate_texts(inputs.texts, threshold, k, seed=inputs.random_state, block_rows=block)
        inputs.cache["text_near_pairs"] = pairs
    return inputs.cache["text_near_pairs"]


def row_best(pairs: TextPairs, among_rows: np.ndarray | None = None) -> np.ndarray:
    """Per row, the highest Jaccard index of its texts to another row's (a row in ``among_rows``, a
    boolean mask over rows; any row when None); 0 for rows with no text or no such row."""
    code = pairs.code
    has = code >= 0
    among_rows = np.ones(code.shape[0], dtype=bool) if among_rows is None else among_rows
    n_among = np.bincount(code[has & among_rows], minlength=pairs.count.shape[0])
    out = np.zeros(code.shape[0], dtype=np.float64)
    rows = np.flatnonzero(has)
    out[rows] = pairs.best(n_among > 0)[code[rows]]
    others = n_among[code[rows]] - among_rows[rows]  # other rows of ``among_rows`` with the same text
    out[rows[others >= 1]] = 1.0
    return out


def sets_of_rows(pairs: TextPairs) -> np.ndarray:
    """Set number of every row in a near-duplicate set (components of the pairs and of shared
    distinct texts), ``-1`` elsewhere."""
    members, comp = pair_components(pairs.u, pairs.v)
    of_text = np.full(pairs.count.shape[0], -1, dtype=np.int64)
    of_text[members] = comp
    lone = np.flatnonzero((of_text < 0) & (pairs.count >= 2))
    of_text[lone] = np.arange(lone.size) + (int(comp.max()) + 1 if comp.size else 0)
    out = np.full(pairs.code.shape[0], -1, dtype=np.int64)
    has = pairs.code >= 0
    out[has] = of_text[pairs.code[has]]
    return out


def run(inputs: CheckInputs) -> CheckResult:
    """Flag every row in a near-duplicate set of texts."""
    pairs = cached_pairs(inputs)
    sets = sets_from_groups(sets_of_rows(pairs))
    best = row_best(pairs)
    is_issue = best >= pairs.threshold
    score = 1.0 - best
    info = {
        "threshold": pairs.threshold,
        "shingle": pairs.shingle,
        "similarity": "jaccard of character shingles of the normalised texts",
        "n_sets": len(sets),
        "sets": sets[:MAX_SETS_IN_INFO],
    }
    return CheckResult(columns(NAME, is_issue, score), summary_row(NAME, is_issue, score), info)


def run_partitioned(inputs: CheckInputs) -> CheckResult:
    """:func:`run` beside dask features: the pairs as in memory (found per partition when the texts
    are dask), the columns spread over the features' row chunks."""
    from ._partitioned import as_rows

    result = run(inputs)
    assert inputs.features is not None  # runs per partition only beside dask features
    chunks = tuple(int(c) for c in inputs.features.chunks[0])
    return CheckResult({c: as_rows(v, chunks) for c, v in result.columns.items()}, result.summary, result.info)


CHECK = Check(
    NAME,
    requires=(("texts",),),
    run=run,
    shares=("text_near_pairs",),
    partitioned=run_partitioned,
    options=dict.fromkeys(("threshold", "shingle", "block_rows")),  # checked where they are read
)
