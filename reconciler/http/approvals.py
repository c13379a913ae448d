"""Owner approval, looked up on GitHub: the pull requests that merged the commit being
dispatched, their reviews and the members of owner teams, through the REST API and the
SSRF guard; core/approval.py decides.

Configured as Actions configures a job: GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_SHA and
GITHUB_TOKEN, handed in as data by the caller (the token is registered with the masker at
once). Any failure of the API -- unreachable, refused by the network policy, an error
status, an answer that is not what the API documents -- raises: a request that needs an
approval is never dispatched because an approval could not be looked up."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from reconciler.core.approval import ApprovalVerdict, Review, team_slug, verdict
from reconciler.core.secrets import MASKER, mask
from reconciler.errors import ConfigError, ReconcilerError
from reconciler.http.guard import PolicyRefused
from reconciler.http.settings import NetworkSettings

MAX_PAGES = 30  # 3,000 reviews or members: a bound on every paginated listing
TIMEOUT = 30.0


class ApprovalLookupFailed(ReconcilerError):
    """The GitHub API could not say who approved: nothing is sent."""


@dataclass(frozen=True)
class GitHubRepo:
    api_url: str
    repository: str  # owner/name
    sha: str
    token: str = ""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> GitHubRepo:
        """Raises ConfigError naming every variable that is missing."""
        wanted = ("GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_TOKEN")
        missing = [name for name in wanted if not environ.get(name)]
        if missing:
            raise ConfigError(
                f"looking up owner approval needs {', '.join(missing)}",
                hint="run requests dispatch in the merge workflow with "
                "env: {GITHUB_TOKEN: ${{ github.token }}} and permissions pull-requests: read "
                "(teams as owners also need a token that may read the organization's teams)",
            )
        token = environ["GITHUB_TOKEN"]
        MASKER.add(token)
        api_url = (environ.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/")
        return cls(api_url, environ["GITHUB_REPOSITORY"], environ["GITHUB_SHA"], token)


@dataclass(frozen=True)
class ApprovalFound:
    """What the lookup found: the pull requests that merged the commit and the verdict."""

    pull_requests: tuple[int, ...]
    verdict: ApprovalVerdict

    def describe_missing(self) -> str:
        if not self.pull_requests:
            return "no pull request merged this commit; " + self.verdict.describe_missing()
        return self.verdict.describe_missing()


class _Api:
    def __init__(self, repo: GitHubRepo, client: httpx.Client) -> None:
        self.repo = repo
        self.client = client

    def pages(self, path: str, what: str) -> Iterator[Any]:
        """Every item of a paginated listing (the API's Link: rel="next")."""
        url: str | None = f"{self.repo.api_url}{path}?per_page=100"
        for _ in range(MAX_PAGES):
            if url is None:
                return
            response = self.client.get(url)
            items = self.answer(response, what)
            if not isinstance(items, list):
                raise ApprovalLookupFailed(f"GitHub API: {what}: the answer is not a list")
            yield from items
            url = response.links.get("next", {}).get("url")
        raise ApprovalLookupFailed(f"GitHub API: {what}: more than {MAX_PAGES} pages")

    @staticmethod
    def answer(response: httpx.Response, what: str) -> Any:
        if response.status_code >= 400:
            try:
                detail = str(response.json().get("message", ""))
            except (ValueError, AttributeError):
                detail = response.text[:200]
            hint = None
            if response.status_code in (401, 403, 404):
                hint = (
                    "the token needs pull-requests: read on the repository, and read access "
                    "to the organization's teams when a team owns a flow"
                )
            raise ApprovalLookupFailed(
                mask(f"GitHub API: {what} failed: HTTP {response.status_code} {detail}".rstrip()),
                hint=hint,
            )
        try:
            return response.json()
        except ValueError:
            raise ApprovalLookupFailed(f"GitHub API: {what}: the answer is not JSON") from None


def _merged_pulls(api: _Api) -> list[int]:
    """The merged pull requests of the commit; the one whose merge commit it is first."""
    repo = api.repo
    found: list[tuple[bool, int]] = []
    path = f"/repos/{repo.repository}/commits/{repo.sha}/pulls"
    for pull in api.pages(path, f"listing the pull requests of commit {repo.sha[:12]}"):
        if isinstance(pull, dict) and pull.get("merged_at") and isinstance(pull.get("number"), int):
            found.append((pull.get("merge_commit_sha") != repo.sha, pull["number"]))
    return [number for _, number in sorted(found)]


def _reviews(api: _Api, number: int) -> list[Review]:
    reviews = []
    path = f"/repos/{api.repo.repository}/pulls/{number}/reviews"
    for item in api.pages(path, f"listing the reviews of pull request #{number}"):
        user = item.get("user") if isinstance(item, dict) else None
        if not isinstance(user, dict) or not isinstance(user.get("login"), str):
            continue  # a review by a deleted account names no one
        reviews.append(
            Review(user["login"], str(item.get("state", "")), str(item.get("submitted_at") or ""))
        )
    return reviews


def _members(api: _Api, owner: str) -> list[str]:
    slug = team_slug(owner)
    assert slug is not None
    org, team = slug
    path = f"/orgs/{org}/teams/{team}/members"
    return [
        str(member["login"])
        for member in api.pages(path, f"listing the members of {owner}")
        if isinstance(member, dict) and isinstance(member.get("login"), str)
    ]


def look_up(
    repo: GitHubRepo, flow_owners: Mapping[str, Sequence[str]], network: NetworkSettings
) -> ApprovalFound:
    """Who approved the pull request(s) that merged `repo.sha`, judged for `flow_owners`
    (flow -> its owners). Raises ApprovalLookupFailed when the API cannot tell."""
    headers = {
        "Authorization": f"Bearer {repo.token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    try:
        with network.client(headers=headers, timeout=TIMEOUT) as client:
            api = _Api(repo, client)
            pulls = _merged_pulls(api)
            reviews = [review for number in pulls for review in _reviews(api, number)]
            teams = sorted(
                {owner for owners in flow_owners.values() for owner in owners if team_slug(owner)}
            )
            members = {team: _members(api, team) for team in teams}
    except PolicyRefused as exc:
        raise ApprovalLookupFailed(
            f"GitHub API at {repo.api_url}: {exc.reason}",
            hint="a GitHub Enterprise Server on a private network: allow its host in "
            "reconciler.yaml network.allow",
        ) from None
    except httpx.HTTPError as exc:
        detail = f" ({mask(str(exc))})" if str(exc) else ""
        raise ApprovalLookupFailed(
            f"GitHub API unreachable at {repo.api_url}: {type(exc).__name__}{detail}"
        ) from None
    return ApprovalFound(tuple(pulls), verdict(flow_owners, reviews, members))
