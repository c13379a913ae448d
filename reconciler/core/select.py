"""Run selection: a request's `select:` block -> SQL fragments + parameters (pure).

`compile_selection(selection, statuses)` resolves names/groups to codes and timestamps to
UTC epoch microseconds (`SelectionSpec`); `build_query(spec, dialect, flow=...)` turns that
into one WHERE clause over `run_flows f JOIN runs r` for either backend. The flow + status
+ time part is a range scan of the `run_flows (flow, status_id, execution_us)` index; the
other filters are evaluated on the rows that range yields.

Semantics (both backends alike):
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
from typing import TYPE_CHECKING, Any, Literal

from reconciler.core.frozen import FROZEN_RUNS
from reconciler.core.regex import regex_problem, shown_pattern
from reconciler.core.statuses import ERROR_GROUP, StatusTable
from reconciler.errors import InputError

if TYPE_CHECKING:
    from reconciler.models.request import Selection

Dialect = Literal["sqlite", "postgresql"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

DSAV_COLUMNS = ("domain", "service", "action", "version")
# Selection key -> runs column, for the DSAV filters.
SEARCH_COLUMNS = ("chain_id", *DSAV_COLUMNS)


# -- time ----------------------------------------------------------------------------------
def to_epoch_us(moment: datetime) -> int:
    """An aware datetime -> UTC epoch microseconds (exact, no float rounding)."""
    if moment.tzinfo is None:
        raise ValueError("a timestamp needs a zone")
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_epoch_us(value: int) -> datetime:
    return datetime.fromtimestamp(value // 1_000_000, UTC).replace(microsecond=value % 1_000_000)


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


# -- SQL -----------------------------------------------------------------------------------
# Pages ending at most this far into a selection look up their last execution time first
# (`Query.select`); deeper pages would sort most of the index for the bound.
PAGE_BOUND_MAX = 1000
_MAX_US = 2**63 - 1  # larger than any stored execution time (a BIGINT)


@dataclass(frozen=True)
class Query:
    """`FROM ... WHERE ...` text with `?` placeholders, and its parameters.
    Aliases: `r` = runs, `m` = run_flows (when selecting by flow)."""

    from_where: str
    params: tuple[Any, ...]
    member: str = "m"  # alias of the row with status_id/execution_us
    # The same selection without the runs join; None when a condition needs runs.
    count_from_where: str | None = None

    def select(
        self, columns: str, dialect: Dialect, *, limit: int | None = None, offset: int = 0
    ) -> tuple[str, tuple[Any, ...]]:
        sql = f"SELECT {columns} {self.from_where}"
        params = self.params
        if limit and self.count_from_where and offset + limit <= PAGE_BOUND_MAX:
            # A page of a selection made on run_flows alone: find the page's last
            # execution time on the index first, so that only the rows up to it (ties
            # included) are joined with runs and sorted by id -- not all 10,000.
            bound = (
                f"(SELECT m.execution_us {self.count_from_where} "
                "ORDER BY m.execution_us ASC NULLS LAST LIMIT 1 OFFSET ?)"
            )
            # No bound (fewer rows, or the boundary row has no time): every row stays.
            # Rows without a time sort after any bound, beyond the page: keeping them
            # is harmless.
            keep = f"(m.execution_us IS NULL OR m.execution_us <= COALESCE({bound}, ?))"
            sql += (" AND " if " WHERE " in self.from_where else " WHERE ") + keep
            params = (*params, *self.params, offset + limit - 1, _MAX_US)
        sql += f" ORDER BY {order_by(dialect, self.member)}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = (*params, limit, offset)
        elif offset:
            sql += " LIMIT -1 OFFSET ?" if dialect == "sqlite" else " OFFSET ?"
            params = (*params, offset)
        return sql, params

    def count_by_status(self) -> tuple[str, tuple[Any, ...]]:
        return (
            f"SELECT {self.member}.status_id, COUNT(*) {self.count_from_where or self.from_where} "
            f"GROUP BY {self.member}.status_id",
            self.params,
        )


def order_by(dialect: Dialect, member: str = "m") -> str:
    """Stable order: execution time (missing last), then id compared bytewise."""
    collate = ' COLLATE "C"' if dialect == "postgresql" else ""
    return f"{member}.execution_us ASC NULLS LAST, r.id{collate} ASC"


def _in(column: str, values: tuple[Any, ...] | frozenset[Any], params: list[Any]) -> str:
    ordered = sorted(values) if isinstance(values, frozenset) else list(values)
    if not ordered:
        return "1 = 0"
    params.extend(ordered)
    return f"{column} IN ({', '.join('?' for _ in ordered)})"


def _contains(dialect: Dialect, expr: str) -> str:
    return f"instr({expr}, ?) > 0" if dialect == "sqlite" else f"strpos({expr}, ?) > 0"


def property_expr(dialect: Dialect) -> str:
    """Text of `properties.<name>` of the stored record (one `?`: the name)."""
    if dialect == "postgresql":
        return "(r.record::json -> 'properties' ->> CAST(? AS text))"
    return (
        "(SELECT CASE je.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
        "ELSE CAST(je.value AS TEXT) END "
        "FROM json_each(r.record, '$.properties') AS je WHERE je.key = ?)"
    )


def _property(dialect: Dialect, prop: PropertyTest, params: list[Any]) -> str:
    value_expr = property_expr(dialect)
    params.append(prop.name)
    if prop.op == "equals":
        params.append(prop.value)
        return f"{value_expr} = ?"
    if prop.op == "notEquals":
        params.append(prop.value)
        null_safe = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
        return f"{value_expr} {null_safe} ?"
    if prop.op == "contains":
        params.append(prop.value)
        return _contains(dialect, value_expr)
    if prop.op == "startsWith":
        params.append(prop.value)
        func = "instr" if dialect == "sqlite" else "strpos"
        return f"{func}({value_expr}, ?) = 1"
    if prop.op == "endsWith":
        if not prop.value:
            return f"{value_expr} IS NOT NULL"
        params.append(prop.value)
        length = len(prop.value)
        if dialect == "sqlite":
            return f"substr({value_expr}, -{length}) = ?"
        return f"right({value_expr}, {length}) = ?"
    # regex: validated by compile_selection; SQLite REGEXP calls the registered function.
    params.append(prop.value)
    return f"{value_expr} REGEXP ?" if dialect == "sqlite" else f"{value_expr} ~ ?"


def build_query(
    spec: SelectionSpec,
    dialect: Dialect,
    *,
    flow: str | None = None,
    membership: tuple[str, list[Any]] | None = None,
) -> Query:
    """The selection for one flow: by name through `run_flows` (indexed), or by an ad hoc
    membership condition over `runs r` (a flow not applied to the store yet), or over all
    runs when neither is given."""
    params: list[Any] = []
    where: list[str] = []
    m = "m" if flow is not None else "r"
    if flow is not None:
        from_sql = "FROM run_flows m JOIN runs r ON r.pk = m.run_pk"
        where.append("m.flow = ?")
        params.append(flow)
    else:
        from_sql = "FROM runs r"
        if membership is not None:
            condition, condition_params = membership
            where.append(condition)
            params.extend(condition_params)
    if spec.status_ids is not None:
        where.append(_in(f"{m}.status_id", spec.status_ids, params))
    if spec.after_us is not None:
        where.append(f"{m}.execution_us >= ?")
        params.append(spec.after_us)
    if spec.before_us is not None:
        where.append(f"{m}.execution_us < ?")
        params.append(spec.before_us)
    if spec.chain_ids:
        where.append(_in("r.chain_id", spec.chain_ids, params))
    if spec.run_ids:
        by_id = _in("r.id", spec.run_ids, params)
        by_run = _in("r.workflow_run_id", spec.run_ids, params)
        where.append(f"({by_id} OR {by_run})")
    if spec.workflows:
        where.append(_in("r.workflow_name", spec.workflows, params))
    for text in spec.texts:
        params.append(text.value)
        column = f"r.{text.column}"
        where.append(f"{column} = ?" if text.op == "equals" else _contains(dialect, column))
    for prop in spec.properties:
        where.append(_property(dialect, prop, params))
    if spec.search is not None:
        parts = []
        for column in SEARCH_COLUMNS:
            params.append(spec.search)
            parts.append(_contains(dialect, f"r.{column}"))
        where.append("(" + " OR ".join(parts) + ")")
    if spec.from_request is not None:
        name, outcome = spec.from_request
        params.append(name)
        frozen = FROZEN_RUNS[dialect]
        ledger = (
            f"SELECT {frozen.run_pk} FROM batch_runs br {frozen.join} JOIN batches b "
            "ON b.request = br.request AND b.flow = br.flow AND b.seq = br.seq "
            "WHERE br.request = ?"
        )
        if outcome != "any":
            ledger += " AND b.status = ?"
            params.append(outcome)
        where.append(f"r.pk IN ({ledger})")
    where_sql = " WHERE " + " AND ".join(where) if where else ""
    # Counting (and bounding a page) needs no run rows when every condition is on
    # run_flows: index only.
    runs_free = flow is not None and not any("r." in condition for condition in where)
    count_sql = "FROM run_flows m" + where_sql if runs_free else None
    return Query(from_sql + where_sql, tuple(params), m, count_sql)
