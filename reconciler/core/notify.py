"""Notifications (pure): what happened, as the body a chat webhook takes.

An event names the request or flow, the counts, the reason and a link to the workflow run.
Formats: `slack` (`{"text": ...}`, which Slack and many chat tools take), `teams` (a
message with an Adaptive Card, as Teams workflow webhooks take) and `json` (the event)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

EVENTS = (
    "completed",
    "completed_with_failures",
    "failed",
    "refused",
    "awaiting_approval",
    "breaker_open",
    "drift",
)
Format = Literal["slack", "teams", "json"]
_HEADLINES = {
    "completed": "completed",
    "completed_with_failures": "completed with failures",
    "failed": "failed",
    "refused": "was refused",
    "awaiting_approval": "is waiting for approval",
    "breaker_open": "stopped: the endpoint kept failing (circuit breaker open)",
    "drift": "drifted: the store was changed outside Git",
}


@dataclass(frozen=True)
class Event:
    kind: str  # one of EVENTS
    subject: str  # "request 2026-11-28-sap-outage" or "flow Order Processing"
    counts: Mapping[str, int] = field(default_factory=dict)  # e.g. delivered/failed runs
    reason: str | None = None
    link: str | None = None  # the workflow run

    def headline(self) -> str:
        return f"flow-reconciler: {self.subject} {_HEADLINES.get(self.kind, self.kind)}"

    def lines(self) -> list[str]:
        out = [self.headline()]
        if self.counts:
            out.append(", ".join(f"{n:,} {name}" for name, n in self.counts.items()))
        if self.reason:
            out.append(self.reason)
        if self.link:
            out.append(self.link)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.kind,
            "subject": self.subject,
            "counts": dict(self.counts),
            "reason": self.reason,
            "link": self.link,
        }


def payload(event: Event, fmt: Format) -> dict[str, Any]:
    if fmt == "json":
        return event.to_json()
    if fmt == "slack":
        return {"text": "\n".join(event.lines())}
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": event.headline(), "weight": "Bolder", "wrap": True}
    ]
    body += [{"type": "TextBlock", "text": line, "wrap": True} for line in event.lines()[1:]]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": body,
                },
            }
        ],
    }


def drift_event(flows: list[tuple[str, str | None, str | None]], link: str | None) -> Event | None:
    """One event for the flows an apply found changed outside Git and restored:
    (name, who changed it, when) each, as the plan knows them."""
    if not flows:
        return None
    names = [name for name, _, _ in flows]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    subject = f"flow {names[0]}" if len(names) == 1 else f"{len(names)} flows ({shown})"
    who = [f"{name}: by {by or 'unknown'} at {at or 'unknown'}" for name, by, at in flows[:5]]
    reason = "changed outside Git, restored by apply (" + "; ".join(who) + ")"
    return Event("drift", subject, {"restored": len(names)}, reason, link)


def run_link(environ: Mapping[str, str]) -> str | None:
    """The GitHub Actions run that is sending, from its standard variables."""
    server, repo, run = (
        environ.get("GITHUB_SERVER_URL"),
        environ.get("GITHUB_REPOSITORY"),
        environ.get("GITHUB_RUN_ID"),
    )
    return f"{server.rstrip('/')}/{repo}/actions/runs/{run}" if server and repo and run else None
