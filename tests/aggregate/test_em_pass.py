"""Tests for Dawid-Skene's E-step and next M-step product by row blocks
(labelwise.aggregate._em_pass.posterior_and_counts, ``DawidSkene._e_step(keep_counts=True)``) and
the guard's row blocks (labelwise.aggregate._guard.relabelled_classes)."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise.aggregate.dawid_skene as dawid_skene
from labelwise.aggregate import DawidSkene, _observed, _patterns, encode_answers
from labelwise.aggregate._base import log_normalize
from labelwise.aggregate._em_pass import posterior_and_counts
from labelwise.aggregate._guard import relabelled_classes, relabelled_given, strict_classes
from labelwise.aggregate._observed import _Observed, take_em_counts
from labelwise.errors import InvalidParameterError


def _whole(m, log_given, log_prior, weights=None):
    """The steps as the E-step and M-step take them on whole arrays."""
    log_joint = np.asarray(m @ log_given)
    log_joint += log_prior
    post, log_z = log_normalize(log_joint, overwrite=True)
    counts = np.asarray(m.T @ (post if weights is None else post * weights[:, None]))
    return post, log_z, counts


def _problem(seed: int, n: int, c: int, k: int, index_dtype=np.int32, zero_column: bool = True):
    rng = np.random.default_rng(seed)
    m = sp.random(n, c, density=min(1.0, 4.0 / max(c, 1)), format="csr", random_state=rng)
    m.data[:] = rng.integers(1, 3, m.nnz)  # answer counts (some rows empty)
    m.indices = m.indices.astype(index_dtype)
    m.indptr = m.indptr.astype(index_dtype)
    log_given = np.log(rng.dirichlet(np.ones(k), c))
    if zero_column and c and rng.random() < 0.3:
        log_given[rng.integers(0, c)] = -np.inf  # a column whose every class has probability 0
    log_prior = np.log(rng.dirichlet(np.ones(k)))
    return m, log_given, log_prior


def _assert_same(got, want):
    for a, b in zip(got, want, strict=True):
        assert a.shape == b.shape
        np.testing.assert_array_equal(a, b)


class TestPosteriorAndCounts:
    @settings(max_examples=80, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        n=st.integers(0, 300),
        c=st.integers(1, 40),
        k=st.integers(1, 7),
        block=st.integers(1, 400),
        weighted=st.booleans(),
        wide=st.booleans(),
    )
    def test_any_block_size_equals_the_whole_array_steps(self, seed, n, c, k, block, weighted, wide):
        """Bit for bit: the posterior, its log normalisers and ``M.T @ (w T)`` (int32 and int64 indices)."""
        m, log_given, log_prior = _problem(seed, n, c, k, np.int64 if wide else np.int32)
        weights = np.random.default_rng(seed).integers(1, 4, n).astype(np.float64) if weighted else None
        with np.errstate(invalid="ignore", divide="ignore"):  # rows whose classes all have probability 0
            got = posterior_and_counts(m, log_given, log_prior, row_weights=weights, block_rows=block)
            want = _whole(m, log_given, log_prior, weights)
        _assert_same(got, want)

    def test_into_a_used_buffer(self):
        """``out`` holding old values: written in place, the same numbers."""
        m, log_given, log_prior = _problem(1, 500, 30, 4, zero_column=False)
        out = np.random.default_rng(0).standard_normal((500, 4))
        post, log_z, counts = posterior_and_counts(m, log_given, log_prior, out=out, block_rows=64)
        assert post is out
        _assert_same((post, log_z, counts), _whole(m, log_given, log_prior))

    @pytest.mark.parametrize("kind", ["read-only", "strided", "float32", "shape"])
    def test_a_buffer_it_cannot_write_is_left_alone(self, kind):
        m, log_given, log_prior = _problem(2, 200, 20, 3, zero_column=False)
        out = {
            "read-only": np.zeros((200, 3)),
            "strided": np.zeros((200, 6))[:, ::2],
            "float32": np.zeros((200, 3), dtype=np.float32),
            "shape": np.zeros((199, 3)),
        }[kind]
        out.flags.writeable = kind != "read-only"
        before = out.copy()
        got = posterior_and_counts(m, log_given, log_prior, out=out)
        assert got[0] is not out
        np.testing.assert_array_equal(out, before)
        _assert_same(got, _whole(m, log_given, log_prior))

    def test_read_only_and_memory_mapped_matrix(self, tmp_path):
        """The count matrix's arrays read-only or memory-mapped: read, never written."""
        m, log_given, log_prior = _problem(3, 400, 25, 5, zero_column=False)
        want = _whole(m, log_given, log_prior)
        arrays = {}
        for name in ("data", "indices", "indptr"):
            arr = getattr(m, name)
            mm = np.lib.format.open_memmap(tmp_path / f"{name}.npy", mode="w+", dtype=arr.dtype, shape=arr.shape)
            mm[:] = arr
            mm.flush()
            arrays[name] = np.load(tmp_path / f"{name}.npy", mmap_mode="r")
        mapped = sp.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=m.shape)
        _assert_same(posterior_and_counts(mapped, log_given, log_prior, block_rows=33), want)

    def test_a_matrix_the_kernels_cannot_take_gives_the_whole_array_steps(self):
        """Mixed index dtypes (scipy's kernels need one): the whole-array path, the same numbers."""
        m, log_given, log_prior = _problem(4, 120, 10, 3, zero_column=False)
        odd = sp.csr_matrix((m.data, m.indices.astype(np.int64), m.indptr.astype(np.int32)), shape=m.shape)
        odd.indices = m.indices.astype(np.int64)
        _assert_same(posterior_and_counts(odd, log_given, log_prior), _whole(m, log_given, log_prior))

    @pytest.mark.parametrize("block", [0, -1, 2.5, True, "64"])
    def test_block_rows_is_validated(self, block):
        m, log_given, log_prior = _problem(5, 10, 5, 2)
        with pytest.raises(InvalidParameterError, match="block_rows"):
            posterior_and_counts(m, log_given, log_prior, block_rows=block)

    def test_shapes_are_validated(self):
        m, log_given, log_prior = _problem(6, 10, 5, 2)
        with pytest.raises(InvalidParameterError, match="log_given"):
            posterior_and_counts(m, log_given[:4], log_prior)
        with pytest.raises(InvalidParameterError, match="log_prior"):
            posterior_and_counts(m, log_given, log_prior[:1])


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


def _fit(answers: pd.DataFrame, monkeypatch, *, reuse: bool, **params):
    with monkeypatch.context() as mp:
        if not reuse:  # every M-step takes its own product, as before the E-step left one
            mp.setattr(dawid_skene, "take_em_counts", lambda obs, post: None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return DawidSkene(**params).fit(answers)


class TestDawidSkeneWithTheEStepsCounts:
    @pytest.mark.parametrize("grouped", [True, False])
    @pytest.mark.parametrize("duplicates", ["keep", "last"])
    def test_equals_the_fit_whose_m_steps_take_their_own_products(self, monkeypatch, grouped, duplicates):
        """Labels, posteriors, skills, confusion matrices and the loss history bit for bit, with
        pattern weights (grouped) or one item per row (ungrouped)."""
        if not grouped:
            monkeypatch.setattr(_patterns, "PATTERN_SAMPLE_ITEMS", 200)
        answers = _crowd(7, per_item=2 if grouped else 4, n_ann=20 if grouped else 300)
        answers = pd.concat([answers, answers.iloc[:50]], ignore_index=True)  # repeated answers
        got = _fit(answers, monkeypatch, reuse=True, duplicates=duplicates)
        want = _fit(answers, monkeypatch, reuse=False, duplicates=duplicates)
        self._assert_same_fit(got, want)

    def test_with_dependent_pairs(self, monkeypatch):
        """Weighted answers (a dependent pair) and a numeric smoothing: the same fits."""
        answers = _dependent_crowd()
        got = _fit(answers, monkeypatch, reuse=True)
        assert len(got.dependent_pairs_) == 1
        self._assert_same_fit(got, _fit(answers, monkeypatch, reuse=False))
        self._assert_same_fit(
            _fit(answers, monkeypatch, reuse=True, smoothing=0.5),
            _fit(answers, monkeypatch, reuse=False, smoothing=0.5),
        )

    @pytest.mark.parametrize("rows", [1, 2])
    def test_one_or_two_answers(self, monkeypatch, rows):
        answers = pd.DataFrame({"item": [0, 1][:rows], "annotator": ["a", "b"][:rows], "label": ["x", "y"][:rows]})
        self._assert_same_fit(
            _fit(answers, monkeypatch, reuse=True, labels=["x", "y"]),
            _fit(answers, monkeypatch, reuse=False, labels=["x", "y"]),
        )

    def test_the_counts_are_used_by_every_m_step_of_em(self, monkeypatch):
        """Each M-step after an E-step finds that E-step's product (the first, from the start, does not)."""
        found: list[bool] = []
        original = dawid_skene.take_em_counts

        def spy(obs, post):  # type: ignore[no-untyped-def]
            got = original(obs, post)
            found.append(got is not None)
            return got

        monkeypatch.setattr(dawid_skene, "take_em_counts", spy)
        est = _fit(_crowd(8), monkeypatch, reuse=True, dependency_threshold=None)
        assert found == [False] + [True] * est.n_iter_  # EM's M-steps, then the final one

    def test_a_shared_encoding_is_left_intact(self):
        """A fit on a shared encoding (as ``AutoAggregator``'s) changes none of its arrays."""
        enc = encode_answers(_crowd(9))
        before = {f.name: getattr(enc, f.name) for f in dataclasses.fields(enc)}
        copies = {name: v.copy() for name, v in before.items() if isinstance(v, np.ndarray)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            DawidSkene()._fit_encoded(enc)
        for name, value in copies.items():
            np.testing.assert_array_equal(getattr(enc, name), value)

    @staticmethod
    def _assert_same_fit(got, want):
        np.testing.assert_array_equal(got.label_codes_, want.label_codes_)
        np.testing.assert_array_equal(got.probas_.to_numpy(), want.probas_.to_numpy())
        np.testing.assert_array_equal(got.annotator_skill_.to_numpy(), want.annotator_skill_.to_numpy())
        np.testing.assert_array_equal(got.annotator_confusion_, want.annotator_confusion_)
        assert got.loss_history_ == want.loss_history_ and got.n_iter_ == want.n_iter_


class TestTakeEmCounts:
    def test_only_for_the_same_array_and_once(self):
        enc = encode_answers(_crowd(10, n_items=50))
        obs = _Observed.build(enc.patterns)
        post = np.full((obs.m.shape[0], enc.n_classes), 1.0 / enc.n_classes)
        counts = np.asarray(obs.mt @ post)
        obs.em_counts["counts"] = (post, counts)
        assert take_em_counts(obs, post.copy()) is None  # another array (even equal) ...
        assert "counts" not in obs.em_counts  # ... and the entry is gone
        obs.em_counts["counts"] = (post, counts)
        assert take_em_counts(obs, post) is counts
        assert take_em_counts(obs, post) is None

    def test_a_replaced_observation_starts_empty(self):
        enc = encode_answers(_crowd(11, n_items=50))
        obs = _Observed.build(enc.patterns)
        obs.em_counts["counts"] = (None, None)
        assert dataclasses.replace(obs, weights=obs.weights * 2).em_counts == {}
        assert _observed._with_answer_weights(obs, obs.m.data * 0.5).em_counts == {}


def _relabelled_reference(reference, post, weights=None, min_share=0.01):
    """The guard on whole arrays (``np.bincount`` over every strict row)."""
    k = reference.shape[1]
    top = reference.max(axis=1)
    strict = (reference >= top[:, None] - 1e-12).sum(axis=1) == 1
    w = np.ones(len(reference)) if weights is None else weights
    table = np.bincount(
        reference.argmax(axis=1)[strict] * k + post.argmax(axis=1)[strict], weights=w[strict], minlength=k * k
    ).reshape(k, k)
    best, row_total = table.argmax(axis=1), table.sum(axis=1)
    moved = (best != np.arange(k)) & (table.max(axis=1) >= 0.5 * row_total) & (row_total > 0)
    if table.max(axis=1)[moved].sum() < min_share * table.sum():
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(moved)


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
        assert np.array_equal(got, _relabelled_reference(reference, post, w, share))

    def test_read_only_and_memory_mapped_inputs(self, tmp_path):
        rng = np.random.default_rng(0)
        reference = rng.integers(0, 4, (1000, 3)).astype(np.float64)
        post = reference[:, [1, 2, 0]] + rng.random((1000, 3)) * 0.1
        want = _relabelled_reference(reference, post)
        assert len(want)
        np.save(tmp_path / "ref.npy", reference)
        mapped = np.load(tmp_path / "ref.npy", mmap_mode="r")
        post.flags.writeable = False
        assert np.array_equal(relabelled_classes(mapped, post, block_rows=77), want)

    def test_nan_rows_are_not_strict(self):
        reference = np.array([[np.nan, 1.0], [2.0, 0.0], [0.0, 3.0]])
        post = np.array([[0.9, 0.1], [0.2, 0.8], [0.9, 0.1]])
        assert np.array_equal(relabelled_classes(reference, post, block_rows=2), _relabelled_reference(reference, post))

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
        real = dawid_skene.posterior_and_counts

        def spy(m, log_given, log_prior, *, out=None, **kw):  # type: ignore[no-untyped-def]
            outs.append(out is not None)
            return real(m, log_given, log_prior, out=out, **kw)

        answers = _crowd(12)
        with monkeypatch.context() as mp:
            mp.setattr(dawid_skene, "posterior_and_counts", spy)
            got = _fit(answers, monkeypatch, reuse=True, dependency_threshold=None)
        assert outs and all(outs)  # every E-step into an old array, the first into the start
        real_run_em = DawidSkene._run_em

        def fresh_start(self, *args, overwrite_start=False):  # type: ignore[no-untyped-def]
            return real_run_em(self, *args, overwrite_start=False)

        monkeypatch.setattr(DawidSkene, "_run_em", fresh_start)
        want = _fit(answers, monkeypatch, reuse=True, dependency_threshold=None)
        TestDawidSkeneWithTheEStepsCounts._assert_same_fit(got, want)

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
        want = _relabelled_reference(reference, post, w)
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
