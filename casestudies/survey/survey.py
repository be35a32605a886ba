"""The city survey: waves, contacts added from the gazetteer, what was sent and what came
back, and response rates. Every change is written to the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func
from sqlalchemy.orm import joinedload

from casestudies.models import CONTACT_STATUSES, Place, SurveyContact, SurveyWave
from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import Project, StoredFile
from fieldwork.storage import delete_stored_file

DAY = "%-d %B %Y"
#: what can be recorded for a contact, with the status it leads to
OUTCOMES = {"responded": "Responded", "declined": "Declined", "bounced": "Bounced"}
ANSWERED = frozenset({"responded", "declined"})


class SurveyError(ValueError):
    """A survey change that cannot be made, in words for the user."""


def waves_of(project: Project) -> list[SurveyWave]:
    return list(db.session.scalars(
        db.select(SurveyWave).where(SurveyWave.project_id == project.id)
        .order_by(SurveyWave.started_on.desc().nulls_last(), SurveyWave.id.desc())
    ))


def create_wave(
    project: Project, *, name: str, started_on: date | None, note: str = ""
) -> SurveyWave:
    wave = SurveyWave(project_id=project.id, name=name.strip(), started_on=started_on,
                      note=note.strip())
    db.session.add(wave)
    db.session.flush()
    audit.record("survey_wave.create", wave, project=project,
                 summary=f"Survey wave “{wave.name}” created")
    return wave


def update_wave(wave: SurveyWave, *, name: str, started_on: date | None, note: str) -> None:
    wave.name, wave.started_on, wave.note = name.strip(), started_on, note.strip()
    audit.record("survey_wave.update", wave, project=wave.project,
                 summary=f"Survey wave “{wave.name}” changed")


# Adding contacts


@dataclass(frozen=True)
class PlaceFilter:
    """Which EU places to survey, e.g. all cities over 50,000 in Poland."""

    kind: str = "city"
    country_code: str = ""
    min_population: int = 0
    cee_only: bool = False

    def describe(self) -> str:
        kind = "cities" if self.kind == "city" else "regions"
        words = [f"EU {kind}"]
        if self.min_population:
            words.append(f"over {self.min_population:,}")
        if self.country_code:
            words.append(f"in {self.country_code}")
        if self.cee_only:
            words.append("in Central and Eastern Europe")
        return " ".join(words)


def places_matching(place_filter: PlaceFilter) -> Select[tuple[Place]]:
    query = db.select(Place).where(Place.kind == place_filter.kind, Place.is_eu.is_(True))
    if place_filter.country_code:
        query = query.where(Place.country_code == place_filter.country_code.upper())
    if place_filter.min_population:
        query = query.where(Place.population >= place_filter.min_population)
    if place_filter.cee_only:
        query = query.where(Place.is_cee.is_(True))
    return query.order_by(Place.country_code, Place.name)


@dataclass
class BulkResult:
    added: list[Place] = field(default_factory=list)
    already_there: int = 0


def add_contacts(wave: SurveyWave, places: Iterable[Place], description: str = "") -> BulkResult:
    """Add a contact for each place not yet in the wave; places already in it are skipped."""
    present = set(db.session.scalars(
        db.select(SurveyContact.place_id).where(SurveyContact.wave_id == wave.id)
    ))
    result = BulkResult()
    for place in places:
        if place.id in present:
            result.already_there += 1
            continue
        present.add(place.id)
        db.session.add(SurveyContact(wave=wave, place_id=place.id))
        result.added.append(place)
    db.session.flush()
    if result.added:
        audit.record(
            "survey_contact.bulk_add", wave, project=wave.project,
            summary=f"{len(result.added)} contact(s) added to “{wave.name}”"
            + (f": {description}" if description else ""),
            place_ids=[place.id for place in result.added],
        )
    return result


def add_places_matching(wave: SurveyWave, place_filter: PlaceFilter) -> BulkResult:
    places = db.session.scalars(places_matching(place_filter))
    return add_contacts(wave, places, place_filter.describe())


# Contacts


def contacts_query(wave: SurveyWave, country_code: str = "", status: str = "") -> Select:
    query = (
        db.select(SurveyContact).join(Place, Place.id == SurveyContact.place_id)
        .where(SurveyContact.wave_id == wave.id)
        .options(joinedload(SurveyContact.place), joinedload(SurveyContact.response_file))
        .order_by(Place.country_code, Place.name)
    )
    if country_code:
        query = query.where(Place.country_code == country_code)
    if status:
        query = query.where(SurveyContact.status == status)
    return query


def countries_in(wave: SurveyWave) -> list[str]:
    return list(db.session.scalars(
        db.select(Place.country_code).join(SurveyContact, SurveyContact.place_id == Place.id)
        .where(SurveyContact.wave_id == wave.id).distinct().order_by(Place.country_code)
    ))


def update_contact(
    contact: SurveyContact, *, contact_name: str, contact_email: str, contact_office: str,
    status: str, sent_on: date | None, responded_on: date | None, notes: str,
) -> None:
    """Correct a contact's details by hand."""
    if status not in CONTACT_STATUSES:
        raise SurveyError(f"“{status}” is not a status; choose one of the list.")
    if status != "not_sent" and sent_on is None and status != "responded":
        raise SurveyError("Give the date the questionnaire was sent.")
    if sent_on and responded_on and responded_on < sent_on:
        raise SurveyError(
            f"The answer ({responded_on:{DAY}}) cannot come before the questionnaire was sent "
            f"({sent_on:{DAY}})."
        )
    contact.contact_name = contact_name.strip()
    contact.contact_email = contact_email.strip()
    contact.contact_office = contact_office.strip()
    contact.status, contact.sent_on, contact.responded_on = status, sent_on, responded_on
    contact.notes = notes.strip()
    audit.record("survey_contact.update", contact, project=contact.wave.project,
                 summary=f"Survey contact {contact.place.name} changed ({contact.status_label})")


def record_sent(contact: SurveyContact, day: date) -> None:
    if contact.status in ANSWERED:
        raise SurveyError(f"{contact.place.name} has already answered ({contact.status_label}).")
    contact.sent_on, contact.status = day, "sent"
    log_event(contact, "sent", f"questionnaire sent {day:{DAY}}")


def record_reminder(contact: SurveyContact, day: date) -> None:
    if contact.sent_on is None or contact.status == "not_sent":
        raise SurveyError("Record the questionnaire as sent before a reminder.")
    if contact.status in ANSWERED:
        raise SurveyError(f"{contact.place.name} has already answered ({contact.status_label}).")
    if day < contact.sent_on:
        raise SurveyError(
            f"The reminder ({day:{DAY}}) cannot come before the questionnaire was sent "
            f"({contact.sent_on:{DAY}})."
        )
    contact.reminder_count += 1
    contact.last_reminder_on, contact.status = day, "reminded"
    log_event(contact, "reminder", f"reminder {contact.reminder_count} sent {day:{DAY}}")


def record_outcome(contact: SurveyContact, outcome: str, day: date) -> None:
    """Record a response, a refusal or a bounced message on `day`."""
    if outcome not in OUTCOMES:
        raise SurveyError(f"“{outcome}” is not something that can be recorded.")
    if contact.sent_on is not None and day < contact.sent_on:
        raise SurveyError(
            f"The date ({day:{DAY}}) is before the questionnaire was sent "
            f"({contact.sent_on:{DAY}})."
        )
    contact.status = outcome
    contact.responded_on = day if outcome in ANSWERED else None
    log_event(contact, outcome, f"{OUTCOMES[outcome].lower()} {day:{DAY}}")


def attach_response(contact: SurveyContact, stored: StoredFile, day: date) -> None:
    """Keep the uploaded response; a contact with a response file has responded."""
    previous = contact.response_file
    contact.response_file = stored
    if contact.status != "responded":
        contact.status, contact.responded_on = "responded", contact.responded_on or day
    db.session.flush()
    if previous is not None:
        delete_stored_file(previous)
    log_event(contact, "response_file", f"response file “{stored.filename}” uploaded",
              file_id=stored.id)


def log_event(contact: SurveyContact, event: str, what: str, **details: object) -> None:
    audit.record(f"survey_contact.{event}", contact, project=contact.wave.project,
                 summary=f"Survey, {contact.place.name}: {what}", **details)


# Response rates


@dataclass
class Rate:
    contacts: int = 0
    sent: int = 0
    responded: int = 0
    declined: int = 0
    bounced: int = 0

    def add(self, status: str, count: int) -> None:
        self.contacts += count
        if status != "not_sent":
            self.sent += count
        if status in ("responded", "declined", "bounced"):
            setattr(self, status, getattr(self, status) + count)

    @property
    def delivered(self) -> int:
        return self.sent - self.bounced

    @property
    def percent(self) -> float | None:
        """Responses out of questionnaires delivered (sent and not bounced)."""
        return 100 * self.responded / self.delivered if self.delivered else None


@dataclass
class RateTable:
    """Response rates by country (rows) and wave (columns), with totals."""

    waves: list[SurveyWave]
    countries: list[str]
    cells: dict[tuple[str, int], Rate]
    by_country: dict[str, Rate]
    by_wave: dict[int, Rate]
    total: Rate

    def cell(self, country: str, wave_id: int) -> Rate | None:
        return self.cells.get((country, wave_id))


def response_rates(project: Project, waves: list[SurveyWave] | None = None) -> RateTable:
    waves = waves if waves is not None else waves_of(project)
    rows = db.session.execute(
        db.select(SurveyContact.wave_id, Place.country_code, SurveyContact.status, func.count())
        .join(Place, Place.id == SurveyContact.place_id)
        .where(SurveyContact.wave_id.in_([wave.id for wave in waves]))
        .group_by(SurveyContact.wave_id, Place.country_code, SurveyContact.status)
    )
    cells: dict[tuple[str, int], Rate] = {}
    by_country: dict[str, Rate] = {}
    by_wave: dict[int, Rate] = {}
    total = Rate()
    for wave_id, country, status, count in rows:
        for rate in (
            cells.setdefault((country, wave_id), Rate()),
            by_country.setdefault(country, Rate()),
            by_wave.setdefault(wave_id, Rate()),
            total,
        ):
            rate.add(status, count)
    return RateTable(waves, sorted(by_country), cells, by_country, by_wave, total)
