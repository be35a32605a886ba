"""Pseudonyms by the project's rule, consent and what it allows."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from interviews.participants import (
    ParticipantError,
    consent_problems,
    recording_allowed,
    withdraw_consent,
)
from interviews.pseudonyms import PatternError, check_pattern
from interviews.settings import SettingsError, update_settings


def test_pseudonyms_follow_the_pattern(project, make_participant) -> None:
    first = make_participant(project)
    second = make_participant(project)
    city = make_participant(project, organisation="City of Wrocław", kind="eu_city_region",
                            code="", city="Wrocław")
    us = make_participant(project, organisation="US Conference of Mayors", kind="us_state_city",
                          code="", city="Washington")
    assert [first.pseudonym, second.pseudonym, city.pseudonym, us.pseudonym] == [
        "EU-COM-01", "EU-COM-02", "PL-CITY-01", "US-CITY-01"
    ]


def test_the_lead_changes_the_pattern(project, make_participant) -> None:
    update_settings(project, pseudonym_pattern="P{n:03}-{country}", buffer_minutes=15,
                    day_starts_hour=9, day_ends_hour=18,
                    transcription_model="base", transcription_language="")
    assert make_participant(project).pseudonym == "P001-EU"


@pytest.mark.parametrize("pattern", ["{country}-{orgtype}", "{name}-{n}", "{country", "{n:zz}"])
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(PatternError):
        check_pattern(pattern)


def test_bad_settings_are_refused(project) -> None:
    with pytest.raises(SettingsError, match="start before"):
        update_settings(project, pseudonym_pattern="{n}", buffer_minutes=0,
                        day_starts_hour=20, day_ends_hour=8,
                        transcription_model="base", transcription_language="")


def test_recording_allowed_follows_consent(project, make_participant, make_interview) -> None:
    participant = make_participant(project)
    interview = make_interview(project, datetime(2026, 3, 16, 10), participants=[participant])
    assert recording_allowed(interview) == (True, "Every participant allows recording.")
    participant.consent.recording_allowed = False
    allowed, reason = recording_allowed(interview)
    assert not allowed and "does not allow recording" in reason
    withdraw_consent(participant, date(2026, 3, 20), "delete everything")
    allowed, reason = recording_allowed(interview)
    assert not allowed and "withdrew consent on 20 Mar 2026" in reason
    assert consent_problems(project) == [(interview, reason)]
    with pytest.raises(ParticipantError, match="already withdrawn"):
        withdraw_consent(participant, date(2026, 3, 21))


def test_missing_consent_is_a_problem(project, make_participant, make_interview) -> None:
    participant = make_participant(project, consent=False)
    interview = make_interview(project, datetime(2026, 3, 16, 10), participants=[participant])
    allowed, reason = recording_allowed(interview)
    assert not allowed and "no consent recorded" in reason
