"""Cross-validating the menu's families on shared folds, cheaply.

Three things keep ``auto`` close to the cost of one model:

- **one encoding per fold**: the column transformer is fitted once per fold and training part
  and its output shared by every family (a pipeline per family would refit it for each);
  families that need dense input share it with the others unless the table has sparse parts
  (one-hot, TF-IDF);
- **first fold first**: every family is fitted on the first fold before any family runs the
  others; its time there prices the remaining folds against the budget, and its log loss there
  screens it (successive halving with one rung: a family far behind the best on the first fold
  cannot win and gets no weight worth having in the blend, so its other folds are not run);
- **the other folds in parallel** when ``n_jobs`` allows (joblib threads: the tree builders and
  the BLAS calls release the GIL);
- **one fit for a bagged family** (``Family.out_of_bag``: the extra trees, the forest): its
  out-of-bag probabilities on all rows are out-of-sample already (every row is scored only by
  the trees whose bootstrap sample or subsample left it out, Breiman 2001), so it is fitted
  once, on all rows, at the first-fold stage, instead of once per fold.

A family is timed on a probe subsample before its first fold only when the training part is
large (above ``PROBE_ABOVE`` rows), where one fold could take minutes.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn import config_context

from ..columns import ColumnRoles
from ._calibrate import apply_temperature, fit_temperature, log_loss
from ._menu import Family

#: Training parts larger than this are first timed on a probe subsample.
PROBE_ABOVE = 5000
#: Rows of the probe: a fifth of the training part, within these bounds.
PROBE_ROWS = 5000
PROBE_MIN_ROWS = 1000
#: A family whose first-fold log loss (at its best temperature) exceeds the best family's by
#: more than this share stops after the first fold. On the dev seeds of
#: ``benchmarks/bench_default_model.py`` a margin of 0.5 cut kNN on iris where it helped the
#: flags; 1.0 changed no flagged set there and still stops hopeless families on other data.
SCREEN_MARGIN = 1.0
#: ... and by more than this many nats (a near-perfect best family must not screen out the rest).
SCREEN_SLACK = 0.05


@dataclass
class FamilyRun:
    """Mutable state of one family while the folds run."""

    family: Family
    probs: np.ndarray
    seconds: float = 0.0
    fold_seconds: float = 0.0
    first_log_loss: float = float("inf")
    skipped: str | None = None
    #: Every row is scored already (a bagged family's out-of-bag fit): no other folds to run.
    done: bool = False


class FoldEncoder:
    """The column features of one fold's training and test rows, computed once per fold.

    ``kind`` is ``True`` for the dense output and ``False`` for the possibly sparse one. The
    transformer is fitted once per fold, for the possibly sparse output; the dense one is that
    matrix made dense (the transformer's ``dense`` option changes nothing else). On a table
    without one-hot or text columns both are the same matrix.
    """

    def __init__(self, roles: ColumnRoles, frame: Any, codes: np.ndarray, seed: int) -> None:
        self.roles, self.frame, self.codes, self.seed = roles, frame, codes, seed
        self.sparse_parts = bool(roles.columns("categorical") or roles.columns("text"))

    def kind(self, family: Family) -> bool:
        return family.dense or not self.sparse_parts

    def encode(self, train: np.ndarray, test: np.ndarray) -> tuple[Any, Any]:
        """The possibly sparse features of a fold's training and test rows (transformer fitted on training)."""
        columns = self.roles.transformer(dense=False, random_state=self.seed)
        x_train = columns.fit_transform(self.frame.iloc[train], self.codes[train])
        return x_train, columns.transform(self.frame.iloc[test])

    @staticmethod
    def as_kind(matrix: Any, kind: bool) -> Any:
        """``matrix`` as ``kind`` needs it: made dense for ``True`` when sparse, else as it is."""
        return matrix.toarray() if kind and sp.issparse(matrix) else matrix

    def encode_all(self, kind: bool) -> Any:
        """The features of all rows (for a bagged family's single fit; target encoding cross-fits inside)."""
        columns = self.roles.transformer(dense=False, random_state=self.seed)
        return self.as_kind(columns.fit_transform(self.frame, self.codes), kind)


def _fit_predict(family: Family, seed: int, x_train: Any, y_train: np.ndarray, x_test: Any, n_classes: int):
    """One family's probabilities on one fold's test rows, in the columns of all classes.

    The menu's settings are fixed and valid, so scikit-learn's per-call parameter validation is
    skipped (a forest otherwise validates each of its trees' parameters: about 15% of its fit on a
    small table). The data are still checked.
    """
    with config_context(skip_parameter_validation=True):
        model = family.audit_model(seed).fit(x_train, y_train)
        fold_probs = model.predict_proba(x_test)
    out = np.zeros((x_test.shape[0], n_classes))
    out[:, np.asarray(model.classes_, dtype=np.int64)] = fold_probs
    return out


def _fit_out_of_bag(family: Family, seed: int, x: Any, codes: np.ndarray, n_classes: int) -> np.ndarray:
    """A bagged family's out-of-bag probabilities on all rows, in the columns of all classes.

    Each row's probabilities average the members whose bootstrap sample or subsample left it out
    (Breiman, "Random Forests", Machine Learning 45, 2001, Section 3.1), so no row's own label
    shapes its probabilities, as with cross-validation. A row that every member saw (probability
    about ``0.632 ** n_members`` with bootstrap samples, ``0.5 ** n_members`` with half-row
    subsamples) gets the class frequencies.
    """
    with config_context(skip_parameter_validation=True), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Some inputs do not have OOB scores")
        model = family.classifier(seed).set_params(oob_score=True).fit(x, codes)
    oob = np.nan_to_num(np.asarray(model.oob_decision_function_, dtype=float), nan=0.0)
    out = np.zeros((codes.shape[0], n_classes))
    out[:, np.asarray(model.classes_, dtype=np.int64)] = oob
    unscored = out.sum(axis=1) <= 0
    if unscored.any():
        out[unscored] = np.bincount(codes, minlength=n_classes) / codes.shape[0]
    return out


def _reason(exc: Exception) -> str:
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    return f"failed on this data: {type(exc).__name__}: {first_line}"


def _probe(
    run: FamilyRun,
    x_train: Any,
    y_train: np.ndarray,
    x_test: Any,
    n_folds: int,
    seed: int,
    n_rows: int | None = None,
) -> float | None:
    """Estimated seconds for all folds of ``run`` from a fit and a prediction on subsamples.

    Fitting is extrapolated linearly in the training rows (as ``n log n`` for an ``n_log_n``
    family: trees grown to small leaves); predicting linearly in the test rows, and also in the
    training rows for a ``lazy`` family (kNN, whose cost is all in prediction).
    A bagged family (``out_of_bag``) is probed with its out-of-bag scoring, which is its
    prediction; pass ``n_folds=1`` and an empty ``x_test`` for it. ``n_rows``: the training rows
    to extrapolate to when the subsample is drawn from other rows (default: those of ``x_train``).
    None: the probe failed.
    """
    with config_context(skip_parameter_validation=True), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Some inputs do not have OOB scores")
        size = min(PROBE_ROWS, max(PROBE_MIN_ROWS, x_train.shape[0] // 5))
        rows = np.sort(np.random.default_rng(0).choice(x_train.shape[0], size, replace=False))
        n_test = min(size, x_test.shape[0])
        t0 = time.perf_counter()
        try:
            model = run.family.audit_model(seed)
            if run.family.out_of_bag:
                model.set_params(oob_score=True)
            model.fit(x_train[rows], y_train[rows])
            t1 = time.perf_counter()
            if n_test:
                model.predict_proba(x_test[:n_test])
        except Exception:  # noqa: BLE001 - a probe missing classes may fail; the first fold decides then
            return None
    fit, predict = t1 - t0, time.perf_counter() - t1
    total = x_train.shape[0] if n_rows is None else n_rows
    scale = total / size
    if run.family.n_log_n:
        fit *= np.log(total) / np.log(size)
    predict *= x_test.shape[0] / max(n_test, 1) * (scale if run.family.lazy else 1.0)
    return (fit * scale + predict) * n_folds


def first_fold(runs: list[FamilyRun], encoder: FoldEncoder, folds: list, n_classes: int, deadline: float) -> None:
    """Fit every family on the first fold (probing first on large data); skip those over the budget.

    A bagged family (``out_of_bag``) is fitted once on all rows instead, and is then done. The
    first family to finish is the fallback: it runs whatever the budget says.
    """
    train, test = folds[0]
    cache: dict[bool, tuple[Any, Any]] = {}
    base: tuple[Any, Any] | None = None
    for run in runs:
        if run.skipped is not None:
            continue
        t0 = time.perf_counter()
        fallback = not any(r.fold_seconds > 0 for r in runs)
        if not fallback and t0 >= deadline:
            run.skipped = "time budget used up"
            continue
        if run.family.out_of_bag:
            kind = encoder.kind(run.family)
            sample = None if base is None else (cache.get(kind, base)[0], encoder.codes[train])
            _all_rows(run, encoder, n_classes, deadline, fallback, sample)
            run.seconds = time.perf_counter() - t0
            if run.skipped is None:
                run.first_log_loss = _tempered_log_loss(run.probs[test], encoder.codes[test])
            continue
        try:
            kind = encoder.kind(run.family)
            if kind not in cache:
                base = encoder.encode(train, test) if base is None else base
                cache[kind] = (encoder.as_kind(base[0], kind), encoder.as_kind(base[1], kind))
            x_train, x_test = cache[kind]
            if not fallback and train.shape[0] > PROBE_ABOVE:
                guess = _probe(run, x_train, encoder.codes[train], x_test, len(folds), encoder.seed)
                if guess is not None and time.perf_counter() + guess > deadline:
                    left = max(deadline - time.perf_counter(), 0)
                    run.skipped = f"estimated ~{guess:.1f} s from a fit on a subsample, over the {left:.1f} s left"
                    run.seconds = time.perf_counter() - t0
                    continue
            probs, run.fold_seconds = _timed(run.family, encoder.seed, x_train, encoder.codes[train], x_test, n_classes)
            run.probs[test] = probs
            run.fold_seconds = max(run.fold_seconds, 1e-9)
        except Exception as exc:  # noqa: BLE001 - any failure of a family on the data skips it
            run.skipped = _reason(exc)
        run.seconds = time.perf_counter() - t0
        if run.skipped is None:
            run.first_log_loss = _tempered_log_loss(run.probs[test], encoder.codes[test])


def _all_rows(
    run: FamilyRun, encoder: FoldEncoder, n_classes: int, deadline: float, fallback: bool, sample: Any = None
) -> None:
    """A bagged family's single fit on all rows (probed first on large data), or why it was skipped.

    ``sample``: features (of this family's kind, or sparse where it densifies) and labels already
    encoded, the first fold's training rows; the probe fits on rows of them, extrapolating to all
    rows, so that a family the probe skips never has all rows encoded. Without it the probe reads
    the all-rows encoding.
    """
    codes = encoder.codes
    kind = encoder.kind(run.family)
    try:
        x_all = None
        if not fallback and codes.shape[0] > PROBE_ABOVE:
            if sample is None:
                x_all = encoder.encode_all(kind)
                sample = (x_all, codes)
            x_probe = encoder.as_kind(sample[0], kind)
            guess = _probe(run, x_probe, sample[1], x_probe[:0], 1, encoder.seed, n_rows=codes.shape[0])
            if guess is not None and time.perf_counter() + guess > deadline:
                left = max(deadline - time.perf_counter(), 0)
                run.skipped = f"estimated ~{guess:.1f} s from a fit on a subsample, over the {left:.1f} s left"
                return
        x_all = encoder.encode_all(kind) if x_all is None else x_all
        t0 = time.perf_counter()
        run.probs[:] = _fit_out_of_bag(run.family, encoder.seed, x_all, codes, n_classes)
        run.fold_seconds = max(time.perf_counter() - t0, 1e-9)
        run.done = True
    except Exception as exc:  # noqa: BLE001 - any failure of a family on the data skips it
        run.skipped = _reason(exc)


def _tempered_log_loss(probs: np.ndarray, codes: np.ndarray) -> float:
    """Log loss at the temperature best for these rows (screening only: fitted on the rows it scores)."""
    probs = probs / probs.sum(axis=1, keepdims=True)
    return min(log_loss(probs, codes), log_loss(apply_temperature(probs, fit_temperature(probs, codes)), codes))


def screen(runs: list[FamilyRun], n_folds: int, deadline: float, margin: float = SCREEN_MARGIN) -> None:
    """Stop the families that cannot win after the first fold, or whose other folds would pass the budget.

    The first family still running (the fallback) always goes on. The others go on, in menu
    order, while the projected time of every family kept so far fits before ``deadline``.
    """
    alive = [r for r in runs if r.skipped is None]
    if not alive:
        return
    best = min(alive, key=lambda r: r.first_log_loss)
    projected = time.perf_counter()
    for run in alive:
        rest = 0.0 if run.done else run.fold_seconds * (n_folds - 1)
        if run is not alive[0] and run.first_log_loss > (1 + margin) * best.first_log_loss + SCREEN_SLACK:
            run.skipped = (
                f"first fold's log loss {run.first_log_loss:.3f} is over {1 + margin:g}x the best "
                f"({best.family.name}: {best.first_log_loss:.3f})"
            )
        elif run is not alive[0] and not run.done and projected + rest > deadline:
            run.skipped = f"first fold took {run.fold_seconds:.1f} s; ~{rest:.1f} s more would pass the time budget"
        else:
            projected += rest


def other_folds(runs: list[FamilyRun], encoder: FoldEncoder, folds: list, n_classes: int, n_jobs: int | None) -> None:
    """Fit the surviving families on the remaining folds.

    One fold at a time (its encoding freed before the next) when ``n_jobs`` is None or 1; else
    every pair of fold and family as one joblib task on threads (the encodings of all remaining
    folds are then held at once: about ``cv - 1`` times the encoded table). A family that fails on a fold
    is skipped with its reason.
    """
    alive = [r for r in runs if r.skipped is None and not r.done]
    if not alive:
        return
    kinds = sorted({encoder.kind(r.family) for r in alive})
    groups = [folds[1:]] if n_jobs not in (None, 1) else [[f] for f in folds[1:]]
    parallel = Parallel(n_jobs=n_jobs, prefer="threads")
    for group in groups:
        encoded = parallel(delayed(encoder.encode)(tr, te) for tr, te in group)
        tasks = []
        for (train, test), (base_train, base_test) in zip(group, encoded, strict=True):
            views = {kind: (encoder.as_kind(base_train, kind), encoder.as_kind(base_test, kind)) for kind in kinds}
            for run in alive:
                x_train, x_test = views[encoder.kind(run.family)]
                tasks.append((run, test, x_train, encoder.codes[train], x_test))
        results = parallel(delayed(_guarded)(r.family, encoder.seed, x, y, xt, n_classes) for r, _, x, y, xt in tasks)
        for (run, test, *_), (probs, seconds) in zip(tasks, results, strict=True):
            run.seconds += seconds
            if isinstance(probs, Exception):
                run.skipped = run.skipped or _reason(probs)
            else:
                run.probs[test] = probs


def _timed(family: Family, seed: int, x_train: Any, y_train: np.ndarray, x_test: Any, n_classes: int):
    t0 = time.perf_counter()
    probs = _fit_predict(family, seed, x_train, y_train, x_test, n_classes)
    return probs, time.perf_counter() - t0


def _guarded(family: Family, seed: int, x_train: Any, y_train: np.ndarray, x_test: Any, n_classes: int):
    """:func:`_timed`, with a failure returned (as the exception) instead of raised."""
    t0 = time.perf_counter()
    try:
        return _timed(family, seed, x_train, y_train, x_test, n_classes)
    except Exception as exc:  # noqa: BLE001 - reported as the family's skip reason
        return exc, time.perf_counter() - t0
