"""Exports read back: SRT and WebVTT times, DOCX text, JSON; pseudonyms, never names."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

from docx import Document
from docx.shared import Pt, RGBColor
from flask.testing import FlaskClient

from fieldwork.models import User
from interviews.transcripts.models import Transcript


def export(client: FlaskClient, transcript: Transcript, fmt: str) -> bytes:
    answer = client.get(f"/projects/{transcript.project_id}/transcripts/{transcript.id}"
                        f"/export?format={fmt}")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="interview-{transcript.interview_id}-part-1-transcript.{fmt}"; '
        f"filename*=UTF-8''interview-{transcript.interview_id}-part-1-transcript.{fmt}")
    return answer.data


def test_every_format_reads_back(client_for: Callable[[User | None], FlaskClient],
                                 people: dict[str, User], transcript: Transcript) -> None:
    client = client_for(people["coder"])
    pseudonym = transcript.interview.participants[0].pseudonym

    srt = export(client, transcript, "srt").decode()
    cues = re.findall(r"(\d+)\n(\S+) --> (\S+)\n(.+)\n", srt)
    assert cues[1] == ("2", "00:00:03,500", "00:00:09,000",
                       "Speaker 2: It began with a visit of the mayor. "
                       "Then we signed an agreement.")

    vtt = export(client, transcript, "vtt").decode()
    assert vtt.startswith("WEBVTT\n")
    assert "00:00:03.500 --> 00:00:09.000\n<v Speaker 2>It began" in vtt

    document = Document(io.BytesIO(export(client, transcript, "docx")))
    paragraphs = [p.text for p in document.paragraphs]
    assert "[00:00:03] Speaker 2: It began with a visit of the mayor. Then we signed an " \
           "agreement." in paragraphs
    header = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    # cited as their consent allows, the date and place only as far as the citation may
    assert header["Participants"] == f"An EU official [{pseudonym}]"
    assert header["Date"] == header["Place"] == "not given (the participants' citation rules)"
    properties = document.core_properties
    assert (properties.author, properties.title) == (
        "Coder", f"Transcript of interview {transcript.interview_id}")
    assert properties.comments == "" and properties.created.year >= 2026

    data = json.loads(export(client, transcript, "json"))
    assert data["segments"][0]["words"][5] == {"start": 2.14, "end": 2.57, "text": "Chengdu",
                                               "probability": 0.3}
    text = export(client, transcript, "txt").decode()
    assert "[00:00:00] Speaker 1: How did the partnership with Chengdu begin?" in text

    everything = srt + vtt + text + json.dumps(data) + " ".join(paragraphs)
    assert "Claire Secretname" not in everything and "Secretname" not in str(header)


def test_an_unknown_format_is_not_found(client_for: Callable[[User | None], FlaskClient],
                                        people: dict[str, User], transcript: Transcript) -> None:
    answer = client_for(people["coder"]).get(
        f"/projects/{transcript.project_id}/transcripts/{transcript.id}/export?format=exe")
    assert answer.status_code == 404


def test_the_word_transcript_has_its_heading_table_and_styled_runs(
        client_for: Callable[[User | None], FlaskClient], people: dict[str, User],
        transcript: Transcript) -> None:
    document = Document(io.BytesIO(export(client_for(people["coder"]), transcript, "docx")))
    first = document.paragraphs[0]
    assert (first.style.name, first.text) == (
        "Heading 1", f"Transcript of interview {transcript.interview_id}")
    assert document.tables[0].rows[0].cells[0].text == "Interview"
    stamp, speaker, words = next(p for p in document.paragraphs if p.text.startswith("[")).runs
    assert stamp.text == "[00:00:00] " and stamp.font.size == Pt(9)
    assert stamp.font.color.rgb == RGBColor(0x59, 0x59, 0x59) and not stamp.bold
    assert speaker.text == "Speaker 1: " and speaker.bold and not words.bold
    assert "python-docx" not in (document.core_properties.subject or "")
