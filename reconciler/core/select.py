"""Run selection: a request's `select:` block -> a SelectionSpec (pure, no SQL).

`compile_selection(selection, statuses)` resolves names/groups to codes and timestamps to
UTC epoch microseconds; `make_spec` builds the same from `runs list` options and is the one
place filters are checked. The store turns a spec into SQL (reconciler.store.selection_sql).

Semantics (both stores alike):
- time window half-open, `after <= executionTime < before`, instants compared in UTC;
  runs without an executionTime never match a window;
- chainIds, runIds (id or workFlowRunId), workflows, DSAV exact: exact, case-sensitive;
- `{contains: x}`, `search`, property `contains/startsWith/endsWith`: case-sensitive
  substring tests (no LIKE: SQLite's LIKE ignores ASCII case, PostgreSQL's does not);
- property values are read from the stored record (`properties.<name>`); a string
  compares as itself, other JSON values as their JSON text (`true`, `12`); a missing or
  null property matches only `notEquals`;
- `regex`: see `reconciler.core.regex` for the subset accepted (POSIX ERE-like, the
  common ground of PostgreSQL `~` and RE2, which backs SQLite's REGEXP).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from reconciler.core.regex import regex_problem, shown_pattern
from reconciler.core.statuses import ERROR_GROUP, StatusTable
from reconciler.errors import InputError

if TYPE_CHECKING:
    from reconciler.models.request import Selection

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

DSAV_COLUMNS = ("domain", "service", "action", "version")
# Selection key -> runs column, for the DSAV filters.
SEARCH_COLUMNS = ("chain_id", *DSAV_COLUMNS)
# fromRequest outcomes: a batch outcome of the earlier request, or what became of its chains
FAILED_AGAIN = "failed-again"
FROM_REQUEST_OUTCOMES = ("failed", "delivered", "any", FAILED_AGAIN)


# -- time ----------------------------------------------------------------------------------
def to_epoch_us(moment: datetime) -> int:
    """An aware datetime -> UTC epoch microseconds (exact, no float rounding)."""
    if moment.tzinfo is None:
        raise ValueError("a timestamp needs a zone")
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def format_epoch_us(value: int | None) -> str | None:
    """ISO 8601 in UTC with milliseconds (how Invictus writes executionTime); microseconds
    only when there are any."""
    if value is None:
        return None
    seconds, micros = divmod(value, 1_000_000)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    if micros % 1000 == 0:
        return f"{text}.{micros // 1000:03d}Z"
    return f"{text}.{micros:06d}Z"


_ISO_FRACTION = re.compile(r"(\.\d{1,6})\d*")


def parse_timestamp_us(text: str) -> int:
    """An ISO 8601 timestamp as Invictus writes it -> UTC epoch microseconds.
    No zone means UTC (Invictus writes UTC); more than 6 fraction digits are truncated."""
    try:
        moment = datetime.fromisoformat(text)  # the common case, without the regex
    except ValueError:
        moment = datetime.fromisoformat(_ISO_FRACTION.sub(r"\1", text.strip(), count=1))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return to_epoch_us(moment)


# -- the compiled selection ----------------------------------------------------------------
# (Plain dataclasses, no pydantic: `runs list` builds a spec from options without paying
# for the models at start-up; request files come through `compile_selection`.)
PropertyOp = Literal["equals", "notEquals", "startsWith", "endsWith", "contains", "regex"]
PROPERTY_OPS: tuple[str, ...] = (
    "equals",
    "notEquals",
    "startsWith",
    "endsWith",
    "contains",
    "regex",
)


@dataclass(frozen=True)
class TextFilter:
    """A DSAV filter: exact value or case-sensitive substring."""

    column: str
    op: Literal["equals", "contains"]
    value: str


@dataclass(frozen=True)
class PropertyTest:
    name: str
    op: PropertyOp
    value: str


@dataclass(frozen=True)
class SelectionSpec:
    """A Selection with statuses resolved to codes and the window in epoch microseconds.
    `status_ids` None = any status."""

    status_ids: frozenset[int] | None = None
    after_us: int | None = None
    before_us: int | None = None
    chain_ids: tuple[str, ...] = ()
    run_ids: tuple[str, ...] = ()
    workflows: tuple[str, ...] = ()
    texts: tuple[TextFilter, ...] = ()
    properties: tuple[PropertyTest, ...] = ()
    search: str | None = None
    from_request: tuple[str, str] | None = None  # (request name, outcome)
    # outcome failed-again: the statusIds that count as failing again (the Error group)
    failed_again_ids: frozenset[int] = frozenset()

    def restrict_statuses(self, allowed: frozenset[int]) -> SelectionSpec:
        """This selection, narrowed to the given codes (e.g. resume: the Error group)."""
        current = self.status_ids
        return replace(self, status_ids=allowed if current is None else current & allowed)


def make_spec(
    statuses: StatusTable,
    *,
    status: Sequence[str | int] = (),
    after: datetime | None = None,
    before: datetime | None = None,
    chain_ids: Sequence[str] = (),
    run_ids: Sequence[str] = (),
    workflows: Sequence[str] = (),
    texts: Sequence[TextFilter] = (),
    properties: Sequence[PropertyTest] = (),
    search: str | None = None,
    from_request: tuple[str, str] | None = None,
) -> SelectionSpec:
    """The one place filters are checked: unknown status, naive or reversed window, regex
    outside the portable subset all raise InputError."""
    for moment in (after, before):
        if moment is not None and moment.tzinfo is None:
            raise InputError(f"timestamp {moment.isoformat()} has no zone (add Z or +hh:mm)")
    if after is not None and before is not None and after >= before:
        raise InputError("the time window's 'after' must be earlier than 'before'")
    for prop in properties:
        if prop.op not in PROPERTY_OPS:
            raise InputError(f"property {prop.name!r}: unknown operator {prop.op!r}")
        if prop.op == "regex":
            problem = regex_problem(prop.value)
            if problem:
                raise InputError(
                    f"property {prop.name!r}: regex {shown_pattern(prop.value)}: {problem}",
                    hint="see README 'Run selection' for the regex subset both stores accept",
                )
    return SelectionSpec(
        status_ids=statuses.resolve(status) if status else None,
        after_us=to_epoch_us(after) if after else None,
        before_us=to_epoch_us(before) if before else None,
        chain_ids=tuple(chain_ids),
        run_ids=tuple(run_ids),
        workflows=tuple(workflows),
        texts=tuple(texts),
        properties=tuple(properties),
        search=search,
        from_request=from_request,
        failed_again_ids=(
            frozenset(statuses.group_codes(ERROR_GROUP))
            if from_request is not None and from_request[1] == FAILED_AGAIN
            else frozenset()
        ),
    )


def compile_selection(selection: Selection, statuses: StatusTable) -> SelectionSpec:
    """A request's `select:` block -> SelectionSpec (InputError as in `make_spec`)."""
    texts: list[TextFilter] = []
    for column in DSAV_COLUMNS:
        value = getattr(selection, column)
        if value is None:
            continue
        if isinstance(value, str):
            texts.append(TextFilter(column, "equals", value))
        else:  # TextMatch
            texts.append(TextFilter(column, "contains", value.contains))
    window = selection.executed
    return make_spec(
        statuses,
        status=selection.status,
        after=window.after if window else None,
        before=window.before if window else None,
        chain_ids=selection.chainIds,
        run_ids=selection.runIds,
        workflows=selection.workflows,
        texts=texts,
        properties=[PropertyTest(p.name, p.op, p.value) for p in selection.properties],
        search=selection.search,
        from_request=(
            (selection.fromRequest.name, selection.fromRequest.outcome)
            if selection.fromRequest
            else None
        ),
    )


@dataclass(frozen=True)
class ActionSplit:
    """What an action may send: `send` is the selection narrowed to sendable statuses;
    `excluded_reason` explains the rest (None = nothing excluded by status)."""

    send: SelectionSpec
    excluded_reason: str | None


def for_action(spec: SelectionSpec, action: str, statuses: StatusTable) -> ActionSplit:
    """Resume applies only to runs in the Error group."""
    if action != "resume":
        return ActionSplit(spec, None)
    return ActionSplit(
        spec.restrict_statuses(frozenset(statuses.group_codes(ERROR_GROUP))),
        "resume applies only to runs in the Error group",
    )
