"""Speakers in a transcription job: how many to look for (the job's "speakers" option),
and naming them (separating them, the job's last phase, is recordings.separation).

Names are a first guess that the editor's "Relabel" changes everywhere at once: with two or
more speakers, the one who asks the most questions (on a tie, whoever speaks first) is the
Interviewer; when the interview has one participant and the recording two speakers, the
other is that participant's pseudonym; anyone else is Speaker 2, Speaker 3...
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from interviews.asr.extras import voices_available
from interviews.models import Interview
from interviews.recordings.models import ONE_SPEAKER

SPEAKER_CHOICES = {
    "1": "One speaker",
    "2": "Two speakers",
    "3": "Three speakers",
    "detect": "Find out how many (two or more)",
}
DEFAULT_SPEAKER = "Speaker 1"
INTERVIEWER = "Interviewer"
QUESTION_MARKS = ("?", "？")


def default_speakers(interview: Interview) -> str:
    """The interviewer and the interview's participants, two or three in all."""
    return str(min(1 + max(len(interview.participants), 1), 3))


def wanted_speakers(options: dict[str, Any]) -> int | None:
    """How many speakers a job's options ask for; None: find out."""
    value = str(options.get("speakers") or ONE_SPEAKER)
    return None if value == "detect" else int(value)


def unavailable_note() -> str:
    """Said next to the option when this server cannot tell voices apart."""
    if voices_available():
        return ""
    return (
        "Speaker separation by voice is missing from this server's installation (its voice "
        "encoder file), so the transcript will have one speaker (a stereo recording with one "
        "person on each channel is still separated). An administrator can install Fieldwork "
        "again to restore it."
    )


def is_question(text: str) -> bool:
    return text.rstrip().endswith(QUESTION_MARKS)


def speaker_names(numbers: list[int], texts: list[str], interview: Interview) -> dict[int, str]:
    """A name for each speaker number (numbered by first appearance), from what each says."""
    distinct = sorted(set(numbers))
    if len(distinct) < 2:
        return dict.fromkeys(distinct, DEFAULT_SPEAKER)
    questions = Counter(n for n, text in zip(numbers, texts, strict=True) if is_question(text))
    interviewer = max(distinct, key=lambda n: (questions[n], -n))
    others = [n for n in distinct if n != interviewer]
    names = {interviewer: INTERVIEWER}
    if len(others) == 1 and len(interview.participants) == 1:
        names[others[0]] = interview.participants[0].pseudonym
    else:
        names.update({n: f"Speaker {i}" for i, n in enumerate(others, start=2)})
    return names
