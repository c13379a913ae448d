"""A local HTTPS receiver standing in for a custom resubmit/resume endpoint.

Runs in its own process: `python receiver.py CERT KEY LOG [SIGNING_SECRET]`. Listens on
127.0.0.1 (a free port, printed as `port=N` on stdout), answers HEAD (what `reconciler
check` sends) and POST (what `requests dispatch` sends), and appends one JSON line per
request to LOG: method, path, run ids, Idempotency-Key, whether the Standard Webhooks
signature verified. Exits on SIGTERM, when its parent dies, or after 10 minutes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_LIFETIME_S = 600
SECRET_HEADERS = ("x-api-key", "authorization")


def verify_signature(secret: str, headers: Any, body: bytes) -> bool | None:
    """Standard Webhooks: base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}")) as `v1,<sig>`."""
    msg_id, stamp, signatures = (
        headers.get("webhook-id"),
        headers.get("webhook-timestamp"),
        headers.get("webhook-signature"),
    )
    if not (msg_id and stamp and signatures):
        return None
    # The secret as the Standard Webhooks libraries read it: whsec_ (optional), then
    # base64, padded or not.
    text = secret.strip().removeprefix("whsec_")
    key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    signed = f"{msg_id}.{stamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        part.startswith("v1,") and hmac.compare_digest(part[3:], expected)
        for part in signatures.split()
    )


def main() -> None:
    cert, key, log_path = sys.argv[1:4]
    secret = sys.argv[4] if len(sys.argv) > 4 else ""
    # "fail-first-post": answer the first POST 503 with Retry-After: 1 (a receiver that was
    # briefly down), to show a retried batch
    failures_left = [1 if "fail-first-post" in sys.argv[5:] else 0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _record(self, entry: dict[str, Any]) -> None:
            with lock, open(log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")

        def _reply(
            self, code: int, payload: bytes = b"", headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(code)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def do_HEAD(self) -> None:
            self._record({"method": "HEAD", "path": self.path})
            self._reply(200)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                runs = json.loads(body)
            except ValueError:
                self._record({"method": "POST", "path": self.path, "error": "not JSON"})
                self._reply(400, b'{"error": "not JSON"}')
                return
            with lock:
                fail = failures_left[0] > 0
                failures_left[0] -= fail
            self._record(
                {
                    "method": "POST",
                    "status": 503 if fail else 200,
                    "path": self.path,
                    "runs": [r.get("id") for r in runs] if isinstance(runs, list) else None,
                    "idempotencyKey": self.headers.get("Idempotency-Key"),
                    "contentType": self.headers.get("Content-Type"),
                    "userAgent": self.headers.get("User-Agent"),
                    # Header names only: the receiver does not echo secrets either.
                    "headers": sorted(h.lower() for h in self.headers),
                    "secretHeaders": {
                        h: hashlib.sha256(self.headers[h].encode()).hexdigest()[:12]
                        for h in SECRET_HEADERS
                        if self.headers.get(h)
                    },
                    "signatureValid": verify_signature(secret, self.headers, body)
                    if secret
                    else None,
                }
            )
            if fail:
                self._reply(503, b'{"error": "briefly unavailable"}', {"Retry-After": "1"})
                return
            self._reply(200, json.dumps({"accepted": len(runs)}).encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)

    parent = os.getppid()
    started = time.monotonic()

    def watchdog() -> None:
        # Never outlive the demo or the test that started us.
        while time.monotonic() - started < MAX_LIFETIME_S and os.getppid() == parent:
            time.sleep(0.5)
        server.shutdown()

    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    threading.Thread(target=watchdog, daemon=True).start()
    print(f"port={server.server_address[1]}", flush=True)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
