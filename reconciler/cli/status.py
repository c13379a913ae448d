from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.context import AppContext
from reconciler.core.statuses import StatusTable
from reconciler.load.requestnames import request_files
from reconciler.reporters.common import format_option, resolve_format
from reconciler.reporters.status import render_status
from reconciler.store.status_report import read_status

FORMATS = ("text", "json", "markdown", "github", "html")


@click.command()
@format_option(*FORMATS)
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write to FILE instead of stdout (e.g. the HTML page).",
)
@click.pass_obj
def status(app: AppContext, output_format: str | None, output: Path | None) -> None:
    """What needs attention first (failed, refused and waiting requests, unreachable or
    failing endpoints, drifted flows, the lock holder), then flows by folder, endpoint
    health, requests with their progress and replay outcomes. `--format html` is the
    self-contained status page."""

    fmt = resolve_format(output_format, FORMATS)
    statuses = StatusTable.from_config(app.config())
    store = app.open_store(readonly=True)
    try:
        report = read_status(store, statuses, request_files=request_files(app.root))
    finally:
        store.close()
    text = render_status(report, fmt)
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)
