"""The votes of labelers on items: a long table (item, labeler, label) and its dense matrix view.

Every function of :mod:`labelwise.weak` accepts votes as a :class:`Votes` (what
:func:`~labelwise.weak.apply` returns), a long DataFrame with columns ``item``, ``labeler`` (or
``annotator``) and ``label`` where an abstain is simply no row, or a dense integer label matrix of
shape (n_items, n_labelers) with ``-1`` for abstain (Snorkel's convention, classes ``0..K-1``), also as a
wide DataFrame (Snorkel's ``L`` as a frame): one integer column per labeler, named by the column, one row
per item, named by the index.
A long table only knows the items that got at least one vote; the label models treat abstains as
informative, so pass :class:`Votes` or a matrix to keep the items nobody voted on. A labeler votes
once on an item: a table's repeated (item, labeler) rows count once, as their most frequent label,
and as an abstain where labels tie (``a`` then ``b``), whatever the row order, with a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from .._validate.arguments import show
from .._validate.labels import class_array, row_label, unhashable_value
from ..errors import (
    AnnotationError,
    InvalidLabelsError,
    LabelwiseWarning,
    MissingColumnError,
    ShapeMismatchError,
)

__all__ = ["Votes", "as_votes", "refuse_no_votes"]

ABSTAIN = -1


@dataclass(frozen=True)
class Votes:
    """Labeling-function votes: one row per (item, labeler) that did not abstain.

    Attributes
    ----------
    answers : DataFrame
        Columns ``item``, ``labeler``, ``label``; abstains are absent.
    items : pandas.Index
        Every item (row of the data), voted on or not, in data order.
    labelers : tuple of str
        The labelers, in the order given.
    classes : ndarray
        The classes (declared, or the sorted labels seen).
    """

    answers: pd.DataFrame
    items: pd.Index
    labelers: tuple[str, ...]
    classes: np.ndarray

    @property
    def n_items(self) -> int:
        """Number of items (rows), including those no labeler voted on."""
        return len(self.items)

    @property
    def n_labelers(self) -> int:
        """Number of labelers."""
        return len(self.labelers)

    def matrix(self) -> np.ndarray:
        """The dense label matrix (n_items, n_labelers) of class codes (positions in ``classes``), -1 = abstain.

        Built once per :class:`Votes` (a label model's fit reads it in its pair check too) and kept in the
        narrowest signed integer type that holds the codes (one byte up to 128 classes); each call returns a
        fresh int64 copy. Votes made from a matrix keep that matrix's codes from the start."""
        kept = self.__dict__.get("_codes")
        if kept is None:
            kept = _compact_codes(self._build_matrix(), len(self.classes))
            object.__setattr__(self, "_codes", kept)  # a cache of the frozen fields: not a field itself
        return kept.astype(np.int64)

    def _build_matrix(self) -> np.ndarray:
        out = np.full((self.n_items, self.n_labelers), ABSTAIN, dtype=np.int64)
        if len(self.answers):
            rows = _positions(self.items, self.answers["item"])
            cols = _positions(pd.Index(self.labelers), self.answers["labeler"])
            out[rows, cols] = _positions(pd.Index(self.classes), self.answers["label"])
        return out

    def to_frame(self) -> pd.DataFrame:
        """A copy of the long table (item, labeler, label)."""
        return self.answers.copy()

    def to_annotations(self) -> pd.DataFrame:
        """The long table with ``labeler`` renamed ``annotator``, for :mod:`labelwise.aggregate`."""
        return self.answers.rename(columns={"labeler": "annotator"})


def kept_entries(columns: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR ``indices`` and ``indptr`` of the cells of (n, g) ``columns`` where ``keep`` holds, row by
    row and in column order within a row: ``columns[keep]`` and the running count of kept cells per
    row, from the kept cells' flat positions (numpy's per-row count of a tall, narrow boolean array
    and its boolean gather cost several times more)."""
    n, g = keep.shape
    flat = np.flatnonzero(keep)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(flat // max(g, 1), minlength=n), out=indptr[1:])
    return columns.ravel()[flat], indptr


def _positions(index: pd.Index, values: pd.Series) -> np.ndarray:
    """``index.get_indexer(values)`` through the distinct values: a long column of a few labelers'
    names is hashed once by :func:`pandas.factorize` instead of looked up string by string. Integers
    on a :class:`pandas.RangeIndex` (the items of a label matrix) or on classes ``0, …, K - 1`` are their
    own positions: no hashing."""
    if values.dtype.kind in "iu" and _is_range(index):
        start, step = (index.start, index.step) if isinstance(index, pd.RangeIndex) else (0, 1)
        pos = values.to_numpy().astype(np.int64, copy=False) - start
        found = (pos >= 0) & (pos < len(index))
        if step != 1:
            pos, rem = np.divmod(pos, step)
            found = (rem == 0) & (pos >= 0) & (pos < len(index))
        return np.where(found, pos, -1)
    codes, distinct = pd.factorize(values)
    found = np.append(index.get_indexer(distinct), -1)  # a missing value (code -1) is not found
    return found[codes]


def _is_range(index: pd.Index) -> bool:
    """Whether ``index`` is a :class:`pandas.RangeIndex`, or integers ``0, 1, …, n - 1`` (classes declared or
    seen as class codes), whose positions are the values themselves."""
    if isinstance(index, pd.RangeIndex):
        return True
    return (
        index.dtype.kind in "iu"
        and len(index) > 0
        and index[0] == 0
        and index[-1] == len(index) - 1
        and index.is_monotonic_increasing
        and index.is_unique
    )


def _from_matrix(matrix: np.ndarray, classes: Sequence[Any] | None) -> Votes:
    if matrix.ndim != 2:
        raise ShapeMismatchError(f"votes as a matrix must be 2-D (n_items, n_labelers), got shape {matrix.shape}")
    if matrix.dtype.kind not in "iu":
        if matrix.dtype.kind == "f" and np.all(np.isfinite(matrix)) and np.all(np.mod(matrix, 1) == 0):
            matrix = matrix.astype(np.int64)
        else:
            raise InvalidLabelsError(
                f"votes as a matrix must hold integer class codes (-1 = abstain), got dtype {matrix.dtype}"
            )
    if matrix.size and matrix.min() < ABSTAIN:
        bad = np.argwhere(matrix < ABSTAIN)[0]
        raise InvalidLabelsError(
            f"votes matrix must hold class codes >= 0 or -1 for abstain; row {bad[0]}, column {bad[1]} "
            f"holds {matrix[bad[0], bad[1]]}"
        )
    k = int(matrix.max()) + 1 if matrix.size else 0
    known = np.arange(max(k, 2)) if classes is None else class_array(classes)
    if k > len(known):
        raise InvalidLabelsError(f"votes matrix holds code {k - 1} but only {len(known)} classes were declared")
    r, c = np.nonzero(matrix != ABSTAIN)
    labelers = tuple(f"lf_{j}" for j in range(matrix.shape[1]))
    answers = pd.DataFrame({"item": r, "labeler": np.asarray(labelers, dtype=object)[c], "label": known[matrix[r, c]]})
    votes = Votes(answers, pd.RangeIndex(matrix.shape[0]), labelers, known)
    if pd.Index(known).is_unique:  # each code is then its label's position: matrix() would rebuild this array
        object.__setattr__(votes, "_codes", _compact_codes(matrix, len(known)))  # a copy, not the caller's array
    return votes


def _compact_codes(matrix: np.ndarray, n_classes: int) -> np.ndarray:
    """A copy of a matrix of codes ``-1 .. n_classes - 1`` in the narrowest signed integer type that holds them."""
    return matrix.astype(np.min_scalar_type(-max(n_classes, 1)), copy=True)  # holds -n_classes .. n_classes - 1


# Column names of a long table (here, crowd-kit's and common exports'): a frame with any of them is
# never read as a wide label matrix, whatever its dtypes.
LONG_TABLE_NAMES = frozenset({"item", "labeler", "annotator", "label", "task", "worker", "answer", "annotation"})


def is_wide_matrix(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` is unambiguously a wide label matrix: at least one column, every column of integer
    dtype (numpy or nullable without ``<NA>``), no column named as a long table's (``item``, ``label``,
    ``task``, ``worker``...), and the column names distinct."""
    if frame.shape[1] == 0 or not frame.columns.is_unique:
        return False
    if any(str(c).strip().casefold() in LONG_TABLE_NAMES for c in frame.columns):
        return False
    return all(pd.api.types.is_integer_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in frame.dtypes) and not (
        frame.isna().to_numpy().any()
    )


def _from_wide(frame: pd.DataFrame, classes: Sequence[Any] | None) -> Votes:
    """A wide frame as :class:`Votes`: the matrix's votes, labelers named by the columns, items by the index."""
    matrix = _from_matrix(frame.to_numpy(dtype=np.int64), classes)
    labelers = tuple(str(c) for c in frame.columns)
    if len(set(labelers)) != len(labelers):
        raise InvalidLabelsError(
            f"votes as a wide frame must name each labeler once; its columns {list(labelers)} repeat a name as text"
        )
    answers = matrix.answers.assign(
        item=frame.index.to_numpy()[matrix.answers["item"].to_numpy()],
        labeler=np.asarray(labelers, dtype=object)[_positions(pd.Index(matrix.labelers), matrix.answers["labeler"])],
    )
    return Votes(answers, frame.index.copy(), labelers, matrix.classes)


def _from_frame(frame: pd.DataFrame, classes: Sequence[Any] | None) -> Votes:
    who = "labeler" if "labeler" in frame.columns else "annotator"
    missing = [c for c in ("item", who, "label") if c not in frame.columns]
    if missing and is_wide_matrix(frame):
        return _from_wide(frame, classes)
    if missing:
        raise MissingColumnError(
            f"votes must have columns item, labeler (or annotator) and label; missing {missing}, "
            f"found {[str(c) for c in frame.columns]} (a long table under other names: rename its columns; a wide "
            "label matrix, one column per labeler with -1 = abstain, is read as one where every column holds "
            "integers without <NA> and none is named item, label, task, worker or answer; else pass "
            "votes.to_numpy(dtype=int), the labelers then named lf_0, lf_1, ...)"
        )
    answers = pd.DataFrame(
        {"item": frame["item"].to_numpy(), "labeler": frame[who].to_numpy(), "label": frame["label"].to_numpy()}
    )
    kept = np.flatnonzero(answers["label"].notna().to_numpy())
    answers = answers.iloc[kept].reset_index(drop=True)
    row = partial(_frame_row, frame.index, kept)
    for col, name in (("item", "item"), ("labeler", who)):
        null = answers[col].isna().to_numpy()
        if null.any():  # (a vote on item NaN, or by labeler NaN, was kept as one)
            pos = int(np.flatnonzero(null)[0])
            raise InvalidLabelsError(
                f"votes column {name!r} must not be null where a label is given, {row(pos)} is "
                f"{show(answers[col].iloc[pos])} ({int(null.sum())} null value(s) in all)"
            )
    try:
        return _encoded_frame(answers, classes, row)
    except TypeError:  # a list or dict in a column (nested JSON): name it, not pandas' "unhashable type"
        for col, what in (("item", "item ids"), ("labeler", "labeler ids"), ("label", "labels")):
            error = unhashable_value(f"votes column {col!r}", answers[col], what, row, InvalidLabelsError)
            if error is not None:
                raise error from None
        raise


def _frame_row(index: pd.Index, kept: np.ndarray, pos: int) -> str:
    """The row of the votes frame that answer ``pos`` (of those with a label) came from."""
    return row_label(index, int(kept[pos]))


def _encoded_frame(answers: pd.DataFrame, classes: Sequence[Any] | None, row: Callable[[int], str]) -> Votes:
    """:func:`_from_frame` after its checks: the classes, items and labelers of ``answers`` (``row``
    names an answer's row as the votes frame numbers it)."""
    if classes is None:
        try:
            known = np.sort(pd.unique(answers["label"]))
        except TypeError:  # labels of several types (7 and "b"): ordered by repr, as a set of classes is, not by row
            known = np.asarray(ordered_classes(set(pd.unique(answers["label"]))), dtype=object)
    else:
        known = class_array(classes)
    unknown = np.flatnonzero(class_codes(known, answers["label"]) < 0)
    if unknown.size:
        raise _unknown_label(known, answers, int(unknown[0]), row(int(unknown[0])))
    item_codes, items_seen = pd.factorize(answers["item"])
    labeler_codes, labelers_seen = pd.factorize(answers["labeler"])
    pair = item_codes * max(len(labelers_seen), 1) + labeler_codes
    repeated = pd.Series(pair).duplicated(keep=False).to_numpy()
    if repeated.any():
        answers = answers.loc[_one_vote_per_pair(answers, pair, repeated, row)].reset_index(drop=True)
    return Votes(answers, pd.Index(items_seen), tuple(labelers_seen.tolist()), known)


def class_codes(classes: Any, labels: Any) -> np.ndarray:
    """Each label's position in ``classes`` (-1 where it is none of them), the codes :meth:`Votes.matrix`
    gives: a label is a class only where the matrix can place it (``True`` is not the class ``1``, though
    ``True == 1``: pandas' ``isin`` would take it, and the matrix would then hold an abstain)."""
    return _positions(pd.Index(np.asarray(classes)), pd.Series(labels))


def bool_hint(value: Any, classes: Any) -> str:
    """Why a bool is not a class of integer ``classes`` (``""`` for any other case)."""
    integers = all(isinstance(c, (int, np.integer)) and not isinstance(c, (bool, np.bool_)) for c in classes)
    if not isinstance(value, (bool, np.bool_)) or not integers:
        return ""
    return (
        f" (a bool is not the class {int(value)}: return {int(value)}, or take the classes False and True: "
        "classes=[False, True], or no --classes on the command line)"
    )


def _unknown_label(known: np.ndarray, answers: pd.DataFrame, pos: int, where: str = "") -> InvalidLabelsError:
    """The error for the vote at ``pos`` of ``answers``, whose label is none of ``known``."""
    label = answers["label"].iloc[pos]
    vote = f"item {show(answers['item'].iloc[pos])}, labeler {show(answers['labeler'].iloc[pos])}"
    return InvalidLabelsError(
        f"votes label must be one of the classes {known.tolist()}; {f'{where} ({vote})' if where else vote} "
        f"has {show(label)}{bool_hint(label, known)}"
    )


def _with_classes(votes: Votes, classes: Any) -> Votes:
    """``votes`` coded over ``classes`` (a label model's ``labels=``, or the fitted ``classes_`` for new votes)
    instead of the classes it was made with: every vote must be one of them."""
    known = class_array(classes)
    unknown = np.flatnonzero(class_codes(known, votes.answers["label"]) < 0)
    if unknown.size:
        raise _unknown_label(known, votes.answers, int(unknown[0]))
    return Votes(votes.answers, votes.items, votes.labelers, known)


def _one_vote_per_pair(
    answers: pd.DataFrame, pair: np.ndarray, repeated: np.ndarray, row: Callable[[int], str]
) -> np.ndarray:
    """Which rows to keep where a labeler voted more than once on an item (``repeated``: the rows of such
    pairs): per pair, one row of its most frequent label, none where two or more labels are equally
    frequent (the pair is an abstain). The label matrix holds one cell per (item, labeler), so every
    consumer (the label models, the analysis, Dawid-Skene) reads that one vote; a long table has no
    meaningful row order, and this rule does not depend on it. A warning says so."""
    rows = np.flatnonzero(repeated)
    votes = pd.DataFrame({"pair": pair[rows], "label": pd.factorize(answers["label"].iloc[rows])[0], "row": rows})
    counts = votes.groupby(["pair", "label"], sort=False)["row"].agg(["size", "min"])
    top = counts[counts["size"] == counts["size"].groupby(level="pair").transform("max")]
    n_top = top.groupby(level="pair").size()
    keep = ~repeated
    keep[top.loc[n_top.index[n_top.to_numpy() == 1], "min"].to_numpy()] = True
    n_labels = counts.groupby(level="pair").size()
    conflicts = n_labels.index[n_labels.to_numpy() > 1]
    shown = votes[votes["pair"].isin(conflicts)] if len(conflicts) else votes
    first = shown.drop_duplicates("pair").iloc[0]  # the first repeated (or conflicting) pair in row order
    other = shown[(shown["pair"] == first["pair"]) & (shown["label"] != first["label"])]
    second = int(other["row"].iloc[0]) if len(other) else int(shown[shown["pair"] == first["pair"]]["row"].iloc[1])
    at = int(first["row"])
    warn_at_caller(
        LabelwiseWarning(
            f"votes holds {len(rows) - len(n_labels)} repeated vote(s) of a labeler on an item ({len(n_labels)} "
            f"pair(s), {len(conflicts)} with different labels): each pair counts once, as its most frequent label, "
            f"and as no vote where labels tie ({int((n_top.to_numpy() > 1).sum())} pair(s)), whatever the row "
            f"order: e.g. labeler {show(answers['labeler'].iloc[at])} on item {show(answers['item'].iloc[at])} "
            f"voted {show(answers['label'].iloc[at])} ({row(at)}) and {show(answers['label'].iloc[second])} "
            f"({row(second)}); to keep the last vote of each pair, drop the earlier rows first (pandas' "
            "drop_duplicates(keep='last') on the item and labeler columns); give repeated answers (samples of one "
            "model) each their own labeler to count them all"
        )
    )
    return keep


def with_items(votes: Votes, items: Any) -> Votes:
    """``votes`` over ``items``, every item of the data (``df.index``): those without a vote are rows nobody
    voted on, which a long table cannot hold. Each voted item must be one of them, and each given once."""
    index = pd.Index(items)
    if not index.is_unique:
        raise ShapeMismatchError(
            f"items must name each item once, got {show(index[index.duplicated()][0])} more than once"
        )
    absent = votes.items[index.get_indexer(votes.items) < 0]
    if len(absent):
        raise ShapeMismatchError(
            f"items must hold every voted item, got none for {len(absent)} of them (e.g. {show(absent[0])}); "
            f"items are e.g. {index[:3].tolist()}"
        )
    return Votes(votes.answers, index, votes.labelers, votes.classes)


def gold_by_item(votes: Any, items: pd.Index, gold: Any, name: str) -> Any:
    """Gold labels given by position (``name``: the parameter), as ``votes`` can read them. A :class:`Votes`
    or a matrix has an item order: ``gold`` unchanged. A long table's items come in the order its rows
    first name them, which an export sorted by annotator changes (``q0, q1, q10, ...``), so an array in the
    data's order would go to other items in silence: it is read as ``gold[item]`` (a Series indexed
    ``0..n-1``, matched by item) where every item is an integer position of it, and refused otherwise."""
    if not isinstance(votes, pd.DataFrame) or is_wide_matrix(votes) or np.ndim(gold) != 1:
        return gold
    values = np.asarray(gold, dtype=object)
    if items.dtype.kind in "iu" and len(items) and items.min() >= 0 and items.max() < len(values):
        return pd.Series(values)
    raise ShapeMismatchError(
        f"{name} must be a Series indexed by item when votes is a long table: its {len(items)} items have no "
        f"order of their own (here they first appear as {items[:3].tolist()}..., in the order of the table's "
        "rows), so labels by position could go to other items; pass pd.Series(labels, index=item_ids)"
    )


def ordered_classes(classes: Any) -> Any:
    """``classes`` given as a set: sorted (by text where the values do not compare), so that the class codes,
    the columns of ``probas_`` and the seeded tie-breaks do not follow the set's order, which for strings
    changes from one Python process to the next (hash randomisation). Anything else as given."""
    if not isinstance(classes, (set, frozenset)):
        return classes
    try:
        return sorted(classes)
    except TypeError:
        return sorted(classes, key=repr)


def as_votes(votes: Any, *, classes: Any = None, name: str = "votes", allow_empty: bool = False) -> Votes:
    """Coerce a :class:`Votes`, a long DataFrame or a dense label matrix (-1 = abstain) to :class:`Votes`.

    ``classes`` (a label model's ``labels=``, or its fitted ``classes_`` for new votes) are the classes of the
    result whatever ``votes`` is, a :class:`Votes` made with other classes included (its votes coded over
    them): a vote that is none of them is an error.

    A DataFrame without the long table's columns whose every column holds integers (no ``<NA>``) and
    none is named as a long table's (``item``, ``labeler``, ``annotator``, ``label``, ``task``,
    ``worker``, ``answer``, ``annotation``) is a wide label matrix: each column a labeler named by
    the column (as text), each row an item named by the index, ``-1`` an abstain.

    A table or matrix without a single vote is an error unless ``allow_empty`` (votes to predict on: Snorkel's
    label matrix of a batch no function fired on); a :class:`Votes` is taken as it is (:func:`weak.apply` with
    declared classes makes one of a batch without a vote), and a label model's fit refuses it.

    Raises
    ------
    AnnotationError
        No labeler voted on any item (a table or matrix, without ``allow_empty``).
    MissingColumnError, InvalidLabelsError, ShapeMismatchError
        The table or matrix is malformed.
    """
    classes = ordered_classes(classes)
    if isinstance(votes, Votes):
        out = votes if classes is None else _with_classes(votes, classes)
    elif isinstance(votes, pd.DataFrame):
        out = _from_frame(votes, classes)
    else:
        try:
            arr = np.asarray(votes)
        except Exception:  # noqa: BLE001 - anything numpy cannot read is the wrong type
            arr = np.asarray(None)
        if arr.dtype == object or arr.ndim == 0:
            raise InvalidLabelsError(
                f"{name} must be Votes, a DataFrame (item, labeler, label) or an integer matrix, "
                f"got {type(votes).__name__}"
            )
        out = _from_matrix(arr, classes)
    if not allow_empty and not isinstance(votes, Votes):
        refuse_no_votes(out, name)
    return out


def refuse_no_votes(votes: Votes, name: str = "votes") -> None:
    """The one error for ``votes`` without a single vote (:func:`as_votes`, a label model's fit): it names the
    parameter ``name``, what it must hold and what it got."""
    if len(votes.answers) == 0:
        raise AnnotationError(
            f"{name} must hold at least one vote, got none: every labeler abstained on every one of the "
            f"{votes.n_items} items ({votes.n_labelers} labelers)"
        )
