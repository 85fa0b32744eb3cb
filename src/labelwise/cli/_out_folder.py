"""The ``--out`` folder of every command that writes one, and its ``--force``: never over an earlier run.

A command never overwrites a user's file. Each write is atomic (a temporary file, then a
rename), but a second run into the same folder used to replace the first run's files silently,
and a run with other options could leave a mix of both runs' files (a file the first run wrote
and the second does not). So, as ``export`` and ``report`` do for their files:

- a folder holding any file the command may write (its :data:`OUTPUTS` names) is refused before
  any work, naming those files, unless ``--force``;
- with ``--force`` the run replaces them, and once it has finished, removes those of its names
  that the earlier run wrote and this run did not rewrite. Only files bearing one of the
  command's output names are removed, only when the folder held an earlier run's
  ``summary.json`` (every command here writes one: without it the files are the user's, which
  ``--force`` lets the run overwrite but never deletes), and never a file the command was given
  as an input. A file is taken as rewritten when it is no longer the same file (the atomic
  rename gives it a new inode) or its modification time changed.

``review.sqlite`` (the review's decisions) and ``report.html`` (also written by ``labelwise
report``) are not outputs of these commands: they are kept.
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
from ._common import OutputFolder

#: The files each command may write in its ``--out`` folder (``aggregate --demo``'s inputs included:
#: they are written there too); a callable gets the command's options.
OUTPUTS: Mapping[str, tuple[str, ...] | Callable[[Mapping[str, Any]], tuple[str, ...]]] = {
    "audit": AUDIT_OUTPUTS,  # --demo's data.csv: refused by the demo itself unless an earlier demo wrote it
    "aggregate": lambda options: (
        AGGREGATE_OUTPUTS + (("answers.csv", "gold.csv", "demo.csv") if options.get("demo") else ())
    ),
    "weak": ("labels.csv", "votes.csv", "analysis.csv", "labelers.json", "summary.json"),
    "evaluate": ("table.csv", "curve.csv", "crossovers.csv", "summary.json", "evaluation.html"),
    "robustness": ("robustness.csv", "robustness.png", "summary.json"),
    "train": ("model.joblib", "issues.csv", "summary.json"),
    "pseudolabel": ("pseudolabeled.csv", "summary.json", "model.joblib"),
    "shift": ("priors.csv", "adapted_probs.npy", "summary.json"),
    "label-shift": ("familiarity.csv", "summary.json"),
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
    "outputs this run does not write (without it such a folder is refused)."
)


def out_folder(command: str, default: Path, help_text: str = "Output folder.") -> Callable[[Callable], Callable]:
    """The ``--out`` and ``--force`` options of ``command`` (a key of :data:`OUTPUTS`), and the check.

    The decorated function gets ``out`` (not ``force``); before it runs, :func:`claim` refuses a
    folder holding the command's outputs without ``--force``; after it returns, the earlier run's
    outputs it did not rewrite are removed (:func:`remove_left_over`).
    """
    if command not in OUTPUTS:
        raise InvalidParameterError(f"command must be one of {sorted(OUTPUTS)}, got {command!r}")

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def run(*args: Any, **options: Any) -> Any:
            force = options.pop("force")
            names = _names(command, options)
            earlier = claim(Path(options["out"]), names, force=force)
            result = function(*args, **options)
            remove_left_over(earlier, keep=_inputs(options))
            return result

        run = click.option("--force", is_flag=True, default=False, help=FORCE_HELP)(run)
        return click.option("--out", type=OutputFolder(), default=default, show_default=True, help=help_text)(run)

    return decorate


def _names(command: str, options: Mapping[str, Any]) -> tuple[str, ...]:
    names = OUTPUTS[command]
    return names(options) if callable(names) else names


def claim(out: Path, names: tuple[str, ...], *, force: bool) -> dict[Path, tuple[int, int, int]]:
    """Refuse ``out`` when it holds any of ``names`` and ``force`` is off; else the earlier run's
    outputs that may be removed after the run (none unless ``out`` holds ``summary.json``), each
    with its identity ``(device, inode, modification time)``.

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
    # a folder output (issues.parquet/) is its command's to replace
    return {p: _identity(p) for p in earlier_outputs(out, names) if p.is_file()}


def remove_left_over(
    earlier: Mapping[Path, tuple[int, int, int]], *, keep: AbstractSet[Path] = frozenset()
) -> list[Path]:
    """Remove the files of ``earlier`` (from :func:`claim`) that are still the same files, except ``keep``."""
    removed = []
    for path, identity in earlier.items():
        try:
            same = path.is_file() and _identity(path) == identity
        except OSError:
            continue
        if same and path.resolve() not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _identity(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_dev, st.st_ino, st.st_mtime_ns


def _inputs(options: Mapping[str, Any]) -> set[Path]:
    """Every path among the options (DATA, --probs, --labels...): never removed, whatever its name."""
    paths = set()
    for value in options.values():
        if isinstance(value, str | os.PathLike):
            try:
                paths.add(Path(value).resolve())
            except (OSError, RuntimeError, ValueError):
                continue
    return paths
