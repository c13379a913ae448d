from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.context import AppContext
from reconciler.core.codeowners import CodeownersError, OwnedFile, merge, render_block
from reconciler.errors import ConfigError, ValidationFailed
from reconciler.load.tree import FLOWS_DIR, load_tree
from reconciler.reporters.codeowners import report_codeowners

# Where GitHub looks, in its order; a new file goes to the first.
LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@click.command()
@click.option(
    "--file",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CODEOWNERS to update (default: the one GitHub uses, else .github/CODEOWNERS).",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the file is not current.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the generated section only.")
@click.pass_obj
def codeowners(app: AppContext, target: Path | None, check: bool, to_stdout: bool) -> None:
    """Generate CODEOWNERS entries from the flows' `owners` (flow files and their folders)."""

    tree = load_tree(app.root)
    flow_errors = [
        f for f in tree.findings if f.severity == "error" and f.path.startswith(f"{FLOWS_DIR}/")
    ]
    if flow_errors:
        raise ValidationFailed(
            f"{flow_errors[0].location}: {flow_errors[0].message}"
            + (f" (and {len(flow_errors) - 1} more)" if len(flow_errors) > 1 else ""),
            hint="CODEOWNERS is generated from valid flows only: run `reconciler validate`",
        )
    files = [
        OwnedFile(f.path, str(Path(f.path).parent.as_posix()), tuple(f.flow.owners))
        for f in tree.flows
    ]
    if target is None:
        existing_paths = [app.root / loc for loc in LOCATIONS if (app.root / loc).exists()]
        target = existing_paths[0] if existing_paths else app.root / LOCATIONS[0]
    try:
        block = render_block(files)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        wanted = merge(current, block)
    except CodeownersError as exc:
        raise ConfigError(f"{target}: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{target}: cannot read: {exc.strerror}") from exc
    if to_stdout:
        report_codeowners(block=block)
        return
    if check:
        report_codeowners(path=str(target), current=current, wanted=wanted)
        if current != wanted:
            raise click.exceptions.Exit(1)
        return
    if current != wanted:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(wanted, encoding="utf-8")
    report_codeowners(path=str(target), written=current != wanted)
