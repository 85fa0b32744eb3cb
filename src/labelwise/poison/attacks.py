"""Label-flipping attacks, each with a budget given as a fraction or a count of training labels.

Every attack returns :class:`PoisonedLabels` flipping exactly the budget. ``random`` and
``farthest`` handle any number of classes; ``topk_sv``, ``alfa`` and ``lfa`` are binary-only and
say so when given more classes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog
from sklearn.svm import SVC

from .._progress import track
from .._validate.arguments import check_choice, check_fraction, check_positive, check_positive_int, check_random_state
from .._validate.labels import check_same_length, encode_labels
from .._validate.row_order import check_row_order
from ..errors import InvalidParameterError
from ._common import (
    READER,
    PoisonedLabels,
    budget_count,
    check_labels_X,
    check_X,
    first_appearance_codes,
    make_result,
    resolve_gamma,
)
from .floral import randomized_topk_flips

__all__ = ["random_flips", "farthest_first", "topk_sv", "alfa", "lfa", "ATTACKS"]


def _svc(C: float, gamma: float, **kw) -> SVC:
    return SVC(C=C, kernel="rbf", gamma=gamma, **kw)


def _need_X(X, attack):
    if X is None:
        raise InvalidParameterError(
            f"X is required by the {attack!r} attack (only 'random' works without features): X must be a "
            "feature array, got None"
        )
    return X


def random_flips(X: Any, labels: Any, budget: Any, random_state: Any = None) -> PoisonedLabels:
    """Flip ``budget`` labels chosen uniformly at random, each to a uniformly random other class.

    The baseline every targeted attack must beat. Multi-class capable; ``X`` is ignored (may be
    ``None``). The draws depend on the rows and their grouping into classes only, not on the class
    names: the rows are drawn by position, and the other class is the drawn offset ``1..K-1``
    added modulo ``K`` to the class's rank in the order of the classes' first appearance in the
    rows (for two classes, always the other one).

    Parameters
    ----------
    X : array-like of shape (n, d) or None
    labels : array-like of shape (n,)
    budget : float in [0, 1) or int
        Fraction of the labels, or the number of labels, to flip.
    random_state : int, Generator or None

    Returns
    -------
    PoisonedLabels
    """
    Xa, arr, codes, classes = check_labels_X(X, labels, None)
    n, k_classes = codes.size, classes.size
    b = budget_count(budget, n)
    rng = check_random_state(random_state)
    idx = rng.choice(n, size=b, replace=False)
    new = codes.copy()
    # A uniform other class: add 1..K-1 modulo K, counting classes in first-appearance order.
    canon = first_appearance_codes(codes)
    to_code = np.empty(k_classes, dtype=codes.dtype)
    to_code[canon] = codes
    new[idx] = to_code[(canon[idx] + rng.integers(1, k_classes, size=b)) % k_classes]
    return make_result(arr, classes, codes, new, "random", b, X=X, labels=labels)


def farthest_first(
    X: Any, labels: Any, budget: Any, random_state: Any = None, *, C: float = 10.0, gamma: Any = "scale"
) -> PoisonedLabels:
    """Flip the labels the clean model is most sure of (farthest on the right side of its boundary).

    An RBF SVC is fitted on the clean labels; examples are ranked by their margin for their own
    class (``y f(x)`` for binary, own score minus best other score for multi-class) and the
    ``budget`` largest are flipped, to the other class (binary) or the runner-up class.
    Deterministic; ``random_state`` is accepted for a uniform signature.

    References
    ----------
    .. [1] Xiao, Xiao & Eckert, "Adversarial Label Flips Attack on Support Vector Machines",
       ECAI 2012 (the "farthest-first" baseline of its experiments).
    """
    Xa, arr, codes, classes = check_labels_X(_need_X(X, "farthest"), labels, None)
    check_random_state(random_state)  # unused, but a bad one is refused as everywhere
    b = budget_count(budget, codes.size)
    clf = _svc(check_positive("C", C), resolve_gamma(gamma, Xa), decision_function_shape="ovr").fit(Xa, codes)
    scores = clf.decision_function(Xa)
    new = codes.copy()
    if classes.size == 2:
        margin = np.where(codes == 1, scores, -scores)
        target = 1 - codes
    else:
        own = scores[np.arange(codes.size), codes]
        others = scores.copy()
        others[np.arange(codes.size), codes] = -np.inf
        target = np.argmax(others, axis=1)
        margin = own - others[np.arange(codes.size), target]
    chosen = np.argsort(-margin, kind="stable")[:b]
    new[chosen] = target[chosen]
    return make_result(arr, classes, codes, new, "farthest", b, X=X, labels=labels)


def topk_sv(
    X: Any,
    labels: Any,
    budget: Any,
    random_state: Any = None,
    *,
    C: float = 10.0,
    gamma: Any = "scale",
    pool_factor: float = 2.0,
) -> PoisonedLabels:
    """FLORAL's randomized top-k attack: flip ``budget`` of the ``2 * budget`` most influential
    support vectors of an RBF SVC fitted on the clean labels.

    Influence is the dual weight ``alpha``; non-support vectors are ranked after the support
    vectors by closeness to the boundary so the budget is always spent exactly. Binary only.

    References
    ----------
    .. [1] Bal, Cevher & Muehlebach, "Adversarial Training for Defense Against Label Poisoning
       Attacks", ICLR 2025.
    """
    Xa, arr, codes, classes = check_labels_X(_need_X(X, "topk_sv"), labels, "topk_sv")
    pool_factor = check_fraction("pool_factor", pool_factor, low=1.0, high=np.inf)
    b = budget_count(budget, codes.size)
    rng = check_random_state(random_state)
    clf = _svc(check_positive("C", C), resolve_gamma(gamma, Xa)).fit(Xa, codes)
    alpha = np.zeros(codes.size)
    alpha[clf.support_] = np.abs(clf.dual_coef_[0])
    # Points that are not support vectors get a tiny weight ordered by closeness to the boundary,
    # below every support vector, so that the attacker can always spend its budget.
    closeness = 1.0 / (1.0 + np.abs(clf.decision_function(Xa)))
    floor = alpha[alpha > 0].min() if (alpha > 0).any() else 1.0
    score = np.where(alpha > 0, alpha, 1e-3 * floor * closeness)
    idx = randomized_topk_flips(score, b, rng, pool_factor=pool_factor, sv_tol=0.0)
    new = codes.copy()
    new[idx] = 1 - codes[idx]
    return make_result(arr, classes, codes, new, "topk_sv", b, X=X, labels=labels)


def _hinge(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, 1.0 - y * scores)


def alfa(
    X: Any,
    labels: Any,
    budget: Any,
    random_state: Any = None,
    *,
    C: float = 10.0,
    gamma: Any = "scale",
    max_iter: int = 10,
    costs: Any = None,
    verbose: bool | None = None,
) -> PoisonedLabels:
    """ALFA: adversarial label flips found by alternating a linear program and weighted SVM fits.

    The attacker looks for flips under which a *tilted* classifier ``f`` fits the poisoned labels
    well while the original classifier ``f_S`` fits them badly. Over the doubled set ``U`` (each
    point once with its label and once flipped) with indicators ``q`` it solves

    ``min_{q, f}  sum_i q_i [V(y_i, f(x_i)) - V(y_i, f_S(x_i))] + ||f||^2 / C``
    subject to ``sum_{i>n} c_i q_i <= budget``, ``q_i + q_{i+n} = 1``, ``0 <= q <= 1``,

    alternately: with ``f`` fixed, a linear program in ``q`` (``scipy.optimize.linprog``, HiGHS);
    with ``q`` fixed, an SVM on ``U`` weighted by ``q``. The tilted losses ``xi`` start at zero
    as in the paper. Finally the ``budget`` flipped copies with the largest ``q`` are flipped.
    Binary only.

    Parameters
    ----------
    X : array-like of shape (n, d)
    labels : array-like of shape (n,)
    budget : float in [0, 1) or int
    random_state : ignored (ALFA is deterministic); accepted for a uniform signature.
    C, gamma : RBF SVM parameters of the attacker's surrogate model.
    max_iter : int
        Maximum LP/SVM alternations (stops earlier when ``q`` no longer changes).
    costs : array-like of shape (n,), optional
        Cost ``c_i`` of flipping each label (default 1). The budget then bounds the total cost,
        and the final flips are the largest ``q`` that fit in it.

    Returns
    -------
    PoisonedLabels
        ``info`` holds ``n_iter`` and the final ``q`` of the flipped copies.

    References
    ----------
    .. [1] Xiao, H., Xiao, H. & Eckert, C., "Adversarial Label Flips Attack on Support Vector
       Machines", ECAI 2012, pp. 870-875.
    """
    Xa, arr, codes, classes = check_labels_X(_need_X(X, "alfa"), labels, "alfa")
    check_random_state(random_state)  # unused, but a bad one is refused as everywhere
    n = codes.size
    b = budget_count(budget, n)
    max_iter = check_positive_int("max_iter", max_iter)
    C = check_positive("C", C)
    g = resolve_gamma(gamma, Xa)
    if costs is None:
        c = np.ones(n)
    else:
        c = np.asarray(costs, dtype=np.float64)
        check_same_length("costs", c, "labels", arr)
        if not np.isfinite(c).all() or (c <= 0).any():
            bad = int(np.flatnonzero(~np.isfinite(c) | (c <= 0))[0])
            raise InvalidParameterError(f"costs must be positive and finite, got {float(c[bad])!r} at position {bad}")
    y = np.where(codes == 1, 1.0, -1.0)
    f_s = _svc(C, g).fit(Xa, y).decision_function(Xa)
    # psi: losses of the original classifier on U = {(x_i, y_i)} + {(x_i, -y_i)}.
    psi = np.concatenate([_hinge(f_s, y), _hinge(f_s, -y)])
    xi = np.zeros(2 * n)
    # LP constraints (fixed across iterations): q_i + q_{i+n} = 1 and sum c_i q_{i+n} <= budget.
    eye = sp.identity(n, format="csr")
    a_eq = sp.hstack([eye, eye], format="csr")
    a_ub = sp.hstack([sp.csr_matrix((1, n)), sp.csr_matrix(c[None, :])], format="csr")
    X2 = np.vstack([Xa, Xa])
    y2 = np.concatenate([y, -y])
    q = np.concatenate([np.ones(n), np.zeros(n)])
    n_iter = 0
    for it in track(range(max_iter), total=max_iter, description="ALFA", verbose=verbose):
        res = linprog(
            xi - psi,
            A_ub=a_ub,
            b_ub=[float(b)],
            A_eq=a_eq,
            b_eq=np.ones(n),
            bounds=(0.0, 1.0),
            method="highs",
        )
        if res.status != 0:  # pragma: no cover - the LP is always feasible (q = no flips)
            raise InvalidParameterError(f"ALFA's linear program failed: {res.message}")
        q_new = np.clip(res.x, 0.0, 1.0)
        n_iter = it + 1
        if it > 0 and np.allclose(q_new, q, atol=1e-9):
            q = q_new
            break
        q = q_new
        keep = q > 1e-9
        fit = _svc(C, g).fit(X2[keep], y2[keep], sample_weight=q[keep])
        xi = _hinge(fit.decision_function(X2), y2)
    v = q[n:]
    order = np.lexsort((np.arange(n), -v))
    chosen = order[np.cumsum(c[order]) <= b + 1e-9] if costs is not None else order[:b]
    new = codes.copy()
    new[chosen] = 1 - codes[chosen]
    return make_result(arr, classes, codes, new, "alfa", b, {"n_iter": n_iter, "q": v}, X=X, labels=labels)


def lfa(
    X: Any,
    labels: Any,
    budget: Any,
    random_state: Any = None,
    *,
    X_val: Any = None,
    y_val: Any = None,
    C: float = 10.0,
    gamma: Any = "scale",
    n_candidates: int | None = 16,
    candidates: str = "margin",
    verbose: bool | None = None,
) -> PoisonedLabels:
    """LFA: the greedy label-flip attack; each step flips the label that most raises the error.

    Repeated ``budget`` times: for every candidate label not yet flipped, retrain an RBF SVM with
    that label flipped and measure its error on the validation set (the clean training set when
    none is given); flip the candidate with the largest error (ties: the largest mean hinge
    loss). The exact attack (``n_candidates=None``) retrains once per remaining label per step,
    ``O(budget * n)`` SVM fits. ``n_candidates`` limits each step to that many candidates: with
    ``candidates="margin"`` the labels whose margin ``y f(x)`` under the current poisoned model is
    closest to 1 (points on the margin, whose flips move the boundary most), with ``"random"`` a
    uniform sample. Binary only. The SVMs are libsvm solutions, accurate to its tolerance
    (1e-3), and the second of the sorted classes is its +1 class: renaming the classes so that
    their sorted order swaps can change a pick whose margin or loss ties another candidate's
    within that tolerance.

    References
    ----------
    .. [1] Paudice, A., Muñoz-González, L. & Lupu, E. C., "Label Sanitization against Label
       Flipping Poisoning Attacks", ECML PKDD Workshops 2018 (Algorithm 1, the greedy attack).
    .. [2] Biggio, B., Nelson, B. & Laskov, P., "Support Vector Machines Under Adversarial Label
       Noise", ACML 2011.
    """
    Xa, arr, codes, classes = check_labels_X(_need_X(X, "lfa"), labels, "lfa")
    n = codes.size
    b = budget_count(budget, n)
    C = check_positive("C", C)
    g = resolve_gamma(gamma, Xa)
    rng = check_random_state(random_state)
    if n_candidates is not None:
        n_candidates = check_positive_int("n_candidates", n_candidates)
    candidates = check_choice("candidates", candidates, ("margin", "random"))
    y = np.where(codes == 1, 1.0, -1.0)
    if (X_val is None) != (y_val is None):
        given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
        raise InvalidParameterError(f"X_val and y_val must be given together, got {given} but {missing}=None")
    if X_val is None:
        Xv, yv = Xa, y
    else:
        check_row_order(X_val, "X_val", READER, y_val=y_val)
        Xv = check_X(X_val, name="X_val")
        v_codes, _ = encode_labels(np.asarray(y_val), name="y_val", classes=classes)
        check_same_length("X_val", Xv, "y_val", v_codes)
        yv = np.where(v_codes == 1, 1.0, -1.0)
    y_cur = y.copy()
    flipped = np.zeros(n, dtype=bool)
    for _ in track(range(b), total=b, description="LFA", verbose=verbose):
        cand = np.flatnonzero(~flipped)
        if n_candidates is not None and cand.size > n_candidates:
            if candidates == "random":
                cand = rng.choice(cand, size=n_candidates, replace=False)
            else:
                margin = y_cur[cand] * _svc(C, g).fit(Xa, y_cur).decision_function(Xa[cand])
                cand = cand[np.argsort(np.abs(margin - 1.0), kind="stable")[:n_candidates]]
        best = (-1.0, -1.0, -1)
        for j in cand:  # one SVM fit per candidate is the attack itself
            y_try = y_cur.copy()
            y_try[j] = -y_try[j]
            if np.unique(y_try).size < 2:
                continue
            s = _svc(C, g).fit(Xa, y_try).decision_function(Xv)
            err = float(np.mean(np.sign(s) != yv))
            loss = float(_hinge(s, yv).mean())
            if (err, loss) > best[:2]:
                best = (err, loss, int(j))
        pick = best[2]
        if pick < 0:  # pragma: no cover - only when every flip would leave one class
            break
        y_cur[pick] = -y_cur[pick]
        flipped[pick] = True
    new = np.where(flipped, 1 - codes, codes)
    return make_result(arr, classes, codes, new, "lfa", b, X=X, labels=labels)


ATTACKS = {
    "random": random_flips,
    "farthest": farthest_first,
    "topk_sv": topk_sv,
    "alfa": alfa,
    "lfa": lfa,
}
