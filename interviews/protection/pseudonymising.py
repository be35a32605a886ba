"""Pseudonymising a transcript for one participant: their name (whole and each part of it),
email and phone are replaced by their pseudonym in the text, in speaker labels that name
them, and in nothing else; the recognised words, which may hold the name, are dropped, and
the earlier versions, which hold it too, are deleted."""

from __future__ import annotations

import re

from fieldwork.extensions import db
from fieldwork.models import User
from interviews.models import Participant
from interviews.transcripts.editing import save_version
from interviews.transcripts.models import Transcript

#: parts of a name shorter than this ("de", "van", initials) are not replaced on their own
MIN_NAME_PART = 3


def identity_strings(participant: Participant) -> list[str]:
    """What identifies the participant in a text, longest first."""
    name = " ".join(participant.name.split())
    parts = [part.strip(".,") for part in re.split(r"[\s-]+", name)]
    strings = {name, participant.email.strip(), participant.phone.strip(),
               *(part for part in parts if len(part) >= MIN_NAME_PART)}
    return sorted((s for s in strings if s), key=len, reverse=True)


def identity_pattern(participant: Participant) -> re.Pattern[str] | None:
    strings = identity_strings(participant)
    if not strings:
        return None
    alternatives = "|".join(re.escape(s) for s in strings)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def pseudonymise_text(text: str, participant: Participant) -> str:
    """The text with every identity string of the participant replaced by the pseudonym."""
    pattern = identity_pattern(participant)
    return pattern.sub(participant.pseudonym, text) if pattern else text


def pseudonymise_transcript(transcript: Transcript, participant: Participant,
                            user: User | None) -> int:
    """Pseudonymise every segment; return how many segments changed. The transcript keeps
    one new version; coding follows it through `transcript_saved`."""
    pattern = identity_pattern(participant)
    changed = 0
    for segment in transcript.segments:
        text = pattern.sub(participant.pseudonym, segment.text) if pattern else segment.text
        names_speaker = bool(pattern and pattern.search(segment.speaker))
        speaker = participant.pseudonym if names_speaker else segment.speaker
        changed += text != segment.text or speaker != segment.speaker
        segment.text, segment.speaker, segment.words = text, speaker, []
    for version in list(transcript.versions):
        db.session.delete(version)
    db.session.flush()
    db.session.expire(transcript, ["versions"])
    save_version(transcript, user,
                 f"Pseudonymised after {participant.pseudonym} withdrew consent")
    return changed
