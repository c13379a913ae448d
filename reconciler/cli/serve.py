"""`reconciler serve`: the status page live from the store, read-only."""

from __future__ import annotations

import ipaddress
import signal
from typing import TYPE_CHECKING

import click

from reconciler.cli.context import AppContext
from reconciler.core.statuses import StatusTable
from reconciler.load.requestnames import request_files
from reconciler.status_server import StatusServer
from reconciler.store import open_store, redact_url
from reconciler.store.status_report import read_status

if TYPE_CHECKING:
    from reconciler.core.status_report import StatusReport


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--refresh",
    "refresh_seconds",
    type=click.IntRange(1, 86400),
    default=30,
    show_default=True,
    help="Seconds between reloads of the page in the browser.",
)
@click.pass_obj
def serve(app: AppContext, host: str, port: int, refresh_seconds: int) -> None:
    """Serve the status page live from the store: GET / (the page), /api/status (the
    `status --format json` document), /healthz and /metrics (Prometheus). Read-only: any
    other method is 405. Loopback only unless --host says otherwise. Ctrl-C stops it."""

    url = app.resolved_store_url()
    statuses = StatusTable.from_config(app.config())
    app.open_store().close()  # create or upgrade it once; every request then only reads

    def read() -> StatusReport:
        store = open_store(url, root=app.root, migrate=False)
        try:
            return read_status(store, statuses, request_files=request_files(app.root))
        finally:
            store.close()

    def ping() -> None:
        store = open_store(url, root=app.root, migrate=False)
        try:
            store.schema_version()
        finally:
            store.close()

    if not is_loopback(host):
        click.echo(
            f"warning: serving on {host}, not a loopback address: anyone who can reach it "
            "can read the status page (flows, endpoints, requests, audit log)",
            err=True,
        )
    try:
        server = StatusServer((host, port), read=read, ping=ping, refresh_seconds=refresh_seconds)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from exc
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        f"serving the status page of {redact_url(url)} on http://{shown}:{server.server_port}/ "
        "(also /api/status, /healthz, /metrics); Ctrl-C stops",
        err=True,
    )
    # SIGTERM (a service manager, `kill`) stops it the way Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    click.echo("stopped", err=True)
