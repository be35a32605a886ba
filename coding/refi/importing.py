"""Importing a .qdc into a project's codebook, and a .qdpx into an empty project.

Everything is read and checked first (coding.refi.reading); only then is anything added, and
functions only flush, so the request commits the whole import or rolls all of it back.

People: each user of the file is the person this project already knows by that GUID (an
earlier import), else the Fieldwork account with the same email (when the file gives one as
the user's id or name) or the same name (a member of the project first), else an external
coder of the project (coding.coders): their codings and memos stay theirs, for agreement
and retrieval too, and the lead can later join them to an account. A coding or memo that
names nobody is the importer's.

GUIDs: codes, sources, codings (and their selections), notes and users keep the GUIDs of the
file, and exports use them again; one that this project already uses, or that the file uses
twice, is replaced (the object gets one derived from its id) and counted in the report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert

from coding.codebook import log_change
from coding.coders import add_external_coder, add_identity, identities
from coding.codings import MAX_QUOTE
from coding.memos import MAX_TITLE
from coding.models import Coding, Memo, Source
from coding.refi.codes import CodesAdded, CodeSpec, add_codes, is_guid
from coding.refi.guids import guid
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
    #: people of the file with no account here, now external coders of the project, and how
    #: many codings they made
    unmatched: list[tuple[str, int]] = field(default_factory=list)
    #: (a code's path in the file, its name here) where a sibling's name differs only in case
    renamed: list[tuple[str, str]] = field(default_factory=list)
    #: GUIDs already used in this project or twice in the file, replaced: kind -> count
    guids_replaced: dict[str, int] = field(default_factory=dict)
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
                          skipped=dict(skipped), renamed=added.renamed)
    log_change(project, None, user, "imported",
               f"Imported the codebook “{filename}” ({added.added} codes added, "
               f"{added.kept} already there)", codes=added.added, kept=added.kept)
    audit.record("refi.import_codebook", project, project=project, user_id=user.id,
                 summary=f"Codebook imported from “{filename}”: {added.added} codes added, "
                         f"{added.kept} already there", skipped=report.skipped)
    return report


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


class ProjectImport:
    """Writes one read ProjectFile into an empty project."""

    def __init__(self, project: Project, file: ProjectFile, filename: str, user: User) -> None:
        self.project, self.file, self.user = project, file, user
        self.report = ImportReport(filename, origin=file.origin, skipped=dict(file.skipped),
                                   positions=file.positions.words())
        self.codings_by: Counter[str] = Counter()
        self.used_notes: set[str] = set()
        self.replaced: Counter[str] = Counter()
        self.external: set[str] = set()
        #: selection GUID -> (source id, start, end) of the selection that has it
        self.selections: dict[str, tuple[int, int, int]] = {}
        self.people = self.match_people()
        self.used_guids = self.project_guids()

    def match_people(self) -> dict[str, User]:
        """The file's user GUIDs -> users here (see the module's docstring); coders the file
        does not list become external coders named after their GUID."""
        known = identities(self.project)
        accounts = Accounts(self.project)
        people: dict[str, User] = {}
        listed = dict(self.file.users)
        coders = {coding.coder for source in self.file.sources for coding in source.codings}
        working = coders | {note.author for note in self.file.notes.values()} | {
            source.creator for source in self.file.sources}
        for key in coders - set(listed) - {""}:
            listed[key] = UserSpec(key, "", "")
        with_identity = {identity.user_id for identity in known.values()}
        idle = 0
        for key, spec in listed.items():
            name = spec.name or spec.login or f"Coder {key[:8]}"
            account = known[key].user if key in known else accounts.match(spec)
            if account is not None and account.external:
                people[key] = account
                self.external.add(key)
                continue
            if account is None and key not in working:
                idle += 1
                continue
            if account is None:
                people[key] = add_external_coder(self.project, key if is_guid(key) else
                                                 guid(self.project.id, "user-of-file", key),
                                                 name, self.file.origin).user
                self.external.add(key)
                continue
            people[key] = account
            self.report.matched.append((name, account.name))
            if account.id not in with_identity and is_guid(key):
                add_identity(self.project, account, key, name, self.file.origin)
                with_identity.add(account.id)
        if idle:
            self.report.skipped["people of the file who did no work in it"] = idle
        db.session.flush()
        return people

    def project_guids(self) -> dict[str, set[str]]:
        """GUIDs this project already uses, by kind (an empty project may have memos)."""
        memos = db.session.execute(db.select(Memo.id, Memo.guid).where(
            Memo.project_id == self.project.id))
        return {"sources": set(), "codings": set(),
                "notes": {stored or guid(self.project.id, "note", memo_id)
                          for memo_id, stored in memos}}

    def kept_guid(self, kind: str, value: str) -> str | None:
        """The file's GUID for a new object, None (one derived from its id) when it is not
        a GUID, or is used already (counted)."""
        if not is_guid(value):
            return None
        if value in self.used_guids[kind]:
            self.replaced[kind] += 1
            return None
        self.used_guids[kind].add(value)
        return value

    def person(self, user_guid: str) -> User:
        return self.people.get(user_guid, self.user)

    def run(self) -> ImportReport:
        codes = add_codes(self.project, self.file.codes)
        self.report.codes_added, self.report.codes_kept = codes.added, codes.kept
        self.report.renamed = codes.renamed
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
        self.report.matched = sorted(set(self.report.matched))
        self.report.unmatched = sorted((self.people[key].name, self.codings_by[key])
                                       for key in self.external)
        self.report.guids_replaced = dict(self.replaced)
        return self.report

    def add_source(self, spec: SourceSpec, codes: CodesAdded) -> None:
        created = spec.created or utcnow()
        source = Source(project_id=self.project.id, kind="document", title=spec.name,
                        text=spec.text, paragraphs=document_paragraphs(spec.text),
                        attributes=spec.attributes, created_by_id=self.person(spec.creator).id,
                        created_at=created, updated_at=created,
                        guid=self.kept_guid("sources", spec.guid))
        db.session.add(source)
        db.session.flush()
        self.report.sources += 1
        self.report.attributes += len(spec.attributes)
        if spec.description:
            self.add_memo(Memo(source_id=source.id, title="Description"), [spec.description])
        for note in spec.note_guids:
            self.add_note(note, Memo(source_id=source.id))
        self.add_codings(source, spec.codings, codes)

    def selection_guid(self, source: Source, spec: CodingSpec) -> str | None:
        """The selection's GUID, shared by its codings; replaced where another selection
        has it."""
        if not is_guid(spec.selection_guid):
            return None
        place = (source.id, spec.start, spec.end)
        if self.selections.setdefault(spec.selection_guid, place) != place:
            self.replaced["selections"] += 1
            return None
        return spec.selection_guid

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
                   "needs_review": False, "created_at": spec.created or now,
                   "guid": self.kept_guid("codings", spec.guid),
                   "selection_guid": self.selection_guid(source, spec)}
            self.codings_by[spec.coder] += 1
            if not self.coding_memo(spec, row):
                plain.append(row)
        if plain:
            db.session.execute(insert(Coding), plain)
        self.report.codings += len(specs)

    def coding_memo(self, spec: CodingSpec, row: dict[str, Any]) -> bool:
        """The coding with one memo on it: the selection's description and the coding's
        notes. False (and nothing added) when there is nothing to say."""
        notes = [self.file.notes[guid] for guid in spec.note_guids
                 if guid in self.file.notes and guid not in self.used_notes]
        self.used_notes.update(note.guid for note in notes)
        parts = spec.descriptions + [note.body for note in notes]
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
        self.add_memo(memo, [note.body], note)

    def add_memo(self, memo: Memo, parts: list[str], note: NoteSpec | None = None) -> None:
        memo.project_id = self.project.id
        memo.author_id = self.person(note.author if note else "").id
        memo.title = " ".join((memo.title or "").split())[:MAX_TITLE]
        memo.body = "\n\n".join(part for part in parts if part)
        memo.created_at = (note.created if note else None) or utcnow()
        memo.updated_at = (note.modified if note else None) or memo.created_at
        memo.guid = self.kept_guid("notes", note.guid) if note else None
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
    return [line + (f" Not taken: {report.skipped_words}." if report.skipped else ""),
            *renamed_lines(report)]


def renamed_lines(report: ImportReport) -> list[str]:
    return [f"The code “{path}” is named “{name}” here: a code beside it has the same name "
            "in another case, and Fieldwork tells codes apart whatever their case."
            for path, name in report.renamed]


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
    lines += [f"“{name}” has no account here and is an external coder of this project, "
              f"with {plural(count, 'coding')} of their own (they count as theirs in agreement "
              "and retrieval); the lead can join them to an account on the REFI-QDA exchange "
              "page." for name, count in report.unmatched]
    lines += renamed_lines(report)
    if report.guids_replaced:
        kinds = ", ".join(f"{count:,} of {kind}" for kind, count in
                          sorted(report.guids_replaced.items()))
        lines.append(f"GUIDs already used in this project or twice in the file were replaced "
                     f"by new ones: {kinds}.")
    lines += [f"Not taken (Fieldwork codes text only): {words}: {count}."
              for words, count in report.skipped.items()]
    return lines
