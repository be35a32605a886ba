"""The codebook's operations: create, edit, move, merge, split, archive and restore codes, load
the starter codebook, and the change log that is the codebook's history. Functions only flush."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from coding.models import Code, CodebookChange, Coding, Memo
from coding.starter import StarterCode, load_starter_codebook
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User

MAX_NAME = 200
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class CodebookError(ValueError):
    """A codebook change that cannot be made, said in words."""


@dataclass(frozen=True)
class CodeFields:
    name: str
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    colour: str = "#FFE08A"
    shortcut: str = ""


@dataclass(frozen=True)
class TreeRow:
    code: Code
    depth: int
    path: str


def project_codes(project: Project, include_archived: bool = True) -> list[Code]:
    query = db.select(Code).where(Code.project_id == project.id)
    if not include_archived:
        query = query.where(Code.archived_at.is_(None))
    return list(db.session.scalars(query.order_by(Code.position, Code.name, Code.id)))


def code_tree(codes: list[Code]) -> list[TreeRow]:
    """The codes in tree order, parents before children, each with its depth and path."""
    children: dict[int | None, list[Code]] = {}
    ids = {code.id for code in codes}
    for code in codes:
        parent = code.parent_id if code.parent_id in ids else None
        children.setdefault(parent, []).append(code)
    rows: list[TreeRow] = []

    def walk(parent: int | None, depth: int, prefix: str) -> None:
        for code in children.get(parent, []):
            path = f"{prefix} › {code.name}" if prefix else code.name
            rows.append(TreeRow(code, depth, path))
            walk(code.id, depth + 1, path)

    walk(None, 0, "")
    return rows


def code_paths(project: Project) -> dict[int, str]:
    """Every code's path, e.g. "Areas of cooperation › Business"."""
    return {row.code.id: row.path for row in code_tree(project_codes(project))}


def coding_counts(project: Project, coder_id: int | None = None) -> dict[int, int]:
    """How many codings each code has of its own (only `coder_id`'s, if given)."""
    query = (db.select(Coding.code_id, db.func.count()).where(Coding.project_id == project.id)
             .group_by(Coding.code_id))
    if coder_id:
        query = query.where(Coding.coder_id == coder_id)
    return {code_id: count for code_id, count in db.session.execute(query)}


@dataclass(frozen=True)
class CodeCount:
    """A code's codings: its own, and with those of every code under it."""

    own: int = 0
    with_subcodes: int = 0
    #: how many codes are under it, at any depth
    subcodes: int = 0


def bottom_up(rows: list[TreeRow]) -> list[tuple[int, int]]:
    """(code, its parent) for every code under another, children before their parents: the
    order in which adding each code's count to its parent's gives every code the counts of
    all the codes under it."""
    ids = {row.code.id for row in rows}
    return [(row.code.id, row.code.parent_id) for row in reversed(rows)
            if row.code.parent_id in ids]


def code_counts(project: Project, coder_id: int | None = None,
                rows: list[TreeRow] | None = None) -> dict[int, CodeCount]:
    """Every code's count, own and with sub-codes: a parent counts its sub-codes' codings,
    so "Areas of cooperation" shows what "Business" and "Culture" hold too."""
    own = coding_counts(project, coder_id)
    rows = rows if rows is not None else code_tree(project_codes(project))
    totals = {row.code.id: own.get(row.code.id, 0) for row in rows}
    below = dict.fromkeys(totals, 0)
    for code_id, parent_id in bottom_up(rows):
        totals[parent_id] += totals[code_id]
        below[parent_id] += below[code_id] + 1
    return {code_id: CodeCount(own.get(code_id, 0), totals[code_id], below[code_id])
            for code_id in totals}


def clean_fields(project: Project, fields: CodeFields, parent_id: int | None,
                 code: Code | None = None) -> CodeFields:
    """The fields tidied, or a CodebookError saying what is wrong."""
    name = " ".join(fields.name.split())
    if not name:
        raise CodebookError("Give the code a name.")
    if len(name) > MAX_NAME:
        raise CodebookError(f"A code's name can have at most {MAX_NAME} characters.")
    colour = fields.colour.strip() or "#FFE08A"
    if not _COLOUR.match(colour):
        raise CodebookError("Choose the colour as #RRGGBB, e.g. #FFE08A.")
    shortcut = fields.shortcut.strip().lower()
    if shortcut and not (len(shortcut) == 1 and shortcut.isalnum()):
        raise CodebookError("A shortcut is one letter or digit.")
    for other in project_codes(project, include_archived=False):
        if code is not None and other.id == code.id:
            continue
        if other.parent_id == parent_id and other.name.casefold() == name.casefold():
            raise CodebookError(
                f"There is already a code “{other.name}” at that place in the tree.")
        if shortcut and other.shortcut == shortcut:
            raise CodebookError(f"The shortcut “{shortcut}” already applies “{other.name}”.")
    return CodeFields(name=name, definition=fields.definition.strip(),
                      when_to_use=fields.when_to_use.strip(),
                      when_not_to_use=fields.when_not_to_use.strip(),
                      example=fields.example.strip(), colour=colour.upper(), shortcut=shortcut)


def log_change(project: Project, code: Code | None, user: User | None, action: str,
               summary: str, **details: Any) -> CodebookChange:
    change = CodebookChange(project_id=project.id, code_id=code.id if code else None,
                            user_id=user.id if user else None, action=action,
                            summary=summary, details=details)
    db.session.add(change)
    db.session.flush()
    return change


def parent_in(project: Project, parent_id: int | None) -> Code | None:
    if parent_id is None:
        return None
    parent = db.session.get(Code, parent_id)
    if parent is None or parent.project_id != project.id:
        raise CodebookError("The parent code is not in this codebook.")
    return parent


def next_position(project: Project, parent_id: int | None) -> int:
    highest = db.session.scalar(db.select(db.func.max(Code.position)).where(
        Code.project_id == project.id, Code.parent_id.is_(None) if parent_id is None
        else Code.parent_id == parent_id))
    return (highest or 0) + 1


def create_code(project: Project, fields: CodeFields, parent_id: int | None,
                user: User | None) -> Code:
    parent = parent_in(project, parent_id)
    fields = clean_fields(project, fields, parent_id)
    code = Code(project_id=project.id, parent_id=parent_id,
                position=next_position(project, parent_id), **asdict(fields))
    db.session.add(code)
    db.session.flush()
    where = f" under “{parent.name}”" if parent else ""
    log_change(project, code, user, "created", f"Created “{code.name}”{where}")
    return code


def update_code(code: Code, fields: CodeFields, user: User) -> dict[str, list[str]]:
    """Change a code's fields; return what changed as {field: [old, new]}."""
    project = db.session.get(Project, code.project_id)
    fields = clean_fields(project, fields, code.parent_id, code)
    changed = {}
    for name, value in asdict(fields).items():
        old = getattr(code, name)
        if old != value:
            changed[name] = [old, value]
            setattr(code, name, value)
    if changed:
        db.session.flush()
        labels = ", ".join(name.replace("_", " ") for name in changed)
        log_change(project, code, user, "edited", f"Edited “{code.name}”: {labels}", **changed)
    return changed


def ancestors(code: Code) -> list[Code]:
    chain, seen = [], set()
    while code.parent is not None and code.parent.id not in seen:
        code = code.parent
        seen.add(code.id)
        chain.append(code)
    return chain


def move_code(code: Code, parent_id: int | None, user: User) -> None:
    """Put a code under another parent (or at the top); its children move with it."""
    project = db.session.get(Project, code.project_id)
    parent = parent_in(project, parent_id)
    if parent is not None and (parent.id == code.id or code in ancestors(parent)):
        raise CodebookError("A code cannot be moved under itself or one of its own children.")
    if parent_id == code.parent_id:
        return
    clean_fields(project, CodeFields(name=code.name, colour=code.colour), parent_id, code)
    before = code.parent.name if code.parent else "the top level"
    code.parent_id = parent_id
    code.position = next_position(project, parent_id)
    db.session.flush()
    db.session.expire(code, ["parent"])
    after = parent.name if parent else "the top level"
    log_change(project, code, user, "moved", f"Moved “{code.name}” from {before} to {after}",
               parent=[before, after])


def merge_codes(merged: Code, into: Code, user: User) -> int:
    """Merge one code into another: its codings, children and memos follow; a coding that
    would repeat one the same coder already has is dropped. Return how many codings moved."""
    project = db.session.get(Project, merged.project_id)
    if merged.id == into.id:
        raise CodebookError("Choose two different codes to merge.")
    if into.project_id != merged.project_id:
        raise CodebookError("Both codes must be in this codebook.")
    if merged in ancestors(into):
        raise CodebookError(f"“{into.name}” is under “{merged.name}”; merge the other way "
                            "or move it first.")
    existing = set(db.session.execute(
        db.select(Coding.source_id, Coding.coder_id, Coding.start, Coding.end)
        .where(Coding.code_id == into.id)))
    moved = 0
    for coding in db.session.scalars(db.select(Coding).where(Coding.code_id == merged.id)):
        key = (coding.source_id, coding.coder_id, coding.start, coding.end)
        if key in existing:
            db.session.delete(coding)
            continue
        existing.add(key)
        coding.code_id = into.id
        moved += 1
    db.session.execute(db.update(Code).where(Code.parent_id == merged.id)
                       .values(parent_id=into.id))
    db.session.execute(db.update(Memo).where(Memo.code_id == merged.id).values(code_id=into.id))
    log_change(project, into, user, "merged",
               f"Merged “{merged.name}” into “{into.name}” ({moved} codings moved)",
               merged={"name": merged.name, "definition": merged.definition}, codings=moved)
    db.session.execute(db.update(CodebookChange).where(CodebookChange.code_id == merged.id)
                       .values(code_id=into.id))
    db.session.delete(merged)
    db.session.flush()
    return moved


def split_code(code: Code, fields: CodeFields, coding_ids: list[int], user: User) -> Code:
    """Split a code in two: a new sibling code takes the chosen codings."""
    project = db.session.get(Project, code.project_id)
    if not coding_ids:
        raise CodebookError("Choose the codings that go to the new code.")
    new = create_code(project, fields, code.parent_id, user)
    codings = list(db.session.scalars(db.select(Coding).where(
        Coding.id.in_(coding_ids), Coding.code_id == code.id)))
    if len(codings) != len(set(coding_ids)):
        raise CodebookError("Some of the chosen codings are no longer coded with "
                            f"“{code.name}”; reload the page.")
    for coding in codings:
        coding.code_id = new.id
    db.session.flush()
    log_change(project, code, user, "split",
               f"Split “{code.name}”: {len(codings)} codings went to “{new.name}”",
               new_code=new.name, codings=len(codings))
    return new


def archive_code(code: Code, user: User) -> None:
    """Stop offering a code for coding; its codings stay."""
    if code.archived_at is None:
        code.archived_at = utcnow()
        code.shortcut = ""
        db.session.flush()
        log_change(db.session.get(Project, code.project_id), code, user, "archived",
                   f"Archived “{code.name}”")


def restore_code(code: Code, user: User) -> None:
    if code.archived_at is not None:
        project = db.session.get(Project, code.project_id)
        clean_fields(project, CodeFields(name=code.name, colour=code.colour), code.parent_id,
                     code)
        code.archived_at = None
        db.session.flush()
        log_change(project, code, user, "restored", f"Restored “{code.name}”")


def load_starter(project: Project, user: User) -> int:
    """Add the starter codebook; codes already there by name and place are kept as they are.
    Return how many codes were added."""
    added = 0

    def add(starter: StarterCode, parent_id: int | None) -> None:
        nonlocal added
        existing = db.session.scalar(db.select(Code).where(
            Code.project_id == project.id, Code.name == starter.name,
            Code.parent_id.is_(None) if parent_id is None else Code.parent_id == parent_id))
        if existing is None:
            existing = Code(project_id=project.id, parent_id=parent_id,
                            position=next_position(project, parent_id), name=starter.name,
                            definition=starter.definition, when_to_use=starter.when_to_use,
                            when_not_to_use=starter.when_not_to_use, example=starter.example,
                            colour=starter.colour)
            db.session.add(existing)
            db.session.flush()
            added += 1
        for child in starter.children:
            add(child, existing.id)

    for top in load_starter_codebook():
        add(top, None)
    log_change(project, None, user, "starter",
               f"Loaded the starter codebook ({added} codes added)", codes=added)
    return added


def codebook_history(project: Project, code: Code | None = None) -> list[CodebookChange]:
    query = db.select(CodebookChange).where(CodebookChange.project_id == project.id)
    if code is not None:
        query = query.where(CodebookChange.code_id == code.id)
    return list(db.session.scalars(query.order_by(CodebookChange.at.desc(),
                                                  CodebookChange.id.desc())))
