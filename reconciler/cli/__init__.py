"""The click CLI: a thin shell. Commands live one per module and are imported lazily so
that `reconciler validate` does not pay for httpx or psycopg at start-up."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any

import click

from reconciler import __version__
from reconciler.cli.context import AppContext
from reconciler.core.secrets import mask
from reconciler.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    ReconcilerError,
)

# command name -> "module:attribute"; a module lists its own sub-commands if it is a group.
COMMANDS: dict[str, str] = {
    "validate": "reconciler.cli.validate:validate",
    "plan": "reconciler.cli.plan:plan",
    "apply": "reconciler.cli.apply:apply",
    "check": "reconciler.cli.check:check",
    "runs": "reconciler.cli.runs:runs",
    "requests": "reconciler.cli.requests:requests",
    "history": "reconciler.cli.history:history",
    "status": "reconciler.cli.status:status",
    "store": "reconciler.cli.store:store",
    "schema": "reconciler.cli.schema:schema",
    "codeowners": "reconciler.cli.codeowners:codeowners",
    "report": "reconciler.cli.report:report",
    "init": "reconciler.cli.init:init",
    "serve": "reconciler.cli.serve:serve",
}


def _load(target: str) -> click.Command | None:
    module_name, attr = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:  # not built yet; anything else is a real bug
            return None
        raise
    command = getattr(module, attr)
    assert isinstance(command, click.Command)
    return command


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, target in COMMANDS.items() if _load(target) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        return _load(target) if target else None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flow-reconciler")
@click.option("--debug", is_flag=True, envvar="RECONCILER_DEBUG", help="Show tracebacks.")
@click.option(
    "--store",
    "store_url",
    metavar="URL",
    default=None,
    help="Flow store URL (sqlite:///path or postgresql://...). Env: RECONCILER_STORE.",
)
@click.option(
    "--repo",
    "repo_root",
    type=click.Path(file_okay=False, path_type=str),
    default=".",
    show_default=True,
    help="Config repository root (holds flows.d/, requests.d/, reconciler.yaml).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, store_url: str | None, repo_root: str) -> None:
    """flow-reconciler: flow settings and bulk resubmit/resume under Git."""
    ctx.obj = AppContext(debug=debug, store_url=store_url, repo_root=repo_root)


def main(argv: list[str] | None = None) -> None:
    """Entry point: the single place that maps errors to exit codes."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:]) or bool(
        os.environ.get("RECONCILER_DEBUG")
    )
    try:
        code: Any = cli.main(args=argv, prog_name="reconciler", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Interrupted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:  # usage errors: never exit 2 (reserved for plan)
        exc.show()
        sys.exit(EXIT_USAGE)
    except ReconcilerError as exc:
        if debug:
            _print_traceback()
            sys.exit(exc.exit_code)
        click.echo(f"error: {mask(exc.message)}", err=True)
        if exc.hint:
            click.echo(f"hint: {mask(exc.hint)}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (`| head`): point stdout at devnull so that flushing it at
        # exit does not fail a second time (the recipe of Python's signal docs).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except Exception as exc:
        if debug:
            _print_traceback()
            sys.exit(EXIT_INTERNAL)
        click.echo(f"internal error: {type(exc).__name__}: {mask(str(exc))}", err=True)
        click.echo("hint: rerun with --debug for a traceback and report it.", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)


def _print_traceback() -> None:
    """--debug: the traceback, with every registered secret masked (a driver's error may
    carry a DSN password, a response a header value)."""
    click.echo(mask(traceback.format_exc()), err=True, nl=False)
