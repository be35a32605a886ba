"""Interviews with their recordings, and PDFs with their pages, in REFI-QDA.

An interview is an AudioSource or VideoSource holding the
recording (in the archive's sources/ folder) and a Transcript, whose SyncPoints tie positions
in the transcript's text to times in the recording, and whose codings are TranscriptSelections
between two sync points.

Out: a transcript source whose interview has a recording goes out so, with a sync point at
the start and the end of each segment, and at each coding's ends (its time found within its
segment). In: each recording becomes an interview of the project with its recording and a
ready transcript, its segments the transcript's paragraphs timed by the sync points (between
two, in proportion), and a transcript source coded as the file says. Speakers have no place
in REFI-QDA and are not kept.

A document made from a PDF goes out as a PDFSource with the PDF in sources/ and its text as
the Representation, a form feed before each page; a PDFSource comes back as a document with
its PDF and the page each paragraph is on.
"""

from __future__ import annotations

import re
import tempfile
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from coding.models import Source
from coding.sources import page_starts, transcript_text
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.filetypes import detect_type
from fieldwork.models import StoredFile
from fieldwork.storage import file_store
from interviews.models import Interview
from interviews.recordings.models import Recording
from interviews.transcripts.models import Transcript, TranscriptSegment

#: how a transcript's text is cut into segments: at blank lines, else at line ends
_PARAGRAPHS = re.compile(r"\n\s*\n")
_LINES = re.compile(r"\n")


@dataclass(frozen=True)
class Media:
    """A source's recording as it goes out."""

    #: "AudioSource" or "VideoSource"
    element: str
    sha256: str
    #: its file name's ending, e.g. ".m4a": it goes out as sources/<source GUID>.m4a
    suffix: str


@dataclass
class MediaSpec:
    """A recording read from a file, with its transcript's sync points."""

    element: str
    #: its entry in the archive ("" when the file holds it only on another computer)
    member: str
    filename: str
    #: (position in the transcript's text, in code points; time in milliseconds)
    sync: list[tuple[int, int]]


# --- out --------------------------------------------------------------------------------------


def recordings_of(sources: list[Source]) -> dict[int, Media]:
    """The recording of each transcript source that has one, by source id."""
    transcript_ids = {source.transcript_id: source.id for source in sources
                      if source.transcript_id is not None}
    rows = db.session.execute(
        db.select(Transcript.id, StoredFile.sha256, StoredFile.filename,
                  StoredFile.content_type)
        .join(Recording, Recording.id == Transcript.recording_id)
        .join(StoredFile, StoredFile.id == Recording.stored_file_id)
        .where(Transcript.id.in_(transcript_ids)))
    media = {}
    for transcript_id, sha256, filename, content_type in rows:
        element = "VideoSource" if content_type.startswith("video/") else "AudioSource"
        suffix = PurePosixPath(filename).suffix.lower()[:10] or ".bin"
        media[transcript_ids[transcript_id]] = Media(element, sha256, suffix)
    return media


def time_at(paragraphs: list[dict[str, Any]], position: int) -> int:
    """The time at a position of a transcript source, in milliseconds: within a segment in
    proportion to its characters, between two segments at the end of the first."""
    starts = [paragraph["start"] for paragraph in paragraphs]
    index = bisect_right(starts, position) - 1
    if index < 0:
        return round(paragraphs[0]["t0"] * 1000) if paragraphs else 0
    paragraph = paragraphs[index]
    start, end, t0, t1 = paragraph["start"], paragraph["end"], paragraph["t0"], paragraph["t1"]
    if position >= end or end == start:
        return round(t1 * 1000)
    return round((t0 + (t1 - t0) * (position - start) / (end - start)) * 1000)


def sync_points(source: Source, positions: set[int]) -> dict[int, int]:
    """Position -> time (ms) of every sync point of the source: each segment's ends and the
    `positions` of its codings."""
    points = {}
    for paragraph in source.paragraphs:
        points[paragraph["start"]] = round(paragraph["t0"] * 1000)
        points[paragraph["end"]] = round(paragraph["t1"] * 1000)
    for position in positions - set(points):
        points[position] = time_at(source.paragraphs, position)
    return dict(sorted(points.items()))


def transcript_selection(selection: str, from_point: str, to_point: str, made_by: str,
                         codings: str) -> str:
    return (f'<TranscriptSelection guid="{selection}" fromSyncPoint="{from_point}" '
            f'toSyncPoint="{to_point}"{made_by}>{codings}</TranscriptSelection>')


def pdfs_of(sources: list[Source]) -> dict[int, str]:
    """The sha256 of the PDF of each document source made from one, by source id."""
    rows = db.session.execute(
        db.select(Source.id, StoredFile.sha256).join(StoredFile, StoredFile.id == Source.file_id)
        .where(Source.id.in_([source.id for source in sources]),
               StoredFile.content_type == "application/pdf"))
    return {source_id: sha256 for source_id, sha256 in rows}


def with_page_breaks(text: str, paragraphs: list[dict[str, Any]]) -> str:
    """The text with a form feed for the line end before each page (the same length: no
    position moves), as pdftotext writes pages."""
    characters = list(text)
    for start, _number in page_starts(paragraphs):
        if start > 0 and characters[start - 1] == "\n":
            characters[start - 1] = "\f"
    return "".join(characters)


# --- in ---------------------------------------------------------------------------------------


def segments_of(text: str, sync: list[tuple[int, int]]) -> Iterator[tuple[int, int, float, float]]:
    """(start, end, t0, t1) of each paragraph of a transcript's text, timed by its sync
    points (seconds)."""
    cut = _PARAGRAPHS if _PARAGRAPHS.search(text) else _LINES
    start = 0
    for match in [*cut.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[start:end]
        if piece.strip():
            left = start + len(piece) - len(piece.lstrip())
            right = start + len(piece.rstrip())
            yield left, right, timed(sync, left) / 1000, timed(sync, right) / 1000
        start = match.end() if match else len(text)


def timed(sync: list[tuple[int, int]], position: int) -> float:
    """The time (ms) at a position: a sync point's, or in proportion between the two around
    it (the nearest one's beyond the first or last)."""
    if not sync:
        return 0.0
    positions = [place for place, _time in sync]
    index = bisect_right(positions, position)
    if index == 0:
        return float(sync[0][1])
    before = sync[index - 1]
    if before[0] == position or index == len(sync):
        return float(before[1])
    after = sync[index]
    share = (position - before[0]) / (after[0] - before[0])
    return before[1] + (after[1] - before[1]) * share


def unpacked_file(copy: Callable[[Any], int], filename: str, user_id: int) -> StoredFile:
    """A file of the archive (a recording, a PDF) unpacked by `copy(file)` into the file
    store, outside any transaction; its row, not yet added."""
    store = file_store()
    with tempfile.TemporaryFile(dir=store.temp_dir()) as out:
        copy(out)
        out.seek(0)
        sha256, size = store.put_stream(out)
    return StoredFile(filename=Path(filename).name[:255] or "file",
                      content_type=detect_type(store.blob_path(sha256)), size=size,
                      sha256=sha256, uploaded_by_id=user_id)


def add_interview(project_id: int, spec_name: str, text: str, media: MediaSpec,
                  stored: StoredFile | None, user_id: int) -> tuple[Source, Callable[[int], int]]:
    """An interview with its recording (when the file holds it) and a ready transcript of
    `text`, timed by the sync points, and its transcript source named `spec_name` (flushed);
    with the function that moves a position of `text` to the same words in the source's."""
    segments = list(segments_of(text, media.sync))
    interview = Interview(project_id=project_id, starts_at=utcnow(), timezone="UTC",
                          status="done", notes=f"Imported with its recording “{media.filename}”.")
    db.session.add_all([interview, *([stored] if stored is not None else [])])
    db.session.flush()
    recording_id = None
    if stored is not None:
        recording = Recording(project_id=project_id, interview_id=interview.id,
                              stored_file_id=stored.id, uploaded_by_id=user_id,
                              duration_s=max((t1 for *_ends, t1 in segments), default=0.0))
        db.session.add(recording)
        db.session.flush()
        recording_id = recording.id
    transcript = Transcript(project_id=project_id, interview_id=interview.id,
                            recording_id=recording_id, status="ready")
    transcript.segments = [TranscriptSegment(position=number, start=t0, end=t1,
                                             text=text[start:end])
                           for number, (start, end, t0, t1) in enumerate(segments)]
    db.session.add(transcript)
    db.session.flush()
    source_text, paragraphs = transcript_text(transcript)
    source = Source(project_id=project_id, kind="transcript", title=spec_name,
                    transcript_id=transcript.id, text=source_text, paragraphs=paragraphs,
                    created_by_id=user_id)
    db.session.add(source)
    db.session.flush()
    starts = [start for start, *_rest in segments]

    def moved(position: int) -> int:
        index = max(bisect_right(starts, position) - 1, 0)
        if not segments:
            return 0
        start, end, *_times = segments[index]
        return paragraphs[index]["start"] + min(max(position - start, 0), end - start)

    return source, moved
