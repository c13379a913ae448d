"""The configuration tree: flows.d/, requests.d/, reconciler.yaml -> models + findings.

This is the interface the rest of the tool uses (plan, apply, check, preview, dispatch):
`load_tree(root)` returns every valid file as a model and every finding.

How it is fast: files are composed on the libyaml C loader, positions recorded in the same
walk that makes the data (`yamlsafe`), unchanged files come from a result cache keyed by content (`cache`), and big
cold trees are checked on a process pool. Cross-file rules always run, on small per-file
facts, so the cache never hides a duplicate name or a dangling flow reference."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from reconciler.core.findings import Finding, Severity, has_errors
from reconciler.core.repoconfig import RepoConfig

if TYPE_CHECKING:
    from pydantic import BaseModel

    from reconciler.load.cache import ResultCache
    from reconciler.load.validate_file import FileResult
    from reconciler.models import Flow, Request

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


class FlowFile(NamedTuple):
    path: str  # relative to the repo root, POSIX separators
    folder: str  # directory relative to flows.d/ ("" at the top)
    flow: Flow
    spec: str  # flow_spec(flow), made by the validator


class RequestFile(NamedTuple):
    path: str
    request: Request

    @property
    def content_hash(self) -> str:
        return content_hash(self.request)


class FlowEndpoints(NamedTuple):
    """A structurally valid flow's custom endpoints, read from its validated document
    (no model built): what `reconciler check` needs of the tree."""

    path: str
    name: str
    urls: dict[str, str]  # action (resubmit, resume) -> URL
    where: dict[str, tuple[int, int]]  # action -> line, col of its URL in the file


@dataclass
class Tree:
    """`flows`: every flow of the repository that is structurally valid (YAML, schema,
    model), whatever the selection; `requests`: the structurally valid requests among the
    selected paths (all when none were given); `config`: reconciler.yaml if structurally
    valid; `findings`: all findings in the selected files, sorted by file and position.

    A structurally valid file can still break a rule (a private URL, a literal secret, a
    duplicate name), so anything that changes the store or sends must refuse unless
    `valid`; read-only commands (check, codeowners) may work on what loaded."""

    root: Path
    flows: list[FlowFile] = field(default_factory=list)
    requests: list[RequestFile] = field(default_factory=list)
    config: RepoConfig | None = None
    endpoints: list[FlowEndpoints] = field(default_factory=list)  # with endpoints=True
    findings: list[Finding] = field(default_factory=list)
    files: int = 0  # how many files were validated (the selection)
    cached: int = 0  # how many of them came from the cache

    @property
    def valid(self) -> bool:
        return not has_errors(self.findings)

    def flow(self, name: str) -> Flow | None:
        for item in self.flows:
            if item.flow.name == name:
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
                subdirs[:] = [d for d in subdirs if d != ".reconciler"]
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
    if not rel.startswith(FLOWS_DIR + "/"):
        return ""
    parent = Path(rel).parent.relative_to(FLOWS_DIR).as_posix()
    return "" if parent == "." else parent


def default_jobs() -> int:
    configured = os.environ.get("RECONCILER_JOBS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(os.cpu_count() or 1, MAX_JOBS))


def load_tree(
    root: Path,
    paths: Sequence[Path] | None = None,
    *,
    use_cache: bool = True,
    jobs: int | None = None,
    with_models: bool = True,
    endpoints: bool = False,
) -> Tree:
    """Validate the tree (or the given paths, in the context of the whole tree).
    `endpoints`: fill `Tree.endpoints` (cheap: no pydantic; use with with_models=False)."""
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
        with_models=with_models,
        endpoints=endpoints,
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
    data_json: str | None = None
    cached: bool = False


def validate_files(
    root: Path,
    selected: Sequence[str | Path],
    context: Sequence[str | Path],
    *,
    use_cache: bool = True,
    jobs: int = 1,
    with_models: bool = True,
    endpoints: bool = False,
    prune: bool = False,
) -> Tree:
    """Validate `selected` (in the context of `context`). `prune` drops cache entries of
    files not in `context`: only for a run over the whole tree."""
    from reconciler.load.validate_file import CONFIG, config_file_findings, rel_path

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

    # Files are read as they are checked (_check_all). reconciler.yaml first: its network.allow changes what the URL rules accept.
    cache = _open_cache(root) if use_cache else None
    configs = [f for f in files if f.kind == CONFIG]
    _check_all(configs, [], cache, jobs, with_data=True)  # tree.config needs the document
    allow: list[str] = []
    for item in configs:
        assert item.result is not None
        if item.raw is None:  # unreadable
            continue
        if item.rel == CONFIG_FILE and item.result.facts:
            allow = list(item.result.facts.get("allow", []))
        extra = config_file_findings(item.result, item.rel, root)
        item.result.findings.extend(
            (f.line, f.col, f.rule, f.message, str(f.severity), f.hint) for f in extra
        )

    rest = [f for f in files if f.result is None]
    _check_all(
        rest,
        allow,
        cache,
        jobs,
        with_data=with_models or endpoints,
    )
    if cache is not None:
        if prune:
            cache.keep_only({f.key for f in files if f.key})
        cache.close()
    _assemble(tree, files, chosen, with_models, endpoints)
    return tree


def _open_cache(root: Path) -> ResultCache:
    from reconciler.load.cache import ResultCache

    return ResultCache(root)


def _check_all(
    todo: list[_File],
    allow: list[str],
    cache: ResultCache | None,
    jobs: int,
    *,
    with_data: bool,
) -> None:
    """Read, look up in the cache, validate the rest (and cache their results)."""
    if not todo:
        return
    environment = ""
    if cache is not None:
        from reconciler.load.cache import package_fingerprint

        environment = f"{package_fingerprint()}|{json.dumps(sorted(allow))}"
    _read(todo)
    _look_up([item for item in todo if item.result is None], cache, environment, with_data)
    missing = [item for item in todo if item.result is None]
    outputs = _run_checks([(item.kind, item.raw or b"") for item in missing], allow, jobs)
    rows = []
    for item, (result, data_json) in zip(missing, outputs, strict=True):
        item.result = result
        item.data_json = data_json
        rows.append((item.key, _dumps(result.findings), _dumps(result.facts), data_json))
    if cache is not None:
        cache.put_many(rows)


def _look_up(
    items: list[_File], cache: ResultCache | None, environment: str, with_data: bool
) -> None:
    """Fill in the results the cache has for these (read) files."""
    if cache is None or not items:
        return
    from reconciler.load.cache import entry_key
    from reconciler.load.validate_file import FileResult

    for item in items:
        assert item.raw is not None
        item.key = entry_key(environment, item.kind, item.raw)
    hits = cache.get_many({item.key for item in items}, with_data=with_data)
    for item in items:
        hit = hits.get(item.key)
        if hit is not None:
            # Most files have no finding: no need to decode "[]" a thousand times.
            findings = [tuple(f) for f in json.loads(hit[0])] if hit[0] != "[]" else []
            facts = json.loads(hit[1]) if hit[1] else None
            item.result = FileResult(item.kind, findings, facts)
            item.data_json = hit[2] if with_data else None
            item.cached = True


def _read(items: list[_File]) -> None:
    from reconciler.load.limits import MAX_BYTES
    from reconciler.load.validate_file import FileResult, read_bytes

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


def _check_chunk(
    chunk: list[tuple[str | None, bytes]], allow: list[str]
) -> list[tuple[FileResult, str | None]]:
    from reconciler.load.validate_file import check_document

    out = []
    for kind, raw in chunk:
        result = check_document(raw, kind, allow)
        # Travels as JSON text (cheaper to pickle, ready for the cache); a flow as its
        # canonical spec, which is also what the store keeps.
        data_json = result.spec or (_dumps(result.data) if result.data is not None else None)
        result.data = result.spec = None
        out.append((result, data_json))
    return out


def _run_checks(
    items: list[tuple[str | None, bytes]],
    allow: list[str],
    jobs: int,
) -> list[tuple[FileResult, str | None]]:
    if jobs <= 1 or len(items) < PARALLEL_MIN:
        return _check_chunk(items, allow)
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    from reconciler.core.schema import load_format_checks
    from reconciler.load.validate_file import checker

    for kind in ("flow", "request", "config"):
        _ = checker(kind).fast  # set up once in the parent; workers inherit it
    load_format_checks()  # ... and the format checks' libraries
    import reconciler.load.yamlsafe
    import reconciler.models  # noqa: F401

    size = max(50, len(items) // (jobs * 4))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    # fork: workers inherit the schemas and imports. Never while another thread runs: a
    # fork copies its locks mid-use (forkserver then; its workers import on their own).
    method = "fork" if threading.active_count() == 1 else "forkserver"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        results = pool.map(_check_chunk, chunks, [allow] * len(chunks))
        return [pair for chunk_result in results for pair in chunk_result]


def _assemble(
    tree: Tree, files: list[_File], chosen: set[str], with_models: bool, endpoints: bool
) -> None:
    from reconciler.core.rules.tree import FlowFacts, NameAt, RequestFacts, check_tree

    flow_facts: list[FlowFacts] = []
    request_facts: list[RequestFacts] = []
    findings: list[Finding] = []
    for item in files:
        result = item.result
        assert result is not None
        if item.rel in chosen:
            tree.files += 1
            tree.cached += item.cached
            findings.extend(result.located(item.rel))
        facts = result.facts or {}
        name = NameAt(*facts["name"]) if facts.get("name") else None
        if result.kind == "flow":
            flow_facts.append(FlowFacts(item.rel, name, frozenset(facts.get("endpoints", ()))))
        elif result.kind == "request":
            refs = tuple(NameAt(*ref) for ref in facts.get("flows", ()))
            request_facts.append(RequestFacts(item.rel, name, facts.get("action"), refs))
        elif result.kind == "config" and item.data_json is not None:
            # The validator ran the Config model on it (or did so when it was cached).
            tree.config = RepoConfig.from_document(json.loads(item.data_json))
    findings.extend(f for f in check_tree(flow_facts, request_facts) if f.path in chosen)
    tree.findings = sorted(findings, key=Finding.sort_key)
    if with_models:
        _models(tree, files, chosen)
    if endpoints:
        tree.endpoints = [
            found
            for item in files
            if item.result is not None and item.result.kind == "flow"
            if (found := _flow_endpoints(item)) is not None
        ]


def _flow_endpoints(item: _File) -> FlowEndpoints | None:
    """A structurally valid flow's URLs with their positions, from its facts (no parse of
    the document: the Flow model accepted it, so the name and URLs are strings)."""
    result = item.result
    if item.data_json is None or result is None or result.kind != "flow" or not result.facts:
        return None
    facts = result.facts
    found = facts.get("urls") or {}
    urls = {action: value[0] for action, value in found.items()}
    where = {action: (value[1], value[2]) for action, value in found.items()}
    return FlowEndpoints(item.rel, facts["name"][0], urls, where)


def _models(tree: Tree, files: list[_File], chosen: set[str]) -> None:
    from pydantic import ValidationError

    from reconciler.models import Flow, Request

    for item in files:
        result = item.result
        assert result is not None
        if item.data_json is None:  # not structurally valid
            continue
        try:
            if result.kind == "flow":
                # The canonical spec: the model parses straight from it, and the same text
                # is what apply writes (no second serialization of 10,000 flows).
                spec = item.data_json
                flow = Flow.model_validate_json(spec)
                tree.flows.append(FlowFile(item.rel, folder_of(item.rel), flow, spec))
            elif result.kind == "request" and item.rel in chosen:
                tree.requests.append(
                    RequestFile(item.rel, Request.model_validate(json.loads(item.data_json)))
                )
        except ValidationError as exc:  # schema and model disagree: a bug, but say where
            tree.findings.append(
                Finding(
                    item.rel, 1, 1, "schema", f"not a valid {result.kind}: {exc}", Severity.ERROR
                )
            )
