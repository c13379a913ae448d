"""Rules across files: unique flow and request names, requests naming existing flows.

They work on small per-file facts (names and where they are), so the result cache can
keep the facts and these rules still run on every validation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from reconciler.core.findings import Finding
from reconciler.core.suggest import did_you_mean


class NameAt(NamedTuple):
    name: str
    line: int
    col: int


class FlowFacts(NamedTuple):
    path: str
    name: NameAt | None
    endpoints: frozenset[str] = frozenset()  # actions with a URL: "resubmit", "resume"


class RequestFacts(NamedTuple):
    path: str
    name: NameAt | None
    action: str | None
    flows: tuple[NameAt, ...] = ()


def _where(path: str, at: NameAt) -> str:
    return f"{path}:{at.line}"


def _clashes(
    items: Iterable[FlowFacts | RequestFacts],
) -> Iterator[tuple[str, NameAt, list[tuple[str, NameAt]]]]:
    """(path, name, [(other path, other name)...]) for names shared ignoring case."""
    groups: dict[str, list[tuple[str, NameAt]]] = defaultdict(list)
    for facts in items:
        if facts.name is not None:
            groups[facts.name.name.casefold()].append((facts.path, facts.name))
    for members in groups.values():
        if len(members) > 1:
            for index, (path, name) in enumerate(members):
                yield path, name, members[:index] + members[index + 1 :]


def duplicate_flow_names(flows: Iterable[FlowFacts]) -> list[Finding]:
    findings: list[Finding] = []
    for path, name, others in _clashes(flows):
        exact = [(p, n) for p, n in others if n.name == name.name]
        if exact:
            where = ", ".join(_where(p, n) for p, n in exact)
            message = f"duplicate flow name '{name.name}': also defined in {where}"
        else:
            other_path, other = others[0]
            message = (
                f"flow name '{name.name}' differs only in case from "
                f"'{other.name}' ({_where(other_path, other)})"
            )
        findings.append(
            Finding(
                path,
                name.line,
                name.col,
                "duplicate-flow-name",
                message,
                hint="flow names are unique in the repository, also ignoring case",
            )
        )
    return findings


def duplicate_request_names(requests: Iterable[RequestFacts]) -> list[Finding]:
    return [
        Finding(
            path,
            name.line,
            name.col,
            "duplicate-request-name",
            f"duplicate request name '{name.name}': also used in "
            + ", ".join(_where(p, n) for p, n in others),
            hint="a request name is its ledger key and unique forever; pick a new name",
        )
        for path, name, others in _clashes(requests)
    ]


def request_flow_references(
    requests: Iterable[RequestFacts], flows: Iterable[FlowFacts]
) -> list[Finding]:
    by_name = {f.name.name: f for f in flows if f.name is not None}
    findings: list[Finding] = []
    for request in requests:
        for ref in request.flows:
            flow = by_name.get(ref.name)
            if flow is None:
                findings.append(
                    Finding(
                        request.path,
                        ref.line,
                        ref.col,
                        "unknown-flow",
                        f"flow '{ref.name}' does not exist in flows.d/",
                        hint=did_you_mean(ref.name, by_name)
                        or "flow names are case-sensitive; see the name: of each flow file",
                    )
                )
            elif request.action in ("resubmit", "resume") and request.action not in flow.endpoints:
                findings.append(
                    Finding(
                        request.path,
                        ref.line,
                        ref.col,
                        "flow-without-endpoint",
                        f"flow '{ref.name}' has no {request.action} URL ({flow.path})",
                        hint=f"add `{request.action}: {{url: https://...}}` to the flow, "
                        "or remove it from this request",
                    )
                )
    return findings


def check_tree(flows: list[FlowFacts], requests: list[RequestFacts]) -> list[Finding]:
    return [
        *duplicate_flow_names(flows),
        *duplicate_request_names(requests),
        *request_flow_references(requests, flows),
    ]
