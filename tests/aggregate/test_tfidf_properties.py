"""Row order of :func:`labelwise.aggregate.tfidf_encoder`, the default text encoder of the text
aggregators: the vocabulary and the inverse document frequencies are fitted on the whole list, so
permuting the texts permutes the rows of the vectors and changes nothing else (to rounding)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import tfidf_encoder

WORDS = ["the", "cat", "sat", "on", "mat", "Dog", "ran", "a", "x"]
texts = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join), min_size=1, max_size=15)


@given(texts=texts, seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_permuting_texts_permutes_the_vectors(texts, seed):
    """Shuffled texts give the same vectors, row for row, in the shuffled order."""
    perm = np.random.default_rng(seed).permutation(len(texts))
    a = tfidf_encoder(texts).toarray()
    b = tfidf_encoder([texts[i] for i in perm]).toarray()
    np.testing.assert_allclose(b, a[perm], rtol=1e-12, atol=1e-15)
