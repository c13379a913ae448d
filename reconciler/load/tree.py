"""The configuration tree: flows.d/, requests.d/, reconciler.yaml -> models + findings.

This is the interface the rest of the tool uses (validate, plan, apply, check, preview,
dispatch, codeowners): `load_tree(root)` returns every structurally valid file as its
model, with the positions commands report, and every finding.

How it is fast: files are composed on the libyaml C loader, positions recorded in the same
walk that makes the data (`yamlsafe`), unchanged files come from a result cache keyed by
content (`cache`), and big cold trees are checked on a process pool. A flow's model is
built from its canonical spec when a command first asks for it (`validate` never does).
Cross-file rules always run, on small per-file facts, so the cache never hides a duplicate
name or a dangling flow reference."""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
import posixpath
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from reconciler.core.codeowners import path_problem, shown_path
from reconciler.core.findings import Finding, Severity, has_errors
from reconciler.core.rules.tree import FlowFacts, NameAt, RequestFacts, check_tree
from reconciler.load.cache import ResultCache, entry_key, package_fingerprint
from reconciler.load.limits import MAX_BYTES
from reconciler.load.validate_file import CONFIG, FileResult, check_document, read_bytes, rel_path
from reconciler.localstate import STATE_DIR
from reconciler.models import Config, Flow, Request
from reconciler.models.request import CONTROL_FIELDS, LATER_FIELDS

FLOWS_DIR = "flows.d"
REQUESTS_DIR = "requests.d"
CONFIG_FILE = "reconciler.yaml"
YAML_SUFFIXES = (".yaml", ".yml")
PARALLEL_MIN = 300  # below this a process pool costs more than it saves
MAX_JOBS = 8


def canonical_json(model: BaseModel) -> str:
    """Stable text of a model (sorted keys, defaults included): what hashes are taken of."""
    return json.dumps(
        model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def content_hash(model: BaseModel) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(model).encode()).hexdigest()


def request_hash(request: Request) -> str:
    """What makes a request the one that was dispatched: everything but the controls an
    operator may change afterwards (suspend, cancel); keys added after the first release
    count only once they are set, so a request dispatched before them keeps its hash."""
    data = request.model_dump(mode="json", exclude=set(CONTROL_FIELDS))
    for key in LATER_FIELDS:
        if data.get(key) is None:
            data.pop(key, None)
    limits = data.get("limits")
    if isinstance(limits, dict) and limits.get("allowEmpty") is False:  # a later key too
        limits.pop("allowEmpty")
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


class FlowFile:
    """A structurally valid flow file. `spec` is the model's canonical JSON (what apply
    stores); `flow`, the model, is parsed from it on first use. `url_at`: the line, col of
    each endpoint's URL in the file (action -> position)."""

    def __init__(
        self, path: str, folder: str, name: str, spec: str, url_at: Mapping[str, tuple[int, int]]
    ) -> None:
        self.path = path  # relative to the repo root, POSIX separators
        self.folder = folder  # directory relative to flows.d/ ("" at the top)
        self.name = name
        self.spec = spec
        self.url_at = url_at

    @functools.cached_property
    def flow(self) -> Flow:
        return Flow.model_validate_json(self.spec)


class RequestFile(NamedTuple):
    path: str
    request: Request

    @property
    def content_hash(self) -> str:
        return request_hash(self.request)


@dataclass
class Tree:
    """`flows`: every flow of the repository that is structurally valid (YAML and model),
    whatever the selection; `requests`: the structurally valid requests among the
    selected paths (all when none were given); `config`: reconciler.yaml if structurally
    valid; `findings`: all findings in the selected files, sorted by file and position.

    A structurally valid file can still break a rule (a private URL, a literal secret, a
    duplicate name), so anything that changes the store or sends must refuse unless
    `valid`; read-only commands (check, codeowners) may work on what loaded."""

    root: Path
    flows: list[FlowFile] = field(default_factory=list)
    requests: list[RequestFile] = field(default_factory=list)
    config: Config | None = None
    findings: list[Finding] = field(default_factory=list)
    files: int = 0  # how many files were validated (the selection)
    cached: int = 0  # how many of them came from the cache

    @property
    def valid(self) -> bool:
        return not has_errors(self.findings)

    def flow(self, name: str) -> Flow | None:
        for item in self.flows:
            if item.name == name:
                return item.flow
        return None


def discover(root: Path, paths: Sequence[str | Path] | None = None) -> list[str]:
    """YAML files under flows.d/ and requests.d/ plus reconciler.yaml (or the given paths),
    sorted. Strings, not Paths: building 10,000 Path objects costs more than reading the
    files' cache entries."""
    if not paths:
        paths = [root / FLOWS_DIR, root / REQUESTS_DIR, root / CONFIG_FILE]
    found: set[str] = set()
    for path in (str(Path(p)) for p in paths):  # as given, spelled as Path spells it
        if os.path.isdir(path):
            for directory, subdirs, names in os.walk(path):
                subdirs[:] = [d for d in subdirs if d != STATE_DIR]
                found.update(
                    os.path.join(directory, name) for name in names if name.endswith(YAML_SUFFIXES)
                )
        elif os.path.exists(path):
            found.add(path)
    return sorted(found)


def kind_of(rel: str) -> str | None:
    """What a file must hold, from where it is; None: decide by its `kind:`."""
    if rel == CONFIG_FILE:
        return "config"
    if rel.startswith(FLOWS_DIR + "/"):
        return "flow"
    if rel.startswith(REQUESTS_DIR + "/"):
        return "request"
    return None


def folder_of(rel: str) -> str:
    """The Invictus folder of a flow file: its directory below flows.d/ ("" at the top)."""
    if not rel.startswith(FLOWS_DIR + "/"):
        return ""
    return posixpath.dirname(rel)[len(FLOWS_DIR) + 1 :]


def default_jobs() -> int:
    configured = os.environ.get("RECONCILER_JOBS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(os.cpu_count() or 1, MAX_JOBS))


def load_tree(
    root: Path,
    paths: Sequence[str | Path] | None = None,
    *,
    use_cache: bool = True,
    jobs: int | None = None,
) -> Tree:
    """Validate the tree (or the given paths, in the context of the whole tree)."""
    everything = discover(root)
    if paths:
        selected = discover(root, paths)
        context = sorted(set(everything) | set(selected))
    else:
        selected = context = everything
    return validate_files(
        root,
        selected,
        context,
        use_cache=use_cache,
        jobs=default_jobs() if jobs is None else jobs,
        prune=not paths,
    )


@dataclass
class _File:
    path: str
    rel: str
    kind: str | None
    raw: bytes | None = None
    key: str = ""
    result: FileResult | None = None
    cached: bool = False


def validate_files(
    root: Path,
    selected: Sequence[str | Path],
    context: Sequence[str | Path],
    *,
    use_cache: bool = True,
    jobs: int = 1,
    prune: bool = False,
) -> Tree:
    """Validate `selected` (in the context of `context`). `prune` drops cache entries of
    files not in `context`: only for a run over the whole tree."""
    tree = Tree(root=root)
    prefix = "" if str(root) == "." else str(root).rstrip("/") + "/"

    def relative(text: str) -> str:
        if prefix and text.startswith(prefix):
            return text[len(prefix) :]
        if not prefix and not os.path.isabs(text) and not text.startswith(".."):
            return text
        return rel_path(Path(text), root)

    chosen = {relative(str(p)) for p in selected}
    files = [_File(p, rel, kind_of(rel)) for p in map(str, context) for rel in (relative(p),)]

    # reconciler.yaml first: its network.allow changes what the URL rules accept.
    cache = _open_cache(root) if use_cache else None
    configs = [f for f in files if f.kind == CONFIG]
    _check_all(configs, [], cache, jobs)
    allow: list[str] = []
    for item in configs:
        assert item.result is not None
        if item.raw is None:  # unreadable
            continue
        if item.rel == CONFIG_FILE and item.result.facts:
            allow = list(item.result.facts.get("allow", []))
        item.result.findings.extend(_ca_bundle_findings(item.result, root))

    _check_all([f for f in files if f.result is None], allow, cache, jobs)
    if cache is not None:
        if prune:
            cache.keep_only({f.key for f in files if f.key})
        cache.close()
    _assemble(tree, files, chosen)
    return tree


def _ca_bundle_findings(result: FileResult, root: Path) -> list[tuple[Any, ...]]:
    """network.caBundle must be a PEM file (a file system check: never cached)."""
    bundle = (result.facts or {}).get("caBundle")
    if not bundle:
        return []
    name, line, col = bundle
    path = root / name
    if not path.exists():
        problem = "does not exist (relative to the repository root)"
    elif not path.is_file():
        problem = "is not a regular file (it must be a PEM file of CA certificates)"
    else:
        try:
            with path.open("rb") as handle:
                head = handle.read(MAX_BYTES)
        except OSError as exc:
            problem = f"cannot be read: {exc.strerror}"
        else:
            if b"-----BEGIN CERTIFICATE-----" in head:
                return []
            problem = "is not a PEM bundle (no -----BEGIN CERTIFICATE----- line)"
    message = f"network.caBundle: {name} {problem}"
    return [(line, col, "config-ca-bundle", message, "error", None)]


def _open_cache(root: Path) -> ResultCache:
    return ResultCache(root)


def _check_all(todo: list[_File], allow: list[str], cache: ResultCache | None, jobs: int) -> None:
    """Read, look up in the cache, validate the rest (and cache their results)."""
    if not todo:
        return
    environment = ""
    if cache is not None:
        environment = f"{package_fingerprint()}|{json.dumps(sorted(allow))}"
    _read(todo)
    _look_up([item for item in todo if item.result is None], cache, environment)
    missing = [item for item in todo if item.result is None]
    results = _run_checks([(item.kind, item.raw or b"") for item in missing], allow, jobs)
    rows = []
    for item, result in zip(missing, results, strict=True):
        item.result = result
        rows.append((item.key, _dumps(result.findings), _dumps(result.facts), result.model_json))
    if cache is not None:
        cache.put_many(rows)


def _look_up(items: list[_File], cache: ResultCache | None, environment: str) -> None:
    """Fill in the results the cache has for these (read) files."""
    if cache is None or not items:
        return

    for item in items:
        assert item.raw is not None
        item.key = entry_key(environment, item.kind, item.raw)
    hits = cache.get_many({item.key for item in items}, with_data=True)
    for item in items:
        hit = hits.get(item.key)
        if hit is not None:
            # Most files have no finding: no need to decode "[]" a thousand times.
            findings = [tuple(f) for f in json.loads(hit[0])] if hit[0] != "[]" else []
            facts = json.loads(hit[1]) if hit[1] else None
            item.result = FileResult(item.kind, findings, facts, hit[2])
            item.cached = True


def _read(items: list[_File]) -> None:
    for item in items:
        try:
            item.raw = read_bytes(item.path, MAX_BYTES)
        except OSError as exc:
            item.result = FileResult(
                item.kind,
                [(1, 1, "unreadable", f"cannot read file: {exc.strerror}", "error", None)],
            )


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _check_chunk(chunk: list[tuple[str | None, bytes]], allow: list[str]) -> list[FileResult]:
    return [check_document(raw, kind, allow) for kind, raw in chunk]


def _run_checks(
    items: list[tuple[str | None, bytes]], allow: list[str], jobs: int
) -> list[FileResult]:
    if jobs <= 1 or len(items) < PARALLEL_MIN:
        return _check_chunk(items, allow)

    size = max(50, len(items) // (jobs * 4))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    # fork: workers inherit the imported models and loader. Never while another thread
    # runs: a fork copies its locks mid-use (forkserver then; its workers import anew).
    method = "fork" if threading.active_count() == 1 else "forkserver"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        results = pool.map(_check_chunk, chunks, [allow] * len(chunks))
        return [result for chunk_result in results for result in chunk_result]


def _assemble(tree: Tree, files: list[_File], chosen: set[str]) -> None:
    flow_facts: list[FlowFacts] = []
    request_facts: list[RequestFacts] = []
    findings: list[Finding] = []
    for item in files:
        result = item.result
        assert result is not None
        problem = path_problem(item.rel, printable_only=result.kind != "flow")
        shown = shown_path(item.rel)
        if shown != item.rel:  # not printable as it is: nothing of it loads
            result.model_json = None
        if item.rel in chosen:
            tree.files += 1
            tree.cached += item.cached
            findings.extend(result.located(shown))
            if problem is not None:
                findings.append(Finding(shown, 1, 1, "path-name", problem, hint=PATH_HINT))
        if shown != item.rel:
            continue  # nor does it take part in the cross-file rules
        facts = result.facts or {}
        name = NameAt(*facts["name"]) if facts.get("name") else None
        if result.kind == "flow":
            flow_facts.append(FlowFacts(item.rel, name, frozenset(facts.get("endpoints", ()))))
        elif result.kind == "request":
            refs = tuple(NameAt(*ref) for ref in facts.get("flows", ()))
            request_facts.append(RequestFacts(item.rel, name, facts.get("action"), refs))
    findings.extend(f for f in check_tree(flow_facts, request_facts) if f.path in chosen)
    tree.findings = sorted(findings, key=Finding.sort_key)
    _models(tree, files, chosen)


PATH_HINT = (
    "rename the folder or file: flow paths are named in CODEOWNERS rules and in CI annotations"
)


def _models(tree: Tree, files: list[_File], chosen: set[str]) -> None:
    """The structurally valid files as models (flows lazily, from their specs)."""
    for item in files:
        result = item.result
        assert result is not None
        if result.model_json is None:  # not structurally valid
            continue
        try:
            if result.kind == "flow":
                facts = result.facts or {}
                url_at = {a: (u[1], u[2]) for a, u in (facts.get("urls") or {}).items() if u}
                tree.flows.append(
                    FlowFile(
                        item.rel, folder_of(item.rel), facts["name"][0], result.model_json, url_at
                    )
                )
            elif result.kind == "request" and item.rel in chosen:
                request = Request.model_validate_json(result.model_json)
                tree.requests.append(RequestFile(item.rel, request))
            elif result.kind == "config":
                tree.config = Config.model_validate_json(result.model_json)
        except ValidationError as exc:  # a model that cannot read its own JSON: a bug
            tree.findings.append(
                Finding(
                    item.rel, 1, 1, "schema", f"not a valid {result.kind}: {exc}", Severity.ERROR
                )
            )
