"""`reconciler requests ...`: resubmit/resume requests."""

from __future__ import annotations

import click

from reconciler.cli.dispatch import dispatch, status


@click.group("requests")
def requests() -> None:
    """Resubmit/resume requests: preview, dispatch, status."""


requests.add_command(dispatch)
requests.add_command(status)
