"""Progress inside the near-duplicate text check: a stage ticks once per LSH band and once per block of
pairs whose Jaccard index is computed, on a terminal only."""

from __future__ import annotations

import numpy as np

from labelwise.checks import _text_minhash
from labelwise.checks._text_minhash import (
    BANDS,
    ROWS_PER_BAND,
    SHINGLE,
    THRESHOLD,
    DistinctTexts,
    floored_candidates,
    jaccard,
    near_duplicate_texts,
    signature_floor,
    signatures,
)

from ..scale._bars import assert_complete, drawn
from ._text_data import simulated_texts


class FakeStage:
    """A progress sink: counts the units advanced."""

    def __init__(self) -> None:
        self.done = 0

    def advance(self, n: int = 1) -> None:
        self.done += n


def _texts() -> np.ndarray:
    return np.array(simulated_texts(80, 2), dtype=object).reshape(-1, 1)


def _candidates(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct keys and the candidates at the signature floor, as the check makes them."""
    keys = DistinctTexts.of(texts).keys
    sig = signatures(keys, SHINGLE, BANDS * ROWS_PER_BAND, 0)
    u, v = floored_candidates(sig, BANDS, ROWS_PER_BAND, signature_floor(THRESHOLD, sig.shape[1]))
    return keys, u, v


def test_the_bands_and_the_jaccard_blocks_each_advance_a_given_sink_once():
    """``floored_candidates`` advances once a band, ``jaccard`` once a block of pairs (the last one short)."""
    keys = DistinctTexts.of(_texts()).keys
    sig = signatures(keys, SHINGLE, BANDS * ROWS_PER_BAND, 0)
    bands = FakeStage()
    u, v = floored_candidates(sig, BANDS, ROWS_PER_BAND, 40, progress=bands)
    assert bands.done == BANDS
    blocks = FakeStage()
    jaccard(keys, u, v, SHINGLE, pair_block=7, progress=blocks)
    assert u.size > 7 and blocks.done == -(-u.size // 7)


def test_the_check_draws_both_stages_complete_on_a_terminal(monkeypatch):
    """On a terminal, near_duplicate_texts draws the bands (26/26) and the Jaccard blocks (all of them)."""
    texts = _texts()
    _, u, _ = _candidates(texts)
    monkeypatch.setattr(_text_minhash, "JACCARD_BLOCK", 5)
    with drawn() as buf:
        found = near_duplicate_texts(texts)
    stages = assert_complete(buf.getvalue(), ["near-duplicate texts: LSH bands", "near-duplicate texts: exact Jaccard"])
    assert stages["near-duplicate texts: LSH bands"] == (BANDS, str(BANDS))
    assert u.size > 5 and stages["near-duplicate texts: exact Jaccard"] == (-(-u.size // 5), str(-(-u.size // 5)))
    monkeypatch.undo()
    unchanged = near_duplicate_texts(texts)
    assert found.similarity.tobytes() == unchanged.similarity.tobytes() and found.u.size > 0


def test_off_a_terminal_the_check_draws_nothing(capsys):
    """With stderr captured (not a terminal) the stages stay silent."""
    near_duplicate_texts(_texts())
    assert capsys.readouterr() == ("", "")
