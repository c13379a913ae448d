from __future__ import annotations

import os
from pathlib import Path

import click

from reconciler.cli.context import AppContext
from reconciler.errors import InputError
from reconciler.http.github import target_from_env, upsert_comment
from reconciler.http.settings import NetworkSettings
from reconciler.reporters.pr import MARKER, SECTIONS, Section, render_pr_comment


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or key not in SECTIONS:
            raise click.BadParameter(
                f"{value!r}: expected KEY=VALUE with KEY one of {', '.join(SECTIONS)}",
                param_hint=option,
            )
        pairs[key] = rest
    return pairs


@click.group()
def report() -> None:
    """Assemble reports for GitHub (the sticky PR comment)."""


@report.command("pr")
@click.option(
    "--section",
    "sections",
    multiple=True,
    metavar="KEY=FILE",
    help="Markdown a PR step wrote (KEY: validate, check, plan, requests). FILE.stderr, if "
    "present, is quoted when the step failed. A missing FILE means the step did not run.",
)
@click.option(
    "--exit",
    "exits",
    multiple=True,
    metavar="KEY=CODE",
    help="The step's exit code (empty CODE = the step did not run).",
)
@click.option("--commit", default=None, help="Head commit the report is for.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the markdown here instead of standard output.",
)
@click.option("--step-summary", is_flag=True, help="Also append it to $GITHUB_STEP_SUMMARY.")
@click.option(
    "--comment",
    is_flag=True,
    help="Create or update the sticky PR comment (GITHUB_TOKEN, GITHUB_REPOSITORY, event).",
)
@click.option("--pr", "pr_number", type=int, default=None, help="PR number (default: the event's).")
@click.pass_obj
def pr(
    app: AppContext,
    sections: tuple[str, ...],
    exits: tuple[str, ...],
    commit: str | None,
    out: Path | None,
    step_summary: bool,
    comment: bool,
    pr_number: int | None,
) -> None:
    """One markdown report of the PR steps (< 65,000 characters), optionally posted as the
    sticky PR comment, found again by a hidden marker and updated in place."""

    files = _pairs(sections, "--section")
    codes_raw = _pairs(exits, "--exit")
    parts: list[Section] = []
    for key in SECTIONS:
        if key not in files and key not in codes_raw:
            continue
        code_text = codes_raw.get(key, "").strip()
        try:
            code = int(code_text) if code_text else None
        except ValueError as exc:
            raise click.BadParameter(
                f"{key}={code_text!r} is not an integer", param_hint="--exit"
            ) from exc
        markdown = stderr = None
        if key in files:
            path = app.root / files[key]
            try:
                markdown = path.read_text(encoding="utf-8") if path.exists() else None
                err = path.with_name(path.name + ".stderr")
                stderr = err.read_text(encoding="utf-8", errors="replace") if err.exists() else None
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
        parts.append(Section(key, markdown, code, stderr or ""))
    text = render_pr_comment(parts, commit=commit or os.environ.get("GITHUB_SHA"))

    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if step_summary and os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
            summary.write(text)
    if comment:
        network = NetworkSettings.from_config(app.config(), app.root)
        action, url = upsert_comment(target_from_env(pr_number), text, MARKER, network)
        click.echo(f"PR comment {action}: {url}", err=True)
