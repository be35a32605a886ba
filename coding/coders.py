"""Coder identities of a project: the people its REFI-QDA files name, each with the GUID the
files give them, and the user whose work it is here.

A coder of an imported file who has no account here becomes an external coder: a user who
never signs in (no password, inactive, an address under .invalid, not among the accounts),
so that their codings stay theirs in agreement, retrieval and exports. The lead can later
join an external coder to a real account: the codings, memos and sources move to it, and the
account takes the file's GUID for this project where it has none yet.
"""

from __future__ import annotations

import uuid

from coding.models import CoderIdentity, Coding, Memo, Source
from fieldwork import audit
from fieldwork.accounts.accounts import list_users
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User

#: external coders' addresses: .invalid can never be a real address (RFC 2606)
EXTERNAL_DOMAIN = "external-coder.invalid"
MAX_NAME = 200


class CoderError(ValueError):
    """A join that cannot be made, said in words."""


def add_identity(project: Project, user: User, guid: str, name: str,
                 origin: str) -> CoderIdentity:
    identity = CoderIdentity(project_id=project.id, user=user, guid=guid,
                             name=name[:MAX_NAME], origin=origin[:MAX_NAME])
    db.session.add(identity)
    return identity


def add_external_coder(project: Project, guid: str, name: str, origin: str) -> CoderIdentity:
    """A coder of a file without an account here, as a user who never signs in."""
    user = User(email=f"{uuid.uuid4()}@{EXTERNAL_DOMAIN}", name=name[:MAX_NAME],
                password_hash="", active=False, external=True)
    db.session.add(user)
    return add_identity(project, user, guid, name, origin)


def identities(project: Project) -> dict[str, CoderIdentity]:
    """The project's coder identities by GUID."""
    return {identity.guid: identity for identity in db.session.scalars(
        db.select(CoderIdentity).where(CoderIdentity.project_id == project.id))}


def external_coders(project: Project) -> list[tuple[CoderIdentity, int]]:
    """The project's external coders by name, each with how many codings they made."""
    return list(db.session.execute(
        db.select(CoderIdentity, db.func.count(Coding.id))
        .join(User, User.id == CoderIdentity.user_id)
        .outerjoin(Coding, db.and_(Coding.coder_id == User.id,
                                   Coding.project_id == CoderIdentity.project_id))
        .where(CoderIdentity.project_id == project.id, User.external.is_(True))
        .group_by(CoderIdentity.id).order_by(CoderIdentity.name)).all())


def joinable_accounts(project: Project) -> list[User]:
    """The project's members with an account, whom an external coder can be joined to."""
    members = set(db.session.scalars(db.select(Membership.user_id).where(
        Membership.project_id == project.id)))
    return [user for user in list_users() if user.id in members and user.active]


def join_coder(identity: CoderIdentity, user: User, by: User) -> int:
    """Give the external coder's work in this project to `user`; how many codings moved.
    A coding that `user` already has (same source, code and words) and that carries no memo
    is dropped rather than kept twice. Only flushes."""
    external = identity.user
    if not external.external:
        raise CoderError(f"{external.name} has an account already.")
    if user.external:
        raise CoderError("Choose a member with an account.")
    project_id = identity.project_id
    theirs = set(db.session.execute(
        db.select(Coding.source_id, Coding.code_id, Coding.start, Coding.end)
        .where(Coding.project_id == project_id, Coding.coder_id == user.id)).all())
    with_memo = set(db.session.scalars(db.select(Memo.coding_id).where(
        Memo.project_id == project_id, Memo.coding_id.is_not(None))))
    moved = 0
    for coding in db.session.scalars(db.select(Coding).where(
            Coding.project_id == project_id, Coding.coder_id == external.id)):
        if (coding.source_id, coding.code_id, coding.start, coding.end) in theirs and (
                coding.id not in with_memo):
            db.session.delete(coding)
            continue
        coding.coder_id = user.id
        moved += 1
    for model, column in ((Memo, Memo.author_id), (Source, Source.created_by_id)):
        db.session.execute(db.update(model).where(model.project_id == project_id,
                                                  column == external.id)
                           .values({column.key: user.id}))
    has_identity = db.session.scalar(db.select(CoderIdentity.id).where(
        CoderIdentity.project_id == project_id, CoderIdentity.user_id == user.id))
    name, guid = identity.name, identity.guid
    if has_identity is None:
        identity.user = user
    else:
        db.session.delete(identity)
    db.session.flush()
    db.session.delete(external)
    audit.record("coding.join_coder", None, project=db.session.get(Project, project_id),
                 user_id=by.id, summary=f"External coder “{name}” joined to {user.name}: "
                                        f"{moved} codings", guid=guid)
    db.session.flush()
    return moved
