"""What the reliability marks cost on a 2-hour transcript.

A fresh database (SQLite in a temporary folder, or PostgreSQL when BENCH_DATABASE_URL is
given) gets a 2-hour transcript: 1,440 segments of 5 seconds and 15 timed words each, a fifth
of them uncertain, made a source with 100 codings spread over it. Times, inside the app (no
HTTP), the work each mark adds to a page or an export: the transcript's standing (the
transcript list, the interview page, the queue, the coding page's banner), the marks and
playback stretches of 100 excerpts (a page of retrieval, the quote bank), and the marks of the
source's 100 codings (a CSV or XLSX export). Then what the transcription job adds: the
estimate of every segment and storing it, against the 2-hour job time measured by
bench.long_recording (docs/benchmarks.md). Prints one JSON line (milliseconds).

usage (from the project folder): python -m bench.reliability_marks [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
from datetime import datetime

from bench.common import bench_app, timed
from coding.excerpts import excerpts_of, paragraph_finder
from coding.models import Code, Coding
from coding.reliability import hearings, source_marks
from coding.sources import add_transcript_source
from fieldwork.extensions import db
from fieldwork.models import Project, StoredFile, User
from interviews.asr.base import Segment, Word
from interviews.participants import ParticipantData, create_participant
from interviews.recordings.models import Recording
from interviews.scheduling import InterviewPlan, create_interview
from interviews.transcripts.models import Transcript, TranscriptSegment
from interviews.transcripts.reliability import refresh, standing, store_estimates

SEGMENTS = 1_440
SECONDS = 5.0
WORDS = 15
#: the 2-hour job's time with base, bench.long_recording (docs/benchmarks.md)
TWO_HOUR_JOB_SECONDS = 1_104.0
CODINGS = 100


def engine_segments(rng: random.Random) -> list[Segment]:
    """What an engine gives for 2 hours: a fifth of the segments doubtful."""
    found = []
    for n in range(SEGMENTS):
        start = n * SECONDS
        sure = 0.4 if rng.random() < 0.2 else 0.9
        words = [Word(start + i * SECONDS / WORDS, start + (i + 1) * SECONDS / WORDS,
                      f"word{i}", min(max(rng.gauss(sure, 0.1), 0.01), 1.0))
                 for i in range(WORDS)]
        found.append(Segment(start, start + SECONDS, " ".join(w.text for w in words), words,
                             avg_logprob=-0.3))
    return found


def build(segments: list[Segment]) -> tuple[int, int]:
    """The project's transcript and its source with CODINGS codings; returns their ids."""
    lead = User(email="lead@example.org", name="Lead", password_hash="x")
    project = Project(name="Bench reliability")
    db.session.add_all([lead, project])
    db.session.flush()
    participant = create_participant(project, ParticipantData(
        organisation="City Hall", organisation_type="eu_city_region"))
    interview = create_interview(project, InterviewPlan(
        local_start=datetime(2026, 3, 16, 10), timezone="Europe/Warsaw",
        participants=[participant]), None)
    stored = StoredFile(filename="call.ogg", content_type="audio/ogg", size=1,
                        sha256="0" * 64)
    recording = Recording(project_id=project.id, interview_id=interview.id,
                          stored_file=stored, duration_s=SEGMENTS * SECONDS)
    transcript = Transcript(project_id=project.id, interview_id=interview.id,
                            recording=recording, language="pl", status="ready")
    transcript.segments = [
        TranscriptSegment(position=n, start=s.start, end=s.end, speaker="Speaker 1",
                          text=s.text, words=[{"start": w.start, "end": w.end, "text": w.text,
                                               "probability": w.probability} for w in s.words])
        for n, s in enumerate(segments)]
    db.session.add(transcript)
    db.session.flush()
    store_estimates(transcript, segments, "pl", 0.9, "base", language_chosen=False)
    refresh(transcript)
    source = add_transcript_source(transcript, lead)
    code = Code(project_id=project.id, name="Bench", colour="#FFE08A", position=0)
    db.session.add(code)
    db.session.flush()
    step = len(source.text) // CODINGS
    db.session.add_all([Coding(project_id=project.id, source_id=source.id, code_id=code.id,
                               coder_id=lead.id, start=n * step + 5, end=n * step + 60,
                               quote="")
                        for n in range(CODINGS)])
    db.session.commit()
    return transcript.id, source.id


def measure(runs: int) -> dict[str, object]:
    rng = random.Random(23)
    segments = engine_segments(rng)
    with tempfile.TemporaryDirectory() as folder:
        app, url = bench_app(folder)
        with app.app_context():
            transcript_id, source_id = build(segments)
            transcript = db.session.get(Transcript, transcript_id)
            project = db.session.get(Project, transcript.project_id)
            codings = list(db.session.scalars(db.select(Coding).where(
                Coding.source_id == source_id).order_by(Coding.start)))
            excerpts = excerpts_of(project, codings, True)
            source = codings[0].source
            marked = sum(h.uncertain is not None for h in hearings(excerpts).values())

            def export_marks() -> None:
                mark, find = source_marks(source), paragraph_finder(source)
                for coding in codings:
                    mark(find, coding.start, coding.end)

            figures = {
                "standing_ms": timed(runs, lambda: standing(transcript, 0.25).summary()),
                "page_of_100_excerpts_ms": timed(runs, lambda: hearings(excerpts)),
                "export_marks_100_codings_ms": timed(runs, export_marks),
                "refresh_after_an_edit_ms": timed(runs, lambda: refresh(transcript)),
                "job_estimates_ms": timed(runs, lambda: store_estimates(
                    transcript, segments, "pl", 0.9, "base", language_chosen=False)),
            }
            db.session.rollback()
        estimate_s = figures["job_estimates_ms"]["median_ms"] / 1000
        return {"database": url.split(":")[0], "segments": SEGMENTS,
                "hours": SEGMENTS * SECONDS / 3600, "excerpts_marked": marked, **figures,
                "share_of_2_hour_job_percent": round(estimate_s / TWO_HOUR_JOB_SECONDS * 100, 3),
                "python": platform.python_version(), "load_average": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    print(json.dumps(measure(parser.parse_args().runs)))


if __name__ == "__main__":
    main()
