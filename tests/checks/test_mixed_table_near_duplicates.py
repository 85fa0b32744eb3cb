"""``near_duplicate`` and ``leakage`` beside texts with ``texts_must_match``: a 1-5 rating alone makes no near duplicate."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import find_data_issues
from labelwise.errors import InvalidParameterError

WORDS = np.array([f"w{i}" for i in range(3000)])
MUST = {"near_duplicate": {"texts_must_match": True}, "leakage": {"texts_must_match": True}}


def mixed_table(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A 1-5 rating and a text of 15 random words per row (no two alike), then three copies placed
    far down: row 150 restyles row 3's text (same rating), row 160 edits one word of row 10's (same
    rating), row 170 copies row 20's text with another rating."""
    rng = np.random.default_rng(seed)
    rating = rng.integers(1, 6, n).astype(np.float64)
    words = [list(rng.choice(WORDS, 15, replace=False)) for _ in range(n)]
    texts = [" ".join(w) for w in words]
    texts[150] = texts[3].upper().replace(" ", ", ")
    rating[150] = rating[3]
    texts[160] = " ".join([*words[10][:14], "changed"])
    rating[160] = rating[10]
    texts[170] = texts[20]
    rating[170] = rating[20] % 5 + 1
    return rating[:, None], np.array(texts, dtype=object)[:, None]


def flagged(found, check: str) -> list[int]:
    return np.flatnonzero(found.issues[f"is_{check}_issue"].to_numpy()).tolist()


def test_a_rating_beside_texts_flags_only_rows_whose_texts_match_too():
    """Default (today's API): every row shares its rating with a fifth of the table, all 200 are
    near duplicates; with texts_must_match, only the two copies of the same rating and their originals."""
    X, texts = mixed_table()
    run = dict(checks=["near_duplicate"], texts=texts)
    assert len(flagged(find_data_issues(X, **run), "near_duplicate")) == 200
    found = find_data_issues(X, **run, check_options=MUST)
    assert flagged(found, "near_duplicate") == [3, 10, 150, 160]
    assert found.info["near_duplicate"]["sets"] == [[3, 150], [10, 160]]
    assert found.info["near_duplicate"]["texts_must_match"] is True
    backwards = find_data_issues(X[::-1], checks=["near_duplicate"], texts=texts[::-1], k=3, check_options=MUST)
    assert flagged(backwards, "near_duplicate") == [39, 49, 189, 196]  # past 3 tied neighbours each
    score = found.issues["near_duplicate_score"].to_numpy()
    assert (score[[3, 10, 150, 160]] == 0).all() and (np.delete(score, [3, 10, 150, 160]) == 1).all()


def test_leakage_beside_texts_flags_only_test_rows_whose_texts_match_a_training_row():
    """Rows 100+ are the test rows: only 150 and 160 copy a training row of their rating; 170's
    copy has another rating (its text still leaks, by near_duplicate_text's similarity)."""
    X, texts = mixed_table()
    split = np.where(np.arange(200) < 100, "train", "test")
    run = dict(checks=["leakage"], texts=texts, split=split)
    assert len(flagged(find_data_issues(X, **run), "leakage")) == 100
    found = find_data_issues(X, **run, check_options=MUST)
    assert flagged(found, "leakage") == [150, 160, 170]
    assert found.info["leakage"]["n_near_text"] == 3  # the text part, unchanged
    only_graph = find_data_issues(X, **run, check_options=MUST | {"near_duplicate_text": {"threshold": 1.0}})
    assert flagged(only_graph, "leakage") == [150, 170]  # 160's one-word edit is no longer a text match


def test_text_embeddings_as_features_keep_their_paraphrases_by_default():
    """Features that are text embeddings: two rows with close embeddings and different words stay
    near duplicates by default, and are not with texts_must_match (the option changes nothing else)."""
    rng = np.random.default_rng(1)
    emb = rng.normal(size=(60, 8))
    emb[41] = emb[7] + 1e-4
    texts = np.array([" ".join(rng.choice(WORDS, 12)) for _ in range(60)], dtype=object)
    assert flagged(find_data_issues(emb, checks=["near_duplicate"], texts=texts), "near_duplicate") == [7, 41]
    must = find_data_issues(emb, checks=["near_duplicate"], texts=texts, check_options=MUST)
    assert flagged(must, "near_duplicate") == []


@pytest.mark.parametrize("check", ["near_duplicate", "leakage"])
def test_texts_must_match_is_checked_and_named(check):
    X, texts = mixed_table()
    split = np.where(np.arange(200) < 100, "train", "test")
    with pytest.raises(
        InvalidParameterError,
        match=rf"check_options\['{check}'\]\['texts_must_match'\] must be True or False, got 'yes'",
    ):
        find_data_issues(
            X, checks=[check], texts=texts, split=split, check_options={check: {"texts_must_match": "yes"}}
        )
    with pytest.raises(
        InvalidParameterError, match=rf"\['{check}'\]\['texts_must_match'\] is True: it needs the rows' texts"
    ):
        find_data_issues(X, checks=[check], split=split, check_options={check: {"texts_must_match": True}})


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.sampled_from([3, 10]))
def test_rows_reordered_flag_the_same_rows(seed, k):
    """The flags and sets follow the rows whatever their order and k: a copy far down among the
    rows of its rating (tied at distance 0, past its k neighbours) is found all the same."""
    X, texts = mixed_table(200, seed=seed % 7)
    split = np.where(np.arange(200) < 100, "train", "test")
    run = dict(checks=["near_duplicate", "leakage"], k=k, check_options=MUST)
    base = find_data_issues(X, texts=texts, split=split, **run)
    assert flagged(base, "near_duplicate") == [3, 10, 150, 160] and flagged(base, "leakage") == [150, 160, 170]
    order = np.random.default_rng(seed).permutation(200)
    moved = find_data_issues(X[order], texts=texts[order], split=split[order], **run)
    for check in ("near_duplicate", "leakage"):
        assert sorted(order[flagged(moved, check)].tolist()) == flagged(base, check)
    sets = sorted(sorted(order[s].tolist()) for s in moved.info["near_duplicate"]["sets"])
    assert sets == base.info["near_duplicate"]["sets"]
