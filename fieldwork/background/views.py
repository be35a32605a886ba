"""The pages of background tasks: a project's recent exports and imports, one task's page
(its progress polled by htmx until it ends), its download, and starting it again."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from fieldwork.background import status
from fieldwork.background.tasks import submit
from fieldwork.background.work import create_task
from fieldwork.extensions import db
from fieldwork.models import BackgroundTask, Project
from fieldwork.permissions import get_or_404, project_access
from fieldwork.storage import download_response


def told(task: BackgroundTask) -> None:
    """Its starter sees it ended on this page: no notice on the next one."""
    if task.finished and task.user_id == current_user.id and task.seen_at is None:
        status.mark_seen([task.id])


def context(project: Project, task: BackgroundTask) -> dict[str, object]:
    role = g.project_role
    return {"project": project, "task": task, "state": status.state_of(task),
            "words": status.STATE_WORDS, "stopped_words": status.WORKER_STOPPED,
            "may_download": status.may_download(task, current_user, role),
            "may_restart": status.may_restart(task, current_user, role)}


@project_access("project.view", while_importing=True)
def task_list(project: Project) -> str:
    tasks = status.recent_tasks(project, current_user, g.project_role)
    return render_template("background/list.html", project=project, tasks=tasks,
                           state_of=status.state_of, words=status.STATE_WORDS)


@project_access("project.view", while_importing=True)
def task_page(project: Project, task_id: int) -> str:
    task = get_or_404(BackgroundTask, task_id, project)
    told(task)
    return render_template("background/task.html", **context(project, task))


@project_access("project.view", while_importing=True)
def task_status(project: Project, task_id: int) -> str:
    task = get_or_404(BackgroundTask, task_id, project)
    told(task)
    return render_template("background/_status.html", **context(project, task))


@project_access("analysis.export")
def task_download(project: Project, task_id: int) -> Response:
    task = get_or_404(BackgroundTask, task_id, project)
    if not status.may_download(task, current_user, g.project_role):
        abort(404)
    return download_response(task.result_file)


@project_access("analysis.export")
def task_again(project: Project, task_id: int) -> Response:
    task = get_or_404(BackgroundTask, task_id, project)
    if not status.may_restart(task, current_user, g.project_role):
        flash("Only a failed or stopped export can be started again.", "error")
        return redirect(url_for("background.task_page", project_id=project.id, task_id=task.id))
    again = create_task(project, current_user, task.kind, task.label, task.permission,
                        task.params)
    db.session.commit()
    submit(again)
    return redirect(url_for("background.task_page", project_id=project.id, task_id=again.id))
