"""Labeling-function analysis, as Snorkel's ``LFAnalysis.lf_summary``, plus the label model's view."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from .._validate.arguments import check_positive_int, show
from ..errors import InvalidParameterError, LabelwiseWarning, ShapeMismatchError
from ._votes import ABSTAIN, Votes, as_votes, gold_by_item, with_items

__all__ = ["analysis", "lf_empirical_probs", "lf_statistics"]

_BLOCK = 1 << 16


def _label_matrix(matrix: Any, n_classes: Any) -> np.ndarray:
    """``matrix`` checked: 2-D integers from -1 (abstain) to ``n_classes - 1``, else an error naming it."""
    n_classes = check_positive_int("n_classes", n_classes)
    arr = np.asarray(matrix) if isinstance(matrix, (np.ndarray, list, tuple)) else None
    if arr is None or arr.ndim != 2 or arr.dtype.kind not in "iu":
        what = f"shape {arr.shape} and dtype {arr.dtype}" if arr is not None else type(matrix).__name__
        raise InvalidParameterError(
            f"matrix must be a 2-D integer array (items x labeling functions, -1 = abstain), got {what}"
        )
    bad = (arr < ABSTAIN) | (arr >= n_classes)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InvalidParameterError(
            f"matrix must hold votes from -1 (abstain) to n_classes - 1 = {n_classes - 1}, "
            f"row {r} column {c} is {show(arr[r, c])}"
        )
    return arr


def lf_statistics(matrix: np.ndarray, n_classes: int, *, block_size: int = _BLOCK) -> dict[str, np.ndarray]:
    """Coverage, overlaps and conflicts of each column of a label matrix (-1 = abstain).

    Definitions (Snorkel's ``LFAnalysis``): *coverage* is the fraction of items the function
    votes on; *overlaps* the fraction it votes on together with at least one other function;
    *conflicts* the fraction it votes on while another function votes a different class. Computed
    in blocks of ``block_size`` rows (the result does not depend on it).
    """
    matrix = _label_matrix(matrix, n_classes)
    block_size = check_positive_int("block_size", block_size)
    n, m = matrix.shape
    covered = np.zeros(m, dtype=np.int64)
    overlapped = np.zeros(m, dtype=np.int64)
    conflicted = np.zeros(m, dtype=np.int64)
    for start in range(0, n, block_size):
        block = matrix[start : start + block_size]
        voted = block != ABSTAIN
        n_votes = voted.sum(axis=1)
        rows, cols = np.nonzero(voted)
        k = max(n_classes, 1)
        counts = np.bincount(rows * k + block[rows, cols], minlength=block.shape[0] * k).reshape(-1, k)
        covered += voted.sum(axis=0)
        overlapped += (voted & (n_votes >= 2)[:, None]).sum(axis=0)
        # a vote conflicts when some other vote on its item is for another class
        other = n_votes[rows] - counts[rows, block[rows, cols]]
        conflicted += np.bincount(cols[other > 0], minlength=m)
    denom = max(n, 1)
    return {"coverage": covered / denom, "overlaps": overlapped / denom, "conflicts": conflicted / denom}


def _gold_codes(gold: Any, votes: Votes, given: Any = None) -> np.ndarray:
    """Gold class codes aligned with ``votes.items`` (-1 where there is no gold label); ``given``: the votes as
    passed (labels by position beside a long table: :func:`~labelwise.weak._votes.gold_by_item`)."""
    if not isinstance(gold, pd.Series):
        gold = gold_by_item(given, votes.items, gold, "gold")
    if isinstance(gold, pd.Series):
        if not gold.index.is_unique:  # pandas' reindex names no parameter
            raise ShapeMismatchError(
                f"gold must give each item one label, its index holds {show(gold.index[gold.index.duplicated()][0])} "
                f"more than once ({int(gold.index.duplicated().sum())} repeated index value(s) in all)"
            )
        aligned = gold.reindex(votes.items)
        if aligned.notna().sum() == 0:
            raise ShapeMismatchError(
                f"gold must be indexed by the votes' items (e.g. {votes.items[:3].tolist()}); none of its "
                f"{len(gold)} index values is an item"
            )
        values = aligned.to_numpy()
    else:
        values = np.asarray(gold)
        if values.shape != (votes.n_items,):
            raise ShapeMismatchError(
                f"gold must be a Series indexed by item or an array of length {votes.n_items} (one per item), "
                f"got shape {values.shape}"
            )
    missing = pd.isna(values)
    codes = pd.Index(votes.classes).get_indexer(values)
    unknown = (codes < 0) & ~missing
    if unknown.any():
        if unknown.sum() == (~missing).sum():
            row = int(np.flatnonzero(unknown)[0])
            raise InvalidParameterError(
                f"gold labels must name the votes' classes {votes.classes.tolist()}; none does "
                f"(item {show(votes.items[row])} has {show(values[row])})"
            )
        # a class no labeler voted: every vote on such an item is incorrect
        unvoted = pd.unique(values[unknown])
        warn_at_caller(
            LabelwiseWarning(
                f"gold holds {len(unvoted)} class(es) that no labeler voted ({show(unvoted[:5].tolist())}); "
                f"votes on those {int(unknown.sum())} items count as incorrect"
            )
        )
        codes[unknown] = len(votes.classes)
    return codes


def analysis(
    votes: Any, gold: Any = None, *, model: Any = None, items: Any = None, est_weights: Any = None
) -> pd.DataFrame:
    """One row per labeling function: polarity, coverage, overlaps, conflicts (and accuracy with gold).

    Parameters
    ----------
    votes : Votes, DataFrame (item, labeler, label) or int matrix (-1 = abstain)
    gold : Series indexed by item, or array with one label per item, optional
        True labels; items without one (NaN, or absent from the Series) are skipped for the
        accuracy columns. Beside a long table (whose items come in the order its rows first name
        them) an array is read ``gold[item]`` for integer items, and refused for others. A gold class that no labeler voted (for integer votes: above the largest
        code) is accepted with a warning, and every vote on its items counts as incorrect; gold
        that names none of the votes' classes is an error.
    model : fitted LabelModel or DawidSkeneLabelModel, optional
        Adds the label model's view: ``estimated_accuracy`` (P(vote correct | vote) as the model believes it, no
        gold: a rule the model reads as one class's detector gets near 1 whatever gold says).
    est_weights : array-like of shape (n_labelers,) or Series indexed by labeler, optional
        Weights to show beside the functions (Snorkel's ``lf_summary(est_weights=...)``, such as a label
        model's ``get_weights()``): a ``learned_weight`` column, by position or by labeler name.
    items : sequence, optional
        Every item of the data (``df.index``, or the ``item`` column of ``labelwise weak``'s ``labels.csv``):
        items without a vote count as rows nobody voted on, as in Snorkel's label matrix. A long table
        (``votes.csv`` read back) holds only the items some function voted on, so without ``items`` its
        coverage, overlaps and conflicts are shares of those; a warning says so when ``gold`` (a Series)
        names items the table lacks. Each voted item must be one of ``items``.

    Returns
    -------
    DataFrame indexed by labeler
        ``polarity`` (classes voted), ``coverage``, ``overlaps``, ``conflicts``; with gold also
        ``correct``, ``incorrect``, ``empirical_accuracy`` (correct / (correct + incorrect), NaN
        when the function never voted on a gold item); with ``model`` also ``estimated_accuracy``
        (the model's ``accuracies_``: NaN for a function that never voted); with ``est_weights``, ``learned_weight``.

    References
    ----------
    .. [1] A. Ratner, S. H. Bach, H. Ehrenberg, J. Fries, S. Wu and C. Ré, "Snorkel: Rapid Training
       Data Creation with Weak Supervision", PVLDB 11(3), 269-282, 2017 (``LFAnalysis``).
    """
    v = as_votes(votes)
    if items is not None:
        v = with_items(v, items)
    elif isinstance(votes, pd.DataFrame) and isinstance(gold, pd.Series):
        _warn_unvoted_gold(gold, v)
    matrix = v.matrix()
    stats = lf_statistics(matrix, len(v.classes))
    polarity = [
        [v.classes[c].item() if hasattr(v.classes[c], "item") else v.classes[c] for c in np.unique(col[col >= 0])]
        for col in matrix.T
    ]
    frame = pd.DataFrame({"polarity": polarity, **stats}, index=pd.Index(v.labelers, name="labeler"))
    if gold is not None:
        codes = _gold_codes(gold, v, None if items is not None else votes)
        has = codes >= 0
        voted = (matrix != ABSTAIN) & has[:, None]
        correct = (voted & (matrix == codes[:, None])).sum(axis=0)
        incorrect = voted.sum(axis=0) - correct
        frame["correct"] = correct
        frame["incorrect"] = incorrect
        with np.errstate(invalid="ignore", divide="ignore"):
            frame["empirical_accuracy"] = np.where(
                correct + incorrect > 0, correct / np.maximum(correct + incorrect, 1), np.nan
            )
    if model is not None:
        frame["estimated_accuracy"] = _model_accuracies(model, frame.index)
    if est_weights is not None:
        frame["learned_weight"] = _weights(est_weights, frame.index)
    return frame


def _weights(est_weights: Any, labelers: pd.Index) -> np.ndarray:
    """``est_weights`` as one number per labeler: a Series by name (each labeler named), else by position."""
    if isinstance(est_weights, pd.Series):
        missing = labelers[~labelers.isin(est_weights.index)]
        if len(missing):
            raise ShapeMismatchError(
                f"est_weights as a Series must be indexed by the labelers, got none for {show(missing.tolist()[:5])}"
            )
        est_weights = est_weights.reindex(labelers)
    values = np.asarray(est_weights)
    if values.shape != (len(labelers),) or values.dtype.kind not in "iuf":
        raise ShapeMismatchError(
            f"est_weights must hold one number per labeling function ({len(labelers)}), got shape {values.shape} "
            f"of dtype {values.dtype}"
        )
    return values.astype(float)


def _model_accuracies(model: Any, labelers: pd.Index) -> np.ndarray:
    """``model.accuracies_`` of ``labelers``: an error when the model knows none of them (fitted on other
    votes), a warning naming those it lacks (a function written after the fit: NaN until a refit)."""
    acc = getattr(model, "accuracies_", None)
    if acc is None:
        raise InvalidParameterError(f"model must be a fitted label model with accuracies_, got {type(model).__name__}")
    acc = pd.Series(acc)
    missing = labelers[~labelers.isin(acc.index)]
    if len(missing) and len(missing) == len(labelers):
        raise InvalidParameterError(
            f"model must be fitted on the votes' labeling functions, got a model of {show(acc.index.tolist()[:5])} "
            f"and none of the votes' {len(missing)} ({show(missing.tolist()[:5])}): fit it on these votes"
        )
    if len(missing):
        warn_at_caller(
            LabelwiseWarning(
                f"model was not fitted on {len(missing)} of the votes' labeling functions "
                f"({show(missing.tolist()[:5])}): their estimated_accuracy is NaN; refit the model on these votes"
            )
        )
    return acc.reindex(labelers).to_numpy()


def _warn_unvoted_gold(gold: pd.Series, votes: Votes) -> None:
    """Warn when ``gold`` names items that a long table of votes lacks: items no function voted on, left out
    of every share (Snorkel's label matrix holds them)."""
    in_votes = pd.Index(gold.index).unique().isin(votes.items)
    unvoted = int((~in_votes).sum())
    if in_votes.any() and unvoted:  # (none in the votes: gold's index names other items, an error below)
        warn_at_caller(
            LabelwiseWarning(
                f"gold names {unvoted} item(s) that have no vote in votes, a long table, which holds only the "
                f"{votes.n_items} items some function voted on: coverage, overlaps and conflicts are shares of "
                "those; pass items= (every item of the data, e.g. df.index) or the Votes of weak.apply to count "
                "the items nobody voted on, as Snorkel's label matrix does"
            )
        )


def _minus_one_is_no_gold(gold: Any) -> Any:
    """Numeric ``gold`` with ``-1`` (Snorkel's "no label") as NaN; other gold unchanged."""
    if isinstance(gold, pd.Series):
        return gold.where(gold != ABSTAIN) if pd.api.types.is_numeric_dtype(gold.dtype) else gold
    values = np.asarray(gold)
    if values.dtype.kind in "iuf" and (values == ABSTAIN).any():
        return np.where(values == ABSTAIN, np.nan, values)
    return gold


def lf_empirical_probs(votes: Any, gold: Any, *, classes: Any = None) -> np.ndarray:
    """Each labeling function's empirical confusion with gold: ``P(vote = l | true class = y)``.

    Snorkel's ``LFAnalysis.lf_empirical_probs``, computed in one pass over the label matrix (a
    ``bincount`` of (function, vote, gold class) triples) rather than one per cell.

    Parameters
    ----------
    votes : Votes, DataFrame (item, labeler, label) or int matrix (-1 = abstain)
    gold : Series indexed by item, or array with one label per item
        True labels, as for :func:`analysis`; items without one (NaN, or ``-1`` in numeric gold, as
        in Snorkel, where ``-1`` matches no class) are left out silently. A gold class no function
        voted is accepted with a warning; its column is then left out of the table.
    classes : sequence, optional
        The classes, for an integer matrix whose codes do not reach every class (Snorkel's ``k``:
        ``classes=range(k)``). Without it an integer matrix's classes are ``0`` to its largest vote,
        so one stray vote ``5`` makes six columns (NaN where no gold item has the class); with it,
        a vote outside ``classes`` is an error (Snorkel would drop that vote silently).

    Returns
    -------
    numpy.ndarray, shape (n_labelers, n_classes + 1, n_classes)
        ``P[j, l + 1, y]``: the fraction of the gold items of class ``y`` on which function ``j``
        voted class ``l`` (``l = -1``, row 0, is abstaining), classes in the order of
        ``votes.classes``. A class with no gold item has a NaN column (as in Snorkel).

    References
    ----------
    .. [1] A. Ratner, S. H. Bach, H. Ehrenberg, J. Fries, S. Wu and C. Ré, "Snorkel: Rapid Training
       Data Creation with Weak Supervision", PVLDB 11(3), 269-282, 2017 (``LFAnalysis``).

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise import weak
    >>> P = weak.lf_empirical_probs(np.array([[0, -1], [1, 1], [1, 0]]), np.array([0, 1, 1]))
    >>> P[0].tolist()  # abstain, vote 0, vote 1 (rows) given gold 0, 1 (columns)
    [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
    """
    v = as_votes(votes, classes=classes)
    if gold is None:
        raise InvalidParameterError("gold must hold the true labels (one per item), got None")
    codes = _gold_codes(_minus_one_is_no_gold(gold), v, votes)
    matrix = v.matrix()
    k = len(v.classes)
    m = matrix.shape[1]
    has = (codes >= 0) & (codes < k)
    rows = matrix[has]
    y = codes[has]
    cells = (np.arange(m)[None, :] * (k + 1) + rows + 1) * k + y[:, None]
    counts = np.bincount(cells.reshape(-1), minlength=m * (k + 1) * k).reshape(m, k + 1, k)
    per_class = np.bincount(y, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return counts / per_class[None, None, :]
