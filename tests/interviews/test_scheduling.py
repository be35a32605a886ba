"""Times across time zones, including the weeks when Europe and the US differ in DST."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import pytest

from fieldwork.extensions import db
from fieldwork.storage import store_upload
from interviews.models import Interview
from interviews.recordings.models import Recording
from interviews.scheduling import (
    InterviewPlan,
    SchedulingError,
    change_status,
    interviews_missing_recordings,
    local_to_utc,
    update_interview,
    utc_to_local,
)


@pytest.mark.parametrize(("local", "zone", "utc"), [
    # 2026-03-09..28: US already on EDT (UTC-4), Brussels still on CET (UTC+1)
    (datetime(2026, 3, 16, 10), "Europe/Brussels", datetime(2026, 3, 16, 9, tzinfo=UTC)),
    (datetime(2026, 3, 16, 10), "America/New_York", datetime(2026, 3, 16, 14, tzinfo=UTC)),
    # before 8 March both are on winter time: six hours apart
    (datetime(2026, 3, 2, 10), "America/New_York", datetime(2026, 3, 2, 15, tzinfo=UTC)),
    # from 29 March both on summer time
    (datetime(2026, 3, 30, 10), "Europe/Brussels", datetime(2026, 3, 30, 8, tzinfo=UTC)),
    # late October: Europe back on CET (25 Oct), US still on EDT (until 1 Nov)
    (datetime(2026, 10, 27, 10), "Europe/Brussels", datetime(2026, 10, 27, 9, tzinfo=UTC)),
    (datetime(2026, 10, 27, 10), "America/New_York", datetime(2026, 10, 27, 14, tzinfo=UTC)),
    (datetime(2026, 3, 16, 10), "Europe/Warsaw", datetime(2026, 3, 16, 9, tzinfo=UTC)),
])
def test_local_time_to_utc(local: datetime, zone: str, utc: datetime) -> None:
    assert local_to_utc(local, zone) == utc
    assert utc_to_local(utc, zone).replace(tzinfo=None) == local


def test_the_hour_skipped_in_spring_is_refused() -> None:
    with pytest.raises(SchedulingError, match="does not exist"):
        local_to_utc(datetime(2026, 3, 29, 2, 30), "Europe/Brussels")


def test_the_hour_repeated_in_autumn_means_the_first() -> None:
    assert local_to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Brussels") == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(SchedulingError, match="not a time zone"):
        local_to_utc(datetime(2026, 3, 2, 10), "Europe/Atlantis")


def test_brussels_and_washington_interviews_are_stored_in_utc(project, make_interview) -> None:
    brussels = make_interview(project, datetime(2026, 3, 16, 10))
    washington = make_interview(project, datetime(2026, 3, 16, 10), city="Washington")
    db.session.expire_all()
    stored = {i.timezone: i.starts_at for i in db.session.scalars(db.select(Interview))}
    assert stored["Europe/Brussels"] == datetime(2026, 3, 16, 9, tzinfo=UTC)
    assert stored["America/New_York"] == datetime(2026, 3, 16, 14, tzinfo=UTC)
    assert brussels.id != washington.id


def test_reschedule_is_recorded_and_raises_sequence(project, make_interview, people) -> None:
    interview = make_interview(project, datetime(2026, 3, 16, 10))
    assert interview.sequence == 0
    plan = InterviewPlan(
        local_start=datetime(2026, 3, 17, 15), timezone="Europe/Brussels",
        participants=interview.participants, place=interview.place,
    )
    update_interview(interview, plan, people["lead"])
    assert interview.sequence == 1
    db.session.expire(interview)
    assert interview.starts_at == datetime(2026, 3, 17, 14, tzinfo=UTC)
    change = interview.history[0]
    assert change.kind == "rescheduled"
    assert change.from_starts_at == datetime(2026, 3, 16, 9, tzinfo=UTC)


def test_status_follows_its_steps(project, make_interview, people) -> None:
    interview = make_interview(project, datetime(2026, 3, 16, 10))
    with pytest.raises(SchedulingError, match="can become"):
        change_status(interview, "done", people["lead"])
    for status in ("requested", "confirmed", "done"):
        change_status(interview, status, people["lead"])
    db.session.expire(interview)
    assert interview.status == "done"
    assert interview.sequence == 3
    assert [h.to_status for h in interview.history if h.kind == "status"] == [
        "done", "confirmed", "requested"
    ]


def test_interviewers_must_be_members(project, make_interview, make_user) -> None:
    stranger = make_user("Stranger")
    with pytest.raises(SchedulingError, match="members"):
        make_interview(project, datetime(2026, 3, 16, 10), interviewers=[stranger])


def test_done_interviews_without_a_recording(project, make_interview, files_dir) -> None:
    recorded, unrecorded, planned = (
        make_interview(project, datetime(2026, 3, day, 10)) for day in (2, 3, 4)
    )
    for interview in (recorded, unrecorded):
        change_status(interview, "confirmed", None)
        change_status(interview, "done", None)
    stored = store_upload(BytesIO(b"an interview"), "call.wav", None)
    db.session.add(Recording(project_id=project.id, interview_id=recorded.id,
                             stored_file=stored, duration_s=60.0, codec="pcm_s16le"))
    db.session.flush()
    assert interviews_missing_recordings(project) == [unrecorded]
    assert planned not in interviews_missing_recordings(project)
