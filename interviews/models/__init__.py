"""Participants, consent, interviews, guides and calendar feeds."""

from interviews.models.guides import Guide, GuideQuestion
from interviews.models.interviews import (
    INACTIVE_STATUSES,
    MODES,
    STATUSES,
    CalendarFeed,
    Interview,
    InterviewChange,
    InterviewSettings,
    interview_interviewers,
    interview_participants,
    interview_partnerships,
)
from interviews.models.participants import (
    ATTRIBUTION_LEVELS,
    ORGANISATION_TYPES,
    RETENTION_WISHES,
    Consent,
    Participant,
)

__all__ = [
    "ATTRIBUTION_LEVELS",
    "INACTIVE_STATUSES",
    "MODES",
    "ORGANISATION_TYPES",
    "RETENTION_WISHES",
    "STATUSES",
    "CalendarFeed",
    "Consent",
    "Guide",
    "GuideQuestion",
    "Interview",
    "InterviewChange",
    "InterviewSettings",
    "Participant",
    "interview_interviewers",
    "interview_participants",
    "interview_partnerships",
]
