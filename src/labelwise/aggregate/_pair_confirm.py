"""The pair check's confirmations in lock step: every suspect's fit without its pair at once.

:func:`~._dependent.find_dependent_pairs` confirms its suspects one by one, strongest first, each
against an EM fit without the pair that weighs the pairs confirmed before it. On Dask each fit
sends one graph per EM iteration, and on a ``distributed`` cluster every graph is a round trip
through the scheduler (measured in benchmarks/RESULTS.md, session 43, daskring43). :func:`confirm_in_lock_step`
gives the same rows with far fewer graphs: it assumes every remaining suspect will be confirmed,
so each suspect's fit (and the triad gate's fit of every answer) is known before any check, and runs
all the fits in lock step (``data.fit_without_list``: one graph per EM round for all of them), then
every suspect's members' answers and the triad gate's pairs in one pass and every suspect's check in
one more (``data.gather``). The checks are then read in order: the first suspect that is not
confirmed makes the fits of those after it wrong (they weighed it), so they are run again from it.
Each fit, gather and check is the one the sequential loop would run, on the same numbers: the rows
are the same bit for bit, and a crowd whose suspects are all confirmed pays one round.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._pair_triad import triad_pairs

__all__ = ["confirm_in_lock_step"]


def _groups(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """The dependent groups of ``pairs`` as the fits without a pair take them (``found``)."""
    a, b = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
    return a.copy(), b.copy()


def _triad_call(model: tuple, pairs: list[tuple[int, int]], candidates: tuple, min_shared: float) -> tuple:
    """The triad gate's :meth:`check_pair_list` call under ``model`` when ``pairs`` are the rows found."""
    rows = np.zeros((len(pairs), 6))
    rows[:, :2] = np.array(pairs, dtype=np.float64).reshape(-1, 2)
    listed = triad_pairs(rows, candidates, min_shared)
    a, b = np.array(listed, dtype=np.int64).reshape(-1, 2).T
    return (model[0], model[1], model[1], a, b), listed


def confirm_in_lock_step(
    data: Any,
    suspects: list[tuple[int, int]],
    candidates: tuple,
    pseudo: np.ndarray,
    threshold: float,
    max_iter: int,
    tol: float,
    triad: bool,
) -> tuple[list[tuple[float, ...]], tuple | None]:
    """The confirmed rows of ``suspects`` (as ``find_dependent_pairs``' loop gives them) and, with
    ``triad`` when the triad gate's fit was run for exactly those rows, ``(prior, conf, z table)``
    for :func:`~._dependent._triad_gate`; else None.

    ``data`` has ``fit_without_list`` and ``gather`` (:class:`~._dask_pairs.DaskPairs`, whose
    ``lock_step`` chooses this path).
    """
    from ._dependent import CONFIRM_TOL, MIN_SHARED_ITEMS, _over, _own_confusion

    rows: list[tuple[float, ...]] = []
    start, gate = 0, None
    while start < len(suspects):
        rest, known = suspects[start:], [(int(r[0]), int(r[1])) for r in rows]
        confirm_tol = max(tol, CONFIRM_TOL)
        jobs = [(_groups(known + rest[:i]), pair, confirm_tol) for i, pair in enumerate(rest)]
        if triad:  # the triad gate's fit of every answer, were every suspect confirmed
            jobs.append((_groups(known + rest), (-1, -1), tol))
        models = data.fit_without_list(jobs, pseudo, max_iter)
        triad_checks: list[tuple] = []
        if triad:
            call, listed = _triad_call(models[-1], known + rest, candidates, MIN_SHARED_ITEMS)
            triad_checks = [call]
        wanted = [(prior, conf, [(a, b, a), (a, b, b)]) for (prior, conf), (a, b) in zip(models, rest, strict=False)]
        bases, z = data.gather(wanted, triad_checks)
        confs = [
            _own_confusion(conf, pair, got, pseudo, max_iter, tol)
            for (_, conf), pair, got in zip(models, rest, bases, strict=False)
        ]
        calls = [
            (prior, conf, [own], np.array([a], dtype=np.int64), np.array([b], dtype=np.int64))
            for (prior, conf), own, (a, b) in zip(models, confs, rest, strict=False)
        ]
        _, checks = data.gather([], calls)
        for i, ((a, b), check) in enumerate(zip(rest, checks, strict=True)):
            if not _over(check, threshold)[0]:  # the fits after it weighed it: run them again
                start += i + 1
                break
            rows.append((a, b, check.n_shared[0], check.observed[0], check.expected[0], check.z[0]))
        else:
            start = len(suspects)
            if triad:
                gate = (*models[-1], dict(zip(listed, z[0].z.tolist(), strict=True)))
    return rows, gate
