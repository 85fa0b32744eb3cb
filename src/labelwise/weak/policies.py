"""Augmentation policies: which sequences of transformation functions run on each row.

A policy turns ``n`` rows and ``m`` transformation functions into an integer array of shape
``(n, n_per_original, sequence_length)``: the TFs (by position, ``-1`` for none) applied in order
to make each of a row's ``n_per_original`` augmented copies; with ``keep_original`` the row itself
is kept too (Snorkel's empty sequence, first). The five policies are Snorkel's: all TFs in order,
each TF alone, the one TF, and TFs drawn uniformly or from a distribution ``p`` (the mean-field
model of TANDA, Ratner et al. 2017, whose learned ``p`` is given here).

The random policies draw every row's sequences in one call of numpy's ``choice``. With an int
``random_state`` the draws come from ``numpy.random.RandomState(random_state)``, the stream
Snorkel draws from after ``np.random.seed(random_state)``, in the same order (row by row, copy by
copy, step by step): the same seed gives Snorkel's sequences. With ``random_state=None`` they come
from numpy's global random state, as in Snorkel; a ``Generator`` is drawn from as given.
:meth:`Policy.stream` draws the same sequences block after block (for
:func:`~labelwise.weak.augment_batches`); :meth:`Policy.for_partition` gives the policy a partition
of a lazily augmented Dask frame draws from (partition 0 the policy itself, partition ``i`` a seed
spawned from the policy's by ``numpy.random.SeedSequence``).

References
----------
.. [1] A. J. Ratner, H. R. Ehrenberg, Z. Hussain, J. Dunnmon and C. Ré, "Learning to Compose
   Domain-Specific Transformations for Data Augmentation", NeurIPS 2017.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .._validate.arguments import show
from ..errors import InvalidParameterError

__all__ = ["ApplyAllPolicy", "ApplyEachPolicy", "ApplyOnePolicy", "MeanFieldPolicy", "Policy", "RandomPolicy"]


def _count(name: str, value: Any, *, or_none: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)) or int(value) < 1:
        raise InvalidParameterError(
            f"{name} must be a positive integer{' or None' if or_none else ''}, got {show(value)}"
        )
    return int(value)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(f"{name} must be True or False, got {show(value)}")
    return bool(value)


class Policy:
    """Base class of the policies: ``n_per_original`` copies of each row (and the row, with ``keep_original``).

    Parameters
    ----------
    n_tfs : int, optional
        The number of TFs (Snorkel's first argument); :func:`~labelwise.weak.augment` checks it
        against its ``tfs`` and takes their number when it is None.
    n_per_original : int, default 1
        Transformed copies made of each row (a copy is kept only where a TF applied).
    keep_original : bool, default True
        Keep each row itself, before its copies.
    """

    def __init__(self, n_tfs: int | None = None, n_per_original: int = 1, keep_original: bool = True) -> None:
        self.n_tfs = None if n_tfs is None else _count("n_tfs", n_tfs, or_none=True)
        self.n_per_original = _count("n_per_original", n_per_original)
        self.keep_original = _flag("keep_original", keep_original)

    def resolve(self, n_tfs: int) -> int:
        """The number of TFs, ``n_tfs`` (the applied TFs') after checking it against the policy's own."""
        if self.n_tfs is not None and self.n_tfs != n_tfs:
            raise InvalidParameterError(
                f"policy was made for n_tfs={self.n_tfs} transformation functions, but tfs has {n_tfs}; make the "
                f"policy with n_tfs={n_tfs} (or n_tfs=None)"
            )
        return n_tfs

    def sequences(self, n_rows: int, n_tfs: int) -> np.ndarray:
        """TF positions, shape ``(n_rows, copies, length)``, ``-1`` for no TF."""
        raise NotImplementedError

    def stream(self, n_tfs: int) -> Callable[[int], np.ndarray]:
        """A function giving the sequences of the next ``n`` rows at each call: the blocks' sequences
        put together are :meth:`sequences` of all their rows at once, however the rows are cut (a
        random policy draws on from where the last block stopped; :func:`~labelwise.weak.augment_batches`
        draws its batches so)."""
        return lambda n: self.sequences(n, n_tfs)

    def seeded(self) -> Policy:
        """This policy with an int ``random_state`` (a random policy's: one draw from its Generator,
        RandomState or numpy's global state when it has no int), so that :meth:`for_partition` is
        deterministic; a policy that draws nothing is returned as it is."""
        return self

    def for_partition(self, number: int) -> Policy:
        """The policy partition ``number`` of a lazily augmented Dask frame draws from (see
        :class:`MeanFieldPolicy`); a policy that draws nothing is returned as it is."""
        _index("number", number)
        return self

    def generate_for_example(self) -> list[list[int]]:
        """One row's sequences as Snorkel lists them (``[]`` first for the kept original)."""
        if self.n_tfs is None:
            raise InvalidParameterError("generate_for_example needs the policy's n_tfs, got None")
        seqs = [[int(i) for i in s if i >= 0] for s in self.sequences(1, self.n_tfs)[0]]
        return [[], *seqs] if self.keep_original else seqs

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


class ApplyAllPolicy(Policy):
    """Every TF, in order, on each copy of each row (Snorkel's ``ApplyAllPolicy``)."""

    def sequences(self, n_rows: int, n_tfs: int) -> np.ndarray:
        return np.broadcast_to(np.arange(n_tfs), (n_rows, self.n_per_original, n_tfs))


class ApplyOnePolicy(ApplyAllPolicy):
    """The one TF on each copy of each row (Snorkel's ``ApplyOnePolicy``; :func:`~labelwise.weak.augment`
    refuses more than one TF, where Snorkel would apply the first one only)."""

    def __init__(self, n_per_original: int = 1, keep_original: bool = True) -> None:
        super().__init__(1, n_per_original, keep_original)


class ApplyEachPolicy(Policy):
    """Each TF alone: one copy of each row per TF (Snorkel's ``ApplyEachPolicy``; ``n_per_original`` is the
    number of TFs)."""

    def __init__(self, n_tfs: int | None = None, keep_original: bool = True) -> None:
        super().__init__(n_tfs, 1, keep_original)

    def resolve(self, n_tfs: int) -> int:
        out = super().resolve(n_tfs)
        self.n_per_original = out
        return out

    def sequences(self, n_rows: int, n_tfs: int) -> np.ndarray:
        return np.broadcast_to(np.arange(n_tfs)[:, None], (n_rows, n_tfs, 1))


class MeanFieldPolicy(Policy):
    """``sequence_length`` TFs drawn independently from ``p`` for each copy (Snorkel's ``MeanFieldPolicy``).

    Parameters
    ----------
    n_tfs : int, optional
        The number of TFs (default: the length of ``p``, or the applied TFs' number).
    sequence_length : int, default 1
        TFs drawn for each copy (with repetition).
    p : sequence of float, optional
        Probability of each TF (non-negative, summing to 1); ``None``: uniform.
    n_per_original, keep_original
        As for :class:`Policy`.
    random_state : None, int, numpy Generator or RandomState
        Where the draws come from: an int seeds a ``RandomState`` (Snorkel's draws after
        ``np.random.seed`` of the same int), None is numpy's global state (as Snorkel).

    References
    ----------
    .. [1] A. J. Ratner, H. R. Ehrenberg, Z. Hussain, J. Dunnmon and C. Ré, "Learning to Compose
       Domain-Specific Transformations for Data Augmentation", NeurIPS 2017.

    Examples
    --------
    >>> from labelwise import weak
    >>> policy = weak.MeanFieldPolicy(3, sequence_length=2, p=[0.5, 0.5, 0.0], random_state=0)
    >>> policy.sequences(2, 3).tolist()
    [[[1, 1]], [[1, 1]]]
    """

    def __init__(
        self,
        n_tfs: int | None = None,
        sequence_length: int = 1,
        p: Any = None,
        n_per_original: int = 1,
        keep_original: bool = True,
        random_state: Any = None,
    ) -> None:
        self.sequence_length = _count("sequence_length", sequence_length)
        self.p = None if p is None else _check_p(p, n_tfs)
        super().__init__(n_tfs if n_tfs is not None or self.p is None else len(self.p), n_per_original, keep_original)
        if not (
            random_state is None
            or isinstance(random_state, (np.random.Generator, np.random.RandomState))
            or (isinstance(random_state, (numbers.Integral, np.integer)) and 0 <= int(random_state) < 2**32)
        ):
            raise InvalidParameterError(
                f"random_state must be None, an int in [0, 2**32), a numpy Generator or RandomState, got {show(random_state)}"
            )
        self.random_state: Any = random_state

    def resolve(self, n_tfs: int) -> int:
        if self.p is not None and len(self.p) != n_tfs:  # p set the count: name p, not an n_tfs never given
            raise InvalidParameterError(
                f"p must hold one probability per transformation function ({n_tfs} in tfs), got {len(self.p)}"
            )
        return super().resolve(n_tfs)

    def sequences(self, n_rows: int, n_tfs: int) -> np.ndarray:
        return self._draw(self._source(), n_rows, n_tfs)

    def stream(self, n_tfs: int) -> Callable[[int], np.ndarray]:
        rng = self._source()
        return lambda n: self._draw(rng, n, n_tfs)

    def seeded(self) -> MeanFieldPolicy:
        if _is_seed(self.random_state):
            return self
        rng: Any = np.random if self.random_state is None else self.random_state
        out = copy.copy(self)
        out.random_state = int(rng.integers(2**32) if isinstance(rng, np.random.Generator) else rng.randint(2**32))
        return out

    def for_partition(self, number: int) -> MeanFieldPolicy:
        """The policy partition ``number`` draws from: partition 0 the policy itself, partition
        ``i > 0`` a copy seeded with ``SeedSequence(random_state, spawn_key=(i,))`` (its first 32-bit
        word). Needs an int ``random_state`` (:meth:`seeded`)."""
        i = _index("number", number)
        if not _is_seed(self.random_state):
            raise InvalidParameterError(
                f"random_state must be an int for for_partition (call policy.seeded() first), got {show(self.random_state)}"
            )
        if i == 0:
            return self
        out = copy.copy(self)
        seed = np.random.SeedSequence(int(self.random_state), spawn_key=(i,)).generate_state(1)[0]
        out.random_state = int(seed)
        return out

    def _source(self) -> Any:
        """Where the draws come from: a fresh RandomState for an int, else the state given (None: numpy's global one)."""
        state = self.random_state
        return np.random.RandomState(int(state)) if _is_seed(state) else state

    def _draw(self, rng: Any, n_rows: int, n_tfs: int) -> np.ndarray:
        draw = np.random.choice if rng is None else rng.choice
        return np.asarray(draw(n_tfs, size=(n_rows, self.n_per_original, self.sequence_length), p=self.p))


def _is_seed(value: Any) -> bool:
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def _index(name: str, value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)) or int(value) < 0:
        raise InvalidParameterError(f"{name} must be an integer >= 0, got {show(value)}")
    return int(value)


def _check_p(p: Any, n_tfs: Any) -> np.ndarray:
    try:
        out = np.asarray(p, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"p must be a list of probabilities, one per TF, got {p!r}") from None
    if out.ndim != 1 or out.size == 0 or (n_tfs is not None and out.size != n_tfs):
        expected = f"{n_tfs} (n_tfs)" if n_tfs is not None else "one per TF"
        raise InvalidParameterError(f"p must hold {expected} probabilities, got shape {out.shape}")
    if not np.isfinite(out).all() or (out < 0).any() or not np.isclose(out.sum(), 1.0):
        raise InvalidParameterError(f"p must be non-negative probabilities summing to 1, got {out.tolist()}")
    return out


class RandomPolicy(MeanFieldPolicy):
    """``sequence_length`` TFs drawn uniformly for each copy (Snorkel's ``RandomPolicy``).

    Parameters
    ----------
    n_tfs, sequence_length, n_per_original, keep_original, random_state
        As for :class:`MeanFieldPolicy` (with ``p`` uniform).
    """

    def __init__(
        self,
        n_tfs: int | None = None,
        sequence_length: int = 1,
        n_per_original: int = 1,
        keep_original: bool = True,
        random_state: Any = None,
    ) -> None:
        super().__init__(n_tfs, sequence_length, None, n_per_original, keep_original, random_state)
