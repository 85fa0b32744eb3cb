"""Augmenting a list of data points: Snorkel's ``TFApplier`` (``apply`` and ``apply_generator``).

Snorkel's ``TFApplier`` augments a plain list of data points (``SimpleNamespace`` objects, dicts,
any objects a TF can copy and change), point by point: each point (with ``keep_original``, the
point itself, not a copy), then each of its copies the policy's sequences made and kept (a copy
is kept where at least one TF of its sequence applied). :func:`~labelwise.weak.augment` and
:func:`~labelwise.weak.augment_batches` take such a list in place of a frame and run this module.

Each TF call gets its own copy of the point (Snorkel's pickle round trip; a point of plain values
is copied field by field, and what pickle cannot take deep-copied) with the fields of the TF's
preprocessors set on it (attributes, or keys of a dict point), which stay in the point the TF
returns, as in Snorkel. The policy draws the sequences of all points at once (or batch after
batch, from one stream), in Snorkel's order, so a seeded policy gives the points Snorkel gives
after ``np.random.seed`` of the seed. A memoised TF (``memoize=True``) is called once per memo key
(its ``memoize_key`` of the point, or the point's default key) within the call (the stream), and
each later point of that key gets a copy of the output.

References
----------
.. [1] A. J. Ratner, H. R. Ehrenberg, Z. Hussain, J. Dunnmon and C. Ré, "Learning to Compose
   Domain-Specific Transformations for Data Augmentation", NeurIPS 2017.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import BuiltinFunctionType, FunctionType, SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from .._progress import track
from .._validate.arguments import show
from ..errors import InvalidParameterError
from ._augment_memo import KeyFailure, custom_key, point_key
from .apply import LabelingFunctionError
from .augmentation import _IMMUTABLE, TransformationFunctionError, _as_dict, check_size
from .policies import Policy
from .preprocessor import Preprocessor, _in_order
from .transformation_function import AugmentRow, TransformationFunction

__all__ = [
    "AugmentedPoints",
    "augment_points",
    "check_point_tfs",
    "check_points",
    "is_points",
    "point_batches",
    "rows_in_order",
]

#: The commonest immutable types, found by a set lookup of the type before the slower ``isinstance``.
_SCALARS = frozenset({str, int, float, bool, type(None), bytes, complex})
#: What ``copy.deepcopy`` keeps as it is, though pickle refuses a lambda or a class made in a function.
_SHARED = frozenset({FunctionType, BuiltinFunctionType, type})


@dataclass(frozen=True)
class AugmentedPoints:
    """The augmented data points of a list, and where each came from.

    Attributes
    ----------
    points : list
        The points, as Snorkel's ``TFApplier.apply`` lists them: each input point (with
        ``keep_original``, the input's object itself) then its kept transformed copies.
    source : numpy.ndarray of int
        Each point's source point, by position in the input list.
    applied : tuple of tuple of str
        The TFs that transformed each point, in order (``()`` for a kept original).
    """

    points: list[Any]
    source: np.ndarray
    applied: tuple[tuple[str, ...], ...]

    def __len__(self) -> int:
        return len(self.points)

    @property
    def is_original(self) -> np.ndarray:
        """Boolean mask of the points that are input points kept as they were."""
        return np.fromiter((not a for a in self.applied), dtype=bool, count=len(self.applied))

    def to_frame(self, *, source_column: str = "source_row", applied_column: str = "tfs") -> pd.DataFrame:
        """One row per point: its fields (a namespace's attributes, a dict's keys, a named tuple's
        fields; other points in a column ``"point"``), then the source point's position and the TFs
        applied (``"+"``-joined, empty for an original)."""
        out = pd.DataFrame([_fields(p) for p in self.points], index=pd.RangeIndex(len(self.points)))
        for name, value in (("source_column", source_column), ("applied_column", applied_column)):
            if not isinstance(value, str) or not value or value in out.columns:
                raise InvalidParameterError(f"{name} must be a new column name (not one of the points'), got {value!r}")
        out[source_column] = self.source
        out[applied_column] = ["+".join(a) for a in self.applied]
        return out


def _fields(point: Any) -> dict[Any, Any]:
    if isinstance(point, Mapping):
        return dict(point)
    if hasattr(point, "_asdict"):
        return dict(point._asdict())
    if hasattr(point, "__dict__") and not isinstance(point, type):
        return dict(vars(point))
    return {"point": point}


def check_points(points: Any, name: str = "df") -> list[Any]:
    """``points`` (a list or tuple) as a list, refused when empty, holding a DataFrame, or of mixed
    types (a TF is written for one kind of point)."""
    listed = list(points)
    if not listed:
        raise InvalidParameterError(f"{name} must have at least one data point to augment, got an empty list")
    kind = type(listed[0])
    if isinstance(listed[0], (pd.DataFrame, pd.Series)):
        raise InvalidParameterError(
            f"{name} must be a DataFrame or a list of data points, got a list of {kind.__name__}s: concatenate them "
            "(pd.concat), or pass them to weak.augment_batches as chunks"
        )
    bad = next((i for i, p in enumerate(listed) if type(p) is not kind), None)
    if bad is not None:
        raise InvalidParameterError(
            f"{name} must hold data points of one type (the first, {name}[0], is a {kind.__name__}), got a "
            f"{type(listed[bad]).__name__} at {name}[{bad}]: {show(listed[bad])[:60]}"
        )
    return listed


def check_point_tfs(tfs: Any, name: str = "tfs", data: str = "a list of data points, transformed") -> None:
    """Refuse vectorised functions and preprocessors (``name``: the parameter listing them, ``tfs`` or ``lfs``):
    a list's points are transformed (labelled) one by one."""
    for i, tf in enumerate(tfs):
        frame_ones = [p.name for p in _in_order(tf.pre) if p.vectorized]
        if tf.vectorized or frame_ones:
            what = "is vectorized" if tf.vectorized else f"uses the vectorized preprocessor {frame_ones[0]!r}"
            raise InvalidParameterError(
                f"{name}[{i}] ({tf.name!r}) {what} (it takes a DataFrame), but df is {data} one by one: pass row "
                "functions, or the points as a DataFrame"
            )


def augment_points(
    tfs: list[TransformationFunction],
    points: Any,
    policy: Policy,
    n_tfs: int,
    verbose: bool | None,
    *,
    lazy: bool = False,
    meta: Any = None,
) -> AugmentedPoints:
    """``augment`` of a list of data points (Snorkel's ``TFApplier.apply``)."""
    if lazy or meta is not None:
        name, value = ("lazy", lazy) if lazy else ("meta", type(meta).__name__)
        raise InvalidParameterError(f"{name} is for a Dask df, not a list of data points, got {name}={value}")
    listed = check_points(points)
    check_point_tfs(tfs)
    check_size(len(listed), 1, policy, n_tfs)
    seqs = policy.sequences(len(listed), n_tfs)
    return _augment(tfs, listed, seqs, policy.keep_original, {}, 0, verbose)


def point_batches(
    tfs: list[TransformationFunction], points: Any, policy: Policy, n_tfs: int, size: int
) -> Iterator[AugmentedPoints]:
    """``augment_batches`` of a list of data points (Snorkel's ``TFApplier.apply_generator``),
    checked when called, augmented as the batches are asked for."""
    listed = check_points(points)
    check_point_tfs(tfs)

    def batches() -> Iterator[AugmentedPoints]:
        draw = policy.stream(n_tfs)
        memos: dict[Any, dict[Any, Any]] = {}
        for start in range(0, len(listed), size):
            batch = listed[start : start + size]
            check_size(len(batch), 1, policy, n_tfs)
            yield _augment(tfs, batch, draw(len(batch)), policy.keep_original, memos, start, False)

    return batches()


@dataclass
class _Where:
    """Where a TF runs: the source point's position in the whole input, and, for a frame's row, its
    label (a row's TF returns a dict-like row, its preprocessors' fields dropped from it)."""

    position: int = 0
    label: Any = None
    row: bool = False

    def __str__(self) -> str:
        return f"row {show(self.label)}" if self.row else f"data point {self.position}"


def _augment(
    tfs: list[TransformationFunction],
    points: list[Any],
    seqs: np.ndarray,
    keep: bool,
    memos: dict[Any, dict[Any, Any]],
    start: int,
    verbose: bool | None,
    labels: Any = None,
) -> AugmentedPoints:
    """The points and their kept copies, as Snorkel's ``_apply_policy_to_data_point`` makes them
    (``labels``: the rows' labels when the points are a frame's rows, :func:`rows_in_order`)."""
    out: list[Any] = []
    source: list[int] = []
    applied: list[tuple[str, ...]] = []
    kind = None if labels is not None else type(points[0])
    for i in track(range(len(points)), total=len(points), description="data points", verbose=verbose):
        x = points[i]
        where = _Where(start + i, None if labels is None else labels[i], labels is not None)
        if keep:
            out.append(x)
            source.append(start + i)
            applied.append(())
        for seq in seqs[i]:
            x_t, names = x, []
            for j in seq:
                if j < 0:
                    continue
                got = _run(tfs[j], x_t, memos, where, kind)
                if got is not None:
                    x_t = got
                    names.append(tfs[j].name)
            if names:
                out.append(x_t)
                source.append(start + i)
                applied.append(tuple(names))
    return AugmentedPoints(out, np.asarray(source, dtype=np.int64), tuple(applied))


def _run(tf: TransformationFunction, x: Any, memos: dict[Any, dict[Any, Any]], where: _Where, kind: Any) -> Any:
    """``tf`` on a copy of ``x`` (its preprocessors' fields set first), through its memo when memoised."""
    if not tf.memoize:
        return _call(tf, x, where, kind, memos)
    memo = memos.setdefault(("tf", tf.name), {})
    try:
        key = point_key(x) if tf.memoize_key is None else custom_key(tf, x)
    except KeyFailure as exc:
        raise _error(tf, str(exc), where) from exc.__cause__
    if key is None and tf.memoize_key is None:  # no default key: computed each time
        return _call(tf, x, where, kind, memos)
    if key in memo:
        return _copy(memo[key])
    memo[key] = got = _call(tf, x, where, kind, memos)
    return got


def _error(tf: TransformationFunction | Preprocessor, what: str, where: _Where) -> TransformationFunctionError:
    return TransformationFunctionError(
        f"{tf.kind} {tf.name!r} {what} on {where}",
        row=where.label if where.row else where.position,
        position=where.position,
    )


def _call(tf: TransformationFunction, x: Any, where: _Where, kind: Any, memos: dict[Any, dict[Any, Any]]) -> Any:
    """``tf`` on a copy of ``x``: a point of the type ``kind``, or (``kind`` None) a frame's row whose
    output is made a row again, without its preprocessors' fields (as ``augment``'s table)."""
    if kind is None and (tf.vectorized or any(p.vectorized for p in _in_order(tf.pre))):
        return _one_row(tf, x, where)
    try:
        y = _copy(x)
    except Exception as exc:
        raise _error(tf, f"could not copy the point ({type(exc).__name__}: {exc})", where) from exc
    y = _prepare_all(tf.pre, y, where, memos, set())
    try:
        got = tf.run(y)
    except Exception as exc:
        raise _error(tf, f"raised {type(exc).__name__}: {exc}", where) from exc
    if got is None:
        return None
    if kind is None:
        helpers = set(y).difference(x)
        return AugmentRow((k, v) for k, v in _as_dict(tf, got, where.label, where.position).items() if k not in helpers)
    if not isinstance(got, kind):
        raise _error(
            tf,
            f"returned {type(got).__name__} {show(got)[:60]}, expected the (changed) point, a {kind.__name__} as "
            "the points are, or None",
            where,
        )
    return got


def _copy(x: Any) -> Any:
    """A copy of a point (or of memoised fields) the TF may change in place, equal to a deep copy. A
    dict or namespace of immutable values, and of lists, dicts or sets of them (the common point), is
    copied field by field, at a fraction of the cost; anything else by Snorkel's pickle round trip,
    which also copies the Python objects inside a pandas field (a deep copy of a Series shares them),
    or, for what pickle cannot take (a lambda, a class defined in a function), by a deep copy."""
    kind = type(x)
    fields = x if kind is dict or kind is AugmentRow else vars(x) if kind is SimpleNamespace else None
    if fields is not None:
        copied = _plain_copy(fields)
        if copied is not None:
            return SimpleNamespace(**copied) if kind is SimpleNamespace else kind(copied)
    try:
        return pickle.loads(pickle.dumps(x, pickle.HIGHEST_PROTOCOL))
    except Exception:  # what pickle refuses: a lambda, an object of a class defined in a function
        return copy.deepcopy(x)


def _plain_copy(fields: Mapping[Any, Any]) -> dict[Any, Any] | None:
    """``fields`` copied as ``copy.deepcopy`` copies them when each value is immutable (kept) or a list,
    dict or set holding only immutable values (a new one holding the same values; a container two
    fields share is copied once, so they still share it; a function or a class kept, as a deep copy
    keeps it); None when a value is anything else."""
    out: dict[Any, Any] = {}
    made: dict[int, Any] = {}
    for field, value in fields.items():
        kind = type(value)
        if _frozen(value) or kind in _SHARED:
            out[field] = value
            continue
        if id(value) in made:
            out[field] = made[id(value)]
        elif kind is list or kind is set:
            if not all(_frozen(v) for v in value):
                return None
            out[field] = made[id(value)] = kind(value)
        elif kind is dict:
            if not all(_frozen(k) and _frozen(v) for k, v in value.items()):
                return None
            out[field] = made[id(value)] = dict(value)
        else:
            return None
    return out


def _one_row(tf: TransformationFunction, x: Any, where: _Where) -> Any:
    """A vectorised TF (or one with a vectorised preprocessor) on a frame's row: on a one-row frame."""
    from .augmentation import transform_frame

    try:
        got = transform_frame(tf, pd.DataFrame([dict(x)]))
    except LabelingFunctionError as exc:
        said = str(exc).replace("on row 0", f"on {where}", 1)
        raise TransformationFunctionError(said, row=where.label, position=where.position) from exc.__cause__
    return None if got is None or len(got) == 0 else AugmentRow(got.iloc[0].to_dict())


def _prepare_all(
    pres: tuple[Preprocessor, ...], y: Any, where: _Where, memos: dict[Any, dict[Any, Any]], done: set[str]
) -> Any:
    """``y`` with the fields of ``pres`` set, each one's own ``pre`` first and each once, at its first
    place (the order of :func:`~labelwise.weak.preprocessor._in_order`); a ``memoize_key`` gets the
    point before its preprocessor's own ``pre`` runs, as Snorkel's mapper takes its key."""
    for p in pres:
        if p.name in done:
            continue
        key = None
        if p.memoize and p.memoize_key is not None:
            try:
                key = custom_key(p, y)
            except KeyFailure as exc:
                raise _error(p, str(exc), where) from exc.__cause__
        y = _prepare_all(p.pre, y, where, memos, done)
        done.add(p.name)
        y = _prepare(p, y, where, memos.setdefault(("pre", p.name), {}) if p.memoize else None, key)
    return y


def _prepare(p: Preprocessor, y: Any, where: _Where, memo: dict[Any, Any] | None, key: Any = None) -> Any:
    """``y`` with the fields of the row preprocessor ``p`` set on it (Snorkel's preprocessors set them
    as attributes of the point, and they stay there); a memoised one's fields kept in ``memo``, under
    ``key`` (its ``memoize_key``'s) or the point's default key, with whether they are immutable: a
    point given fields that are not gets its own copy (one the TF may change in place)."""
    if memo is not None and p.memoize_key is None:
        key = point_key(y)
    if key is None and p.memoize_key is None:  # no default key (a key function's None is a key)
        memo = None
    try:
        if memo is not None and key in memo:
            fields, frozen = memo[key]
            fields = fields if frozen else _copy(fields)
        else:
            fields = p.func(AugmentRow(y) if isinstance(y, Mapping) else y)
            if memo is not None:
                frozen = isinstance(fields, Mapping) and all(_frozen(v) for v in fields.values())
                memo[key] = (fields, True) if frozen else (_copy(fields), False)
    except Exception as exc:
        raise _error(p, f"raised {type(exc).__name__}: {exc}", where) from exc
    if not isinstance(fields, Mapping):
        raise _error(p, f"returned {show(fields)[:60]}, expected a dict of the fields it adds", where)
    try:
        for field, value in fields.items():
            if isinstance(y, dict):
                y[field] = value
            else:
                setattr(y, field, value)
    except (AttributeError, TypeError) as exc:
        raise _error(p, f"could not set its field {field!r} on a {type(y).__name__} point ({exc})", where) from exc
    return y


def _frozen(value: Any) -> bool:
    """Whether ``value`` cannot be changed in place: an immutable scalar, or a tuple or frozenset of such."""
    kind = type(value)
    if kind in _SCALARS or isinstance(value, _IMMUTABLE):
        return True
    return (kind is tuple or kind is frozenset) and all(_frozen(v) for v in value)


def rows_in_order(
    frame: pd.DataFrame,
    tfs: list[TransformationFunction],
    seqs: np.ndarray,
    keep: bool,
    memos: dict[Any, dict[Any, Any]],
    start: int,
) -> tuple[pd.DataFrame, np.ndarray, list[tuple[str, ...]]]:
    """``augment``'s table of ``frame`` made row by row in Snorkel's order (row, copy, TF), for TFs
    memoised by a ``memoize_key``: a key that does not hold all a TF reads shares the output of the
    first row of that key in Snorkel's order, and that order, unlike the step by step one, does not
    depend on how the rows are cut into batches. ``source`` counts from 0 (the caller adds ``start``)."""
    names = list(frame.columns)
    rows = [AugmentRow(zip(names, values, strict=True)) for values in frame.itertuples(index=False, name=None)]
    got = _augment(tfs, rows, seqs, keep, memos, start, False, labels=frame.index)
    columns = dict.fromkeys(names)
    for r in got.points:
        columns.update(dict.fromkeys(r))
    data = {c: np.fromiter((r.get(c, np.nan) for r in got.points), dtype=object, count=len(got)) for c in columns}
    source = got.source - start
    out = pd.DataFrame(data, index=frame.index[source])
    out = out.astype({c: out[c].infer_objects().dtype for c in out.columns})
    return out, source, list(got.applied)


def is_points(df: Any) -> bool:
    """Whether ``df`` is a list (or tuple) of data points rather than chunks of a table."""
    return isinstance(df, (list, tuple)) and not (len(df) > 0 and isinstance(df[0], pd.DataFrame))
