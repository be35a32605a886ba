"""Importing a .qdc into a project's codebook, and a .qdpx into an empty project.

Everything is read and checked first (coding.refi.reading); only then is anything added, and
functions only flush. A request commits the whole import or rolls all of it back; a task
commits every BATCH codings, its project closed meanwhile (coding.refi.staging).

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
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert

from coding.codebook import log_change
from coding.coders import add_external_coder, add_identity, identities
from coding.codings import MAX_QUOTE
from coding.memos import MAX_TITLE
from coding.models import Coding, Memo, Source
from coding.refi.codes import CodeSpec, add_codes, is_guid
from coding.refi.guids import guid
from coding.refi.media import add_interview, unpacked_file
from coding.refi.people import Accounts
from coding.refi.reading import read_codebook, read_project
from coding.refi.report import ImportReport
from coding.refi.specs import CodingSpec, NoteSpec, ProjectFile, SourceSpec, UserSpec
from coding.refi.xmlio import RefiError
from coding.sources import document_paragraphs
from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, StoredFile, User

#: codings written between two commits of a task's import: a transaction of about 0.1 s
BATCH = 2_000
#: characters of sources' text written between two commits
SOURCE_BATCH = 5_000_000


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


class ProjectImport:
    """Writes one read ProjectFile into an empty project, in three steps: `open` (people and
    codes), `write_sources` (sources, codings and their memos, calling `batch_done` every
    BATCH codings so that a task can commit them there) and `close` (the memos on codes and
    the project, the report). Each only flushes."""

    def __init__(self, project: Project, file: ProjectFile, filename: str, user: User) -> None:
        self.project_id, self.user_id, self.file = project.id, user.id, file
        self.report = ImportReport(filename, origin=file.origin, skipped=dict(file.skipped),
                                   positions=file.positions.words(),
                                   counting=file.positions.counting)
        self.codings_by: Counter[str] = Counter()
        self.used_notes: set[str] = set()
        self.replaced: Counter[str] = Counter()
        self.external: set[str] = set()
        #: selection GUID -> (source id, start, end) of the selection that has it
        self.selections: dict[str, tuple[int, int, int]] = {}
        #: the file's user GUIDs -> ids of the people they are here, and their names
        self.people: dict[str, int] = {}
        self.names: dict[str, str] = {}
        self.code_ids: dict[str, int] = {}
        self.used_guids: dict[str, set[str]] = {}

    @property
    def codings(self) -> int:
        return sum(len(source.codings) for source in self.file.sources)

    def run(self) -> ImportReport:
        self.open()
        self.write_sources(db.session.flush)
        return self.close()

    def open(self) -> None:
        """People and codes."""
        project = db.session.get(Project, self.project_id)
        self.match_people(project)
        self.used_guids = self.project_guids()
        codes = add_codes(project, self.file.codes)
        self.report.codes_added, self.report.codes_kept = codes.added, codes.kept
        self.report.renamed = codes.renamed
        self.code_ids = codes.code_ids

    def write_sources(self, batch_done: Callable[[], None]) -> None:
        """Sources, then their codings and memos; `batch_done()` after each batch of
        sources and every BATCH codings. Each batch is made ready before its first insert,
        so a task's transaction lasts only as long as its inserts."""
        source_ids = self.add_sources(batch_done)
        pending: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
        for spec, source_id in zip(self.file.sources, source_ids, strict=True):
            if spec.description:
                self.add_memo({"source_id": source_id}, "Description", [spec.description])
            for note in spec.note_guids:
                self.add_note(note, {"source_id": source_id})
            pending += self.coding_rows(source_id, spec)
            while len(pending) >= BATCH:
                self.add_codings(pending[:BATCH])
                del pending[:BATCH]
                batch_done()
        self.add_codings(pending)
        batch_done()

    def close(self) -> ImportReport:
        """Memos on codes and the project, the project's description; the report."""
        self.add_code_memos(self.file.codes)
        for note in self.file.project_notes:
            self.add_note(note)
        for note in self.file.notes:
            self.add_note(note)
        project = db.session.get(Project, self.project_id)
        if self.file.description and not project.description:
            project.description = self.file.description
        db.session.flush()
        self.report.matched = sorted(set(self.report.matched))
        self.report.unmatched = sorted((self.names[key], self.codings_by[key])
                                       for key in self.external)
        self.report.guids_replaced = dict(self.replaced)
        return self.report

    def match_people(self, project: Project) -> None:
        """The file's user GUIDs -> users here (see the module's docstring); coders the file
        does not list become external coders named after their GUID."""
        known = identities(project)
        accounts = Accounts(project)
        listed = dict(self.file.users)
        coders = {coding.coder for source in self.file.sources for coding in source.codings}
        working = coders | {note.author for note in self.file.notes.values()} | {
            source.creator for source in self.file.sources}
        for key in coders - set(listed) - {""}:
            listed[key] = UserSpec(key, "", "")
        with_identity = {identity.user_id for identity in known.values()}
        people: dict[str, User] = {}
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
                people[key] = add_external_coder(project, key if is_guid(key) else
                                                 guid(project.id, "user-of-file", key),
                                                 name, self.file.origin).user
                self.external.add(key)
                continue
            people[key] = account
            self.report.matched.append((name, account.name))
            if account.id not in with_identity and is_guid(key):
                add_identity(project, account, key, name, self.file.origin)
                with_identity.add(account.id)
        if idle:
            self.report.skipped["people of the file who did no work in it"] = idle
        db.session.flush()
        self.people = {key: user.id for key, user in people.items()}
        self.names = {key: user.name for key, user in people.items()}

    def project_guids(self) -> dict[str, set[str]]:
        """GUIDs this project already uses, by kind (an empty project may have memos)."""
        memos = db.session.execute(db.select(Memo.id, Memo.guid).where(
            Memo.project_id == self.project_id))
        return {"sources": set(), "codings": set(),
                "notes": {stored or guid(self.project_id, "note", memo_id)
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

    def person(self, user_guid: str) -> int:
        """The id of the person here who is the file's user, the importer when none."""
        return self.people.get(user_guid, self.user_id)

    def add_sources(self, batch_done: Callable[[], None]) -> list[int]:
        """The sources' rows, interviews with their recordings each in a transaction, the
        others in batches of about SOURCE_BATCH characters; their ids."""
        ids: dict[int, int] = {}
        pending: list[tuple[int, dict[str, Any]]] = []
        characters = 0
        for index, spec in enumerate(self.file.sources):
            self.report.attributes += len(spec.attributes)
            if spec.media is not None:
                ids[index] = self.add_interview(spec)
                batch_done()
                continue
            created = spec.created or utcnow()
            pending.append((index, {
                "project_id": self.project_id, "kind": "document", "title": spec.name,
                "text": spec.text, "paragraphs": document_paragraphs(spec.text, spec.pages),
                "attributes": spec.attributes, "created_by_id": self.person(spec.creator),
                "created_at": created, "updated_at": created,
                "guid": self.kept_guid("sources", spec.guid), "file_id": self.original(spec)}))
            characters += len(spec.text)
            if characters >= SOURCE_BATCH:
                ids.update(self.insert_sources(pending))
                batch_done()
                pending, characters = [], 0
        ids.update(self.insert_sources(pending))
        batch_done()
        self.report.sources = len(ids)
        return [ids[index] for index in range(len(self.file.sources)) if index in ids]

    def original(self, spec: SourceSpec) -> StoredFile | None:
        """The document's own file (a PDF) unpacked into the file store, when the archive
        holds it; its row is added with the source's."""
        archive, member = self.file.archive, spec.original[0]
        if archive is None or not member:
            return None
        return unpacked_file(lambda out: archive.copy(member, out), spec.original[1],
                             self.user_id)

    @staticmethod
    def insert_sources(pending: list[tuple[int, dict[str, Any]]]) -> dict[int, int]:
        if not pending:
            return {}
        files = [row["file_id"] for _index, row in pending if row["file_id"] is not None]
        db.session.add_all(files)
        db.session.flush()
        for _index, row in pending:
            row["file_id"] = row["file_id"].id if row["file_id"] is not None else None
        ids = db.session.scalars(insert(Source).returning(
            Source.id, sort_by_parameter_order=True), [row for _index, row in pending]).all()
        return dict(zip([index for index, _row in pending], ids, strict=True))

    def add_interview(self, spec: SourceSpec) -> int:
        """An interview with its recording copied out of the archive (media.py); the
        positions of its codings moved to its source's text."""
        media, archive = spec.media, self.file.archive
        stored = None
        if media is not None and media.member and archive is not None:
            stored = unpacked_file(lambda out: archive.copy(media.member, out),
                                   media.filename, self.user_id)
        source, moved = add_interview(self.project_id, spec.name, spec.text, media, stored,
                                      self.person(spec.creator))
        source.attributes, source.guid = spec.attributes, self.kept_guid("sources", spec.guid)
        source.created_at = source.updated_at = spec.created or source.created_at
        for coding in spec.codings:
            coding.start, coding.end = moved(coding.start), moved(coding.end)
        spec.codings = [coding for coding in spec.codings if coding.start < coding.end]
        spec.text = source.text
        db.session.flush()
        return source.id

    def selection_guid(self, source_id: int, spec: CodingSpec) -> str | None:
        """The selection's GUID, shared by its codings; replaced where another selection
        has it."""
        if not is_guid(spec.selection_guid):
            return None
        place = (source_id, spec.start, spec.end)
        if self.selections.setdefault(spec.selection_guid, place) != place:
            self.replaced["selections"] += 1
            return None
        return spec.selection_guid

    def coding_rows(self, source_id: int, spec: SourceSpec) -> list[
            tuple[dict[str, Any], dict[str, Any] | None]]:
        """Each coding's row, with the row of its memo when it has one."""
        now, text = utcnow(), spec.text
        rows = []
        for coding in spec.codings:
            self.codings_by[coding.coder] += 1
            rows.append(({"project_id": self.project_id, "source_id": source_id,
                          "code_id": self.code_ids[coding.code_guid],
                          "coder_id": self.person(coding.coder), "start": coding.start,
                          "end": coding.end,
                          "quote": text[coding.start:coding.end][:MAX_QUOTE],
                          "needs_review": False, "created_at": coding.created or now,
                          "guid": self.kept_guid("codings", coding.guid),
                          "selection_guid": self.selection_guid(source_id, coding)},
                         self.coding_memo(coding)))
        return rows

    def add_codings(self, rows: list[tuple[dict[str, Any], dict[str, Any] | None]]) -> None:
        """Codings in one bulk insert, then the memos of those that have one in another."""
        if not rows:
            return
        codings, memos = [row for row, _memo in rows], [memo for _row, memo in rows]
        if not any(memos):
            db.session.execute(insert(Coding), codings)
        else:
            ids = db.session.scalars(insert(Coding).returning(
                Coding.id, sort_by_parameter_order=True), codings).all()
            db.session.execute(insert(Memo), [{**memo, "coding_id": coding_id}
                                              for coding_id, memo in zip(ids, memos, strict=True)
                                              if memo])
        self.report.codings += len(rows)

    def coding_memo(self, spec: CodingSpec) -> dict[str, Any] | None:
        """The row of the coding's one memo: the selection's description and the coding's
        notes. None when there is nothing to say."""
        notes = [self.file.notes[guid] for guid in spec.note_guids
                 if guid in self.file.notes and guid not in self.used_notes]
        self.used_notes.update(note.guid for note in notes)
        parts = spec.descriptions + [note.body for note in notes]
        if not parts:
            return None
        self.report.memos += 1
        return self.memo_row(notes[0].title if notes else "", parts,
                             notes[0] if notes else None)

    def add_code_memos(self, specs: list[CodeSpec]) -> None:
        pending = list(specs)
        while pending:
            spec = pending.pop()
            pending += spec.children
            for note in spec.note_guids:
                self.add_note(note, {"code_id": self.code_ids[spec.guid]})

    def add_note(self, guid: str, about: dict[str, int] | None = None) -> None:
        """The file's note as a memo on what `about` names (the project when None); each
        note is taken once, where it is first referred to."""
        note = self.file.notes.get(guid)
        if note is None or guid in self.used_notes:
            return
        self.used_notes.add(guid)
        self.add_memo(about or {}, note.title, [note.body], note)

    def add_memo(self, about: dict[str, int], title: str, parts: list[str],
                 note: NoteSpec | None = None) -> None:
        db.session.add(Memo(**about, **self.memo_row(title, parts, note)))
        self.report.memos += 1

    def memo_row(self, title: str, parts: list[str], note: NoteSpec | None) -> dict[str, Any]:
        created = (note.created if note else None) or utcnow()
        return {"project_id": self.project_id, "author_id": self.person(
                    note.author if note else ""),
                "title": " ".join(title.split())[:MAX_TITLE],
                "body": "\n\n".join(part for part in parts if part),
                "created_at": created,
                "updated_at": (note.modified if note else None) or created,
                "guid": self.kept_guid("notes", note.guid) if note else None}


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
    record_project_import(project, report, user)
    return report


def record_project_import(project: Project, report: ImportReport, user: User) -> None:
    """The codebook's history and the audit log say what the import did (flushed)."""
    if report.codes_added:
        log_change(project, None, user, "imported",
                   f"Imported the codebook of “{report.filename}” ({report.codes_added} codes "
                   f"added, {report.codes_kept} already there)", codes=report.codes_added,
                   kept=report.codes_kept)
    skipped = f"; not taken: {report.skipped_words}" if report.skipped else ""
    audit.record("refi.import_project", project, project=project, user_id=user.id,
                 summary=f"Project imported from “{report.filename}”"
                         f"{f' ({report.origin})' if report.origin else ''}: {report.sources} "
                         f"sources, {report.codings} codings, {report.memos} memos{skipped}",
                 skipped=report.skipped, positions=report.counting)
