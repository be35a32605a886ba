"""Objects to fill every URL argument of every route, for the access matrix test.

A new route argument needs a builder here: the matrix test fails and names the argument
until it has one. Each builder makes (or finds) an object in `project` and returns its id.
"""

from __future__ import annotations

import math
import struct
import wave
from collections.abc import Callable
from datetime import UTC, date, datetime
from io import BytesIO

from casestudies.models import (
    CaseStudy,
    CooperationArea,
    Partnership,
    PartnershipDocument,
    PartnershipSource,
    Place,
    SurveyContact,
    SurveyWave,
    Visit,
)
from coding.coders import add_external_coder
from coding.models import Code, CodeSuggestion, Coding, Memo, Quote, Source
from fieldwork.extensions import db
from fieldwork.models import BackgroundTask, Membership, Project, User
from fieldwork.storage import store_upload
from interviews.calendars import new_feed
from interviews.guides import save_guide
from interviews.models import CalendarFeed, Interview
from interviews.participants import ParticipantData, create_participant, record_consent
from interviews.recordings.models import Recording, TranscriptionJob
from interviews.recordings.uploads import start_upload
from interviews.scheduling import InterviewPlan, create_interview
from interviews.transcripts.editing import save_version
from interviews.transcripts.models import Transcript, TranscriptSegment

Builder = Callable[[Project, dict[str, User]], int]


def viewer_membership(project: Project, people: dict[str, User]) -> int:
    return db.session.scalar(
        db.select(Membership.id).where(
            Membership.project_id == project.id, Membership.user_id == people["viewer"].id
        )
    )


def sample_place() -> Place:
    """A city of the gazetteer for the samples, made once."""
    place = db.session.scalar(db.select(Place).where(Place.key == "sample:city"))
    if place is None:
        place = Place(key="sample:city", kind="city", name="Sample City", name_local="Sample City",
                      country_code="PL", population=100_000, is_eu=True, is_cee=True)
        db.session.add(place)
        db.session.flush()
    return place


def sample_case_study(project: Project, _people: dict[str, User]) -> int:
    study = db.session.scalar(db.select(CaseStudy).where(CaseStudy.project_id == project.id))
    if study is None:
        study = CaseStudy(project_id=project.id, place=sample_place(), title="Sample study")
        db.session.add(study)
        db.session.flush()
    return study.id


def sample_visit(project: Project, people: dict[str, User]) -> int:
    study = db.session.get(CaseStudy, sample_case_study(project, people))
    if not study.visits:
        study.visits.append(Visit(project_id=project.id, starts_on=date(2026, 5, 4),
                                  ends_on=date(2026, 5, 6), team=[people["interviewer"]]))
        db.session.flush()
    return study.visits[0].id


def sample_wave(project: Project, _people: dict[str, User]) -> int:
    wave = db.session.scalar(db.select(SurveyWave).where(SurveyWave.project_id == project.id))
    if wave is None:
        wave = SurveyWave(project_id=project.id, name="Sample wave")
        db.session.add(wave)
        db.session.flush()
    return wave.id


def sample_contact(project: Project, people: dict[str, User]) -> int:
    wave = db.session.get(SurveyWave, sample_wave(project, people))
    if not wave.contacts:
        wave.contacts.append(SurveyContact(place_id=sample_place().id))
        db.session.flush()
    return wave.contacts[0].id


def sample_task(project: Project, people: dict[str, User]) -> int:
    """A coder's export, done, with its file: the coder and the leads may download it."""
    task = db.session.scalar(db.select(BackgroundTask).where(
        BackgroundTask.project_id == project.id))
    if task is None:
        stored = store_upload(BytesIO(b"Coding ID\n1\n"), "codings.csv", people["coder"].id)
        task = BackgroundTask(project_id=project.id, user_id=people["coder"].id,
                              kind="coding.export", label="CSV export of 1 coding",
                              permission="analysis.export", status="done", progress=1.0,
                              result_file=stored, finished_at=datetime.now(UTC),
                              seen_at=datetime.now(UTC))
        db.session.add(task)
        db.session.flush()
    return task.id


BUILDERS: dict[str, Builder] = {
    "project_id": lambda project, _people: project.id,
    "target_id": lambda project, _people: project.id,
    "membership_id": viewer_membership,
    "user_id": lambda _project, people: people["viewer"].id,
    "case_study_id": sample_case_study,
    "visit_id": sample_visit,
    "wave_id": sample_wave,
    "contact_id": sample_contact,
    "task_id": sample_task,
}



def interviews_sample(project: Project, people: dict[str, User]) -> dict[str, int | str]:
    """One participant, interview, guide and feed of the interviews feature, made once."""
    interview = db.session.scalar(db.select(Interview).where(Interview.project_id == project.id))
    if interview is None:
        participant = create_participant(
            project, ParticipantData("European Commission", "eu_institution")
        )
        record_consent(participant, recording_allowed=True, attribution="role",
                       given_on=date(2026, 3, 1), retention="project", user=None,
                       form_stream=BytesIO(b"%PDF-1.4 signed"), form_filename="consent.pdf")
        guide = save_guide(project, None, "Guide", "", "# Topic\nQuestion?")
        interview = create_interview(project, InterviewPlan(
            local_start=datetime(2026, 3, 16, 10), timezone="Europe/Brussels",
            participants=[participant], guide=guide,
        ), None)
        new_feed(people["viewer"], project)
    feed = db.session.scalar(db.select(CalendarFeed).where(
        CalendarFeed.project_id == project.id, CalendarFeed.revoked_at.is_(None)
    ))
    return {"interview_id": interview.id, "participant_id": interview.participants[0].id,
            "guide_id": interview.guide_id, "token": feed.token}


BUILDERS.update({
    name: (lambda key: lambda project, people: interviews_sample(project, people)[key])(name)
    for name in ("interview_id", "participant_id", "guide_id", "token")
})


def partnerships_sample(project: Project, people: dict[str, User]) -> dict[str, int]:
    """A partnership of `project` with a source, a document and areas (places: casestudies)."""
    partnership = db.session.scalar(
        db.select(Partnership).where(Partnership.project_id == project.id)
    )
    if partnership is None:
        partner = db.session.scalar(db.select(Place).where(Place.key == "sample:partner"))
        if partner is None:
            partner = Place(key="sample:partner", kind="city", name="Sample Partner",
                            name_local="Sample Partner", country_code="CN", population=900_000)
            db.session.add(partner)
        area = CooperationArea(project_id=project.id, name="sample area")
        partnership = Partnership(project_id=project.id, eu_place=sample_place(),
                                  partner_place=partner, areas=[area])
        partnership.sources = [PartnershipSource(url="https://example.org/agreement")]
        stored = store_upload(BytesIO(b"agreement"), "agreement.txt", people["lead"].id)
        partnership.documents = [PartnershipDocument(file=stored, title="Agreement")]
        db.session.add(partnership)
        db.session.flush()
    return {
        "place_id": partnership.eu_place_id,
        "partnership_id": partnership.id,
        "partnership_source_id": partnership.sources[0].id,
        "partnership_document_id": partnership.documents[0].id,
        "cooperation_area_id": partnership.areas[0].id,
    }


BUILDERS.update({
    name: (lambda key: lambda project, people: partnerships_sample(project, people)[key])(name)
    for name in ("place_id", "partnership_id", "partnership_source_id",
                 "partnership_document_id", "cooperation_area_id")
})


def tone_wav(seconds: float = 1.0, rate: int = 16_000) -> bytes:
    """A short sine tone as WAV bytes: a real, playable recording for the samples."""
    buffer = BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
            for i in range(int(seconds * rate))
        ))
    return buffer.getvalue()


def recordings_sample(project: Project, people: dict[str, User]) -> dict[str, int | str]:
    """A recording with a failed job, a transcript with two segments and a version, and an
    upload in progress (made anew each time: finishing an upload removes it)."""
    interview = db.session.get(Interview, interviews_sample(project, people)["interview_id"])
    recording = db.session.scalar(db.select(Recording).where(Recording.project_id == project.id))
    if recording is None:
        stored = store_upload(BytesIO(tone_wav()), "tone.wav", people["lead"].id)
        recording = Recording(project_id=project.id, interview_id=interview.id,
                              stored_file=stored, duration_s=1.0, codec="pcm_s16le")
        recording.jobs = [TranscriptionJob(project_id=project.id, state="failed",
                                           options={"engine": "faster-whisper",
                                                    "model": "tiny.en", "language": "en"},
                                           error="sample")]
        transcript = Transcript(project_id=project.id, interview_id=interview.id,
                                recording=recording, language="en")
        transcript.segments = [
            TranscriptSegment(position=0, start=0.0, end=0.5, speaker="Speaker 1", text="Hello."),
            TranscriptSegment(position=1, start=0.5, end=1.0, speaker="Speaker 2", text="Hi."),
        ]
        db.session.add_all([recording, transcript])
        db.session.flush()
        save_version(transcript, None, "sample")
    transcript = db.session.scalar(
        db.select(Transcript).where(Transcript.recording_id == recording.id)
    )
    return {"recording_id": recording.id, "job_id": recording.jobs[0].id,
            "transcript_id": transcript.id, "version_id": transcript.versions[0].id,
            "upload_id": start_upload(interview, people["interviewer"], "part.wav", 10).id}


BUILDERS.update({
    name: (lambda key: lambda project, people: recordings_sample(project, people)[key])(name)
    for name in ("recording_id", "job_id", "transcript_id", "version_id", "upload_id")
})


def sample_external_coder(project: Project, _people: dict[str, User]) -> int:
    identity = add_external_coder(project, "e0000000-0000-0000-0000-000000000001", "Gergo",
                                  "NVivo 14")
    db.session.flush()
    return identity.id


BUILDERS["identity_id"] = sample_external_coder


def coding_sample(project: Project, people: dict[str, User]) -> dict[str, int]:
    """A document source with a code, a coding by the coder and a memo on the project."""
    source = db.session.scalar(db.select(Source).where(Source.project_id == project.id))
    if source is None:
        source = Source(project_id=project.id, kind="document", title="Sample notes",
                        text="Cooperation with Chinese cities.",
                        paragraphs=[{"start": 0, "end": 32}])
        code = Code(project_id=project.id, name="Sample code")
        db.session.add_all([source, code])
        db.session.flush()
        db.session.add_all([
            Coding(project_id=project.id, source_id=source.id, code_id=code.id,
                   coder_id=people["coder"].id, start=0, end=11, quote="Cooperation"),
            Memo(project_id=project.id, author_id=people["coder"].id, body="A sample memo."),
        ])
        db.session.flush()
        coding = db.session.scalar(db.select(Coding).where(Coding.source_id == source.id))
        db.session.add(Quote(project_id=project.id, coding_id=coding.id, chapter="Chapter 1"))
        db.session.flush()
    return {
        "quote_id": db.session.scalar(db.select(Quote.id).where(Quote.project_id == project.id)),
        "source_id": source.id,
        "code_id": db.session.scalar(db.select(Code.id).where(Code.project_id == project.id)),
        "coding_id": db.session.scalar(db.select(Coding.id).where(Coding.source_id == source.id)),
        "memo_id": db.session.scalar(db.select(Memo.id).where(Memo.project_id == project.id)),
    }


BUILDERS.update({
    name: (lambda key: lambda project, people: coding_sample(project, people)[key])(name)
    for name in ("source_id", "code_id", "coding_id", "memo_id", "quote_id")
})


def sample_suggestion(project: Project, people: dict[str, User]) -> int:
    """A code suggestion made to the coder on the sample source."""
    sample = coding_sample(project, people)
    suggestion = CodeSuggestion(project_id=project.id, source_id=sample["source_id"],
                                code_id=sample["code_id"], user_id=people["coder"].id,
                                start=12, end=31, text_version=1, quote="with Chinese cities",
                                score=0.5, reason="Like an earlier coding")
    db.session.add(suggestion)
    db.session.flush()
    return suggestion.id


BUILDERS["suggestion_id"] = sample_suggestion
