"""A SelectionSpec (reconciler.core.select) -> SQL over `run_flows m JOIN runs r`, for
either store.

`build_query(spec, dialect, flow=...)` gives one WHERE clause. The flow + status + time part
is a range scan of the `run_flows (flow, status_id, execution_us)` index; the other filters
are evaluated on the rows that range yields. The semantics (identical on both stores) are
described in reconciler.core.select.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.core.select import FAILED_AGAIN, SEARCH_COLUMNS, PropertyTest, SelectionSpec
from reconciler.store.base import Dialect
from reconciler.store.frozen_runs import FROZEN_RUNS
from reconciler.store.replay import failed_again_sql

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
    if spec.from_request is not None and spec.from_request[1] == FAILED_AGAIN:
        params.append(spec.from_request[0])
        # The ids come from the status table (integers), never from the request file.
        codes = ", ".join(str(int(code)) for code in sorted(spec.failed_again_ids)) or "NULL"
        where.append(f"r.pk IN ({failed_again_sql(dialect, codes)})")
    elif spec.from_request is not None:
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
