"""Who a file's user is here: the Fieldwork account that matches them (coding.refi.importing
says in which order people are matched)."""

from __future__ import annotations

from coding.refi.specs import UserSpec
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User


class Accounts:
    """Finds the account of a file's user: by email (the file's id or name), else by name, a
    member of the project first; external coders are no accounts."""

    def __init__(self, project: Project) -> None:
        self.accounts = list(db.session.scalars(db.select(User).where(
            User.external.is_(False))))
        self.by_email = {user.email.casefold(): user for user in self.accounts}
        self.members = set(db.session.scalars(db.select(Membership.user_id).where(
            Membership.project_id == project.id)))

    def match(self, spec: UserSpec) -> User | None:
        found = self.by_email.get(spec.login.casefold()) or self.by_email.get(
            spec.name.casefold())
        if found is None and spec.name:
            named = [user for user in self.accounts
                     if user.name.casefold() == spec.name.casefold()]
            in_project = [user for user in named if user.id in self.members]
            chosen = in_project if len(in_project) == 1 else named
            found = chosen[0] if len(chosen) == 1 else None
        return found
