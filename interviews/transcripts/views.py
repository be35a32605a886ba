"""Transcript pages: the list, the editor and its one save endpoint, versions, exports, and
the English version's translation."""

from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from fieldwork.downloads import attachment
from fieldwork.extensions import db
from fieldwork.models import Project
from fieldwork.permissions import get_or_404, project_access
from interviews.asr.languages import language_name
from interviews.recordings.models import Recording
from interviews.recordings.tasks import transcribe_recording
from interviews.recordings.transcription import JobError
from interviews.recordings.translation import queue_translation
from interviews.transcripts import editing, exports, reliability
from interviews.transcripts.models import FLAG_LABELS, STATUSES, Transcript, TranscriptVersion
from interviews.transcripts.translations import (
    machine_translation_note,
    out_of_step,
    why_not_translatable,
)


@project_access("project.view")
def transcript_list(project: Project) -> str:
    """The project's transcripts by interview, or (sort=review) the least trustworthy first."""
    transcripts = list(db.session.scalars(
        db.select(Transcript).where(Transcript.project_id == project.id)
        .order_by(Transcript.interview_id, Transcript.id)
    ))
    sort = request.args.get("sort", "")
    if sort == "review":
        transcripts.sort(key=lambda t: reliability.standing(t).sort_key, reverse=True)
    return render_template("interviews/transcripts/list.html", project=project,
                           transcripts=transcripts, statuses=STATUSES, sort=sort)


@project_access("project.view")
def transcript_editor(project: Project, transcript_id: int) -> str:
    transcript = get_or_404(Transcript, transcript_id, project)
    recording = db.session.get(Recording, transcript.audio_recording_id or 0)
    translation_job = recording.latest_translation_job if recording is not None else None
    return render_template(
        "interviews/transcripts/editor.html", project=project, transcript=transcript,
        recording=recording, interview=transcript.interview, statuses=STATUSES,
        flag_labels=FLAG_LABELS, standing=reliability.standing(transcript),
        uncertain=reliability.uncertain_worst_first(transcript),
        job=(translation_job if transcript.is_translation
             else recording.latest_job if recording is not None else None),
        translation_job=translation_job,
        why_not_translatable=why_not_translatable(transcript.translation_of or transcript),
        out_of_step=out_of_step(transcript),
        language_name=language_name,
        machine_translation_note=machine_translation_note,
        label_suggestions=[
            "Interviewer", *(p.pseudonym for p in transcript.interview.participants)
        ],
    )


@project_access("transcripts.edit")
def transcript_translate(project: Project, transcript_id: int) -> BaseResponse:
    """Queue the making (again) of the English version of a transcript, or of the original
    an English version translates."""
    transcript = get_or_404(Transcript, transcript_id, project)
    try:
        job = queue_translation(transcript.translation_of or transcript, current_user)
    except JobError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        transcribe_recording(job.id)
        flash("English version queued: it is made segment by segment in the background. "
              "Its text so far is kept as a version.", "success")
    return redirect(url_for("transcripts.transcript_editor", project_id=project.id,
                            transcript_id=transcript.id))


def typed_edits() -> dict[int, editing.SegmentEdit]:
    """The texts and speakers in the editor's form, by segment id."""
    edits = {}
    for key, text in request.form.items():
        if key.startswith("text-") and key[5:].isdigit():
            segment_id = int(key[5:])
            speaker = request.form.get(f"speaker-{segment_id}", "")
            edits[segment_id] = editing.SegmentEdit(text=text, speaker=speaker)
    return edits


def cursor_position() -> int | None:
    value = request.form.get("split_at", "")
    return int(value) if value.isdigit() else None


def counted(number: int, noun: str) -> str:
    """E.g. "1 segment", "3 segments"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def perform(transcript: Transcript, action: str) -> str:
    """Do the editor's action (after the typed edits); return what it did, in words."""
    name, _, argument = action.partition(":")
    form = request.form
    if name == "split" and argument.isdigit():
        editing.split_segment(transcript, editing.find_segment(transcript, int(argument)),
                              cursor_position())
        return "Split a segment"
    if name == "merge" and argument.isdigit():
        editing.merge_with_next(transcript, editing.find_segment(transcript, int(argument)))
        return "Merged two segments"
    if name == "relabel":
        old, new = form.get("old_label", ""), form.get("new_label", "")
        count = editing.relabel(transcript, old, new)
        return f"Relabelled {old} as {' '.join(new.split())} ({counted(count, 'segment')})"
    if name == "replace":
        find, replacement = form.get("find", ""), form.get("replace_with", "")
        count = editing.find_replace(transcript, find, replacement, bool(form.get("match_case")))
        return f"Replaced “{find}” with “{replacement}” ({counted(count, 'time')})"
    if name == "status" and argument in STATUSES:
        editing.set_status(transcript, argument, current_user)
        return f"Marked {STATUSES[argument].lower()}"
    return "Saved corrections"


@project_access("transcripts.edit")
def transcript_save(project: Project, transcript_id: int) -> BaseResponse:
    transcript = get_or_404(Transcript, transcript_id, project)
    try:
        changed = editing.apply_edits(transcript, typed_edits(), current_user)
        summary = perform(transcript, request.form.get("action", "save"))
    except editing.EditError as error:
        db.session.rollback()
        flash(f"{error} Nothing was saved.", "error")
        return redirect(url_for("transcripts.transcript_editor", project_id=project.id,
                                transcript_id=transcript.id))
    if changed and summary != "Saved corrections":
        summary = f"{summary}; corrected {counted(changed, 'segment')}"
    elif changed:
        summary = f"Corrected {counted(changed, 'segment')}"
    editing.save_version(transcript, current_user, summary)
    db.session.commit()
    flash(f"{summary}. Saved as a new version.", "success")
    anchor = request.form.get("anchor", "")
    return redirect(url_for("transcripts.transcript_editor", project_id=project.id,
                            transcript_id=transcript.id) + (f"#{anchor}" if anchor else ""))


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def standing_payload(transcript: Transcript) -> dict[str, object]:
    found = reliability.standing(transcript)
    return {"needs_review": found.needs_review, "summary": found.summary(),
            "label": found.label, "estimated_word_error": found.estimate,
            "checked_share": found.checked_share}


@project_access("transcripts.check")
def transcript_check(project: Project, transcript_id: int) -> BaseResponse:
    """Mark segments checked by a person (the editor's key, or its button)."""
    transcript = get_or_404(Transcript, transcript_id, project)
    ids = [int(value) for value in request.form.getlist("segment") if value.isdigit()]
    segments = reliability.segments_by_id(transcript, ids)
    if not segments:
        message = "That segment is no longer in the transcript; reload the page."
        if wants_json():
            return jsonify(error=message), 400
        flash(message, "error")
    else:
        count = reliability.mark_checked(transcript, segments, current_user)
        db.session.commit()
        if wants_json():
            return jsonify(checked=[s.id for s in segments], newly=count,
                           **standing_payload(transcript))
        flash(f"Marked {counted(len(segments), 'segment')} checked.", "success")
    return redirect(url_for("transcripts.transcript_editor", project_id=project.id,
                            transcript_id=transcript.id)
                    + (f"#seg-{segments[0].id}" if segments else ""))


@project_access("project.view")
def transcript_versions(project: Project, transcript_id: int) -> str:
    transcript = get_or_404(Transcript, transcript_id, project)
    by_number = {version.number: version for version in transcript.versions}
    older = by_number.get(request.args.get("a", type=int) or 0)
    newer = by_number.get(request.args.get("b", type=int) or 0)
    diff = editing.compare_versions(older, newer) if older and newer else ""
    return render_template("interviews/transcripts/versions.html", project=project,
                           transcript=transcript, older=older, newer=newer, diff=diff)


def load_version(transcript: Transcript, version_id: int) -> TranscriptVersion:
    version = db.session.get(TranscriptVersion, version_id)
    if version is None or version.transcript_id != transcript.id:
        abort(404)
    return version


@project_access("project.view")
def version_detail(project: Project, transcript_id: int, version_id: int) -> str:
    transcript = get_or_404(Transcript, transcript_id, project)
    version = load_version(transcript, version_id)
    return render_template("interviews/transcripts/version.html", project=project,
                           transcript=transcript, version=version,
                           lines=editing.snapshot_lines(version.snapshot))


@project_access("transcripts.edit")
def version_restore(project: Project, transcript_id: int, version_id: int) -> BaseResponse:
    transcript = get_or_404(Transcript, transcript_id, project)
    version = load_version(transcript, version_id)
    editing.restore_version(transcript, version, current_user)
    db.session.commit()
    flash(f"Version {version.number} restored; the text before it is kept as a version too.",
          "success")
    return redirect(url_for("transcripts.transcript_editor", project_id=project.id,
                            transcript_id=transcript.id))


@project_access("project.view")
def transcript_export(project: Project, transcript_id: int) -> Response:
    transcript = get_or_404(Transcript, transcript_id, project)
    fmt = request.args.get("format", "txt")
    if fmt not in exports.FORMATS:
        abort(404)
    mimetype = exports.FORMATS[fmt][0]
    name = exports.filename(transcript, fmt)
    return Response(exports.export(transcript, fmt, current_user.name), mimetype=mimetype,
                    headers=attachment(name))
