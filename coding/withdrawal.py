"""What coding does with a participant's data: apply their withdrawal of consent to the
sources of their transcripts, and list the codings on them for their export. Called through
the signals of fieldwork.signals; functions only flush."""

from __future__ import annotations

from typing import Any

from coding.codebook import code_paths
from coding.models import CodeSuggestion, Coding, Memo, Quote, Source
from coding.sources import links_of
from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.models import Participant
from interviews.protection.pseudonymising import pseudonymise_text
from interviews.transcripts.models import Transcript


def sources_of(transcripts: list[Transcript]) -> list[Source]:
    ids = [transcript.id for transcript in transcripts]
    if not ids:
        return []
    return list(db.session.scalars(
        db.select(Source).where(Source.transcript_id.in_(ids)).order_by(Source.id)))


def codings_of(source: Source) -> list[Coding]:
    return list(db.session.scalars(
        db.select(Coding).where(Coding.source_id == source.id).order_by(Coding.id)))


def pseudonymise_codings(source: Source, codings: list[Coding], participant: Participant) -> None:
    """The coded words kept with each coding and the memos on the source and its codings."""
    for coding in codings:
        coding.quote = pseudonymise_text(coding.quote, participant)
    memos = db.session.scalars(db.select(Memo).where(
        (Memo.source_id == source.id) | Memo.coding_id.in_([c.id for c in codings])))
    for memo in memos:
        memo.body = pseudonymise_text(memo.body, participant)
        memo.title = pseudonymise_text(memo.title, participant)


def pseudonymise_suggestions(source: Source, codings: list[Coding],
                             participant: Participant) -> None:
    """Code suggestions keep the suggested words and, as their reason, the words of the
    coding they are like: those on the source, and those like its codings anywhere."""
    on_source = db.select(CodeSuggestion).where(CodeSuggestion.source_id == source.id)
    for suggestion in db.session.scalars(on_source):
        suggestion.quote = pseudonymise_text(suggestion.quote, participant)
        suggestion.reason = pseudonymise_text(suggestion.reason, participant)
    like_these = db.select(CodeSuggestion).where(
        CodeSuggestion.like_coding_id.in_([c.id for c in codings]))
    for suggestion in db.session.scalars(like_these):
        suggestion.reason = pseudonymise_text(suggestion.reason, participant)


def detach(source: Source) -> None:
    """Keep a source whose transcript is deleted: its own links replace its interview's,
    and its citation becomes its title, which names pseudonyms only."""
    links = links_of(source)
    source.places = links.places
    source.partnerships = links.partnerships
    source.case_study_id = links.case_study.id if links.case_study else None
    source.transcript_id = None
    source.title = f"{source.title} (transcript deleted)"[:300]


def apply_to_source(source: Source, participant: Participant, delete_transcripts: bool,
                    keep_codings: bool) -> int:
    codings = codings_of(source)
    pseudonymise_suggestions(source, codings, participant)
    if keep_codings:
        pseudonymise_codings(source, codings, participant)
        if delete_transcripts:
            detach(source)
    elif delete_transcripts:
        db.session.delete(source)
    else:
        for coding in codings:
            db.session.delete(coding)
    return len(codings)


def apply_withdrawal(participant: Participant, transcripts: list[Transcript],
                     delete_transcripts: bool, keep_codings: bool, user: User | None) -> int:
    """Remove the codings on the transcripts' sources, or keep them pseudonymised; return
    how many codings that concerned."""
    project = db.session.get(Project, participant.project_id)
    total = 0
    for source in sources_of(transcripts):
        title = source.title
        count = apply_to_source(source, participant, delete_transcripts, keep_codings)
        total += count
        done = "kept, anonymised" if keep_codings else "removed"
        audit.record("source.withdrawal", source, project=project,
                     summary=f"{count} coding(s) on “{title}” {done} after "
                             f"{participant.pseudonym} withdrew consent"
                             + ("; source deleted" if delete_transcripts and not keep_codings
                                else ""),
                     user_id=user.id if user else None, participant_id=participant.id)
    db.session.flush()
    return total


def coding_record(coding: Coding, paths: dict[int, str]) -> dict[str, Any]:
    source = coding.source
    memo = db.session.scalar(db.select(Memo.body).where(Memo.coding_id == coding.id))
    quote = db.session.scalar(db.select(Quote).where(Quote.coding_id == coding.id))
    return {
        "id": coding.id, "source": source.title, "code": paths.get(coding.code_id, ""),
        "coder": coding.coder.name, "start": coding.start, "end": coding.end,
        "excerpt": source.text[coding.start:coding.end], "quote": coding.quote,
        "needs_review": coding.needs_review, "memo": memo or "",
        "created_at": coding.created_at.isoformat(),
        "quote_bank": {"chapter": quote.chapter, "note": quote.note} if quote else None,
    }


def export_codings(participant: Participant, transcripts: list[Transcript]) -> dict[str, Any]:
    """The codings on the participant's transcripts, with their excerpts, for their export."""
    project = db.session.get(Project, participant.project_id)
    paths = code_paths(project)
    return {"codings": [coding_record(coding, paths) for source in sources_of(transcripts)
                        for coding in codings_of(source)]}
