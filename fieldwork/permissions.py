"""Who may do what: the one table of project permissions, and the checks every view uses.

A view declares its access with one decorator. Each decorator records what it demands on
the view (`view.access`), so a test can prove every route refuses the wrong users.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g
from flask_login import current_user, login_required

from fieldwork.extensions import db
from fieldwork.models import ImportLock, Membership, Project

LEAD, INTERVIEWER, CODER, VIEWER = "lead", "interviewer", "coder", "viewer"
EVERYONE = frozenset({LEAD, INTERVIEWER, CODER, VIEWER})

#: permission name -> the project roles that hold it
PERMISSIONS: dict[str, frozenset[str]] = {
    "project.view": EVERYONE,
    "project.manage": frozenset({LEAD}),
    "project.audit": frozenset({LEAD}),
    "project.recompute": frozenset({LEAD, INTERVIEWER, CODER}),
    "casestudies.edit": frozenset({LEAD, INTERVIEWER}),
    "participants.identity": frozenset({LEAD, INTERVIEWER}),
    "interviews.edit": frozenset({LEAD, INTERVIEWER}),
    "recordings.upload": frozenset({LEAD, INTERVIEWER}),
    "transcripts.edit": frozenset({LEAD, INTERVIEWER}),
    "transcripts.check": frozenset({LEAD, INTERVIEWER, CODER}),
    "sources.edit": frozenset({LEAD, INTERVIEWER, CODER}),
    "codebook.edit": frozenset({LEAD}),
    "coding.edit": frozenset({LEAD, CODER}),
    "coding.settle": frozenset({LEAD}),
    "memos.edit": frozenset({LEAD, INTERVIEWER, CODER}),
    "analysis.export": frozenset({LEAD, CODER}),
    "data.retention": frozenset({LEAD}),
    "data.withdrawal": frozenset({LEAD}),
    "data.export": frozenset({LEAD}),
}

F = TypeVar("F", bound=Callable[..., Any])


def roles_with(permission: str) -> frozenset[str]:
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"no such permission: {permission}") from None


def role_in(project: Project, user: Any) -> str | None:
    if not user or not user.is_authenticated:
        return None
    return db.session.scalar(
        db.select(Membership.role).where(
            Membership.project_id == project.id, Membership.user_id == user.id
        )
    )


def project_and_role(project_id: int, user: Any) -> tuple[Project | None, str | None, bool]:
    """The project, the user's role in it (None when not a member, or not signed in) and
    whether an import is filling it (fieldwork.background.locks), in one query."""
    user_id = user.id if user and user.is_authenticated else None
    importing = db.select(ImportLock.id).where(ImportLock.project_id == Project.id).exists()
    row = db.session.execute(
        db.select(Project, Membership.role, importing).outerjoin(Membership, db.and_(
            Membership.project_id == Project.id, Membership.user_id == user_id))
        .where(Project.id == project_id)
    ).first()
    return (row[0], row[1], row[2]) if row is not None else (None, None, False)


def can(permission: str, project: Project | None = None) -> bool:
    """Whether the current user holds `permission` in `project` (default: g.project)."""
    project = project if project is not None else g.get("project")
    if project is None:
        return False
    role = g.get("project_role") if project is g.get("project") else role_in(project, current_user)
    return role in roles_with(permission)


def load_project(project_id: int, permission: str, while_importing: bool = False) -> Project:
    """The project if the current user may `permission` in it: 404 to outsiders, 403 to members
    whose role lacks it, 423 while an import fills it (fieldwork.background.locks) unless the
    view stays open then (`while_importing`: the pages of its tasks)."""
    roles_with(permission)
    project, role, importing = project_and_role(project_id, current_user)
    if project is None or role is None:
        abort(404)
    if role not in roles_with(permission):
        abort(403)
    if importing and not while_importing:
        abort(423)
    g.project = project
    g.project_role = role
    return project


def project_access(permission: str, while_importing: bool = False) -> Callable[[F], F]:
    """Decorate a view under /projects/<project_id>/: it receives the loaded `project`."""
    roles_with(permission)

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(project_id: int, **kwargs: Any) -> Any:
            return view(load_project(project_id, permission, while_importing), **kwargs)

        wrapped.access = ("project", permission)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def admin_only(view: F) -> F:
    """Decorate a site-administration view."""

    @wraps(view)
    @login_required
    def wrapped(**kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(**kwargs)

    wrapped.access = ("admin",)  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def signed_in(view: F) -> F:
    """Decorate a view open to any logged-in user, whatever their projects."""
    wrapped = login_required(view)
    wrapped.access = ("user",)  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def public(view: F) -> F:
    """Mark a view that needs no login (login page, secret-token calendar feeds)."""
    view.access = ("public",)  # type: ignore[attr-defined]
    return view


def get_or_404(model: type, object_id: int, project: Project) -> Any:
    """A project's object by id; another project's object, or none, is a 404."""
    obj = db.session.get(model, object_id)
    if obj is None or obj.project_id != project.id:
        abort(404)
    return obj
