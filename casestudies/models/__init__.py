"""The casestudies tables: places and partnerships, case studies and visits, the city survey."""

from casestudies.models.places import (
    DEFAULT_AREAS,
    INSTITUTIONALISATION_FLAGS,
    PARTNERSHIP_KINDS,
    PARTNERSHIP_STATUSES,
    PLACE_KINDS,
    CooperationArea,
    Partnership,
    PartnershipDocument,
    PartnershipSource,
    Place,
    partnership_areas,
)
from casestudies.models.studies import (
    STUDY_STATUSES,
    CaseStudy,
    Visit,
    case_study_members,
    visit_members,
)
from casestudies.models.survey import CONTACT_STATUSES, SurveyContact, SurveyWave

__all__ = [
    "CONTACT_STATUSES",
    "DEFAULT_AREAS",
    "INSTITUTIONALISATION_FLAGS",
    "PARTNERSHIP_KINDS",
    "PARTNERSHIP_STATUSES",
    "PLACE_KINDS",
    "STUDY_STATUSES",
    "CaseStudy",
    "CooperationArea",
    "Partnership",
    "PartnershipDocument",
    "PartnershipSource",
    "Place",
    "SurveyContact",
    "SurveyWave",
    "Visit",
    "case_study_members",
    "partnership_areas",
    "visit_members",
]
