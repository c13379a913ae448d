"""Endpoint check results in the store: every check is kept; `latest_checks` is what
`reconciler status` and `apply` read."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from reconciler.core.endpoints import ACTIONS, CheckResult, EndpointUse, Outcome
from reconciler.store.base import Store

_COLUMNS = (
    "url, checked_at, reachable, outcome, reason, http_status, latency_ms, "
    "cert_expires_at, address, detail"
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


CheckRow = tuple[object, ...]
_DETAIL = json.JSONEncoder(separators=(",", ":"))  # one encoder for every row


def record_checks(store: Store, results: Sequence[CheckResult]) -> None:
    """One transaction for the whole run."""
    record_rows(store, [check_row(r) for r in results])


def check_row(r: CheckResult) -> CheckRow:
    """A result as the store keeps it (`check` builds them as the results come in)."""
    return (
        r.url,
        _iso(r.checked_at),
        1 if r.reachable else 0,
        r.outcome.value,
        r.reason,
        r.http_status,
        r.latency_ms,
        _iso(r.cert_expires_at),
        r.address,
        _DETAIL.encode(
            {
                "attempts": r.attempts,
                "warnings": list(r.warnings),
                "usedBy": [u.to_json() for u in r.uses],
            }
        ),
    )


def record_rows(store: Store, rows: Sequence[CheckRow]) -> None:
    """check_row's rows, in one transaction."""
    if not rows:
        return
    with store.transaction():
        store.executemany(
            f"INSERT INTO endpoint_checks ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def _result(row: tuple[object, ...]) -> CheckResult:
    url, checked_at, _, outcome, reason, status, latency, expires, address, detail = row
    extra = json.loads(str(detail)) if detail else {}
    try:
        kind = Outcome(str(outcome))
    except ValueError:  # written by a newer tool: keep it visible, unreachable
        kind = Outcome.CONNECT_FAILED
    checked = _when(str(checked_at))
    assert checked is not None
    return CheckResult(
        url=str(url),
        outcome=kind,
        reason=str(reason or ""),
        checked_at=checked,
        http_status=int(str(status)) if status is not None else None,
        latency_ms=float(str(latency)) if latency is not None else None,
        cert_expires_at=_when(str(expires)) if expires else None,
        address=str(address) if address else None,
        attempts=int(extra.get("attempts", 1)),
        warnings=tuple(extra.get("warnings", ())),
        uses=tuple(EndpointUse.from_json(u) for u in extra.get("usedBy", ())),
    )


def latest_checks(store: Store, urls: Iterable[str] | None = None) -> dict[str, CheckResult]:
    """The most recent check of each URL (of the given URLs), by URL."""
    rows = store.query(
        f"SELECT {_COLUMNS} FROM endpoint_checks WHERE id IN "
        "(SELECT MAX(id) FROM endpoint_checks GROUP BY url) ORDER BY url"
    )
    wanted = set(urls) if urls is not None else None
    return {str(row[0]): _result(row) for row in rows if wanted is None or str(row[0]) in wanted}


def stored_endpoints(store: Store) -> dict[tuple[str, str], str]:
    """(flow, action) -> URL of the flows in the store: the baseline of `check
    --changed-only`. Reads the stored spec leniently (it may come from an older tool)."""
    found: dict[tuple[str, str], str] = {}
    for name, spec in store.query("SELECT name, spec FROM flows"):
        try:
            data = json.loads(spec)
        except (TypeError, ValueError):
            continue
        for action in ACTIONS:
            endpoint = data.get(action) if isinstance(data, dict) else None
            if isinstance(endpoint, dict) and isinstance(endpoint.get("url"), str):
                found[(str(name), action)] = endpoint["url"]
    return found
