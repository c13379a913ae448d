"""`reconciler init [DIR]`: scaffold a config repository that validates at once."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.context import AppContext
from reconciler.reporters.init import report_init
from reconciler.scaffold import ACTION, SOURCE, scaffold, write_new


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--action",
    default=ACTION,
    show_default=True,
    metavar="OWNER/REPO@REF",
    help="The flow-reconciler action the workflows use.",
)
@click.option(
    "--source",
    default=SOURCE,
    show_default=True,
    metavar="URL",
    help="The repository the pre-commit hook comes from.",
)
@click.pass_obj
def init(app: AppContext, directory: Path | None, action: str, source: str) -> None:
    """Create a config repository in DIRECTORY (default: --repo): an example flow,
    requests.d/, reconciler.yaml, the schemas, .gitignore, pre-commit, the PR and apply
    workflows and CODEOWNERS. Never replaces a file that exists."""
    root = directory if directory is not None else app.root
    report_init(root, write_new(root, scaffold(action=action, source=source)))
