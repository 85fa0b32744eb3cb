"""The ``labelwise`` command: a thin layer that parses options, calls the API and prints.

Each subcommand lives in its own module of this package and is registered below. Any
:class:`~labelwise.errors.LabelwiseError` is printed as one line on stderr with exit status 2;
Ctrl-C prints one line and exits with status 130.
"""

from __future__ import annotations

import sys
import warnings

import click

from ..errors import LabelwiseError
from ._common import cli_wording, warning_wording
from ._na_values import explain_missing_label


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    click.echo(f"warning: {warning_wording(str(message))}", err=True)  # in the options' names (``renaming``)


class _LabelwiseGroup(click.Group):
    """A click group that turns labelwise errors into one line and exit status 2, Ctrl-C into 130."""

    def invoke(self, ctx: click.Context):  # noqa: D102
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except LabelwiseError as exc:  # a missing label says what its file holds (``NA`` read as missing)
            said = cli_wording(str(exc), {})  # the library's two-audience hints said for the command line
            click.echo(f"error: {explain_missing_label(said, ctx.meta)}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:  # click would print "Aborted!" and exit 1
            click.echo("interrupted: no file was half-written", err=True)
            sys.exit(130)  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C


@click.group(cls=_LabelwiseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="labelwise")
def main() -> None:
    """labelwise: find wrong labels, aggregate annotators, stress-test and defend models."""


# Subcommands: one import and one add_command per module (keep this block sorted by name).
from .audit import audit  # noqa: E402

main.add_command(audit)
from .report import report  # noqa: E402

main.add_command(report)
from .aggregate import aggregate  # noqa: E402

main.add_command(aggregate)
from .aggregate_boxes import aggregate_boxes  # noqa: E402

main.add_command(aggregate_boxes)
from .aggregate_masks import aggregate_masks  # noqa: E402

main.add_command(aggregate_masks)
from .aggregate_numbers import aggregate_numbers  # noqa: E402

main.add_command(aggregate_numbers)
from .aggregate_pairs import aggregate_pairs  # noqa: E402

main.add_command(aggregate_pairs)
from .aggregate_tags import aggregate_tags  # noqa: E402

main.add_command(aggregate_tags)
from .aggregate_texts import aggregate_texts  # noqa: E402

main.add_command(aggregate_texts)
from .corrupt import corrupt  # noqa: E402

main.add_command(corrupt)
from .detect_poison import detect_poison  # noqa: E402

main.add_command(detect_poison)
from .export import export  # noqa: E402

main.add_command(export)
from .review import review  # noqa: E402

main.add_command(review)
from .robustness import robustness  # noqa: E402

main.add_command(robustness)
from .pseudolabel import pseudolabel  # noqa: E402

main.add_command(pseudolabel)
from .train import train  # noqa: E402

main.add_command(train)
from .train_crowds import train_crowds  # noqa: E402

main.add_command(train_crowds)
from .train_tags import train_tags  # noqa: E402

main.add_command(train_tags)
from .weak import weak  # noqa: E402

main.add_command(weak)

from .evaluate import evaluate  # noqa: E402

main.add_command(evaluate)
from .rank_agreement import rank_agreement  # noqa: E402

main.add_command(rank_agreement)
from .shift import label_shift, shift  # noqa: E402

main.add_command(shift)
main.add_command(label_shift)
from .slices import slices  # noqa: E402

main.add_command(slices)
from .augment import augment_command  # noqa: E402

main.add_command(augment_command)
# END OF SUBCOMMANDS
