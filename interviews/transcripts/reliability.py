"""How far a transcript can be trusted, kept with it: each segment's estimated share of wrong
words (interviews.asr.reliability, computed once when the job saves its segments), who
checked which segment and when, and the transcript's estimate over what no one has checked.

The estimates are stored, never recomputed for a page: a mark on a page or an export is a
comparison of stored numbers with the project's review threshold. A segment a person has
corrected or marked checked is reliable by definition. Functions only flush.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context

from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.asr.base import Segment, clock
from interviews.asr.expectations import prior_wer
from interviews.asr.reliability import (
    GAP_WORDS_PER_SECOND,
    REVIEW_THRESHOLD,
    Unit,
    basis,
    review_of,
    unit,
)
from interviews.models import InterviewSettings
from interviews.transcripts.models import Transcript, TranscriptSegment

#: estimates are kept to this many decimals
DECIMALS = 3


@dataclass(frozen=True)
class Standing:
    """A transcript's state of review as the pages and exports say it."""

    #: the estimated share of wrong words in what no one checked; None when all is checked or
    #: nothing was estimated
    estimate: float | None
    checked_share: float
    threshold: float
    #: False for a transcript made before estimates were kept (or with no text)
    estimated: bool

    @property
    def needs_review(self) -> bool:
        return self.estimate is not None and self.estimate > self.threshold

    @property
    def label(self) -> str:
        """A few words for a badge or a table cell."""
        if self.needs_review:
            return "needs review"
        if self.checked_share >= 1:
            return "checked"
        if not self.estimated:
            return "no estimate"
        return "below the review threshold"

    def summary(self) -> str:
        """E.g. "62 % checked by a person; the rest about 40 % words wrong"."""
        checked = f"{percent(self.checked_share)} checked by a person"
        if self.checked_share >= 1:
            return "every segment checked by a person"
        if self.estimate is None:
            rest = "no estimate of the rest (transcribed before estimates were kept)"
            return f"{checked}; {rest}" if self.checked_share > 0 else (
                "not checked by a person yet; no estimate (transcribed before estimates "
                "were kept): check it by ear")
        rest = f"about {percent(self.estimate)} words wrong"
        if self.checked_share <= 0:
            return f"not checked by a person yet; {rest}"
        return f"{checked}; the rest {rest}"

    @property
    def sort_key(self) -> float:
        """Worst first when sorted descending; a checked transcript last."""
        return -1.0 if self.estimate is None else self.estimate


def percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def threshold_for(project_id: int) -> float:
    """The project's review threshold, read once per request."""
    cache: dict[int, float] = g.setdefault("review_thresholds", {}) if has_request_context() \
        else {}
    if project_id not in cache:
        # read only: an export's task reads while coders save, and on SQLite making the
        # default settings here took the write lock ("database is locked")
        stored = db.session.scalar(db.select(InterviewSettings.review_threshold).where(
            InterviewSettings.project_id == project_id))
        cache[project_id] = REVIEW_THRESHOLD if stored is None else stored
    return cache[project_id]


def standing(transcript: Transcript, threshold: float | None = None) -> Standing:
    """The transcript's stored state of review against the project's threshold."""
    if threshold is None:
        threshold = threshold_for(transcript.project_id)
    return Standing(transcript.estimated_word_error, transcript.checked_share or 0.0,
                    threshold, bool(transcript.reliability_basis))


def segment_words(segment: TranscriptSegment) -> int:
    """The words a segment counts for: its text's, or for speech without text, the words it
    would have at a usual speaking rate."""
    if segment.is_gap:
        return max(round((segment.end - segment.start) * GAP_WORDS_PER_SECOND), 1)
    return len(segment.text.split())


def units(segments: Iterable[TranscriptSegment]) -> list[Unit]:
    return [Unit(segment_words(s), s.estimated_word_error, s.checked) for s in segments]


def refresh(transcript: Transcript) -> None:
    """Store the transcript's checked share and its estimate over what no one checked."""
    found = units(transcript.segments)
    if not any(u.words for u in found):
        transcript.estimated_word_error, transcript.checked_share = None, 0.0
        return
    review = review_of(found)
    estimate = review.unchecked_estimate
    transcript.estimated_word_error = None if estimate is None else round(estimate, DECIMALS)
    transcript.checked_share = round(review.checked_share, DECIMALS)


def store_estimates(transcript: Transcript, segments: Sequence[Segment], language: str,
                    language_probability: float, model: str, language_chosen: bool) -> None:
    """Give each segment the job saved (in order) its estimate, and the transcript the basis
    of its estimate (flushed)."""
    rows = list(db.session.scalars(
        db.select(TranscriptSegment).where(TranscriptSegment.transcript_id == transcript.id)
        .order_by(TranscriptSegment.position)))
    prior = prior_wer(language, model)
    for row, segment in zip(rows, segments, strict=False):
        estimate = unit(segment, False, prior, language_probability).estimate
        row.estimated_word_error = None if estimate is None else round(estimate, DECIMALS)
    transcript.reliability_basis = basis(segments, language, language_probability, model,
                                         language_chosen)
    db.session.flush()


def stamp_checked(segments: Iterable[TranscriptSegment], user: User | None) -> list[int]:
    """Mark the segments not yet checked as checked by `user` now; return their ids."""
    now, done = utcnow(), []
    for segment in segments:
        if segment.checked_at is None:
            segment.checked_at, segment.checked_by_id = now, user.id if user else None
            done.append(segment.id)
    return done


def record_checks(transcript: Transcript, segments: Sequence[TranscriptSegment],
                  user: User | None, how: str) -> None:
    """The audit log's entry of who checked which segments, and how."""
    if not segments:
        return
    first, last = min(s.start for s in segments), max(s.end for s in segments)
    count = len(segments)
    audit.record(
        "transcript.check", transcript, project=db.session.get(Project, transcript.project_id),
        summary=f"Transcript {transcript.id}: {count} segment{'s' if count != 1 else ''} "
                f"{how} ({clock(first)}–{clock(last)})",
        user_id=user.id if user else None, segments=[s.id for s in segments],
    )


def mark_checked(transcript: Transcript, segments: Sequence[TranscriptSegment],
                 user: User | None, how: str = "marked checked") -> int:
    """Mark segments of the transcript checked by a person; return how many were not yet."""
    ids = set(stamp_checked(segments, user))
    record_checks(transcript, [s for s in segments if s.id in ids], user, how)
    refresh(transcript)
    db.session.flush()
    return len(ids)


def segments_by_id(transcript: Transcript, ids: Iterable[int]) -> list[TranscriptSegment]:
    wanted = set(ids)
    return [s for s in transcript.segments if s.id in wanted]


def segments_between(transcript_id: int, start: float, end: float) -> list[TranscriptSegment]:
    """The transcript's segments that overlap the stretch from `start` to `end` seconds (a
    stretch of no length: the segment it lies in)."""
    overlap = (TranscriptSegment.start < end) & (TranscriptSegment.end > start) if end > start \
        else (TranscriptSegment.start <= start) & (TranscriptSegment.end >= start)
    return list(db.session.scalars(db.select(TranscriptSegment).where(
        TranscriptSegment.transcript_id == transcript_id, overlap)
        .order_by(TranscriptSegment.position)))


def uncertain_worst_first(transcript: Transcript,
                          threshold: float | None = None) -> list[TranscriptSegment]:
    """The segments no one checked whose estimate is above the threshold, worst first."""
    limit = threshold_for(transcript.project_id) if threshold is None else threshold
    found = [s for s in transcript.segments if not s.checked
             and s.estimated_word_error is not None and s.estimated_word_error > limit]
    return sorted(found, key=lambda s: (-(s.estimated_word_error or 0), s.position))


class Stretches:
    """A transcript's segments that no one checked and whose estimate is above the
    threshold, in order of time (a transcript's segments do not overlap)."""

    def __init__(self, found: Iterable[tuple[float, float, float]] = ()) -> None:
        self.items = sorted(found)
        self.starts = [start for start, _, _ in self.items]

    def __bool__(self) -> bool:
        return bool(self.items)

    def worst(self, start: float, end: float) -> float | None:
        """The highest estimate of those overlapping `start`-`end` seconds (a stretch of no
        length: the one it lies in), or None."""
        index = bisect_left(self.starts, end) if end > start else bisect_right(self.starts, start)
        hits = []
        for item_start, item_end, estimate in reversed(self.items[:index]):
            if item_end < start or (item_end == start and end > start):
                break
            if item_start < end or end <= start:
                hits.append(estimate)
        return max(hits) if hits else None


def uncertain_stretches(transcript_ids: Iterable[int], threshold: float) -> dict[int, Stretches]:
    """For each transcript, its segments that no one checked and whose estimate is above the
    threshold: one query of stored numbers."""
    ids = sorted(set(transcript_ids))
    found: dict[int, list[tuple[float, float, float]]] = defaultdict(list)
    if not ids:
        return {}
    rows = db.session.execute(db.select(
        TranscriptSegment.transcript_id, TranscriptSegment.start, TranscriptSegment.end,
        TranscriptSegment.estimated_word_error).where(
        TranscriptSegment.transcript_id.in_(ids), TranscriptSegment.checked_at.is_(None),
        TranscriptSegment.estimated_word_error > threshold))
    for transcript_id, start, end, estimate in rows:
        found[transcript_id].append((start, end, estimate))
    return {transcript_id: Stretches(items) for transcript_id, items in found.items()}


def segment_snapshot(segment: TranscriptSegment) -> dict[str, Any]:
    """What a version keeps of a segment's reliability, beside its text."""
    return {"estimated_word_error": segment.estimated_word_error,
            "checked_at": segment.checked_at.isoformat() if segment.checked_at else None,
            "checked_by_id": segment.checked_by_id}
