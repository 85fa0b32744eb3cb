"""``labelwise report OUT_DIR``: write the self-contained HTML report of an audit or aggregation."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import StorageError
from ..io.paths import require_folder
from ._common import OutputFile, output_folder_problem, reading, renaming


@click.command("report")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    type=OutputFile(),
    default=None,
    help="Where to write the report [default: OUT_DIR/report.html].",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="Worst examples (or most contested items) to show on the page; 0: none.",
)
def report(out_dir: Path, out: Path | None, top: int) -> None:
    """Write OUT_DIR/report.html: label health, noise-matrix heatmap, issues per class, the most
    confused class pairs, label-quality distribution and the worst examples with previews (for an
    aggregation: per-annotator accuracy and confusion matrices, most disputed items; for the folders
    of aggregate-tags, -boxes, -masks, -numbers, -texts, -pairs and train-crowds: what was decided,
    each annotator's quality and the most contested items)."""
    from ..report import write_report

    folder = require_folder(out_dir, parameter="OUT_DIR", kind="output folder")
    problem = output_folder_problem(folder) if out is None else None
    if problem is not None:
        raise StorageError(f"OUT_DIR cannot hold report.html: {problem}; choose another file with --out")
    with reading("OUT_DIR"), renaming({"out": "--out", "out_dir": "OUT_DIR"}):
        path = write_report(folder, out=out, top=top)
    click.echo(f"wrote {path}")
