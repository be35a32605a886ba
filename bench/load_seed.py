"""The project the load test runs against: the demo project grown to the size of a team's.

On top of the demo (places, partnerships, a case study with a visit, the starter codebook)
it adds 50 members with their own accounts (3 leads, 10 interviewers, 30 coders, 7 viewers),
40 participants and 240 interviews over eight weeks around today in several time zones,
6 interview transcripts of 20,000 words ready for coding with 2,000 codings each (bench.agreement's
synthetic transcript and codings), and 40 documents of 3,000 words linked to partnerships with
500 codings each. `seed()` returns the plan the locustfile reads: accounts, ids and sizes.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert

from bench.agreement import CODERS, synthetic_codings, synthetic_transcript, vocabulary
from casestudies.models import Partnership
from coding.models import Code, Coding, Source
from coding.sources import add_transcript_source, document_paragraphs
from fieldwork.accounts.passwords import hash_password
from fieldwork.demo import ensure_demo_project
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User
from interviews.models import Participant
from interviews.participants import ParticipantData, create_participant
from interviews.scheduling import InterviewPlan, create_interview
from interviews.transcripts.models import Transcript, TranscriptSegment

ROLES = {"lead": 3, "interviewer": 10, "coder": 30, "viewer": 7}
PASSWORD = "load-test-password"
PARTICIPANTS = 40
WEEKS = 8
INTERVIEWS_PER_DAY = 6
TRANSCRIPTS = 6
DOCUMENTS = 40
DOCUMENT_WORDS = 3_000
DOCUMENT_CODINGS = 500
ZONES = ("Europe/Brussels", "Europe/Warsaw", "America/New_York", "Asia/Shanghai",
         "Europe/Prague")
ORGANISATIONS = (("eu_institution", "European Commission"), ("eu_city_region", "City office"),
                 ("us_state_city", "US city hall"), ("academia", "University"),
                 ("business", "Chamber of commerce"))


@dataclass
class Plan:
    """What the locustfile needs to know about the seeded project."""

    project_id: int = 0
    password: str = PASSWORD
    #: (email, role) of every load-test member
    users: list[tuple[str, str]] = field(default_factory=list)
    #: id -> text length of each source to code (transcripts first)
    sources: dict[int, int] = field(default_factory=dict)
    transcript_ids: list[int] = field(default_factory=list)
    code_ids: list[int] = field(default_factory=list)
    theme_ids: list[int] = field(default_factory=list)
    interviews: int = 0
    codings: int = 0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def add_members(project: Project) -> dict[str, list[User]]:
    """ROLES' accounts, all with PASSWORD (hashed once), members of the project."""
    password_hash = hash_password(PASSWORD)
    members: dict[str, list[User]] = {}
    for role, count in ROLES.items():
        users = [User(email=f"load-{role}-{n}@fieldwork.example", name=f"Load {role} {n}",
                      password_hash=password_hash) for n in range(count)]
        db.session.add_all(users)
        db.session.add_all([Membership(project=project, user=u, role=role) for u in users])
        members[role] = users
    db.session.flush()
    return members


def add_participants(project: Project, rng: random.Random) -> list[Participant]:
    participants = []
    for n in range(PARTICIPANTS):
        kind, organisation = rng.choice(ORGANISATIONS)
        participants.append(create_participant(project, ParticipantData(
            organisation=f"{organisation} {n}", organisation_type=kind, role="official",
            name=f"Person {n}", email=f"person{n}@example.org")))
    return participants


def add_interviews(project: Project, members: dict[str, list[User]],
                   participants: list[Participant], rng: random.Random) -> list[Any]:
    """INTERVIEWS_PER_DAY interviews on each weekday, from four weeks ago to four ahead; the
    ones in the past are done."""
    partnerships = list(db.session.scalars(db.select(Partnership).where(
        Partnership.project_id == project.id)))
    first = date.today() - timedelta(weeks=WEEKS // 2)
    lead = members["lead"][0]
    interviews = []
    for day in (first + timedelta(days=n) for n in range(WEEKS * 7)):
        if day.weekday() >= 5:
            continue
        for slot in range(INTERVIEWS_PER_DAY):
            interviewers = rng.sample(members["interviewer"], 2) + rng.sample(members["lead"], 1)
            partnership = rng.choice(partnerships)
            interview = create_interview(project, InterviewPlan(
                local_start=datetime.combine(day, time(9 + slot)), timezone=rng.choice(ZONES),
                participants=[rng.choice(participants)], interviewers=interviewers,
                partnerships=[partnership], place=partnership.eu_place,
                mode=rng.choice(("in_person", "video", "phone"))), lead)
            if day < date.today():
                interview.status = "done"
            interviews.append(interview)
    db.session.flush()
    return interviews


def add_transcript(interview: Any, seed: int, lead: User) -> Source:
    """A corrected transcript of the interview, ready for coding, and its source."""
    text, segments = synthetic_transcript(seed)
    transcript = Transcript(project_id=interview.project_id, interview_id=interview.id,
                            status="ready", language="en")
    for position, (start, end) in enumerate(segments):
        speaker, words = text[start:end].split(": ", 1)
        transcript.segments.append(TranscriptSegment(
            position=position, start=position * 6.0, end=position * 6.0 + 5.5,
            speaker=speaker, text=words))
    db.session.add(transcript)
    db.session.flush()
    return add_transcript_source(transcript, lead)


def coding_rows(source: Source, spans: list[tuple[int, int, int, int]]) -> list[dict[str, Any]]:
    """Rows for codings given as (code id, start, end, coder id)."""
    return [{"project_id": source.project_id, "source_id": source.id, "code_id": code,
             "coder_id": coder, "start": start, "end": end, "quote": source.text[start:end],
             "needs_review": False, "created_at": datetime.now(UTC)}
            for code, start, end, coder in spans]


def code_transcript(source: Source, seed: int, code_ids: list[int], coders: list[User]) -> int:
    """bench.agreement's 2,000 codings by three coders, on the project's codes."""
    codes = {f"code-{n}": code_ids[(seed * 7 + n) % len(code_ids)] for n in range(20)}
    by_name = {name: user.id for name, user in zip(CODERS, coders, strict=True)}
    spans = [(codes[c.code], c.start, c.end, by_name[c.coder])
             for c in synthetic_codings(len(source.text), seed)]
    db.session.execute(insert(Coding), coding_rows(source, spans))
    return len(spans)


def add_document(project: Project, n: int, partnership: Partnership | None,
                 rng: random.Random) -> Source:
    words = vocabulary()
    text = "\n\n".join(" ".join(rng.choice(words) for _ in range(100))
                       for _ in range(DOCUMENT_WORDS // 100))
    source = Source(project_id=project.id, kind="document", title=f"Document {n}", text=text,
                    paragraphs=document_paragraphs(text),
                    attributes={"Level": rng.choice(("City", "Region"))})
    source.partnerships = [partnership] if partnership else []
    db.session.add(source)
    db.session.flush()
    return source


def code_document(source: Source, code_ids: list[int], coders: list[User],
                  rng: random.Random) -> int:
    spans = []
    for _ in range(DOCUMENT_CODINGS):
        start = rng.randrange(len(source.text) - 400)
        spans.append((rng.choice(code_ids), start, start + rng.randint(20, 400),
                      rng.choice(coders).id))
    db.session.execute(insert(Coding), coding_rows(source, spans))
    return len(spans)


def add_sources(project: Project, plan: Plan, members: dict[str, list[User]],
                interviews: list[Any], rng: random.Random) -> None:
    coders, lead = members["coder"], members["lead"][0]
    done = [i for i in interviews if i.status == "done"]
    for n, interview in enumerate(rng.sample(done, TRANSCRIPTS)):
        source = add_transcript(interview, n + 1, lead)
        plan.codings += code_transcript(source, n + 1, plan.code_ids, coders[3 * n:3 * n + 3])
        plan.sources[source.id] = len(source.text)
        plan.transcript_ids.append(source.id)
    partnerships = list(db.session.scalars(db.select(Partnership).where(
        Partnership.project_id == project.id)))
    for n in range(DOCUMENTS):
        partnership = partnerships[n % len(partnerships)] if partnerships else None
        source = add_document(project, n, partnership, rng)
        plan.codings += code_document(source, plan.code_ids, coders, rng)
        plan.sources[source.id] = len(source.text)


def seed(rng: random.Random) -> Plan:
    """The demo project grown to a team's size, committed; the plan for the locustfile."""
    project, _login = ensure_demo_project()
    codes = list(db.session.scalars(db.select(Code).where(
        Code.project_id == project.id, Code.archived_at.is_(None)).order_by(Code.id)))
    plan = Plan(project_id=project.id, code_ids=[c.id for c in codes if c.parent_id],
                theme_ids=[c.id for c in codes if c.parent_id is None])
    members = add_members(project)
    plan.users = [(u.email, role) for role, users in members.items() for u in users]
    interviews = add_interviews(project, members, add_participants(project, rng), rng)
    plan.interviews = len(interviews)
    add_sources(project, plan, members, interviews, rng)
    db.session.commit()
    return plan
