"""near_duplicate_text: rows whose normalised texts share at least 0.7 of their character 5-shingles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.checks import find_data_issues
from labelwise.checks._text_minhash import (
    BANDS,
    ROWS_PER_BAND,
    THRESHOLD,
    miss_probability,
    near_duplicate_texts,
    normalise,
)
from labelwise.errors import InvalidParameterError

from ._text_data import brute_force_pairs, jaccard, shingles, simulated_texts

REVIEWS = [
    "The battery lasts two full days and charges quickly.",  # 0
    "the battery lasts two full days, and charges quickly!",  # 1: 0 with case and punctuation changed
    "The battery lasts two full days and charges very quickly.",  # 2: 0 with one word added
    "Terrible screen, returned it after a week.",  # 3
    "Shipping was slow but the seller answered every question.",  # 4
    None,  # 5
    "",  # 6
    "   ",  # 7
    "Shipping was slow but the seller answered each question.",  # 8: 4 with one word changed
]


def flagged_pairs(texts: list[str]) -> set[tuple[int, int]]:
    """The row pairs the library finds (pairs of distinct texts, and rows sharing a normalised text)."""
    found = near_duplicate_texts(np.array(texts, dtype=object).reshape(-1, 1))
    rows: dict[int, list[int]] = {}
    for r, c in enumerate(found.code):
        if c >= 0:
            rows.setdefault(int(c), []).append(r)
    out = {(a, b) for members in rows.values() for i, a in enumerate(members) for b in members[i + 1 :]}
    for u, v in zip(found.u, found.v, strict=True):
        out |= {(min(a, b), max(a, b)) for a in rows[int(u)] for b in rows[int(v)]}
    return out


class TestFlags:
    def test_restyled_and_lightly_edited_reviews_are_one_set_and_others_are_not(self):
        """Case, punctuation and a one-word edit keep a review in its set; missing and blank texts are never flagged."""
        found = find_data_issues(texts=REVIEWS)
        info = found.info["near_duplicate_text"]
        assert info["sets"] == [[0, 1, 2], [4, 8]]
        assert (info["threshold"], info["shingle"]) == (0.7, 5)
        flags = found.issues["is_near_duplicate_text_issue"].to_numpy()
        np.testing.assert_array_equal(flags, [1, 1, 1, 0, 1, 0, 0, 0, 1])
        score = found.issues["near_duplicate_text_score"].to_numpy()
        assert score[0] == score[1] == 0.0  # the same normalised text
        assert score[2] == pytest.approx(1 - jaccard(REVIEWS[0], REVIEWS[2]))
        assert score[3] == score[5] == score[6] == 1.0

    def test_the_pairs_are_the_brute_force_jaccard_pairs_on_simulated_texts(self):
        """On 1,200 simulated texts LSH finds every pair at or above the threshold, and no other."""
        texts = simulated_texts(600, seed=9)
        texts[:40] = texts[600:640]  # some texts repeated as written
        expected = brute_force_pairs(texts)
        assert len(expected) > 300
        assert flagged_pairs(texts) == expected

    def test_the_same_text_in_two_different_columns_is_not_a_duplicate(self):
        """Shingles are kept per column: a title equal to another row's body does not count."""
        frame = pd.DataFrame(
            {"title": ["solid build quality overall", None, "x"], "body": [None, "solid build quality overall", "y"]}
        )
        found = find_data_issues(texts=frame, checks="near_duplicate_text")
        assert not found.issues["is_near_duplicate_text_issue"].any()
        frame.loc[1, ["title", "body"]] = ["Solid build quality, overall.", None]
        found = find_data_issues(texts=frame, checks="near_duplicate_text")
        assert found.info["near_duplicate_text"]["sets"] == [[0, 1]]

    def test_a_lower_threshold_flags_more_pairs(self):
        """check_options' threshold is used: at 0.3 the review and its less similar rewording pair up."""
        texts = ["the room was clean and the staff friendly", "the room was tidy and the staff were kind"]
        strict = find_data_issues(texts=texts, checks="near_duplicate_text")
        loose = find_data_issues(
            texts=texts, checks="near_duplicate_text", check_options={"near_duplicate_text": {"threshold": 0.3}}
        )
        assert not strict.issues["is_near_duplicate_text_issue"].any()
        assert loose.issues["is_near_duplicate_text_issue"].all()

    def test_the_bands_miss_a_pair_at_the_threshold_rarely(self):
        """26 bands of 4 minima: a pair at Jaccard 0.7 is missed with probability below 1e-3, at 0.2 taken under 5%."""
        assert miss_probability(THRESHOLD) < 1e-3
        assert 1 - miss_probability(0.2) < 0.05
        assert (BANDS, ROWS_PER_BAND) == (26, 4)


class TestPeers:
    def test_datasketch_minhash_estimates_agree_with_the_exact_jaccard(self):
        """Peer: datasketch's MinHash (256 permutations) of the same shingle sets estimates each found pair's
        Jaccard within four standard errors of the exact value."""
        datasketch = pytest.importorskip("datasketch")
        texts = simulated_texts(400, seed=11)
        found = near_duplicate_texts(np.array(texts, dtype=object).reshape(-1, 1))
        first = {int(c): r for r, c in reversed(list(enumerate(found.code)))}
        for u, v, s in list(zip(found.u, found.v, found.similarity, strict=True))[:60]:
            hashes = []
            for row in (first[int(u)], first[int(v)]):
                m = datasketch.MinHash(num_perm=256, seed=1)
                m.update_batch([g.encode("utf-8") for g in shingles(texts[row])])
                hashes.append(m)
            se = np.sqrt(s * (1 - s) / 256) + 1e-9
            assert abs(hashes[0].jaccard(hashes[1]) - s) <= 4 * se + 1 / 256

    def test_labelwise_misses_fewer_pairs_than_datasketch_lsh(self):
        """Peer: datasketch's MinHashLSH at threshold 0.7 (128 permutations, its own bands), its candidates
        checked exactly, misses more of the brute force's pairs than labelwise, which misses at most one
        (a pair at Jaccard 0.7 is missed with probability below 1e-3)."""
        datasketch = pytest.importorskip("datasketch")
        texts = simulated_texts(400, seed=12)
        lsh = datasketch.MinHashLSH(threshold=0.7, num_perm=128)
        sets = [shingles(t) for t in texts]
        for i, s in enumerate(sets):
            m = datasketch.MinHash(num_perm=128, seed=3)
            m.update_batch([g.encode("utf-8") for g in s])
            lsh.insert(i, m)
        peer = set()
        for i, s in enumerate(sets):
            m = datasketch.MinHash(num_perm=128, seed=3)
            m.update_batch([g.encode("utf-8") for g in s])
            for j in lsh.query(m):
                if j > i and len(s & sets[j]) / len(s | sets[j]) >= 0.7:
                    peer.add((i, j))
        ours, truth = flagged_pairs(texts), brute_force_pairs(texts)
        assert ours <= truth and peer <= truth
        assert len(truth - ours) <= 1 and len(truth - ours) < len(truth - peer)

    def test_rows_sharing_a_normalised_text_are_pandas_duplicated_of_the_normalised_column(self):
        """Peer: the rows at similarity 1 are those pandas' duplicated(keep=False) flags on the normalised texts."""
        rng = np.random.default_rng(3)
        words = np.array(["Good", "good!", "GOOD", "bad", "Bad.", "fine", "so-so", "so so"])
        texts = [" ".join(rng.choice(words, 2)) for _ in range(400)]
        found = near_duplicate_texts(np.array(texts, dtype=object).reshape(-1, 1), threshold=1.0)
        ours = found.count[found.code] >= 2
        expected = pd.Series(texts).map(normalise).duplicated(keep=False).to_numpy()
        np.testing.assert_array_equal(ours, expected)


class TestBadInput:
    @pytest.mark.parametrize(
        ("option", "value", "message"),
        [
            (
                "threshold",
                0,
                r"check_options\['near_duplicate_text'\]\['threshold'\] must be a number in \(0, 1\], got 0",
            ),
            ("threshold", 1.5, r"\['threshold'\] must be a number in \(0, 1\], got 1.5"),
            ("threshold", "0.7", r"\['threshold'\] must be a number, got '0.7'"),
            ("shingle", 0, r"\['shingle'\] must be an integer >= 1, got 0"),
            ("block_rows", 2.5, r"\['block_rows'\] must be an integer >= 1, got 2.5"),
        ],
    )
    def test_a_bad_option_is_refused_naming_it(self, option, value, message):
        """Each option is checked, and the error names it, what was expected and what was given."""
        with pytest.raises(InvalidParameterError, match=message):
            find_data_issues(texts=REVIEWS, check_options={"near_duplicate_text": {option: value}})

    def test_a_number_among_the_texts_is_refused(self):
        """The texts are validated as for exact_duplicate: a number names its row."""
        with pytest.raises(InvalidParameterError, match="texts must hold strings"):
            find_data_issues(texts=["a", 3, "b"], checks="near_duplicate_text")
