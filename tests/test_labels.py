"""Every stored value is shown by its label, never as the key the database keeps: how a
participant may be cited and what they wish for the recording, members' roles, an interview's
history of statuses, a transcription's language, a matrix's columns."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, datetime
from itertools import product

import pytest
from flask.testing import FlaskClient

from fieldwork.models import ROLE_LABELS, ROLES, Project, User
from interviews.models import ATTRIBUTION_LEVELS, RETENTION_WISHES, STATUSES, Participant
from interviews.participants import ParticipantData, create_participant, record_consent
from interviews.scheduling import InterviewPlan, change_status, create_interview
from tests.access_samples import recordings_sample


def shown(page: str) -> str:
    return html.unescape(page)


@pytest.fixture
def participant(project: Project) -> Participant:
    return create_participant(project, ParticipantData("City hall", "eu_city_region"))


@pytest.mark.parametrize(("attribution", "retention"),
                         list(product(ATTRIBUTION_LEVELS, RETENTION_WISHES)))
def test_consent_is_shown_in_words(project: Project, people: dict[str, User],
                                   client_for: Callable[[User], FlaskClient],
                                   participant: Participant, attribution: str,
                                   retention: str) -> None:
    record_consent(participant, recording_allowed=True, attribution=attribution,
                   given_on=date(2026, 3, 1), retention=retention, user=people["lead"])
    page = shown(client_for(people["coder"]).get(
        f"/projects/{project.id}/participants/{participant.id}").text)
    assert f"<dt>May be cited as</dt><dd>{ATTRIBUTION_LEVELS[attribution]}</dd>" in page
    assert f"<dt>Wish for the recording</dt><dd>{RETENTION_WISHES[retention]}</dd>" in page
    assert f"<dd>{attribution}</dd>" not in page and f"<dd>{retention}</dd>" not in page


@pytest.mark.parametrize("reader", ["lead", "viewer"])
def test_members_roles_are_shown_in_words(project: Project, people: dict[str, User],
                                          client_for: Callable[[User], FlaskClient],
                                          reader: str) -> None:
    page = client_for(people[reader]).get(f"/projects/{project.id}/members").text
    for role in ROLES:
        assert ROLE_LABELS[role] in page
        assert f">{role}<" not in page


def test_an_interviews_history_names_its_statuses(
        project: Project, people: dict[str, User], participant: Participant,
        client_for: Callable[[User], FlaskClient]) -> None:
    interview = create_interview(project, InterviewPlan(
        local_start=datetime(2026, 3, 16, 10), timezone="Europe/Warsaw",
        participants=[participant]), None)
    for status in ("confirmed", "no_show", "proposed"):
        change_status(interview, status, people["lead"])
    page = shown(client_for(people["viewer"]).get(
        f"/projects/{project.id}/interviews/{interview.id}").text)
    for before, after in (("proposed", "confirmed"), ("confirmed", "no_show"),
                          ("no_show", "proposed")):
        assert f"{STATUSES[before]} → {STATUSES[after]}" in page
    assert "no-show" not in page and "no_show →" not in page


def test_a_transcriptions_language_is_named(project: Project, people: dict[str, User],
                                             client_for: Callable[[User], FlaskClient]) -> None:
    recordings_sample(project, people)
    page = client_for(people["viewer"]).get(f"/projects/{project.id}/transcription/").text
    assert "faster-whisper, tiny.en, English" in page


def test_a_matrix_names_its_columns(project: Project, people: dict[str, User],
                                    client_for: Callable[[User], FlaskClient]) -> None:
    client = client_for(people["viewer"])
    page = client.get(f"/projects/{project.id}/coding/matrix?dimension=organisation_type").text
    assert "<h1>Codes by organisation type</h1>" in page
    assert "organisation_type</h1>" not in page
