"""leakage on texts: evaluation rows whose texts are the same or nearly the same as a training row's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.checks import find_data_issues

from ._text_data import brute_force_pairs, jaccard, simulated_texts

TEXTS = [
    "Refund issued after the parcel arrived damaged.",  # 0 train
    "Great camera, poor battery life on long trips.",  # 1 train
    "The delivery driver left the box in the rain.",  # 2 train
    "refund issued after the parcel arrived DAMAGED!!",  # 3 test: 0 restyled
    "Great camera, poor battery life on longer trips.",  # 4 test: 1 with one word edited
    "The manual is missing pages eleven to twenty.",  # 5 test: new
    "The manual is missing pages eleven to twenty!",  # 6 test: 5 restyled, inside the test part
    "Refund issued after the parcel arrived damaged.",  # 7 test: 0 as written
]
SPLIT = ["train"] * 3 + ["test"] * 5


class TestTextOnly:
    def test_test_rows_with_a_near_copy_in_train_are_flagged_and_train_rows_never(self):
        """A text-only table with a split: restyled and lightly edited copies of training texts leak;
        copies inside the test part and training rows do not."""
        found = find_data_issues(texts=TEXTS, split=SPLIT)
        assert found.summary.set_index("check").loc["leakage", "status"] == "ran"
        assert np.flatnonzero(found.issues["is_leakage_issue"]).tolist() == [3, 4, 7]
        info = found.info["leakage"]
        assert (info["n_train"], info["n_eval"], info["n_exact"], info["n_near_text"]) == (3, 5, 1, 3)
        score = found.issues["leakage_score"].to_numpy()
        assert score[7] == score[3] == 0.0  # as written; the same normalised text
        assert score[4] == pytest.approx(1 - jaccard(TEXTS[1], TEXTS[4]))
        assert score[0] == score[1] == score[2] == score[5] == score[6] == 1.0

    def test_the_flags_are_the_eval_rows_of_brute_force_pairs_with_a_train_row(self):
        """On simulated texts split at random, the flagged rows are exactly the test rows with a training
        row at Jaccard >= 0.7, compared one by one."""
        texts = simulated_texts(300, seed=21)
        rng = np.random.default_rng(21)
        train = rng.random(len(texts)) < 0.6
        found = find_data_issues(texts=texts, split=train, checks="leakage")
        expected = np.zeros(len(texts), dtype=bool)
        for i, j in brute_force_pairs(texts):
            expected[i] |= train[j] and not train[i]
            expected[j] |= train[i] and not train[j]
        assert expected.sum() > 20
        np.testing.assert_array_equal(found.issues["is_leakage_issue"].to_numpy(), expected)

    def test_a_lower_threshold_for_near_duplicate_text_is_leakages_too(self):
        """check_options['near_duplicate_text']['threshold'] sets the text threshold of both checks."""
        texts = ["the room was clean and the staff friendly", "the room was tidy and the staff were kind"]
        strict = find_data_issues(texts=texts, split=["train", "test"], checks="leakage")
        loose = find_data_issues(
            texts=texts,
            split=["train", "test"],
            checks="leakage",
            check_options={"near_duplicate_text": {"threshold": 0.3}},
        )
        assert strict.issues["is_leakage_issue"].tolist() == [False, False]
        assert loose.issues["is_leakage_issue"].tolist() == [False, True]
        assert loose.info["leakage"]["text_threshold"] == 0.3


class TestWithFeatures:
    def test_a_near_copy_of_a_training_text_leaks_beside_features(self):
        """A table with a rating and a review: the feature graph's leaks are kept, and a test review that
        restyles a training review leaks although its rating differs."""
        rng = np.random.default_rng(4)
        n = 200
        X = rng.normal(size=(n, 3))
        texts = pd.Series([f"review number {i} about product {i * 7919 % 1000}" for i in range(n)])
        split = np.array(["train"] * 150 + ["test"] * 50)
        X[150] = X[3] + 1e-6  # a feature near copy, its own text
        texts[160] = texts[5].upper() + "!"  # a text copy, other features
        found = find_data_issues(X, texts=texts, split=split, checks="leakage")
        assert np.flatnonzero(found.issues["is_leakage_issue"]).tolist() == [150, 160]
        assert found.info["leakage"]["n_near_text"] == 1
        assert found.issues["leakage_score"].iloc[160] == 0.0
