"""Flow endpoints of the tree (with file:line:col) and as they were at a git revision.

`endpoints_at` serves `check --changed-only --base REF`: one `git ls-tree` and one
`git cat-file --batch`, parsed leniently -- the base may hold files today's rules reject,
and all we need from it is name + URLs."""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from reconciler.core.endpoints import ACTIONS, EndpointUse, collect_endpoints
from reconciler.errors import UsageError
from reconciler.load.tree import FLOWS_DIR, YAML_SUFFIXES, FlowFile, Tree


def _urls(item: FlowFile) -> dict[str, str]:
    """A flow's custom endpoints, action -> URL, from its model."""
    found = {}
    for action in ACTIONS:
        endpoint = item.flow.endpoint(action)
        if endpoint is not None:
            found[action] = endpoint.url
    return found


def tree_endpoints(tree: Tree) -> dict[tuple[str, str], str]:
    """(flow, action) -> URL of the tree's structurally valid flows."""
    return {(item.name, action): url for item in tree.flows for action, url in _urls(item).items()}


def endpoint_uses(tree: Tree) -> dict[str, list[EndpointUse]]:
    """Distinct URL -> flows using it, each with the file:line:col of the URL."""
    rows = [(item.name, item.path, urls) for item in tree.flows if (urls := _urls(item))]
    where = {
        (item.name, action): position
        for item in tree.flows
        for action, position in item.url_at.items()
    }
    return collect_endpoints(rows, where)


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise UsageError("--base needs git, which is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(
            f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(done.returncode)}",
            hint="--base takes a commit, branch or tag of this repository (e.g. origin/main)",
        )
    return done.stdout


def endpoints_at(root: Path, ref: str) -> dict[tuple[str, str], str]:
    """(flow name, action) -> URL for every flow file under flows.d/ at `ref`."""
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    listing = _git(root, "ls-tree", "-r", "-z", "--full-name", commit, "--", FLOWS_DIR)
    blobs: list[str] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.decode(errors="replace").partition("\t")
        if meta.split()[1] == "blob" and path.endswith(YAML_SUFFIXES):
            blobs.append(meta.split()[2])
    if not blobs:
        return {}

    stream = BytesIO(_git(root, "cat-file", "--batch", stdin="\n".join(blobs).encode() + b"\n"))
    yaml = YAML(typ="safe", pure=False)
    found: dict[tuple[str, str], str] = {}
    for _ in blobs:
        header = stream.readline().split()
        if len(header) < 3:
            break
        content = stream.read(int(header[2]))
        stream.readline()  # the newline after each object
        try:
            data: Any = yaml.load(content)
        except (YAMLError, ValueError):
            continue  # broken at base: every URL of it counts as new
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            continue
        for action in ACTIONS:
            endpoint = data.get(action)
            if isinstance(endpoint, dict) and isinstance(endpoint.get("url"), str):
                found[(data["name"], action)] = endpoint["url"]
    return found
