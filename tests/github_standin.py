"""A local stand-in for the GitHub REST API over TLS (127.0.0.1, a trustme certificate):
the commit -> pull requests, reviews and team-members listings the approval lookup reads,
paginated with Link headers the way api.github.com paginates, a token check, and routes
that can be made to fail."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme

from tests.https_servers import server_context

PAGE = 2  # items per page, whatever per_page asks: every listing of more than 2 paginates


@dataclass
class GitHubData:
    token: str
    listings: dict[str, list[Any]] = field(default_factory=dict)  # path -> every item
    failing: dict[str, int] = field(default_factory=dict)  # path -> status to answer
    calls: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Authorization)


@contextmanager
def github_api(cert: trustme.LeafCert, data: GitHubData) -> Iterator[str]:
    """Serves `data`; yields the API base URL (what GITHUB_API_URL holds)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, code: int, payload: object, link: str | None = None) -> None:
            body = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if link:
                self.send_header("Link", link)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            data.calls.append((parts.path, self.headers.get("Authorization")))
            if self.headers.get("Authorization") != f"Bearer {data.token}":
                self._send(401, {"message": "Bad credentials"})
                return
            if parts.path in data.failing:
                self._send(data.failing[parts.path], {"message": "Server Error"})
                return
            if parts.path not in data.listings:
                self._send(404, {"message": "Not Found"})
                return
            items = data.listings[parts.path]
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            chunk = items[(page - 1) * PAGE : page * PAGE]
            link = None
            if page * PAGE < len(items):
                host = self.headers["Host"]
                link = f'<https://{host}{parts.path}?per_page=100&page={page + 1}>; rel="next"'
            self._send(200, chunk, link)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_context(cert).wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def review(login: str, state: str, at: str) -> dict[str, Any]:
    return {"user": {"login": login}, "state": state, "submitted_at": at}


def approval_data(token: str, sha: str, *, repo: str = "acme/flows") -> GitHubData:
    """A commit merged by pull request #7 (an open #9 also contains it), with reviews
    over three pages: alice (Orders' owner) approved and later asked for changes, erin (a
    member of @acme/billing, owner of Invoices) approved, a comment came last."""
    return GitHubData(
        token=token,
        listings={
            f"/repos/{repo}/commits/{sha}/pulls": [
                {"number": 9, "merged_at": None, "merge_commit_sha": None},
                {"number": 7, "merged_at": "2026-11-28T10:00:00Z", "merge_commit_sha": sha},
            ],
            f"/repos/{repo}/pulls/7/reviews": [
                review("alice", "APPROVED", "2026-11-28T09:00:00Z"),
                review("bob", "COMMENTED", "2026-11-28T09:10:00Z"),
                review("alice", "CHANGES_REQUESTED", "2026-11-28T09:20:00Z"),
                review("Erin", "APPROVED", "2026-11-28T09:30:00Z"),
                {"user": None, "state": "APPROVED", "submitted_at": "2026-11-28T09:40:00Z"},
                review("alice", "COMMENTED", "2026-11-28T09:50:00Z"),
            ],
            "/orgs/acme/teams/billing/members": [
                {"login": "frank"},
                {"login": "grace"},
                {"login": "erin"},
            ],
        },
    )
