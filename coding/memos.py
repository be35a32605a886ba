"""Memos on the project, a source, a code or a coding: writing them and finding them again.
Functions only flush."""

from __future__ import annotations

from sqlalchemy.orm import Load, selectinload

from coding.codings import Viewer
from coding.models import Code, Coding, Memo, Source
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User
from fieldwork.permissions import LEAD

MAX_TITLE = 200
TARGETS = {"project": "the project", "source": "a source", "code": "a code",
           "coding": "a coding"}


class MemoError(ValueError):
    """A memo that cannot be saved, said in words."""


def write_memo(project: Project, author: User, title: str, body: str,
               source: Source | None = None, code: Code | None = None,
               memo: Memo | None = None) -> Memo:
    """Add a memo (or change `memo`) on the project, a source or a code."""
    title, body = " ".join(title.split()), body.strip()
    if not body and not title:
        raise MemoError("Write something in the memo.")
    if len(title) > MAX_TITLE:
        raise MemoError(f"A memo's title can have at most {MAX_TITLE} characters.")
    if memo is None:
        memo = Memo(project_id=project.id, author_id=author.id,
                    source_id=source.id if source else None, code_id=code.id if code else None)
        db.session.add(memo)
    memo.title, memo.body, memo.updated_at = title, body, utcnow()
    db.session.flush()
    return memo


def memo_targets() -> tuple[Load, ...]:
    """What the memo list shows of each memo, loaded with the memos rather than one by one."""
    return (selectinload(Memo.coding).options(
                selectinload(Coding.source).load_only(Source.title), selectinload(Coding.code)),
            selectinload(Memo.source).load_only(Source.title), selectinload(Memo.code),
            selectinload(Memo.author))


def search_memos(project: Project, viewer: Viewer, text: str = "",
                 target: str = "") -> list[Memo]:
    """The project's memos, newest first, containing `text` in title or body (any case), on
    one kind of target if given; under blind coding a coder sees no other coder's coding memos."""
    query = db.select(Memo).where(Memo.project_id == project.id)
    words = text.split()
    for word in words:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        query = query.where(db.or_(Memo.title.ilike(pattern), Memo.body.ilike(pattern)))
    if target == "coding":
        query = query.where(Memo.coding_id.is_not(None))
    elif target == "source":
        query = query.where(Memo.source_id.is_not(None), Memo.coding_id.is_(None))
    elif target == "code":
        query = query.where(Memo.code_id.is_not(None))
    elif target == "project":
        query = query.where(Memo.source_id.is_(None), Memo.code_id.is_(None),
                            Memo.coding_id.is_(None))
    if viewer.sees_only_own:
        others = db.select(Coding.id).where(Coding.coder_id != viewer.user.id)
        query = query.where(db.or_(Memo.coding_id.is_(None), Memo.coding_id.not_in(others)))
    return list(db.session.scalars(query.options(*memo_targets())
                                   .order_by(Memo.updated_at.desc(), Memo.id.desc())))


def may_edit_memo(memo: Memo, viewer: Viewer) -> bool:
    """Authors edit their memos; the lead may edit any."""
    return memo.author_id == viewer.user.id or viewer.role == LEAD


def delete_memo(memo: Memo) -> None:
    db.session.delete(memo)
    db.session.flush()
