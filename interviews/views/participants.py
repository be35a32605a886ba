"""Participant pages: list, add, edit, consent and withdrawal."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from casestudies.models import Place
from fieldwork.extensions import db
from fieldwork.models import Project
from fieldwork.permissions import can, get_or_404, project_access
from fieldwork.storage import download_response
from interviews import citation_templates, citations
from interviews import participants as logic
from interviews.choices import find_place, place_choices, posted_place
from interviews.forms import CitationForm, ConsentForm, ParticipantForm, WithdrawForm
from interviews.models import Interview, Participant, interview_participants
from interviews.protection.withdrawal import application_of


@project_access("project.view")
def participant_list(project: Project) -> str:
    return render_template(
        "interviews/participants.html", project=project,
        participants=logic.project_participants(project),
        show_identity=can("participants.identity", project),
    )


def participant_data(form: ParticipantForm) -> logic.ParticipantData:
    place = db.session.get(Place, int(form.place_id.data)) if form.place_id.data else None
    return logic.ParticipantData(
        organisation=form.organisation.data or "",
        organisation_type=form.organisation_type.data or "other",
        organisation_code=form.organisation_code.data or "", role=form.role.data or "",
        place=place, name=form.name.data or "", email=form.email.data or "",
        phone=form.phone.data or "", notes=form.notes.data or "",
    )


def other_place(form: ParticipantForm, project: Project, text: str) -> bool:
    """Put a city typed by name into the place list; False when no such city is known."""
    place = find_place(text)
    if place is None:
        form.place_id.errors = [*form.place_id.errors, f"No city called “{text}” is known; "
                                "check the spelling or add “, CC” (country code)."]
        return False
    form.place_id.choices = place_choices(project, place)
    form.place_id.data = str(place.id)
    return True


@project_access("interviews.edit")
def participant_new(project: Project) -> str | BaseResponse:
    form = ParticipantForm()
    form.place_id.choices = place_choices(project, posted_place(form.place_id.data))
    other = (form.other_place.data or "").strip() if form.is_submitted() else ""
    if other and not other_place(form, project, other):
        return render_template("interviews/participant_form.html", project=project, form=form,
                               participant=None), 400
    if form.validate_on_submit():
        try:
            participant = logic.create_participant(project, participant_data(form))
        except logic.ParticipantError as error:
            form.organisation.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Participant {participant.pseudonym} added. Record their consent next.",
                  "success")
            return redirect(url_for("interviews.participant_consent", project_id=project.id,
                                    participant_id=participant.id))
    return render_template("interviews/participant_form.html", project=project, form=form,
                           participant=None), 400 if form.errors else 200


@project_access("interviews.edit")
def participant_edit(project: Project, participant_id: int) -> str | BaseResponse:
    participant = get_or_404(Participant, participant_id, project)
    form = ParticipantForm(obj=participant)
    form.place_id.choices = place_choices(
        project, posted_place(form.place_id.data) if form.is_submitted() else participant.place
    )
    if not form.is_submitted():
        form.place_id.data = str(participant.place_id or "")
    other = (form.other_place.data or "").strip() if form.is_submitted() else ""
    if other and not other_place(form, project, other):
        return render_template("interviews/participant_form.html", project=project, form=form,
                               participant=participant), 400
    if form.validate_on_submit():
        try:
            logic.update_participant(participant, participant_data(form), form.pseudonym.data)
        except logic.ParticipantError as error:
            form.pseudonym.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Participant {participant.pseudonym} saved.", "success")
            return redirect(url_for("interviews.participant_detail", project_id=project.id,
                                    participant_id=participant.id))
    return render_template("interviews/participant_form.html", project=project, form=form,
                           participant=participant), 400 if form.errors else 200


@project_access("project.view")
def participant_detail(project: Project, participant_id: int) -> str:
    participant = get_or_404(Participant, participant_id, project)
    interviews = db.session.scalars(
        db.select(Interview)
        .join(interview_participants, interview_participants.c.interview_id == Interview.id)
        .where(interview_participants.c.participant_id == participant.id)
        .order_by(Interview.starts_at)
    )
    return render_template(
        "interviews/participant.html", project=project, participant=participant,
        interviews=list(interviews), problem=logic.consent_problem(participant),
        show_identity=can("participants.identity", project),
        withdraw_form=WithdrawForm(withdrawn_on=date.today()),
        application=application_of(participant),
    )


@project_access("interviews.edit")
def participant_consent(project: Project, participant_id: int) -> str | BaseResponse:
    participant = get_or_404(Participant, participant_id, project)
    form = ConsentForm(obj=participant.consent)
    if form.validate_on_submit():
        upload = form.form_file.data
        try:
            logic.record_consent(
                participant, recording_allowed=form.recording_allowed.data,
                attribution=form.attribution.data or "", given_on=form.given_on.data,
                retention=form.retention.data or "", user=current_user,
                form_stream=upload.stream if upload and upload.filename else None,
                form_filename=upload.filename if upload else "",
            )
        except logic.ParticipantError as error:
            form.attribution.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Consent of {participant.pseudonym} saved.", "success")
            return redirect(url_for("interviews.participant_detail", project_id=project.id,
                                    participant_id=participant.id))
    return render_template("interviews/consent_form.html", project=project,
                           participant=participant, form=form), 400 if form.errors else 200


@project_access("interviews.edit")
def participant_withdraw(project: Project, participant_id: int) -> BaseResponse:
    participant = get_or_404(Participant, participant_id, project)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash("Give the date of the withdrawal.", "error")
    else:
        try:
            logic.withdraw_consent(participant, form.withdrawn_on.data, form.note.data or "")
        except logic.ParticipantError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"Withdrawal of {participant.pseudonym} recorded. Their interviews show it; "
                  "recordings and transcripts must not be used.", "warning")
    return redirect(url_for("interviews.participant_detail", project_id=project.id,
                            participant_id=participant.id))


@project_access("participants.identity")
def consent_form_file(project: Project, participant_id: int) -> Response:
    participant = get_or_404(Participant, participant_id, project)
    stored = participant.consent.form_file if participant.consent else None
    if stored is None:
        abort(404)
    return download_response(stored)


@project_access("project.manage")
def citation_settings(project: Project) -> tuple[str, int]:
    """How participants are cited at each level of consent, with a preview; "Preview" shows
    the typed rules without saving them."""
    rules = citations.rules_for(project)
    form = CitationForm(data={"citation_template": rules.template,
                              "role_shows_title": rules.role_title,
                              "role_shows_city": rules.role_city, "role_date": rules.role_date})
    if form.validate_on_submit():
        typed = citations.CitationRules(form.citation_template.data or "",
                                        bool(form.role_shows_title.data),
                                        bool(form.role_shows_city.data),
                                        form.role_date.data or "none")
        try:
            if request.form.get("action") == "preview":
                rules = replace(typed, template=citation_templates.check_template(typed.template))
            else:
                rules = citations.update_rules(project, typed)
                db.session.commit()
                flash("Citation rules saved: every export and page cites with them now.",
                      "success")
        except citation_templates.CitationError as error:
            form[error.field].errors.append(str(error))
    return render_template("interviews/citations.html", project=project, form=form,
                           preview=citations.preview(project, rules),
                           parts=", ".join(f"{{{name}}}" for name in citation_templates.FIELDS),
                           ), 400 if form.errors else 200
