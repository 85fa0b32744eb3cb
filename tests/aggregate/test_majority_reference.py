"""MajorityVote against a straightforward reference, bit for bit; the memory-saving helpers it uses
(the tie thresholds and the duplicate count by blocks, the answer counts kept from the fit) against
the plain expressions they replace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import MajorityVote, encode_answers
from labelwise.aggregate._base import (
    TIE_RTOL,
    _tied_cells,
    agreement_skill,
    argmax_random_ties,
    log_normalize,
    row_max,
    row_sum,
)
from labelwise.aggregate._factorize import _n_distinct_quotients
from labelwise.aggregate.majority import _vote_shares_in_place


def _reference_argmax(scores: np.ndarray, rng: np.random.Generator, rtol: float = TIE_RTOL) -> np.ndarray:
    """The documented tie-breaking written out plainly: ties within ``rtol`` of the row maximum,
    one uniform per cell of the tied rows in row-major order, the largest tied draw wins."""
    top = scores.max(axis=1)[:, None]
    tied = scores >= top - rtol * np.maximum(np.abs(top), 1.0)
    codes = tied.argmax(axis=1)
    multi = np.flatnonzero(tied.sum(axis=1) > 1)
    if multi.size:
        draws = rng.random((multi.size, scores.shape[1]))
        draws[~tied[multi]] = -1.0
        codes[multi] = draws.argmax(axis=1)
    return codes


def _reference_majority(frame: pd.DataFrame, labels: list | None, duplicates: str, seed: int) -> dict:
    """Majority vote from the definitions, with pandas and numpy's plainest calls."""
    classes = pd.Index(labels) if labels is not None else pd.Index(np.sort(frame["label"].unique()))
    if duplicates == "last":  # (the classes are those of every answer, dropped ones included)
        frame = frame.drop_duplicates(["item", "annotator"], keep="last")
    item, items = pd.factorize(frame["item"], sort=True)
    ann, annotators = pd.factorize(frame["annotator"], sort=True)
    label = classes.get_indexer(frame["label"])
    counts = np.zeros((len(items), len(classes)))
    np.add.at(counts, (item, label), 1.0)
    total = counts.sum(axis=1)
    shares = counts / total[:, None]
    codes = _reference_argmax(shares, np.random.default_rng(seed))
    hits = np.bincount(ann, weights=(label == codes[item]).astype(float), minlength=len(annotators))
    n = np.bincount(ann, minlength=len(annotators))
    return {
        "codes": codes,
        "labels": np.asarray(classes)[codes],
        "probas": shares,
        "skill": hits / n,
        "n_answers": total.astype(np.int64),
        "items": np.asarray(items),
        "annotators": np.asarray(annotators),
    }


@st.composite
def _answer_tables(draw):
    """Small crowds with many ties (few answers per item), duplicate pairs, int or string ids."""
    n_items = draw(st.integers(1, 12))
    n_ann = draw(st.integers(1, 6))
    k = draw(st.integers(2, 4))
    n = draw(st.integers(1, 60))
    rows = draw(
        st.lists(
            st.tuples(st.integers(0, n_items - 1), st.integers(0, n_ann - 1), st.integers(0, k - 1)),
            min_size=n,
            max_size=n,
        )
    )
    item, ann, label = (np.array(col) for col in zip(*rows, strict=True))
    gap = draw(st.integers(1, 3))  # ids with gaps (the gathered, int32 code path) or without
    frame = pd.DataFrame({"item": item * gap + draw(st.integers(-5, 5)), "annotator": ann, "label": label})
    if draw(st.booleans()):
        frame["item"] = frame["item"].map(lambda v: f"i{v + 10:03d}").astype("str")
        frame["annotator"] = frame["annotator"].map(lambda v: f"w{v}").astype("str")
        frame["label"] = frame["label"].map(lambda v: "abcd"[v]).astype("str")
        declared = list("dcba"[: max(k, 2)]) if draw(st.booleans()) else None
        if declared is not None:
            declared = sorted(set(declared) | set(frame["label"]), reverse=True)
    else:
        declared = list(range(k - 1, -1, -1)) if draw(st.booleans()) else None
    return frame, declared


@settings(max_examples=120, deadline=None)
@given(_answer_tables(), st.sampled_from(["keep", "last"]), st.integers(0, 3))
def test_majority_vote_equals_the_reference_bit_for_bit(table, duplicates, seed):
    """labels_, probas_, annotator_skill_, n_answers_per_item_ and the tie-breaks equal those of
    the plain definition, for int and string ids, declared labels and both duplicate policies."""
    frame, declared = table
    ref = _reference_majority(frame, declared, duplicates, seed)
    mv = MajorityVote(labels=declared, duplicates=duplicates, random_state=seed).fit(frame)
    np.testing.assert_array_equal(mv.label_codes_, ref["codes"])
    np.testing.assert_array_equal(mv.labels_.to_numpy(), ref["labels"])
    np.testing.assert_array_equal(mv.labels_.index.to_numpy(), ref["items"])
    assert np.array_equal(mv.probas_.to_numpy(), ref["probas"])  # bit for bit, not close
    assert np.array_equal(mv.annotator_skill_.to_numpy(), ref["skill"])
    np.testing.assert_array_equal(mv.annotator_skill_.index.to_numpy(), ref["annotators"])
    np.testing.assert_array_equal(mv.n_answers_per_item_.to_numpy(), ref["n_answers"])
    assert mv.n_answers_per_item_.dtype == np.int64


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 40),
    st.integers(1, 7),
    st.integers(1, 9),
    st.sampled_from([0.0, 1e-9, 1e-3]),
    st.integers(0, 2**32 - 1),
)
def test_tie_thresholds_by_blocks_equal_the_expression(n, k, block, rtol, seed):
    """The blockwise ties and tie counts equal the one-line expression for any block size,
    including near-ties at the tolerance's edge, exact ties, negative, huge and NaN scores."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(-3, 4, (n, k)).astype(float) * rng.choice([1e-12, 1.0, 1e12], (n, 1))
    top = scores.max(axis=1, initial=-np.inf)
    edge = (top - rtol * np.maximum(np.abs(top), 1.0))[:, None]
    pick = (scores < edge) & (rng.random((n, k)) < 0.5)  # cells moved onto the edge or just below it
    at_edge = np.where(rng.random((n, k)) < 0.5, edge, np.nextafter(edge, -np.inf))
    scores = np.where(pick, at_edge, scores)
    scores[rng.random((n, k)) < 0.05] = np.nan
    top = row_max(scores)  # the expression the library used before, unchanged
    expect = scores >= (top - rtol * np.maximum(np.abs(top), 1.0))[:, None]
    tied, n_tied = _tied_cells(scores, rtol, block=block)
    np.testing.assert_array_equal(tied, expect)
    np.testing.assert_array_equal(n_tied, expect.sum(axis=1))
    assert np.iinfo(n_tied.dtype).max >= k


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 30), st.integers(2, 5), st.integers(0, 10), st.booleans())
def test_argmax_random_ties_equals_the_reference(n, k, seed, grouped):
    """The tie-broken argmax (with and without row groups) draws the reference's numbers for the
    reference's rows."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 3, (n, k)).astype(float) / 2.0
    group = rng.integers(0, n, 2 * n) if grouped else None
    got = argmax_random_ties(scores, np.random.default_rng(seed + 100), row_group=group)
    expect = _reference_argmax(scores if group is None else scores[group], np.random.default_rng(seed + 100))
    np.testing.assert_array_equal(got, expect)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 200), min_size=1, max_size=300), st.integers(1, 6), st.integers(1, 40))
def test_distinct_quotients_by_blocks_equal_numpy_unique(keys, k, block):
    """The duplicate count's distinct pairs, counted through two reused buffers by blocks of any
    size, equal ``np.unique`` of the quotients."""
    srt = np.sort(np.array(keys, dtype=np.int64))
    assert _n_distinct_quotients(srt, k, block=block) == np.unique(srt // k).size


def test_answer_counts_kept_from_the_fit_equal_fresh_counts():
    """The answers per item (from the vote counts' row sums, converted in their own memory) and per
    annotator (from the agreement's misses and hits) equal counts of the codes, as int64."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "item": rng.integers(0, 5000, 40_000) * 3,
            "annotator": rng.integers(0, 70, 40_000),
            "label": rng.integers(0, 4, 40_000),
        }
    )
    enc = encode_answers(frame)
    shares = _vote_shares_in_place(enc)
    codes = argmax_random_ties(shares, np.random.default_rng(0))
    agreement_skill(enc, codes, block=4096)
    for name, idx, size in (
        ("answers_per_item", enc.item_idx, enc.n_items),
        ("answers_per_annotator", enc.annotator_idx, enc.n_annotators),
    ):
        kept = enc.__dict__[name]
        assert kept.dtype == np.int64
        np.testing.assert_array_equal(kept, np.bincount(np.asarray(idx, dtype=np.int64), minlength=size))


def test_answers_per_item_are_copied_into_the_results_unless_the_fit_owns_the_encoding():
    """A shared encoding's cached counts are not the memory of a fitted Series (a write to one
    must not change the other); a fit's own encoding gives them up without a copy."""
    frame = pd.DataFrame({"item": [0, 0, 1, 2, 2, 2], "annotator": list("abaabc"), "label": [1, 0, 1, 0, 0, 1]})
    enc = encode_answers(frame)
    est = MajorityVote()._fit_encoded(enc)
    assert not np.shares_memory(est.n_answers_per_item_.to_numpy(), enc.answers_per_item)
    owned = MajorityVote()._fit_encoded(encode_answers(frame), owned=True)
    np.testing.assert_array_equal(owned.n_answers_per_item_.to_numpy(), est.n_answers_per_item_.to_numpy())


@pytest.mark.parametrize("block", [1, 3, 1 << 18])
def test_agreement_by_small_blocks_equals_a_direct_count(block):
    """annotator_skill by any block size (the default is now 2**18 answers) equals hits / answers."""
    rng = np.random.default_rng(block)
    frame = pd.DataFrame(
        {"item": rng.integers(0, 30, 400), "annotator": rng.integers(0, 9, 400), "label": rng.integers(0, 3, 400)}
    )
    enc = encode_answers(frame)
    codes = rng.integers(0, 3, enc.n_items)
    hit = (np.asarray(enc.label_idx) == codes[np.asarray(enc.item_idx)]).astype(float)
    expect = np.bincount(enc.annotator_idx, weights=hit) / np.bincount(enc.annotator_idx)
    assert np.array_equal(agreement_skill(enc, codes, block=block), expect)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 30), st.integers(1, 6), st.booleans(), st.sampled_from(["float64", "float32"]), st.integers(0, 99)
)
def test_log_normalize_equals_the_plain_expression(n, k, overwrite, dtype, seed):
    """The softmax and the log normaliser (now summed in the row sums' memory) equal the plain
    expression bit for bit, rows of -inf and float32 scores included."""
    rng = np.random.default_rng(seed)
    scores = (rng.normal(0, 50, (n, k)) * rng.choice([1.0, 1e3], (n, 1))).astype(dtype)
    scores[rng.random((n, k)) < 0.2] = -np.inf
    with np.errstate(invalid="ignore", divide="ignore"):  # rows of -inf only: 0 / 0
        top = row_max(scores)
        top[~np.isfinite(top)] = 0.0
        w = np.exp(scores - top[:, None])
        total = row_sum(w)
        expect_z = np.log(total) + top
        w /= total[:, None]  # (in place: float32 scores keep a float32 softmax)
        post, log_z = log_normalize(scores.copy(), overwrite=overwrite)
    assert np.array_equal(post, w, equal_nan=True) and post.dtype == w.dtype
    assert np.array_equal(log_z, expect_z, equal_nan=True)
