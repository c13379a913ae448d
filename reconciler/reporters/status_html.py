"""The status page: one self-contained HTML document rendered from the status document by
a Jinja2 template with autoescape (every value from the store or Git is escaped; nothing is
concatenated into markup here). No external asset, no script: styles inline, charts and
progress bars as inline SVG; a Content-Security-Policy that forbids loading anything.

Every value passes the secret masker on its way into the page (the template's finalize)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from reconciler.core.commits import short_commit
from reconciler.core.secrets import mask
from reconciler.core.status_report import (
    PROGRESS_SEGMENTS,
    RUN_GROUPS,
    TONES,
    RequestStatus,
    StatusReport,
)
from reconciler.reporters.status_wording import endpoint_line, last_apply_line, last_dispatch_line

# What the page may load: nothing but its own inline styles (and SVG, which is inline).
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"
CHARTED_FLOWS = 20  # the flows with most Error runs get a full chart; every flow a sparkline


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    day: str


def bars(values: tuple[int, ...], days: tuple[str, ...], width: float, height: float) -> list[Bar]:
    """A bar per day, scaled to the largest value (a zero day has no height)."""
    top = max(values, default=0) or 1
    step = width / max(len(values), 1)
    return [
        Bar(
            x=round(i * step + step * 0.1, 2),
            y=round(height - height * value / top, 2),
            width=round(step * 0.8, 2),
            height=round(height * value / top, 2),
            value=value,
            day=day,
        )
        for i, (value, day) in enumerate(zip(values, days, strict=True))
    ]


def progress_segments(r: RequestStatus, width: float) -> list[dict[str, Any]]:
    """The progress bar's rectangles: delivered, failed, pending, cancelled, left to right."""
    counts = r.progress()
    total = sum(counts.values()) or 1
    x = 0.0
    segments = []
    for name in PROGRESS_SEGMENTS:
        w = width * counts[name] / total
        if counts[name]:
            segments.append(
                {"name": name, "x": round(x, 2), "width": round(w, 2), "count": counts[name]}
            )
        x += w
    return segments


def when(stamp: str | None) -> str:
    """A stored UTC timestamp as people read it (to the second); unknown text unchanged."""
    if not stamp:
        return "-"
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _finalize(value: Any) -> Any:
    return mask(value) if isinstance(value, str) else value


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reconciler", "reporters/templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda n: f"{int(n):,}"
    env.filters["commit"] = lambda sha: short_commit(sha) if sha else "-"
    env.filters["when"] = when
    env.globals.update(
        bars=bars,
        progress_segments=progress_segments,
        endpoint_line=endpoint_line,
        last_dispatch_line=last_dispatch_line,
        RUN_GROUPS=RUN_GROUPS,
        PROGRESS_SEGMENTS=PROGRESS_SEGMENTS,
        TONES=TONES,
    )
    return env


def status_html(report: StatusReport, *, refresh_seconds: int | None = None) -> str:
    """The page; `refresh_seconds` when served live (the page says it refreshes)."""
    charted = sorted(
        (f for f in report.flows if f.error_total), key=lambda f: (-f.error_total, f.name)
    )
    return (
        environment()
        .get_template("status.html.j2")
        .render(
            report=report,
            counts=report.flow_counts(),
            folders=report.folders(),
            charted=charted[:CHARTED_FLOWS],
            charted_more=max(len(charted) - CHARTED_FLOWS, 0),
            last_apply=last_apply_line(report),
            csp=CONTENT_SECURITY_POLICY,
            refresh_seconds=refresh_seconds,
        )
    )
