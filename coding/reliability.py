"""How far an excerpt's words can be trusted, where they are read, heard and exported.

An excerpt of a transcript is marked when it comes from a segment that no person has checked
and whose estimated share of wrong words (stored by the transcription job,
interviews.transcripts.reliability) is above the project's review threshold. Its stretch of
the recording (the seconds of its first and last words, from the source's paragraphs) finds
those segments, plays the excerpt, and marks its segments checked. The marks compare stored
numbers: one query per page or per source, nothing recomputed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from coding.excerpts import Excerpt, paragraph_finder, read_sources
from coding.models import Coding, Source
from fieldwork.extensions import db
from fieldwork.models import User
from interviews.transcripts import reliability
from interviews.transcripts.models import Transcript

#: an excerpt plays from this many seconds before its first word to as many after its last
PLAY_MARGIN = 1.0

Finder = Callable[[int], dict[str, Any] | None]


@dataclass(frozen=True)
class Hearing:
    """What the page needs to play an excerpt and to say whether its words are doubtful."""

    transcript_id: int
    recording_id: int | None
    #: the seconds of the excerpt's words in the recording
    start: float
    end: float
    #: the estimated share of wrong words of the worst unchecked uncertain segment it comes
    #: from, or None when it comes from none
    uncertain: float | None

    @property
    def play_from(self) -> float:
        return max(self.start - PLAY_MARGIN, 0.0)

    @property
    def play_to(self) -> float:
        return self.end + PLAY_MARGIN

    @property
    def note(self) -> str:
        return note(self.uncertain)


def note(estimate: float | None) -> str:
    """The words an export adds to an excerpt from an unchecked uncertain segment."""
    if estimate is None:
        return ""
    return (f"automatic transcript, not checked: about {reliability.percent(estimate)} of "
            "words may be wrong")


def column_value(source: Source, estimate: float | None) -> str:
    """The "Transcript check" cell of a coding: what is known of its words' accuracy."""
    if source.transcript_id is None:
        return ""
    return f"needs review: {note(estimate)}" if estimate is not None else "no review needed"


def seconds(paragraph: dict[str, Any] | None, offset: int) -> float | None:
    """Where in the recording the words at `offset` are, by their share of the segment (not
    rounded: a segment's end is the next one's start)."""
    if paragraph is None or "t0" not in paragraph:
        return None
    share = (offset - paragraph["start"]) / max(paragraph["end"] - paragraph["start"], 1)
    return paragraph["t0"] + (paragraph["t1"] - paragraph["t0"]) * min(max(share, 0.0), 1.0)


def stretch(find: Finder, start: int, end: int) -> tuple[float, float] | None:
    """The seconds of the words from offset `start` to `end` (None without timings)."""
    end = max(end, start)
    begins, ends = seconds(find(start), start), seconds(find(end), end)
    if begins is None or ends is None:
        return None
    return begins, max(ends, begins)


def hearings(excerpts: Sequence[Excerpt]) -> dict[int, Hearing]:
    """For each excerpt of a timed transcript (by coding id), its stretch of the recording and
    its mark: one query for the transcripts, one for their uncertain segments."""
    sources = read_sources({e.source_id for e in excerpts})
    transcript_ids = {s.transcript_id for s in sources.values() if s.transcript_id}
    if not transcript_ids:
        return {}
    recordings = dict(db.session.execute(db.select(Transcript.id, Transcript.recording_id)
                                         .where(Transcript.id.in_(transcript_ids))).all())
    project_id = next(s.project_id for s in sources.values() if s.transcript_id)
    doubtful = reliability.uncertain_stretches(transcript_ids,
                                               reliability.threshold_for(project_id))
    finders = {s.id: paragraph_finder(s) for s in sources.values() if s.transcript_id}
    found = {}
    for excerpt in excerpts:
        source = sources.get(excerpt.source_id)
        if source is None or source.transcript_id is None:
            continue
        words = stretch(finders[source.id], excerpt.start, excerpt.end)
        if words is None:
            continue
        uncertain = doubtful.get(source.transcript_id, reliability.Stretches())
        found[excerpt.coding_id] = Hearing(
            source.transcript_id, recordings.get(source.transcript_id), *words,
            uncertain.worst(*words))
    return found


def notes(excerpts: Iterable[Excerpt]) -> dict[int, str]:
    """The export note of each excerpt from an unchecked uncertain segment, by coding id."""
    return {coding_id: hearing.note for coding_id, hearing in hearings(list(excerpts)).items()
            if hearing.uncertain is not None}


def source_marks(source: Source) -> Callable[[Finder, int, int], float | None]:
    """For the rows of one source's codings: the mark of the words from `start` to `end`
    (one query for the source)."""
    if source.transcript_id is None:
        return lambda _find, _start, _end: None
    doubtful = reliability.uncertain_stretches(
        [source.transcript_id], reliability.threshold_for(source.project_id)
    ).get(source.transcript_id, reliability.Stretches())

    def mark(find: Finder, start: int, end: int) -> float | None:
        words = stretch(find, start, end) if doubtful else None
        return None if words is None else doubtful.worst(*words)

    return mark


def check_excerpt(coding: Coding, user: User | None) -> int:
    """Mark the segments the coding's words come from checked by `user` (flushed); return
    how many were not checked yet."""
    source = coding.source
    words = stretch(paragraph_finder(source), coding.start, coding.end)
    transcript = source.transcript
    if transcript is None or words is None:
        return 0
    segments = reliability.segments_between(transcript.id, *words)
    return reliability.mark_checked(transcript, segments, user, "checked by ear from an excerpt")
