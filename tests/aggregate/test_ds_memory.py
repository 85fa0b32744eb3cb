"""Tests for Dawid-Skene's memory at 10M answers: EM's first posterior in the vote shares' memory,
the guard by row blocks (labelwise.aggregate._guard) and the pair screen's sampled rows."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise.aggregate.dawid_skene as dawid_skene
from labelwise.aggregate import DawidSkene, _patterns, encode_answers
from labelwise.aggregate._guard import relabelled_classes, relabelled_given, strict_classes
from labelwise.aggregate._observed import _Observed
from labelwise.errors import InvalidParameterError
from tests.aggregate._guard_reference import relabelled_reference


def _crowd(seed: int, n_items: int = 2_000, n_ann: int = 300, per_item: int = 4, k: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    item = np.repeat(np.arange(n_items), per_item)
    right = rng.random(item.size) < 0.7
    label = np.where(right, truth[item], (truth[item] + rng.integers(1, k, item.size)) % k)
    return pd.DataFrame({"item": item, "annotator": rng.integers(0, n_ann, item.size), "label": label})


def _dependent_crowd(seed: int = 0) -> pd.DataFrame:
    """Two heavy annotators who copy each other: the fit weighs their answers (non-unit answer data)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(600):
        truth = int(rng.integers(0, 3))
        heavy = truth if rng.random() < 0.6 else int(rng.integers(0, 3))
        rows += [(i, "h1", heavy), (i, "h2", heavy)]
        for j in rng.choice(60, 3, replace=False):
            rows.append((i, f"l{j}", truth if rng.random() < 0.75 else int(rng.integers(0, 3))))
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


def _fit(answers: pd.DataFrame, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return DawidSkene(**params).fit(answers)


def _assert_same_fit(got, want):
    np.testing.assert_array_equal(got.label_codes_, want.label_codes_)
    np.testing.assert_array_equal(got.probas_.to_numpy(), want.probas_.to_numpy())
    np.testing.assert_array_equal(got.annotator_skill_.to_numpy(), want.annotator_skill_.to_numpy())
    np.testing.assert_array_equal(got.annotator_confusion_, want.annotator_confusion_)
    assert got.loss_history_ == want.loss_history_ and got.n_iter_ == want.n_iter_


def _fresh_start(monkeypatch):
    """EM's first posterior in a fresh array, as before it took the vote shares' memory."""
    real_run_em = DawidSkene._run_em

    def fresh_start(self, *args, overwrite_start=False, **kwargs):  # type: ignore[no-untyped-def]
        return real_run_em(self, *args, overwrite_start=False, **kwargs)

    monkeypatch.setattr(DawidSkene, "_run_em", fresh_start)


class TestGuardByBlocks:
    @settings(max_examples=80, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        n=st.integers(0, 300),
        k=st.integers(2, 6),
        block=st.integers(1, 350),
        weights=st.sampled_from(["none", "integer", "fractional"]),
        share=st.sampled_from([0.0, 0.01, 0.3]),
    )
    def test_any_block_size_equals_the_whole_array_count(self, seed, n, k, block, weights, share):
        rng = np.random.default_rng(seed)
        reference = rng.integers(0, 3, (n, k)).astype(np.float64)  # many ties
        reference[rng.random(n) < 0.2, 0] += 1e-13  # within the tie tolerance
        post = rng.random((n, k))
        if rng.random() < 0.5:
            post = reference[:, rng.permutation(k)] + rng.random((n, k)) * 0.1  # a relabelling
        w = {"none": None, "integer": rng.integers(1, 5, n).astype(np.float64), "fractional": rng.random(n)}[weights]
        got = relabelled_classes(reference, post, w, min_share=share, block_rows=block)
        assert np.array_equal(got, relabelled_reference(reference, post, w, share))

    @settings(max_examples=60, deadline=None)
    @given(seed=st.integers(0, 10_000), n=st.integers(1, 60), k=st.integers(2, 5))
    def test_renaming_the_classes_renames_the_relabelled_ones(self, seed, n, k):
        """Permuting the columns of both arrays permutes the result: a class whose strict rows go half
        to itself and half to another is not decided by which of the two comes first."""
        rng = np.random.default_rng(seed)
        reference = rng.integers(0, 3, (n, k)).astype(np.float64)
        post = rng.integers(0, 2, (n, k)) + rng.random((n, k)) * 0.1
        order = rng.permutation(k)
        got = relabelled_classes(reference, post, min_share=0.0)
        renamed = relabelled_classes(reference[:, order], post[:, order], min_share=0.0)
        assert sorted(order[renamed].tolist()) == sorted(got.tolist())

    def test_a_tie_between_staying_and_moving_is_not_a_relabelling(self):
        reference = np.array([[2.0, 0.0], [2.0, 0.0], [0.0, 1.0]])
        post = np.array([[0.9, 0.1], [0.1, 0.9], [0.1, 0.9]])  # class 0: one row stays, one moves
        assert relabelled_classes(reference, post, min_share=0.0).size == 0
        assert relabelled_classes(reference[:, ::-1], post[:, ::-1], min_share=0.0).size == 0

    def test_read_only_and_memory_mapped_inputs(self, tmp_path):
        rng = np.random.default_rng(0)
        reference = rng.integers(0, 4, (1000, 3)).astype(np.float64)
        post = reference[:, [1, 2, 0]] + rng.random((1000, 3)) * 0.1
        want = relabelled_reference(reference, post)
        assert len(want)
        np.save(tmp_path / "ref.npy", reference)
        mapped = np.load(tmp_path / "ref.npy", mmap_mode="r")
        post.flags.writeable = False
        assert np.array_equal(relabelled_classes(mapped, post, block_rows=77), want)

    def test_nan_rows_are_not_strict(self):
        reference = np.array([[np.nan, 1.0], [2.0, 0.0], [0.0, 3.0]])
        post = np.array([[0.9, 0.1], [0.2, 0.8], [0.9, 0.1]])
        assert np.array_equal(relabelled_classes(reference, post, block_rows=2), relabelled_reference(reference, post))

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"block_rows": 0}, "block_rows"),
            ({"block_rows": 1.5}, "block_rows"),
            ({"weights": np.ones(3)}, "weights"),
        ],
    )
    def test_parameters_are_validated(self, kwargs, match):
        reference = np.eye(4)
        with pytest.raises(InvalidParameterError, match=match):
            relabelled_classes(reference, reference, **kwargs)

    def test_shapes_are_validated(self):
        with pytest.raises(InvalidParameterError, match="reference and post"):
            relabelled_classes(np.eye(3), np.eye(4))


class TestEmInTheStartsMemory:
    def test_the_first_posterior_takes_the_vote_shares_memory(self, monkeypatch):
        """EM's first E-step writes into the start (the fit's own vote shares); the fit equals one
        whose first posterior is a fresh array."""
        outs: list[bool] = []
        real = dawid_skene.csr_times_dense

        def spy(m, x, out=None):  # type: ignore[no-untyped-def]
            outs.append(out is not None)
            return real(m, x, out)

        answers = _crowd(12)
        with monkeypatch.context() as mp:
            mp.setattr(dawid_skene, "csr_times_dense", spy)
            got = _fit(answers, dependency_threshold=None)
        assert outs and all(outs)  # every E-step into an old array, the first into the start
        _fresh_start(monkeypatch)
        _assert_same_fit(got, _fit(answers, dependency_threshold=None))

    @pytest.mark.parametrize("grouped", [True, False])
    @pytest.mark.parametrize("duplicates", ["keep", "last"])
    def test_equals_a_fit_from_a_fresh_array(self, monkeypatch, grouped, duplicates):
        """Labels, posteriors, skills, confusion matrices and the loss history bit for bit, with
        pattern weights (grouped) or one item per row (ungrouped), repeated answers."""
        if not grouped:
            monkeypatch.setattr(_patterns, "PATTERN_SAMPLE_ITEMS", 200)
        answers = _crowd(7, per_item=2 if grouped else 4, n_ann=20 if grouped else 300)
        answers = pd.concat([answers, answers.iloc[:50]], ignore_index=True)
        got = _fit(answers, duplicates=duplicates)
        _fresh_start(monkeypatch)
        _assert_same_fit(got, _fit(answers, duplicates=duplicates))

    def test_with_dependent_pairs_and_a_numeric_smoothing(self, monkeypatch):
        """EM from the weighted vote shares (a dependent pair; the vote shares stay for a
        fallback), and a numeric smoothing (no guard): the same fits."""
        answers = _dependent_crowd()
        got, plain = _fit(answers), _fit(answers, smoothing=0.5)
        assert len(got.dependent_pairs_) == 1
        _fresh_start(monkeypatch)
        _assert_same_fit(got, _fit(answers))
        _assert_same_fit(plain, _fit(answers, smoothing=0.5))

    @pytest.mark.parametrize("rows", [1, 2])
    def test_one_or_two_answers(self, monkeypatch, rows):
        answers = pd.DataFrame({"item": [0, 1][:rows], "annotator": ["a", "b"][:rows], "label": ["x", "y"][:rows]})
        got = _fit(answers, labels=["x", "y"])
        _fresh_start(monkeypatch)
        _assert_same_fit(got, _fit(answers, labels=["x", "y"]))

    def test_a_shared_encoding_is_left_intact(self):
        """A fit on a shared encoding (as ``AutoAggregator``'s) changes none of its arrays."""
        enc = encode_answers(_crowd(9))
        _ = enc.item_label_counts  # cached, as a prior or another fit leaves them
        copies = {
            f.name: getattr(enc, f.name).copy()
            for f in dataclasses.fields(enc)
            if isinstance(getattr(enc, f.name), np.ndarray)
        }
        counts = enc.item_label_counts.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            DawidSkene()._fit_encoded(enc)
        for name, value in copies.items():
            np.testing.assert_array_equal(getattr(enc, name), value)
        np.testing.assert_array_equal(enc.item_label_counts, counts)

    @pytest.mark.parametrize("shared", [False, True])
    def test_a_fallback_after_em_wrote_in_the_vote_shares_is_majority_vote(self, monkeypatch, shared):
        """The guard's reference is taken before EM; on a fallback the vote shares are made again,
        equal to majority vote's, whether the encoding was the fit's own or shared."""
        from labelwise.aggregate import MajorityVote
        from labelwise.errors import LabelwiseWarning

        answers = _crowd(13, n_items=400, n_ann=30, per_item=3)
        real_e_step = dawid_skene.DawidSkene._e_step

        def swapped(*args, **kwargs):  # type: ignore[no-untyped-def]  # classes 0 and 1 swapped
            post, nll = real_e_step(*args, **kwargs)
            return post[:, [1, 0, 2]], nll

        est = DawidSkene(max_iter=1)
        est._e_step = swapped  # type: ignore[method-assign]
        enc = encode_answers(answers)
        counts = enc.item_label_counts.copy() if shared else None
        with pytest.warns(LabelwiseWarning, match="relabelled"):
            est._fit_encoded(enc) if shared else est.fit(answers)
        assert est.fallback_ == "majority-vote"
        mv = MajorityVote().fit(answers)
        pd.testing.assert_series_equal(est.labels_, mv.labels_)
        np.testing.assert_array_equal(est.probas_.to_numpy(), mv.probas_.to_numpy())
        if shared:
            np.testing.assert_array_equal(enc.item_label_counts, counts)


class TestStrictClasses:
    @settings(max_examples=60, deadline=None)
    @given(seed=st.integers(0, 10_000), n=st.integers(0, 200), k=st.integers(1, 6), block=st.integers(1, 250))
    def test_the_single_maximum_or_minus_one(self, seed, n, k, block):
        rng = np.random.default_rng(seed)
        reference = rng.integers(0, 3, (n, k)).astype(np.float64)
        reference[rng.random(n) < 0.2, 0] += 1e-13
        reference[rng.random(n) < 0.05, -1] = np.nan
        with np.errstate(invalid="ignore"):
            single = (
                ((reference >= (reference.max(axis=1) - 1e-12)[:, None]).sum(axis=1) == 1) if n else np.empty(0, bool)
            )
        want = np.where(single, reference.argmax(axis=1) if n else np.empty(0, np.intp), -1)
        got = strict_classes(reference, block_rows=block)
        assert got.dtype == np.int8 and got.shape == (n,)
        np.testing.assert_array_equal(got, want)

    def test_many_classes_are_int32(self):
        reference = np.eye(130)
        got = strict_classes(reference, block_rows=7)
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, np.arange(130))

    def test_given_equals_the_whole_guard(self):
        rng = np.random.default_rng(3)
        reference = rng.integers(0, 4, (500, 4)).astype(np.float64)
        post = reference[:, [2, 3, 0, 1]] + rng.random((500, 4)) * 0.1
        w = rng.random(500)
        want = relabelled_reference(reference, post, w)
        assert len(want)
        np.testing.assert_array_equal(relabelled_given(strict_classes(reference), post, w, block_rows=37), want)
        with pytest.raises(InvalidParameterError, match="classes"):
            relabelled_given(np.zeros(3, np.int8), post)
        with pytest.raises(InvalidParameterError, match="reference"):
            strict_classes(np.zeros(3))


def test_the_screens_rows_and_weights_equal_a_count_per_pattern(monkeypatch):
    """``MemoryPairs.screened`` from the sample's own unique rows: the rows and weights of a
    bincount over every pattern (sampled items, grouped patterns with several items each)."""
    import labelwise.aggregate._dependent as dependent
    import labelwise.aggregate._pair_check as pair_check

    monkeypatch.setattr(pair_check, "SAMPLE_ROWS", 300)
    enc = encode_answers(_crowd(14, n_items=1_500, n_ann=8, per_item=2))
    pat = enc.patterns
    assert pat.grouped
    obs = _Observed.build(pat)
    got = dependent.MemoryPairs(None, enc, pat, obs, np.zeros((pat.n_patterns, enc.n_classes))).screened
    sample = pair_check.sample_items(enc.n_items)
    per_row = np.bincount(pat.item_pattern[sample], minlength=pat.n_patterns).astype(np.float64)
    rows = np.flatnonzero(per_row)
    assert got.weights.dtype == np.float64
    np.testing.assert_array_equal(got.weights, per_row[rows])
    want = obs.m[rows]
    for name in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(got.m, name), getattr(want, name))


def test_vote_shares_cache_the_answers_per_item_once():
    """The vote counts' row sums become ``answers_per_item`` when it is not cached yet; a cached
    one is kept (the same array), and both equal a count of the item codes."""
    from labelwise.aggregate.majority import _vote_shares_in_place

    answers = _crowd(15, n_items=300)
    enc = encode_answers(answers)
    _vote_shares_in_place(enc)
    assert "answers_per_item" in enc.__dict__
    np.testing.assert_array_equal(enc.answers_per_item, np.bincount(enc.item_idx, minlength=enc.n_items))
    enc2 = encode_answers(answers)
    cached = enc2.answers_per_item
    _vote_shares_in_place(enc2)
    assert enc2.answers_per_item is cached
