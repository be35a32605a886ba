"""Importing a .qdc into a project's codebook, and a .qdpx into an empty project.

Everything is read and checked first (coding.refi.reading); only then is anything added, and
functions only flush, so the request commits the whole import or rolls all of it back.

People: each user of the file becomes the Fieldwork user with the same email (when the file
gives one as the user's id or name) or else the same name (a member of the project first).
Work of a person who has no Fieldwork account is attributed to the one who imports, and
their name is written into a memo on each of their codings ("Coded by Anna in NVivo.") and
at the top of their memos, so nothing is lost and their codings can be found again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert

from coding.codebook import log_change
from coding.codings import MAX_QUOTE
from coding.memos import MAX_TITLE
from coding.models import Coding, Memo, Source
from coding.refi.codes import CodesAdded, CodeSpec, add_codes
from coding.refi.reading import (
    CodingSpec,
    NoteSpec,
    ProjectFile,
    SourceSpec,
    UserSpec,
    read_codebook,
    read_project,
)
from coding.refi.xmlio import RefiError
from coding.sources import document_paragraphs
from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User


@dataclass
class ImportReport:
    filename: str
    origin: str = ""
    codes_added: int = 0
    codes_kept: int = 0
    sources: int = 0
    codings: int = 0
    memos: int = 0
    attributes: int = 0
    #: (name in the file, the Fieldwork user it became)
    matched: list[tuple[str, str]] = field(default_factory=list)
    #: names in the file with no Fieldwork account, and how many codings they made
    unmatched: list[tuple[str, int]] = field(default_factory=list)
    #: what the file holds that Fieldwork cannot take, in words, with counts
    skipped: dict[str, int] = field(default_factory=dict)
    #: how the file's positions were counted, in words
    positions: str = ""

    @property
    def skipped_words(self) -> str:
        return "; ".join(f"{words}: {count}" for words, count in self.skipped.items())


def import_codebook(project: Project, data: bytes, filename: str, user: User) -> ImportReport:
    specs, skipped = read_codebook(data)
    return import_codebook_specs(project, specs, skipped, filename, user)


def import_codebook_specs(project: Project, specs: list[CodeSpec], skipped: Counter[str],
                          filename: str, user: User) -> ImportReport:
    """Add the codes of a codebook file already read."""
    added = add_codes(project, specs)
    report = ImportReport(filename, codes_added=added.added, codes_kept=added.kept,
                          skipped=dict(skipped))
    log_change(project, None, user, "imported",
               f"Imported the codebook “{filename}” ({added.added} codes added, "
               f"{added.kept} already there)", codes=added.added, kept=added.kept)
    audit.record("refi.import_codebook", project, project=project, user_id=user.id,
                 summary=f"Codebook imported from “{filename}”: {added.added} codes added, "
                         f"{added.kept} already there", skipped=report.skipped)
    return report


def match_users(project: Project, users: list[UserSpec]) -> dict[str, User]:
    """The file's user GUIDs that are Fieldwork users (see the module's docstring)."""
    everyone = list(db.session.scalars(db.select(User)))
    members = set(db.session.scalars(db.select(Membership.user_id).where(
        Membership.project_id == project.id)))
    by_email = {user.email.casefold(): user for user in everyone}
    matches = {}
    for spec in users:
        found = by_email.get(spec.login.casefold()) or by_email.get(spec.name.casefold())
        if found is None and spec.name:
            named = [user for user in everyone if user.name.casefold() == spec.name.casefold()]
            in_project = [user for user in named if user.id in members]
            chosen = in_project if len(in_project) == 1 else named
            found = chosen[0] if len(chosen) == 1 else None
        if found is not None:
            matches[spec.guid] = found
    return matches


class ProjectImport:
    """Writes one read ProjectFile into an empty project."""

    def __init__(self, project: Project, file: ProjectFile, filename: str, user: User) -> None:
        self.project, self.file, self.user = project, file, user
        self.people = match_users(project, list(file.users.values()))
        self.report = ImportReport(filename, origin=file.origin, skipped=dict(file.skipped),
                                   positions=file.positions.words())
        self.unmatched: Counter[str] = Counter()
        self.used_notes: set[str] = set()
        self.tool = file.origin or "the other program"

    def person(self, user_guid: str) -> User:
        return self.people.get(user_guid, self.user)

    def stranger(self, user_guid: str) -> str:
        """The name of a person of the file without a Fieldwork account ("" if matched)."""
        if not user_guid or user_guid in self.people:
            return ""
        spec = self.file.users.get(user_guid)
        return spec.name if spec is not None and spec.name else ""

    def run(self) -> ImportReport:
        codes = add_codes(self.project, self.file.codes)
        self.report.codes_added, self.report.codes_kept = codes.added, codes.kept
        for spec in self.file.sources:
            self.add_source(spec, codes)
        self.add_code_memos(codes)
        for note in self.file.project_notes:
            self.add_note(note)
        for note in self.file.notes:
            self.add_note(note)
        if self.file.description and not self.project.description:
            self.project.description = self.file.description
        db.session.flush()
        self.report.matched = sorted({(self.file.users[guid].name or self.file.users[guid].login,
                                       user.name) for guid, user in self.people.items()})
        self.report.unmatched = sorted(self.unmatched.items())
        return self.report

    def add_source(self, spec: SourceSpec, codes: CodesAdded) -> None:
        created = spec.created or utcnow()
        source = Source(project_id=self.project.id, kind="document", title=spec.name,
                        text=spec.text, paragraphs=document_paragraphs(spec.text),
                        attributes=spec.attributes, created_by_id=self.person(spec.creator).id,
                        created_at=created, updated_at=created)
        db.session.add(source)
        db.session.flush()
        self.report.sources += 1
        self.report.attributes += len(spec.attributes)
        if spec.description:
            self.add_memo(Memo(source_id=source.id, title="Description"), [spec.description])
        for note in spec.note_guids:
            self.add_note(note, Memo(source_id=source.id))
        self.add_codings(source, spec.codings, codes)

    def add_codings(self, source: Source, specs: list[CodingSpec], codes: CodesAdded) -> None:
        """Codings with a memo go through the session (the memo needs the coding's id); the
        others, usually nearly all, in one bulk insert."""
        now = utcnow()
        plain = []
        for spec in specs:
            row = {"project_id": self.project.id, "source_id": source.id,
                   "code_id": codes.code_ids[spec.code_guid],
                   "coder_id": self.person(spec.coder).id, "start": spec.start,
                   "end": spec.end, "quote": source.text[spec.start:spec.end][:MAX_QUOTE],
                   "needs_review": False, "created_at": spec.created or now}
            if not self.coding_memo(spec, row):
                plain.append(row)
        if plain:
            db.session.execute(insert(Coding), plain)
        self.report.codings += len(specs)

    def coding_memo(self, spec: CodingSpec, row: dict[str, Any]) -> bool:
        """The coding with one memo on it: who coded it when they have no account here, the
        selection's description and the coding's notes. False (and nothing added) when there
        is nothing to say."""
        parts = []
        stranger = self.stranger(spec.coder)
        if stranger:
            self.unmatched[stranger] += 1
            parts.append(f"Coded by {stranger} in {self.tool}.")
        notes = [self.file.notes[guid] for guid in spec.note_guids
                 if guid in self.file.notes and guid not in self.used_notes]
        self.used_notes.update(note.guid for note in notes)
        parts += spec.descriptions + [self.signed(note) for note in notes]
        if parts:
            self.add_memo(Memo(coding=Coding(**row), title=notes[0].title if notes else ""),
                          parts, notes[0] if notes else None)
        return bool(parts)

    def add_code_memos(self, codes: CodesAdded) -> None:
        pending = list(self.file.codes)
        while pending:
            spec = pending.pop()
            pending += spec.children
            for note in spec.note_guids:
                self.add_note(note, Memo(code_id=codes.code_ids[spec.guid]))

    def add_note(self, guid: str, memo: Memo | None = None) -> None:
        """The file's note as a memo on what `memo` is about (the project when None); each
        note is taken once, where it is first referred to."""
        note = self.file.notes.get(guid)
        if note is None or guid in self.used_notes:
            return
        self.used_notes.add(guid)
        memo = memo or Memo()
        memo.title = note.title
        self.add_memo(memo, [self.signed(note)], note)

    def signed(self, note: NoteSpec) -> str:
        stranger = self.stranger(note.author)
        return f"Written by {stranger} in {self.tool}.\n\n{note.body}" if stranger else note.body

    def add_memo(self, memo: Memo, parts: list[str], note: NoteSpec | None = None) -> None:
        memo.project_id = self.project.id
        memo.author_id = self.person(note.author if note else "").id
        memo.title = " ".join((memo.title or "").split())[:MAX_TITLE]
        memo.body = "\n\n".join(part for part in parts if part)
        memo.created_at = (note.created if note else None) or utcnow()
        memo.updated_at = (note.modified if note else None) or memo.created_at
        db.session.add(memo)
        self.report.memos += 1


def check_empty(project: Project) -> None:
    """A .qdpx goes into a project without sources, or a RefiError says why not."""
    has_sources = db.session.scalar(db.select(Source.id).where(
        Source.project_id == project.id).limit(1))
    if has_sources is not None:
        raise RefiError("This project already has sources. A .qdpx is imported into a new, "
                        "empty project; to bring in only codes, import a codebook.")


def import_project(project: Project, data: bytes, filename: str, user: User) -> ImportReport:
    """Import a .qdpx into a project that has no sources yet."""
    check_empty(project)
    return import_project_file(project, read_project(data), filename, user)


def import_project_file(project: Project, file: ProjectFile, filename: str,
                        user: User) -> ImportReport:
    """Add a .qdpx already read to a project that has no sources yet; flushes."""
    check_empty(project)
    report = ProjectImport(project, file, filename, user).run()
    if report.codes_added:
        log_change(project, None, user, "imported",
                   f"Imported the codebook of “{filename}” ({report.codes_added} codes added, "
                   f"{report.codes_kept} already there)", codes=report.codes_added,
                   kept=report.codes_kept)
    skipped = f"; not taken: {report.skipped_words}" if report.skipped else ""
    audit.record("refi.import_project", project, project=project, user_id=user.id,
                 summary=f"Project imported from “{filename}”"
                         f"{f' ({file.origin})' if file.origin else ''}: {report.sources} "
                         f"sources, {report.codings} codings, {report.memos} memos{skipped}",
                 skipped=report.skipped, positions=file.positions.counting)
    return report


def codebook_lines(report: ImportReport) -> list[str]:
    """What a codebook import did, in words."""
    line = (f"Codebook “{report.filename}” imported: {report.codes_added} codes added, "
            f"{report.codes_kept} already there and kept as they were.")
    return [line + (f" Not taken: {report.skipped_words}." if report.skipped else "")]


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def project_lines(report: ImportReport) -> list[str]:
    """What a project import did, in words."""
    made_with = f" (made with {report.origin})" if report.origin else ""
    lines = [f"“{report.filename}” imported{made_with}.",
             f"{plural(report.sources, 'source')}, {plural(report.codings, 'coding')}, "
             f"{plural(report.memos, 'memo')}, {plural(report.attributes, 'attribute value')}.",
             f"Codes: {report.codes_added} added, {report.codes_kept} already in the codebook.",
             report.positions]
    lines += [f"“{name}” is {user} here." for name, user in report.matched]
    lines += [f"“{name}” has no account here: "
              f"{'their coding is' if count == 1 else f'their {count} codings are'} yours now; "
              f"a memo “Coded by {name}” on each says who coded it."
              for name, count in report.unmatched]
    lines += [f"Not taken (Fieldwork codes text only): {words}: {count}."
              for words, count in report.skipped.items()]
    return lines
