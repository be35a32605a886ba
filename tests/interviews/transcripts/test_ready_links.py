"""Marking a transcript ready for coding asks for its interview's links when it has none:
without a place, case study or partnership the analyses by place cannot count it."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from casestudies.models import Partnership, Place
from coding.models import Source
from fieldwork.extensions import db
from fieldwork.models import User
from interviews.models import Interview
from interviews.transcripts.models import Transcript


def mark_ready(client: FlaskClient, transcript: Transcript):
    return client.post(f"/projects/{transcript.project_id}/transcripts/{transcript.id}/save",
                       data={"action": "status:ready"})


def test_marking_ready_asks_for_the_links_when_there_are_none(
    transcript: Transcript, people: dict[str, User],
    client_for: Callable[[User | None], FlaskClient], make_place: Callable[..., Place],
) -> None:
    interview = transcript.interview
    interview.place = None
    db.session.flush()
    wroclaw, washington = make_place("Wrocław"), make_place("Washington")
    partnership = Partnership(project_id=transcript.project_id, eu_place=wroclaw,
                              partner_place=washington, kind="sister_city")
    db.session.add(partnership)
    db.session.commit()
    client = client_for(people["interviewer"])
    answer = mark_ready(client, transcript)
    links = (f"/projects/{transcript.project_id}/interviews/{interview.id}/links"
             f"?transcript_id={transcript.id}")
    assert answer.status_code == 302 and answer.headers["Location"] == links
    db.session.expire_all()
    assert transcript.status == "ready"
    assert db.session.scalar(db.select(Source).where(Source.transcript_id == transcript.id))
    page = client.get(links)
    assert "leave its transcript out. Give it its links now." in page.text
    assert "What the interview with" in page.text and "Wrocław – Washington" in page.text
    unknown = client.post(links, data={"place_id": "", "other_place": "Nowhere-on-Sea",
                                       "case_study_id": ""})
    assert unknown.status_code == 400 and "No city called “Nowhere-on-Sea”" in unknown.text
    saved = client.post(links, data={"place_id": "", "other_place": "wroclaw",
                                     "case_study_id": "",
                                     "partnership_ids": [str(partnership.id)]})
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/transcripts/{transcript.id}")
    db.session.expire_all()
    interview = db.session.get(Interview, interview.id)
    assert (interview.place, interview.partnerships) == (wroclaw, [partnership])
    assert interview.history[0].kind == "edited"


def test_marking_ready_with_links_goes_back_to_the_editor(
    transcript: Transcript, people: dict[str, User],
    client_for: Callable[[User | None], FlaskClient],
) -> None:
    answer = mark_ready(client_for(people["interviewer"]), transcript)
    assert answer.headers["Location"].endswith(f"/transcripts/{transcript.id}")


def test_only_those_who_edit_interviews_give_links(
    transcript: Transcript, people: dict[str, User],
    client_for: Callable[[User | None], FlaskClient],
) -> None:
    links = f"/projects/{transcript.project_id}/interviews/{transcript.interview_id}/links"
    assert client_for(people["coder"]).get(links).status_code == 403
    assert client_for(people["outsider"]).get(links).status_code == 404
