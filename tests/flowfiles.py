"""Writing flow trees for reconcile tests."""

from __future__ import annotations

from pathlib import Path


def flow_yaml(
    name: str,
    *,
    url: str = "https://orders.example.com/resubmit",
    workflow: str | None = None,
    description: str = "test flow",
    secret_env: str = "ORDERS_API_KEY",
    batch_size: int | None = None,
) -> str:
    lines = [
        "apiVersion: reconciler/v1",
        "kind: Flow",
        f'name: "{name}"',
        f'description: "{description}"',
        "mappings:",
        f'  - workflowName: "{workflow or "la-" + name.lower().replace(" ", "-")}"',
        "resubmit:",
        f"  url: {url}",
        "  headers:",
        "    - name: x-api-key",
        f"      valueFrom: {{env: {secret_env}}}",
        "    - name: x-team",
        "      value: sales",
    ]
    if batch_size is not None:
        lines += ["dispatch:", f"  batchSize: {batch_size}"]
    return "\n".join(lines) + "\n"


def write_flow(root: Path, name: str, folder: str = "", **kwargs: object) -> Path:
    directory = root / "flows.d" / folder if folder else root / "flows.d"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (name.lower().replace(" ", "-") + ".yaml")
    path.write_text(flow_yaml(name, **kwargs))  # type: ignore[arg-type]
    return path


def write_flows(root: Path, count: int, *, prefix: str = "flow", **kwargs: object) -> None:
    for i in range(count):
        write_flow(root, f"{prefix} {i:05d}", folder=f"team{i % 7}", **kwargs)
