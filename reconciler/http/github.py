"""The one GitHub API call the tool makes: create or update its sticky PR comment.

Configured the way Actions configures everything: GITHUB_API_URL, GITHUB_REPOSITORY,
GITHUB_TOKEN (never printed), and the pull-request number from the event payload. The API
is called through the SSRF guard like every other outbound request (https only; a GitHub
Enterprise Server on a private address is allowed in reconciler.yaml network.allow, its
CA in network.caBundle)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from reconciler.errors import ConfigError, ReconcilerError
from reconciler.http.guard import PolicyRefused
from reconciler.http.settings import NetworkSettings

MAX_PAGES = 50  # 5,000 comments: a bound on the search for our marker


@dataclass(frozen=True)
class GitHubTarget:
    api_url: str
    repository: str
    pr_number: int
    token: str


def target_from_env(pr_number: int | None = None) -> GitHubTarget:
    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")
    repository = os.environ.get("GITHUB_REPOSITORY")
    if not token:
        raise ConfigError(
            "posting a PR comment needs GITHUB_TOKEN",
            hint="in a workflow: env: {GITHUB_TOKEN: ${{ github.token }}} with pull-requests: write",
        )
    if not repository:
        raise ConfigError("posting a PR comment needs GITHUB_REPOSITORY (owner/name)")
    if pr_number is None:
        event_path = os.environ.get("GITHUB_EVENT_PATH")
        try:
            event = json.loads(Path(event_path).read_text()) if event_path else {}
            pr_number = int(event["pull_request"]["number"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                "no pull request number: not a pull_request event",
                hint="pass --pr NUMBER",
            ) from exc
    api_url = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    return GitHubTarget(api_url, repository, pr_number, token)


def _check(response: httpx.Response, what: str) -> Any:
    if response.status_code >= 400:
        try:
            detail = response.json().get("message", "")
        except ValueError:
            detail = response.text[:200]
        hint = None
        if response.status_code in (401, 403, 404):
            hint = "the token needs `pull-requests: write` (fork PRs get a read-only token)"
        raise ReconcilerError(
            f"GitHub API: {what} failed: HTTP {response.status_code} {detail}".rstrip(), hint=hint
        )
    return response.json()


def upsert_comment(
    target: GitHubTarget, body: str, marker: str, network: NetworkSettings
) -> tuple[str, str]:
    """Update the comment holding `marker` in place, or create it. Returns (action, url)."""
    headers = {
        "Authorization": f"Bearer {target.token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    base = f"{target.api_url}/repos/{target.repository}"
    try:
        with network.client(headers=headers, timeout=30.0) as client:
            url: str | None = f"{base}/issues/{target.pr_number}/comments?per_page=100"
            existing: dict[str, Any] | None = None
            for _ in range(MAX_PAGES):
                if url is None:
                    break
                response = client.get(url)
                for comment in _check(response, "listing PR comments"):
                    if marker in (comment.get("body") or ""):
                        existing = comment
                        break
                if existing:
                    break
                url = response.links.get("next", {}).get("url")
            if existing:
                done = _check(
                    client.patch(f"{base}/issues/comments/{existing['id']}", json={"body": body}),
                    "updating the PR comment",
                )
                return "updated", str(done.get("html_url", ""))
            done = _check(
                client.post(f"{base}/issues/{target.pr_number}/comments", json={"body": body}),
                "creating the PR comment",
            )
            return "created", str(done.get("html_url", ""))
    except PolicyRefused as exc:
        raise ReconcilerError(
            f"GitHub API at {target.api_url}: {exc.reason}",
            hint="a GitHub Enterprise Server on a private network: allow its host in "
            "reconciler.yaml network.allow",
        ) from exc
    except httpx.HTTPError as exc:
        raise ReconcilerError(
            f"GitHub API unreachable at {target.api_url}: {type(exc).__name__}"
            + (f" ({exc})" if str(exc) else "")
        ) from exc
