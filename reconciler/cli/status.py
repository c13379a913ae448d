from __future__ import annotations

import click

from reconciler.cli.context import AppContext
from reconciler.reporters.common import format_option, resolve_format

FORMATS = ("text", "json", "markdown")


@click.command()
@format_option(*FORMATS)
@click.pass_obj
def status(app: AppContext, output_format: str | None) -> None:
    """Store summary: flows, drift and the last apply; endpoint health; open requests."""
    from reconciler.reporters.status import render_status
    from reconciler.store import redact_url
    from reconciler.store.status import collect

    store = app.open_store()
    try:
        sections = collect(store)
    finally:
        store.close()
    fmt = resolve_format(output_format, FORMATS)
    click.echo(render_status(redact_url(store.url), sections, fmt), nl=False)
