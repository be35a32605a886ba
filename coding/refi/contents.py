"""What a project export holds, read from the database in one go: its codes, sources (but
those of participants who withdrew consent), codings in text order, memos and where each
goes, the people named, and the recordings and PDFs that go with their sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row

from coding.codebook import project_codes
from coding.codings import Viewer
from coding.models import Code, CoderIdentity, Coding, Memo, Source
from coding.refi.guids import guid
from coding.refi.media import Media, pdfs_of, recordings_of
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.models import Consent, Participant, interview_participants
from interviews.protection.withdrawal import anonymised_only
from interviews.transcripts.models import Transcript


@dataclass
class Contents:
    """What one export holds, read from the database."""

    project: Project
    codes: list[Code]
    sources: list[Source]
    #: per source: rows of (id, source_id, code_id, coder_id, start, end, created_at, guid,
    #: selection_guid), in text order
    codings: dict[int, list[Row[Any]]]
    memos: list[Memo]
    user_names: dict[int, str]
    left_out: list[str]
    #: the GUIDs that people have in this project's files (CoderIdentity)
    user_guids: dict[int, str] = field(default_factory=dict)
    notes_of_coding: dict[int, list[str]] = field(default_factory=dict)
    notes_of_source: dict[int, list[str]] = field(default_factory=dict)
    notes_of_code: dict[int, list[str]] = field(default_factory=dict)
    notes_of_project: list[str] = field(default_factory=list)
    #: the recording of each transcript source that has one
    media: dict[int, Media] = field(default_factory=dict)
    #: the sha256 of the PDF of each document source made from one
    pdfs: dict[int, str] = field(default_factory=dict)

    def guid(self, kind: str, key: int | str) -> str:
        return guid(self.project.id, kind, key)

    def source_guid(self, source: Source) -> str:
        return source.guid or self.guid("source", source.id)

    def note_guid(self, memo: Memo) -> str:
        return memo.guid or self.guid("note", memo.id)

    def user_guid(self, user_id: int) -> str:
        return self.user_guids.get(user_id) or self.guid("user", user_id)


def withdrawn_source_ids(project: Project) -> set[int]:
    """Transcript sources with a participant who withdrew consent, never exported; but for
    those whose withdrawal the lead applied keeping the codings: they go out pseudonymised,
    as in the other exports."""
    rows = db.session.execute(
        db.select(Source.id, Participant).join(Transcript, Transcript.id == Source.transcript_id)
        .join(interview_participants,
              interview_participants.c.interview_id == Transcript.interview_id)
        .join(Participant, Participant.id == interview_participants.c.participant_id)
        .join(Consent, Consent.participant_id == Participant.id)
        .where(Source.project_id == project.id, Consent.withdrawn_on.is_not(None)))
    return {source_id for source_id, participant in rows if not anonymised_only(participant)}


def read_contents(project: Project, viewer: Viewer) -> Contents:
    withdrawn = withdrawn_source_ids(project)
    every_source = db.session.scalars(db.select(Source).where(Source.project_id == project.id)
                                      .order_by(Source.title, Source.id)).all()
    sources = [source for source in every_source if source.id not in withdrawn]
    query = (db.select(Coding.id, Coding.source_id, Coding.code_id, Coding.coder_id,
                       Coding.start, Coding.end, Coding.created_at, Coding.guid,
                       Coding.selection_guid)
             .where(Coding.project_id == project.id)
             .order_by(Coding.source_id, Coding.start, Coding.end, Coding.id))
    if viewer.sees_only_own:
        query = query.where(Coding.coder_id == viewer.user.id)
    codings: dict[int, list[Row[Any]]] = {source.id: [] for source in sources}
    for row in db.session.execute(query):
        if row.source_id in codings:
            codings[row.source_id].append(row)
    coding_ids = {row.id for rows in codings.values() for row in rows}
    memos = [memo for memo in db.session.scalars(
        db.select(Memo).where(Memo.project_id == project.id).order_by(Memo.id))
        if exported_memo(memo, coding_ids, codings)]
    user_ids = ({row.coder_id for rows in codings.values() for row in rows}
                | {memo.author_id for memo in memos} | {s.created_by_id for s in sources})
    names = dict(db.session.execute(db.select(User.id, User.name).where(
        User.id.in_(user_ids - {None}))).all())
    identities = dict(db.session.execute(db.select(CoderIdentity.user_id, CoderIdentity.guid)
                                         .where(CoderIdentity.project_id == project.id)).all())
    contents = Contents(project, project_codes(project), sources, codings, memos, names,
                        [source.title for source in every_source if source.id in withdrawn],
                        identities)
    contents.media, contents.pdfs = recordings_of(sources), pdfs_of(sources)
    place_notes(contents)
    return contents


def exported_memo(memo: Memo, coding_ids: set[int], codings: dict[int, list[Row[Any]]]) -> bool:
    if memo.coding_id is not None:
        return memo.coding_id in coding_ids
    if memo.source_id is not None:
        return memo.source_id in codings
    return True


def place_notes(contents: Contents) -> None:
    """Each memo's Note GUID on what it is about."""
    for memo in contents.memos:
        note = contents.note_guid(memo)
        target = memo.attached_to
        if target == "coding":
            contents.notes_of_coding.setdefault(memo.coding_id, []).append(note)
        elif target == "source":
            contents.notes_of_source.setdefault(memo.source_id, []).append(note)
        elif target == "code":
            contents.notes_of_code.setdefault(memo.code_id, []).append(note)
        else:
            contents.notes_of_project.append(note)
