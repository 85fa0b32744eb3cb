"""``labelwise aggregate``'s handling of the answers it read: model answers written several ways
(``--normalize-answers`` or a notice), and unsure answers (``--unsure``)."""

from __future__ import annotations

from typing import Any

import click

from .._heavy import pandas as pd
from ..errors import InvalidParameterError

#: ``--normalize-answers``: vote on each text answer's normal form (``labelwise.weak._answer_forms``).
normalize_option = click.option(
    "--normalize-answers",
    is_flag=True,
    help="Vote on each text answer's normal form: stripped, casefolded, without a leading 'Answer:' and "
    "surrounding quotes, brackets and punctuation ('B.', '(B)', 'Answer: B' and ' b ' are all 'b'), as "
    "self-consistency parses a model's answers before the vote; --classes and --unsure name normal forms.",
)


def answer_forms(answers: pd.DataFrame, normalize: bool) -> tuple[pd.DataFrame, str | None, int]:
    """The answers with each text label in its normal form when ``normalize``, else as read and a notice
    naming the labels the rule would make one where two differ by more than case and spaces (None when
    none: the command's look-alike notice names those); and how many answers the rule changed."""
    from ..weak._answer_forms import answer_forms_notice, normalize_answers

    if not normalize:
        notice = answer_forms_notice(answers["label"], "the answers", "pass --normalize-answers", beyond_case=True)
        return answers, notice, 0
    normal = normalize_answers(answers["label"])
    texts = answers["label"].map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    changed = int((texts & (normal.to_numpy(dtype=object) != answers["label"].to_numpy(dtype=object))).sum())
    return answers.assign(label=normal), None, changed


def unsure_answers(answers: pd.DataFrame, value: Any, policy: str, unsure: str) -> Any:
    """``apply_uncertain_policy`` with its errors about the class to map to told in the options' words.

    The API names its ``negative`` / ``positive`` parameters, which the command line does not have:
    ``zeros`` and ``ones`` map unsure answers to 0 and 1, so they need 0/1 labels besides ``--unsure``.
    """
    from .. import aggregate as aggregate_api

    try:
        return aggregate_api.apply_uncertain_policy(answers, value, policy)
    except InvalidParameterError as exc:
        if not str(exc).startswith(("negative ", "positive ")):
            raise
        others = pd.unique(answers["label"][answers["label"] != value])
        target = 0 if policy == "zeros" else 1
        raise InvalidParameterError(
            f"--unsure-policy {policy} maps the --unsure answers ({unsure!r}) to {target}, so the other labels must "
            f"be 0/1 and not {unsure!r}; got {sorted(map(str, others))[:10]} (use --unsure-policy ignore or class)"
        ) from exc
