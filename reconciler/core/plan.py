"""Reconcile plan: desired flows (Git) against stored flows -> plan entries. Pure.

A stored flow's `spec` is the canonical JSON of the Flow model (`flow_spec`): header
`valueFrom` stays a reference (`{"env": NAME}`), nothing is ever resolved. `applied_hash` is
the hash apply wrote; a stored spec whose hash differs was changed outside `apply` (drift).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from operator import attrgetter
from typing import Any

from pydantic import ValidationError

from reconciler.core.fielddiff import FieldChange, diff_values
from reconciler.models import Flow


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    DRIFT = "drift"
    ADOPT = "adopt"
    UNMANAGED = "unmanaged"
    NOOP = "noop"


# Actions `apply` writes (delete only with --prune); unmanaged/noop are information.
CHANGING = (Action.CREATE, Action.UPDATE, Action.DRIFT, Action.ADOPT, Action.DELETE)
ACTION_ORDER = {a: i for i, a in enumerate(Action)}


def flow_spec(flow: Flow) -> str:
    """Canonical stored text of a flow: the model's JSON with defaults filled in, in the
    model's field order (stable). pydantic's serializer is the fast path here (10,000 flows
    per plan). Keys added after the first release are left out while unset, so that an
    upgrade of the tool changes no stored flow."""
    if flow.dispatch.rateLimit is None:
        return flow.model_dump_json(exclude={"dispatch": {"rateLimit"}})
    return flow.model_dump_json()


def spec_hash(spec: str) -> str:
    return "sha256:" + hashlib.sha256(spec.encode()).hexdigest()


# Plain slotted dataclasses (not frozen): 10,000 of them are built per plan, and frozen
# dataclasses pay for object.__setattr__ on every field. Treat them as immutable.
@dataclass(slots=True)
class DesiredFlow:
    """One valid flow file."""

    name: str
    folder: str
    path: str
    spec: str
    hash: str
    flow: Flow

    @classmethod
    def of(cls, flow: Flow, *, folder: str, path: str, spec: str | None = None) -> DesiredFlow:
        """`spec`: flow_spec(flow) when the caller has it already (the validator makes it)."""
        if spec is None:
            spec = flow_spec(flow)
        return cls(flow.name, folder, path, spec, spec_hash(spec), flow)


@dataclass(slots=True)
class StoredFlow:
    """One row of the `flows` table. `spec` is loaded only where the plan needs it (a
    change); `spec_hash` is the stored spec's hash when the server computed it."""

    name: str
    folder: str
    path: str | None
    managed: bool
    applied_hash: str | None = None
    applied_at: str | None = None
    applied_by: str | None = None
    applied_commit: str | None = None
    updated_at: str | None = None
    updated_by: str | None = None
    spec: str | None = None
    spec_hash: str | None = None

    @property
    def touched_outside_apply(self) -> bool:
        """Apply writes updated_at == applied_at; the store's trigger stamps updated_at on
        any other write to a flow's content."""
        return self.updated_at != self.applied_at

    def current_hash(self) -> str | None:
        """Hash of the stored spec; None when unknown without loading the spec."""
        if self.spec is not None:
            return spec_hash(self.spec)
        if self.spec_hash is not None:
            return self.spec_hash
        return None if self.touched_outside_apply else self.applied_hash

    @property
    def drifted(self) -> bool:
        """Changed outside apply since the last apply (managed flows only); True when it
        was touched and the spec is not loaded to tell."""
        if not self.managed or self.applied_hash is None:
            return False
        return self.current_hash() != self.applied_hash

    def unchanged_as(self, d: DesiredFlow) -> bool:
        """A managed flow whose store copy is exactly `d`, decided without the spec.
        (Inlined current_hash(): this runs for every flow, twice per plan.)"""
        if not (
            self.applied_hash == d.hash
            and self.managed
            and self.folder == d.folder
            and self.path == d.path
        ):
            return False
        if self.spec is not None:
            return self.spec == d.spec or spec_hash(self.spec) == d.hash
        if self.spec_hash is not None:
            return self.spec_hash == d.hash
        return self.updated_at == self.applied_at


@dataclass(slots=True)
class PlanEntry:
    action: Action
    flow: str
    path: str | None = None
    folder: str | None = None
    changes: tuple[FieldChange, ...] = ()
    before_hash: str | None = None
    after_hash: str | None = None
    note: str | None = None
    # drift: who/when the store copy was last written, when known
    changed_by: str | None = None
    changed_at: str | None = None
    git_changed: bool = False
    mappings_changed: bool = False
    desired: DesiredFlow | None = field(default=None, compare=False, repr=False)

    @property
    def changing(self) -> bool:
        return self.action in CHANGING

    def urls(self) -> dict[str, str]:
        """Endpoint URLs this entry writes (action -> URL), for the endpoint checks."""
        if self.desired is None or not self.changing:
            return {}
        flow = self.desired.flow
        return {a: e.url for a, e in (("resubmit", flow.resubmit), ("resume", flow.resume)) if e}

    def changed_urls(self) -> dict[str, str]:
        """URLs new to the store with this entry (all of them for a create)."""
        urls = self.urls()
        if self.action is Action.CREATE:
            return urls
        touched = {c.path.split(".", 1)[0] for c in self.changes if c.path.endswith(".url")}
        touched |= {c.path for c in self.changes if c.path in urls and c.kind == "added"}
        return {a: u for a, u in urls.items() if a in touched}

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"action": str(self.action), "flow": self.flow}
        for key, value in (
            ("path", self.path),
            ("folder", self.folder),
            ("beforeHash", self.before_hash),
            ("afterHash", self.after_hash),
            ("note", self.note),
            ("changedBy", self.changed_by),
            ("changedAt", self.changed_at),
        ):
            if value is not None:
                data[key] = value
        if self.git_changed:
            data["gitChanged"] = True
        if self.changes:
            data["changes"] = [c.to_json() for c in self.changes]
        return data


@dataclass(frozen=True)
class Plan:
    entries: tuple[PlanEntry, ...]
    noop: int
    store_revision: int
    tree_hash: str
    adopt: bool = False
    # The stored flows it was computed on (Store.flows_state()); None when unknown or when
    # a write landed while they were read. Apply reuses a plan only on the same state.
    state: tuple[int, int] | None = None
    # The desired flows it was computed from (to tell cheaply that apply got the same list).
    basis: Sequence[DesiredFlow] | None = field(default=None, compare=False, repr=False)

    @property
    def changes(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.changing]

    @property
    def has_changes(self) -> bool:
        return any(e.changing for e in self.entries)

    @property
    def deletes(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.action is Action.DELETE]

    def counts(self) -> dict[str, int]:
        counts = {str(a): 0 for a in Action}
        for entry in self.entries:
            counts[str(entry.action)] += 1
        counts[str(Action.NOOP)] = self.noop
        return counts

    def digest(self) -> str:
        """Identifies what this plan would do; a saved plan must match the recomputed one."""
        text = json.dumps(
            [e.to_json() for e in self.entries if e.changing], sort_keys=True, default=str
        )
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    def changed_urls(self) -> list[tuple[str, str, str]]:
        """(flow, action, url) for every endpoint URL created or changed by this plan."""
        return [
            (e.flow, action, url) for e in self.changes for action, url in e.changed_urls().items()
        ]


def tree_hash(desired: Iterable[DesiredFlow]) -> str:
    """Identifies the desired tree (names, folders, paths, specs)."""
    text = "".join(
        [f"{d.name}\0{d.folder}\0{d.path}\0{d.hash}\n" for d in sorted(desired, key=_name_of)]
    )
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


_name_of = attrgetter("name")


def specs_needed(desired: Iterable[DesiredFlow], stored: Mapping[str, StoredFlow]) -> list[str]:
    """Stored flows whose spec `compute_plan` must see: every one that may differ."""
    return [
        d.name
        for d in desired
        if (s := stored.get(d.name)) is not None and s.spec is None and not s.unchanged_as(d)
    ]


def compute_plan(
    desired: Sequence[DesiredFlow],
    stored: Mapping[str, StoredFlow],
    *,
    store_revision: int,
    adopt: bool = False,
) -> Plan:
    entries: list[PlanEntry] = []
    noop = 0
    for d in desired:
        s = stored.get(d.name)
        if s is None:
            entries.append(
                PlanEntry(
                    Action.CREATE,
                    d.name,
                    d.path,
                    d.folder,
                    after_hash=d.hash,
                    git_changed=True,
                    mappings_changed=True,
                    desired=d,
                )
            )
            continue
        if s.unchanged_as(d):
            noop += 1
            continue
        if s.spec is None:
            raise ValueError(f"stored spec of {s.name!r} not loaded (see specs_needed)")
        # Equal text means equal hash: skip hashing the stored copy.
        current = d.hash if s.spec == d.spec else spec_hash(s.spec)
        same = current == d.hash and s.folder == d.folder and s.path == d.path
        if not s.managed:
            if adopt:
                entries.append(_changed(Action.ADOPT, d, s, current, "taken over by Git (--adopt)"))
            else:
                entries.append(
                    _changed(
                        Action.UNMANAGED,
                        d,
                        s,
                        current,
                        "declared in Git but the store copy was not created by Git; "
                        "left alone (use --adopt to take it over)",
                    )
                )
            continue
        if s.applied_hash is not None and current != s.applied_hash:
            git_changed = d.hash != s.applied_hash
            entry = _changed(
                Action.DRIFT,
                d,
                s,
                current,
                "changed outside Git since the last apply; apply restores the Git version"
                + (" (which also changed)" if git_changed else ""),
            )
            by, at = _writer(s)
            entries.append(_replace(entry, changed_by=by, changed_at=at, git_changed=git_changed))
        elif same:
            noop += 1
        else:
            entries.append(_changed(Action.UPDATE, d, s, current, None))
    names = {d.name for d in desired}
    for s in stored.values():
        if s.name in names:
            continue
        if s.managed:
            entries.append(
                PlanEntry(
                    Action.DELETE,
                    s.name,
                    s.path,
                    s.folder,
                    before_hash=s.current_hash() or s.applied_hash,
                    note="no longer in Git (deleted only with --prune)",
                    mappings_changed=True,
                )
            )
        else:
            entries.append(
                PlanEntry(
                    Action.UNMANAGED,
                    s.name,
                    s.path,
                    s.folder,
                    before_hash=s.current_hash(),
                    note="not created by Git; never touched",
                )
            )
    # By action, then flow (a stable sort by flow, then by action).
    entries.sort(key=_by_flow)
    entries.sort(key=_action_rank)
    return Plan(tuple(entries), noop, store_revision, tree_hash(desired), adopt, basis=desired)


_by_flow = attrgetter("flow")


def _action_rank(entry: PlanEntry) -> int:
    return ACTION_ORDER[entry.action]


def _writer(s: StoredFlow) -> tuple[str | None, str | None]:
    """Who/when changed the row outside apply: known only when the writer stamped
    updated_at/updated_by (the store's trigger does) after the last apply."""
    if s.updated_at and s.updated_at != s.applied_at:
        return s.updated_by, s.updated_at
    return None, None


def _replace(entry: PlanEntry, **changes: Any) -> PlanEntry:
    return dataclasses.replace(entry, **changes)


def _changed(
    action: Action, d: DesiredFlow, s: StoredFlow, current: str, note: str | None
) -> PlanEntry:
    before = _document(s)
    after = _document_of(d)
    changes = diff_values(before, after)
    mappings_changed = before.get("mappings") != after.get("mappings")
    return PlanEntry(
        action,
        d.name,
        d.path,
        d.folder,
        tuple(changes),
        before_hash=current,
        after_hash=d.hash,
        note=note,
        git_changed=action is not Action.DRIFT,
        mappings_changed=mappings_changed,
        desired=d,
    )


def _document_of(d: DesiredFlow) -> dict[str, Any]:
    return {**d.flow.model_dump(mode="json"), "folder": d.folder, "file": d.path}


def _document(s: StoredFlow) -> dict[str, Any]:
    """A stored flow for diffing, defaults filled in; a spec broken by a hand edit is shown
    as it is rather than failing the plan."""
    text = s.spec
    if text is None:
        raise ValueError(f"stored spec of {s.name!r} not loaded")
    spec: Any
    try:
        spec = Flow.model_validate_json(text).model_dump(mode="json")
    except ValidationError:
        try:
            spec = json.loads(text)
        except ValueError:
            spec = {"<unreadable spec>": text[:200]}
        if not isinstance(spec, dict):
            spec = {"<unreadable spec>": spec}
    return {**spec, "folder": s.folder, "file": s.path}
