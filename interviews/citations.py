"""How a participant is cited: the one rule every export, page and the quote bank follow.

The participant's consent gives the level: "named" (name and role), "role only" (a generic
role category and the kind of place, "a city official in a Polish city of over 500,000"),
"anonymous" (the participant's code only). The lead's project settings say what "role only"
may show besides: the job title, the exact city, the date (none of them by default). A reader
who may not see identities gets a named participant at the "role only" level. A participant
who withdrew consent is not cited at all, unless the lead applied the withdrawal keeping the
codings anonymised: then by code only.

The kind of place is said only where at least ALIKE places of the gazetteer fit it ("a
Latvian city of over 500,000" is Riga: it becomes "a Latvian city of over 50,000", or "a
city in the EU"). A citation also knows what it leaves out (the name, the organisation, the
city), so that words which name them can be flagged before a quote is published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from casestudies.models import Place
from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.folding import fold_text
from fieldwork.models import Project
from interviews.citation_templates import (
    DEFAULT_TEMPLATE,
    CitationError,
    check_template,
    render,
    sentence_start,
)
from interviews.models import Interview, InterviewSettings, Participant, interview_participants
from interviews.protection.withdrawal import anonymised_only

LEVELS = {"named": "Named", "role": "Role only", "anonymous": "Anonymous"}
ROLE_DATES = {
    "none": "No date",
    "year": "The year (2026)",
    "month": "Month and year (March 2026)",
    "day": "The day (16 March 2026)",
}
#: a kind of place is said only when at least this many places of the gazetteer fit it
ALIKE = 3
#: population thresholds of "a city of over ..."
BANDS = (1_000_000, 500_000, 250_000, 100_000, 50_000)
#: organisation types whose role says where they belong; the others get the kind of place
SCOPED_TYPES = frozenset({"eu_institution", "eu_member_state", "us_federal", "chinese"})
#: organisation types whose people are not told apart by the city they work in (Brussels,
#: Washington, a capital): a quote naming it is not flagged
PLACELESS_TYPES = frozenset({"eu_institution", "eu_member_state", "us_federal"})
GENERIC_ROLES = {
    "eu_institution": "an EU official",
    "eu_member_state": "a national government official",
    "us_federal": "a US federal official",
    "chinese": "a Chinese official",
    "business": "a business representative",
    "academia": "an academic",
    "ngo": "an NGO representative",
    "other": "an interviewee",
}
#: a government official's role by the kind of place they work for
GOVERNMENT_ROLES = {
    "eu_city_region": {"city": "a city official", "region": "a regional official",
                       "": "a city or regional official"},
    "us_state_city": {"city": "a city official", "region": "a state official",
                      "": "a state or city official"},
}
ADJECTIVES = {
    "AT": "Austrian", "BE": "Belgian", "BG": "Bulgarian", "HR": "Croatian", "CY": "Cypriot",
    "CZ": "Czech", "DK": "Danish", "EE": "Estonian", "FI": "Finnish", "FR": "French",
    "DE": "German", "GR": "Greek", "HU": "Hungarian", "IE": "Irish", "IT": "Italian",
    "LV": "Latvian", "LT": "Lithuanian", "LU": "Luxembourgish", "MT": "Maltese", "NL": "Dutch",
    "PL": "Polish", "PT": "Portuguese", "RO": "Romanian", "SK": "Slovak", "SI": "Slovenian",
    "ES": "Spanish", "SE": "Swedish", "US": "US", "CN": "Chinese", "GB": "British",
    "NO": "Norwegian", "CH": "Swiss", "UA": "Ukrainian", "RS": "Serbian", "IS": "Icelandic",
}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


class InterviewLike(Protocol):
    place: Any
    starts_at: datetime
    timezone: str


@dataclass(frozen=True)
class CitationRules:
    """The lead's choices for the project."""

    template: str = DEFAULT_TEMPLATE
    role_title: bool = False
    role_city: bool = False
    role_date: str = "none"


@dataclass(frozen=True)
class Hidden:
    """Something the citation leaves out, and how to find it in words."""

    #: e.g. "the city"
    what: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Cited:
    """A participant as they may be cited."""

    level: str
    #: who they are, with where they belong when that may be said
    who: str
    #: the place as it may be said ("" when it may not), and the date likewise
    place: str
    date: str
    #: the participant's code (pseudonym)
    code: str
    hidden: tuple[Hidden, ...] = ()

    @property
    def line(self) -> str:
        """e.g. "A city official in a Polish city of over 500,000 [PL-CITY-12]"."""
        return render("{who}, {date} [{code}]", citation_values([self]))


def rules_for(project: Project) -> CitationRules:
    """The project's citation rules (the defaults while none were saved); reads only."""
    settings = db.session.scalar(db.select(InterviewSettings).where(
        InterviewSettings.project_id == project.id))
    if settings is None:
        return CitationRules()
    return CitationRules(settings.citation_template, settings.role_shows_title,
                         settings.role_shows_city, settings.role_date)


def local_date(interview: InterviewLike, form: str) -> str:
    """The interview's date in its own time zone, as `form` (a key of ROLE_DATES) says."""
    if form == "none":
        return ""
    local = interview.starts_at.astimezone(ZoneInfo(interview.timezone))
    return {"year": f"{local:%Y}", "month": f"{local:%B %Y}",
            "day": f"{local.day} {local:%B %Y}"}[form]


def with_article(phrase: str) -> str:
    vowel = phrase[:1] in "AEIOaeio" or phrase.startswith("EU")
    return f"{'an' if vowel else 'a'} {phrase}"


def place_name(place: Any) -> str:
    return place.name_local or place.name


class Citer:
    """Cites participants under one project's rules for one reader, remembering what it
    counted in the gazetteer."""

    def __init__(self, rules: CitationRules, may_see_identity: bool) -> None:
        self.rules = rules
        self.may_see_identity = may_see_identity
        self._alike: dict[tuple[str, str, int], int] = {}

    def level_of(self, participant: Participant) -> str | None:
        """The level the participant is cited at for this reader; None: never quoted."""
        consent = participant.consent
        if consent is not None and consent.withdrawn:
            return "anonymous" if anonymised_only(participant) else None
        level = consent.attribution if consent is not None else "anonymous"
        if level == "named" and not (self.may_see_identity and participant.name):
            return "role"
        return level if level in LEVELS else "anonymous"

    def cite(self, participant: Participant, interview: InterviewLike) -> Cited | None:
        """How the participant is cited, or None when their words may not be quoted."""
        level = self.level_of(participant)
        return None if level is None else self.cite_at(level, participant, interview)

    def cite_at(self, level: str, participant: Participant, interview: InterviewLike) -> Cited:
        home = participant.place or interview.place
        code = participant.pseudonym
        if level == "anonymous":
            return Cited(level, code, "", "", code, self.hidden(participant, interview, level))
        if level == "named":
            place = place_name(home) if home is not None else ""
            who = ", ".join(part for part in (participant.name, participant.role,
                                              participant.organisation, place) if part)
            return Cited(level, who, place, local_date(interview, "day"), code)
        role = (participant.role if self.rules.role_title and participant.role
                else generic_role(participant, home))
        place = ""
        if home is not None and participant.organisation_type not in SCOPED_TYPES:
            place = place_name(home) if self.rules.role_city else self.kind_of_place(home)
        who = f"{role} in {place}" if place else role
        return Cited(level, sentence_start(who), place,
                     local_date(interview, self.rules.role_date), code,
                     self.hidden(participant, interview, level))

    def hidden(self, participant: Participant, interview: InterviewLike,
               level: str) -> tuple[Hidden, ...]:
        """What the citation leaves out, each with the pattern that finds it in words."""
        name = " ".join(participant.name.split())
        organisation = participant.organisation.strip()
        wanted = [("the name", [name, name.rsplit(" ", 1)[-1]] if name else []),
                  ("the organisation",
                   [organisation, *(part for part in organisation.split(",") if part.strip())]
                   if organisation else [])]
        if participant.organisation_type not in PLACELESS_TYPES and (
                level == "anonymous" or not self.rules.role_city):
            places = {p for p in (participant.place, interview.place) if p is not None
                      and p.kind != "country"}
            for place in places:
                wanted.append((f"the {place.kind_label.lower()}",
                               [place.name, place.name_local, *(place.alternate_names or [])]))
        found = []
        for what, names in wanted:
            pattern = names_pattern(names)
            if pattern is not None:
                found.append(Hidden(what, pattern))
        return tuple(found)

    def alike(self, place: Any, population: int) -> int:
        """How many places of the gazetteer of the place's kind and country have at least
        `population` inhabitants (any, for 0)."""
        key = (place.kind, place.country_code, population)
        if key not in self._alike:
            query = db.select(db.func.count()).select_from(Place).where(
                Place.kind == place.kind, Place.country_code == place.country_code)
            if population:
                query = query.where(Place.population >= population)
            self._alike[key] = db.session.scalar(query) or 0
        return self._alike[key]

    def kind_of_place(self, place: Any) -> str:
        """e.g. "a Polish city of over 500,000", broad enough that ALIKE places fit it."""
        if place.kind == "country":
            return place.name
        adjective = ADJECTIVES.get(place.country_code)
        if adjective and place.kind == "city" and place.population:
            for band in BANDS:
                if place.population >= band and self.alike(place, band) >= ALIKE:
                    size = "1 million" if band == 1_000_000 else f"{band:,}"
                    return with_article(f"{adjective} city of over {size}")
        if adjective and self.alike(place, 0) >= ALIKE:
            return with_article(f"{adjective} {place.kind}")
        return f"a {place.kind} in the EU" if place.is_eu else f"a {place.kind}"


def generic_role(participant: Participant, home: Any) -> str:
    by_place = GOVERNMENT_ROLES.get(participant.organisation_type)
    if by_place is not None:
        kind = home.kind if home is not None and home.kind in by_place else ""
        return by_place[kind]
    return GENERIC_ROLES.get(participant.organisation_type, GENERIC_ROLES["other"])


def name_pattern(name: str) -> str | None:
    """A pattern finding the name in folded text, each word inflected too: "Wrocław" finds
    "Wrocławia", "Kraków" finds "Krakowie", "Biuro Współpracy" finds "Biurze Współpracy".
    Names under four letters are not looked for."""
    folded = fold_text(" ".join(name.split())) or ""
    if _CJK.search(folded):
        return re.escape(folded) if len(folded) >= 2 else None
    words = re.findall(r"\w+", folded)
    if not words or len("".join(words)) < 4:
        return None
    stems = [word[:-1] if len(word) >= 5 and word[-1] in "aeiouy" else word for word in words]
    body = r"\W+".join(re.escape(stem) + r"\w{0,4}" for stem in stems)
    return rf"(?<!\w){body}(?!\w)"


def names_pattern(names: list[str]) -> re.Pattern[str] | None:
    patterns = sorted({p for name in names if name and (p := name_pattern(name))},
                      key=len, reverse=True)
    return re.compile("|".join(patterns)) if patterns else None


def found_in(text: str, pattern: re.Pattern[str]) -> str:
    """The words of `text` the pattern finds ("" if none); folding keeps offsets."""
    match = pattern.search(fold_text(text) or "")
    return text[match.start():match.end()] if match else ""


def speaker_as_cited(label: str, cited: list[Cited]) -> str:
    """A transcript's speaker label, the participant's code instead when the label holds a
    name the citation leaves out."""
    for person in cited:
        for hidden in person.hidden:
            if hidden.what == "the name" and found_in(label, hidden.pattern):
                return person.code
    return label


def update_rules(project: Project, rules: CitationRules) -> CitationRules:
    """Save the lead's citation rules (flushed, audited)."""
    template = check_template(rules.template)
    if rules.role_date not in ROLE_DATES:
        raise CitationError("Choose which date a “role only” citation shows.", "role_date")
    settings = db.session.scalar(db.select(InterviewSettings).where(
        InterviewSettings.project_id == project.id))
    if settings is None:
        settings = InterviewSettings(project_id=project.id)
        db.session.add(settings)
    settings.citation_template = template
    settings.role_shows_title = rules.role_title
    settings.role_shows_city = rules.role_city
    settings.role_date = rules.role_date
    db.session.flush()
    audit.record("interviews.citations", settings, project=project,
                 summary="Citation rules changed", template=template,
                 role_title=rules.role_title, role_city=rules.role_city,
                 role_date=rules.role_date)
    return CitationRules(template, rules.role_title, rules.role_city, rules.role_date)


def citation_values(cited: list[Cited], locator: str = "", speaker: str = "") -> dict[str, str]:
    """The parts of a template for words of these participants (a code already said as
    {who} is not said again as {code})."""
    return {"who": "; ".join(person.who for person in cited),
            "date": "; ".join(dict.fromkeys(person.date for person in cited if person.date)),
            "code": ", ".join(person.code for person in cited if person.who != person.code),
            "locator": locator, "speaker": speaker}


# The settings page's preview -------------------------------------------------------------

SAMPLE_LOCATOR = "00:14:32"


@dataclass(frozen=True)
class SampleInterview:
    place: Any
    starts_at: datetime
    timezone: str


def sample(project: Project) -> tuple[Participant, InterviewLike]:
    """The project's first interviewed participant, or a made-up one (never saved) in
    Wrocław, to preview citations with."""
    row = db.session.execute(
        db.select(Participant, Interview)
        .join(interview_participants, interview_participants.c.participant_id == Participant.id)
        .join(Interview, Interview.id == interview_participants.c.interview_id)
        .where(Participant.project_id == project.id)
        .order_by(Interview.starts_at, Participant.pseudonym)).first()
    if row is not None:
        return row[0], row[1]
    place = db.session.scalar(db.select(Place).where(
        Place.kind == "city", Place.country_code == "PL",
        db.or_(Place.name == "Wroclaw", Place.name_local == "Wrocław")).limit(1)) or Place(
        kind="city", name="Wroclaw", name_local="Wrocław", country_code="PL",
        population=672_929, is_eu=True, alternate_names=[])
    participant = Participant(pseudonym="PL-CITY-07", name="Anna Nowak",
                              role="head of the international relations office",
                              organisation="Wrocław City Hall",
                              organisation_type="eu_city_region")
    participant.place = place
    return participant, SampleInterview(place, datetime(2026, 3, 16, 9, tzinfo=ZoneInfo("UTC")),
                                        "Europe/Warsaw")


def preview(project: Project, rules: CitationRules) -> list[tuple[str, str]]:
    """(level, citation) for each level of consent, as the lead would export them."""
    participant, interview = sample(project)
    citer = Citer(rules, may_see_identity=True)
    rows = []
    for level, label in LEVELS.items():
        cited = citer.cite_at(level, participant, interview)
        rows.append((label, render(rules.template,
                                   citation_values([cited], SAMPLE_LOCATOR, cited.code))))
    return rows
