"""Properties of ``noise.token.flip_token_tags``: sentences keep their lengths; only entity tokens
change; a ``within`` flip swaps ``B-``/``I-`` and keeps the type, a ``between`` flip keeps the prefix
and takes another type seen in the data; rate 1 of either flips every token it can; the truth is
the input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseError
from labelwise.noise import flip_token_tags

SETTINGS = settings(max_examples=60, deadline=None)

TYPES = ["PER", "LOC", "ORG", "X-Y", "é"]
tags = st.one_of(
    st.just("O"),
    st.builds(lambda p, t: f"{p}-{t}", st.sampled_from(["B", "I", "E", "S"]), st.sampled_from(TYPES)),
)
corpora = st.lists(st.lists(tags, min_size=0, max_size=8), min_size=1, max_size=10)


class TestFlipTokenTags:
    @SETTINGS
    @given(
        sentences=corpora,
        within=st.sampled_from([0.0, 0.3, 1.0]),
        between=st.sampled_from([0.0, 0.3, 1.0]),
        seed=st.integers(0, 2**32 - 1),
    )
    def test_flips_follow_their_kind(self, sentences, within, between, seed):
        """Each flip is of its recorded kind, on an entity token, and keeps what that kind keeps."""
        if within + between > 1:
            return
        out = flip_token_tags(sentences, within_rate=within, between_rate=between, random_state=seed)
        kinds = sorted({t[2:] for s in sentences for t in s if t != "O"})
        assert [list(s) for s in out.true_labels] == sentences
        for noisy, truth, flipped, kind in zip(out.labels, sentences, out.is_flipped, out.kind, strict=True):
            assert len(noisy) == len(truth) == len(flipped) == len(kind)
            for new, old, f, k in zip(noisy, truth, flipped, kind, strict=True):
                assert f == (new != old)
                assert k == ("" if not f else k)
                if not f:
                    continue
                assert old != "O"
                if k == "within":
                    assert {old[:2], new[:2]} == {"B-", "I-"} and new[2:] == old[2:]
                else:
                    assert k == "between" and new[:2] == old[:2] and new[2:] != old[2:] and new[2:] in kinds

    @SETTINGS
    @given(sentences=corpora, seed=st.integers(0, 2**32 - 1))
    def test_rate_one_flips_every_token_it_can(self, sentences, seed):
        """``within_rate=1`` flips every B-/I- token; ``between_rate=1`` every entity token when two types exist."""
        out = flip_token_tags(sentences, within_rate=1.0, between_rate=0.0, random_state=seed)
        for noisy, truth in zip(out.labels, sentences, strict=True):
            for new, old in zip(noisy, truth, strict=True):
                assert (new != old) == (old[:2] in ("B-", "I-"))
        out = flip_token_tags(sentences, within_rate=0.0, between_rate=1.0, random_state=seed)
        two_types = len({t[2:] for s in sentences for t in s if t != "O"}) > 1
        for noisy, truth in zip(out.labels, sentences, strict=True):
            np.testing.assert_array_equal(
                np.array([a != b for a, b in zip(noisy, truth, strict=True)], dtype=bool),
                np.array([two_types and t != "O" for t in truth], dtype=bool),
            )

    @SETTINGS
    @given(sentences=corpora.filter(lambda c: any(c)), seed=st.integers(0, 2**32 - 1))
    def test_one_flat_sentence_is_refused_naming_labels(self, sentences, seed):
        """The tags of one sentence passed flat (not ``[tags]``), or a text or a number, raise a labelwise
        error naming ``labels`` (on main numpy's "zero-dimensional arrays cannot be concatenated")."""
        flat = next(s for s in sentences if s)
        for bad in (flat, " ".join(flat), 3, None):
            with pytest.raises(LabelwiseError, match="labels must be a list of sentences"):
                flip_token_tags(bad, random_state=seed)
