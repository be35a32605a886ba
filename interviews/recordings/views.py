"""Recording pages: the resumable upload (JSON for upload.js), audio for the player,
transcription options, and the transcription queue with cancel and retry."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from fieldwork.extensions import db
from fieldwork.forms import choices
from fieldwork.models import Project
from fieldwork.permissions import get_or_404, project_access
from fieldwork.storage import file_store
from interviews.asr.offered import installed_models
from interviews.models import Interview
from interviews.participants import recording_allowed
from interviews.recordings import expecting, speakers, transcription, uploads
from interviews.recordings.forms import TranscribeForm
from interviews.recordings.models import Recording, TranscriptionJob
from interviews.recordings.streaming import audio_response
from interviews.recordings.tasks import make_playback, transcribe_recording
from interviews.transcripts.models import Transcript

JSON_ERROR = 400


def interview_recordings(interview: Interview) -> list[Recording]:
    return list(db.session.scalars(
        db.select(Recording).where(Recording.interview_id == interview.id).order_by(Recording.part)
    ))


def transcripts_by_recording(recordings: list[Recording]) -> dict[int, Transcript]:
    ids = [recording.id for recording in recordings]
    if not ids:
        return {}
    found = db.session.scalars(db.select(Transcript).where(Transcript.recording_id.in_(ids)))
    return {transcript.recording_id: transcript for transcript in found}


@project_access("project.view")
def interview_panel(project: Project, interview_id: int) -> str:
    """The interview's recordings and their transcriptions; polls itself while a job runs."""
    interview = get_or_404(Interview, interview_id, project)
    recordings = interview_recordings(interview)
    return render_template(
        "interviews/recordings/_list.html", project=project, interview=interview,
        recordings=recordings, transcripts=transcripts_by_recording(recordings),
        polling=any(job and not job.finished for r in recordings
                    for job in (r.latest_job, r.latest_translation_job)),
    )


def minutes_and_seconds(seconds: float) -> str:
    """A recording's length as the recordings table shows it, e.g. 83:05."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02}"


def chunk_size() -> int:
    limit = request.max_content_length or uploads.CLIENT_CHUNK_BYTES
    return min(uploads.CLIENT_CHUNK_BYTES, max(limit - 64 * 1024, 64 * 1024))


def upload_state(project: Project, upload: uploads.Upload) -> dict[str, object]:
    return {
        "upload_id": upload.id, "offset": upload.received, "size": upload.size,
        "chunk_size": chunk_size(),
        "url": url_for("recordings.upload_chunk", project_id=project.id, upload_id=upload.id),
        "finish_url": url_for("recordings.upload_finish", project_id=project.id,
                              upload_id=upload.id),
    }


@project_access("recordings.upload")
def upload_start(project: Project, interview_id: int) -> tuple[Response, int]:
    interview = get_or_404(Interview, interview_id, project)
    data = request.get_json(silent=True) or {}
    try:
        size = int(data.get("size") or 0)
        upload = uploads.start_upload(interview, current_user, str(data.get("filename") or ""),
                                      size)
    except (uploads.UploadError, ValueError) as error:
        return jsonify(error=str(error)), JSON_ERROR
    return jsonify(upload_state(project, upload)), 201


def load_upload(project: Project, upload_id: str) -> uploads.Upload:
    upload = uploads.find_upload(upload_id, project)
    if upload is None:
        abort(404)
    return upload


@project_access("recordings.upload")
def upload_status(project: Project, upload_id: str) -> Response:
    """How many bytes arrived: where a resumed upload continues."""
    return jsonify(upload_state(project, load_upload(project, upload_id)))


@project_access("recordings.upload")
def upload_chunk(project: Project, upload_id: str) -> tuple[Response, int]:
    upload = load_upload(project, upload_id)
    offset = request.args.get("offset", "")
    if not offset.isdigit():
        return jsonify(error="Say where the chunk starts (offset).",
                       offset=upload.received), JSON_ERROR
    try:
        received = uploads.append_chunk(upload, int(offset), request.stream)
    except uploads.OffsetMismatch as error:
        return jsonify(error=str(error), offset=error.offset), 409
    except uploads.UploadError as error:
        return jsonify(error=str(error), offset=upload.received), JSON_ERROR
    return jsonify(offset=received, size=upload.size), 200


@project_access("recordings.upload")
def upload_finish(project: Project, upload_id: str) -> tuple[Response, int]:
    upload = load_upload(project, upload_id)
    interview = get_or_404(Interview, upload.interview_id, project)
    allowed, reason = recording_allowed(interview)
    if not allowed:
        uploads.discard_upload(upload)
        return jsonify(error=f"This interview may not be recorded: {reason}"), JSON_ERROR
    try:
        finished = uploads.finish_upload(upload, interview)
    except uploads.UploadError as error:
        return jsonify(error=str(error)), JSON_ERROR
    recording = finished.recording
    if finished.duplicate:
        return jsonify(
            duplicate=True, sha256=finished.sha256, recording_id=recording.id,
            message=f"This file is already part {recording.part} of this interview "
                    "(same checksum); it was kept once.",
        ), 200
    options = transcription.default_options(interview)
    job = transcription.queue_job(recording, options, current_user)
    db.session.commit()
    make_playback(recording.id)
    transcribe_recording(job.id)
    return jsonify(
        duplicate=False, sha256=finished.sha256, recording_id=recording.id,
        message=f"Part {recording.part} uploaded: {minutes_and_seconds(recording.duration_s)} "
                f"long, {recording.channels} channel{'s' if recording.channels != 1 else ''}; "
                "transcription queued."
                + expecting.upload_warning(options["language"], options["model"],
                                           installed_models()),
    ), 201


@project_access("project.view")
def recording_audio(project: Project, recording_id: int) -> Response:
    """The playback copy (the original until the copy is made), with Range support."""
    recording = get_or_404(Recording, recording_id, project)
    stored = recording.playback_file or recording.stored_file
    path = file_store().blob_path(stored.sha256)
    if not path.exists():
        abort(404)
    return audio_response(request, path, stored.filename, stored.sha256)


@project_access("transcripts.edit")
def recording_transcribe(project: Project, recording_id: int) -> str | Response:
    recording = get_or_404(Recording, recording_id, project)
    interview = get_or_404(Interview, recording.interview_id, project)
    form = TranscribeForm()
    form.model.choices = choices([(name, name) for name in installed_models()])
    if not form.is_submitted():
        previous = recording.latest_job
        form.fill(previous.options if previous else transcription.default_options(interview))
    elif form.validate():
        try:
            job = transcription.queue_job(recording, form.options(), current_user)
        except transcription.JobError as error:
            form.model.errors = [str(error)]
        else:
            db.session.commit()
            transcribe_recording(job.id)
            flash("Transcription queued.", "success")
            return redirect(url_for("recordings.job_queue", project_id=project.id))
    return render_template("interviews/recordings/transcribe.html", project=project,
                           recording=recording, interview=interview, form=form,
                           speakers_note=speakers.unavailable_note(),
                           advice=expecting.advice(form.language.data, form.model.data or "",
                                                   installed_models()))


@project_access("project.view")
def expectation(project: Project) -> str:
    """What to expect of a language and model (the transcription page asks as they change)."""
    return render_template("interviews/recordings/_expectation.html", advice=expecting.advice(
        request.args.get("language", ""), request.args.get("model", ""), installed_models()))


def queue_page(project: Project, template: str) -> str:
    jobs = transcription.project_jobs(project)
    transcripts = transcripts_by_recording(list({job.recording for job in jobs}))
    return render_template(template, project=project, jobs=jobs, transcripts=transcripts)


@project_access("project.view")
def job_queue(project: Project) -> str:
    return queue_page(project, "interviews/recordings/queue.html")


@project_access("project.view")
def job_rows(project: Project) -> str:
    return queue_page(project, "interviews/recordings/_queue_rows.html")


def back_to(project: Project) -> Response:
    target = request.form.get("next", "")
    if target.startswith(f"/projects/{project.id}/"):
        return redirect(target)
    return redirect(url_for("recordings.job_queue", project_id=project.id))


@project_access("transcripts.edit")
def job_cancel(project: Project, job_id: int) -> Response:
    job = get_or_404(TranscriptionJob, job_id, project)
    try:
        transcription.cancel_job(job, current_user)
    except transcription.JobError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("Cancelled." if job.state == "cancelled" else
              "The job stops after the segment it is working on.", "success")
    return back_to(project)


@project_access("transcripts.edit")
def job_retry(project: Project, job_id: int) -> Response:
    job = get_or_404(TranscriptionJob, job_id, project)
    try:
        again = transcription.retry_job(job, current_user)
    except transcription.JobError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        transcribe_recording(again.id)
        flash("Queued again.", "success")
    return back_to(project)
