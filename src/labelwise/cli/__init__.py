"""The ``labelwise`` command: a thin layer that parses options, calls the API and prints.

Each subcommand lives in its own module of this package and is registered in :data:`COMMANDS`,
which the group imports only when the command is used (``labelwise --help`` imports none). Any
:class:`~labelwise.errors.LabelwiseError` is printed as one line on stderr with exit status 2;
Ctrl-C prints one line and exits with status 130.
"""

from __future__ import annotations

import sys
import warnings
from typing import cast

import click

from ..errors import LabelwiseError
from ._lazy_commands import LazyCommands


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    from ._common import warning_wording

    click.echo(f"warning: {warning_wording(str(message))}", err=True)  # in the options' names (``renaming``)


class _LabelwiseGroup(click.Group):
    """A click group that turns labelwise errors into one line and exit status 2, Ctrl-C into 130."""

    def invoke(self, ctx: click.Context):  # noqa: D102
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except LabelwiseError as exc:  # a missing label says what its file holds (``NA`` read as missing)
            from ._common import cli_wording
            from ._na_values import explain_missing_label

            said = cli_wording(str(exc), {})  # the library's two-audience hints said for the command line
            click.echo(f"error: {explain_missing_label(said, ctx.meta)}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:  # click would print "Aborted!" and exit 1
            click.echo("interrupted: no file was half-written", err=True)
            sys.exit(130)  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's command listing, from each command's registered help: no command module is imported."""
        lazy = cast(LazyCommands, self.commands)
        commands = [(name, lazy.listing(name)) for name in self.list_commands(ctx)]
        commands = [(name, command) for name, command in commands if not command.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in commands])


#: Every subcommand: its name -> ("module:attribute" in this package, its one-line help, which
#: ``labelwise --help`` lists without importing the module). A new command is one module and one
#: entry here (keep sorted by name); a test checks each entry against its command.
COMMANDS: dict[str, tuple[str, str]] = {
    "aggregate": ("aggregate:aggregate", "Turn several annotators' answers in PATH into one label per item."),
    "aggregate-boxes": (
        "aggregate_boxes:aggregate_boxes",
        "Merge the boxes of BOXES (one row per box: image, annotator, x_min, y_min, x_max, y_max, label).",
    ),
    "aggregate-masks": (
        "aggregate_masks:aggregate_masks",
        "Combine the masks listed in TABLE (columns item, annotator, path; --item-column, --annotator-column and --path-column name others) into one mask per item.",
    ),
    "aggregate-numbers": (
        "aggregate_numbers:aggregate_numbers",
        "Aggregate the numeric answers in ANSWERS (one row per answer: item, annotator, value).",
    ),
    "aggregate-pairs": (
        "aggregate_pairs:aggregate_pairs",
        "Score the items compared in PAIRS (one row per comparison: two items and the winner).",
    ),
    "aggregate-tags": (
        "aggregate_tags:aggregate_tags",
        "Turn several annotators' tag sets in ANSWERS into one tag set per item.",
    ),
    "aggregate-texts": (
        "aggregate_texts:aggregate_texts",
        "Choose one text per item among the answers in ANSWERS (one row per answer: item, annotator, text).",
    ),
    "audit": ("audit:audit", "Find the examples in DATA (CSV, Parquet or JSON Lines) whose label is probably wrong."),
    "augment": ("augment:augment_command", "Augment DATA with the transformation functions in TFS, as --policy says."),
    "corrupt": (
        "corrupt:corrupt",
        "Write a copy of DATA with its --label column corrupted by --noise, and which rows changed.",
    ),
    "detect-poison": (
        "detect_poison:detect_poison",
        "Flag the rows of DATA whose representation looks poisoned, class by class.",
    ),
    "evaluate": (
        "evaluate:evaluate",
        "Score the models in PREDICTIONS (one .npy/.csv per model) on original and corrected test labels.",
    ),
    "export": (
        "export:export",
        "Write the original data of the audit in OUT_DIR with reviewed labels applied and excluded rows removed, plus a log of every change (<out>.changes.csv, a CSV's .csv dropped: clean.csv -> clean.changes.csv, clean.parquet -> clean.parquet.changes.csv).",
    ),
    "label-shift": (
        "shift:label_shift",
        "Familiarity of the evaluation label set to the training labels (offline character n-gram embedding).",
    ),
    "pseudolabel": (
        "pseudolabel:pseudolabel",
        "Pseudo-label the unlabeled rows of DATA by self-training a model on the labeled ones.",
    ),
    "rank-agreement": (
        "rank_agreement:rank_agreement",
        "Score every TREC run in RUN_DIR under two qrels files and compare the two system rankings.",
    ),
    "report": (
        "report:report",
        "Write OUT_DIR/report.html: label health, noise-matrix heatmap, issues per class, the most confused class pairs, label-quality distribution and the worst examples with previews (for an aggregation: per-annotator accuracy and confusion matrices, most disputed items; for the folders of aggregate-tags, -boxes, -masks, -numbers, -texts, -pairs and train-crowds: what was decided, each annotator's quality and the most contested items).",
    ),
    "review": (
        "review:review",
        "Serve the review page for the audit in OUT_DIR: worst examples first, keep / relabel / exclude with keyboard shortcuts.",
    ),
    "robustness": (
        "robustness:robustness",
        "Attack the training labels of DATA at several budgets and measure each defence.",
    ),
    "shift": ("shift:shift", "Estimate the class priors of the target data and adapt its probabilities to them."),
    "slices": ("slices:slices", "Apply the slicing functions in SFS to every row of DATA and score each slice."),
    "train": ("train:train", "Fit a model on DATA whose labels may be wrong: find the label issues, clean, refit."),
    "train-crowds": (
        "train_crowds:train_crowds",
        "Fit a model on DATA's features and the crowd's ANSWERS (item, annotator, label) together.",
    ),
    "train-tags": (
        "train_tags:train_tags",
        "Fit one model per tag on DATA whose tags may be missing or wrong: flag the noisy (row, tag) cells by confident learning, clean them, refit.",
    ),
    "weak": (
        "weak:weak",
        "Apply the labeling functions in LFS to every row of DATA, analyse them and fit a label model.",
    ),
}
# END OF SUBCOMMANDS


@click.group(
    cls=_LabelwiseGroup,
    commands=LazyCommands(__name__, COMMANDS),
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="labelwise")
def main() -> None:
    """labelwise: find wrong labels, aggregate annotators, stress-test and defend models."""
