from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.context import AppContext
from reconciler.schemas import SCHEMAS, export_schemas, render_schema


@click.group()
def schema() -> None:
    """JSON Schemas generated from the models."""


@schema.command("export")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Target directory (default: schemas/ under the repo root).",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any schema is stale.")
@click.pass_obj
def export(app: AppContext, directory: Path | None, check: bool) -> None:
    """(Re)write schemas/*.json from the models."""

    target = directory or app.root / "schemas"
    if check:
        stale = [
            name
            for name in SCHEMAS
            if not (target / name).exists()
            or (target / name).read_text(encoding="utf-8") != render_schema(name)
        ]
        for name in stale:
            click.echo(f"stale: {target / name}")
        if stale:
            raise click.exceptions.Exit(1)
        click.echo("schemas are current")
        return
    changed = export_schemas(target)
    for path in changed:
        click.echo(f"wrote {path}")
    if not changed:
        click.echo("schemas are current")
