"""The coding page's suggestion requests (JSON for static/js/suggestions.js): ask for code
suggestions on a source (a background task), list them, accept or reject one, and find
passages like a selected one or a coding."""

from __future__ import annotations

from flask import current_app, g, jsonify, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from coding import codings as logic
from coding import tasks
from coding.codebook import project_codes
from coding.models import CodeSuggestion, Coding, Source
from coding.suggestions import store
from coding.suggestions.naming import model_in_use
from coding.views.workbench import body, refused, visible_coding
from fieldwork.background import status, submit
from fieldwork.extensions import db
from fieldwork.models import BackgroundTask, Project
from fieldwork.permissions import get_or_404, project_access


def viewer(project: Project) -> logic.Viewer:
    return logic.viewer_in(project, current_user, g.project_role)


@project_access("coding.edit")
def suggestions_start(project: Project, source_id: int) -> Response:
    source = get_or_404(Source, source_id, project)
    scope = str(body().get("scope") or "all")
    task = tasks.queue_suggestions(project, source, current_user,
                                   scope if scope in store.SCOPES else "all")
    db.session.commit()
    submit(task)
    return jsonify(task=task.id, url=url_for("coding.suggestions_list", project_id=project.id,
                                             source_id=source.id, task=task.id))


def task_state(project: Project, task_id: int | None) -> tuple[str, str]:
    """The suggestion task's state, and its error in words when it failed."""
    if task_id is None:
        return "done", ""
    task = get_or_404(BackgroundTask, task_id, project)
    if task.kind != tasks.SUGGEST or task.user_id != current_user.id:
        return "done", ""
    return status.state_of(task), task.error or ""


@project_access("coding.edit")
def suggestions_list(project: Project, source_id: int) -> Response:
    source = get_or_404(Source, source_id, project)
    state, error = task_state(project, request.args.get("task", type=int))
    pending = store.pending_suggestions(source, current_user) if state == "done" else []
    codes = [{"id": c.id, "name": c.name} for c in project_codes(project, include_archived=False)]
    model, licence = model_in_use(current_app.config["SUGGESTION_MODEL"])
    return jsonify(state=state, error=error, model=model, licence=licence,
                   codes=codes, suggestions=[store.suggestion_payload(s) for s in pending])


def own_suggestion(project: Project, suggestion_id: int) -> CodeSuggestion:
    return get_or_404(CodeSuggestion, suggestion_id, project)


@project_access("coding.edit")
def suggestion_accept(project: Project, suggestion_id: int) -> Response | tuple[Response, int]:
    suggestion = own_suggestion(project, suggestion_id)
    try:
        accepted = store.accept(suggestion, current_user)
    except logic.CodingError as error:
        return refused(error)
    payload = logic.coding_payload(accepted.coding)
    db.session.commit()
    return jsonify(coding=payload, byHand=accepted.by_hand)


@project_access("coding.edit")
def suggestion_reject(project: Project, suggestion_id: int) -> Response | tuple[Response, int]:
    suggestion = own_suggestion(project, suggestion_id)
    try:
        store.reject(suggestion, current_user)
    except logic.CodingError as error:
        return refused(error)
    db.session.commit()
    return jsonify(rejected=suggestion_id)


def query_passage(project: Project) -> tuple[str, tuple[int, int, int]]:
    """The text to look for: a coding's words (?coding=) or a source's (?source=&start=&end=)."""
    args = request.args
    coding_id = args.get("coding", type=int)
    if coding_id is not None:
        coding: Coding = visible_coding(project, coding_id)
        source = db.session.get(Source, coding.source_id)
        start, end = coding.start, coding.end
    else:
        source_id = args.get("source", type=int)
        if source_id is None:
            raise logic.CodingError("Select some words, or open a coding, to find passages "
                                    "like it.")
        source = get_or_404(Source, source_id, project)
        start, end = args.get("start", 0, type=int), args.get("end", 0, type=int)
    if not 0 <= start < end <= len(source.text):
        raise logic.CodingError("Select some words, or open a coding, to find passages like it.")
    return source.text[start:end], (source.id, start, end)


@project_access("project.view")
def passages_like(project: Project) -> Response | tuple[Response, int]:
    try:
        text, where = query_passage(project)
    except logic.CodingError as error:
        return refused(error)
    from coding.suggestions import similar  # numpy on first use, not in every web process

    found = similar.passages_like(project, viewer(project), text, where)
    if not found:
        return refused(logic.CodingError("Select a longer passage (three words or more) to "
                                         "find passages like it."))
    versions = dict(db.session.execute(db.select(Source.id, Source.text_version).where(
        Source.id.in_({f.passage.source_id for f in found}))).all())
    return jsonify(passages=[{
        "source": f.passage.source_id, "title": f.title, "start": f.passage.start,
        "end": f.passage.end, "text": f.passage.text, "similarity": round(f.similarity, 3),
        "codes": f.codes, "textVersion": versions[f.passage.source_id],
        "url": url_for("coding.source_code", project_id=project.id,
                       source_id=f.passage.source_id, at=f.passage.start),
        "applyUrl": url_for("coding.coding_apply", project_id=project.id,
                            source_id=f.passage.source_id)} for f in found])
