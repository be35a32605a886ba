"""`fieldwork retention due` and `fieldwork retention apply`: the retention rules from the
command line (e.g. from cron, or to check before the nightly job runs)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

from fieldwork.database import writing
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project
from interviews.protection.retention import (
    SOON_DAYS,
    apply_retention,
    due_recordings,
    projects_with_rules,
)


def chosen_projects(project_id: int | None) -> list[Project]:
    if project_id is None:
        return projects_with_rules()
    project = db.session.get(Project, project_id)
    if project is None:
        raise click.ClickException(f"There is no project {project_id}.")
    return [project]


@click.group("retention")
def retention_cli() -> None:
    """Delete interview audio under each project's retention rule."""


@retention_cli.command("due")
@click.option("--project", "project_id", type=int, help="Only this project (default: all).")
@click.option("--days", default=SOON_DAYS, show_default=True, help="Look this far ahead.")
@with_appcontext
def due_command(project_id: int | None, days: int) -> None:
    """List the recordings whose audio is due for deletion within DAYS."""
    until = utcnow().date() + timedelta(days=days)
    for project in chosen_projects(project_id):
        for item in due_recordings(project, until):
            click.echo(f"{project.name}: interview {item.recording.interview_id} part "
                       f"{item.recording.part} due on {item.due_on:%Y-%m-%d} ({item.rule})")


@retention_cli.command("apply")
@click.option("--project", "project_id", type=int, help="Only this project (default: all).")
@with_appcontext
def apply_command(project_id: int | None) -> None:
    """Delete the audio that is due now; transcripts are kept; each deletion is audited."""
    total = 0
    with writing():
        for project in chosen_projects(project_id):
            deletions = apply_retention(project, utcnow().date())
            db.session.commit()
            for deletion in deletions:
                click.echo(f"{project.name}: deleted the audio of interview "
                           f"{deletion.interview_id} part {deletion.part} ({deletion.rule})")
            total += len(deletions)
    click.echo(f"{total} recording(s) deleted.")
