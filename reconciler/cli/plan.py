from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import click

from reconciler.cli.context import AppContext
from reconciler.errors import EXIT_CHANGES, EXIT_OK, InputError, UsageError
from reconciler.reporters.common import format_option, is_terminal, resolve_format
from reconciler.reporters.plan import plan_json, render_plan
from reconciler.services.reconcile import desired_flows, make_plan

FORMATS = ("text", "json", "markdown", "github")


@click.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan (JSON) for `apply --plan`.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to change, 2 when there are changes, 1 on error.",
)
@click.option("--adopt", is_flag=True, help="Plan to take over unmanaged flows declared in Git.")
@format_option(*FORMATS)
@click.pass_obj
def plan(
    app: AppContext,
    out: Path | None,
    detailed_exitcode: bool,
    adopt: bool,
    output_format: str | None,
) -> int:
    """Show what `apply` would change: flows.d/ against the store."""

    if out is not None:
        _check_target(out)  # before any work: a bad --out must not cost a plan
    desired = desired_flows(app.root)
    store = app.open_store(readonly=True)
    try:
        result = make_plan(store, desired, adopt=adopt)
    finally:
        store.close()
    if out is not None:
        _write_atomically(out, plan_json(result))
    fmt = resolve_format(output_format, FORMATS)
    color = fmt == "text" and sys.stdout.isatty() and is_terminal()
    notices = app.default_store_notices()
    click.echo(render_plan(result, fmt, color=color, notices=notices), nl=False, color=color)
    return EXIT_CHANGES if detailed_exitcode and result.has_changes else EXIT_OK


def _check_target(path: Path) -> None:
    """The plan file is written next to the target and renamed over it: only a regular
    file (or a new name in an existing directory) may be replaced that way -- never a
    device such as /dev/full, a directory, a FIFO or a symbolic link."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise UsageError(
                f"--out {path}: the directory {path.parent} does not exist",
                hint="create it first, or save the plan elsewhere",
            ) from None
        return
    except OSError as exc:
        raise UsageError(f"--out {path}: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise UsageError(
            f"--out {path} is not a regular file; refusing to replace it",
            hint="give --out the path of a new or existing regular file (e.g. plan.json)",
        )


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write plan file {path}: {exc.strerror}") from exc
