"""Survey pages: waves, contacts, what was sent and received, response rates."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from casestudies.models import CONTACT_STATUSES, SurveyContact, SurveyWave
from casestudies.places import PlaceError
from casestudies.studies.places import resolve_place
from casestudies.survey import survey
from casestudies.survey.forms import (
    AddPlaceForm,
    BulkAddForm,
    ContactFilterForm,
    ContactForm,
    RecordForm,
    ResponseFileForm,
    WaveForm,
    country_names,
)
from fieldwork.extensions import db
from fieldwork.forms import choices
from fieldwork.models import Project
from fieldwork.permissions import get_or_404, project_access
from fieldwork.storage import download_response, store_upload

CONTACTS_PER_PAGE = 100


@project_access("project.view")
def index(project: Project) -> str:
    waves = survey.waves_of(project)
    return render_template(
        "casestudies/survey/index.html", project=project, waves=waves,
        rates=survey.response_rates(project, waves), country_names=country_names(),
    )


@project_access("casestudies.edit")
def wave_new(project: Project) -> str | Response:
    form = WaveForm()
    if form.validate_on_submit():
        wave = survey.create_wave(project, name=form.name.data or "",
                                  started_on=form.started_on.data, note=form.note.data or "")
        db.session.commit()
        flash(f"Wave “{wave.name}” created. Now add the cities and regions to survey.",
              "success")
        return redirect(url_for("survey.wave", project_id=project.id, wave_id=wave.id))
    return render_template("casestudies/survey/wave_form.html", project=project, form=form,
                           wave=None)


@project_access("casestudies.edit")
def wave_edit(project: Project, wave_id: int) -> str | Response:
    wave = get_or_404(SurveyWave, wave_id, project)
    form = WaveForm(obj=wave)
    if form.validate_on_submit():
        survey.update_wave(wave, name=form.name.data or "", started_on=form.started_on.data,
                           note=form.note.data or "")
        db.session.commit()
        flash("Wave saved.", "success")
        return redirect(url_for("survey.wave", project_id=project.id, wave_id=wave.id))
    return render_template("casestudies/survey/wave_form.html", project=project, form=form,
                           wave=wave)


def render_wave(
    project: Project, wave: SurveyWave, *, bulk_form: BulkAddForm | None = None,
    place_form: AddPlaceForm | None = None, status: int = 200,
) -> tuple[str, int]:
    names = country_names()
    filters = ContactFilterForm(request.args)
    filters.country.choices = choices([("", "Any country")] + [
        (code, names.get(code, code)) for code in survey.countries_in(wave)
    ])
    page = db.paginate(
        survey.contacts_query(wave, filters.country.data or "", filters.status.data or ""),
        per_page=CONTACTS_PER_PAGE, error_out=False,
    )
    return render_template(
        "casestudies/survey/wave.html", project=project, wave=wave, page=page,
        filters=filters, bulk_form=bulk_form or BulkAddForm(),
        place_form=place_form or AddPlaceForm(), rates=survey.response_rates(project, [wave]),
        country_names=names, statuses=CONTACT_STATUSES,
    ), status


@project_access("project.view")
def wave(project: Project, wave_id: int) -> tuple[str, int]:
    return render_wave(project, get_or_404(SurveyWave, wave_id, project))


@project_access("casestudies.edit")
def add_places(project: Project, wave_id: int) -> Response | tuple[str, int]:
    wave = get_or_404(SurveyWave, wave_id, project)
    form = BulkAddForm()
    if not form.validate_on_submit():
        return render_wave(project, wave, bulk_form=form, status=400)
    place_filter = survey.PlaceFilter(
        kind=form.kind.data or "city", country_code=form.country.data or "",
        min_population=form.min_population.data or 0, cee_only=form.cee_only.data,
    )
    result = survey.add_places_matching(wave, place_filter)
    db.session.commit()
    skipped = f"; {result.already_there} already in the wave" if result.already_there else ""
    flash(f"{len(result.added)} {place_filter.describe()} added{skipped}.",
          "success" if result.added else "info")
    return redirect(url_for("survey.wave", project_id=project.id, wave_id=wave.id))


@project_access("casestudies.edit")
def add_place(project: Project, wave_id: int) -> Response | tuple[str, int]:
    wave = get_or_404(SurveyWave, wave_id, project)
    form = AddPlaceForm()
    if form.validate_on_submit():
        try:
            place = resolve_place(form.place_name.data or "")
        except PlaceError as error:
            form.place_name.errors.append(str(error))
        else:
            result = survey.add_contacts(wave, [place], place.name)
            db.session.commit()
            if result.added:
                flash(f"{place.name} added to the wave.", "success")
            else:
                flash(f"{place.name} is already in the wave.", "info")
            return redirect(url_for("survey.wave", project_id=project.id, wave_id=wave.id))
    return render_wave(project, wave, place_form=form, status=400)


def contact_of(project: Project, contact_id: int) -> SurveyContact:
    return get_or_404(SurveyContact, contact_id, project)


def render_contact(
    project: Project, contact: SurveyContact, *, form: ContactForm | None = None,
    record_form: RecordForm | None = None, file_form: ResponseFileForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return render_template(
        "casestudies/survey/contact.html", project=project, contact=contact,
        wave=contact.wave, form=form or ContactForm(obj=contact),
        record_form=record_form or RecordForm(), file_form=file_form or ResponseFileForm(),
        country_names=country_names(),
    ), status


@project_access("project.view")
def contact(project: Project, contact_id: int) -> tuple[str, int]:
    return render_contact(project, contact_of(project, contact_id))


def back_to_contact(project: Project, contact: SurveyContact) -> Response:
    return redirect(url_for("survey.contact", project_id=project.id, contact_id=contact.id))


@project_access("casestudies.edit")
def contact_edit(project: Project, contact_id: int) -> Response | tuple[str, int]:
    contact = contact_of(project, contact_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            survey.update_contact(
                contact, contact_name=form.contact_name.data or "",
                contact_email=form.contact_email.data or "",
                contact_office=form.contact_office.data or "", status=form.status.data or "",
                sent_on=form.sent_on.data, responded_on=form.responded_on.data,
                notes=form.notes.data or "",
            )
        except survey.SurveyError as error:
            form.status.errors.append(str(error))
        else:
            db.session.commit()
            flash("Contact saved.", "success")
            return back_to_contact(project, contact)
    return render_contact(project, contact, form=form, status=400)


@project_access("casestudies.edit")
def contact_record(project: Project, contact_id: int) -> Response | tuple[str, int]:
    contact = contact_of(project, contact_id)
    form = RecordForm()
    if form.validate_on_submit():
        day: date = form.day.data  # type: ignore[assignment]
        try:
            if form.event.data == "sent":
                survey.record_sent(contact, day)
            elif form.event.data == "reminder":
                survey.record_reminder(contact, day)
            else:
                survey.record_outcome(contact, form.event.data or "", day)
        except survey.SurveyError as error:
            form.event.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{contact.place.name}: {contact.status_label.lower()}.", "success")
            return back_to_contact(project, contact)
    return render_contact(project, contact, record_form=form, status=400)


@project_access("casestudies.edit")
def response_upload(project: Project, contact_id: int) -> Response | tuple[str, int]:
    contact = contact_of(project, contact_id)
    form = ResponseFileForm()
    if form.validate_on_submit():
        upload = form.file.data
        stored = store_upload(upload.stream, upload.filename or "response", current_user.id)
        survey.attach_response(contact, stored, date.today())
        db.session.commit()
        flash(f"Response file “{stored.filename}” kept; {contact.place.name} counts as "
              "responded.", "success")
        return back_to_contact(project, contact)
    return render_contact(project, contact, file_form=form, status=400)


@project_access("project.view")
def response_download(project: Project, contact_id: int) -> Response:
    contact = contact_of(project, contact_id)
    stored = contact.response_file
    if stored is None:
        flash("No response file has been uploaded for this contact.", "info")
        return back_to_contact(project, contact)
    return download_response(stored)
