"""ICS files parsed back, and secret feeds that can be revoked."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar

from fieldwork.extensions import db
from interviews.calendars import new_feed, revoke_feed
from interviews.scheduling import InterviewPlan, change_status, update_interview


def events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_interview_ics(project, people, make_interview, client_for) -> None:
    interview = make_interview(project, datetime(2026, 3, 16, 10), city="Washington",
                               interviewers=[people["interviewer"]])
    db.session.commit()
    url = f"/projects/{project.id}/interviews/{interview.id}/interview.ics"
    response = client_for(people["lead"]).get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    start = event.decoded("DTSTART")
    assert start.replace(tzinfo=None) == datetime(2026, 3, 16, 10)
    assert start.astimezone(UTC) == datetime(2026, 3, 16, 14, tzinfo=UTC)
    assert event["SEQUENCE"] == 0
    assert str(event["STATUS"]) == "TENTATIVE"
    assert "Claire Secretname" in str(event["SUMMARY"])

    update_interview(interview, InterviewPlan(
        local_start=datetime(2026, 3, 17, 11), timezone="America/New_York",
        participants=interview.participants, place=interview.place,
        interviewers=interview.interviewers,
    ), people["lead"])
    db.session.commit()
    (event,) = events(client_for(people["lead"]).get(url).data)
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 3, 17, 11)

    change_status(interview, "cancelled", people["lead"])
    db.session.commit()
    (event,) = events(client_for(people["lead"]).get(url).data)
    assert event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CANCELLED"


def test_coder_sees_pseudonyms_in_ics(project, people, make_interview, client_for) -> None:
    interview = make_interview(project, datetime(2026, 3, 16, 10))
    db.session.commit()
    body = client_for(people["coder"]).get(
        f"/projects/{project.id}/interviews/{interview.id}/interview.ics").data
    assert b"EU-COM-01" in body
    assert b"Secretname" not in body and b"secret@" not in body


def test_feeds_and_revocation(project, people, make_interview, client_for) -> None:
    make_interview(project, datetime(2026, 3, 16, 10), interviewers=[people["interviewer"]])
    mine = new_feed(people["interviewer"])
    coder_feed = new_feed(people["coder"], project)
    db.session.commit()
    anonymous = client_for(None)
    body = anonymous.get(f"/calendar/feed/{mine.token}.ics").data
    assert len(events(body)) == 1 and b"Secretname" in body
    body = anonymous.get(f"/calendar/feed/{coder_feed.token}.ics").data
    assert len(events(body)) == 1 and b"Secretname" not in body and b"EU-COM-01" in body
    assert anonymous.get("/calendar/feed/not-a-token.ics").status_code == 404

    fresh = new_feed(people["interviewer"])
    db.session.commit()
    assert anonymous.get(f"/calendar/feed/{mine.token}.ics").status_code == 404
    assert anonymous.get(f"/calendar/feed/{fresh.token}.ics").status_code == 200
    revoke_feed(people["interviewer"])
    db.session.commit()
    assert anonymous.get(f"/calendar/feed/{fresh.token}.ics").status_code == 404


def test_feed_of_a_removed_member_stops(project, people, make_interview, client_for) -> None:
    feed = new_feed(people["viewer"], project)
    db.session.commit()
    client = client_for(people["lead"])
    membership = next(m for m in project.memberships if m.user_id == people["viewer"].id)
    client.post(f"/projects/{project.id}/members/{membership.id}/remove")
    assert client_for(None).get(f"/calendar/feed/{feed.token}.ics").status_code == 404


def test_subscribe_and_revoke_buttons(project, people, client_for) -> None:
    client = client_for(people["coder"])
    assert client.post(f"/projects/{project.id}/calendar/subscribe").status_code == 302
    page = client.get(f"/projects/{project.id}/calendar").get_data(as_text=True)
    assert "/calendar/feed/" in page
    client.post(f"/projects/{project.id}/calendar/unsubscribe")
    page = client.get(f"/projects/{project.id}/calendar").get_data(as_text=True)
    assert "/calendar/feed/" not in page
