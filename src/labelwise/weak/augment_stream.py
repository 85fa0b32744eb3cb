"""Augmenting a table in parts: batches streamed through a policy, and Dask partitions.

:func:`augment_batches` is Snorkel's ``PandasTFApplier.apply_generator(df, batch_size)`` (Ratner
et al. 2017): it yields the augmented rows of each next ``batch_size`` input rows, so a training
loop never holds every copy at once. Its input may itself be streamed: besides a pandas frame, a
Dask frame (one partition in memory at a time) or any iterable of pandas frames (``pd.read_csv(...,
chunksize=...)``), cut into batches of ``batch_size`` rows whatever the chunks' sizes. The policy's
sequences are drawn batch after batch from one stream (:meth:`~labelwise.weak.Policy.stream`), so
the batches put together are :func:`~labelwise.weak.augment`'s table on the whole input for every
policy, a seeded random one included, whatever ``batch_size``: the rule of Snorkel, whose policy
draws row by row from numpy's global state whether it applies or yields.

``augment(..., lazy=True)`` on a Dask frame (:func:`augment_lazy`) returns a Dask frame whose
partitions are augmented independently when computed. A random policy cannot draw every row's
sequences up front without counting the rows, so partition ``i`` draws its own, from
``policy.seeded().for_partition(i)``: partition 0 from the policy's seed itself (its rows are
those of the in-memory table), partition ``i > 0`` from ``SeedSequence(seed, spawn_key=(i,))``.
The result is the same on every run for one partitioning; another partitioning gives other draws.

References
----------
.. [1] A. J. Ratner, H. R. Ehrenberg, Z. Hussain, J. Dunnmon and C. Ré, "Learning to Compose
   Domain-Specific Transformations for Data Augmentation", NeurIPS 2017.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from ..errors import InvalidParameterError
from ._augment_points import AugmentedPoints, is_points, point_batches
from .apply import LabelingFunctionError, _is_dask
from .augmentation import Augmented, _augment_frame, check_call, check_columns, check_size
from .policies import Policy
from .transformation_function import TransformationFunction

__all__ = ["augment_batches", "augment_dask", "augment_lazy"]

#: The column of the lazy result naming the TFs applied to each row.
APPLIED_COLUMN = "tfs"


def augment_batches(
    tfs: Sequence[TransformationFunction | Callable[..., Any]], df: Any, *, policy: Policy, batch_size: int
) -> Iterator[Augmented] | Iterator[AugmentedPoints]:
    """Augment a table batch by batch: yield the augmented rows of each next ``batch_size`` rows.

    Snorkel's ``PandasTFApplier(tfs, policy).apply_generator(df, batch_size)``. The arguments are
    checked when called; the rows are read and augmented as the batches are asked for.

    Parameters
    ----------
    tfs : list of TransformationFunction (or plain functions, taken as row TFs)
        As for :func:`~labelwise.weak.augment`.
    df : pandas.DataFrame, dask.dataframe.DataFrame, iterable of pandas.DataFrame or list of data points
        The rows: a frame, a Dask frame (its partitions computed one at a time) or chunks of one
        table (same columns), e.g. ``pd.read_csv(path, chunksize=100_000)``. A list (or tuple) of
        data points of one type is Snorkel's ``TFApplier.apply_generator`` (see
        :func:`~labelwise.weak.augment`).
    policy : Policy
        As for :func:`~labelwise.weak.augment`; its sequences are drawn batch after batch, so the
        batches together are ``augment``'s table (same seed, same sequences).
    batch_size : int >= 1
        Input rows per batch (the last batch may have fewer; no empty batch is yielded, where
        Snorkel yields one more after a last full batch).

    Yields
    ------
    Augmented or AugmentedPoints
        Each batch's table (Snorkel's rows: each source row then its kept copies, indexed by the
        source row's label), ``source`` by position in the whole input, ``applied``; for a list of
        data points, the batch's points. A memoised TF (``memoize=True``) keeps its outputs across
        the batches.

    Raises
    ------
    InvalidParameterError
        Bad ``tfs`` or ``policy`` (as :func:`~labelwise.weak.augment`), ``batch_size`` not a
        positive integer, ``df`` not a frame or frames (a chunk that is not, or has other columns,
        is named by its number when it is read), or no row at all.
    TransformationFunctionError
        A TF raised or returned no row (names it and the source row).

    References
    ----------
    .. [1] A. J. Ratner, H. R. Ehrenberg, Z. Hussain, J. Dunnmon and C. Ré, "Learning to Compose
       Domain-Specific Transformations for Data Augmentation", NeurIPS 2017.

    Examples
    --------
    >>> import pandas as pd
    >>> from labelwise import weak
    >>> @weak.transformation_function()
    ... def shout(row):
    ...     row.text = row.text.upper()
    ...     return row
    >>> df = pd.DataFrame({"text": ["hi", "yo", "ok"]})
    >>> batches = weak.augment_batches([shout], df, policy=weak.ApplyAllPolicy(), batch_size=2)
    >>> [b.frame.text.tolist() for b in batches]
    [['hi', 'HI', 'yo', 'YO'], ['ok', 'OK']]
    """
    checked, n_tfs = check_call(tfs, policy)
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (numbers.Integral, np.integer)):
        raise InvalidParameterError(f"batch_size must be a positive integer, got {show(batch_size)}")
    if int(batch_size) < 1:
        raise InvalidParameterError(f"batch_size must be a positive integer, got {show(batch_size)}")
    if is_points(df):
        return point_batches(checked, df, policy, n_tfs, int(batch_size))
    if isinstance(df, pd.DataFrame) or _is_dask(df):
        check_columns(df.columns, "df")
        if isinstance(df, pd.DataFrame) and len(df) == 0:
            raise InvalidParameterError("df must have at least one row to augment, got none")
    elif not isinstance(df, Iterable) or isinstance(df, (str, bytes, pd.Series, np.ndarray, dict)):
        raise InvalidParameterError(
            f"df must be a pandas or dask DataFrame or an iterable of DataFrames (chunks), got {type(df).__name__}"
        )
    return _batches(checked, _chunks(df), policy, n_tfs, int(batch_size))


def _chunks(df: Any) -> Iterator[pd.DataFrame]:
    """The input as pandas frames, one Dask partition or one chunk at a time, each checked."""
    if isinstance(df, pd.DataFrame):
        yield df
        return
    parts: Iterable[Any] = (df.get_partition(i).compute() for i in range(df.npartitions)) if _is_dask(df) else df
    columns = None
    for number, chunk in enumerate(parts):
        if not isinstance(chunk, pd.DataFrame):
            raise InvalidParameterError(
                f"df must yield pandas DataFrames, got {type(chunk).__name__} as chunk {number}"
            )
        if columns is None:
            check_columns(chunk.columns, "df")
            columns = chunk.columns
        elif not chunk.columns.equals(columns):
            raise InvalidParameterError(
                f"df's chunks must have the first chunk's columns {list(columns)[:10]}, got {list(chunk.columns)[:10]} "
                f"in chunk {number}"
            )
        yield chunk


def _batches(
    tfs: list[TransformationFunction], chunks: Iterator[pd.DataFrame], policy: Policy, n_tfs: int, size: int
) -> Iterator[Augmented]:
    """Cut the chunks into batches of ``size`` rows and augment each, drawing the policy's sequences on."""
    draw = policy.stream(n_tfs)
    memos: dict[Any, dict] = {}  # the memoised TFs' outputs, across batches
    start = 0
    for batch in _rebatch(chunks, size):
        check_size(len(batch), batch.shape[1], policy, n_tfs)
        try:
            frame, source, applied = _augment_frame(batch, tfs, draw(len(batch)), policy.keep_original, False, memos)
        except LabelingFunctionError as exc:
            if exc.position is not None:  # by position in the whole input, as augment's
                exc.position += start
            raise
        yield Augmented(frame, source + start, tuple(applied))
        start += len(batch)
    if start == 0:
        raise InvalidParameterError("df must have at least one row to augment, got none")


def _rebatch(chunks: Iterator[pd.DataFrame], size: int) -> Iterator[pd.DataFrame]:
    """The rows of ``chunks`` in frames of ``size`` rows (the last may have fewer), in order."""
    held: list[pd.DataFrame] = []
    n_held = 0
    for chunk in chunks:
        at = 0
        while at < len(chunk):
            take = chunk.iloc[at : at + size - n_held]
            held.append(take)
            n_held += len(take)
            at += len(take)
            if n_held == size:
                yield held[0] if len(held) == 1 else pd.concat(held)
                held, n_held = [], 0
    if n_held:
        yield held[0] if len(held) == 1 else pd.concat(held)


def augment_dask(
    df: Any, tfs: list[TransformationFunction], policy: Policy, n_tfs: int, verbose: bool | None
) -> Augmented:
    """``augment`` of a Dask frame, in memory: the partitions augmented in one computation, each with
    its slice of the sequences drawn for all rows."""
    import dask

    from .._stage_progress import compute, stage, stages

    with stages(verbose), stage("counting rows"):
        (lengths,) = compute(df.map_partitions(len))
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.sum() == 0:
        raise InvalidParameterError("df must have at least one row to augment, got none")
    check_size(int(lengths.sum()), len(df.columns), policy, n_tfs)
    seqs = policy.sequences(int(lengths.sum()), n_tfs)
    starts = np.cumsum(lengths) - lengths
    run = dask.delayed(_partition, pure=True)
    parts = [
        run(part, tfs, seqs[s : s + k], policy.keep_original, number)
        for number, (part, s, k) in enumerate(zip(df.to_delayed(), starts, lengths, strict=True))
    ]
    with stages(verbose), stage("augmenting partitions"):
        results = compute(*parts, optimize_graph=False)
    frames = [r[0] for r in results if len(r[0])]
    frame = pd.concat(frames) if frames else results[0][0]
    source = np.concatenate([r[1] + s for r, s in zip(results, starts, strict=True)])
    applied = tuple(a for r in results for a in r[2])
    return Augmented(frame, source, applied)


def _partition(
    frame: pd.DataFrame, tfs: list[TransformationFunction], seqs: np.ndarray, keep: bool, number: int
) -> tuple[pd.DataFrame, np.ndarray, list[tuple[str, ...]]]:
    try:
        return _augment_frame(frame, tfs, seqs, keep, False)
    except LabelingFunctionError as exc:
        exc.partition = number
        raise


def augment_lazy(tfs: list[TransformationFunction], df: Any, policy: Policy, *, lazy: bool, meta: Any) -> Any:
    """``augment(..., lazy=True)``: a Dask frame of the partitions augmented independently (see the
    module's text), each ``frame`` with the column ``"tfs"``, in ``meta``'s columns and dtypes."""
    if not lazy:
        raise InvalidParameterError(f"meta is for lazy=True only, got meta with lazy=False ({type(meta).__name__})")
    if not _is_dask(df):
        raise InvalidParameterError(
            f"lazy=True needs a Dask DataFrame (a pandas frame is augmented in memory), got {type(df).__name__}"
        )
    import dask
    import dask.dataframe as dd

    data = df._meta if meta is None else meta
    if not isinstance(data, pd.DataFrame) or APPLIED_COLUMN in data.columns:
        got = f"a column {APPLIED_COLUMN!r}" if isinstance(data, pd.DataFrame) else type(data).__name__
        raise InvalidParameterError(
            f"{'meta' if meta is not None else 'df'} must be a DataFrame of the augmented data columns, without a "
            f"column {APPLIED_COLUMN!r} (the result's column naming the TFs applied), got {got}"
        )
    check_columns(data.columns, "meta")
    full = data.iloc[:0].assign(**{APPLIED_COLUMN: pd.Series([], dtype=object)})
    seeded = policy.seeded()
    run = dask.delayed(_lazy_partition, pure=True)
    parts = [run(part, tfs, seeded.for_partition(number), number, full) for number, part in enumerate(df.to_delayed())]
    return dd.from_delayed(parts, meta=full, divisions=df.divisions, verify_meta=False)


def _lazy_partition(
    frame: pd.DataFrame, tfs: list[TransformationFunction], policy: Policy, number: int, meta: pd.DataFrame
) -> pd.DataFrame:
    """One partition augmented with its own policy, as ``meta`` says (columns, order, dtypes)."""
    n_tfs = policy.resolve(len(tfs))
    check_size(len(frame), frame.shape[1], policy, n_tfs)
    out, _, applied = _partition(frame, tfs, policy.sequences(len(frame), n_tfs), policy.keep_original, number)
    out = out.assign(**{APPLIED_COLUMN: np.array(["+".join(a) for a in applied], dtype=object)})
    extra = [c for c in out.columns if c not in meta.columns]
    if extra:
        raise InvalidParameterError(
            f"meta must name every column of the augmented table; the TFs added {extra[:10]} in partition {number}: "
            "pass augment(..., meta=...) with them"
        )
    out = out.reindex(columns=meta.columns)
    try:
        return out.astype(meta.dtypes.to_dict())
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"meta must give the augmented columns' dtypes; partition {number}'s do not convert ({exc}); pass "
            "augment(..., meta=...) with the dtypes the TFs give"
        ) from None
