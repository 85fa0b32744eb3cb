"""Simulated transcription crowds for ROVER's tests and benchmark: noisy copies of sentences.

Each item has a true sentence of words drawn from a Zipf-like vocabulary (``w0`` the most
frequent). Each annotator copies it word by word; with its error rate a word is wrong, as a
substitution (half of the errors: another word), a deletion (a quarter) or an insertion (a
quarter: the word, then another one). A spammer writes as many random words as the sentence has,
unrelated to it. Every item is answered by every annotator. With ``confidence_noise``, each answer
gets a ``confidence``: one minus the share of its words that were wrong, plus Gaussian noise of that
standard deviation, clipped to [0, 1]; a spammer's is uniform on [0.6, 1] (an overconfident one).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_random_state
from ..errors import InvalidParameterError

__all__ = ["simulate_transcriptions"]


def simulate_transcriptions(
    n_items: int,
    error_rates: Any = (0.05, 0.1, 0.2, 0.3, 0.4),
    *,
    n_spammers: int = 0,
    vocabulary: int = 1000,
    length: tuple[int, int] = (5, 15),
    confidence_noise: float | None = None,
    random_state: Any = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Answers (item, annotator, text) and the true texts (Series by item, named ``"text"``).

    ``error_rates[a]`` is annotator ``a``'s chance that a word is wrong; ``n_spammers`` more
    annotators answer at random. Sentence lengths are uniform on ``length`` (both ends included).
    Annotators are named ``a0``, ``a1``...; spammers come last.
    """
    rates = np.asarray(error_rates, dtype=float).ravel()
    if n_items < 1 or len(rates) + n_spammers < 1 or ((rates < 0) | (rates > 1)).any() or length[0] < 0:
        raise InvalidParameterError(
            f"simulate_transcriptions needs n_items >= 1, error rates in [0, 1] and at least one annotator, "
            f"got n_items={n_items}, error_rates={rates.tolist()}, n_spammers={n_spammers}, length={length}"
        )
    rng = check_random_state(random_state)
    ranks = np.arange(1, vocabulary + 1)
    freq = 1.0 / ranks
    freq /= freq.sum()
    words = np.array([f"w{i}" for i in range(vocabulary)], dtype=object)
    n_words = rng.integers(length[0], length[1] + 1, n_items)
    truth = rng.choice(vocabulary, size=int(n_words.sum()), p=freq)
    item_start = np.concatenate(([0], np.cumsum(n_words)[:-1]))
    n_annotators = len(rates) + n_spammers
    # one row per (item, annotator, true word): annotators within items, words within annotators
    ans_item = np.repeat(np.arange(n_items), n_annotators)
    ans_annotator = np.tile(np.arange(n_annotators), n_items)
    tok_ans = np.repeat(np.arange(len(ans_item)), n_words[ans_item])
    tok_word = truth[
        np.arange(len(tok_ans))
        - np.repeat(np.cumsum(n_words[ans_item]) - n_words[ans_item], n_words[ans_item])
        + item_start[ans_item[tok_ans]]
    ]
    rate = np.append(rates, 1.0)[np.minimum(ans_annotator[tok_ans], len(rates))]
    spam = ans_annotator[tok_ans] >= len(rates)
    wrong = rng.random(len(tok_ans)) < rate
    kind = rng.random(len(tok_ans))  # < .5 substitution, < .75 deletion, else insertion
    emit = np.where(wrong & ~spam & (kind >= 0.5) & (kind < 0.75), 0, 1) + (wrong & ~spam & (kind >= 0.75))
    out_ans = np.repeat(tok_ans, emit)
    out_word = np.repeat(tok_word, emit)
    first = np.concatenate(([True], np.diff(np.repeat(np.arange(len(tok_ans)), emit)) != 0))
    replace = np.repeat(wrong & (spam | (kind < 0.5)), emit) & first  # a substitution or spam word
    replace |= ~first  # the inserted word
    out_word[replace] = rng.choice(vocabulary, size=int(replace.sum()), p=freq)
    bounds = np.searchsorted(out_ans, np.arange(1, len(ans_item)))
    texts = [" ".join(ws) for ws in np.split(words[out_word], bounds)]
    answers = pd.DataFrame(
        {"item": ans_item, "annotator": np.array([f"a{a}" for a in range(n_annotators)])[ans_annotator], "text": texts}
    )
    if confidence_noise is not None:
        n_wrong = np.bincount(tok_ans, weights=wrong, minlength=len(ans_item))
        share = n_wrong / np.maximum(n_words[ans_item], 1)
        conf = 1.0 - share + rng.normal(0.0, confidence_noise, len(ans_item))
        is_spam = ans_annotator >= len(rates)
        conf[is_spam] = rng.uniform(0.6, 1.0, int(is_spam.sum()))
        answers["confidence"] = np.clip(conf, 0.0, 1.0)
    truth_texts = [" ".join(ws) for ws in np.split(words[truth], np.cumsum(n_words)[:-1])]
    return answers, pd.Series(truth_texts, index=pd.Index(np.arange(n_items), name="item"), name="text")
