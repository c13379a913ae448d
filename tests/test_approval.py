"""Owner approval: the latest deciding review per reviewer, users and teams, every flow."""

from __future__ import annotations

from reconciler.core.approval import Review, latest_decisions, verdict


def test_the_latest_deciding_review_counts_and_a_comment_changes_nothing() -> None:
    reviews = [
        Review("alice", "APPROVED", "2026-11-28T10:00:00Z"),
        Review("alice", "COMMENTED", "2026-11-28T11:00:00Z"),
        Review("Bob", "APPROVED", "2026-11-28T10:00:00Z"),
        Review("bob", "CHANGES_REQUESTED", "2026-11-28T12:00:00Z"),
        Review("carol", "CHANGES_REQUESTED", "2026-11-28T09:00:00Z"),
        Review("carol", "APPROVED", "2026-11-28T09:30:00Z"),
        Review("dave", "APPROVED", "2026-11-28T09:00:00Z"),
        Review("dave", "DISMISSED", "2026-11-28T09:10:00Z"),
    ]
    assert latest_decisions(reviews) == {
        "alice": "APPROVED",
        "bob": "CHANGES_REQUESTED",
        "carol": "APPROVED",
        "dave": "DISMISSED",
    }


def test_every_flow_needs_one_of_its_owners_users_or_team_members() -> None:
    reviews = [Review("erin", "APPROVED", "2026-11-28T10:00:00Z")]
    owners = {
        "Orders": ["@sales/integration"],
        "Invoices": ["@frank", "@finance/ops"],
        "Unowned": [],
    }
    teams = {"@sales/integration": ["Erin", "gus"], "@finance/ops": ["hank"]}
    result = verdict(owners, reviews, teams)
    assert not result.approved
    assert result.approvers == {"Orders": ("erin",)}
    assert result.missing == {"Invoices": ("@frank", "@finance/ops")}
    assert result.describe_missing() == "Invoices: one of @frank, @finance/ops"
    both = verdict(owners, [*reviews, Review("frank", "APPROVED", "2026-11-28T11:00:00Z")], teams)
    assert both.approved and not both.missing
