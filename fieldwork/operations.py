"""Commands for the operator: backup, restore, check (see docs/operations.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from fieldwork import backup, integrity
from fieldwork.dumps import OperationError
from fieldwork.storage import file_store


def human_size(size: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


@click.command("backup")
@click.option(
    "--to", "destination", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder that receives the backup folder (default: instance/backups).",
)
@with_appcontext
def backup_command(destination: Path | None) -> None:
    """Write a consistent snapshot of the database and the files, with checksums."""
    destination = destination or Path(current_app.instance_path) / "backups"
    try:
        result = backup.create_backup(destination)
    except (OperationError, OSError) as error:
        raise click.ClickException(f"No backup was written. {error}") from None
    manifest = result.manifest
    files = manifest["files"]
    click.echo(f"Backup written to {result.path}")
    click.echo(
        f"  {manifest['database']['kind']} database (schema revision "
        f"{manifest['database']['schema_revision'] or 'unknown'}), {len(files) - 1} stored "
        f"file(s), {human_size(sum(entry['size'] for entry in files.values()))} in all."
    )
    if result.problems:
        click.echo("The file store had problems; the backup holds what was there:", err=True)
        for problem in result.problems:
            click.echo(f"  {problem}", err=True)
        click.echo("Run `fieldwork check` to see which files these are.", err=True)
        sys.exit(1)


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that is not empty.")
@with_appcontext
def restore_command(folder: Path, yes: bool) -> None:
    """Check a backup's checksums, then restore its database and files.

    Stop the web server and the job workers first.
    """
    try:
        result = backup.restore_backup(folder, overwrite=yes)
    except (OperationError, OSError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Restored the backup of {result.manifest['created_at']} "
        f"({result.files_written} file(s) written to the file store)."
    )
    for note in result.notes:
        click.echo(note)


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Verify every stored file against its checksum; exit 1 if any is missing or damaged."""
    report = integrity.check_store()
    if report.database != "ok":
        click.echo(f"The database fails SQLite's check: {report.database}", err=True)
    for problem in report.problems:
        names = ", ".join(f"“{stored.filename}” (stored file {stored.id})"
                          for stored in problem.files)
        click.echo(f"{problem.state.upper()}: {names}", err=True)
        click.echo(f"  bytes expected at {file_store().blob_path(problem.sha256)}",
                   err=True)
        used_by = ", ".join(problem.used_by) or "no other rows"
        click.echo(f"  used by: {used_by}", err=True)
    if report.problems:
        click.echo(
            f"{len(report.problems)} of {report.checked} stored file(s) missing or damaged. "
            "Restore them from a backup (`fieldwork restore`).", err=True,
        )
    else:
        click.echo(f"All {report.checked} stored file(s) match their checksums.")
    if not report.ok:
        sys.exit(1)
