"""Provenance-based poison detection (Baracaldo et al. 2017): judge each data source (a device, a
vendor, an annotator, an upload batch) by how much a model improves when its rows are removed."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from .._progress import track
from .._validate.arguments import check_choice, check_fraction, seed_from, show
from .._validate.labels import check_same_length, encode_labels
from .._validate.row_order import check_row_order
from ..errors import InvalidParameterError, ShapeMismatchError, TooFewExamplesError
from ._common import READER, row_index
from ._detect_common import check_features
from ._detect_result import PoisonDetection
from ._names import ORDERS

SPLITS = ("by-source", "random")
#: Accuracies are ratios of counts: an effect this close to the threshold counts as equal to it.
TOLERANCE = 1e-12


def _trusted_pair(trusted: Any, d: int) -> tuple[np.ndarray, Any] | None:
    """``trusted`` as ``(X_trusted, y_trusted)`` with ``d`` columns, or None."""
    if trusted is None:
        return None
    if not isinstance(trusted, (tuple, list)) or len(trusted) != 2:
        raise InvalidParameterError(
            f"trusted must be None or a pair (X_trusted, y_trusted) of trusted rows and labels, got {show(trusted)}"
        )
    Xt = check_features(trusted[0], name="trusted X")
    if Xt.shape[1] != d:
        raise ShapeMismatchError(f"trusted X must have as many columns as X ({d}), got {Xt.shape[1]}")
    return Xt, trusted[1]


def _split(source_codes: np.ndarray, share: float, split: str, seed: int | None) -> np.ndarray:
    """Without trusted rows: a boolean mask of the evaluation rows. ``"by-source"``: ``share`` of every
    source's rows (rounded, at least one where a source has two rows or more), drawn per source;
    ``"random"``: scikit-learn's ``train_test_split(test_size=share)`` of all rows, as ART draws it."""
    n = len(source_codes)
    held = np.zeros(n, dtype=bool)
    if split == "random":
        from sklearn.model_selection import train_test_split

        _, test = train_test_split(np.arange(n), test_size=share, random_state=seed)
        held[test] = True
        return held
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(n), source_codes))
    sizes = np.bincount(source_codes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rank = np.arange(n) - np.repeat(starts, sizes)
    take = np.where(sizes >= 2, np.maximum(1, np.rint(share * sizes)), 0)
    held[order] = rank < np.repeat(take, sizes)
    return held


def _fit(estimator: Any, X: Any, y: np.ndarray, rows: np.ndarray) -> Any:
    """A clone of ``estimator`` fitted on the rows ``rows`` of X; None when they hold a single class."""
    if np.unique(y[rows]).size < 2:
        return None
    return clone(estimator).fit(np.asarray(X[rows], dtype=np.float64), y[rows])


def _accuracy(model: Any, X_eval: np.ndarray, y_eval: np.ndarray) -> float:
    """The model's accuracy on the evaluation rows; NaN without a model or without rows."""
    if model is None or len(y_eval) == 0:
        return float("nan")
    return float(np.mean(model.predict(X_eval) == y_eval))


def _encode(labels: Any, trusted_labels: Any, n: int) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Training and trusted labels encoded on their classes together."""
    own, own_classes = encode_labels(labels, name="labels")
    if trusted_labels is None:
        return own, None, own_classes
    tr, tr_classes = encode_labels(trusted_labels, name="trusted y")
    own_set = set(np.asarray(own_classes, dtype=object).tolist())
    unseen = [c for c in np.asarray(tr_classes, dtype=object).tolist() if c not in own_set]
    if unseen:
        raise InvalidParameterError(
            f"trusted y must hold only classes of the training labels, got {len(unseen)} class(es) no training "
            f"row has ({', '.join(map(show, unseen[:5]))}): no model fitted on the training rows can predict them; "
            "drop those trusted rows"
        )
    both = np.concatenate([np.asarray(own_classes, dtype=object)[own], np.asarray(tr_classes, dtype=object)[tr]])
    codes, classes = encode_labels(both, name="labels and trusted y")
    return codes[:n], codes[n:], classes


def provenance(
    X,
    labels,
    sources,
    *,
    estimator,
    trusted=None,
    threshold: float = 0.0,
    order: str = "sequential",
    validation_share: float = 0.2,
    split: str = "by-source",
    random_state: Any = None,
    verbose: bool | None = False,
) -> PoisonDetection:
    """Flag the data sources whose removal improves a model by more than ``threshold``.

    Baracaldo et al. attach to every training row its provenance (the device, vendor, annotator or
    upload batch it came from; the paper's *signature*) and judge the rows of one source together: a
    poisoning attacker who controls a source leaves many rows there, each of which may look
    harmless on its own. For each source ``s``, in the sorted order of the source names, a clone of
    ``estimator`` is fitted on the kept rows (the *unfiltered* model) and one on the kept rows
    without ``s`` (the *filtered* model); the removal *effect* of ``s`` is the filtered model's
    accuracy minus the unfiltered one's on evaluation rows. A source whose effect exceeds
    ``threshold`` is poisoned; with ``order="sequential"`` (the paper's loop) its rows
    then leave the kept rows, so that the next sources are judged against a cleaner model.

    - **Partially trusted** (``trusted`` given; the paper's first case): the evaluation rows are
      the trusted rows.
    - **Untrusted** (``trusted=None``; the paper's second case): ``validation_share`` of the rows
      are held out (drawn with ``random_state``) and never fitted; source ``s`` is evaluated on the held-out
      rows of the other sources (a poisoned source would vouch for itself), and with
      ``order="sequential"`` a poisoned source's held-out rows leave the evaluation rows too.

    Parameters
    ----------
    X : array-like of shape (n, d)
        The training rows (the model's inputs), finite numbers.
    labels : array-like of shape (n,)
        Their labels (any hashable values).
    sources : array-like of shape (n,)
        Each row's data source (any hashable values): the unit that is judged and flagged.
    estimator : scikit-learn classifier
        Cloned (``sklearn.base.clone``) for every fit; deterministic given its ``random_state``.
    trusted : None or a pair (X_trusted, y_trusted)
        Trusted rows (never poisoned), with ``d`` columns, and their labels.
    threshold : float, default 0.0
        A source is poisoned when its removal raises accuracy by more than this (a share in
        [0, 1)); chosen on simulated dev seeds (benchmarks/RESULTS.md, session 34). ART's ``eps``
        defaults to 0.2.
    order : {"sequential", "independent"}, default "sequential"
        ``"sequential"``: the paper's loop, a poisoned source leaves the data before the next one is
        judged (verdicts can depend on the sources' order, hence on their names). ``"independent"``:
        every source is judged against all the rows (one unfiltered model; verdicts do not depend on
        the names).
    validation_share : float, default 0.2
        Untrusted only: the share of rows held out for evaluation, in (0, 1) (ART's ``pp_valid``).
    split : {"by-source", "random"}, default "by-source"
        Untrusted only: ``"by-source"`` holds out ``validation_share`` of every source's rows;
        ``"random"`` of all the rows at once, as ART (``train_test_split``), so that a small source
        may get no held-out row.
    random_state : None, int or numpy Generator
        Seeds the held-out rows (untrusted only).
    verbose : bool or None, default False
        Draw a progress bar over the sources on stderr (two model fits each); ``None``: only when
        stderr is a terminal (the CLI's choice).

    Returns
    -------
    PoisonDetection
        ``detector="provenance"``; ``scores`` each row's source's removal effect (higher is more
        suspicious; NaN for a source not judged: removing it left one class, or no evaluation row);
        ``is_flagged`` the rows of poisoned sources; ``sources`` each row's source; ``per_source``
        (``source``, ``rows``, ``step``, ``effect``, ``flagged``); ``per_class`` (rows and flagged
        rows per class); ``params`` the parameters and the accuracy of the model on all rows.

    Raises
    ------
    ShapeMismatchError, InvalidParameterError
        Lengths or columns that do not match, non-finite features, a parameter out of range, an
        estimator without ``fit`` and ``predict``, trusted labels of a class not in ``labels``.
    TooFewExamplesError
        Fewer than two sources, no row held out (untrusted: every source a single row), or a
        model on all rows that cannot be fitted (one class).

    Notes
    -----
    ART 1.20.1's ``ProvenanceDefense`` runs the same loops, with these departures: (1) its
    ``filter_input`` removes a row when every one of its *feature values* occurs somewhere in the
    source's rows, not the source's rows themselves: with continuous features that is the source's
    rows, but with integer features (pixel values, counts) it removes most rows of every other
    source as well; (2) without trusted rows it holds out rows with an unseeded, unstratified
    ``train_test_split`` (``split="random"`` with ``random_state=s`` draws ART's rows after
    ``np.random.seed(s)``); (3) it refits the unfiltered model for every source (the same model,
    refitted); (4) it needs one-hot labels and provenance and an ART classifier. labelwise removes
    rows by source, and its default ``split="by-source"`` keeps every source in the evaluation.

    Long for its docstring (two variants, two orders, ART's departures) and for the checks; the
    loop itself is a dozen lines.

    References
    ----------
    .. [1] N. Baracaldo, B. Chen, H. Ludwig and J. A. Safavi, "Mitigating Poisoning Attacks on
       Machine Learning Models: A Data Provenance Based Approach", 10th ACM Workshop on
       Artificial Intelligence and Security (AISec), 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> import labelwise as lw
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(600, 4)); labels = (X[:, 0] > 0).astype(int)
    >>> sources = np.repeat(["a", "b", "c", "d", "e", "f"], 100)
    >>> labels[200:300] = 1  # source "c" labels every row 1
    >>> X_t = rng.normal(size=(100, 4)); y_t = (X_t[:, 0] > 0).astype(int)
    >>> found = lw.poison.provenance(X, labels, sources, estimator=LogisticRegression(),
    ...                              trusted=(X_t, y_t), threshold=0.02)
    >>> found.per_source.loc[found.per_source["flagged"], "source"].tolist()
    ['c']
    """
    check_row_order(X, "X", READER, labels=labels, sources=sources)
    index = row_index(X, labels)
    X = check_features(X, name="X")
    n = X.shape[0]
    if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        raise InvalidParameterError(f"estimator must be a classifier with fit and predict, got {show(estimator)}")
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise InvalidParameterError(f"threshold must be a number in [0, 1), got {threshold!r}")
    threshold = check_fraction("threshold", threshold)
    order = check_choice("order", order, ORDERS)
    validation_share = check_fraction("validation_share", validation_share, closed_low=False)
    split = check_choice("split", split, SPLITS)
    seed = seed_from(random_state)
    if verbose is not None and not isinstance(verbose, bool):
        raise InvalidParameterError(f"verbose must be True, False or None, got {show(verbose)}")
    pair = _trusted_pair(trusted, X.shape[1])
    codes, trusted_codes, classes = _encode(labels, None if pair is None else pair[1], n)
    check_same_length("X", X, "labels", codes)
    if pair is not None:
        check_same_length("trusted X", pair[0], "trusted y", trusted_codes)
    source_codes, source_names = encode_labels(sources, name="sources")
    check_same_length("X", X, "sources", source_codes)
    if len(source_names) < 2:
        raise TooFewExamplesError(
            f"sources must name at least 2 data sources to judge one against the others, got only {show(source_names[0])}"
        )
    held = np.zeros(n, dtype=bool)
    if pair is None:
        held = _split(source_codes, validation_share, split, seed)
        if not held.any() or held.all():
            raise TooFewExamplesError(
                f"sources must leave rows both to fit and to hold out without trusted rows, got {held.sum()} of "
                f"{n} rows held out (split {split!r}, validation_share {validation_share:g}: a source needs 2 rows "
                "for one to be held out); pass trusted rows or group the rows into fewer sources"
            )
    kept = ~held  # rows fitted
    evaluated = held.copy()  # untrusted: rows evaluated on
    effects = np.full(len(source_names), np.nan)
    flagged_sources = np.zeros(len(source_names), dtype=bool)
    X_eval = None if pair is None else np.asarray(pair[0], dtype=np.float64)

    def evaluation(s: int) -> tuple[np.ndarray, np.ndarray]:
        if pair is not None:
            return X_eval, trusted_codes
        rows = np.flatnonzero(evaluated & (source_codes != s))
        return np.asarray(X[rows], dtype=np.float64), codes[rows]

    all_rows = np.flatnonzero(kept)
    if np.unique(codes[all_rows]).size < 2:
        raise TooFewExamplesError(
            f"labels must hold at least 2 classes among the fitted rows, got only {show(classes[codes[all_rows[0]]])}"
        )
    unfiltered = _fit(estimator, X, codes, all_rows)
    base_accuracy = _accuracy(unfiltered, *evaluation(-1))
    steps = range(len(source_names))
    for s in track(steps, total=len(steps), description="provenance: sources", verbose=verbose):
        X_s, y_s = evaluation(s)
        rows = np.flatnonzero(kept)
        filtered = _fit(estimator, X, codes, rows[source_codes[rows] != s])
        effects[s] = _accuracy(filtered, X_s, y_s) - _accuracy(unfiltered, X_s, y_s)
        if effects[s] > threshold + TOLERANCE:
            flagged_sources[s] = True
            if order == "sequential":
                kept &= source_codes != s
                evaluated &= source_codes != s
                unfiltered = filtered
    scores = effects[source_codes] + 0.0
    is_flagged = flagged_sources[source_codes]
    K = len(classes)
    per_class = pd.DataFrame(
        {
            "class": classes,
            "rows": np.bincount(codes, minlength=K),
            "flagged": np.bincount(codes[is_flagged], minlength=K),
        }
    )
    per_source = pd.DataFrame(
        {
            "source": source_names,
            "rows": np.bincount(source_codes, minlength=len(source_names)),
            "step": np.arange(len(source_names)),
            "effect": effects,
            "flagged": flagged_sources,
        }
    )
    params = {
        "threshold": threshold,
        "order": order,
        "trusted": pair is not None,
        "validation_share": validation_share if pair is None else None,
        "split": split if pair is None else None,
        "base_accuracy": base_accuracy,
    }
    return PoisonDetection(
        "provenance",
        scores,
        is_flagged,
        classes,
        codes,
        per_class,
        params,
        sources=source_names[source_codes],
        per_source=per_source,
        index=index,
    )
