"""Notification bodies: Slack text, a Teams Adaptive Card message, the event as JSON."""

from __future__ import annotations

from reconciler.core.notify import Event, payload, run_link

EVENT = Event(
    "completed_with_failures",
    "request 2026-11-28-sap-outage",
    {"delivered": 1900, "failed": 100},
    "HTTP 503 on batch 7",
    "https://github.com/acme/flows/actions/runs/42",
)


def test_each_format_names_the_subject_counts_reason_and_link() -> None:
    slack = payload(EVENT, "slack")
    assert slack == {
        "text": "flow-reconciler: request 2026-11-28-sap-outage completed with failures\n"
        "1,900 delivered, 100 failed\nHTTP 503 on batch 7\n"
        "https://github.com/acme/flows/actions/runs/42"
    }
    teams = payload(EVENT, "teams")
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [block["text"] for block in card["content"]["body"]]
    assert texts == slack["text"].split("\n")
    assert payload(EVENT, "json") == {
        "event": "completed_with_failures",
        "subject": "request 2026-11-28-sap-outage",
        "counts": {"delivered": 1900, "failed": 100},
        "reason": "HTTP 503 on batch 7",
        "link": "https://github.com/acme/flows/actions/runs/42",
    }


def test_the_run_link_comes_from_the_actions_variables() -> None:
    env = {
        "GITHUB_SERVER_URL": "https://github.com/",
        "GITHUB_REPOSITORY": "acme/flows",
        "GITHUB_RUN_ID": "42",
    }
    assert run_link(env) == "https://github.com/acme/flows/actions/runs/42"
    assert run_link({}) is None
