"""Apply labeling functions to a pandas or Dask DataFrame -> :class:`~labelwise.weak.Votes`."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._progress import track
from .._validate.arguments import show
from ..errors import (
    AnnotationError,
    InvalidLabelsError,
    InvalidParameterError,
    LabelwiseError,
    ShapeMismatchError,
)
from ._votes import Votes, as_votes
from .labeling_function import LabelingFunction, labeling_function

__all__ = ["LabelingFunctionError", "apply"]


class LabelingFunctionError(LabelwiseError):
    """A labeling function raised, or returned something it must not (the message names it and the row)."""


def _check_lfs(lfs: Any) -> list[LabelingFunction]:
    if isinstance(lfs, (LabelingFunction, Callable)) and not isinstance(lfs, (list, tuple)):  # type: ignore[arg-type]
        lfs = [lfs]
    if not isinstance(lfs, Sequence) or isinstance(lfs, str) or len(lfs) == 0:
        raise InvalidParameterError(f"lfs must be a non-empty list of labeling functions, got {lfs!r}")
    out = [lf if isinstance(lf, LabelingFunction) else labeling_function(lf) for lf in lfs]
    seen: dict[str, int] = {}
    for position, lf in enumerate(out):
        if lf.name in seen:
            raise InvalidParameterError(
                f"lfs must have unique names; {lf.name!r} is the name of lfs[{seen[lf.name]}] and lfs[{position}] "
                f"(rename one with @labeling_function(name=...))"
            )
        seen[lf.name] = position
    return out


def _row_values(lf: LabelingFunction, frame: pd.DataFrame) -> np.ndarray:
    out = np.empty(len(frame), dtype=object)
    index = frame.index
    for position, row in enumerate(frame.itertuples(index=False, name="Row")):
        try:
            out[position] = lf.func(row)
        except Exception as exc:
            raise LabelingFunctionError(
                f"labeling function {lf.name!r} raised {type(exc).__name__}: {exc} on row {show(index[position])}"
            ) from exc
    return out


def _vectorized_values(lf: LabelingFunction, frame: pd.DataFrame) -> np.ndarray:
    try:
        values = lf.func(frame)
    except Exception as exc:
        raise LabelingFunctionError(
            f"labeling function {lf.name!r} (vectorized) raised {type(exc).__name__}: {exc}"
        ) from exc
    values = np.asarray(values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else values)
    if values.shape != (len(frame),):
        raise LabelingFunctionError(
            f"labeling function {lf.name!r} (vectorized) must return one value per row, shape ({len(frame)},); "
            f"got shape {values.shape}"
        )
    return values


def _check_classes(lf: LabelingFunction, values: np.ndarray, index: pd.Index, classes: np.ndarray | None) -> None:
    if classes is None or len(values) == 0:
        return
    bad = ~pd.Series(values).isin(classes).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise LabelingFunctionError(
            f"labeling function {lf.name!r} returned {show(values[row])} on row {show(index[row])}, "
            f"expected one of the classes {classes.tolist()} or its abstain value {lf.abstain!r}"
        )


def _apply_frame(
    frame: pd.DataFrame, lfs: list[LabelingFunction], classes: np.ndarray | None, verbose: bool | None
) -> pd.DataFrame:
    """The long table (item, labeler, label) of one pandas frame."""
    parts = []
    for lf in track(lfs, total=len(lfs), description="labeling functions", verbose=verbose):
        values = _vectorized_values(lf, frame) if lf.vectorized else _row_values(lf, frame)
        keep = ~lf.abstains(values)
        voted = values[keep]
        where = frame.index[keep]
        _check_classes(lf, voted, where, classes)
        parts.append(pd.DataFrame({"item": where, "labeler": lf.name, "label": voted}))
    out = pd.concat(parts, ignore_index=True)
    if out["label"].dtype == object:
        out["label"] = out["label"].infer_objects()
    return out


def _label_type_error(answers: pd.DataFrame) -> LabelwiseError:
    """Which function returned what, when the votes cannot be sorted into classes (unhashable or mixed types)."""
    labels = answers["label"]
    unhashable = np.flatnonzero(~labels.map(lambda v: isinstance(v, Hashable)).to_numpy(dtype=bool))
    if unhashable.size:
        first = answers.iloc[int(unhashable[0])]
        return LabelingFunctionError(
            f"labeling function {first['labeler']!r} returned {first['label']!r} (a {type(first['label']).__name__}) "
            f"on row {show(first['item'])}, expected a single label (a string or a number) or its abstain value"
        )
    kinds = labels.map(lambda v: type(v).__name__)
    examples = [
        f"{kind} from {answers['labeler'].iloc[i]!r} (e.g. {show(labels.iloc[i])} on row {show(answers['item'].iloc[i])})"
        for kind, i in ((kind, int(np.flatnonzero(kinds.to_numpy() == kind)[0])) for kind in pd.unique(kinds))
    ]
    return InvalidLabelsError(
        f"the labeling functions returned labels of mixed types: {'; '.join(examples)}; make them return one "
        "type (e.g. all strings)"
    )


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
    df : pandas.DataFrame or dask.dataframe.DataFrame
        The data. Its index identifies the items (it must be unique). A Dask frame is labelled
        partition by partition with ``map_partitions`` (install the ``dask`` extra).
    classes : sequence, optional
        The allowed classes. Any other returned value (that is not the LF's abstain value) is an
        error naming the function, the row and the value. Default: the sorted values returned.
    verbose : bool, optional
        Progress bar over the functions (default: only on a terminal).

    Returns
    -------
    Votes
        ``answers`` (item, labeler, label; abstains dropped) and ``matrix()`` (n, m), -1 = abstain.

    Raises
    ------
    LabelingFunctionError
        A function raised (names it and the row), returned the wrong number of values, or a
        value outside ``classes``, or a value that is not a single label (a list, a dict).
    InvalidParameterError
        Two functions share a name, ``lfs`` is empty, or ``df`` has no rows.
    AnnotationError
        Every function abstained on every row.
    InvalidLabelsError
        Without ``classes``, labels of several types (each type named with a function and a row).
    """
    checked = _check_lfs(lfs)
    declared = None if classes is None else np.asarray(classes)
    if _is_dask(df):
        meta = pd.DataFrame(
            {"item": df.index._meta, "labeler": pd.Series(dtype=object), "label": pd.Series(dtype=object)}
        )
        answers = df.map_partitions(_apply_frame, checked, declared, False, meta=meta).compute()
        answers = answers.reset_index(drop=True)
        items = pd.Index(df.index.compute())
    elif isinstance(df, pd.DataFrame):
        if not df.index.is_unique:
            raise ShapeMismatchError("df must have a unique index (it identifies the items); reset_index() first")
        answers = _apply_frame(df, checked, declared, verbose)
        items = df.index
    else:
        raise InvalidParameterError(f"df must be a pandas or dask DataFrame, got {type(df).__name__}")
    if len(items) == 0:
        raise InvalidParameterError("df must have at least one row to label, got none")
    if len(answers) == 0:
        raise AnnotationError(
            f"every labeling function abstained on every row ({len(checked)} functions, {len(items)} rows): "
            f"no votes to analyse or aggregate"
        )
    if declared is None:
        try:
            declared = np.sort(pd.unique(answers["label"]))
        except TypeError:
            raise _label_type_error(answers) from None
    votes = Votes(answers, pd.Index(items), tuple(lf.name for lf in checked), declared)
    return as_votes(votes)
