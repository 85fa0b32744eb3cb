"""Data augmentation: run transformation functions on the rows of a DataFrame as a policy says.

:func:`augment` is Snorkel's ``PandasTFApplier`` (Ratner et al. 2017) for pandas and Dask frames.
Each row gets the policy's sequences of TFs (:mod:`labelwise.weak.policies`); a sequence runs its
TFs in order, each on the previous one's output, a TF that returns ``None`` leaving the row as it
was; the copy is kept when at least one TF of its sequence applied. With ``keep_original`` the row
itself comes first. The table is Snorkel's: rows in order, each row then its kept copies, the
index the source row's label (so repeated), plus :attr:`Augmented.source` and
:attr:`Augmented.applied`, which say where each row came from and which TFs made it.

The work is done step by step, not row by row: at step ``t`` each TF gets, at once, every copy
whose sequence has it at step ``t``, so a vectorised TF is called once per step on a frame, and a
row TF loops over its copies only; the copies' columns are numpy arrays written in place.

References
----------
.. [1] A. J. Ratner, H. R. Ehrenberg, Z. Hussain, J. Dunnmon and C. Ré, "Learning to Compose
   Domain-Specific Transformations for Data Augmentation", NeurIPS 2017.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._progress import track
from .._validate.arguments import show
from ..errors import InvalidParameterError
from .apply import LabelingFunctionError, _check_lfs, _is_dask, call_vectorized
from .labeling_function import LabelingFunction
from .policies import ApplyOnePolicy, Policy
from .preprocessor import Preprocessor, prepared
from .preprocessor import _memoized as memoized
from .transformation_function import AugmentRow, TransformationFunction, transformation_function

__all__ = ["Augmented", "TransformationFunctionError", "augment", "transform_frame"]

_IMMUTABLE = (str, bytes, int, float, complex, bool, type(None), np.generic, pd.Timestamp, pd.Timedelta)


class TransformationFunctionError(LabelingFunctionError):
    """A transformation function raised, or returned something it must not (the message names it and the row)."""


@dataclass(frozen=True)
class Augmented:
    """The augmented table and where each of its rows came from.

    Attributes
    ----------
    frame : pandas.DataFrame
        The rows, as Snorkel's ``PandasTFApplier`` gives them: each source row (with
        ``keep_original``) then its kept copies; the index is the source row's label.
    source : numpy.ndarray of int
        Each row's source row, by position in the input (through all partitions of a Dask frame).
    applied : tuple of tuple of str
        The TFs that transformed each row, in order (``()`` for a kept original).
    """

    frame: pd.DataFrame
    source: np.ndarray
    applied: tuple[tuple[str, ...], ...]

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def is_original(self) -> np.ndarray:
        """Boolean mask of the rows that are source rows kept as they were."""
        return np.fromiter((not a for a in self.applied), dtype=bool, count=len(self.applied))

    def to_frame(self, *, source_column: str = "source_row", applied_column: str = "tfs") -> pd.DataFrame:
        """``frame`` with a column naming each row's source row (its label) and one naming the TFs applied
        (``"+"``-joined, empty for an original), on a fresh ``0..n-1`` index."""
        for name, value in (("source_column", source_column), ("applied_column", applied_column)):
            if not isinstance(value, str) or not value or value in self.frame.columns:
                raise InvalidParameterError(f"{name} must be a new column name (not one of the data's), got {value!r}")
        out = self.frame.reset_index(drop=True)
        out[source_column] = self.frame.index.to_numpy()
        out[applied_column] = ["+".join(a) for a in self.applied]
        return out


def _check_tfs(tfs: Any) -> list[TransformationFunction]:
    listed = [tfs] if isinstance(tfs, (LabelingFunction, TransformationFunction)) else tfs
    if isinstance(listed, Sequence) and not isinstance(listed, str):
        bad = next((i for i, f in enumerate(listed) if isinstance(f, LabelingFunction)), None)
        if bad is not None:
            raise InvalidParameterError(
                f"tfs[{bad}] must be a transformation function, got the {listed[bad].kind} {listed[bad].name!r}"
            )
    make: Callable[..., Any] = transformation_function
    return _check_lfs(listed, make=make, cls=TransformationFunction, name="tfs")  # type: ignore[arg-type,return-value]


def _error(
    tf: TransformationFunction, what: str, label: Any, position: int, then: str = ""
) -> TransformationFunctionError:
    return TransformationFunctionError(
        f"{tf.kind} {tf.name!r} {what} on row {show(label)}{then}", row=label, position=position
    )


def _as_dict(tf: TransformationFunction, got: Any, label: Any, position: int) -> Mapping[Any, Any]:
    if isinstance(got, Mapping):
        return got
    if isinstance(got, pd.Series):
        return got.to_dict()
    if hasattr(got, "_asdict"):
        return dict(got._asdict())
    what = f"returned {type(got).__name__} {show(got)[:60]}"
    raise _error(tf, what, label, position, ", expected the (changed) row (a dict, Series or named tuple) or None")


def _row_outputs(
    tf: TransformationFunction, view: pd.DataFrame, sources: np.ndarray, memo: dict[Any, Any] | None = None
) -> tuple[np.ndarray, dict]:
    """The positions (in ``view``) a row TF transformed and the columns of its outputs; with ``memo``
    (a memoised TF's outputs by row, :func:`~labelwise.weak.preprocessor`'s memoisation) an equal
    row already seen is not computed again (a TF with a ``memoize_key`` runs row by row instead,
    :func:`~labelwise.weak._augment_points.rows_in_order`)."""
    names = list(view.columns)
    mutable = [
        c for c in names if view[c].dtype == object and not all(isinstance(v, _IMMUTABLE) for v in view[c].to_numpy())
    ]

    def call(values: tuple[Any, ...]) -> Any:
        row = AugmentRow(zip(names, values, strict=True))
        for c in mutable:  # a copy of each cell it could change in place (Snorkel deep-copies the point)
            row[c] = copy.deepcopy(row[c])
        return tf.run(row)

    shared = None if memo is None else Preprocessor(tf.name, call)
    done: list[int] = []
    rows: list[Mapping[Any, Any]] = []
    for k, values in enumerate(view.itertuples(index=False, name=None)):
        try:
            got = call(values) if memo is None or shared is None else _shared_copy(memoized(shared, values, memo))
        except Exception as exc:
            raise _error(tf, f"raised {type(exc).__name__}: {exc}", view.index[k], int(sources[k])) from exc
        if got is not None:
            rows.append(_as_dict(tf, got, view.index[k], int(sources[k])))
            done.append(k)
    keys = dict.fromkeys(names)
    for r in rows:
        keys.update(dict.fromkeys(r))
    columns = {key: np.fromiter((r.get(key, np.nan) for r in rows), dtype=object, count=len(rows)) for key in keys}
    return np.asarray(done, dtype=np.int64), columns


def _shared_copy(got: Any) -> Any:
    """A memoised output given to another row: its own copy where a cell holds a mutable value."""
    if isinstance(got, Mapping) and not all(isinstance(v, _IMMUTABLE) for v in got.values()):
        return copy.deepcopy(got)
    return got


def _frame_outputs(tf: TransformationFunction, view: pd.DataFrame, sources: np.ndarray) -> tuple[np.ndarray, dict]:
    """The positions a vectorised TF transformed and the columns of its output frame."""
    labels = view.index
    view = view.set_axis(pd.RangeIndex(len(view)))
    try:
        got = call_vectorized(tf, view, tf.kind)
    except LabelingFunctionError as exc:
        if exc.position is None:
            raise TransformationFunctionError(str(exc)) from exc.__cause__
        said = f"on row {show(exc.row)}"
        message = str(exc).replace(said, f"on row {show(labels[exc.position])}", 1)
        raise TransformationFunctionError(
            message, row=labels[exc.position], position=int(sources[exc.position])
        ) from exc.__cause__
    if got is None:
        return np.zeros(0, dtype=np.int64), {c: np.zeros(0, dtype=object) for c in view.columns}
    if not isinstance(got, pd.DataFrame):
        raise TransformationFunctionError(
            f"{tf.kind} {tf.name!r} (vectorized) must return a DataFrame of the rows it transformed or None, "
            f"got {type(got).__name__}"
        )
    outside = ~got.index.isin(view.index)
    if outside.any() or not got.index.is_unique:
        what = (
            f"the label {show(got.index[outside][0])}, not one of the frame's" if outside.any() else "a repeated label"
        )
        raise TransformationFunctionError(
            f"{tf.kind} {tf.name!r} (vectorized) must return rows of the frame it got (its index a subset of the "
            f"frame's 0..{len(view) - 1}), got {what}"
        )
    done = np.asarray(got.index, dtype=np.int64)
    keys = dict.fromkeys([*view.columns, *got.columns])
    columns = {key: got[key].to_numpy() if key in got.columns else np.full(len(got), np.nan) for key in keys}
    return done, columns


def _write(cols: dict[Any, np.ndarray], size: int, target: np.ndarray, values: dict[Any, np.ndarray]) -> None:
    """Write ``values`` into the rows ``target`` of ``cols`` (new columns start as NaN); a column that
    cannot hold them in its dtype becomes an object column."""
    for key, new in values.items():
        if key not in cols:
            cols[key] = np.full(size, np.nan, dtype=object)
        column = cols[key]
        if column.dtype != object:
            typed = pd.Series(new, copy=False).infer_objects().to_numpy()
            if typed.dtype == column.dtype:
                column[target] = typed
                continue
            cols[key] = column = column.astype(object)
        column[target] = new


def _outputs(
    tf: TransformationFunction, frame: pd.DataFrame, sources: np.ndarray, memos: dict[Any, dict] | None = None
) -> tuple[np.ndarray, dict]:
    """The positions in ``frame`` that ``tf`` transformed and the columns of its outputs, without the
    fields its preprocessors added (Snorkel's pandas applier loses them too: they are set as attributes
    of the row's Series, which are not its fields). ``memos``: the memoised TFs' outputs by TF and columns."""
    view = prepared(frame, tf.pre, {})
    if tf.vectorized:
        done, columns = _frame_outputs(tf, view, sources)
    else:
        # one memo per TF and columns: a row is its values in the columns of the frame it is in
        memo = memos.setdefault((tf.name, tuple(view.columns)), {}) if tf.memoize and memos is not None else None
        done, columns = _row_outputs(tf, view, sources, memo)
    helpers = set(view.columns).difference(frame.columns)
    return done, {k: v for k, v in columns.items() if k not in helpers}


def transform_frame(tf: TransformationFunction, frame: pd.DataFrame) -> pd.DataFrame | None:
    """The rows of ``frame`` that ``tf`` transformed, as a DataFrame (None if it transformed none)."""
    if not isinstance(frame, pd.DataFrame):
        raise InvalidParameterError(
            f"a vectorized transformation function takes a DataFrame, got {type(frame).__name__}"
        )
    done, columns = _outputs(tf, frame, np.arange(len(frame)))
    if len(done) == 0:
        return None
    out = pd.DataFrame({k: v for k, v in columns.items()}, index=frame.index[done])
    return out.infer_objects()


def _augment_frame(
    frame: pd.DataFrame,
    tfs: list[TransformationFunction],
    seqs: np.ndarray,
    keep_original: bool,
    verbose: bool | None,
    memos: dict[Any, dict] | None = None,
) -> tuple[pd.DataFrame, np.ndarray, list[tuple[str, ...]]]:
    """One pandas frame's augmented rows, their source positions and the TFs applied to each
    (``memos``: the memoised TFs' outputs, kept by the caller across frames; None: this frame's own).
    With a TF memoised by ``memoize_key``, row by row in Snorkel's order instead."""
    memos = {} if memos is None else memos
    if any(tf.memoize_key is not None for tf in tfs):
        from ._augment_points import rows_in_order

        return rows_in_order(frame, tfs, seqs, keep_original, memos, 0)
    n, copies, length = seqs.shape
    size = n * copies
    flat = seqs.reshape(size, length)
    source_of = np.arange(size) // copies
    cols = {c: np.repeat(frame[c].to_numpy(), copies) for c in frame.columns}
    applied = np.full((size, length), -1, dtype=np.int64)
    steps = [(t, j) for t in range(length) for j in range(len(tfs)) if (flat[:, t] == j).any()]
    for t, j in track(steps, total=len(steps), description="transformation functions", verbose=verbose):
        tf = tfs[j]
        pos = np.flatnonzero(flat[:, t] == j)
        sub = pd.DataFrame({c: v[pos] for c, v in cols.items()}, index=frame.index[source_of[pos]])
        done, columns = _outputs(tf, sub, source_of[pos], memos)
        if len(done):
            _write(cols, size, pos[done], columns)
            applied[pos[done], t] = j
    kept = np.flatnonzero((applied >= 0).any(axis=1))
    originals = np.arange(n) if keep_original else np.zeros(0, dtype=np.int64)
    source = np.concatenate([originals, source_of[kept]])
    order = np.lexsort((np.concatenate([np.full(len(originals), -1), kept]), source))
    out = {}
    for c, values in cols.items():
        first = frame[c].to_numpy() if c in frame.columns else np.full(len(originals), np.nan, dtype=object)
        out[c] = np.concatenate([first[originals], values[kept]])[order]
    result = pd.DataFrame(out, index=frame.index[source[order]])
    result = result.astype({c: result[c].infer_objects().dtype for c in result.columns if result[c].dtype == object})
    names = [tuple(tfs[j].name for j in applied[k] if j >= 0) for k in kept]
    made: list[tuple[str, ...]] = [()] * len(originals) + names
    return result, source[order], [made[i] for i in order]


def augment(
    tfs: Sequence[TransformationFunction | Callable[..., Any]],
    df: Any,
    *,
    policy: Policy,
    verbose: bool | None = None,
    lazy: bool = False,
    meta: Any = None,
) -> Any:
    """Augment a DataFrame: run transformation functions on its rows in the sequences ``policy`` draws.

    Parameters
    ----------
    tfs : list of TransformationFunction (or plain functions, taken as row TFs)
        Names must be unique; the policy's TF positions index this list.
    df : pandas.DataFrame, dask.dataframe.DataFrame or list of data points
        The rows. A Dask frame is augmented partition by partition (install the ``dask`` extra);
        the policy draws the sequences for all its rows at once, so the result does not depend on
        the partitioning; the augmented table is returned in memory (see ``lazy``). A list (or
        tuple) of data points of one type (``SimpleNamespace`` objects, dicts) is Snorkel's
        ``TFApplier`` (:mod:`labelwise.weak._augment_points`; row TFs and preprocessors only).
    policy : Policy
        :class:`~labelwise.weak.ApplyAllPolicy`, :class:`~labelwise.weak.ApplyEachPolicy`,
        :class:`~labelwise.weak.ApplyOnePolicy`, :class:`~labelwise.weak.RandomPolicy` or
        :class:`~labelwise.weak.MeanFieldPolicy`.
    verbose : bool, optional
        Progress bar over the (step, TF) groups (default: only on a terminal).
    lazy : bool, default False
        With a Dask ``df``: return a Dask DataFrame, computed only when asked, whose partitions are
        augmented independently (partition ``i`` draws from ``policy.seeded().for_partition(i)``, so the result is the same on every
        run for one partitioning). Its rows are ``frame``'s with a last column ``"tfs"`` (the TFs
        applied, ``"+"``-joined, ``""`` for an original). Deterministic policies give the table
        of ``lazy=False``; random ones give it for partition 0 (an int seed) and their own draws after.
    meta : pandas.DataFrame, optional
        With ``lazy``: the augmented data columns and dtypes (an empty frame), for TFs that add
        columns or change a column's dtype; default: ``df``'s.

    Returns
    -------
    Augmented, AugmentedPoints or dask.dataframe.DataFrame
        ``frame`` (Snorkel's augmented table), ``source`` and ``applied``; ``to_frame()`` adds them
        as columns. With ``lazy``, the Dask DataFrame above. For a list of data points,
        ``AugmentedPoints``: ``points`` (Snorkel's list) in place of ``frame``.

    Raises
    ------
    TransformationFunctionError
        A TF raised (names it and the source row), returned something that is not a row (or, when
        vectorised, not a DataFrame of rows of the frame it got).
    InvalidParameterError
        ``tfs`` is empty or has two TFs of one name, ``df`` is not a DataFrame or has no rows or
        repeated column names (a list: is empty, holds points of two types, or comes with a
        vectorised TF), ``policy`` is not a policy or was made for another number of TFs.

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
    >>> out = weak.augment([shout], pd.DataFrame({"text": ["hi", "yo"]}), policy=weak.ApplyAllPolicy())
    >>> out.to_frame().values.tolist()
    [['hi', 0, ''], ['HI', 0, 'shout'], ['yo', 1, ''], ['YO', 1, 'shout']]
    """
    checked, n_tfs = check_call(tfs, policy)
    if verbose is not None and not isinstance(verbose, (bool, np.bool_)):
        raise InvalidParameterError(f"verbose must be True, False or None, got {verbose!r}")
    if not isinstance(lazy, (bool, np.bool_)):
        raise InvalidParameterError(f"lazy must be True or False, got {show(lazy)}")
    if not isinstance(df, pd.DataFrame) or lazy or meta is not None:
        return _not_in_memory(checked, df, policy, n_tfs, verbose, bool(lazy), meta)
    check_columns(df.columns, "df")
    if len(df) == 0:
        raise InvalidParameterError("df must have at least one row to augment, got none")
    check_size(len(df), df.shape[1], policy, n_tfs)
    frame, source, applied = _augment_frame(
        df, checked, policy.sequences(len(df), n_tfs), policy.keep_original, verbose
    )
    return Augmented(frame, source, tuple(applied))


def _not_in_memory(
    tfs: list[TransformationFunction], df: Any, policy: Policy, n_tfs: int, verbose: bool | None, lazy: bool, meta: Any
) -> Any:
    """``augment`` of a list of data points, a Dask frame (in memory or lazily), or a bad ``df``."""
    if isinstance(df, (list, tuple)):
        from ._augment_points import augment_points

        return augment_points(tfs, df, policy, n_tfs, verbose, lazy=lazy, meta=meta)
    if not (_is_dask(df) or isinstance(df, pd.DataFrame)):
        raise InvalidParameterError(
            f"df must be a pandas or dask DataFrame or a list of data points, got {type(df).__name__}"
        )
    check_columns(df.columns, "df")
    from .augment_stream import augment_dask, augment_lazy

    if lazy or meta is not None:
        return augment_lazy(tfs, df, policy, lazy=lazy, meta=meta)
    return augment_dask(df, tfs, policy, n_tfs, verbose)


def check_call(tfs: Any, policy: Any) -> tuple[list[TransformationFunction], int]:
    """The checked TFs and their number, after checking ``policy`` against them."""
    checked = _check_tfs(tfs)
    if not isinstance(policy, Policy):
        raise InvalidParameterError(
            f"policy must be an augmentation policy (e.g. weak.RandomPolicy(n_per_original=2)), got {policy!r}"
        )
    if isinstance(policy, ApplyOnePolicy) and len(checked) != 1:
        raise InvalidParameterError(
            f"policy ApplyOnePolicy applies one transformation function, but tfs has {len(checked)}; pass one TF "
            "or use ApplyEachPolicy"
        )
    return checked, policy.resolve(len(checked))


def check_columns(columns: Any, name: str) -> None:
    """Refuse repeated column names (a row could not name its fields)."""
    repeated = pd.Index(columns)[pd.Index(columns).duplicated()]
    if len(repeated):
        raise InvalidParameterError(f"{name} must have distinct column names, got {show(repeated[0])} more than once")


def free_memory() -> int:
    """Bytes a new allocation can take now (:func:`labelwise._memory.available_memory`: Linux's MemAvailable, which
    counts the page cache the kernel can drop, not MemFree; elsewhere the total; a huge number where neither is known).
    """
    from .._memory import available_memory

    return available_memory() or 2**62


def check_size(n_rows: int, n_columns: int, policy: Policy, n_tfs: int) -> None:
    """Refuse a policy whose copies of ``n_rows`` rows cannot be held in the memory free now (the
    copies' columns and TF sequences, 8 bytes a cell): an error naming the policy's numbers, not a
    MemoryError."""
    length = getattr(policy, "sequence_length", n_tfs)
    cells = n_rows * policy.n_per_original * (length + n_columns + 1)
    free = free_memory()
    if cells * 8 > free:
        from .._memory import describe_available

        raise InvalidParameterError(
            f"n_per_original ({policy.n_per_original}) and sequence_length ({length}) ask for "
            f"{n_rows * policy.n_per_original:,} copies of the {n_rows:,} rows, about {cells * 8 / 2**30:,.1f} GiB, "
            f"more than the memory available now ({describe_available(free)}); lower them, or augment the rows in parts"
        )
