from __future__ import annotations

import click

from reconciler.cli.context import AppContext
from reconciler.store import open_store, redact_url
from reconciler.store.migrations import LATEST_VERSION


@click.group()
def store() -> None:
    """Flow store maintenance."""


@store.command()
@click.pass_obj
def migrate(app: AppContext) -> None:
    """Create or upgrade the store schema."""

    url = app.resolved_store_url()
    db = open_store(url, root=app.root, migrate=False)
    try:
        applied = db.migrate()
    finally:
        db.close()
    if applied:
        click.echo(f"migrated {redact_url(url)} to schema version {applied[-1]}")
    else:
        click.echo(f"{redact_url(url)} is at schema version {LATEST_VERSION}; nothing to do")
