"""``labelwise aggregate``'s handling of the answers it read: model answers written several ways
(``--normalize-answers`` or a notice), model answers parsed to the final answer they give
(``--parse-answers``, ``--unparsed``), and unsure answers (``--unsure``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .._heavy import pandas as pd
from ..errors import InvalidParameterError
from ..weak._answer_names import ANSWER_PARSER_NAMES, UNPARSED_POLICIES
from ._common import option_given

#: ``--normalize-answers``: vote on each text answer's normal form (``labelwise.weak._answer_forms``).
normalize_option = click.option(
    "--normalize-answers",
    is_flag=True,
    help="Vote on each text answer's normal form: stripped, casefolded, without a leading 'Answer:' and "
    "surrounding quotes, brackets and punctuation ('B.', '(B)', 'Answer: B' and ' b ' are all 'b'), as "
    "self-consistency parses a model's answers before the vote; --classes and --unsure name normal forms.",
)


#: ``--normalize-answers``, ``--parse-answers`` and ``--unparsed``: how the command reads model answers.
parse_options = (
    click.option(
        "--parse-answers",
        type=click.Choice(list(ANSWER_PARSER_NAMES)),
        default=None,
        help="Vote on the final answer each model answer gives, parsed out of its text as self-consistency does: "
        "multiple-choice (the option letter: 'The answer is B because ...', '**B**', 'Final answer: (B)', "
        "'B) Paris' are B), number (one spelling: '\\boxed{42}', '#### 42', 'The answer is 42.' are 42), "
        "last-line (the last line's normal form). Answers it cannot parse are counted, named and --unparsed.",
    ),
    click.option(
        "--unparsed",
        type=click.Choice(list(UNPARSED_POLICIES)),
        default="keep",
        show_default=True,
        help="With --parse-answers: keep an answer it cannot parse as written (a class of its own), or drop it.",
    ),
)


def answer_options(function: Any) -> Any:
    """The command's options about reading model answers: --normalize-answers, --parse-answers, --unparsed."""
    for option in (*reversed(parse_options), normalize_option):
        function = option(function)
    return function


def check_reading(normalize: bool, parser: str | None, unparsed: str, path: Any, scheduler: str | None) -> None:
    """Refuse --unparsed without --parse-answers, both readings of the answers at once, and either for a
    Parquet directory (aggregated at scale without rewriting the answers)."""
    if option_given("unparsed") and parser is None:
        raise InvalidParameterError(
            f"--unparsed {unparsed} needs --parse-answers (the parser whose failures it handles)"
        )
    if normalize and parser is not None:
        raise InvalidParameterError(
            f"--normalize-answers and --parse-answers {parser} are two readings of the answers: pass one "
            "(--parse-answers last-line ends in the normal form)"
        )
    option = "--normalize-answers" if normalize else f"--parse-answers {parser}" if parser else None
    if option and (scheduler is not None or (path is not None and Path(path).is_dir())):
        raise InvalidParameterError(
            f"{option} rewrites the answers in memory and not a Parquet directory's (PATH {str(path)!r}"
            + (f", --scheduler {scheduler}" if scheduler is not None else "")
            + "): write the parsed or normal forms into the files, or aggregate a single file without --scheduler"
        )


def answer_forms(
    answers: pd.DataFrame, normalize: bool, parser: str | None = None, unparsed: str = "keep"
) -> tuple[pd.DataFrame, str | None, dict[str, Any]]:
    """The answers as the command votes on them, a notice, and summary.json's ``read`` fields about it.

    With ``parser``, each answer parsed (:mod:`labelwise.weak._answer_parsers`), those it cannot
    read kept or dropped by ``unparsed`` and named in the notice; with ``normalize``, each text label
    in its normal form; else as read, and a notice naming the labels the normal-form rule would make
    one where two differ by more than case and spaces (None when none: the command's look-alike
    notice names those).
    """
    from ..weak._answer_forms import answer_forms_notice, normalize_answers

    if parser is not None:
        return _parsed(answers, parser, unparsed)
    if not normalize:
        notice = answer_forms_notice(answers["label"], "the answers", "pass --normalize-answers", beyond_case=True)
        return answers, notice, {"n_answers_normalized": 0}
    normal = normalize_answers(answers["label"])
    texts = answers["label"].map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    changed = int((texts & (normal.to_numpy(dtype=object) != answers["label"].to_numpy(dtype=object))).sum())
    return answers.assign(label=normal), None, {"n_answers_normalized": changed}


def _parsed(answers: pd.DataFrame, parser: str, unparsed: str) -> tuple[pd.DataFrame, str | None, dict[str, Any]]:
    """``answer_forms`` with ``--parse-answers``: the parsed answers, the unparsed ones' notice and counts."""
    from ..weak._answer_parsers import parse_answer_values

    parsed = parse_answer_values(answers["label"], parser, parameter="--parse-answers")
    other = "pass --unparsed drop to leave them out of the vote" if unparsed == "keep" else "--unparsed keep keeps them"
    notice = parsed.notice("answers", unparsed, other)
    out = answers.assign(label=parsed.values)
    lost: list[str] = []
    if unparsed == "drop":
        out = out[~parsed.unparsed].reset_index(drop=True)
        lost = sorted(map(str, set(pd.unique(answers["item"])) - set(pd.unique(out["item"]))))
        if out.empty:
            raise InvalidParameterError(
                f"--parse-answers {parser} could parse none of the {len(answers)} answers, and --unparsed drop "
                f"leaves nothing to aggregate: {notice}"
            )
    if lost and notice is not None:
        notice += f"; {len(lost)} item(s) had no parsed answer and get no label: {', '.join(lost[:5])}"
        notice += ", ..." if len(lost) > 5 else ""
    read = {"n_answers_parsed": int((~parsed.unparsed).sum()), "n_answers_unparsed": int(parsed.unparsed.sum())}
    return out, notice, {**read, "n_answers_changed_by_parsing": parsed.n_changed, "items_without_parsed_answers": lost}


def reading_said(read: dict[str, Any], normalize: bool) -> str:
    """The screen's words on how the answers were read: parsed or normalized counts (empty when neither)."""
    if "n_answers_parsed" in read:
        return f"; {read['n_answers_parsed']} answer(s) parsed, {read['n_answers_unparsed']} not"
    return (
        f"; {read['n_answers_normalized']} answer(s) normalized" if normalize and "n_answers_normalized" in read else ""
    )


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
