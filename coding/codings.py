"""Applying codes to text: apply, remove, change, in-vivo codes, memos on codings, what each
viewer may see (blind coding), and the data the coding page draws. Functions only flush."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from coding.agreement import merge_intervals
from coding.codebook import CodeFields, clean_fields, code_tree, create_code, project_codes
from coding.models import Code, CodeSuggestion, Coding, CodingSettings, Memo, Source
from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User
from fieldwork.permissions import CODER, LEAD

MAX_QUOTE = 2000
MAX_IN_VIVO = 60
MODES = {"mine": "Mine", "everyone": "Everyone", "compare": "Coder against coder"}


class CodingError(ValueError):
    """A coding that cannot be made or changed, said in words."""


@dataclass(frozen=True)
class Viewer:
    """Who is looking at codings, and whether blind coding hides others' from them."""

    user: User
    role: str
    blind: bool

    @property
    def sees_only_own(self) -> bool:
        return self.blind and self.role != LEAD


def settings_of(project: Project) -> CodingSettings:
    """The project's coding settings; the defaults, not yet saved, when it has none. Reading
    never writes: a page that inserted the row failed on SQLite ("database is locked") when
    another request wrote between its first read and its insert."""
    settings = db.session.scalar(
        db.select(CodingSettings).where(CodingSettings.project_id == project.id))
    return settings or CodingSettings(project_id=project.id, blind=False)


def set_blind(project: Project, blind: bool, user: User) -> None:
    settings = settings_of(project)
    if settings.blind != blind:
        db.session.add(settings)
        settings.blind = blind
        db.session.flush()
        audit.record("coding.blind", project, project=project, user_id=user.id,
                     summary="Blind coding turned " + ("on" if blind else "off"))


def viewer_in(project: Project, user: User, role: str) -> Viewer:
    blind = db.session.scalar(
        db.select(CodingSettings.blind).where(CodingSettings.project_id == project.id))
    return Viewer(user, role, bool(blind))


def visible_coder(project: Project, user: User, role: str) -> int | None:
    """Under blind coding a coder's analyses count only their own codings: their id then."""
    return user.id if viewer_in(project, user, role).sees_only_own else None


def trimmed_range(text: str, start: int, end: int) -> tuple[int, int]:
    """The selection without the spaces and line breaks around it."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def checked_range(source: Source, start: int, end: int, text_version: int) -> tuple[int, int]:
    if text_version != source.text_version:
        raise CodingError("The text was changed since this page was opened. Reload the page "
                          "and select the words again.")
    if not 0 <= start < end <= len(source.text):
        raise CodingError("Select some text to code.")
    start, end = trimmed_range(source.text, start, end)
    if start == end:
        raise CodingError("Select some words, not only spaces.")
    return start, end


def codable_code(project: Project, code_id: int) -> Code:
    return codable(project, db.session.get(Code, code_id))


def codable(project: Project, code: Code | None) -> Code:
    """The code, if the project's coders may apply it."""
    if code is None or code.project_id != project.id:
        raise CodingError("That code is not in this codebook; reload the page.")
    if code.archived:
        raise CodingError(f"“{code.name}” is archived and no longer used for coding.")
    return code


def codes_with_earlier_codings(source: Source, code_ids: list[int], user: User, start: int,
                               end: int) -> list[tuple[Code | None, Coding | None]]:
    """Each code asked for (in the order asked), with the user's coding of these very words
    with it, and that coding's memo, when there is one: all in one query."""
    earlier = db.and_(Coding.code_id == Code.id, Coding.source_id == source.id,
                      Coding.coder_id == user.id, Coding.start == start, Coding.end == end)
    rows = db.session.execute(
        db.select(Code, Coding).outerjoin(Coding, earlier)
        .outerjoin(Memo, Memo.coding_id == Coding.id).options(contains_eager(Coding.memo))
        .where(Code.id.in_(code_ids), Code.project_id == source.project_id))
    found = {code.id: (code, coding) for code, coding in rows}
    return [found.get(code_id, (None, None)) for code_id in code_ids]


def new_coding(source: Source, code: Code, user: User, start: int, end: int) -> Coding:
    coding = Coding(project_id=source.project_id, source_id=source.id, code_id=code.id,
                    coder_id=user.id, start=start, end=end,
                    quote=source.text[start:end][:MAX_QUOTE])
    set_committed_value(coding, "memo", None)
    db.session.add(coding)
    return coding


def apply_codes(source: Source, code_ids: list[int], start: int, end: int, text_version: int,
                user: User, memo: str = "") -> list[Coding]:
    """Code the characters start to end with each code; a coding the user already has on the
    same words is kept rather than repeated. Return the codings (new or existing), their
    memos loaded."""
    project = db.session.get(Project, source.project_id)
    if not code_ids:
        raise CodingError("Choose at least one code.")
    start, end = checked_range(source, start, end, text_version)
    result = []
    for code, coding in codes_with_earlier_codings(source, list(dict.fromkeys(code_ids)), user,
                                                   start, end):
        result.append(coding or new_coding(source, codable(project, code), user, start, end))
    db.session.flush()
    if memo.strip():
        for coding in result:
            set_coding_memo(coding, memo, user)
    return result


def in_vivo_code(source: Source, start: int, end: int, text_version: int, user: User,
                 parent_id: int | None = None) -> Coding:
    """Make a code named with the selected words and apply it to them."""
    project = db.session.get(Project, source.project_id)
    start, end = checked_range(source, start, end, text_version)
    name = " ".join(source.text[start:end].split())
    if len(name) > MAX_IN_VIVO:
        name = name[:MAX_IN_VIVO].rsplit(" ", 1)[0] + "…"
    existing = next((c for c in project_codes(project, include_archived=False)
                     if c.parent_id == parent_id and c.name.casefold() == name.casefold()), None)
    code = existing or create_code(project, clean_fields(project, CodeFields(name=name),
                                                         parent_id), parent_id, user)
    return apply_codes(source, [code.id], start, end, text_version, user)[0]


def may_change(coding: Coding, viewer: Viewer) -> bool:
    """Coders change their own codings; the lead may change anyone's."""
    return coding.coder_id == viewer.user.id or viewer.role == LEAD


def check_may_change(coding: Coding, viewer: Viewer) -> None:
    if not may_change(coding, viewer):
        raise CodingError("This coding is another coder's; only they or the lead can change it.")


def remove_coding(coding: Coding, viewer: Viewer) -> dict[str, Any]:
    """Remove a coding; return what undo needs to put it back."""
    check_may_change(coding, viewer)
    memo = coding.memo
    undo = {"code": coding.code_id, "start": coding.start, "end": coding.end,
            "memo": memo.body if memo else ""}
    db.session.delete(coding)
    db.session.flush()
    return undo


def change_code(coding: Coding, code_id: int, viewer: Viewer) -> Coding:
    """Give a coding another code, keeping its words and memo."""
    check_may_change(coding, viewer)
    project = db.session.get(Project, coding.project_id)
    code = codable_code(project, code_id)
    coding.code_id = code.id
    db.session.flush()
    db.session.expire(coding, ["code"])
    return coding


def mark_reviewed(coding: Coding, viewer: Viewer) -> None:
    check_may_change(coding, viewer)
    coding.needs_review = False
    db.session.flush()


def set_coding_memo(coding: Coding, body: str, user: User) -> Memo | None:
    """Write, change or (with an empty body) remove the memo on a coding."""
    memo = coding.memo
    body = body.strip()
    if not body:
        if memo is not None:
            db.session.delete(memo)
            db.session.flush()
        set_committed_value(coding, "memo", None)
        return None
    if memo is None:
        memo = Memo(project_id=coding.project_id, coding_id=coding.id, author_id=user.id)
        db.session.add(memo)
    memo.body = body
    db.session.flush()
    set_committed_value(coding, "memo", memo)
    return memo


def project_coders(project: Project) -> list[User]:
    """Members who code (lead and coders) and anyone who has codings in the project."""
    has_codings = db.select(Coding.id).where(Coding.coder_id == User.id,
                                             Coding.project_id == project.id).exists()
    codes_here = db.select(Membership.id).where(
        Membership.user_id == User.id, Membership.project_id == project.id,
        Membership.role.in_([LEAD, CODER])).exists()
    return list(db.session.scalars(db.select(User).where(db.or_(codes_here, has_codings))
                                   .order_by(User.name)))


def visible_codings(source: Source, viewer: Viewer, coder_ids: list[int] | None = None,
                    code_ids: list[int] | None = None) -> list[tuple]:
    """(id, code_id, coder_id, start, end, needs_review, has_memo) of the codings the viewer
    may see, optionally only of some coders and codes."""
    query = db.select(Coding.id, Coding.code_id, Coding.coder_id, Coding.start, Coding.end,
                      Coding.needs_review, Memo.id.is_not(None)).outerjoin(
        Memo, Memo.coding_id == Coding.id).where(Coding.source_id == source.id)
    if viewer.sees_only_own:
        query = query.where(Coding.coder_id == viewer.user.id)
    if coder_ids:
        query = query.where(Coding.coder_id.in_(coder_ids))
    if code_ids:
        query = query.where(Coding.code_id.in_(code_ids))
    return list(db.session.execute(query.order_by(Coding.start, Coding.end, Coding.id)))


def disagreements(rows: list[tuple], coder_a: int, coder_b: int) -> list[dict[str, int]]:
    """Ranges where one of two coders applied a code and the other did not."""
    covered: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for _id, code_id, coder_id, start, end, *_ in rows:
        if coder_id in (coder_a, coder_b):
            covered.setdefault((code_id, coder_id), []).append((start, end))
    marks = []
    for code_id in sorted({code for code, _coder in covered}):
        a = merge_intervals(covered.get((code_id, coder_a), []))
        b = merge_intervals(covered.get((code_id, coder_b), []))
        for start, end in _difference(a, b):
            marks.append({"code": code_id, "coder": coder_a, "start": start, "end": end})
        for start, end in _difference(b, a):
            marks.append({"code": code_id, "coder": coder_b, "start": start, "end": end})
    return sorted(marks, key=lambda m: (m["start"], m["end"]))


def _difference(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Parts of the ranges of a covered by no range of b (both merged and sorted)."""
    result = []
    for start, end in a:
        cursor = start
        for b_start, b_end in b:
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                result.append((cursor, b_start))
            cursor = max(cursor, b_end)
        if cursor < end:
            result.append((cursor, end))
    return result


def page_data(project: Project, source: Source, viewer: Viewer, mode: str,
              coder_a: int | None, coder_b: int | None,
              code_ids: list[int] | None) -> dict[str, Any]:
    """Everything the coding page's script draws: codes, coders, codings and disagreements."""
    mode = mode if mode in MODES else "everyone"
    if viewer.sees_only_own:
        mode = "mine"
    if mode == "mine":
        coder_ids = [viewer.user.id]
    elif mode == "compare" and coder_a and coder_b:
        coder_ids = [coder_a, coder_b]
    else:
        coder_ids = None
    rows = visible_codings(source, viewer, coder_ids, code_ids)
    coders = project_coders(project)
    codes = code_tree(project_codes(project))
    return {
        "source": source.id,
        "textVersion": source.text_version,
        "me": viewer.user.id,
        "isLead": viewer.role == LEAD,
        "mode": mode,
        "codes": [{"id": row.code.id, "name": row.code.name, "path": row.path,
                   "depth": row.depth, "colour": row.code.colour,
                   "shortcut": row.code.shortcut, "archived": row.code.archived}
                  for row in codes],
        "coders": [{"id": user.id, "name": user.name} for user in coders
                   if not viewer.sees_only_own or user.id == viewer.user.id],
        "codings": [{"id": r[0], "code": r[1], "coder": r[2], "start": r[3], "end": r[4],
                     "review": r[5], "memo": r[6]} for r in rows],
        "disagreements": (disagreements(rows, coder_a, coder_b)
                          if mode == "compare" and coder_a and coder_b else []),
    }


def coding_payload(coding: Coding) -> dict[str, Any]:
    """A coding as the coding page's script draws it; read before the commit, which would
    make every attribute load again."""
    memo = coding.memo
    return {"id": coding.id, "code": coding.code_id, "coder": coding.coder_id,
            "start": coding.start, "end": coding.end, "review": coding.needs_review,
            "memo": memo is not None, "memoText": memo.body if memo else "",
            "coderName": coding.coder.name, "created": coding.created_at.isoformat(),
            "fromSuggestion": from_suggestion(coding)}


def from_suggestion(coding: Coding) -> bool:
    """Whether the coder made the coding by accepting a code suggestion."""
    return db.session.scalar(db.select(CodeSuggestion.id).where(
        CodeSuggestion.coding_id == coding.id).limit(1)) is not None
