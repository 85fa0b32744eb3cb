"""The blend's weights fitted by the forward-corrected log loss (``dev_auto_blend_robust.py``'s variants).

Written for ``labelwise.models`` and tested there (commit bb938519: the EM's weights against
scipy's minimum, row-order and class-renaming properties); not adopted (session 38, collapse16b:
no variant met the rule on the dev seeds), so it lives here, beside the dev script that replays it.

The chooser's convex blend (:func:`labelwise.models._calibrate.cross_fit_blend`) fits its weights by the log
loss of the *given* labels. On a flipped row the given label is wrong, and a model that gives it
more probability (a kNN whose neighbours share the flip) lowers that loss: the blend then leans
on it, and confident learning misses the flipped rows it predicts. Here the weights minimise
instead Patrini et al.'s *forward-corrected* log loss [1]_ of the blend,
``mean_i -log (Tᵀ p_w(x_i))_ỹᵢ`` with ``p_w = sum_m w_m p_m``, where ``T[i, j] = P(ỹ=j | y=i)``
is the noise transition matrix estimated by their anchor-point rule
(:func:`labelwise.models._forward.anchor_transition`) from the logistic family's out-of-fold probabilities. A
row whose given label the blend finds unlikely still gets ``T[y, ỹ]`` of it through the noise, so
its loss is capped near ``-log T[y, ỹ]`` and the flipped rows no longer dominate the fit.

``(Tᵀ p_w)_ỹ = sum_m w_m (p_m T)_ỹ`` is again a convex mixture, so the weights are fitted by the
same EM as the plain blend (:func:`labelwise.models._calibrate.fit_blend_weights`) on the corrected
probabilities ``(p_m T)_ỹ``. Only the weights change: the blended probabilities the audit reads
are still ``p_w``, a mixture of the candidates' own probabilities. Cross-fitted as the plain
blend: the rows of fold ``j`` are mixed with weights fitted on the other folds' rows, with a
``T`` estimated on those rows too.

References
----------
.. [1] Patrini, Rozza, Menon, Nock & Qu, "Making Deep Neural Networks Robust to Label Noise: a
   Loss Correction Approach", CVPR 2017 (Theorem 2: the forward correction; Section 4: ``T`` from
   anchor points).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from labelwise.models._calibrate import fit_blend_weights
from labelwise.models._forward import anchor_transition


def _anchor(probs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    return anchor_transition(probs)


def _confident_joint(probs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    from labelwise.audit import find_label_issues

    return np.asarray(find_label_issues(codes, probs).noise_matrix).T  # theirs is P(ỹ=i | y=j)


#: How ``T[i, j] = P(ỹ=j | y=i)`` is estimated from noisy-label probabilities and the given labels:
#: Patrini et al.'s anchor points, or confident learning's noise matrix (Northcutt et al. 2021).
TRANSITION_ESTIMATES = {"anchor": _anchor, "confident_joint": _confident_joint}


def fold_transitions(
    probs: np.ndarray, folds: Sequence[np.ndarray], codes: np.ndarray | None = None, estimate: str = "anchor"
) -> list[np.ndarray]:
    """``T`` on each fold's training rows (all rows but the fold's), then on all rows."""
    fit = TRANSITION_ESTIMATES[estimate]
    labels = np.zeros(probs.shape[0], dtype=np.int64) if codes is None else codes
    everything = np.ones(probs.shape[0], dtype=bool)
    out = []
    for test in folds:
        train = everything.copy()
        train[test] = False
        out.append(fit(probs[train], labels[train]))
    out.append(fit(probs, labels))
    return out


def forward_picked(stack: Sequence[np.ndarray], codes: np.ndarray, transition: np.ndarray) -> np.ndarray:
    """``(p_m T)[i, ỹᵢ]`` for each model ``m`` (columns) and row ``i``: the corrected probability of the given label."""
    columns = np.ascontiguousarray(transition[:, codes].T)  # row i: T[:, ỹᵢ]
    return np.column_stack([np.einsum("ij,ij->i", p, columns) for p in stack])


def forward_log_loss(probs: np.ndarray, codes: np.ndarray, transition: np.ndarray) -> float:
    """Mean ``-log (Tᵀ p(x_i))_ỹᵢ`` (clipped at 1e-15): the forward-corrected log loss of ``probs``."""
    return float(-np.mean(np.log(np.clip(forward_picked([probs], codes, transition)[:, 0], 1e-15, None))))


def cross_fit_forward_blend(
    stack: Sequence[np.ndarray],
    codes: np.ndarray,
    folds: Sequence[np.ndarray],
    anchor_probs: np.ndarray,
    *,
    estimate: str = "anchor",
    n_iter: int = 200,
    tol: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray]:
    """The blend of :func:`labelwise.models._calibrate.cross_fit_blend` with weights fitted by the forward-corrected log loss.

    Parameters
    ----------
    stack : sequence of ndarray of shape (n, K)
        The candidates' out-of-fold probabilities.
    codes : ndarray of shape (n,)
        Given labels, 0..K-1.
    folds : sequence of ndarray
        Each fold's test rows.
    anchor_probs : ndarray of shape (n, K)
        Out-of-fold noisy-label probabilities ``T`` is estimated from (the logistic family's).
    n_iter, tol : int, float
        The EM's iterations and stopping tolerance (:func:`labelwise.models._calibrate.fit_blend_weights`).

    Returns
    -------
    blended : ndarray of shape (n, K)
        Each fold's rows mixed with the weights fitted on the other folds' rows.
    weights : ndarray of shape (M,)
        The weights fitted on all rows.
    """
    transitions = fold_transitions(anchor_probs, folds, codes, estimate)
    everything = np.ones(codes.shape[0], dtype=bool)
    out = np.zeros_like(stack[0])
    for test, transition in zip(folds, transitions, strict=False):
        train = everything.copy()
        train[test] = False
        picked = forward_picked([p[train] for p in stack], codes[train], transition)
        w = fit_blend_weights(picked, n_iter=n_iter, tol=tol)
        for weight, p in zip(w, stack, strict=True):
            out[test] += weight * p[test]
    return out, fit_blend_weights(forward_picked(stack, codes, transitions[-1]), n_iter=n_iter, tol=tol)
