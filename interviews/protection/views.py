"""Data protection pages: the retention rule with what is due and what was deleted,
applying a withdrawal, and the export of one participant."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from typing import IO

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from fieldwork.dbtypes import utcnow
from fieldwork.downloads import attachment
from fieldwork.extensions import db
from fieldwork.models import Project
from fieldwork.permissions import get_or_404, project_access
from fieldwork.storage import CHUNK_SIZE
from interviews.models import Participant
from interviews.protection import dossier, retention, withdrawal
from interviews.protection.forms import ApplyWithdrawalForm, RetentionForm


def retention_template(project: Project, form: RetentionForm) -> str:
    today = utcnow().date()
    rule = retention.rule_of(project)
    return render_template(
        "interviews/protection/retention.html", project=project, form=form, today=today,
        rule=retention.describe_rule(rule), soon_days=retention.SOON_DAYS,
        due=retention.due_recordings(project, today + timedelta(days=retention.SOON_DAYS)),
        deleted=retention.deleted_audio(project),
    )


@project_access("data.retention")
def retention_page(project: Project) -> tuple[str, int] | BaseResponse:
    form = RetentionForm(obj=retention.rule_of(project))
    if form.validate_on_submit():
        try:
            retention.update_rule(project, form.wish_days.data, form.default_days.data,
                                  current_user)
        except retention.RetentionError as error:
            form.wish_days.errors = [*form.wish_days.errors, str(error)]
        else:
            db.session.commit()
            flash("Retention rule saved.", "success")
            return redirect(url_for("protection.retention_page", project_id=project.id))
    return retention_template(project, form), 400 if form.errors else 200


@project_access("data.retention")
def retention_apply(project: Project) -> BaseResponse:
    deletions = retention.apply_retention(project, utcnow().date(), current_user)
    db.session.commit()
    flash(f"Audio of {len(deletions)} recording(s) deleted; their transcripts are kept."
          if deletions else "No audio is due for deletion today.", "success")
    return redirect(url_for("protection.retention_page", project_id=project.id))


@project_access("data.withdrawal")
def withdrawal_apply(project: Project, participant_id: int) -> tuple[str, int] | BaseResponse:
    participant = get_or_404(Participant, participant_id, project)
    form = ApplyWithdrawalForm()
    problem = ""
    if form.validate_on_submit():
        choice = withdrawal.WithdrawalChoice(form.transcripts.data or "", form.codings.data or "")
        try:
            application = withdrawal.apply_withdrawal(participant, choice, current_user)
        except withdrawal.WithdrawalError as error:
            problem = str(error)
        else:
            db.session.commit()
            flash(f"Withdrawal of {participant.pseudonym} applied: {application.summary}.",
                  "success")
            return redirect(url_for("interviews.participant_detail", project_id=project.id,
                                    participant_id=participant.id))
    interviews = withdrawal.interviews_of(participant)
    return render_template(
        "interviews/protection/withdrawal.html", project=project, participant=participant,
        form=form, problem=problem, interviews=interviews,
        recordings=withdrawal.recordings_of(interviews),
        transcripts=withdrawal.transcripts_of(interviews),
        application=withdrawal.application_of(participant),
    ), 400 if form.errors or problem else 200


def chunks_of(archive: IO[bytes]) -> Iterator[bytes]:
    """The file's bytes in chunks; closed (and so deleted) when sent or abandoned."""
    with archive:
        while chunk := archive.read(CHUNK_SIZE):
            yield chunk


@project_access("data.export")
def participant_export(project: Project, participant_id: int) -> Response:
    participant = get_or_404(Participant, participant_id, project)
    archive = dossier.export_participant(participant)
    db.session.commit()
    name = f"participant-{participant.pseudonym}-{utcnow():%Y%m%d}.zip"
    return Response(chunks_of(archive), mimetype="application/zip", headers={
        **attachment(name),
        "Content-Length": str(os.fstat(archive.fileno()).st_size),
    })
