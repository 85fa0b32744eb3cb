"""What a page's comments and prose say its examples give, checked on the page's namespace.

``CLAIMS[page]`` is a list of ``(claim, check)``: after the page ran, ``check(namespace)`` must be
true; ``claim`` quotes the page.
"""

from __future__ import annotations

from collections.abc import Callable


def _ds_beats_majority(ns: dict) -> bool:
    truth = ns["truth"]
    return (ns["ds"].labels_ == truth).mean() > (ns["mv"].labels_.loc[truth.index] == truth).mean()


def _weak_annotators_found(ns: dict) -> bool:
    skill = ns["ds"].annotator_skill_.sort_index()
    return list(skill.rank().to_numpy()) == [5.0, 4.0, 3.0, 2.0, 1.0]


def _kos_mmsr_not_fooled(ns: dict) -> bool:
    truth = ns["adversarial"].true_labels
    vote = (ns["plain"].labels_ == truth).mean()
    return all((ns[name].labels_ == truth).mean() > vote + 0.2 for name in ("kos", "mmsr"))


def _plain_logistic_defaults(ns: dict) -> bool:
    """estimator=None: four meta-estimators fit a plain LogisticRegression(max_iter=1000), CrowdClassifier a
    StandardScaler then one."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from labelwise._meta import base_estimator
    from labelwise.robust import CleanClassifier, CleanMultilabelClassifier, CrowdClassifier, ImportanceReweighting
    from labelwise.semi import SelfTrainer

    plain = [
        base_estimator(cls())
        for cls in (CleanClassifier, SelfTrainer, ImportanceReweighting, CleanMultilabelClassifier)
    ]
    crowd = base_estimator(CrowdClassifier())
    return all(type(m) is LogisticRegression and m.max_iter == 1000 for m in plain) and (
        isinstance(crowd[0], StandardScaler) and type(crowd[-1]) is LogisticRegression
    )


def _voted(ns: dict):
    return ns["model"].n_votes_ > 0


def _p_spam(ns: dict) -> bool:
    voted = _voted(ns)
    p_spam = ns["model"].probas_["spam"].round(3)[voted]
    spam = ns["gold"][voted] == "spam"
    return bool((p_spam[spam] == 1.0).all() and (p_spam[~spam] == 0.009).all())


def _unvoted_left_unlabeled(ns: dict) -> bool:
    unvoted = ~_voted(ns)
    p_spam = ns["model"].probas_["spam"].round(3)[unvoted]
    return list(unvoted[unvoted].index) == [10, 11] and (p_spam == 0.946).all() and (ns["labels"][unvoted] == -1).all()


def _twelve_other_methods(ns: dict) -> bool:
    from labelwise.aggregate import METHODS

    return len(set(METHODS) - {"auto", "dawid-skene"}) == 12


def _auto_probs_are_the_choice(ns: dict) -> bool:
    import numpy as np

    return bool(np.allclose(ns["auto_probs"], ns["choice"].probs, rtol=0, atol=1e-12))


CLAIMS: dict[str, list[tuple[str, Callable[[dict], bool]]]] = {
    "README.md": [
        (
            'auto_probs = lw.out_of_fold_probs("auto", ..., random_state=0)  # == choice.probs',
            _auto_probs_are_the_choice,
        )
    ],
    "docs/checks.md": [
        ("[[5, 1600], [7, 100]]", lambda ns: ns["found"].info["exact_duplicate"]["sets"] == [[5, 1600], [7, 100]]),
        ("[1600]", lambda ns: ns["found"].info["leakage"]["rows"] == [1600]),
        ("p = 0.02 with 50 permutations", lambda ns: round(ns["found"].info["non_iid"]["p_value"], 2) == 0.02),
        ("no single row is flagged", lambda ns: int(ns["found"].issues["is_non_iid_issue"].sum()) == 0),
        ("texts: [[0, 2]]", lambda ns: ns["by_text"].info["exact_duplicate"]["sets"] == [[0, 2]]),
        ("near texts: [[0, 2, 3]]", lambda ns: ns["by_text"].info["near_duplicate_text"]["sets"] == [[0, 2, 3]]),
        ("text leakage: [2]", lambda ns: ns["leaks"].info["leakage"]["rows"] == [2]),
        ("table: [[0, 1]]", lambda ns: ns["by_table"].info["exact_duplicate"]["sets"] == [[0, 1]]),
        (
            "features: as numbers: price, member; one-hot: country (3 indicators)",
            lambda ns: (
                ns["by_table"].info["feature_encoding"]["line"]
                == "features: as numbers: price, member; one-hot: country (3 indicators)"
            ),
        ),
        ("[[0, 1]], as in memory", lambda ns: ns["by_dask"].info["exact_duplicate"]["sets"] == [[0, 1]]),
        (
            "equals(by_table...)  # True",
            lambda ns: ns["by_dask"].issues["outlier_score"].compute().equals(ns["by_table"].issues["outlier_score"]),
        ),
    ],
    "docs/weak.md": [
        (
            "recovers the gold label of every message that some rule votes on",
            lambda ns: bool((ns["model"].labels_ == ns["gold"])[_voted(ns)].all()),
        ),
        ("p_spam is 1.000 for the spam messages and 0.009 for the others", _p_spam),
        ("No rule votes on the last two messages ... p_spam 0.946 ... leaves them unlabeled", _unvoted_left_unlabeled),
        (
            "estimates short_message's accuracy at 0.846",
            lambda ns: round(ns["model"].accuracies_["short_message"], 3) == 0.846,
        ),
        (
            "finds the two copies (partial correlations 0.83 and 0.77) and one weak pair ... (`lf_9`, `lf_11`: 0.06)",
            lambda ns: (
                ns["learned"].pairs == (("lf_0", "lf_13"), ("lf_8", "lf_12"), ("lf_9", "lf_11"))
                and [round(v, 2) for v in ns["learned"].partial_correlation] == [0.83, 0.77, 0.06]
            ),
        ),
    ],
    "docs/robust-semi.md": [
        ("one of eight selection rules", lambda ns: len(ns["RULES"]) == 8),
        ("Left out, CleanClassifier, ... fit a plain LogisticRegression(max_iter=1000)", _plain_logistic_defaults),
    ],
    "docs/index.md": [("Dawid-Skene and twelve other methods", _twelve_other_methods)],
    "docs/aggregate.md": [
        ("Dawid-Skene beats the majority vote", _ds_beats_majority),
        ("and finds the weak annotators", _weak_annotators_found),
        ("the plain vote is fooled on many items and KOS and MMSR are not", _kos_mmsr_not_fooled),
    ],
}
