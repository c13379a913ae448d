"""Owner approval of large requests (pure): given the reviews of the pull request that merged
a request and who the flows' owners are, whose approval is still missing.

A reviewer's latest review that approves, requests changes or is dismissed decides for that
reviewer (a later plain comment changes nothing, as on GitHub). Every flow the request names
needs an approval from one of its owners: a user (`@user`) or a member of a team
(`@org/team`, members as the GitHub API lists them). A flow without owners needs none."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

DECIDING = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})


class Review(NamedTuple):
    user: str  # login, without "@"
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
    submitted_at: str  # ISO 8601; reviews are compared in this order


@dataclass(frozen=True)
class ApprovalVerdict:
    approved: bool
    approvers: Mapping[str, tuple[str, ...]]  # flow -> the owners' logins who approved
    missing: Mapping[str, tuple[str, ...]]  # flow -> its owners, none of whom approved

    def describe_missing(self) -> str:
        return "; ".join(
            f"{flow}: one of {', '.join(owners)}" for flow, owners in self.missing.items()
        )


def latest_decisions(reviews: Iterable[Review]) -> dict[str, str]:
    """login (lower case) -> the state of that reviewer's latest deciding review."""
    decided: dict[str, tuple[str, str]] = {}
    for review in reviews:
        if review.state not in DECIDING:
            continue
        login = review.user.lower()
        if login not in decided or review.submitted_at >= decided[login][0]:
            decided[login] = (review.submitted_at, review.state)
    return {login: state for login, (_at, state) in decided.items()}


def team_slug(owner: str) -> tuple[str, str] | None:
    """("org", "team") for "@org/team"; None for a user or an e-mail owner."""
    if owner.startswith("@") and "/" in owner:
        org, _, team = owner[1:].partition("/")
        return org, team
    return None


def verdict(
    flow_owners: Mapping[str, Sequence[str]],
    reviews: Iterable[Review],
    team_members: Mapping[str, Iterable[str]],
) -> ApprovalVerdict:
    """`flow_owners`: flow -> its `owners`; `team_members`: "@org/team" -> member logins."""
    decisions = latest_decisions(reviews)
    approving = {login for login, state in decisions.items() if state == "APPROVED"}
    approvers: dict[str, tuple[str, ...]] = {}
    missing: dict[str, tuple[str, ...]] = {}
    for flow, owners in flow_owners.items():
        if not owners:
            continue
        logins: set[str] = set()
        for owner in owners:
            if team_slug(owner) is not None:
                logins |= {m.lower() for m in team_members.get(owner, ())}
            elif owner.startswith("@"):
                logins.add(owner[1:].lower())
        found = tuple(sorted(logins & approving))
        if found:
            approvers[flow] = found
        else:
            missing[flow] = tuple(owners)
    return ApprovalVerdict(not missing, approvers, missing)
