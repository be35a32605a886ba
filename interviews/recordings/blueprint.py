"""The recordings feature's URL table and its Feature declaration."""

from __future__ import annotations

from flask import Blueprint

from fieldwork.features import Feature, NavItem
from interviews.asr.commands import asr_cli, models_cli
from interviews.blueprint import INTERVIEWS_GROUP
from interviews.recordings import views

bp = Blueprint("recordings", __name__)
P = "/projects/<int:project_id>"
POST = ["POST"]

bp.add_url_rule(f"{P}/interviews/<int:interview_id>/recordings", view_func=views.interview_panel)
bp.add_url_rule(f"{P}/interviews/<int:interview_id>/uploads", view_func=views.upload_start,
                methods=POST)
bp.add_url_rule(f"{P}/uploads/<upload_id>", view_func=views.upload_status)
bp.add_url_rule(f"{P}/uploads/<upload_id>", view_func=views.upload_chunk, methods=POST,
                endpoint="upload_chunk")
bp.add_url_rule(f"{P}/uploads/<upload_id>/finish", view_func=views.upload_finish, methods=POST)
bp.add_url_rule(f"{P}/recordings/<int:recording_id>/audio", view_func=views.recording_audio)
bp.add_url_rule(f"{P}/recordings/<int:recording_id>/transcribe",
                view_func=views.recording_transcribe, methods=["GET", "POST"])
bp.add_url_rule(f"{P}/transcription/", view_func=views.job_queue)
bp.add_url_rule(f"{P}/transcription/rows", view_func=views.job_rows)
bp.add_url_rule(f"{P}/transcription/expectation", view_func=views.expectation)
bp.add_url_rule(f"{P}/transcription/<int:job_id>/cancel", view_func=views.job_cancel,
                methods=POST)
bp.add_url_rule(f"{P}/transcription/<int:job_id>/retry", view_func=views.job_retry,
                methods=POST)

feature = Feature(
    name="recordings",
    blueprint=bp,
    nav=(NavItem("Transcription", "recordings.job_queue", "project.view", INTERVIEWS_GROUP),),
    commands=(asr_cli, models_cli),
)
