"""Owner approval looked up through the GitHub REST API (a local stand-in over TLS):
commit -> merged pull request -> reviews (paginated, superseded states) -> team members."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.core.netpolicy import NetPolicy
from reconciler.core.secrets import mask
from reconciler.errors import ConfigError
from reconciler.http.approvals import ApprovalLookupFailed, GitHubRepo, look_up
from reconciler.http.settings import NetworkSettings
from tests.github_standin import approval_data, github_api

TOKEN = "ghs_SENTINEL_token_4f3a9"
SHA = "8a5673e0c0ffee0000000000000000000000beef"


@pytest.fixture
def network(ca_pem: Path) -> NetworkSettings:
    return NetworkSettings(NetPolicy.parse(["127.0.0.1"]), ca_pem)


def repo(api_url: str) -> GitHubRepo:
    return GitHubRepo.from_environ(
        {
            "GITHUB_API_URL": api_url,
            "GITHUB_REPOSITORY": "acme/flows",
            "GITHUB_SHA": SHA,
            "GITHUB_TOKEN": TOKEN,
        }
    )


def test_the_merging_pull_request_reviews_and_teams_decide(
    ca: Any, network: NetworkSettings
) -> None:
    data = approval_data(TOKEN, SHA)
    owners = {"Orders": ["@alice", "@bob"], "Invoices": ["@acme/billing"], "Logs": []}
    with github_api(ca.issue_cert("127.0.0.1"), data) as api_url:
        found = look_up(repo(api_url), owners, network)
    assert found.pull_requests == (7,)  # the open pull request #9 merged nothing
    # alice's approval was superseded by her request for changes (a later comment keeps it);
    # bob only commented; erin approved and is in @acme/billing (found on the 2nd page).
    assert not found.verdict.approved
    assert dict(found.verdict.missing) == {"Orders": ("@alice", "@bob")}
    assert dict(found.verdict.approvers) == {"Invoices": ("erin",)}
    assert found.describe_missing() == "Orders: one of @alice, @bob"
    paths = [path for path, _ in data.calls]
    assert paths.count("/repos/acme/flows/pulls/7/reviews") == 3  # every page was read
    assert paths.count("/orgs/acme/teams/billing/members") == 2
    assert all(auth == f"Bearer {TOKEN}" for _, auth in data.calls)


def test_an_owner_approval_on_every_flow_approves(ca: Any, network: NetworkSettings) -> None:
    data = approval_data(TOKEN, SHA)
    with github_api(ca.issue_cert("127.0.0.1"), data) as api_url:
        found = look_up(repo(api_url), {"Invoices": ["@acme/billing", "@zoe"]}, network)
    assert found.verdict.approved and not found.verdict.missing


def test_a_commit_no_pull_request_merged_needs_approval_still(
    ca: Any, network: NetworkSettings
) -> None:
    data = approval_data(TOKEN, SHA)
    data.listings[f"/repos/acme/flows/commits/{SHA}/pulls"] = []
    with github_api(ca.issue_cert("127.0.0.1"), data) as api_url:
        found = look_up(repo(api_url), {"Orders": ["@alice"]}, network)
    assert not found.verdict.approved
    assert found.describe_missing() == ("no pull request merged this commit; Orders: one of @alice")


@pytest.mark.parametrize("failing", ["reviews", "members", "pulls"])
def test_an_api_error_is_an_error_never_an_approval(
    ca: Any, network: NetworkSettings, failing: str
) -> None:
    data = approval_data(TOKEN, SHA)
    path = {
        "reviews": "/repos/acme/flows/pulls/7/reviews",
        "members": "/orgs/acme/teams/billing/members",
        "pulls": f"/repos/acme/flows/commits/{SHA}/pulls",
    }[failing]
    data.failing[path] = 502
    with (
        github_api(ca.issue_cert("127.0.0.1"), data) as api_url,
        pytest.raises(ApprovalLookupFailed) as raised,
    ):
        look_up(repo(api_url), {"Invoices": ["@acme/billing"]}, network)
    assert "HTTP 502 Server Error" in raised.value.message
    assert TOKEN not in str(raised.value) + (raised.value.hint or "")


def test_a_bad_token_and_an_unreachable_api_are_errors(ca: Any, network: NetworkSettings) -> None:
    data = approval_data("another-token", SHA)
    with github_api(ca.issue_cert("127.0.0.1"), data) as api_url:
        with pytest.raises(ApprovalLookupFailed) as raised:
            look_up(repo(api_url), {"Orders": ["@alice"]}, network)
        unreachable = api_url  # closed below
    assert "HTTP 401 Bad credentials" in raised.value.message
    assert raised.value.hint and "pull-requests: read" in raised.value.hint
    with pytest.raises(ApprovalLookupFailed) as down:
        look_up(repo(unreachable), {"Orders": ["@alice"]}, network)
    assert "GitHub API unreachable at https://127.0.0.1:" in down.value.message


def test_the_token_is_masked_and_missing_variables_are_named() -> None:
    repo("https://api.github.example")
    assert mask(f"echo {TOKEN}") == "echo ***"
    with pytest.raises(ConfigError) as raised:
        GitHubRepo.from_environ({"GITHUB_REPOSITORY": "acme/flows"})
    assert "GITHUB_SHA, GITHUB_TOKEN" in raised.value.message
