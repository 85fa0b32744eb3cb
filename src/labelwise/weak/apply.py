"""Apply labeling functions to a pandas or Dask DataFrame (or data points) -> :class:`~labelwise.weak.Votes`."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._progress import track
from .._validate.arguments import show
from ..errors import (
    AnnotationError,
    InvalidParameterError,
    LabelwiseError,
    ShapeMismatchError,
)
from ._abstain_hint import minus_one_hint, warn_minus_one_class
from ._apply_groups import labeler_major
from ._apply_points import apply_points, is_point_data
from ._float_votes import integral_float_votes
from ._mixed_types import label_type_error
from ._per_row import per_row
from ._rows import attribute_hint, iter_rows, missing_hint
from ._votes import Votes, as_votes, bool_hint, class_codes, ordered_classes
from .labeling_function import LabelingFunction, labeling_function
from .preprocessor import check_unique, prepared

__all__ = ["LabelingFunctionError", "apply"]


class LabelingFunctionError(LabelwiseError):
    """A labeling function raised, or returned something it must not (the message names it and the row).

    ``row`` is the index label the message names and ``position`` its position in the frame the
    function was called on (both None when no row is named); on a Dask frame ``partition`` is that
    frame's partition number.
    """

    def __init__(self, message: str, *, row: Any = None, position: int | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.position = position
        self.partition: int | None = None


def _check_lfs(
    lfs: Any,
    *,
    make: Callable[..., Any] = labeling_function,
    cls: type[LabelingFunction] = LabelingFunction,
    name: str = "lfs",
) -> list[LabelingFunction]:
    """``lfs`` as a list of ``cls`` (plain functions wrapped by ``make``) with unique names; ``name``
    is the parameter the errors name (``sfs`` for slicing functions)."""
    if isinstance(lfs, (LabelingFunction, Callable)) and not isinstance(lfs, (list, tuple)):  # type: ignore[arg-type]
        lfs = [lfs]
    if not isinstance(lfs, Sequence) or isinstance(lfs, str) or len(lfs) == 0:
        raise InvalidParameterError(f"{name} must be a non-empty list of {cls.kind}s, got {lfs!r}")
    bad = next((i for i, lf in enumerate(lfs) if isinstance(lf, LabelingFunction) and lf.kind != cls.kind), None)
    if bad is not None:
        raise InvalidParameterError(f"{name}[{bad}] must be a {cls.kind}, got the {lfs[bad].kind} {lfs[bad].name!r}")
    out: list[LabelingFunction] = [lf if isinstance(lf, cls) else make(lf) for lf in lfs]
    seen: dict[str, int] = {}
    for position, lf in enumerate(out):
        if lf.name in seen and lfs[seen[lf.name]] is lfs[position]:
            raise InvalidParameterError(
                f"{name} must list each {cls.kind} once; {name}[{seen[lf.name]}] and {name}[{position}] are the same "
                f"{cls.kind} {lf.name!r}{_defined_at(lf)}: remove one (renaming a copy would count its votes twice)"
            )
        if lf.name in seen:
            raise InvalidParameterError(
                f"{name} must have unique names; {lf.name!r} is the name of {name}[{seen[lf.name]}]"
                f"{_defined_at(out[seen[lf.name]])} and {name}[{position}]{_defined_at(lf)} "
                f"(rename one with @{make.__name__}(name=...))"
            )
        seen[lf.name] = position
    check_unique([p for lf in out for p in lf.pre], [lf.name for lf in out for _ in lf.pre], name)
    return out


def _defined_at(lf: LabelingFunction) -> str:
    """`` (function f at lfs.py:12)``: where ``lf``'s Python function is defined, as far as known."""
    func = inspect.unwrap(lf.func)
    qualname = getattr(func, "__qualname__", None) or getattr(func, "__name__", None)
    if qualname is None:
        return ""
    try:
        where = f" at {inspect.getsourcefile(func)}:{inspect.getsourcelines(func)[1]}"
    except (OSError, TypeError):  # a builtin, a callable object, or code typed into a shell
        where = ""
    return f" (function {qualname}{where})"


def _row_values(lf: LabelingFunction, frame: pd.DataFrame) -> np.ndarray:
    out = np.empty(len(frame), dtype=object)
    index = frame.index
    for position, row in enumerate(iter_rows(frame)):
        try:
            out[position] = lf.run(row)
        except Exception as exc:
            hint = missing_hint(exc, row) or (
                attribute_hint(exc, row, frame.columns) if isinstance(exc, AttributeError) else ""
            )
            raise LabelingFunctionError(
                f"{lf.kind} {lf.name!r} raised {type(exc).__name__}: {exc} on row {show(index[position])}{hint}",
                row=index[position],
                position=position,
            ) from exc
    return out


def call_vectorized(fn: Any, frame: pd.DataFrame, kind: str) -> Any:
    """``fn.run`` on a shallow copy of ``frame``; an error it raises becomes one naming ``kind``, the
    function and the first row it raises on by itself.

    The copy (copy-on-write) keeps a function that changes its frame (``df["text"] = ...``) from
    changing the user's frame or the one the other functions see.
    """
    try:
        return fn.run(frame.copy(deep=False))
    except Exception as exc:
        row = _failing_row(fn, frame)
        where = "" if row is None else f" on row {show(frame.index[row])} (the first row it raises on by itself)"
        raise LabelingFunctionError(
            f"{kind} {fn.name!r} (vectorized) raised {type(exc).__name__}: {exc}{where}",
            row=None if row is None else frame.index[row],
            position=row,
        ) from exc


def _vectorized_values(lf: LabelingFunction, frame: pd.DataFrame) -> np.ndarray:
    what = f"{lf.kind} {lf.name!r} (vectorized)"
    values = per_row(call_vectorized(lf, frame, lf.kind), frame.index, what, LabelingFunctionError)
    if values.shape != (len(frame),):
        raise LabelingFunctionError(
            f"{lf.kind} {lf.name!r} (vectorized) must return one value per row, shape ({len(frame)},); "
            f"got shape {values.shape}"
        )
    return values


def _raises(lf: Any, frame: pd.DataFrame) -> bool:
    try:
        lf.run(frame)
    except Exception:  # noqa: BLE001 - any error: this slice is where the function fails
        return True
    return False


def _failing_row(lf: Any, frame: pd.DataFrame) -> int | None:
    """Position of the first row on which a vectorised function that raised on ``frame`` raises alone.

    Bisection: the function is called again on halves of the failing slice (about ``2 log2 n``
    calls, on the error path only). ``None`` when it also raises on no rows (an error about the
    frame, e.g. a missing column, not about a row) or when no half raises by itself.
    """
    if _raises(lf, frame.iloc[:0]):
        return None
    lo, hi = 0, len(frame)  # the function raises on frame[lo:hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _raises(lf, frame.iloc[lo:mid]):
            hi = mid
        elif _raises(lf, frame.iloc[mid:hi]):
            lo = mid
        else:
            return None
    return lo if hi > lo else None


def _check_classes(
    lf: LabelingFunction, values: np.ndarray, index: pd.Index, positions: np.ndarray, classes: np.ndarray | None
) -> None:
    """Refuse a missing value or a value outside ``classes`` (``index``/``positions``: each value's row)."""
    missing = np.asarray(pd.isna(values), dtype=bool).reshape(-1) if lf.abstain is not None else None
    if missing is not None and missing.any():  # under abstain=None a missing value is an abstain
        row = int(np.flatnonzero(missing)[0])
        raise LabelingFunctionError(
            f"{lf.kind} {lf.name!r} returned {show(values[row])} on row {show(index[row])}: a missing "
            f"value is not a class; return its abstain value {lf.abstain!r} (or declare abstain=None, under "
            "which None and NaN abstain)",
            row=index[row],
            position=int(positions[row]),
        )
    if classes is None or len(values) == 0:
        return
    bad = class_codes(classes, values) < 0  # what the label matrix can place: True is not the class 1
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise LabelingFunctionError(
            f"{lf.kind} {lf.name!r} returned {show(values[row])} on row {show(index[row])}, "
            f"expected one of the classes {classes.tolist()} or its abstain value {lf.abstain!r}"
            f"{bool_hint(values[row], classes)}{minus_one_hint(lf, values[row])}",
            row=index[row],
            position=int(positions[row]),
        )


def _apply_frame(
    frame: pd.DataFrame, lfs: list[LabelingFunction], classes: np.ndarray | None, verbose: bool | None
) -> pd.DataFrame:
    """The long table (item, labeler, label) of one pandas frame (each preprocessor run once on it)."""
    parts = []
    cache: dict[Any, Any] = {}
    for lf in track(lfs, total=len(lfs), description="labeling functions", verbose=verbose):
        if lf.pre and len(frame) == 0:  # an empty partition: no row to preprocess, nothing to vote on
            continue
        view = prepared(frame, lf.pre, cache)
        values = lf.checked(_vectorized_values(lf, view) if lf.vectorized else _row_values(lf, view), frame.index)
        parts.append(lf_answers(lf, values, frame.index, classes))
    return joined_answers(parts, frame.index)


def lf_answers(lf: LabelingFunction, values: np.ndarray, index: pd.Index, classes: np.ndarray | None) -> pd.DataFrame:
    """The long table of ``lf``'s votes (``values``: what it returned on each row of ``index``), checked."""
    keep = ~lf.abstains(values)
    _check_classes(lf, values[keep], index[keep], np.flatnonzero(keep), classes)
    return pd.DataFrame({"item": index[keep], "labeler": lf.name, "label": values[keep]})


def joined_answers(parts: list[pd.DataFrame], index: pd.Index) -> pd.DataFrame:
    if not parts:
        parts.append(pd.DataFrame({"item": index[:0], "labeler": pd.Series(dtype=object), "label": []}))
    out = pd.concat(parts, ignore_index=True)
    if out["label"].dtype == object:
        out["label"] = out["label"].infer_objects()
    return out


def _check_declared(classes: Any) -> np.ndarray | None:
    """``classes`` as an array: a non-empty list of distinct single labels (or None)."""
    if classes is None:
        return None
    if isinstance(classes, (str, bytes)) or not pd.api.types.is_list_like(classes):
        raise InvalidParameterError(f"classes must be a list of labels (e.g. ['ham', 'spam']), got {classes!r}")
    listed = list(classes)
    bad = next((c for c in listed if not isinstance(c, Hashable) or pd.api.types.is_list_like(c)), None)
    if bad is not None:
        raise InvalidParameterError(f"classes must hold single labels (strings or numbers), got {bad!r}")
    if not listed:
        raise InvalidParameterError("classes must name at least one class, got an empty list")
    repeated = pd.Index(listed)[pd.Index(listed).duplicated()]
    if len(repeated):
        raise InvalidParameterError(f"classes must be distinct, {show(repeated[0])} is given twice in {listed!r}")
    declared = np.asarray(ordered_classes(classes))
    return declared if declared.ndim == 1 else np.asarray(listed)  # an iterable that is not a sequence


def _check_unique(index: pd.Index) -> None:
    if not index.is_unique:
        raise _repeated_index(index)


def _repeated_index(index: pd.Index) -> ShapeMismatchError:
    repeated = index[index.duplicated()][0]
    return ShapeMismatchError(
        f"df must have a unique index (it identifies the items), got {show(repeated)} more than once; "
        "reset_index() first"
    )


def _apply_dask(
    df: Any, lfs: list[LabelingFunction], declared: np.ndarray | None, verbose: bool | None
) -> tuple[pd.DataFrame, pd.Index]:
    """The answers and the items of a Dask frame, labelled partition by partition in one computation
    (the data are read once for both), drawn as one stage of progress bars.

    A frame whose partitions each carry their own ``0..len-1`` index (what ``dd.read_csv`` and
    ``dd.read_parquet`` give without an index column) has its rows numbered through the file, as
    ``pandas.read_csv`` numbers them; any other repeated index is an error, as for pandas.
    Partitions under the chunk floor are labelled in groups (:mod:`._apply_groups`), with the same votes.
    """
    from .._stage_progress import compute, stage, stages
    from ._apply_groups import merged_apply

    with stages(verbose):
        merged = merged_apply(df, lfs, declared)  # tiny partitions labelled in groups (errors already numbered)
    if merged is not None:
        return merged
    meta = pd.DataFrame(
        {
            "item": df.index._meta,
            "labeler": pd.Series(dtype=object),
            "label": pd.Series(dtype=object),
            "partition": pd.Series(dtype=np.int64),
        }
    )
    lazy = df.map_partitions(_apply_partition, lfs, declared, meta=meta)
    with stages(verbose), stage("labeling partitions"):
        try:
            answers, index, lengths = compute(lazy, df.index, df.map_partitions(len))
        except LabelingFunctionError as exc:
            raise _numbered_through(exc, df) from exc.__cause__
    items = pd.Index(index)
    if not items.is_unique:
        offsets = _row_offsets(items, np.asarray(lengths, dtype=np.int64))
        if offsets is None:
            raise _repeated_index(items)
        answers["item"] = answers["item"].to_numpy() + offsets[answers["partition"].to_numpy()]
        items = pd.RangeIndex(len(items))
    return answers.drop(columns="partition").reset_index(drop=True), items


def _apply_partition(
    frame: pd.DataFrame, lfs: list[LabelingFunction], declared: np.ndarray | None, partition_info: Any = None
) -> pd.DataFrame:
    """One partition's long table, with the partition's number (Dask passes ``partition_info``)."""
    number = partition_info["number"] if partition_info else 0
    try:
        out = _apply_frame(frame, lfs, declared, False)
    except LabelingFunctionError as exc:
        exc.partition = number
        raise
    out["partition"] = np.int64(number)
    return out


def _numbered_through(exc: LabelingFunctionError, df: Any) -> LabelingFunctionError:
    """``exc`` naming its row as :func:`apply` numbers the items: when each partition has its own
    ``0..len-1`` index (``dd.read_csv``), the row through the whole frame, not the partition's own
    (the index is read once more, on this error path only); otherwise ``exc`` unchanged."""
    from .._stage_progress import compute

    if exc.partition is None or exc.position is None or exc.row is None:
        return exc
    index, lengths = compute(df.index, df.map_partitions(len))
    items = pd.Index(index)
    offsets = None if items.is_unique else _row_offsets(items, np.asarray(lengths, dtype=np.int64))
    if offsets is None:
        return exc
    through = int(offsets[exc.partition]) + exc.position
    said = f"on row {show(exc.row)}"
    message = str(exc).replace(said, f"on row {through}", 1)
    out = LabelingFunctionError(message, row=through, position=through)
    out.partition = exc.partition
    return out


def _row_offsets(items: pd.Index, lengths: np.ndarray) -> np.ndarray | None:
    """Each partition's first row number, when every partition's index is ``0..len-1``; else None."""
    if items.dtype.kind not in "iu" or lengths.sum() != len(items):
        return None
    starts = np.cumsum(lengths) - lengths
    expected = np.arange(len(items)) - np.repeat(starts, lengths)
    return starts if np.array_equal(items.to_numpy(), expected) else None


def _no_rows() -> InvalidParameterError:
    return InvalidParameterError("df must have at least one row to label, got none")


def _is_dask(frame: Any) -> bool:
    return hasattr(frame, "map_partitions") and hasattr(frame, "npartitions") and not isinstance(frame, pd.DataFrame)


def apply(
    lfs: Sequence[LabelingFunction | Callable[..., Any]],
    df: Any,
    *,
    classes: Sequence[Any] | None = None,
    verbose: bool | None = None,
) -> Votes:
    """Apply labeling functions to every row of a DataFrame.

    Parameters
    ----------
    lfs : list of LabelingFunction (or plain functions, taken as row functions)
        Names must be unique.
    df : pandas.DataFrame, dask.dataframe.DataFrame, list of data points or NumPy array
        The data. Its index identifies the items (it must be unique); data points (Snorkel's ``LFApplier``:
        :mod:`._apply_points`) are items ``0..n-1``. A Dask frame is labelled partition by partition with
        ``map_partitions`` (the ``dask`` extra), in one computation with its index; when each partition has its
        own ``0..len-1`` index (``dd.read_csv``), the items are the row numbers through the whole frame. Tiny
        partitions are labelled in groups of neighbours, with the same votes (docs/weak.md).
    classes : sequence, optional
        The allowed classes. Any other returned value (that is not the LF's abstain value) is an
        error naming the function, the row and the value. Default: the sorted values returned.
    verbose : bool, optional
        Progress bar over the functions, for a Dask frame over its tasks (default: only on a terminal).

    Returns
    -------
    Votes
        ``answers`` (item, labeler, label; abstains dropped) and ``matrix()`` (n, m), -1 = abstain.

    Raises
    ------
    LabelingFunctionError
        A function raised (names it and the row), returned the wrong number of values, or a value outside
        ``classes``, or a value that is not a single label (a list, a dict), or a missing value (None, NaN) when
        its abstain value is another one. A vectorised function that raised is called again on halves of the
        frame to find the first row it raises on by itself (not named when it fails on any frame, e.g. a missing
        column). On a Dask frame the row is named as the items are (through the files for ``dd.read_csv``);
        when several partitions fail, the error is the first partition's to fail in time, so the row named may
        not be the first one in the frame.
    InvalidParameterError
        Two functions share a name, ``lfs`` is empty, ``df`` has no rows, or ``classes`` is not a
        non-empty list of distinct labels.
    ShapeMismatchError
        The index of ``df`` (pandas or Dask) is not unique.
    AnnotationError
        Every function abstained on every row, and ``classes`` is not given (with it: Votes without a vote).
    InvalidLabelsError
        Without ``classes``, labels of several types (each type named with a function and a row).

    Warns
    -----
    LabelwiseWarning
        Without ``classes``, a function whose abstain value is not ``-1`` returned ``-1`` (Snorkel's abstain), a class.
    """
    checked = _check_lfs(lfs)
    declared = _check_declared(classes)
    if verbose is not None and not isinstance(verbose, (bool, np.bool_)):
        raise InvalidParameterError(f"verbose must be True, False or None, got {verbose!r}")
    if _is_dask(df):
        answers, items = _apply_dask(df, checked, declared, verbose)
        answers = labeler_major(answers, [lf.name for lf in checked])  # pandas' order, not partition-major
    elif isinstance(df, pd.DataFrame):
        _check_unique(df.index)
        if len(df) == 0:  # before any function runs: one reading a column of no rows may fail otherwise
            raise _no_rows()
        answers = _apply_frame(df, checked, declared, verbose)
        items = df.index
    elif is_point_data(df):  # Snorkel's LFApplier
        answers, items = apply_points(df, checked, declared, verbose)
    else:
        raise InvalidParameterError(
            f"df must be a pandas or dask DataFrame, a list of data points or a NumPy array, got {type(df).__name__}"
        )
    if len(items) == 0:
        raise _no_rows()
    if len(answers) == 0 and declared is None:  # with classes: Snorkel's all -1 matrix, to predict on
        raise AnnotationError(
            f"every labeling function abstained on every row ({len(checked)} functions, {len(items)} rows): "
            f"no votes to analyse or aggregate (declare classes= to get the votes of such a batch all the same)"
        )
    answers = integral_float_votes(answers, declared)
    if declared is None:
        try:
            declared = np.sort(pd.unique(answers["label"]))
        except TypeError:
            raise label_type_error(answers, pd.Index(items)) from None
        warn_minus_one_class(answers, checked, declared)
    votes = Votes(answers, pd.Index(items), tuple(lf.name for lf in checked), declared)
    return as_votes(votes)
