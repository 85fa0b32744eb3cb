"""Token (NER) noise: tags flipped within an entity type (span boundaries) and between types."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate.arguments import check_fraction, check_random_state, show
from ..errors import InvalidLabelsError

__all__ = ["NoisyTokenTags", "flip_token_tags"]


@dataclass(frozen=True, eq=False)
class NoisyTokenTags:
    """Per-sentence IOB tags after simulated noise.

    Attributes
    ----------
    labels, true_labels : list of ndarray of str
        Noisy and original tags, one array per sentence.
    is_flipped : list of ndarray of bool
        Per sentence, which tags changed.
    kind : list of ndarray of str
        Per sentence: ``""`` (unchanged), ``"within"`` (B/I swapped inside a type) or ``"between"``
        (another entity type).
    """

    labels: list[np.ndarray]
    true_labels: list[np.ndarray]
    is_flipped: list[np.ndarray]
    kind: list[np.ndarray]

    @property
    def n_flipped(self) -> int:
        """Number of changed tags."""
        return int(sum(f.sum() for f in self.is_flipped))


def flip_token_tags(
    labels: Any, *, within_rate: float = 0.05, between_rate: float = 0.05, random_state: Any = None
) -> NoisyTokenTags:
    """Flip IOB entity tags: ``B-X <-> I-X`` with ``within_rate``, ``?-X -> ?-Y`` with ``between_rate``.

    Only entity tokens (not ``O``) are flipped. ``within`` errors move a span boundary; ``between``
    errors keep the prefix and change the entity type to another type seen in the data, chosen
    uniformly.

    Parameters
    ----------
    labels : list of sequences of str
        IOB tags (``"O"``, ``"B-PER"``, ``"I-PER"``...) per sentence.
    within_rate, between_rate : float
        Per entity token; their sum must be at most 1.
    random_state : int, Generator or None
    """
    within = check_fraction("within_rate", within_rate, closed_high=True)
    between = check_fraction("between_rate", between_rate, closed_high=True)
    if within + between > 1:
        raise InvalidLabelsError(f"within_rate + between_rate must be at most 1, got {within + between:g}")
    if isinstance(labels, (str, bytes, Mapping)) or not isinstance(labels, Iterable):
        raise InvalidLabelsError(f"labels must be a list of sentences (lists of IOB tags), got {type(labels).__name__}")
    sentences = [np.asarray(s, dtype=object) for s in labels]
    flat_given = next((i for i, s in enumerate(sentences) if s.ndim != 1), None)
    if flat_given is not None:
        raise InvalidLabelsError(
            f"labels must be a list of sentences, each a list of IOB tags; sentence {flat_given} is "
            f"{show(sentences[flat_given].tolist())} (for one sentence, pass [tags])"
        )
    flat = np.concatenate(sentences) if sentences else np.zeros(0, dtype=object)
    is_entity = np.array([isinstance(t, str) and len(t) > 2 and t[1] == "-" for t in flat], dtype=bool)
    bad = [t for t in flat if not isinstance(t, str)]
    if bad:
        raise InvalidLabelsError(f"labels must be IOB tag strings, got {bad[0]!r}")
    types = np.array([t[2:] if e else "" for t, e in zip(flat, is_entity, strict=False)], dtype=object)
    prefix = np.array([t[:2] if e else "" for t, e in zip(flat, is_entity, strict=False)], dtype=object)
    kinds = sorted(set(types[is_entity]))
    rng = check_random_state(random_state)
    u = rng.random(flat.shape[0])
    do_within = is_entity & (u < within)
    do_between = is_entity & (u >= within) & (u < within + between) & (len(kinds) > 1)
    noisy = flat.copy()
    swap = {"B-": "I-", "I-": "B-"}
    for i in np.flatnonzero(do_within):
        noisy[i] = swap.get(prefix[i], prefix[i]) + types[i]
    for i in np.flatnonzero(do_between):
        others = [k for k in kinds if k != types[i]]
        noisy[i] = prefix[i] + others[int(rng.integers(len(others)))]
    flipped = noisy != flat
    kind = np.where(flipped & do_within, "within", np.where(flipped & do_between, "between", ""))
    bounds = np.cumsum([len(s) for s in sentences])[:-1]
    return NoisyTokenTags(
        np.split(noisy, bounds), [s.copy() for s in sentences], np.split(flipped, bounds), np.split(kind, bounds)
    )
