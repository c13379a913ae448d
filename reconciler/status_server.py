"""`reconciler serve`: the status page live, read-only, on the standard library's threading
HTTP server. Four GET routes, each a fresh read of the store:

  /             the status page (with a Refresh header)
  /api/status   the status document (`reconciler status --format json`)
  /healthz      "ok" when the store answers, 503 otherwise
  /metrics      Prometheus text format

GET and HEAD only; every other method is 405. Nothing here writes to the store."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from reconciler import __version__
from reconciler.core.secrets import mask
from reconciler.core.status_report import StatusReport
from reconciler.errors import ReconcilerError
from reconciler.reporters.metrics import CONTENT_TYPE, metrics_text
from reconciler.reporters.status import render_status
from reconciler.reporters.status_html import CONTENT_SECURITY_POLICY, status_html

ALLOWED = "GET, HEAD"
ROUTES = ("/", "/api/status", "/healthz", "/metrics")


class StatusServer(ThreadingHTTPServer):
    """`read` builds a report from a fresh store connection; `ping` checks the store."""

    daemon_threads = True  # a slow client never holds up Ctrl-C

    def __init__(
        self,
        address: tuple[str, int],
        *,
        read: Callable[[], StatusReport],
        ping: Callable[[], None],
        refresh_seconds: int,
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.read = read
        self.ping = ping
        self.refresh_seconds = refresh_seconds
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: StatusServer
    server_version = f"flow-reconciler/{__version__}"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def __getattr__(self, name: str) -> Any:
        # The base class looks up do_<METHOD> for whatever method a client sends: every
        # method but GET and HEAD gets 405 (not 501), the page being read-only.
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        self._send(
            HTTPStatus.METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            b"read-only: only GET and HEAD\n",
            send_body=True,
            extra={"Allow": ALLOWED},
        )

    def _answer(self, *, send_body: bool) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path not in ROUTES and path != "/index.html":
            self._send(
                HTTPStatus.NOT_FOUND,
                "text/plain; charset=utf-8",
                ("not found; try " + ", ".join(ROUTES) + "\n").encode(),
                send_body=send_body,
            )
            return
        try:
            if path == "/healthz":
                self.server.ping()
                status, ctype, body = HTTPStatus.OK, "text/plain; charset=utf-8", b"ok\n"
            else:
                status, ctype, body = HTTPStatus.OK, *self._render(path, self.server.read())
        except Exception as exc:  # the store is down or a read failed: say so, keep serving
            message = mask(
                exc.message if isinstance(exc, ReconcilerError) else f"{type(exc).__name__}: {exc}"
            )
            self.log_error("cannot read the store: %s", message)
            status, ctype = HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8"
            body = f"store unavailable: {message}\n".encode()
        extra = (
            {"Refresh": str(self.server.refresh_seconds)} if path in ("/", "/index.html") else {}
        )
        self._send(status, ctype, body, send_body=send_body, extra=extra if status == 200 else {})

    def _render(self, path: str, report: StatusReport) -> tuple[str, bytes]:
        if path == "/api/status":
            return "application/json; charset=utf-8", mask(render_status(report, "json")).encode()
        if path == "/metrics":
            return CONTENT_TYPE, mask(metrics_text(report).decode()).encode()

        page = status_html(report, refresh_seconds=self.server.refresh_seconds)
        return "text/html; charset=utf-8", mask(page).encode()

    def _send(
        self,
        status: HTTPStatus,
        ctype: str,
        body: bytes,
        *,
        send_body: bool,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        headers = {
            "Content-Type": ctype,
            "Content-Length": str(len(body)),
            "Cache-Control": "no-store",
            "Content-Security-Policy": CONTENT_SECURITY_POLICY + "; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            **(extra or {}),
        }
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(mask(f"{self.address_string()} - {format % args}\n"))
