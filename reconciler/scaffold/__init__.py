"""`reconciler init`: the files of a new config repository, rendered from the templates in
this folder, and written without ever replacing a file that exists.

The repository that ships the tool is a config repository too: its own workflows are these
templates rendered with the action `./` (a test keeps them in step)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import NamedTuple

from ruamel.yaml import YAML

from reconciler import __version__
from reconciler.core.codeowners import OwnedFile, render_block
from reconciler.models import Flow
from reconciler.schemas import SCHEMAS, render_schema

# Where the tool's own repository is published: the action and the pre-commit hook.
SOURCE = "https://github.com/flow-reconciler/flow-reconciler"
ACTION = f"flow-reconciler/flow-reconciler@v{__version__}"
EXAMPLE_FLOW = "flows.d/example/order-processing.yaml"

# template (in this folder) -> path in the new repository
TEMPLATES = {
    "flow.yaml": EXAMPLE_FLOW,
    "requests-readme.md": "requests.d/README.md",
    "reconciler.yaml": "reconciler.yaml",
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "workflows/pr.yml": ".github/workflows/pr.yml",
    "workflows/apply.yml": ".github/workflows/apply.yml",
}


class ScaffoldFile(NamedTuple):
    path: str  # relative to the new repository's root, POSIX separators
    text: str


class Written(NamedTuple):
    path: str
    written: bool  # False: the file existed and was left as it was


def template(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def secret_env_names(flows: Iterable[Flow]) -> list[str]:
    """The environment variables the flows' headers and signing keys are read from."""
    names: list[str] = []
    for flow in flows:
        for endpoint in (flow.resubmit, flow.resume):
            for header in endpoint.headers if endpoint else []:
                if header.valueFrom is not None:
                    names.append(header.valueFrom.env)
        if flow.dispatch.signingSecretFrom is not None:
            names.append(flow.dispatch.signingSecretFrom.env)
    return list(dict.fromkeys(names))


def render_workflow(name: str, *, action: str, secrets: Sequence[str] = ()) -> str:
    """A workflow template with the action reference and, for the apply workflow, the
    dispatch step's secrets (each passed as the environment variable of its name)."""
    env = "\n".join(f"          {s}: ${{{{ secrets.{s} }}}}" for s in secrets)
    text = template(f"workflows/{name}").replace("__ACTION__", action)
    return text.replace("__SECRET_ENV__\n", env + "\n" if env else "")


def example_flow() -> Flow:
    return Flow.model_validate(YAML(typ="safe").load(template("flow.yaml")))


def scaffold(*, action: str = ACTION, source: str = SOURCE) -> list[ScaffoldFile]:
    """Every file of a new config repository, in the order they are written."""
    flow = example_flow()
    out: list[ScaffoldFile] = []
    for name, path in TEMPLATES.items():
        if name.startswith("workflows/"):
            text = render_workflow(
                name.removeprefix("workflows/"),
                action=action,
                secrets=secret_env_names([flow]) if name.endswith("apply.yml") else (),
            )
        else:
            text = (
                template(name).replace("__SOURCE__", source).replace("__REV__", f"v{__version__}")
            )
        out.append(ScaffoldFile(path, text))
    out += [ScaffoldFile(f"schemas/{name}", render_schema(name)) for name in SCHEMAS]
    folder = os.path.dirname(EXAMPLE_FLOW)
    out.append(
        ScaffoldFile(
            ".github/CODEOWNERS",
            render_block([OwnedFile(EXAMPLE_FLOW, folder, tuple(flow.owners))]),
        )
    )
    return out


def write_new(root: Path, items: Iterable[ScaffoldFile]) -> list[Written]:
    """Write each file that does not exist yet; never replace one (nor follow a link)."""
    results = []
    for item in items:
        target = root / item.path
        if target.exists() or target.is_symlink():
            results.append(Written(item.path, False))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as handle:  # "x": never over a file
            handle.write(item.text)
        results.append(Written(item.path, True))
    return results
