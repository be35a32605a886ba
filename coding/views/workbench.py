"""The coding page's requests (JSON for static/js/coding.js): its data, applying, removing and
changing codings, in-vivo codes, memos on codings and review of moved codings."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort, g, jsonify, request
from flask_login import current_user
from sqlalchemy.orm import joinedload, load_only
from werkzeug.wrappers import Response

from coding import codings as logic
from coding.codebook import CodebookError
from coding.models import Coding, Source
from fieldwork.extensions import db
from fieldwork.models import Project
from fieldwork.permissions import get_or_404, project_access

REFUSED = 400
T = TypeVar("T")


def viewer(project: Project) -> logic.Viewer:
    """Who is looking, asked of the database once per request."""
    if "viewer" not in g:
        g.viewer = logic.viewer_in(project, current_user, g.project_role)
    return g.viewer


def refused(error: Exception) -> tuple[Response, int]:
    return jsonify(error=str(error)), REFUSED


def of_project(project: Project, found: T | None) -> T:
    """What a query found, if it is the project's; else a 404."""
    if found is None or found.project_id != project.id:  # type: ignore[attr-defined]
        abort(404)
    return found


def int_list(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


def body() -> dict[str, Any]:
    return request.get_json(silent=True) or {}


def integer(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise logic.CodingError("The request was incomplete; reload the page.")
    return value


def source_to_code(project: Project, source_id: int) -> Source:
    """The source with its text, without its paragraphs (decoding a transcript's 850 segments
    was half the time of applying a code)."""
    return of_project(project, db.session.scalar(
        db.select(Source).where(Source.id == source_id)
        .options(load_only(Source.project_id, Source.text, Source.text_version))))


@project_access("project.view")
def coding_data(project: Project, source_id: int) -> Response:
    source = of_project(project, db.session.scalar(
        db.select(Source).where(Source.id == source_id)
        .options(load_only(Source.project_id, Source.text_version))))
    args = request.args
    data = logic.page_data(project, source, viewer(project), args.get("mode", "everyone"),
                           args.get("a", type=int), args.get("b", type=int),
                           int_list(args.getlist("code")))
    return jsonify(data)


def visible_coding(project: Project, coding_id: int) -> Coding:
    """The coding with its memo, if this viewer may see it."""
    coding = of_project(project, db.session.scalar(
        db.select(Coding).where(Coding.id == coding_id).options(joinedload(Coding.memo))))
    if viewer(project).sees_only_own and coding.coder_id != current_user.id:
        abort(404)
    return coding


@project_access("project.view")
def coding_detail(project: Project, coding_id: int) -> Response:
    return jsonify(logic.coding_payload(visible_coding(project, coding_id)))


@project_access("coding.edit")
def coding_apply(project: Project, source_id: int) -> Response | tuple[Response, int]:
    source = source_to_code(project, source_id)
    data = body()
    try:
        codes = data.get("codes")
        if not isinstance(codes, list) or not all(isinstance(c, int) for c in codes):
            raise logic.CodingError("Choose at least one code.")
        made = logic.apply_codes(source, codes, integer(data, "start"), integer(data, "end"),
                                 integer(data, "textVersion"), current_user,
                                 str(data.get("memo") or ""))
    except logic.CodingError as error:
        return refused(error)
    payloads = [logic.coding_payload(coding) for coding in made]
    db.session.commit()
    return jsonify(codings=payloads)


@project_access("codebook.edit")
def coding_in_vivo(project: Project, source_id: int) -> Response | tuple[Response, int]:
    source = get_or_404(Source, source_id, project)
    data = body()
    try:
        coding = logic.in_vivo_code(source, integer(data, "start"), integer(data, "end"),
                                    integer(data, "textVersion"), current_user)
    except (logic.CodingError, CodebookError) as error:
        return refused(error)
    payload = logic.coding_payload(coding)
    db.session.commit()
    code = coding.code
    return jsonify(coding=payload,
                   code={"id": code.id, "name": code.name, "path": code.name, "depth": 0,
                         "colour": code.colour, "shortcut": "", "archived": False})


@project_access("coding.edit")
def coding_remove(project: Project, coding_id: int) -> Response | tuple[Response, int]:
    coding = visible_coding(project, coding_id)
    try:
        undo = logic.remove_coding(coding, viewer(project))
    except logic.CodingError as error:
        return refused(error)
    db.session.commit()
    return jsonify(removed=coding_id, undo=undo)


@project_access("coding.edit")
def coding_change(project: Project, coding_id: int) -> Response | tuple[Response, int]:
    coding = visible_coding(project, coding_id)
    try:
        before = coding.code_id
        logic.change_code(coding, integer(body(), "code"), viewer(project))
    except logic.CodingError as error:
        return refused(error)
    payload = logic.coding_payload(coding)
    db.session.commit()
    return jsonify(coding=payload, before=before)


@project_access("coding.edit")
def coding_memo(project: Project, coding_id: int) -> Response | tuple[Response, int]:
    coding = visible_coding(project, coding_id)
    try:
        logic.check_may_change(coding, viewer(project))
    except logic.CodingError as error:
        return refused(error)
    logic.set_coding_memo(coding, str(body().get("memo") or ""), current_user)
    payload = logic.coding_payload(coding)
    db.session.commit()
    return jsonify(coding=payload)


@project_access("coding.edit")
def coding_reviewed(project: Project, coding_id: int) -> Response | tuple[Response, int]:
    coding = visible_coding(project, coding_id)
    try:
        logic.mark_reviewed(coding, viewer(project))
    except logic.CodingError as error:
        return refused(error)
    payload = logic.coding_payload(coding)
    db.session.commit()
    return jsonify(coding=payload)
