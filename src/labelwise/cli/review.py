"""``labelwise review OUT_DIR``: a local web page to decide on the flagged examples."""

from __future__ import annotations

from pathlib import Path

import click

from ..io.paths import require_folder
from ._common import reading, renaming


@click.command("review")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind. Only loopback addresses unless --allow-remote is given.",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port (0 picks a free one)."
)
@click.option(
    "--allow-remote",
    is_flag=True,
    default=False,
    help="Allow binding a non-loopback address (the page has no login: anyone who reaches it can decide).",
)
@click.option("--reviewer", default=None, help="Reviewer name recorded with each decision [default: your user name].")
def review(out_dir: Path, host: str, port: int, allow_remote: bool, reviewer: str | None) -> None:
    """Serve the review page for the audit in OUT_DIR: worst examples first, keep / relabel /
    exclude with keyboard shortcuts. Decisions are saved in OUT_DIR/review.sqlite as you go;
    `labelwise export OUT_DIR --out cleaned.csv` applies them.

    OUT_DIR may also be a `labelwise aggregate` folder: its items least certain first, each with
    every annotator's answer and estimated accuracy; the export is its labels.csv, corrected. An
    `aggregate-tags` folder's tag sets are kept, set (a checkbox per tag) or excluded."""
    from ..review.server import is_loopback, prepare_server

    if allow_remote and not is_loopback(host):
        click.echo(
            f"warning: binding {host}: anyone who can reach this address can see the data and change "
            "decisions (the review page has no login)",
            err=True,
        )
    with reading("OUT_DIR"), renaming({"host": "--host", "port": "--port"}):
        server = prepare_server(
            require_folder(out_dir, parameter="OUT_DIR", kind="output folder"),
            host=host,
            port=port,
            allow_remote=allow_remote,
            reviewer=reviewer,
        )
    click.echo(f"labelwise review: {server.url}")
    click.echo(f"decisions are saved in {Path(out_dir).resolve() / 'review.sqlite'}; press Ctrl-C to stop")
    try:
        server.run()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        pass
