"""Pseudo-label selection rules, as vectorised functions on predicted probabilities.

Each rule takes the confidences (and predicted classes) of candidate unlabeled examples and
returns which of them to admit. They are the rules surveyed in Amini et al. (2022), plus the
adaptive per-class thresholds of FlexMatch and the teacher/student thresholds of LLKD. The
:class:`~labelwise.semi.SelfTrainer` calls them once per round; they are public so that users can
apply one rule to probabilities they already have.

References
----------
.. [1] Amini, M.-R., Feofanov, V., Pauletto, L., Hadjadj, L., Devijver, E. and Maximov, Y. (2022).
   "Self-Training: A Survey". arXiv:2202.12040.
.. [2] Zhang, B., Wang, Y., Hou, W., Wu, H., Wang, J., Okumura, M. and Shinozaki, T. (2021).
   "FlexMatch: Boosting Semi-Supervised Learning with Curriculum Pseudo Labeling". NeurIPS 2021.
.. [3] Cascante-Bonilla, P., Tan, F., Qi, Y. and Ordonez, V. (2021). "Curriculum Labeling:
   Revisiting Pseudo-Labeling for Semi-Supervised Learning". AAAI 2021.
.. [4] Li, J., Nag, S., Liu, H., Tang, X., Sarwar, S., Cui, L., Gu, H., Wang, S., He, Q. and
   Tang, J. (2025). "Learning with Less: Knowledge Distillation from Large Language Models via
   Unlabeled Data". Findings of NAACL 2025 (arXiv:2411.08028, 2024).
.. [5] Wang, Y., Chen, H., Heng, Q., Hou, W., Fan, Y., Wu, Z., Wang, J., Savvides, M.,
   Shinozaki, T., Raj, B., Schiele, B. and Xie, X. (2023). "FreeMatch: Self-adaptive
   Thresholding for Semi-supervised Learning". ICLR 2023.
.. [6] Chen, H., Tao, R., Fan, Y., Wang, Y., Wang, J., Schiele, B., Xie, X., Raj, B. and
   Savvides, M. (2023). "SoftMatch: Addressing the Quantity-Quality Trade-off in
   Semi-supervised Learning". ICLR 2023.
.. [7] Berthelot, D., Carlini, N., Cubuk, E. D., Kurakin, A., Sohn, K., Zhang, H. and
   Raffel, C. (2020). "ReMixMatch: Semi-Supervised Learning with Distribution Alignment and
   Augmentation Anchoring". ICLR 2020.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate.arguments import check_fraction, check_positive_int
from .._validate.labels import check_same_length
from .._validate.probabilities import check_probs
from ..errors import InvalidParameterError

__all__ = [
    "select_threshold",
    "select_k_best",
    "select_class_balanced",
    "curriculum_threshold",
    "flexmatch_thresholds",
    "FreeMatchThresholds",
    "freematch_thresholds",
    "SoftMatchWeights",
    "softmatch_weights",
    "LLKDThresholds",
    "llkd_thresholds",
]


def _confidence(conf: np.ndarray, name: str = "conf") -> np.ndarray:
    try:
        arr = np.asarray(conf, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be numbers, got {type(conf).__name__} of non-numbers") from None
    if arr.ndim != 1:
        raise InvalidParameterError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def _positive_per_class(name: str, values: Any, n_classes: int) -> np.ndarray:
    """``values`` as ``n_classes`` positive floats (a class prior or a target distribution, not
    necessarily normalised), or an error naming ``name``."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be {n_classes} positive numbers, got {values!r}") from None
    if arr.shape != (n_classes,) or not np.all(arr > 0):
        raise InvalidParameterError(
            f"{name} must be {n_classes} positive numbers, got {np.array2string(arr, precision=3)}"
        )
    return arr


def select_threshold(conf: np.ndarray, threshold: float) -> np.ndarray:
    """Admit every candidate whose confidence is strictly above ``threshold``.

    The fixed-threshold rule of classic self-training ([1]_, Sec. 3.1).

    Parameters
    ----------
    conf : ndarray of shape (n,)
        Confidence of each candidate (the largest predicted probability).
    threshold : float in [0, 1)

    Returns
    -------
    mask : ndarray of bool, shape (n,)
    """
    threshold = check_fraction("threshold", threshold)
    return _confidence(conf) > threshold


def select_k_best(conf: np.ndarray, k: int) -> np.ndarray:
    """Admit the ``k`` most confident candidates (all of them when there are at most ``k``).

    Ties are broken by position (a stable sort), so the result is deterministic.
    """
    k = check_positive_int("k", k)
    conf = _confidence(conf)
    mask = np.zeros(conf.shape, dtype=bool)
    if conf.size <= k:
        mask[:] = True
        return mask
    order = np.argsort(-conf, kind="stable")
    mask[order[:k]] = True
    return mask


def select_class_balanced(conf: np.ndarray, pred: np.ndarray, n_classes: int, k: int) -> np.ndarray:
    """Admit up to ``k`` candidates in total, the same number per predicted class.

    Each class gets ``max(1, k // n_classes)`` slots filled by its most confident candidates, so
    that the class the model already favours cannot take every slot ([1]_, Sec. 3.1, the
    class-balanced variant of k-best). A class with fewer candidates than slots admits all of them.
    """
    k = check_positive_int("k", k)
    n_classes = check_positive_int("n_classes", n_classes, minimum=2)
    conf = _confidence(conf)
    pred = np.asarray(pred, dtype=np.int64)
    check_same_length("pred", pred, "conf", conf)
    per_class = max(1, k // n_classes)
    # Sort by (class, -confidence) once; the rank of each candidate within its class then follows
    # from its position minus the start of its class block.
    order = np.lexsort((-conf, pred))
    sorted_pred = pred[order]
    starts = np.searchsorted(sorted_pred, np.arange(n_classes))
    rank = np.arange(order.size) - starts[sorted_pred]
    mask = np.zeros(conf.shape, dtype=bool)
    mask[order[rank < per_class]] = True
    return mask


def curriculum_threshold(conf: np.ndarray, round_: int, step: float) -> float:
    """The confidence cut-off of round ``round_`` of Curriculum Labeling ([3]_).

    Round ``t`` admits the examples whose confidence is in the top ``min(100, t * step)`` percent
    of the whole unlabeled pool: the threshold is the ``100 - t * step`` percentile of ``conf``.
    Returns ``-inf`` once the schedule reaches 100 percent (everything is admitted).
    """
    conf = _confidence(conf)
    share = min(100.0, round_ * float(step))
    if share >= 100.0 or conf.size == 0:
        return float("-inf")
    return float(np.percentile(conf, 100.0 - share))


def flexmatch_thresholds(
    conf: np.ndarray,
    pred: np.ndarray,
    n_classes: int,
    *,
    threshold: float = 0.95,
    warmup: bool = True,
    mapping: str = "convex",
    class_prior: np.ndarray | None = None,
) -> np.ndarray:
    """Per-class flexible thresholds of FlexMatch's Curriculum Pseudo Labeling ([2]_, Eqs. 6-11).

    The learning effect of class ``c`` is the number of unlabeled examples predicted as ``c``
    with confidence above the fixed ``threshold``:
    ``sigma(c) = sum_n 1[max p_n > threshold] * 1[argmax p_n = c]``. It is normalised,
    ``beta(c) = sigma(c) / max_c sigma(c)``, or with threshold warm-up
    ``beta(c) = sigma(c) / max(max_c sigma(c), N - sum_c sigma(c))`` (the still-unused examples
    act as an extra class, so thresholds rise gradually while the model is still learning).
    The threshold of class ``c`` is ``M(beta(c)) * threshold`` with the convex mapping
    ``M(x) = x / (2 - x)`` (or the identity, ``mapping="linear"``).

    Parameters
    ----------
    conf, pred : ndarray of shape (N,)
        Confidence and predicted class code of every unlabeled example.
    n_classes : int
    threshold : float in [0, 1)
        FlexMatch's upper threshold tau (0.95 in the paper).
    warmup : bool
    mapping : {"convex", "linear"}
    class_prior : ndarray of shape (n_classes,), optional
        FlexMatch assumes balanced classes: a minority class then looks "hard to learn" and gets
        a low threshold, which floods it with pseudo-labels. When given, ``sigma(c)`` is divided
        by ``K * class_prior(c)`` (counts relative to the class's expected share) before the
        normalisation. This correction is labelwise's, not the paper's; omit it for the paper's rule.

    Returns
    -------
    thresholds : ndarray of shape (n_classes,)
    """
    threshold = check_fraction("threshold", threshold)
    if mapping not in ("convex", "linear"):
        raise InvalidParameterError(f"mapping must be 'convex' or 'linear', got {mapping!r}")
    conf = _confidence(conf)
    pred = np.asarray(pred, dtype=np.int64)
    check_same_length("pred", pred, "conf", conf)
    sigma = np.bincount(pred[conf > threshold], minlength=n_classes).astype(np.float64)
    if class_prior is not None:
        prior = _positive_per_class("class_prior", class_prior, n_classes)
        sigma = sigma / (n_classes * prior / prior.sum())
    denom = sigma.max()
    if warmup:
        denom = max(denom, conf.size - sigma.sum())
    beta = sigma / denom if denom > 0 else np.zeros(n_classes)
    scaled = beta / (2.0 - beta) if mapping == "convex" else beta
    return scaled * threshold


@dataclass(frozen=True)
class FreeMatchThresholds:
    """State of FreeMatch's self-adaptive thresholds after one update.

    Attributes
    ----------
    global_level : float
        ``tau_t``: exponential moving average of the mean confidence over the unlabeled pool.
    class_level : ndarray of shape (K,)
        ``p~_t``: exponential moving average of the mean predicted probability of each class.
    thresholds : ndarray of shape (K,)
        ``MaxNorm(p~_t)(c) * tau_t = p~_t(c) / max_c p~_t(c) * tau_t``.
    """

    global_level: float
    class_level: np.ndarray
    thresholds: np.ndarray


def freematch_thresholds(
    probs: np.ndarray, *, previous: FreeMatchThresholds | None = None, momentum: float = 0.5
) -> FreeMatchThresholds:
    """One update of FreeMatch's self-adaptive per-class thresholds ([5]_, Sec. 3.2, Eqs. 5-9).

    The global threshold follows the model's confidence on the unlabeled data,
    ``tau_t = m * tau_{t-1} + (1 - m) * mean_n max_c p_n(c)``; the local (class) level follows
    the expected prediction, ``p~_t(c) = m * p~_{t-1}(c) + (1 - m) * mean_n p_n(c)``; both start
    at ``1 / K``. The threshold of class ``c`` is ``p~_t(c) / max_c p~_t(c) * tau_t``, and an
    example is admitted when its confidence is strictly above the threshold of its predicted
    class. The paper updates once per mini-batch with ``m = 0.999``; a self-training round sees
    the whole pool at once, so ``m`` is per round here.

    Parameters
    ----------
    probs : ndarray of shape (N, K)
        Predicted probabilities of every unlabeled example.
    previous : FreeMatchThresholds, optional
        The previous round's state (``None`` on the first round).
    momentum : float in [0, 1)
        The EMA decay ``m``.
    """
    momentum = check_fraction("momentum", momentum)
    p = check_probs(probs)
    k = p.shape[1]
    if previous is None:
        global_prev, class_prev = 1.0 / k, np.full(k, 1.0 / k)
    else:
        global_prev, class_prev = previous.global_level, previous.class_level
    global_level = momentum * global_prev + (1 - momentum) * float(p.max(axis=1).mean())
    class_level = momentum * class_prev + (1 - momentum) * p.mean(axis=0)
    thresholds = class_level / class_level.max() * global_level
    return FreeMatchThresholds(float(global_level), class_level, thresholds)


@dataclass(frozen=True)
class SoftMatchWeights:
    """SoftMatch's confidence weights for one round.

    Attributes
    ----------
    mean : float
        ``mu_t``: mean confidence (largest aligned probability) over the pool.
    variance : float
        ``sigma_t^2``: its unbiased variance over the pool.
    weights : ndarray of shape (N,)
        ``lambda(p_n)`` in ``(0, 1]``: 1 at or above the mean confidence, a Gaussian fall-off below.
    """

    mean: float
    variance: float
    weights: np.ndarray


_ROUNDING = 8 * np.finfo(np.float64).eps
"""Confidence spreads at most this times their mean are rounding error (see ``softmatch_weights``)."""


def softmatch_weights(probs: np.ndarray, *, align: bool = True, target: np.ndarray | None = None) -> SoftMatchWeights:
    """Per-example weights of SoftMatch's truncated Gaussian ([6]_, Sec. 3.2-3.3, Eqs. 7-11).

    Every unlabeled example keeps its (hard) pseudo-label; its loss is weighted by
    ``lambda(p) = exp(-(max p - mu_t)^2 / (2 sigma_t^2))`` when ``max p < mu_t`` and 1 otherwise,
    a soft version of a confidence threshold: confident examples weigh fully, less confident
    ones less, none is discarded outright. ``mu_t`` and ``sigma_t^2`` are the mean and (unbiased)
    variance of the confidence over the unlabeled data. The paper estimates them with an
    exponential moving average over mini-batches; a self-training round sees the whole pool, so
    they are computed exactly on it here (no moving average).

    With ``align=True`` the confidence is taken after SoftMatch's uniform alignment,
    ``UA(p) = normalize(p * u / E[p])`` with ``u`` the uniform distribution and ``E[p]`` the mean
    prediction over the pool, so that examples of classes the model under-predicts are not
    down-weighted just for being rarer. As in the paper, alignment only changes the weights; the
    pseudo-label stays ``argmax p``. ``target`` replaces ``u`` by another distribution (e.g. the
    labeled class proportions, the distribution alignment of ReMixMatch [7]_).

    Confidences whose standard deviation is within rounding error of their mean (8 machine
    epsilons of it) count as equal: every weight is 1, as with no spread at all.

    Parameters
    ----------
    probs : ndarray of shape (N, K)
        Predicted probabilities of every unlabeled example.
    align : bool, default True
    target : ndarray of shape (K,), optional
        Alignment target (normalised to sum to 1); uniform when omitted.

    Returns
    -------
    SoftMatchWeights
    """
    p = np.asarray(check_probs(probs), dtype=np.float64)
    n, k = p.shape
    if align:
        if target is None:
            goal = np.full(k, 1.0 / k)
        else:
            goal = _positive_per_class("target", target, k)
            goal = goal / goal.sum()
        expected = p.mean(axis=0)
        ratio = np.divide(goal, expected, out=np.zeros(k), where=expected > 0)
        aligned = p * ratio
        aligned /= aligned.sum(axis=1, keepdims=True)
        conf = aligned.max(axis=1)
    else:
        conf = p.max(axis=1)
    mean = float(conf.mean()) if n else 0.0
    variance = float(conf.var(ddof=1)) if n > 1 else 0.0
    if np.sqrt(variance) <= _ROUNDING * mean:
        # A spread within rounding error is no spread: the Gaussian is scale-free, so noise of
        # 1e-17 would otherwise weigh rows as far apart, differently for each column order.
        variance = 0.0
    weights = np.ones(n)
    if variance > 0:
        below = conf < mean
        weights[below] = np.exp(-((conf[below] - mean) ** 2) / (2.0 * variance))
    return SoftMatchWeights(mean, variance, weights)


@dataclass(frozen=True)
class LLKDThresholds:
    """State of LLKD's adaptive thresholds after one round.

    Attributes
    ----------
    global_level : float
        Exponential moving average of the mean signal over the pool.
    class_level : ndarray of shape (K,)
        Exponential moving average of the mean signal per (teacher-predicted) class.
    thresholds : ndarray of shape (K,)
        ``class_level / max(class_level) * global_level``, the per-class cut-offs.
    """

    global_level: float
    class_level: np.ndarray
    thresholds: np.ndarray


def llkd_thresholds(
    signal: np.ndarray,
    pred: np.ndarray,
    n_classes: int,
    *,
    previous: LLKDThresholds | None = None,
    momentum: float = 0.5,
) -> LLKDThresholds:
    """One update of LLKD's self-adaptive per-class thresholds ([4]_, Sec. 3).

    LLKD keeps one threshold for the teacher's confidence and one for the student's uncertainty;
    both adapt to the global training status and to each class's progress, in the way of
    FreeMatch's self-adaptive thresholds: the global level is an exponential moving average of
    the mean ``signal`` over the pool, the class level the same average per predicted class,
    and the threshold of class ``c`` is ``class_level(c) / max_c class_level * global_level``.
    On the first call (``previous=None``) the averages start at the current means. A class with
    no candidate keeps its previous level (or the global mean on the first call).

    Parameters
    ----------
    signal : ndarray of shape (N,)
        Teacher confidence or student uncertainty of every pool example.
    pred : ndarray of shape (N,)
        Teacher-predicted class code of each example.
    n_classes : int
    previous : LLKDThresholds, optional
    momentum : float in [0, 1)
        Weight of the previous round's levels (the EMA decay lambda).
    """
    momentum = check_fraction("momentum", momentum)
    signal = _confidence(signal, "signal")
    pred = np.asarray(pred, dtype=np.int64)
    mean = float(signal.mean()) if signal.size else 0.0
    counts = np.bincount(pred, minlength=n_classes)
    sums = np.bincount(pred, weights=signal, minlength=n_classes)
    fallback = previous.class_level if previous is not None else np.full(n_classes, mean)
    class_mean = np.where(counts > 0, sums / np.maximum(counts, 1), fallback)
    if previous is None:
        global_level, class_level = mean, class_mean
    else:
        global_level = momentum * previous.global_level + (1 - momentum) * mean
        class_level = momentum * previous.class_level + (1 - momentum) * class_mean
    top = class_level.max()
    thresholds = class_level / top * global_level if top > 0 else np.zeros(n_classes)
    return LLKDThresholds(float(global_level), class_level, thresholds)
