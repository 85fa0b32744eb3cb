"""``find_label_issues``: confident learning on out-of-fold predicted probabilities."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from .._chunks import Output, RowChunks, check_n_jobs, is_dask
from .._stage_progress import bars_open, persist, stage, stages
from .._validate.arguments import check_choice, check_positive_int
from .._validate.class_columns import classes_from_header
from .._validate.labels import check_class_counts, check_same_length, encode_labels_for_probs
from .._validate.probabilities import PROB_SUM_ATOL, check_probs, raise_probs_problems
from .._validate.row_order import check_row_order
from ..errors import InvalidParameterError
from . import _passes
from ._ranking import ranked_flagged
from .confident_joint import (
    CONFIDENT_CLASS_RULES,
    calibrate_confident_joint,
    estimate_joint,
    inverse_noise_matrix_from_joint,
    noise_matrix_from_joint,
    thresholds_from_sums,
)
from .filters import FILTERS, SCORE_FILTERS, FilterInputs
from .result import LabelIssues
from .scores import READER, SCORERS


def find_label_issues(
    labels: Any,
    probs: Any,
    *,
    filter_by: str = "prune_by_noise_rate",
    rank_by: str = "self_confidence",
    classes: Any = None,
    min_examples_per_class: int = 1,
    confident_class_rule: str = "among_confident",
    n_jobs: int | None = None,
    chunk_rows: int | None = None,
    verbose: bool | None = None,
) -> LabelIssues:
    """Find the examples whose given label is probably wrong, by confident learning.

    Confident learning (Northcutt, Jiang & Chuang, 2021) counts, for every pair of given label
    ``i`` and true label ``j``, the examples labelled ``i`` whose predicted probability of ``j``
    reaches class ``j``'s threshold (its mean self-confidence); this *confident joint* is
    calibrated to the label counts and normalised into an estimate of the joint distribution of
    given and true labels, from which the noise matrices follow. A filter then chooses which
    examples to flag, using the estimated number of errors per cell.

    Parameters
    ----------
    labels : array-like of shape (n,)
        Given labels: integers ``0..K-1`` indexing the columns of ``probs``, or any hashable
        values (strings...) with ``classes`` naming the class of each column; without
        ``classes``, the sorted unique values of ``labels`` are taken as the columns' classes.
    probs : array-like of shape (n, K)
        Out-of-fold predicted probabilities (e.g. from :func:`labelwise.out_of_fold_probs`);
        float32 or float64, rows summing to 1 within 1e-4. Not copied. Rows are paired with
        ``labels`` by position, as scikit-learn pairs them; a pandas ``labels`` whose index holds
        a ``probs`` DataFrame's rows in another order is refused (``labels.reindex(probs.index)``).
    filter_by : str, default "prune_by_noise_rate"
        One of ``prune_by_noise_rate``, ``prune_by_class``, ``both``, ``confident_learning``,
        ``predicted_neq_given``, ``low_self_confidence``, ``low_normalized_margin`` (see
        :mod:`labelwise.audit.filters`).
    rank_by : str, default "self_confidence"
        Label quality score used to rank the flagged examples: ``self_confidence``,
        ``normalized_margin`` or ``confidence_weighted_entropy``.
    classes : array-like of shape (K,), optional
        The class of each column of ``probs``.
    min_examples_per_class : int, default 1
        Never flag so many examples of a class that fewer than this many remain.
    confident_class_rule : {"among_confident", "argmax"}, default "among_confident"
        Where an example passes the thresholds of several classes, the paper counts it in the
        most probable class among those that pass (``"among_confident"``). cleanlab 2.9 takes
        the argmax over all classes, which may be a class whose threshold was not reached
        (cleanlab issue #1248); ``"argmax"`` reproduces cleanlab exactly.
    n_jobs : int, optional
        Threads over which in-memory (numpy, memory-mapped, zarr) row chunks are spread; default
        all available CPUs, negative values as in joblib (-1 all, -2 all but one). Ignored for
        dask inputs (the dask scheduler decides).
    chunk_rows : int, optional
        Rows per chunk for in-memory inputs (default: about four chunks per thread, each
        between 2**20 and 2**22 probabilities, i.e. at most 16 MB of float32 or 32 MB of float64
        per chunk). Dask inputs keep their own chunks. The result does not depend on it.
    verbose : bool or None, default None
        One progress bar per pass on stderr (thresholds, confident joint, pruning, ranking):
        True draws them, False never; None draws them for dask inputs when stderr is a terminal
        (an in-memory audit is too quick for bars). The result does not depend on it.

    Returns
    -------
    LabelIssues
        For dask inputs (``probs`` a ``dask.array``, ``labels`` a dask array or series), a
        :class:`~labelwise.audit.chunked.ChunkedLabelIssues` whose per-example fields are dask
        arrays, identical to the in-memory result. Mask, ranked indices, label quality, suggested labels (the model's top class),
        confident joint, estimated joint, noise and inverse noise matrices, per-class summary.

    Raises
    ------
    InvalidProbabilitiesError
        ``probs`` has NaN/inf/negative values or rows not summing to 1 (the first bad row is named).
    InvalidLabelsError
        Labels outside the classes of ``probs``, missing values, or fewer than two classes.
    ShapeMismatchError
        ``labels`` and ``probs`` describe different numbers of examples.

    Notes
    -----
    A class present in ``probs`` but absent from ``labels`` is allowed (with a
    :class:`~labelwise.errors.LabelwiseWarning`): nothing can be counted as confidently
    belonging to it. Work is done in passes over chunks of rows (:mod:`labelwise._chunks`), spread
    over threads; the extra memory is a few vectors of length ``n``. The same chunk functions
    run as dask tasks for dask inputs (three passes over ``probs``; see ``docs/scale.md``).

    The result is the same for any ``chunk_rows`` and ``n_jobs``. Permuting the rows permutes it
    and renaming the classes renames it, except where probabilities tie exactly, as in cleanlab:
    a tied top (or confident) class is the first tied column in the order of ``classes``; the
    calibration's rounding, which must restore a row total, moves the later of equally rounded
    columns up (the earlier down); and the filters that flag
    "the c largest" of a cell or class break ties by row order.

    References
    ----------
    .. [1] Northcutt, C., Jiang, L., & Chuang, I. (2021). Confident Learning: Estimating
       Uncertainty in Dataset Labels. Journal of Artificial Intelligence Research, 70, 1373-1411.

    Examples
    --------
    >>> import numpy as np, labelwise as lw
    >>> probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.95, 0.05], [0.2, 0.8]])
    >>> result = lw.find_label_issues(["cat", "cat", "dog", "dog", "dog"], probs)
    >>> result.ranked_indices, result.suggested_label[3]
    (array([3]), 'cat')
    """
    check_choice("filter_by", filter_by, list(FILTERS))
    check_choice("rank_by", rank_by, list(SCORERS))
    check_choice("confident_class_rule", confident_class_rule, CONFIDENT_CLASS_RULES)
    check_positive_int("min_examples_per_class", min_examples_per_class, minimum=0)
    n_jobs = check_n_jobs("n_jobs", n_jobs)
    if chunk_rows is not None:
        chunk_rows = check_positive_int("chunk_rows", chunk_rows)
    if verbose is not None and not isinstance(verbose, bool):
        raise InvalidParameterError(f"verbose must be True, False or None, got {verbose!r}")
    check_row_order(probs, "probs", READER, labels=labels)
    if is_dask(probs) or is_dask(labels):
        from .chunked import find_label_issues_chunked

        with stages(verbose):
            return find_label_issues_chunked(
                labels,
                probs,
                filter_by=filter_by,
                rank_by=rank_by,
                classes=classes,
                min_examples_per_class=min_examples_per_class,
                confident_class_rule=confident_class_rule,
            )
    probs, classes = classes_from_header(labels, probs, classes)  # a header naming classes, matched by name
    arr = check_probs(probs, check_values=False)
    n_classes = arr.shape[1]
    codes, class_values = encode_labels_for_probs(labels, n_classes, classes=classes)
    check_same_length("labels", codes, "probs", range(arr.shape[0]))
    chunks = RowChunks.for_arrays(arr, chunk_rows=chunk_rows, n_jobs=n_jobs)
    with stages(verbose if verbose is not None else (None if bars_open() else False)):
        audit = run_audit(chunks, codes, arr, filter_by, rank_by, confident_class_rule, min_examples_per_class)
        with stage("ranking flagged rows"):
            ranked = ranked_flagged(audit.is_issue, audit.quality, chunks.n_jobs)
    return LabelIssues(ranked_indices=ranked, classes=class_values, label_codes=codes, **audit.fields())


@dataclass(frozen=True, eq=False)
class AuditPasses:
    """What the passes of :func:`run_audit` produce; per-example fields numpy or dask arrays."""

    is_issue: Any
    quality: Any
    predicted: Any
    thresholds: np.ndarray
    confident_joint: np.ndarray
    calibrated: np.ndarray
    label_counts: np.ndarray
    filter_by: str
    rank_by: str
    confident_class_rule: str
    codes: Any = None
    n_confident_issues: int = 0

    def fields(self) -> dict[str, Any]:
        """Keyword arguments of :class:`LabelIssues` (all but indices, classes and codes)."""
        joint = estimate_joint(self.calibrated)
        return {
            "is_issue": self.is_issue,
            "label_quality": self.quality,
            "thresholds": self.thresholds,
            "confident_joint": self.confident_joint,
            "calibrated_confident_joint": self.calibrated,
            "joint": joint,
            "noise_matrix": noise_matrix_from_joint(joint),
            "inverse_noise_matrix": inverse_noise_matrix_from_joint(joint),
            "filter_by": self.filter_by,
            "rank_by": self.rank_by,
            "confident_class_rule": self.confident_class_rule,
            "suggested_codes": self.predicted,
            "label_counts": self.label_counts,
            "n_confident_issues": int(self.n_confident_issues),
        }


def first_pass(
    chunks: RowChunks, codes: Any, probs: Any, labels: _passes.LabelCheck | None = None
) -> tuple[Any, Any, np.ndarray, np.ndarray]:
    """Pass 1 over ``probs``: ``(codes, (self_conf, predicted, top), thresholds, label_counts)``, the
    values checked (``predicted``: each row's argmax; ``top``: its probability).

    With ``labels`` (dask inputs), ``codes`` are the raw labels: each chunk checks and encodes them in
    the same pass (:func:`labelwise.audit._passes.encoding_pass`), so the labels' errors come first.
    """
    n_classes = int(probs.shape[1])
    fn: Any = partial(_passes.self_confidence_pass, n_classes=n_classes, atol=PROB_SUM_ATOL)
    combine: Any = _passes.combine_self_confidence
    outputs = [Output(probs.dtype), Output(np.int16 if n_classes < 2**15 else np.int32), Output(probs.dtype)]
    if labels is not None:
        fn = partial(_passes.encoding_pass, encode=labels.encode, first=fn)
        combine = partial(_passes.combine_encoding, labels=labels.combine, first=combine)
        outputs.append(Output(np.int64))
    rows, reduced = chunks.run(fn, [probs, codes], outputs=outputs, combine=combine)
    if labels is not None:
        labels.check(reduced[0])
        codes, reduced = rows[3], reduced[1]
    problems, sums, label_counts = reduced
    raise_probs_problems(probs, problems)
    check_class_counts(np.flatnonzero(label_counts), n_classes)
    return codes, tuple(rows[:3]), thresholds_from_sums(sums, label_counts), label_counts


def run_audit(
    chunks: RowChunks,
    codes: Any,
    probs: Any,
    filter_by: str,
    rank_by: str,
    rule: str,
    min_examples: int,
    labels: _passes.LabelCheck | None = None,
) -> AuditPasses:
    """The passes of confident learning over row chunks (numpy or dask), validated values included.

    With ``labels``, ``codes`` are raw labels encoded in pass 1 (:func:`first_pass`); the codes are
    then :attr:`AuditPasses.codes`.
    """
    n_classes = int(probs.shape[1])
    with stage("pass 1: thresholds"):
        codes, (self_conf, predicted, top), thresholds, label_counts = first_pass(chunks, codes, probs, labels)

    wanted_scores = [
        m
        for m in dict.fromkeys(
            [rank_by, "normalized_margin" if filter_by == "low_normalized_margin" else "self_confidence"]
        )
        if m != "self_confidence"
    ]
    outputs = [Output(np.int16 if n_classes < 2**15 else np.int32)] * 2 + [Output(bool)]
    outputs += [Output(probs.dtype)] * len(wanted_scores)
    # Pass 2 reads ``probs`` only where a row's top class misses its threshold (and for the
    # scores): little work per row, so numpy inputs go in one chunk per thread.
    second = chunks.coarse() if isinstance(probs, np.ndarray) else chunks
    with stage("pass 2: confident joint"):
        rows, (joint_flat, n_confident_issues) = second.run(
            partial(
                _passes.row_statistics_pass,
                thresholds=thresholds,
                rule=rule,
                scorers=tuple(SCORERS[m] for m in wanted_scores),
            ),
            [probs, codes, self_conf, predicted, top],
            outputs=outputs,
            combine=_passes.combine_row_statistics,
        )
    stats = _passes.as_row_statistics(*rows[:3])
    scores = dict(zip(wanted_scores, rows[3:], strict=False))
    confident_joint = joint_flat.reshape(n_classes, n_classes)
    np.fill_diagonal(confident_joint, np.maximum(confident_joint.diagonal(), 1))
    calibrated = calibrate_confident_joint(confident_joint, label_counts)

    inputs = FilterInputs(
        codes, probs, self_conf, label_counts, stats, calibrated, min_examples, chunks, n_confident_issues, scores
    )
    with stage("pass 3: pruning"):
        is_issue = FILTERS[filter_by](inputs)
        if filter_by not in SCORE_FILTERS:
            is_issue = is_issue & ~stats.given_is_predicted
        if chunks.use_dask:  # computed here, on the workers: read by the ranking and by the user
            (is_issue,) = persist(is_issue)
    quality = self_conf if rank_by == "self_confidence" else scores[rank_by]
    return AuditPasses(
        is_issue,
        quality,
        stats.predicted,
        thresholds,
        confident_joint,
        calibrated,
        label_counts,
        filter_by,
        rank_by,
        rule,
        codes,
        n_confident_issues,
    )
