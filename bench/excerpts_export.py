"""Exports of coded excerpts and codings at the size of the study.

A fresh database (SQLite in a temporary folder, or PostgreSQL when BENCH_DATABASE_URL is
given) gets a project with 200 sources of about 9,000 words each in segments with speakers and
times (half of them interview transcripts with a participant, consent and a place, half
documents with attributes), a code tree of 25 codes (5 themes with 4 sub-codes each) and
100,000 codings by two coders, 5,000 of them with a memo. Times, through the test client with a
logged-in coder (server time: the whole request inside the app, audit entry and commit
included), the Word, CSV (read to the end) and XLSX exports of the 2,000 codings of four
sources, and the Word export of the 5,000 excerpts of one code (with and without memos) and
the Markdown export of the same. Each line times the export itself: none of them is over
EXPORT_JOB_THRESHOLD, so each request makes its file (an export of all 100,000 codings is a
background task: bench.export_job times it). Prints one JSON line with the median and slowest
of the runs in milliseconds, and the median CPU time of this process.

usage (from the project folder): python -m bench.excerpts_export [--runs N]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import insert, make_url

from bench.agreement import vocabulary
from bench.common import bench_app, logged_in_client, timed
from casestudies.models import Place
from coding.models import Code, Coding, Memo, Source
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User
from interviews.models import Consent, Interview, Participant
from interviews.transcripts.models import Transcript

SOURCES = 200
CODINGS_PER_SOURCE = 500
THEMES, SUB_CODES = 5, 4
MEMOS = 5_000
SEGMENT_WORDS = (10, 45)
SOURCE_WORDS = 9_000
#: the size of an export made within its request (the four first sources' codings)
EXPORT_ROWS = 2_000


def source_text(rng: random.Random, words: list[str]) -> tuple[str, list[dict[str, object]]]:
    """About SOURCE_WORDS words in segments of alternating speakers, 6 s each."""
    lines: list[str] = []
    count = 0
    while count < SOURCE_WORDS:
        size = rng.randint(*SEGMENT_WORDS)
        lines.append(" ".join(rng.choice(words) for _ in range(size)))
        count += size
    paragraphs, offset = [], 0
    for number, line in enumerate(lines):
        paragraphs.append({"start": offset, "end": offset + len(line),
                           "speaker": ("Interviewer", "Respondent")[number % 2],
                           "t0": number * 6.0, "t1": number * 6.0 + 6})
        offset += len(line) + 2
    return "\n\n".join(lines), paragraphs


def interview_transcript(project: Project, place: Place, number: int) -> Transcript:
    participant = Participant(project_id=project.id, pseudonym=f"PL-CITY-{number:03}",
                              organisation_type="eu_city_region",
                              role="deputy mayor for international affairs")
    participant.consent = Consent(attribution="role", recording_allowed=True,
                                  given_on=date(2026, 3, 1))
    interview = Interview(project_id=project.id, place_id=place.id,
                          starts_at=datetime(2026, 3, 1 + number % 28, 9, tzinfo=UTC),
                          timezone="Europe/Warsaw", participants=[participant])
    db.session.add(interview)
    db.session.flush()
    transcript = Transcript(project_id=project.id, interview_id=interview.id, status="ready")
    db.session.add(transcript)
    db.session.flush()
    return transcript


def build(rng: random.Random) -> tuple[int, int, list[int]]:
    """The project's id, the coder's id and the sub-codes' ids."""
    project = Project(name="Bench exports")
    coder, second = (User(email=f"{name}@example.org", name=name.title(), password_hash="x")
                     for name in ("coder", "second"))
    place = Place(key="bench:wroclaw", kind="city", name="Wrocław", country_code="PL",
                  population=672_929, is_eu=True, is_cee=True)
    db.session.add_all([project, coder, second, place])
    db.session.flush()
    db.session.add_all([Membership(project=project, user=user, role="coder")
                        for user in (coder, second)])
    themes = [Code(project_id=project.id, name=f"Theme {n}", position=n) for n in range(THEMES)]
    db.session.add_all(themes)
    db.session.flush()
    sub_codes = [Code(project_id=project.id, parent_id=theme.id, name=f"{theme.name}.{n}",
                      definition="A sub-code.", position=n)
                 for theme in themes for n in range(SUB_CODES)]
    db.session.add_all(sub_codes)
    words = vocabulary()
    sources = []
    for number in range(SOURCES):
        text, paragraphs = source_text(rng, words)
        transcript = (interview_transcript(project, place, number) if number % 2 else None)
        sources.append(Source(
            project_id=project.id, kind="transcript" if transcript else "document",
            title=f"Source {number:03}", transcript_id=transcript.id if transcript else None,
            text=text, paragraphs=paragraphs,
            attributes={} if transcript else {"Partner country": rng.choice(["China", "US"]),
                                              "Level": rng.choice(["City", "Region"])}))
    db.session.add_all(sources)
    db.session.flush()
    rows = []
    for source in sources:
        length = len(source.text)
        for n in range(CODINGS_PER_SOURCE):
            start = n * (length - 400) // CODINGS_PER_SOURCE
            rows.append({"project_id": project.id, "source_id": source.id,
                         "code_id": sub_codes[n % len(sub_codes)].id,
                         "coder_id": (coder, second)[n % 2].id, "start": start,
                         "end": start + rng.randint(60, 380), "quote": "",
                         "needs_review": False, "created_at": datetime.now(UTC)})
    db.session.execute(insert(Coding), rows)
    coding_ids = db.session.scalars(db.select(Coding.id).order_by(Coding.id)).all()
    db.session.execute(insert(Memo), [
        {"project_id": project.id, "author_id": coder.id, "coding_id": coding_id,
         "title": "", "body": "Worth quoting: compare with the US partners.",
         "created_at": datetime.now(UTC), "updated_at": datetime.now(UTC)}
        for coding_id in rng.sample(coding_ids, MEMOS)])
    db.session.commit()
    return project.id, coder.id, [code.id for code in sub_codes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app, url = bench_app(folder)
        with app.app_context():
            project_id, coder_id, sub_codes = build(random.Random(8))
            source_ids = list(db.session.scalars(db.select(Source.id).where(
                Source.project_id == project_id).order_by(Source.id)))
        client = logged_in_client(app, coder_id)
        base = f"/projects/{project_id}/coding/exports"
        sizes: dict[str, int] = {}

        def get(name: str, query: str) -> Callable[[], None]:
            def run() -> None:
                response = client.get(f"{base}?{query}")
                assert response.status_code == 200, (query, response.status_code)
                assert response.mimetype != "text/html", (query, "a page, not the export")
                sizes[name] = len(response.get_data())
            return run

        one_code = f"codes={sub_codes[0]}"
        some_sources = "&".join(f"sources={source_id}"
                                for source_id in source_ids[:EXPORT_ROWS // CODINGS_PER_SOURCE])
        get("warm", f"what=excerpts_docx&codes={sub_codes[1]}")()
        figures = {
            "docx_2000_excerpts": timed(args.runs, get("docx_2000",
                                                       f"what=excerpts_docx&{some_sources}")),
            "csv_2000_codings": timed(args.runs, get("csv_2000",
                                                     f"what=codings_csv&{some_sources}")),
            "xlsx_2000_codings": timed(args.runs, get("xlsx_2000",
                                                      f"what=codings_xlsx&{some_sources}")),
            "docx_5000_excerpts": timed(args.runs, get("docx", f"what=excerpts_docx&{one_code}")),
            "docx_5000_excerpts_memos": timed(
                args.runs, get("docx_memos", f"what=excerpts_docx&memos=y&{one_code}")),
            "markdown_5000_excerpts": timed(args.runs,
                                            get("markdown", f"what=excerpts_md&{one_code}")),
        }
        with app.app_context():
            excerpts = db.session.scalar(db.select(db.func.count()).select_from(Coding).where(
                Coding.code_id == sub_codes[0]))
    print(json.dumps({
        "bench": "excerpts_export", "database": make_url(url).get_backend_name(),
        "sources": SOURCES, "codings": SOURCES * CODINGS_PER_SOURCE, "excerpts": excerpts,
        "runs": args.runs, **figures,
        "bytes": {name: size for name, size in sizes.items() if name != "warm"},
        "python": platform.python_version(), "machine": platform.machine(),
        "date": datetime.now(UTC).date().isoformat(),
    }))


if __name__ == "__main__":
    main()
