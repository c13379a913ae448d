"""`reconciler runs import FILE...` and `reconciler runs list [filters]`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from reconciler.cli.context import AppContext
from reconciler.cli.params import MAX_COUNT, count
from reconciler.core.select import (
    FROM_REQUEST_OUTCOMES,
    PropertyOp,
    PropertyTest,
    SelectionSpec,
    TextFilter,
    make_spec,
)
from reconciler.core.statuses import StatusTable
from reconciler.errors import InputError
from reconciler.reporters.common import format_option, is_terminal, resolve_format
from reconciler.reporters.runs import ImportProgress, render_import, render_runs
from reconciler.store import open_store
from reconciler.store.runimport import import_runs
from reconciler.store.runs import (
    ALL_RUNS,
    count_by_status,
    fetch_records,
    flow_source,
    ledger_problem,
    select_runs,
)

# --property NAME<op>VALUE, longest operator first.
PROPERTY_OPS: tuple[tuple[str, PropertyOp], ...] = (
    ("!=", "notEquals"),
    ("^=", "startsWith"),
    ("$=", "endsWith"),
    ("*=", "contains"),
    ("~=", "regex"),
    ("=", "equals"),
)


@click.group()
def runs() -> None:
    """Import and browse flow runs."""


@runs.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@format_option("text", "json", "github")
@click.pass_obj
def import_(app: AppContext, files: tuple[str, ...], output_format: str | None) -> int:
    """Import run records (JSON arrays or NDJSON; `-` = stdin), upserting by id.

    Bad records are rejected with file:line:col and their record number; the good ones
    are stored. Exit 1 when any record was rejected."""
    app.require_configured_store("reconciler runs import")

    fmt = resolve_format(output_format, ("text", "json", "github"))
    store = open_store(app.resolved_store_url(), root=app.root)
    progress = ImportProgress() if is_terminal() else None
    try:
        summary = import_runs(store, list(files), progress=progress)
    finally:
        if progress:
            progress.close()
        store.close()
    render_import(summary, fmt)
    return 0 if summary.ok else 1


def selection_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The filters of a request's `select:` block as options (shared with other commands)."""
    options = [
        click.option(
            "--status",
            "status",
            multiple=True,
            help="Status name, group (Active, Error, Completed, Ignored, Cancelled) or "
            "statusId; repeat or comma-separate.",
        ),
        click.option("--after", help="executionTime >= this instant (ISO 8601 with zone)."),
        click.option("--before", help="executionTime < this instant (ISO 8601 with zone)."),
        click.option("--chain-id", "chain_ids", multiple=True, help="Exact chainId (repeatable)."),
        click.option(
            "--run-id", "run_ids", multiple=True, help="Exact id or workFlowRunId (repeatable)."
        ),
        click.option(
            "--workflow", "workflows", multiple=True, help="Exact workflowName (repeatable)."
        ),
        *[
            click.option(f"--{key}", key, help=f"Exact {key} (properties.{key.title()}).")
            for key in ("domain", "service", "action", "version")
        ],
        *[
            click.option(
                f"--{key}-contains",
                f"{key}_contains",
                metavar="TEXT",
                help=f"{key.title()} contains TEXT (case-sensitive).",
            )
            for key in ("domain", "service", "action", "version")
        ],
        click.option(
            "--property",
            "properties",
            multiple=True,
            metavar="NAME<op>VALUE",
            help="Property filter; op: = != ^= (startsWith) $= (endsWith) "
            "*= (contains) ~= (regex). Repeatable; all must match.",
        ),
        click.option("--search", help="Contained in chainId or domain/service/action/version."),
        click.option(
            "--from-request",
            metavar="NAME[:OUTCOME]",
            help="Runs of an earlier request's ledger; OUTCOME failed (default), delivered, "
            "any, or failed-again (the later runs of its chains that failed again).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _property(text: str) -> dict[str, Any]:
    positions = [(text.find(token), -len(token), token, op) for token, op in PROPERTY_OPS]
    found = [p for p in positions if p[0] > 0]
    if not found:
        raise click.BadParameter(
            f"{text!r}: expected NAME<op>VALUE, op one of = != ^= $= *= ~=",
            param_hint="--property",
        )
    index, _, token, op = min(found)
    return {"name": text[:index], "op": op, "value": text[index + len(token) :]}


def _instant(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 timestamp", param_hint=option
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no zone (add Z or +hh:mm)", param_hint=option)
    return moment


def spec_from_options(options: dict[str, Any], statuses: StatusTable) -> SelectionSpec:
    """The filters of `selection_options` -> a SelectionSpec, checked like a request's
    `select:`."""
    texts = []
    for key in ("domain", "service", "action", "version"):
        exact, contains = options[key], options[f"{key}_contains"]
        if exact is not None and contains is not None:
            raise click.UsageError(f"--{key} and --{key}-contains exclude each other")
        if exact is not None:
            texts.append(TextFilter(key, "equals", exact))
        elif contains:
            texts.append(TextFilter(key, "contains", contains))
    from_request = None
    if options["from_request"]:
        name, _, outcome = options["from_request"].partition(":")
        if outcome and outcome not in FROM_REQUEST_OUTCOMES:
            raise click.BadParameter(
                f"outcome {outcome!r}: use {', '.join(FROM_REQUEST_OUTCOMES[:-1])} or "
                f"{FROM_REQUEST_OUTCOMES[-1]}",
                param_hint="--from-request",
            )
        from_request = (name, outcome or "failed")
    try:
        return make_spec(
            statuses,
            status=[
                s.strip() for value in options["status"] for s in value.split(",") if s.strip()
            ],
            after=_instant(options["after"], "--after"),
            before=_instant(options["before"], "--before"),
            chain_ids=options["chain_ids"],
            run_ids=options["run_ids"],
            workflows=options["workflows"],
            texts=texts,
            properties=[PropertyTest(**_property(p)) for p in options["properties"]],
            search=options["search"] or None,
            from_request=from_request,
        )
    except InputError as exc:  # a filter given on the command line: a usage error
        raise click.UsageError(exc.message + (f" ({exc.hint})" if exc.hint else "")) from None


SELECTION_KEYS = (
    "status",
    "after",
    "before",
    "chain_ids",
    "run_ids",
    "workflows",
    "domain",
    "service",
    "action",
    "version",
    "domain_contains",
    "service_contains",
    "action_contains",
    "version_contains",
    "properties",
    "search",
    "from_request",
)


@runs.command("list")
@click.option("--flow", help="Only runs of this flow (as applied to the store).")
@selection_options
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--offset", type=count(0, MAX_COUNT - 100_000), default=0, show_default=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "ndjson"]),
    default="text",
    show_default=True,
    help="ndjson: the stored records themselves, exactly as imported.",
)
@click.pass_obj
def list_(
    app: AppContext,
    /,
    flow: str | None,
    limit: int,
    offset: int,
    output_format: str,
    **options: Any,
) -> int:
    """Runs matching the filters, in execution-time order, a page at a time."""
    statuses = StatusTable.from_config(app.config())
    spec = spec_from_options({k: options[k] for k in SELECTION_KEYS}, statuses)
    store = open_store(app.resolved_store_url(), root=app.root, readonly=True)
    try:
        problem = ledger_problem(store, spec)
        if problem is not None:
            raise InputError(
                f"--from-request: {problem.removeprefix('fromRequest: ')}",
                hint="`reconciler requests status` lists the dispatched requests",
            )
        source = flow_source(store, flow) if flow else ALL_RUNS
        page = list(select_runs(store, spec, source, limit=limit, offset=offset))
        counts = count_by_status(store, spec, source) if output_format != "ndjson" else {}
        records = fetch_records(store, [r.pk for r in page]) if output_format == "ndjson" else None
    finally:
        store.close()
    render_runs(
        page,
        counts,
        statuses,
        offset=offset,
        limit=limit,
        output_format=output_format,
        flow=flow,
        records=records,
    )
    return 0
