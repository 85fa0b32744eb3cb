"""The ``--out`` folder of every command that writes one, and its ``--force``: never over an earlier run.

A command never overwrites a user's file. Each write is atomic (a temporary file, then a
rename), but a second run into the same folder used to replace the first run's files silently,
and a run with other options could leave a mix of both runs' files (a file the first run wrote
and the second does not). So, as ``export`` and ``report`` do for their files:

- a folder holding any file the command may write (its :data:`OUTPUTS` names) is refused before
  any work, naming those files, unless ``--force``;
- with ``--force`` the run replaces them, and removes those of its names that the earlier run
  wrote and this run does not write. Only files (or folders, ``issues.parquet``) bearing one of
  the command's output names are removed, only when the folder held an earlier run's
  ``summary.json`` (every command here writes one: without it the files are the user's, which
  ``--force`` lets the run overwrite but never deletes), and never a file the command was given
  as an input (nor a folder holding one).

One mechanism does the removal: :func:`claim` finds those earlier outputs before the run and the
decorator hands them to the command as ``superseded``; the command's writer passes them to
:func:`~labelwise.io.files_together` as ``supersedes``, which removes those the run did not write
right after its files are moved into place, as part of the same group. So a run that fails (or is
interrupted) before its files are in place removes nothing of the earlier run.

``report.html`` (written by ``labelwise report``) describes the files of one run: when the folder
held an earlier run, a labelwise ``report.html`` is superseded with that run's outputs, and a user's
file of that name is kept (:mod:`labelwise.cli._stale_report`). ``review.sqlite`` (a person's review
decisions) is never removed. After a run that removed files, one notice names them and, when the
report was one of them, says that ``labelwise report OUT`` writes this run's.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import click

from ..errors import InvalidParameterError
from ..io.output_sets import AGGREGATE_OUTPUTS, AUDIT_OUTPUTS, earlier_outputs
from ._common import OutputFolder, console, plain
from ._stale_report import earlier_report, removed_notice

#: The files ``aggregate --demo`` writes before aggregating them (its inputs), outside the outputs' group.
AGGREGATE_DEMO_FILES = ("answers.csv", "gold.csv", "demo.csv")
#: The files each command may write in its ``--out`` folder (``aggregate --demo``'s inputs included:
#: they are written there too); a callable gets the command's options.
OUTPUTS: Mapping[str, tuple[str, ...] | Callable[[Mapping[str, Any]], tuple[str, ...]]] = {
    "audit": AUDIT_OUTPUTS,  # --demo's data.csv: refused by the demo itself unless an earlier demo wrote it
    "aggregate": lambda options: AGGREGATE_OUTPUTS + (AGGREGATE_DEMO_FILES if options.get("demo") else ()),
    "aggregate-pairs": ("scores.csv", "annotators.csv", "summary.json"),
    "aggregate-numbers": ("values.csv", "annotators.csv", "summary.json"),
    "aggregate-tags": ("labels.csv", "probs.csv", "annotators.csv", "summary.json"),
    "aggregate-texts": ("texts.csv", "annotators.csv", "summary.json"),
    "weak": ("labels.csv", "votes.csv", "analysis.csv", "labelers.json", "summary.json"),
    "evaluate": ("table.csv", "curve.csv", "crossovers.csv", "summary.json", "evaluation.html"),
    "robustness": ("robustness.csv", "robustness.png", "summary.json"),
    "detect-poison": ("flags.csv", "classes.csv", "sources.csv", "summary.json"),
    "train": ("model.joblib", "issues.csv", "transition.csv", "summary.json"),
    "train-crowds": ("model.joblib", "soft_labels.csv", "confusions.csv", "summary.json"),
    "train-tags": ("model.joblib", "issues.csv", "classes.csv", "summary.json"),
    "pseudolabel": (  # the table in DATA's format (pseudolabel.OUTPUT_TABLES)
        "pseudolabeled.csv",
        "pseudolabeled.tsv",
        "pseudolabeled.parquet",
        "pseudolabeled.jsonl",
        "summary.json",
        "model.joblib",
    ),
    "shift": ("priors.csv", "adapted_probs.npy", "summary.json"),
    "label-shift": ("familiarity.csv", "summary.json"),
    "aggregate-masks": ("masks", "items.csv", "annotators.csv", "summary.json"),
    "aggregate-boxes": ("boxes.csv", "annotators.csv", "boxes.coco.json", "summary.json"),
    "slices": ("slices.csv", "membership.parquet", "summary.json"),
    "augment": ("augmented.csv", "augmented.tsv", "augmented.parquet", "augmented.jsonl", "summary.json"),
    "rank-agreement": (
        "agreement.csv",
        "systems.csv",
        "topics_a.csv",
        "topics_b.csv",
        "summary.json",
        "agreement.html",
    ),
}

FORCE_HELP = (
    "Write into an --out folder that holds earlier outputs: replace them, and remove the earlier run's "
    "outputs this run does not write and its labelwise report.html (without it such a folder is refused)."
)


def out_folder(
    command: str,
    default: Path,
    help_text: str = "Output folder.",
    *,
    rewrites: Mapping[str, str] | None = None,
) -> Callable[[Callable], Callable]:
    """The ``--out`` and ``--force`` options of ``command`` (a key of :data:`OUTPUTS`), and the check.

    The decorated function gets ``out`` (not ``force``) and ``superseded``: before it runs,
    :func:`refuse_overwritten_inputs` refuses, even with ``--force``, an input of the run that
    lies where the run writes one of its :data:`OUTPUTS` (``audit data/issues.csv --out data``: the
    audit's ``issues.csv`` would replace the table it reads), except an input of the option that
    ``rewrites`` maps that name to (``probs.npy`` given as ``--probs``: written back as read);
    then :func:`claim` refuses a folder holding the command's outputs without ``--force``, else
    finds the earlier run's outputs that the command's writer passes to
    :func:`~labelwise.io.files_together` as ``supersedes``.
    """
    if command not in OUTPUTS:
        raise InvalidParameterError(f"command must be one of {sorted(OUTPUTS)}, got {command!r}")

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def run(*args: Any, **options: Any) -> Any:
            force = options.pop("force")
            names = _names(command, options)
            refuse_overwritten_inputs(Path(options["out"]), names, options, rewrites or {})
            out, inputs = Path(options["out"]), _inputs(options)
            superseded = claim(out, names, force=force, inputs=inputs)
            superseded += earlier_report(out, superseded, inputs)  # it describes the run these files replace
            result = function(*args, superseded=superseded, **options)
            notice = removed_notice(out, superseded)
            if notice is not None and not options.get("quiet"):
                console().print(plain(notice))
            return result

        run = click.option("--force", is_flag=True, default=False, help=FORCE_HELP)(run)
        return click.option("--out", type=OutputFolder(), default=default, show_default=True, help=help_text)(run)

    return decorate


def _names(command: str, options: Mapping[str, Any]) -> tuple[str, ...]:
    names = OUTPUTS[command]
    return names(options) if callable(names) else names


def claim(out: Path, names: tuple[str, ...], *, force: bool, inputs: AbstractSet[Path] = frozenset()) -> list[Path]:
    """Refuse ``out`` when it holds any of ``names`` and ``force`` is off; else the earlier run's
    outputs that this run's files supersede: those of ``names`` in ``out`` when it holds
    ``summary.json`` (:func:`~labelwise.io.output_sets.earlier_outputs`), less ``inputs`` (resolved
    paths) and any folder holding one of them.

    Raises
    ------
    InvalidParameterError
        ``out`` holds files of ``names`` and ``force`` is False.
    """
    present = [out / name for name in names if (out / name).exists()]  # issues.parquet may be a folder
    if present and not force:
        shown = ", ".join(p.name for p in present[:6]) + (", ..." if len(present) > 6 else "")
        raise InvalidParameterError(
            f"--out {str(out)!r} must not hold earlier outputs, got {shown}: pass --force to replace them "
            "(the earlier run's outputs this run does not write are then removed), or choose another folder"
        )
    return [p for p in earlier_outputs(out, names) if not any(_within(i, p.resolve()) for i in inputs)]


def refuse_overwritten_inputs(
    out: Path, writes: tuple[str, ...], options: Mapping[str, Any], rewrites: Mapping[str, str]
) -> None:
    """Refuse a run whose outputs ``writes`` in ``out`` would replace one of its inputs (or a file inside
    one, for an output folder such as ``issues.parquet``), ``--force`` or not: the user's file would be
    lost and the run's ``settings`` would name a file that no longer holds the data.

    Raises
    ------
    InvalidParameterError
        An input path among ``options`` is (or lies inside) ``out / name`` for a name of ``writes``,
        unless ``rewrites[name]`` is that input's option.
    """
    for key, path in _input_options(options):
        for name in writes:
            target = out / name
            try:
                clash = _within(path, target.resolve())
            except (OSError, RuntimeError, ValueError):
                continue
            if clash and rewrites.get(name) != key:
                raise InvalidParameterError(
                    f"--out {str(out)!r} is where the run writes {name}, which would replace its input "
                    f"{_option_name(key)} ({str(path)!r}); choose another --out (nothing was changed)"
                )


def _option_name(key: str) -> str:
    """How the user wrote the option ``key`` (``DATA``, ``--probs``), from the running command."""
    ctx = click.get_current_context(silent=True)
    for param in ctx.command.params if ctx is not None else ():
        if param.name == key:
            return param.human_readable_name if isinstance(param, click.Argument) else param.opts[0]
    return key


def _input_options(options: Mapping[str, Any]) -> list[tuple[str, Path]]:
    """The path options (DATA, --probs, --features...: click gives them as paths; an argument of several
    files as a tuple of paths) as (option, path) pairs, resolved; not ``--out``, nor text options such
    as a column name."""
    paths = []
    for key, value in options.items():
        for one in value if isinstance(value, tuple | list) else [value]:
            if key != "out" and isinstance(one, os.PathLike):
                try:
                    paths.append((key, Path(one).resolve()))
                except (OSError, RuntimeError, ValueError):
                    continue
    return paths


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _inputs(options: Mapping[str, Any]) -> set[Path]:
    """Every path among the options (DATA, --probs, --labels...): never removed, whatever its name."""
    paths = set()
    values = [v for value in options.values() for v in (value if isinstance(value, tuple | list) else [value])]
    for value in values:
        if isinstance(value, str | os.PathLike):
            try:
                paths.add(Path(value).resolve())
            except (OSError, RuntimeError, ValueError):
                continue
    return paths
