"""Plan and apply: the desired tree against the store, under the writer lock, in one
transaction. The CLI and the benchmark call these; endpoint checks plug in as an ApplyHook."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from reconciler.core.findings import Severity
from reconciler.core.plan import (
    Action,
    DesiredFlow,
    Plan,
    PlanEntry,
    compute_plan,
    specs_needed,
    tree_hash,
)
from reconciler.core.words import plural
from reconciler.errors import InputError, PruneRefused, StalePlanError, ValidationFailed
from reconciler.load.tree import CONFIG_FILE, FLOWS_DIR, load_tree
from reconciler.provenance import Provenance
from reconciler.store.base import Store, utcnow
from reconciler.store.flows import Stamp, fill_specs, load_flows, write_changes
from reconciler.store.lock import StoreLock

DEFAULT_MAX_DELETES = 5
MAX_LISTED_FINDINGS = 10


def desired_flows(root: Path) -> list[DesiredFlow]:
    """Every flow file of the tree; refuses when any is invalid (no partial sync)."""

    flows_dir = root / FLOWS_DIR
    if not flows_dir.is_dir():
        # An empty desired state would plan to delete every managed flow.
        raise InputError(
            f"no {FLOWS_DIR}/ directory under {root}",
            hint="run from the config repository root or pass --repo PATH",
        )
    paths = [flows_dir] + ([root / CONFIG_FILE] if (root / CONFIG_FILE).exists() else [])
    tree = load_tree(root, paths)
    errors = sorted(
        (f for f in tree.findings if f.severity is Severity.ERROR), key=lambda f: f.sort_key()
    )
    if errors:
        files = len({f.path for f in errors})
        listed = "\n".join(f"  {f.location}: {f.message}" for f in errors[:MAX_LISTED_FINDINGS])
        more = len(errors) - MAX_LISTED_FINDINGS
        raise ValidationFailed(
            f"{plural(len(errors), 'error')} in {plural(files, 'file')}; refusing to sync a broken tree:\n"
            + listed
            + (f"\n  ... and {more} more" if more > 0 else ""),
            hint="fix them (`reconciler validate`); plan/apply never sync part of a tree",
        )
    return [DesiredFlow.of(f.flow, folder=f.folder, path=f.path, spec=f.spec) for f in tree.flows]


def make_plan(store: Store, desired: Sequence[DesiredFlow], *, adopt: bool = False) -> Plan:
    """Reads the flows' heads, then only the specs of flows that may have changed."""
    before = store.flows_state()
    stored = load_flows(store)
    fill_specs(store, stored, specs_needed(desired, stored))
    after = store.flows_state() if not store.in_transaction else before
    plan = compute_plan(desired, stored, store_revision=after[0], adopt=adopt)
    # Outside a transaction the two reads may straddle a commit: then the plan is only
    # good for showing, and apply computes its own.
    return replace(plan, state=before if before == after else None)


def reusable(plan: Plan | None, state: tuple[int, int], desired: Sequence[DesiredFlow]) -> bool:
    """Whether `plan` is what make_plan would compute now: same stored flows (state) and
    the same desired tree."""
    return (
        plan is not None
        and plan.state == state
        and (plan.basis is desired or plan.tree_hash == tree_hash(desired))
    )


# -- saved plans ----------------------------------------------------------------------------
PLAN_KIND = "plan"


@dataclass(frozen=True)
class SavedPlan:
    """What `apply --plan` checks: the store revision and tree the plan was made on, and
    the digest of its changes."""

    path: str
    store_revision: int
    tree_hash: str
    digest: str
    adopt: bool

    @classmethod
    def read(cls, path: Path) -> SavedPlan:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"cannot read plan file {path}: {exc.strerror}") from exc
        except ValueError as exc:
            raise InputError(f"{path}: not a JSON plan file ({exc})") from exc
        if not isinstance(data, dict) or data.get("kind") != PLAN_KIND:
            raise InputError(f"{path}: not a plan file (written by `reconciler plan --out`)")
        try:
            return cls(
                str(path),
                int(data["storeRevision"]),
                str(data["treeHash"]),
                str(data["digest"]),
                bool(data.get("adopt", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}: plan file is missing {exc}") from exc

    def check(self, plan: Plan) -> None:
        if plan.store_revision != self.store_revision:
            raise StalePlanError(
                f"plan {self.path} is stale: it was computed on store revision "
                f"{self.store_revision}, the store is now at revision {plan.store_revision}",
                hint="run `reconciler plan` again and review the new plan",
            )
        if plan.tree_hash != self.tree_hash:
            raise StalePlanError(
                f"plan {self.path} is stale: flows.d/ changed since it was computed",
                hint="run `reconciler plan` again on the current tree",
            )
        if plan.digest() != self.digest:
            raise StalePlanError(
                f"plan {self.path} is stale: the store's flows changed since it was computed "
                "(an edit outside apply)",
                hint="run `reconciler plan` again and review the new plan",
            )


# -- apply ----------------------------------------------------------------------------------
class ApplyHook(Protocol):
    """Extension point (endpoint checks: warn/record, --require-reachable).

    `check` runs inside the apply transaction after the plan is computed and before
    anything is written; raise a ReconcilerError to refuse. `record` runs in the same
    transaction after the flows are written (e.g. store check results)."""

    def check(self, plan: Plan) -> None: ...

    def record(self, store: Store, plan: Plan, applied: Sequence[PlanEntry]) -> None: ...


@dataclass(frozen=True)
class ApplyOptions:
    prune: bool = False
    max_deletes: int = DEFAULT_MAX_DELETES
    adopt: bool = False
    saved: SavedPlan | None = None
    lock_timeout: float = 60.0


@dataclass
class ApplyResult:
    plan: Plan
    applied: list[PlanEntry]
    skipped_deletes: list[PlanEntry]
    revision: int
    provenance: Provenance
    at: str
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "storeRevision": self.revision,
            "at": self.at,
            "actor": self.provenance.actor,
            "commit": self.provenance.commit,
            "applied": [e.to_json() for e in self.applied],
            "skippedDeletes": [e.flow for e in self.skipped_deletes],
            "summary": _counts(self.applied),
            "notes": self.notes,
        }


def _counts(entries: Sequence[PlanEntry]) -> dict[str, int]:
    counts = {str(a): 0 for a in (Action.CREATE, Action.UPDATE, Action.DRIFT, Action.ADOPT)}
    counts[str(Action.DELETE)] = 0
    for e in entries:
        counts[str(e.action)] += 1
    return counts


def apply_flows(
    store: Store,
    desired: Sequence[DesiredFlow],
    options: ApplyOptions,
    provenance: Provenance,
    hooks: Sequence[ApplyHook] = (),
    planned: Plan | None = None,
) -> ApplyResult:
    """Plan and write under the writer lock in one transaction: all changes or none.
    `planned` (make_plan's result on the same `desired`, e.g. for the endpoint checks made
    before the lock) is used when the stored flows have not changed since; otherwise the
    plan is computed again under the lock."""
    adopt = options.saved.adopt if options.saved else options.adopt
    with (
        StoreLock(
            store, purpose="apply", actor=provenance.actor, timeout=options.lock_timeout
        ) as lock,
        store.transaction(),
    ):
        if (
            planned is not None
            and planned.adopt == adopt
            and reusable(planned, store.flows_state(), desired)
        ):
            plan = planned
        else:
            plan = make_plan(store, desired, adopt=adopt)
        if options.saved is not None:
            options.saved.check(plan)
        deletes = plan.deletes
        if deletes and options.prune and len(deletes) > options.max_deletes:
            names = ", ".join(repr(e.flow) for e in deletes[:10])
            raise PruneRefused(
                f"refusing to delete {len(deletes)} flows (more than --max-deletes "
                f"{options.max_deletes}): {names}{', ...' if len(deletes) > 10 else ''}; "
                "nothing was changed",
                hint=f"if these deletes are intended, rerun with --max-deletes {len(deletes)}",
            )
        applied = [e for e in plan.changes if options.prune or e.action is not Action.DELETE]
        skipped = [] if options.prune else deletes
        for hook in hooks:
            hook.check(plan)
        revision = plan.store_revision
        at = utcnow()
        if applied:
            revision = store.bump_revision()
            write_changes(
                store, applied, Stamp(at, provenance.actor, provenance.commit), revision=revision
            )
        for hook in hooks:
            hook.record(store, plan, applied)
    notes = []
    if lock.took_over is not None:
        notes.append(f"took over the expired store lock of {lock.took_over.describe()}")
    if skipped:
        notes.append(
            f"{plural(len(skipped), 'flow')} no longer in Git "
            + ("was" if len(skipped) == 1 else "were")
            + " not deleted (use --prune): "
            + ", ".join(e.flow for e in skipped[:10])
            + (", ..." if len(skipped) > 10 else "")
        )
    return ApplyResult(plan, applied, skipped, revision, provenance, at, notes)
