"""Helpers for validation tests: write a small config tree, validate it in-process."""

from __future__ import annotations

import textwrap
from pathlib import Path

from reconciler.load.tree import Tree, load_tree

FLOW = """\
apiVersion: reconciler/v1
kind: Flow
name: Orders
mappings:
  - workflowName: la-orders
resubmit:
  url: https://integration.example.com/orders/resubmit
  headers:
    - name: x-team
      value: sales
resume:
  url: https://integration.example.com/orders/resume
"""

REQUEST = """\
apiVersion: reconciler/v1
kind: ResubmitRequest
name: 2026-11-28-outage
reason: SAP down
action: resubmit
flows: [Orders]
select:
  executed: {after: 2026-11-27T22:00:00Z, before: 2026-11-28T06:00:00Z}
"""


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def validate(root: Path, files: dict[str, str | bytes], **kwargs: object) -> Tree:
    write_tree(root, files)
    return load_tree(root, use_cache=False, jobs=1, **kwargs)  # type: ignore[arg-type]


def found(tree: Tree) -> list[tuple[str, int, int, str, str]]:
    return [(f.path, f.line, f.col, f.rule, f.message) for f in tree.findings]
