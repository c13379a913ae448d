"""What `reconciler init` wrote and what it left alone."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from reconciler.scaffold import Written


def report_init(root: Path, results: Sequence[Written]) -> None:
    for item in results:
        verb = "wrote" if item.written else "kept "
        note = "" if item.written else "  (exists; left as it is)"
        click.echo(f"{verb} {item.path}{note}")
    wrote = sum(item.written for item in results)
    click.echo(
        f"{wrote} file{'s' if wrote != 1 else ''} written, {len(results) - wrote} kept in {root.resolve()}. "
        "Next: edit flows.d/example/order-processing.yaml, then `reconciler validate`."
    )
