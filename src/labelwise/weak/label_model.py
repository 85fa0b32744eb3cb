"""Snorkel's matrix-completion label model (Ratner et al., AAAI 2019), with an optional EM refinement."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ..aggregate.dawid_skene import DEFAULT_PRIOR_STRENGTH
from ..aggregate.priors import agreement_accuracy
from . import _covote_join, _identified, _invisible_missing, _params, _unread_votes
from ._clique_cap import clique_limits, grown_abstains
from ._compress import compress_rows
from ._crowd_pairs import join_free_pairs, pairs_frame
from ._dependencies import clique_search
from ._em import em_outputs, fit_abstain_models, record_convergence
from ._fit_items import fit_votes_over
from ._fit_tail import EMData, checked_run, set_results
from ._lure import lured_posterior
from ._model_api import LabelModelAPI, balance_from_dev, known_labelers
from ._model_io import SavedLabelModel
from ._moments import Overlaps, align_classes, fit_mu, indicator, weighted_gram
from ._one_class_fit import fit_rows, reused, structure_plan
from ._outcomes import voted_outcomes
from ._params import check_class_balance, initial_balance, labeler_pairs, n_classes
from ._posterior import group_mu_from_lf_mu, posterior, vote_counts, vote_shares
from ._shared_steps import deferred
from ._ties import item_argmax
from ._votes import Votes, as_votes

__all__ = ["MOMENT_TOL", "MOMENT_TOL_BEFORE_EM", "LabelModel", "check_class_balance"]

#: Stopping tolerance of the moment fit (relative change of the loss, or largest change of ``μ``) when it is the estimate.
MOMENT_TOL = 1e-9

#: The same when the moment fit only starts EM (``n_em_iter > 0``): EM moves the estimate far more than the loss's last
#: digits. Same labels, abstain model and cliques as ``MOMENT_TOL`` on dev sets (``dev_weak_speed.py --moment-tol``).
MOMENT_TOL_BEFORE_EM = 1e-6


class LabelModel(LabelModelAPI, SavedLabelModel, BaseEstimator):
    r"""Label model: labeling-function accuracies from their agreements, without gold labels.

    Model (Ratner et al. 2019). The true label ``Y`` has class balance ``p``; given ``Y``, the labeling functions
    vote independently (unless ``dependencies`` are given), function ``j`` voting ``a`` with probability ``μ[(j, a),
    y] = P(λ_j = a | Y = y)`` and abstaining otherwise.

    Fit. With ``λ`` the one-hot vote indicator (``m·K`` entries per item) and ``O = E[λλᵀ]`` its overlap matrix,
    conditional independence makes every entry of ``O`` between two different functions equal to ``(μ P μᵀ)`` (``P =
    diag(p)``), and the diagonal equal to ``μ p``. The model completes this low-rank structure from the observed
    entries: it minimises

    .. math:: \lVert Ω ⊙ (O − μPμᵀ) \rVert_F^2 + \lVert μp − \mathrm{diag}(O) \rVert^2 + l2 \lVert μ − μ_0 \rVert^2

    over ``0 ≤ μ ≤ 1`` (``Ω`` masks the diagonal blocks and the blocks of dependent pairs), from ``μ_0[(j, y), y] =
    prec_init · P(λ_j = y) / p_y``, the initialisation of Snorkel's implementation, by projected gradient with
    Barzilai-Borwein steps on the analytic gradient (Snorkel runs Adam for a fixed number of epochs). The latent
    classes are then matched to the vote classes (the loss is symmetric under relabelling them).

    Refinement (``n_em_iter > 0``, the default). The moment estimate starts expectation-maximisation on the same model
    (the likelihood of the votes, abstains included as each function's (K+1)-th outcome) over the items with at least
    one vote, as the spectral-then-EM estimator of Zhang et al. (2014): moments give a start near the right optimum, EM
    makes the estimate efficient. EM is also started from the majority vote and the run with the higher likelihood is
    kept (on crowd-like data, where who answers is assignment rather than signal, the moment fit can mislead EM), unless
    its labels are a relabelling of the majority vote's and the other run's are not. EM is accelerated by SQUAREM [3]_
    and stops when a cycle raises its objective (the log posterior of the MAP fit, with the smoothing and prior
    pseudo-counts; ``em_objective_history_``) by less than ``tol``. ``n_em_iter=0`` gives the paper's estimator alone.

    Speed. Items with the same vote row have the same posterior; the fit runs on the distinct rows, each weighted by its
    number of items: the fit over every item (up to the order of floating-point sums) at the rows' cost.

    Dependencies. Pairs given in ``dependencies`` are left out of the moment fit. Before EM, pairs that agree far more
    than conditional independence predicts under the vote shares (z-score above ``dependency_threshold``, see
    :func:`~labelwise.weak._dependencies.agreement_excess`) *and* whose joint outcome given the class is worth its
    parameters by BIC (:func:`~labelwise.weak._dependencies.joint_bic_gain`) are joined, with the given pairs, into
    cliques of at most ``max_clique`` functions whose joint vote is one categorical outcome: copies of a rule are no
    longer counted twice. The BIC test keeps workers who answer every item apart when the z-score flags them only
    because there are many items (its size grows with their square root for any small misfit of the shares). The pair
    must also *vote together* more often than coverages independent given the class explain
    (:meth:`~labelwise.weak._dependencies.PairTables.covote_z` above the same threshold): copies of a rule and rules
    sharing a trigger fire together, whereas crowd workers lured to the same wrong class on hard items do not (who
    answers is assignment), and a joint table for two or three of them models that item difficulty poorly. Functions
    that vote on every item are therefore never joined by the search (give them in ``dependencies`` to join them).
    Chosen on simulated data (``benchmarks/dev_weak_dense_crowds.py --covote``).

    Dependent crowd workers. When EM keeps missing abstains (Dawid-Skene's model), the dependent-pair check of
    :class:`labelwise.aggregate.DawidSkene` runs on the votes (``pair_check``): a pair sharing at least 50 items whose
    agreements exceed, by ``z > dependency_threshold`` and by 3% of the shared items, the number a fit of every other
    vote predicts (a posterior predictive check [4]_, aggregate's ``_pair_check``; no co-vote asked: a fitted model
    explains a lure shared by many workers), and (``pair_check_triad``) by ``z > dependency_threshold`` over the excess
    both share with a third worker. Pairs found among the functions the search and ``dependencies`` left alone become
    cliques (:func:`._crowd_pairs.join_free_pairs`) and the model is refitted from majority vote and the checked fit,
    the higher MAP objective kept (:func:`._fit_check.refit_best`). Chosen on simulated crowds
    (``benchmarks/dev_weak_pair_check.py``, ``dev_weak_dep_collapse.py``). The abstain model is chosen before the check.
    With informative abstains, ``pair_check`` checks instead the pairs with a one-class function (a keyword rule, whose
    copies the agreement screen can miss) by their co-votes under the fitted model (:mod:`._one_class`).

    Posterior: ``P(Y = y | λ) ∝ p_y Π_groups P(group outcome | y)``; for a single function the outcome probability
    is ``μ[(j, a), y]`` for a vote ``a`` and ``1 − Σ_a μ[(j, a), y]`` for an abstain (Snorkel's ``predict_proba``
    leaves the abstain factor out; a rule that fires mostly on one class says something when it does not fire).

    Parameters
    ----------
    class_balance : "votes", None, "uniform", array of shape (K,) or dict / Series class -> probability
        Prior ``p``: ``"votes"`` (default) fixed at the mean vote shares of the items with a vote; ``None`` starts
        there and is estimated by EM; ``"uniform"``, an array (class order) or a dict / Series (by class name): fixed.
        Chosen on simulated dev sets (a free ``p`` drifted on low-coverage sets). With missing abstains (Dawid-Skene's
        model: abstains say nothing of the class) ``"votes"`` is only the start and ``p`` is estimated, as DS does.
    dependencies : sequence of (labeler, labeler) pairs, optional
        Pairs known to be correlated; their overlap entries are left out of the fit.
    n_em_iter : int, default 100
        Maximum EM steps after the moment fit (0: none, the moment fit over ``μ[(j, ·), y]`` summing to <= 1, the
        abstain's share), per EM run. Stops when EM's objective (``em_objective_history_``) rises by < ``tol`` a cycle.
    abstains : {"auto", "informative", "missing"}, default "auto"
        How EM treats an abstain: ``"informative"``, as an outcome whose probability depends on the class (keyword
        rules that fire on one class); ``"missing"``, as carrying no information (which functions vote is independent
        of the class: Dawid-Skene's missing answers, the right model for crowd workers assigned to items). ``"auto"``
        fits both and keeps ``"informative"`` only when it has the lower BIC *and* its log-likelihood of the votes'
        values given which functions voted (``vote_log_likelihood_``) is not lower: a class spent on explaining who
        votes (workers assigned in batches) predicts what they vote worse. The rule was chosen on simulated data
        (``benchmarks/dev_weak_abstains.py``). A missing fit relabelling a class warns, falls back to majority vote.
    tol : float, default 1e-6
        EM stops when a SQUAREM cycle raises its objective (``em_objective_history_``, per item) by less than this.
    dependency_threshold : float or None, default 5.0
        z-score above which a pair of functions may be modelled jointly, if they also vote together more than chance by
        the same z-score and the BIC test prefers it (None: only the given ``dependencies``). Needs ``n_em_iter > 0``.
    max_clique : int, default 3
        Largest clique of the search; near-copies (co-vote correlation >= 0.42) grow past it to 6 (:mod:`._clique_cap`).
    min_shared : int, default 20
        Pairs voting together on fewer items are never joined by the clique search.
    pair_check : bool, default True
        Check the fitted model for dependent pairs and model them as cliques: with missing abstains Dawid-Skene's check,
        with informative abstains one-class functions' co-votes (see "Dependent crowd workers"). Needs ``n_em_iter > 0``
        and a ``dependency_threshold`` (its ``z`` threshold).
    pair_check_warm_start : bool, default True
        Refit after the check from majority vote *and* the checked fit, the higher MAP objective kept (False: from
        majority vote only). Adopted by the rule of ``benchmarks/dev_weak_dep_collapse.py``.
    pair_check_triad : bool, default True
        Keep only the check's pairs whose excess stands out, by ``dependency_threshold``, over the excess both share
        with a third labeler (``weak._pair_triad``; False: every pair). Rule: ``benchmarks/dev_weak_pair_fp.py``.
    l2 : float, default 0.0
        Pull of ``μ`` toward its initialisation in the moment fit.
    prec_init : float, default 0.7
        Initial precision of every function.
    max_iter : int, default 500
        Projected-gradient iterations for the moment fit. It stops when the loss changes by less than :data:`MOMENT_TOL`
        (relative) or ``μ`` by less than it; when EM follows, at the looser :data:`MOMENT_TOL_BEFORE_EM`.
    smoothing : float, default 0.01
        Pseudo-count in the EM M-step.
    prior_strength : float, default 8.0
        With missing abstains (Dawid-Skene's model), the labels come from the MAP fit under the diagonal-favouring
        Dirichlet prior of :class:`labelwise.aggregate.DawidSkene`: each function's vote distribution given a class gets
        this many pseudo-votes from a function of the crowd's mean accuracy, so a worker with a few answers keeps a
        diagonal confusion. A clique's joint votes get the same number of pseudo-votes, spread as the product of its
        members' priors. The abstain-model choice compares ML fits. 0: no prior. Chosen on ``dev_weak_abstains.py``.
    lured_items : bool, default True
        Where that MAP fit is kept, labelers are single, K >= 3 and items have >= 10 votes on average, refine it by a
        mixture of normal and *lured* items (``weak._lure``): on a lured item each labeler answers one look-alike wrong
        class, shared by the item, with its own probability. False: the MAP fit only (``dev_weak_lure.py``).
    spectral_start : bool, "multispa" or "multispa-kl", default False
        Where that MAP fit is kept, also run it from a moment estimate and keep the fit of higher MAP objective: True,
        Zhang et al.'s spectral estimate [2]_ (``weak._spectral``: three labeler groups, a tensor decomposition);
        ``"multispa"`` (``"multispa-kl"``), Ibrahim et al.'s MultiSPA (then KL-fitted) estimate from pairwise
        co-occurrences (``weak._multispa``). False: none. Off: both passed their dev rules
        (``benchmarks/dev_weak_spectral.py``, ``dev_weak_multispa.py``) but changed no label of the benchmark's sets.
    iwmv_start : bool, default False
        The same from Li and Yu's IWMV labels (``weak._iwmv_start``). Off: it passed its rule but cost a Snorkel speed goal.
    one_class_rules : bool, default True
        On votes mostly from one-class functions (keyword rules), the fit of ``weak._one_class_fit`` (learned cliques).
        On since session 52, when its cost met the registered 10x-Snorkel rule (``benchmarks/RESULTS.md``).
    labels : sequence, optional
        The classes (default: those voted, sorted).
    random_state : int or Generator, default 0
        Breaks exact ties between classes in ``labels_`` and ``predict`` (within ``1e-9``), as ``MajorityVote``: one
        seeded draw per tied item, the items in sorted order of their names, whatever the order of the votes' rows.

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
    labelers_ : tuple of str (a matrix's columns in order, a table's labelers sorted)
    mu_ : ndarray of shape (m·K, K)
        ``P(λ_j = a | Y = y)``, row ``j·K + a``.
    class_balance_ : ndarray of shape (K,)
    accuracies_ : pandas.Series
        Per labeler, ``P(λ_j = Y | λ_j votes)`` under the fit's ``μ`` and ``class_balance_`` (no gold: a rule fitted
        as one class's detector gets near 1 whatever gold says); NaN for a labeler that never voted.
    confusion_ : ndarray of shape (m, K, K)
        ``[j, y, a] = P(λ_j = a | Y = y, λ_j votes)``, rows summing to 1 (NaN: ``j`` never votes given ``y``).
    labels_ : pandas.Series indexed by item
    probas_ : pandas.DataFrame indexed by item, one column per class
    n_votes_ : pandas.Series indexed by item
    groups_ : list of tuple of str
        The functions modelled jointly (singletons for independent ones).
    dependent_pairs_ : pandas.DataFrame
        Pairs the dependent-pair check found beside the model's own cliques: ``labeler_a``, ``labeler_b``, ``n_shared``
        (items both voted on), ``agreements``, ``expected`` (the number the fit without them predicts) and ``z``; empty
        when none or not run.
    group_mu_ : ndarray
        ``P(group outcome | y)``, the parameters the posterior uses.
    loss_ : float, n_iter_ : int, converged_ : bool
        The moment fit's final loss, iterations and whether it converged.
    abstains_ : str
        The abstain model used (``"informative"`` or ``"missing"``; ``"informative"`` without EM).
    bic_ : dict
        BIC of each abstain model fitted (by maximum likelihood). With ``prior_strength > 0`` the missing model's fit
        serves only this and the choice, and stops at the looser tolerance :data:`labelwise.weak._em.COMPARISON_TOL`.
    vote_log_likelihood_ : dict
        Per abstain model fitted, ``Σ log P(votes | which functions voted)`` over the voted items.
    n_distinct_rows_ : int
        Distinct vote rows the model was fitted on.
    n_em_iter_ : int
    log_likelihood_history_ : list of float
        Mean log-likelihood per item after the moment fit, then after the first M-step and each SQUAREM cycle (three
        EM steps) of the kept run.
    em_objective_history_ : list of float
        EM's objective at the same points, from the first M-step: the log posterior per item
        (log-likelihood plus :func:`labelwise.weak._em.log_prior`), never decreasing.
    lured_items_ : bool, lure_params_ : ndarray or None
        Whether the lured-item mixture refined the fit (``lured_items`` and its gate), and its parameters
        (``weak._lure.LureFit.unpack``), which ``predict`` uses.
    spectral_start_, iwmv_start_ : str
        ``"kept"`` (that start's MAP fit had the higher objective), ``"not kept"`` or ``"not run: <why>"``.
    em_converged_ : bool, n_em_evals_ : int
        Whether the kept EM run stopped on ``tol`` within ``n_em_iter`` (else a
        :class:`~labelwise.errors.LabelwiseWarning`), and its EM steps (True and 0 without EM).
    shared_confusion_ : SharedTest or None
        Exchangeable labelers' test (``weak._exchangeable``: p >= 0.05 keeps one shared confusion); None: not run.

    References
    ----------
    .. [1] A. Ratner, B. Hancock, J. Dunnmon, F. Sala, S. Pandey and C. Ré, "Training Complex
       Models with Multi-Task Weak Supervision", AAAI 2019. https://arxiv.org/abs/1810.02840
    .. [2] Y. Zhang, X. Chen, D. Zhou and M. I. Jordan, "Spectral Methods Meet EM: A Provably
       Optimal Algorithm for Crowdsourcing", NeurIPS 2014.
    .. [3] R. Varadhan and C. Roland, "Simple and Globally Convergent Methods for Accelerating the
       Convergence of Any EM Algorithm", Scandinavian Journal of Statistics 35(2), 335-353, 2008.
    .. [4] A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness
       via realized discrepancies", Statistica Sinica 6, 733-807, 1996.

    Examples
    --------
    >>> from labelwise import weak
    >>> L = [[0, 0, -1], [1, 1, 1], [0, -1, 0], [1, 0, 1], [-1, 1, 1], [0, 0, 0]]
    >>> weak.LabelModel().fit(L).labels_.tolist()
    [0, 1, 0, 1, 1, 0]
    """

    def __init__(
        self,
        *,
        class_balance: Any = "votes",
        dependencies: Sequence[tuple[Any, Any]] = (),
        n_em_iter: int = 100,
        abstains: str = "auto",
        tol: float = 1e-6,
        dependency_threshold: float | None = 5.0,
        max_clique: int = 3,
        min_shared: int = 20,
        pair_check: bool = True,
        pair_check_warm_start: bool = True,
        pair_check_triad: bool = True,
        l2: float = 0.0,
        prec_init: float = 0.7,
        max_iter: int = 500,
        smoothing: float = 0.01,
        prior_strength: float = DEFAULT_PRIOR_STRENGTH,
        lured_items: bool = True,
        spectral_start: bool | str = False,
        iwmv_start: bool = False,
        one_class_rules: bool = True,
        labels: Sequence[Any] | None = None,
        random_state: Any = 0,
    ) -> None:
        self.class_balance = class_balance
        self.dependencies = dependencies
        self.n_em_iter = n_em_iter
        self.abstains = abstains
        self.tol = tol
        self.dependency_threshold = dependency_threshold
        self.max_clique = max_clique
        self.min_shared = min_shared
        self.pair_check = pair_check
        self.pair_check_warm_start = pair_check_warm_start
        self.pair_check_triad = pair_check_triad
        self.l2 = l2
        self.prec_init = prec_init
        self.max_iter = max_iter
        self.smoothing = smoothing
        self.prior_strength = prior_strength
        self.lured_items = lured_items
        self.spectral_start = spectral_start
        self.iwmv_start = iwmv_start
        self.one_class_rules = one_class_rules
        self.labels = labels
        self.random_state = random_state

    def _check_params(self) -> None:
        _params.check_label_model_params(self)

    def _moment_fit(
        self, lam: Any, p: np.ndarray, m: int, k: int, deps: list[tuple[int, int]], w: np.ndarray, gram: Any
    ) -> np.ndarray:
        """Ratner et al.'s estimate of ``μ`` from the overlap matrix (``gram``: ``λᵀWλ``), classes aligned to the votes."""
        ov = Overlaps.build(lam, m, k, deps, weights=w, gram=gram)
        d = ov.diag.reshape(m, k)
        mu0 = np.zeros((m * k, k))
        rows = np.arange(m)[:, None] * k + np.arange(k)[None, :]
        mu0[rows, np.arange(k)[None, :]] = np.clip(self.prec_init * d / p[None, :], 0.0, 1.0)
        tol = MOMENT_TOL_BEFORE_EM if self.n_em_iter else MOMENT_TOL
        mu, self.loss_, self.n_iter_, self.converged_ = fit_mu(
            ov, p, mu0, l2=float(self.l2), max_iter=self.max_iter, tol=tol, simplex=not self.n_em_iter
        )
        return mu[:, align_classes(mu, m, k)]

    def fit(self, votes: Any, y: Any = None, *, y_dev: Any = None, items: Any = None) -> LabelModel:
        """Fit on votes: :class:`Votes`, a long table (item, labeler, label) or a matrix (-1 = abstain).

        ``y_dev``: gold labels of a dev set, whose class shares fix the class balance (Snorkel's ``Y_dev``). ``items``:
        every item of the data beside a long table, which holds only the voted ones (:mod:`._fit_items`).
        It runs on the distinct vote rows, each weighted by its number of items (``_compress.compress_rows``): the
        result of the fit over every item, at the cost of the distinct rows (see "Speed").
        """
        self._check_params()
        v = fit_votes_over(votes, self.labels, items)  # a table's labelers sorted: the fit ignores its row order
        k, full = n_classes(v.classes, self.labels), v.matrix()
        balance = self.class_balance
        p_fixed = check_class_balance(balance, v.classes) if y_dev is None else balance_from_dev(y_dev, v.classes)
        rows = compress_rows(full, k)
        deps = labeler_pairs(self.dependencies, v.labelers)
        mu, p, post = _covote_join.fit_joined(self, fit_rows, (rows.matrix, rows.weights, p_fixed, deps, v))
        self.n_distinct_rows_ = int(rows.matrix.shape[0])
        self.groups_ = [tuple(v.labelers[j] for j in g) for g in self._groups]
        self.dependent_pairs_ = pairs_frame(self._pairs, v.labelers)
        set_results(self, v, mu, p, post, rows.inverse, rows.matrix)
        return self

    def _fit_rows(
        self, matrix: np.ndarray, w: np.ndarray, p_fixed: Any, deps: list[tuple[int, int]], votes: Votes
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The moment fit, the cliques and EM on vote rows ``matrix``, row ``i`` standing for ``w[i]`` items.

        Returns ``μ``, the class balance and the posterior of each row. ``votes``: the votes the rows come from. The
        checks and refits after EM (the dependent-pair check among them) are :func:`._fit_tail.checked_run`, one call.
        """
        k, m = len(votes.classes), matrix.shape[1]
        deps, thr, size = structure_plan(self, deps)  # with learned pairs on mostly one-class votes
        limits = clique_limits(self, size)  # main's, or near-copies' cliques grown past it (_clique_cap)
        lam = reused("lam", lambda: indicator(matrix, k))  # the same in each fit of choose_structure
        p = reused("balance", lambda: initial_balance(p_fixed, lam, m, k, w))
        gram = reused("gram", lambda: weighted_gram(lam, w))  # the overlaps' and the agreement test's counts
        fit_mu_ = partial(self._moment_fit, lam, p, m, k, deps, w, gram)  # sets loss_, n_iter_, converged_
        mu = reused(("mu", *deps), fit_mu_, self, ("loss_", "n_iter_", "converged_"))
        groups: list[list[int]] = [[j] for j in range(m)]
        mu_g = group_mu_from_lf_mu(mu, k, m)
        lam_g, n_outcomes = reused(("outcomes",), lambda: voted_outcomes(matrix, k, groups, lam))
        post, log_z = reused(("post", *deps), lambda: posterior(lam_g, mu_g, p))  # p: the fits' (ANCHOR: EM's)
        history = [float(w @ log_z) / float(w.sum())]
        if self.n_em_iter and (self.dependency_threshold is not None or deps):
            # cliques are chosen on the moment fit, before EM can lock onto a pair of copies as "truth"
            search = partial(clique_search, matrix, lam, w, k, gram, deps, min_shared=self.min_shared, **limits)
            groups = reused(("cliques", thr, *limits.values(), *deps), partial(search, threshold=thr))
            groups = _identified.searched(groups, m)  # three groups or more: identified (_identified)
            lam_g, n_outcomes = reused(
                ("outcomes", *map(tuple, groups)), partial(voted_outcomes, matrix, k, groups, lam)
            )
        self._pairs = np.empty((0, 6))
        if self.n_em_iter:
            # EM on the items with a vote: items nobody voted on would let a latent class mean
            # "no rule fires" (seen on low-coverage sets); they get the fitted all-abstain posterior
            cov = reused(("covered",), lambda: np.flatnonzero((matrix >= 0).any(axis=1)))
            every = len(cov) == len(matrix)  # then no row copies: the covered rows are all rows
            lam_c = reused(("lam_c",), lambda: lam if every else lam[cov])
            counts = reused(("vote_counts",), lambda: vote_counts(lam_c, m, k))
            starts = [post[cov], reused(("majority",), lambda: vote_shares(lam_c, m, k, counts))]  # moment fit's; MV
            em = partial(
                fit_abstain_models,
                p=p,
                p_fixed=p_fixed,
                w=w[cov],
                accuracy=reused(("accuracy",), lambda: agreement_accuracy(counts, w[cov])),
                prior_strength=float(self.prior_strength),
                lured_items=bool(self.lured_items),
                spectral_start=self.spectral_start,
                iwmv_start=bool(self.iwmv_start),
                smoothing=float(self.smoothing),
                n_iter=self.n_em_iter,
                tol=float(self.tol),
                unread=partial(_unread_votes.gate_votes, matrix, w, k),  # read where BIC and the vote values disagree
            )
            lam_gc = reused(("voted", *map(tuple, groups)), lambda: (lam_g if every else lam_g[cov]).weighted(w[cov]))
            abstains = grown_abstains(self, groups, _invisible_missing.abstain_mode(self, matrix, w, votes))
            run, self.abstains_, self.bic_, self.vote_log_likelihood_ = em(
                lam_gc, n_outcomes, starts, groups=groups, abstains=abstains
            )
            data = EMData(matrix, lam, w, gram, cov, every, lam_gc, n_outcomes, starts)
            run, groups, lam_g = checked_run(self, em, run, data, groups, lam_g, votes)  # checks and refits (_fit_tail)
            mu_g, history, self.lure_params_ = run.mu, history + run.history, run.lure
            record_convergence(self, run, self.n_em_iter, self.tol)
            out = deferred(partial(em_outputs, run, lam_c, w[cov], lam_g, cov, every))  # made for the kept fit only
        else:
            self.abstains_, self.bic_, self.lure_params_, self.shared_confusion_ = "informative", {}, None, None
            record_convergence(self, None, 0, self.tol)
            out = mu, p, post
        self._groups = groups
        self.lured_items_ = self.lure_params_ is not None
        self.group_mu_ = mu_g
        self.n_em_iter_, self.log_likelihood_history_ = len(history) - 1, history
        return out

    def _model_pairs(
        self, matrix: np.ndarray, k: int, groups: list[list[int]], pairs: np.ndarray
    ) -> tuple[list[list[int]], Any, np.ndarray, np.ndarray | None] | None:
        """The dependent ``pairs`` as cliques (:func:`._crowd_pairs.join_free_pairs`): the groups, their outcome
        indicator and counts and EM's start (``None``: the vote shares), or ``None`` when the groups do not change."""
        new = join_free_pairs(groups, pairs, self.max_clique)
        return None if new == groups else (new, *voted_outcomes(matrix, k, new), None)

    def _predict_rows(self, votes: Any) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        """Items, posterior and class codes (exact ties: one seeded draw per tied item of ``votes``, as ``labels_``)."""
        v = known_labelers(as_votes(votes, classes=self.classes_), self.labelers_)
        rows = compress_rows(Votes(v.answers, v.items, self.labelers_, self.classes_).matrix(), len(self.classes_))
        lam_g = voted_outcomes(rows.matrix, len(self.classes_), self._groups)[0]
        post = posterior(lam_g, self.group_mu_, self.class_balance_)[0]
        lure = getattr(self, "lure_params_", None)
        if lure is not None:
            post = lured_posterior(lure, lam_g, len(self.classes_), post)
        return v.items, post[rows.inverse], item_argmax(post, self.random_state, v.items, rows.inverse)

    def _lf_conditionals(self) -> np.ndarray:
        """``[j, a, y] = P(λ_j = a | y)``: ``mu_`` by function (:meth:`get_weights`, :meth:`get_conditional_probs`)."""
        return self.mu_.reshape(len(self.labelers_), len(self.classes_), -1)
