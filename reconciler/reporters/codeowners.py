from __future__ import annotations

import difflib

import click


def report_codeowners(
    *,
    block: str | None = None,
    path: str | None = None,
    current: str | None = None,
    wanted: str | None = None,
    written: bool | None = None,
) -> None:
    if block is not None:
        click.echo(block, nl=False)
    elif wanted is not None:  # --check
        if current == wanted:
            click.echo(f"{path} is current")
            return
        diff = difflib.unified_diff(
            (current or "").splitlines(keepends=True),
            wanted.splitlines(keepends=True),
            fromfile=f"{path} (committed)",
            tofile=f"{path} (from flows)",
        )
        click.echo("".join(diff), nl=False)
        click.echo(f"{path} is stale: run `reconciler codeowners` and commit it", err=True)
    else:
        click.echo(f"{'wrote' if written else 'unchanged:'} {path}")
