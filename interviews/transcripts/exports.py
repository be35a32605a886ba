"""Transcripts as TXT, DOCX, SRT, WebVTT and JSON.

An export may be read by coders and may leave the server, so a participant's real name never
appears in it: headers cite participants as interviews.citations does for a reader who may
not see identities, give the interview's place and date only as far as every participant's
citation may, and a speaker labelled with a participant's name is labelled with their code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from fieldwork.models import Project
from fieldwork.word import WordWriter, run_xml
from interviews.asr.base import clock
from interviews.citations import Cited, Citer, rules_for, speaker_as_cited
from interviews.transcripts.models import Transcript
from interviews.transcripts.reliability import standing

FORMATS = {
    "txt": ("text/plain; charset=utf-8", "Plain text"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    "srt": ("application/x-subrip; charset=utf-8", "Subtitles (SRT)"),
    "vtt": ("text/vtt; charset=utf-8", "Subtitles (WebVTT)"),
    "json": ("application/json", "JSON"),
}
GREY = "595959"


NOT_GIVEN = "not given (the participants' citation rules)"


@dataclass(frozen=True)
class Cover:
    """What an export says of the transcript, and its speakers as they may be named."""

    title: str
    header: dict[str, str]
    cited: list[Cited]

    def speaker(self, label: str) -> str:
        return speaker_as_cited(label, self.cited)


def cover(transcript: Transcript) -> Cover:
    interview = transcript.interview
    recording = transcript.recording
    citer = Citer(rules_for(interview.project), may_see_identity=False)
    people = [(p, citer.cite(p, interview)) for p in interview.participants]
    cited = [person for _, person in people if person is not None]
    shown = len(cited) == len(people) and bool(people)
    exact_place = shown and all(person.place == place_name(interview) for person in cited)
    dates = {person.date for person in cited}
    local = interview.starts_at.astimezone(ZoneInfo(interview.timezone))
    if shown and all(person.date == f"{local.day} {local:%B %Y}" for person in cited):
        when = f"{local:%d %B %Y %H:%M} ({interview.timezone})"
    elif shown and "" not in dates:
        when = min(dates, key=len)
    else:
        when = NOT_GIVEN
    return Cover(f"Transcript of interview {transcript.interview_id}", {
        "Interview": f"{interview.id}",
        "Participants": "; ".join(person.line if person is not None else p.pseudonym
                                  for p, person in people) or "—",
        "Date": when,
        "Place": (place_name(interview) or "—") if exact_place or interview.place is None
        else NOT_GIVEN,
        "Language": transcript.language or interview.language or "—",
        "Recording": f"part {recording.part}" if recording is not None else "—",
        "Status": transcript.status_label,
        "Reliability": reliability_line(transcript),
    }, cited)


def place_name(interview: object) -> str:
    place = getattr(interview, "place", None)
    return (place.name_local or place.name) if place is not None else ""


def reliability_line(transcript: Transcript) -> str:
    """E.g. "needs review: not checked by a person yet; about 40 % words wrong"."""
    found = standing(transcript)
    return f"needs review: {found.summary()}" if found.needs_review else found.summary()


def reliability_json(transcript: Transcript) -> dict[str, object]:
    """How far the transcript can be trusted, for other tools."""
    found = standing(transcript)
    return {"estimated_word_error": found.estimate, "needs_review": found.needs_review,
            "checked_share": found.checked_share, "review_threshold": found.threshold,
            "summary": found.summary(), "basis": list(transcript.reliability_basis or [])}


def filename(transcript: Transcript, extension: str) -> str:
    part = transcript.recording.part if transcript.recording is not None else 1
    return f"interview-{transcript.interview_id}-part-{part}-transcript.{extension}"


def to_txt(transcript: Transcript, about: Cover) -> str:
    lines = [about.title, ""]
    lines += [f"{key}: {value}" for key, value in about.header.items()]
    lines.append("")
    for segment in transcript.segments:
        lines += [f"[{clock(segment.start)}] {about.speaker(segment.speaker)}: {segment.text}",
                  ""]
    return "\n".join(lines)


def to_docx(transcript: Transcript, about: Cover, made_by: str) -> bytes:
    project: Project = transcript.interview.project
    writer = WordWriter(about.title, f"{project.name}: {about.header['Participants']}", made_by)
    writer.heading(about.title, 1)
    writer.table(list(about.header.items()))
    writer.paragraph()
    for segment in transcript.segments:
        writer.add_paragraph(run_xml(f"[{clock(segment.start)}] ", colour=GREY, size=9)
                             + run_xml(f"{about.speaker(segment.speaker)}: ", bold=True)
                             + run_xml(segment.text))
    return writer.save()


def cue_time(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02}:{minutes:02}:{secs:02}{separator}{millis:03}"


def to_srt(transcript: Transcript, about: Cover) -> str:
    cues = []
    for number, segment in enumerate(transcript.segments, start=1):
        cues.append(
            f"{number}\n{cue_time(segment.start, ',')} --> {cue_time(segment.end, ',')}\n"
            f"{about.speaker(segment.speaker)}: {segment.text}\n"
        )
    return "\n".join(cues)


def to_vtt(transcript: Transcript, about: Cover) -> str:
    cues = ["WEBVTT", ""]
    for segment in transcript.segments:
        speaker = about.speaker(segment.speaker).replace(">", "")
        cues += [
            f"{cue_time(segment.start, '.')} --> {cue_time(segment.end, '.')}",
            f"<v {speaker}>{segment.text}", "",
        ]
    return "\n".join(cues)


def to_json(transcript: Transcript, about: Cover) -> str:
    return json.dumps({
        "title": about.title, "header": about.header,
        "language": transcript.language, "status": transcript.status,
        "reliability": reliability_json(transcript),
        "segments": [
            {"start": s.start, "end": s.end, "speaker": about.speaker(s.speaker), "text": s.text,
             "words": s.words, "flags": s.flags,
             "estimated_word_error": s.estimated_word_error, "checked": s.checked}
            for s in transcript.segments
        ],
    }, ensure_ascii=False, indent=2)


def export(transcript: Transcript, fmt: str, made_by: str) -> bytes:
    """The transcript in format `fmt` (a key of FORMATS), as bytes; `made_by` is the user
    exporting it (a Word file names them as its author)."""
    about = cover(transcript)
    if fmt == "docx":
        return to_docx(transcript, about, made_by)
    writers = {"txt": to_txt, "srt": to_srt, "vtt": to_vtt, "json": to_json}
    return writers[fmt](transcript, about).encode("utf-8")
