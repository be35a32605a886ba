"""Objects to fill every URL argument of every route, for the access matrix test.

A new route argument needs a builder here: the matrix test fails and names the argument
until it has one. Each builder makes (or finds) an object in `project` and returns its id.
"""

from __future__ import annotations

from collections.abc import Callable

from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User

Builder = Callable[[Project, dict[str, User]], int]


def viewer_membership(project: Project, people: dict[str, User]) -> int:
    return db.session.scalar(
        db.select(Membership.id).where(
            Membership.project_id == project.id, Membership.user_id == people["viewer"].id
        )
    )


BUILDERS: dict[str, Builder] = {
    "project_id": lambda project, _people: project.id,
    "target_id": lambda project, _people: project.id,
    "membership_id": viewer_membership,
    "user_id": lambda _project, people: people["viewer"].id,
}
