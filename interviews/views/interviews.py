"""Interview pages: list, plan, edit or reschedule (with conflict warnings), status, ICS."""

from __future__ import annotations

from datetime import datetime

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from casestudies.models import CaseStudy, Partnership, Place, Visit
from casestudies.places import PlaceError
from fieldwork.downloads import attachment
from fieldwork.extensions import db
from fieldwork.forms import choices
from fieldwork.models import Project, User
from fieldwork.permissions import can, get_or_404, project_access
from fieldwork.templating import viewer_zone
from interviews import calendars, scheduling
from interviews.asr.offered import installed_models
from interviews.choices import (
    case_study_choices,
    interview_form_choices,
    partnership_choices,
    place_choices,
    posted_place,
    typed_city,
)
from interviews.conflicts import find_conflicts
from interviews.forms import InterviewForm, InterviewLinksForm, SettingsForm, StatusForm
from interviews.models import STATUSES, Guide, Interview, Participant
from interviews.participants import recording_allowed
from interviews.protection.audio import audio_deletions, transcripts_without_audio
from interviews.settings import SettingsError, settings_for, update_settings


@project_access("project.view")
def interview_list(project: Project) -> str:
    status = request.args.get("status", "")
    interviews = scheduling.project_interviews(project)
    if status in STATUSES:
        interviews = [i for i in interviews if i.status == status]
    rule = calendars.identity_rule(current_user)
    return render_template(
        "interviews/list.html", project=project, status=status, statuses=STATUSES,
        slots=calendars.slots(interviews, viewer_zone(), rule),
    )


def chosen(model: type, ids: list[str] | None, project: Project) -> list:
    wanted = {int(i) for i in ids or [] if i.isdigit()}
    if not wanted:
        return []
    return list(db.session.scalars(db.select(model).where(
        model.id.in_(wanted), model.project_id == project.id
    )))


def one(model: type, value: str | None) -> object | None:
    return db.session.get(model, int(value)) if value else None


def plan_from(form: InterviewForm, project: Project) -> scheduling.InterviewPlan:
    visit = one(Visit, form.visit_id.data)
    place = one(Place, form.place_id.data) or (visit.case_study.place if visit else None)
    zone_name = form.timezone.data or (place.timezone if place is not None else "") or ""
    if not zone_name:
        raise scheduling.SchedulingError(
            "Choose the place or the time zone, so the local time means something."
        )
    interviewer_ids = {int(i) for i in form.interviewer_ids.data or []}
    return scheduling.InterviewPlan(
        local_start=datetime.combine(form.local_date.data, form.local_time.data),
        timezone=zone_name, duration_minutes=form.duration_minutes.data or 60,
        participants=chosen(Participant, form.participant_ids.data, project),
        interviewers=list(db.session.scalars(db.select(User).where(User.id.in_(interviewer_ids)))),
        place=place, organisation=(form.organisation.data or "").strip(),
        case_study=one(CaseStudy, form.case_study_id.data) or (visit.case_study if visit else None),
        visit=visit,
        partnerships=chosen(Partnership, form.partnership_ids.data, project),
        mode=form.mode.data or "in_person", location=(form.location.data or "").strip(),
        link=(form.link.data or "").strip(), language=(form.language.data or "").strip(),
        guide=one(Guide, form.guide_id.data), notes=(form.notes.data or "").strip(),
    )


def fill_form(form: InterviewForm, interview: Interview) -> None:
    local = scheduling.utc_to_local(interview.starts_at, interview.timezone)
    form.local_date.data, form.local_time.data = local.date(), local.time()
    form.timezone.data = interview.timezone
    form.place_id.data = str(interview.place_id or "")
    form.participant_ids.data = [str(p.id) for p in interview.participants]
    form.interviewer_ids.data = [str(u.id) for u in interview.interviewers]
    form.partnership_ids.data = [str(p.id) for p in interview.partnerships]
    form.guide_id.data = str(interview.guide_id or "")
    form.case_study_id.data = str(interview.case_study_id or "")
    form.visit_id.data = str(interview.visit_id or "")


def fill_from_case_study(form: InterviewForm, study: CaseStudy) -> None:
    """Planning from a case study: it and its place."""
    form.case_study_id.data = str(study.id)
    form.place_id.data = str(study.place_id)


def fill_from_visit(form: InterviewForm, visit: Visit) -> None:
    """Planning from a visit: its case study, its place and its first day."""
    fill_from_case_study(form, visit.case_study)
    form.visit_id.data = str(visit.id)
    form.local_date.data = visit.starts_on


def fill_from_link(form: InterviewForm, project: Project) -> None:
    """A new plan: the reader interviews, with the participant, visit or case study the link
    it came from names (?participant_id=, ?visit_id=, ?case_study_id=)."""
    form.interviewer_ids.data = [str(current_user.id)]
    wanted = request.args.get("participant_id", "")
    form.participant_ids.data = [wanted] if wanted.isdigit() else []
    visit = db.session.get(Visit, request.args.get("visit_id", type=int) or 0)
    study = db.session.get(CaseStudy, request.args.get("case_study_id", type=int) or 0)
    if visit is not None and visit.project_id == project.id:
        fill_from_visit(form, visit)
    elif study is not None and study.project_id == project.id:
        fill_from_case_study(form, study)


def place_zones(project: Project, form: InterviewForm) -> dict[str, str]:
    ids = [int(choice.value) for choice in form.place_id.choices if choice.value]
    places = db.session.scalars(db.select(Place).where(Place.id.in_(ids))) if ids else []
    return {str(place.id): place.timezone for place in places if place.timezone}


def render_form(project: Project, form: InterviewForm, interview: Interview | None,
                conflicts: list | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "interviews/interview_form.html", project=project, form=form, interview=interview,
        conflicts=conflicts or [], place_zones=place_zones(project, form),
        viewer_zone=str(viewer_zone()),
    ), status


def save(
    project: Project, form: InterviewForm, interview: Interview | None
) -> tuple[str, int] | BaseResponse:
    """The shared POST of plan and edit: parse, warn about conflicts, save."""
    other = (form.other_place.data or "").strip()
    if other:
        try:
            place = typed_city(other)
        except PlaceError as error:
            form.other_place.errors = [str(error)]
            return render_form(project, form, interview, status=400)
        form.place_id.choices = place_choices(project, place)
        form.place_id.data = str(place.id)
    if not form.validate():
        return render_form(project, form, interview, status=400)
    try:
        plan = plan_from(form, project)
        scheduling.check_plan(project, plan)
        conflicts = find_conflicts(project, plan, interview.id if interview else None)
        if conflicts and not form.save_anyway.data:
            return render_form(project, form, interview, conflicts, status=409)
        if interview is None:
            interview = scheduling.create_interview(project, plan, current_user)
        else:
            scheduling.update_interview(interview, plan, current_user)
    except scheduling.SchedulingError as error:
        form.local_time.errors = [*form.local_time.errors, str(error)]
        return render_form(project, form, interview, status=400)
    db.session.commit()
    flash("Interview saved." + (" It has warnings: see below." if conflicts else ""), "success")
    return redirect(url_for("interviews.interview_detail", project_id=project.id,
                            interview_id=interview.id))


@project_access("interviews.edit")
def interview_new(project: Project) -> tuple[str, int] | BaseResponse:
    form = InterviewForm()
    interview_form_choices(form, project, posted_place(form.place_id.data))
    if not form.is_submitted():
        fill_from_link(form, project)
        return render_form(project, form, None)
    return save(project, form, None)


@project_access("interviews.edit")
def interview_edit(project: Project, interview_id: int) -> tuple[str, int] | BaseResponse:
    interview = get_or_404(Interview, interview_id, project)
    form = InterviewForm(obj=interview)
    interview_form_choices(form, project, posted_place(form.place_id.data)
                           if form.is_submitted() else interview.place, interview)
    if not form.is_submitted():
        fill_form(form, interview)
        return render_form(project, form, interview)
    return save(project, form, interview)


@project_access("project.view")
def interview_detail(project: Project, interview_id: int) -> str:
    interview = get_or_404(Interview, interview_id, project)
    allowed, reason = recording_allowed(interview)
    rule = calendars.identity_rule(current_user)
    transitions = scheduling.TRANSITIONS[interview.status]
    status_form = StatusForm()
    status_form.status.choices = [c for c in status_form.status.choices if c.value in transitions]
    return render_template(
        "interviews/interview.html", project=project, interview=interview,
        slot=calendars.slots([interview], viewer_zone(), rule)[0],
        recording_ok=allowed, recording_reason=reason, status_form=status_form,
        show_identity=can("participants.identity", project),
        partnerships=sorted(interview.partnerships, key=lambda p: p.title),
        deleted_audio=audio_deletions(interview),
        transcripts_without_audio=transcripts_without_audio(interview),
    )


@project_access("interviews.edit")
def interview_status(project: Project, interview_id: int) -> BaseResponse:
    interview = get_or_404(Interview, interview_id, project)
    form = StatusForm()
    try:
        scheduling.change_status(interview, form.status.data or "", current_user,
                                 form.note.data or "")
    except scheduling.SchedulingError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"The interview is now {interview.status_label.lower()}.", "success")
    return redirect(url_for("interviews.interview_detail", project_id=project.id,
                            interview_id=interview.id))


@project_access("interviews.edit")
def interview_done(project: Project, interview_id: int) -> BaseResponse:
    """Offered once a recording of an interview not yet marked as held is uploaded."""
    interview = get_or_404(Interview, interview_id, project)
    try:
        scheduling.mark_done(interview, current_user, "A recording was uploaded.")
    except scheduling.SchedulingError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("The interview is now done.", "success")
    return redirect(url_for("interviews.interview_detail", project_id=project.id,
                            interview_id=interview.id))


@project_access("interviews.edit")
def interview_links(project: Project, interview_id: int) -> tuple[str, int] | BaseResponse:
    """What the interview is about (place, case study, partnerships): asked when its
    transcript is marked ready for coding without any, since the analyses by place and
    partnership cannot count it then. ?transcript_id= goes back to that transcript."""
    interview = get_or_404(Interview, interview_id, project)
    transcript_id = request.args.get("transcript_id", type=int)
    form = InterviewLinksForm(obj=interview)
    form.place_id.choices = place_choices(
        project, posted_place(form.place_id.data) if form.is_submitted() else interview.place)
    form.case_study_id.choices = case_study_choices(project)
    form.partnership_ids.choices = partnership_choices(project)
    if not form.is_submitted():
        form.place_id.data = str(interview.place_id or "")
        form.case_study_id.data = str(interview.case_study_id or "")
        form.partnership_ids.data = [str(p.id) for p in interview.partnerships]
    other = (form.other_place.data or "").strip() if form.is_submitted() else ""
    if other:
        try:
            place = typed_city(other)
        except PlaceError as error:
            form.other_place.errors = [str(error)]
        else:
            form.place_id.choices = place_choices(project, place)
            form.place_id.data = str(place.id)
    if not form.other_place.errors and form.validate_on_submit():
        try:
            scheduling.link_interview(
                interview, one(Place, form.place_id.data),
                one(CaseStudy, form.case_study_id.data),
                chosen(Partnership, form.partnership_ids.data, project), current_user)
        except scheduling.SchedulingError as error:
            form.case_study_id.errors = [str(error)]
        else:
            db.session.commit()
            flash("Links saved: the transcript counts in the analyses by place and partnership."
                  if scheduling.has_links(interview) else "Saved, still without links.",
                  "success" if scheduling.has_links(interview) else "warning")
            return redirect(back_from_links(project, interview, transcript_id))
    return render_template(
        "interviews/interview_links.html", project=project, interview=interview, form=form,
        back=back_from_links(project, interview, transcript_id),
    ), 400 if form.errors else 200


def back_from_links(project: Project, interview: Interview, transcript_id: int | None) -> str:
    if transcript_id:
        return url_for("transcripts.transcript_editor", project_id=project.id,
                       transcript_id=transcript_id)
    return url_for("interviews.interview_detail", project_id=project.id,
                   interview_id=interview.id)


@project_access("project.view")
def interview_ics(project: Project, interview_id: int) -> Response:
    interview = get_or_404(Interview, interview_id, project)
    body = calendars.calendar_bytes(
        [interview], calendars.identity_rule(current_user), f"Interview {interview.id}",
        lambda i: url_for("interviews.interview_detail", project_id=i.project_id,
                          interview_id=i.id, _external=True),
    )
    return Response(body, mimetype="text/calendar",
                    headers=attachment(f"interview-{interview.id}.ics"))


@project_access("project.manage")
def interview_settings(project: Project) -> tuple[str, int] | BaseResponse:
    settings = settings_for(project)
    form = SettingsForm(obj=settings, review_percent=round(settings.review_threshold * 100))
    form.transcription_model.choices = choices([(name, name) for name in installed_models()])
    if form.validate_on_submit():
        try:
            update_settings(
                project, pseudonym_pattern=form.pseudonym_pattern.data or "",
                buffer_minutes=form.buffer_minutes.data or 0,
                day_starts_hour=form.day_starts_hour.data or 0,
                day_ends_hour=form.day_ends_hour.data or 0,
                transcription_model=form.transcription_model.data or "base",
                transcription_language=form.transcription_language.data or "",
                translate_to_english=bool(form.translate_to_english.data),
                review_threshold=(form.review_percent.data / 100 if form.review_percent.data
                                  else settings.review_threshold),
            )
        except SettingsError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            flash("Interview settings saved.", "success")
            return redirect(url_for("interviews.interview_settings", project_id=project.id))
    return render_template("interviews/settings.html", project=project, form=form), (
        400 if form.errors else 200
    )
