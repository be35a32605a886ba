"""What the transcript editor does: edit text and speakers, split and merge segments,
relabel a speaker everywhere, find and replace, change the status, and keep every save as
a version that can be compared with another and restored. Functions only flush."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User
from fieldwork.signals import transcript_saved
from interviews.asr.base import clock
from interviews.transcripts import reliability
from interviews.transcripts.models import (
    DOUBTFUL,
    GAP,
    STATUSES,
    Transcript,
    TranscriptSegment,
    TranscriptVersion,
)

MAX_LABEL = 100


class EditError(ValueError):
    """An edit that cannot be made, said in words."""


@dataclass(frozen=True)
class SegmentEdit:
    text: str
    speaker: str


def transcript_for(recording: Any) -> Transcript:
    """The recording's transcript, made empty the first time."""
    transcript = db.session.scalar(
        db.select(Transcript).where(Transcript.recording_id == recording.id)
    )
    if transcript is None:
        transcript = Transcript(project_id=recording.project_id,
                                interview_id=recording.interview_id, recording_id=recording.id)
        db.session.add(transcript)
        db.session.flush()
    return transcript


def clear_for_new_transcription(transcript: Transcript) -> None:
    """Empty the transcript for a new run, keeping what it held as a version unless its
    latest version already holds exactly that."""
    if transcript.segments and not _kept_as_latest_version(transcript):
        save_version(transcript, None, "Kept before transcribing again")
    transcript.segments.clear()
    transcript.status = "draft"
    db.session.flush()


def project_of(transcript: Transcript) -> Project:
    return db.session.get(Project, transcript.project_id)


def segment_data(segment: TranscriptSegment) -> dict[str, Any]:
    return {"start": segment.start, "end": segment.end, "speaker": segment.speaker,
            "text": segment.text, "words": list(segment.words or []),
            "flags": list(segment.flags or []), **reliability.segment_snapshot(segment)}


def snapshot(transcript: Transcript) -> dict[str, Any]:
    return {"status": transcript.status, "language": transcript.language,
            "segments": [segment_data(segment) for segment in transcript.segments]}


def _kept_as_latest_version(transcript: Transcript) -> bool:
    latest = db.session.scalar(
        db.select(TranscriptVersion).where(TranscriptVersion.transcript_id == transcript.id)
        .order_by(TranscriptVersion.number.desc()).limit(1)
    )
    if latest is None:
        return False
    reliability.refresh(transcript)
    return latest.snapshot == snapshot(transcript)


def save_version(transcript: Transcript, user: User | None, summary: str) -> TranscriptVersion:
    """Keep the transcript as it is now as its next version."""
    number = (db.session.scalar(
        db.select(db.func.max(TranscriptVersion.number))
        .where(TranscriptVersion.transcript_id == transcript.id)
    ) or 0) + 1
    reliability.refresh(transcript)
    version = TranscriptVersion(
        transcript=transcript, number=number, summary=summary[:300],
        snapshot=snapshot(transcript), saved_by_id=user.id if user else None,
    )
    transcript.updated_at = utcnow()
    db.session.add(version)
    db.session.flush()
    audit.record("transcript.save", transcript, project=project_of(transcript),
                 summary=f"Transcript {transcript.id} version {number}: {summary}",
                 user_id=user.id if user else None)
    transcript_saved.send(transcript, user=user)
    return version


def renumber(transcript: Transcript) -> None:
    for position, segment in enumerate(sorted(transcript.segments, key=lambda s: s.position)):
        segment.position = position
    db.session.flush()
    db.session.expire(transcript, ["segments"])


def find_segment(transcript: Transcript, segment_id: int) -> TranscriptSegment:
    for segment in transcript.segments:
        if segment.id == segment_id:
            return segment
    raise EditError("That segment is no longer in the transcript; reload the page.")


def check_label(label: str) -> str:
    label = " ".join(label.split())
    if not label:
        raise EditError("Give the speaker a name, e.g. “Interviewer” or a pseudonym.")
    if len(label) > MAX_LABEL:
        raise EditError(f"A speaker's name can have at most {MAX_LABEL} characters.")
    return label


def apply_edits(transcript: Transcript, edits: dict[int, SegmentEdit],
                user: User | None = None) -> int:
    """Apply text and speaker changes typed in the editor; return how many segments changed.
    A segment whose text a person corrected counts as checked by them."""
    changed = 0
    corrected = []
    for segment in transcript.segments:
        edit = edits.get(segment.id)
        if edit is None:
            continue
        text = " ".join(edit.text.split())
        speaker = check_label(edit.speaker) if edit.speaker.strip() else segment.speaker
        if text != segment.text:
            # a person wrote the text: what the recogniser doubted is settled
            segment.flags = [flag for flag in segment.flags or [] if flag not in (GAP, DOUBTFUL)]
            corrected.append(segment)
        if text != segment.text or speaker != segment.speaker:
            segment.text, segment.speaker = text, speaker
            changed += 1
    if corrected:
        reliability.mark_checked(transcript, corrected, user, "corrected")
    db.session.flush()
    return changed


def middle_space(text: str) -> int:
    """The space nearest the middle of text: where to split when no cursor was given."""
    spaces = [i for i, char in enumerate(text) if char == " "]
    if not spaces:
        raise EditError("A segment of one word cannot be split.")
    return min(spaces, key=lambda i: abs(i - len(text) / 2))


def split_time(segment: TranscriptSegment, left: str) -> float:
    """When the second part starts: the first word after the split if the recognised words
    still match the text, otherwise in proportion to the characters."""
    count = len(left.split())
    words = segment.words or []
    if [w["text"] for w in words] == segment.text.split() and count < len(words):
        return float(words[count]["start"])
    share = len(left) / max(len(segment.text), 1)
    return round(segment.start + (segment.end - segment.start) * share, 3)


def split_segment(
    transcript: Transcript, segment: TranscriptSegment, at: int | None
) -> TranscriptSegment:
    """Split a segment at character `at` of its text; the second part becomes a new segment."""
    at = middle_space(segment.text) if at is None else at
    left, right = segment.text[:at].strip(), segment.text[at:].strip()
    if not left or not right:
        raise EditError("Put the cursor inside the text, where the new segment should start.")
    when = min(max(split_time(segment, left), segment.start), segment.end)
    words = segment.words or []
    second = TranscriptSegment(
        transcript=transcript, position=segment.position + 1, start=when, end=segment.end,
        speaker=segment.speaker, text=right, words=[w for w in words if w["start"] >= when],
        flags=list(segment.flags or []), estimated_word_error=segment.estimated_word_error,
        checked_at=segment.checked_at, checked_by_id=segment.checked_by_id,
    )
    for later in transcript.segments:
        if later.position > segment.position:
            later.position += 1
    segment.text, segment.end = left, when
    segment.words = [w for w in words if w["start"] < when]
    db.session.add(second)
    renumber(transcript)
    return second


def merge_with_next(transcript: Transcript, segment: TranscriptSegment) -> None:
    following = [s for s in transcript.segments if s.position > segment.position]
    if not following:
        raise EditError("The last segment has no next segment to merge with.")
    second = min(following, key=lambda s: s.position)
    merge_reliability(segment, second)
    segment.text = f"{segment.text} {second.text}".strip()
    segment.end = max(segment.end, second.end)
    segment.words = [*(segment.words or []), *(second.words or [])]
    segment.flags = sorted({*(segment.flags or []), *(second.flags or [])})
    transcript.segments.remove(second)
    db.session.flush()
    renumber(transcript)


def merge_reliability(segment: TranscriptSegment, second: TranscriptSegment) -> None:
    """Two segments made one: their estimates weighted by their words; checked only when
    both were."""
    pairs = [(reliability.segment_words(s), s.estimated_word_error) for s in (segment, second)]
    known = [(words, estimate) for words, estimate in pairs if estimate is not None]
    words = sum(count for count, _ in known)
    segment.estimated_word_error = (round(sum(c * e for c, e in known) / words,
                                          reliability.DECIMALS) if words else None)
    if second.checked_at is None:
        segment.checked_at, segment.checked_by_id = None, None


def relabel(transcript: Transcript, old: str, new: str) -> int:
    """Rename a speaker in every segment; return how many segments changed."""
    new = check_label(new)
    segments = [s for s in transcript.segments if s.speaker == old]
    if not segments:
        raise EditError(f"No segment is spoken by “{old}”.")
    for segment in segments:
        segment.speaker = new
    db.session.flush()
    return len(segments)


def find_replace(transcript: Transcript, find: str, replacement: str,
                 match_case: bool = False) -> int:
    """Replace every occurrence of `find` in the text; return how many were replaced."""
    if not find:
        raise EditError("Type the text to find.")
    pattern = re.compile(re.escape(find), 0 if match_case else re.IGNORECASE)
    total = 0
    for segment in transcript.segments:
        text, count = pattern.subn(lambda _match: replacement, segment.text)
        if count:
            segment.text = " ".join(text.split())
            total += count
    db.session.flush()
    return total


def set_status(transcript: Transcript, status: str, user: User | None) -> None:
    if status not in STATUSES:
        raise EditError("Choose draft, corrected or ready for coding.")
    if not transcript.segments and status != "draft":
        raise EditError("An empty transcript cannot be marked corrected or ready.")
    transcript.status = status
    db.session.flush()


def restore_version(transcript: Transcript, version: TranscriptVersion,
                    user: User | None) -> TranscriptVersion:
    """Put a version's segments back; the current state stays in the history."""
    transcript.segments.clear()
    db.session.flush()
    for position, data in enumerate(version.snapshot.get("segments", [])):
        transcript.segments.append(TranscriptSegment(
            position=position, start=data["start"], end=data["end"], speaker=data["speaker"],
            text=data["text"], words=data.get("words", []), flags=data.get("flags", []),
            estimated_word_error=data.get("estimated_word_error"),
            checked_at=parse_time(data.get("checked_at")),
            checked_by_id=data.get("checked_by_id"),
        ))
    db.session.flush()
    return save_version(transcript, user, f"Restored version {version.number}")


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def snapshot_lines(data: dict[str, Any]) -> list[str]:
    return [f"[{clock(s['start'])}] {s['speaker']}: {s['text']}" for s in data.get("segments", [])]


def compare_versions(older: TranscriptVersion, newer: TranscriptVersion) -> str:
    """A side-by-side HTML table of the lines that differ between two versions."""
    return difflib.HtmlDiff(wrapcolumn=60).make_table(
        snapshot_lines(older.snapshot), snapshot_lines(newer.snapshot),
        f"Version {older.number}", f"Version {newer.number}", context=True, numlines=1,
    )


def transcripts_ready_for_coding(project: Project) -> list[Transcript]:
    """The project's transcripts marked ready for coding, oldest first."""
    return list(db.session.scalars(
        db.select(Transcript).where(Transcript.project_id == project.id,
                                    Transcript.status == "ready")
        .order_by(Transcript.id)
    ))
