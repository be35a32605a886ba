"""Making sources from transcripts and documents, keeping them in step with their texts, and
what they link to. Functions only flush; the request or job commits."""

from __future__ import annotations

import io
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from casestudies.models import CaseStudy, Partnership, PartnershipDocument, Place
from coding.anchoring import remap_spans
from coding.disagreements import key_ranges, key_with_ranges
from coding.extraction import Extracted, extract_document, normalise_paragraphs
from coding.models import Coding, ConsensusDecision, Source
from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User
from fieldwork.storage import file_store, store_upload
from interviews.transcripts.models import Transcript

#: a document larger than this is refused: its text would be too long to code on one page
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_TITLE = 300
_PARAGRAPH = re.compile(r"[^\n]+(?:\n[^\n]+)*")


class SourceError(ValueError):
    """A source that cannot be made or changed, said in words."""


@dataclass(frozen=True)
class SourceLinks:
    """What a source is about: directly, and through its interview."""

    places: list[Any]
    partnerships: list[Any]
    case_study: Any
    interview: Any


def document_paragraphs(text: str, pages: Sequence[tuple[int, int]] = ()) -> list[dict[str, Any]]:
    """The offsets of each paragraph (lines not separated by a blank line), and the page it
    begins on when the document has pages ((offset, number) where each begins)."""
    starts = [offset for offset, _ in pages]
    paragraphs = []
    for match in _PARAGRAPH.finditer(text):
        paragraph: dict[str, Any] = {"start": match.start(), "end": match.end()}
        index = bisect_right(starts, match.start()) - 1
        if index >= 0:
            paragraph["page"] = pages[index][1]
        paragraphs.append(paragraph)
    return paragraphs


def page_starts(paragraphs: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """(offset, number) where each page begins, from paragraphs that know their page."""
    starts: list[tuple[int, int]] = []
    for paragraph in paragraphs:
        if "page" in paragraph and (not starts or starts[-1][1] != paragraph["page"]):
            starts.append((paragraph["start"], paragraph["page"]))
    return starts


def transcript_text(transcript: Transcript) -> tuple[str, list[dict[str, Any]]]:
    """A transcript as source text, one paragraph per segment, with each segment's offsets,
    speaker and times."""
    parts: list[str] = []
    paragraphs: list[dict[str, Any]] = []
    offset = 0
    for segment in sorted(transcript.segments, key=lambda s: s.position):
        text = segment.text.strip()
        if not text:
            continue
        if parts:
            offset += 2
        paragraphs.append({"start": offset, "end": offset + len(text), "speaker": segment.speaker,
                           "t0": segment.start, "t1": segment.end})
        parts.append(text)
        offset += len(text)
    return "\n\n".join(parts), paragraphs


def transcript_title(transcript: Transcript) -> str:
    """e.g. "Interview with PL-CITY-12, 4 March 2026", and " (English version)" for the English
    of a transcript in another language: pseudonyms only, coders see it."""
    interview = transcript.interview
    who = ", ".join(p.pseudonym for p in interview.participants) or "unnamed participant"
    english = " (English version)" if transcript.is_translation else ""
    return f"Interview with {who}, {interview.starts_at:%-d %B %Y}{english}"[:MAX_TITLE]


def source_of_transcript(transcript: Transcript) -> Source | None:
    return db.session.scalar(db.select(Source).where(Source.transcript_id == transcript.id))


def add_transcript_source(transcript: Transcript, user: User | None) -> Source:
    """The transcript's source, made the first time (the transcript should be ready)."""
    source = source_of_transcript(transcript)
    if source is not None:
        return source
    text, paragraphs = transcript_text(transcript)
    source = Source(project_id=transcript.project_id, kind="transcript",
                    title=transcript_title(transcript), transcript_id=transcript.id,
                    text=text, paragraphs=paragraphs, created_by_id=user.id if user else None)
    db.session.add(source)
    db.session.flush()
    audit.record("source.add", source, project=db.session.get(Project, source.project_id),
                 summary=f"Transcript {transcript.id} became source “{source.title}”",
                 user_id=user.id if user else None)
    return source


def follow_transcript(transcript: Transcript, user: User | None = None) -> Source | None:
    """After a transcript was saved: make it a source once it is ready for coding, and keep
    an existing source's text and codings in step with it."""
    source = source_of_transcript(transcript)
    if source is None:
        return add_transcript_source(transcript, user) if transcript.status == "ready" else None
    text, paragraphs = transcript_text(transcript)
    replace_text(source, text, paragraphs, user)
    return source


def replace_text(source: Source, text: str, paragraphs: list[dict[str, Any]],
                 user: User | None) -> list[Coding]:
    """Give the source a new text, carrying every coding to the same words; return the
    codings that now need review (their words were deleted or mostly cut)."""
    source.paragraphs = paragraphs
    if text == source.text:
        return []
    codings = list(db.session.scalars(db.select(Coding).where(Coding.source_id == source.id)
                                      .order_by(Coding.id)))
    decisions = list(db.session.scalars(db.select(ConsensusDecision).where(
        ConsensusDecision.source_id == source.id)))
    decided = [key_ranges(decision.segment) for decision in decisions]
    remapped = remap_spans(source.text, text, [(c.start, c.end) for c in codings]
                           + [found for ranges in decided for found in ranges])
    moved = iter(remapped[len(codings):])
    for decision, ranges in zip(decisions, decided, strict=True):
        decision.segment = key_with_ranges(
            decision.segment, [(span.start, span.end) for span in islice(moved, len(ranges))])
    flagged = []
    for coding, span in zip(codings, remapped[:len(codings)], strict=True):
        coding.start, coding.end = span.start, span.end
        if span.needs_review:
            coding.needs_review = True
            flagged.append(coding)
    source.text = text
    source.text_version += 1
    source.updated_at = utcnow()
    db.session.flush()
    audit.record("source.text", source, project=db.session.get(Project, source.project_id),
                 summary=f"Text of “{source.title}” changed; {len(codings)} codings carried "
                         f"over, {len(flagged)} to review",
                 user_id=user.id if user else None)
    return flagged


def edit_document_text(source: Source, text: str, user: User) -> list[Coding]:
    """A correction typed into a document source's text."""
    if source.kind != "document":
        raise SourceError("A transcript's text is corrected in the transcript editor.")
    text = normalise_paragraphs(text)
    if not text:
        raise SourceError("The text cannot be empty.")
    pages = page_starts(source.paragraphs or [])
    moved = remap_spans(source.text, text, [(offset, offset) for offset, _ in pages])
    pages = [(span.start, number) for span, (_, number) in zip(moved, pages, strict=True)]
    return replace_text(source, text, document_paragraphs(text, pages), user)


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise SourceError("Give the document a title.")
    if len(title) > MAX_TITLE:
        raise SourceError(f"A title can have at most {MAX_TITLE} characters.")
    return title


def read_document(stream: Any, filename: str) -> bytes:
    """The uploaded bytes, refused when empty or too large."""
    data = stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise SourceError(f"“{filename}” is larger than {MAX_DOCUMENT_BYTES // 2**20} MB.")
    if not data:
        raise SourceError(f"“{filename}” is empty.")
    return data


def add_document_source(project: Project, filename: str, data: bytes, title: str,
                        user: User) -> Source:
    """A document as a source: its text extracted first, so a file that cannot be read
    leaves nothing behind."""
    title = check_title(title or filename.rsplit(".", 1)[0])
    extracted = extract_document(filename, data)
    stored = store_upload(io.BytesIO(data), filename, user.id)
    return _document_source(project, title, extracted, stored.id, user)


def add_partnership_document_source(project: Project, document: PartnershipDocument,
                                    user: User) -> Source:
    """A partnership's agreement as a source, linked to that partnership."""
    existing = db.session.scalar(db.select(Source).where(
        Source.project_id == project.id, Source.file_id == document.file_id))
    if existing is not None:
        return existing
    data = b"".join(file_store().iter_chunks(document.file.sha256))
    extracted = extract_document(document.file.filename, data)
    title = check_title(document.title or document.file.filename)
    source = _document_source(project, title, extracted, document.file_id, user)
    source.partnerships.append(document.partnership)
    db.session.flush()
    return source


def _document_source(project: Project, title: str, extracted: Extracted, file_id: int,
                     user: User) -> Source:
    text = extracted.text
    source = Source(project_id=project.id, kind="document", title=title, file_id=file_id,
                    text=text, paragraphs=document_paragraphs(text, extracted.pages),
                    created_by_id=user.id)
    db.session.add(source)
    db.session.flush()
    audit.record("source.add", source, project=project,
                 summary=f"Document “{title}” added as a source ({len(text):,} characters)")
    return source


def links_of(source: Source) -> SourceLinks:
    """Places, partnerships and case study of a source, its own and its interview's."""
    interview = source.interview
    places = list(source.places)
    partnerships = list(source.partnerships)
    case_study = source.case_study
    if interview is not None:
        if interview.place is not None and interview.place not in places:
            places.append(interview.place)
        partnerships += [p for p in interview.partnerships if p not in partnerships]
        case_study = case_study or interview.case_study
    if case_study is not None and case_study.place is not None and case_study.place not in places:
        places.append(case_study.place)
    return SourceLinks(places, partnerships, case_study, interview)


def set_links(source: Source, place_ids: list[int], partnership_ids: list[int],
              case_study_id: int | None) -> None:
    """Link the source directly to these places, partnerships and case study."""
    source.places = list(db.session.scalars(db.select(Place).where(Place.id.in_(place_ids))))
    source.partnerships = list(db.session.scalars(
        db.select(Partnership).where(Partnership.id.in_(partnership_ids),
                                     Partnership.project_id == source.project_id)))
    case_study = db.session.get(CaseStudy, case_study_id) if case_study_id else None
    if case_study is not None and case_study.project_id != source.project_id:
        raise SourceError("That case study belongs to another project.")
    source.case_study_id = case_study.id if case_study else None
    db.session.flush()


def set_attributes(source: Source, pairs: list[tuple[str, str]]) -> None:
    """Replace the source's case variables with these names and values (blank names dropped)."""
    attributes: dict[str, str] = {}
    for name, value in pairs:
        name, value = " ".join(name.split())[:100], value.strip()[:500]
        if name:
            attributes[name] = value
    source.attributes = attributes
    db.session.flush()


def project_sources(project: Project) -> list[Source]:
    return list(db.session.scalars(db.select(Source).where(Source.project_id == project.id)
                                   .order_by(Source.title, Source.id)))
