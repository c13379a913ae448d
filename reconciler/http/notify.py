"""Sending notifications: each `notify:` entry of reconciler.yaml whose `on:` names the
event gets the event's body (core/notify.py) POSTed to the webhook URL read from its
environment variable, through the SSRF guard.

A webhook URL is a secret (it alone lets anyone post to the channel): it is registered with
the masker as soon as it is read, and outcomes name the entry by its variable, never by the
URL. Sending is bounded -- a short timeout for the whole request, a few attempts for what
is worth retrying -- and never raises: an unreachable hook is an outcome to report, not a
reason to fail the dispatch or the apply that is telling about itself."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import httpx

from reconciler.core.notify import Event, payload
from reconciler.core.retry import Verdict
from reconciler.core.secrets import MASKER, mask
from reconciler.http.attempt import answered_attempt, failed_attempt
from reconciler.http.exchange import BoundedClient
from reconciler.http.guard import AsyncResolver
from reconciler.http.settings import NetworkSettings
from reconciler.models.config import Notification

SECRET_PART = 12  # a path segment or query value at least this long may be the key
TIMEOUT = 5.0  # seconds for one whole attempt
ATTEMPTS = 3
BACKOFF = (0.5, 1.0)  # seconds before the 2nd and the 3rd attempt


@dataclass(frozen=True)
class NotifyOutcome:
    target: str  # "notify[0] (env SLACK_WEBHOOK_URL)": never the URL
    event: str
    sent: bool
    detail: str  # "HTTP 200", or why it was not delivered (masked)
    attempts: int

    def describe(self) -> str:
        verdict = "sent" if self.sent else "NOT sent"
        return f"{self.event} notification to {self.target}: {verdict} ({self.detail})"


def hide_url(url: str) -> None:
    """Register the URL with the masker, and the parts of it that carry its key (Slack's
    and Teams' hooks keep it in path segments or a `sig` query value): a receiver that
    echoes only a part is masked too."""
    MASKER.add(url)
    parts = urlsplit(url)
    MASKER.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    pieces = parts.path.split("/") + [value for _, value in parse_qsl(parts.query)]
    for piece in pieces:
        if len(piece) >= SECRET_PART:
            MASKER.add(piece)


def wanted(entries: Sequence[Notification], kind: str) -> list[tuple[int, Notification]]:
    return [(i, entry) for i, entry in enumerate(entries) if kind in entry.on]


async def _post(client: BoundedClient, url: str, body: bytes) -> tuple[bool, str, int]:
    detail = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            reply = await client.send(
                "POST", url, headers={"Content-Type": "application/json"}, content=body
            )
            outcome = answered_attempt(reply)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            outcome = failed_attempt(exc)
        if outcome.verdict is Verdict.DELIVERED:
            return True, outcome.reason, attempt
        detail = outcome.reason
        if outcome.verdict is not Verdict.RETRY or outcome.fatal or attempt == ATTEMPTS:
            return False, detail, attempt
        await asyncio.sleep(BACKOFF[attempt - 1])
    return False, detail, ATTEMPTS


async def notify_async(
    entries: Sequence[Notification],
    event: Event,
    environ: Mapping[str, str],
    network: NetworkSettings,
    *,
    resolver: AsyncResolver | None = None,
) -> list[NotifyOutcome]:
    """Send `event` to every entry that wants it, all at once; one outcome per entry."""
    chosen = wanted(entries, event.kind)
    if not chosen:
        return []
    urls: dict[int, str] = {}
    outcomes: dict[int, NotifyOutcome] = {}
    for i, entry in chosen:
        target = f"notify[{i}] (env {entry.urlFrom.env})"
        url = environ.get(entry.urlFrom.env, "")
        if not url:
            state = "empty" if entry.urlFrom.env in environ else "not set"
            outcomes[i] = NotifyOutcome(
                target, event.kind, False, f"{entry.urlFrom.env} is {state}", 0
            )
            continue
        hide_url(url)
        urls[i] = url
    async with BoundedClient(
        network, connections=max(1, len(urls)), timeout=TIMEOUT, read_limit=4096, resolver=resolver
    ) as client:

        async def one(i: int, entry: Notification) -> None:
            body = json.dumps(payload(event, entry.format)).encode("utf-8")
            sent, detail, attempts = await _post(client, urls[i], body)
            target = f"notify[{i}] (env {entry.urlFrom.env})"
            outcomes[i] = NotifyOutcome(target, event.kind, sent, mask(detail), attempts)

        await asyncio.gather(*(one(i, entry) for i, entry in chosen if i in urls))
    return [outcomes[i] for i, _ in chosen]


def notify(
    entries: Sequence[Notification],
    event: Event,
    environ: Mapping[str, str],
    network: NetworkSettings,
) -> list[NotifyOutcome]:
    """notify_async from blocking code (the end of a dispatch, an apply)."""
    if not wanted(entries, event.kind):
        return []
    return asyncio.run(notify_async(entries, event, environ, network))
