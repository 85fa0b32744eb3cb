"""``labelwise report OUT_DIR``: write the self-contained HTML report of an audit or aggregation."""

from __future__ import annotations

from pathlib import Path

import click

from ..io.paths import require_folder


@click.command("report")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the report [default: OUT_DIR/report.html].",
)
@click.option("--top", type=int, default=60, show_default=True, help="How many worst examples to show.")
def report(out_dir: Path, out: Path | None, top: int) -> None:
    """Write OUT_DIR/report.html: label health, noise-matrix heatmap, issues per class, the most
    confused class pairs, label-quality distribution and the worst examples with previews (for an
    aggregation: per-annotator accuracy and confusion matrices, most disputed items)."""
    from ..report import write_report

    path = write_report(require_folder(out_dir, parameter="OUT_DIR", kind="output folder"), out=out, top=top)
    click.echo(f"wrote {path}")
