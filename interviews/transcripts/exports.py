"""Transcripts as TXT, DOCX, SRT, WebVTT and JSON.

Headers name participants by pseudonym only: an export may be read by coders and may leave
the server, so a participant's real name never appears in it.
"""

from __future__ import annotations

import io
import json
from zoneinfo import ZoneInfo

from interviews.asr.base import clock
from interviews.transcripts.models import Transcript
from interviews.transcripts.reliability import standing

FORMATS = {
    "txt": ("text/plain; charset=utf-8", "Plain text"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    "srt": ("application/x-subrip; charset=utf-8", "Subtitles (SRT)"),
    "vtt": ("text/vtt; charset=utf-8", "Subtitles (WebVTT)"),
    "json": ("application/json", "JSON"),
}
GREY = (0x59, 0x59, 0x59)


def header(transcript: Transcript) -> dict[str, str]:
    interview = transcript.interview
    recording = transcript.recording
    local = interview.starts_at.astimezone(ZoneInfo(interview.timezone))
    return {
        "Interview": f"{interview.id}",
        "Participants": ", ".join(p.pseudonym for p in interview.participants) or "—",
        "Date": f"{local:%d %B %Y %H:%M} ({interview.timezone})",
        "Place": interview.place.name if interview.place else "—",
        "Language": transcript.language or interview.language or "—",
        "Recording": f"part {recording.part}" if recording is not None else "—",
        "Status": transcript.status_label,
        "Reliability": reliability_line(transcript),
    }


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


def title(transcript: Transcript) -> str:
    return f"Transcript of interview {transcript.interview_id}"


def filename(transcript: Transcript, extension: str) -> str:
    part = transcript.recording.part if transcript.recording is not None else 1
    return f"interview-{transcript.interview_id}-part-{part}-transcript.{extension}"


def to_txt(transcript: Transcript) -> str:
    lines = [title(transcript), ""]
    lines += [f"{key}: {value}" for key, value in header(transcript).items()]
    lines.append("")
    for segment in transcript.segments:
        lines += [f"[{clock(segment.start)}] {segment.speaker}: {segment.text}", ""]
    return "\n".join(lines)


def to_docx(transcript: Transcript) -> bytes:
    from docx import Document  # python-docx is loaded by the first Word file
    from docx.shared import Pt, RGBColor

    document = Document()
    document.add_heading(title(transcript), level=1)
    table = document.add_table(rows=0, cols=2)
    for key, value in header(transcript).items():
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, value
    document.add_paragraph()
    for segment in transcript.segments:
        paragraph = document.add_paragraph()
        stamp = paragraph.add_run(f"[{clock(segment.start)}] ")
        stamp.font.color.rgb = RGBColor(*GREY)
        stamp.font.size = Pt(9)
        paragraph.add_run(f"{segment.speaker}: ").bold = True
        paragraph.add_run(segment.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def cue_time(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02}:{minutes:02}:{secs:02}{separator}{millis:03}"


def to_srt(transcript: Transcript) -> str:
    cues = []
    for number, segment in enumerate(transcript.segments, start=1):
        cues.append(
            f"{number}\n{cue_time(segment.start, ',')} --> {cue_time(segment.end, ',')}\n"
            f"{segment.speaker}: {segment.text}\n"
        )
    return "\n".join(cues)


def to_vtt(transcript: Transcript) -> str:
    cues = ["WEBVTT", ""]
    for segment in transcript.segments:
        speaker = segment.speaker.replace(">", "")
        cues += [
            f"{cue_time(segment.start, '.')} --> {cue_time(segment.end, '.')}",
            f"<v {speaker}>{segment.text}", "",
        ]
    return "\n".join(cues)


def to_json(transcript: Transcript) -> str:
    return json.dumps({
        "title": title(transcript), "header": header(transcript),
        "language": transcript.language, "status": transcript.status,
        "reliability": reliability_json(transcript),
        "segments": [
            {"start": s.start, "end": s.end, "speaker": s.speaker, "text": s.text,
             "words": s.words, "flags": s.flags,
             "estimated_word_error": s.estimated_word_error, "checked": s.checked}
            for s in transcript.segments
        ],
    }, ensure_ascii=False, indent=2)


def export(transcript: Transcript, fmt: str) -> bytes:
    """The transcript in format `fmt` (a key of FORMATS), as bytes."""
    if fmt == "docx":
        return to_docx(transcript)
    text = {"txt": to_txt, "srt": to_srt, "vtt": to_vtt, "json": to_json}[fmt](transcript)
    return text.encode("utf-8")
