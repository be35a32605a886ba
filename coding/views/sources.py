"""Source pages: the list, adding transcripts and documents, details, links and text."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from casestudies.models import CaseStudy, Partnership, PartnershipDocument, Place
from casestudies.places import PlaceError, resolve_typed_place
from coding import omissions
from coding import sources as logic
from coding.codings import project_coders, visible_coder
from coding.extraction import DOCUMENT_TYPES, ExtractionError
from coding.forms import DocumentForm, SourceDetailsForm, SourceTextForm
from coding.models import Coding, Source
from coding.retrieval import source_facets
from coding.source_html import paragraphs_html
from fieldwork.extensions import db
from fieldwork.forms import choices
from fieldwork.models import Project
from fieldwork.permissions import get_or_404, project_access
from fieldwork.storage import download_response
from interviews.transcripts.editing import transcripts_ready_for_coding
from interviews.transcripts.models import Transcript


@project_access("project.view")
def source_list(project: Project) -> str:
    return render_template("coding/sources.html", project=project, **list_context(project),
                           form=DocumentForm())


def left_out_sources(project: Project, sources: list[Source]) -> tuple[list[Source], str]:
    """With ?missing=…, only the coded sources an analysis said it leaves out, and what they
    lack, in words: those linked to no place or partnership ("links"), or without a value
    for a matrix's columns (a dimension, and the attribute's name)."""
    what = request.args.get("missing", "")
    attribute = request.args.get("attribute", "")
    if what != omissions.LINKS and what not in omissions.MATRIX_GAPS:
        return sources, ""
    kept = set(omissions.coded_among(
        project, omissions.sources_missing(source_facets(project), what, attribute),
        visible_coder(project, current_user, g.project_role)))
    return ([s for s in sources if s.id in kept],
            f"Coded sources that {omissions.lack(what, attribute)}")


def list_context(project: Project) -> dict:
    sources = logic.project_sources(project)
    shown, missing = left_out_sources(project, sources)
    counts = dict(db.session.execute(
        db.select(Coding.source_id, db.func.count()).where(Coding.project_id == project.id)
        .group_by(Coding.source_id)).all())
    made = {s.transcript_id for s in sources}
    waiting = [t for t in transcripts_ready_for_coding(project) if t.id not in made]
    documents = list(db.session.scalars(
        db.select(PartnershipDocument).join(Partnership)
        .where(Partnership.project_id == project.id,
               PartnershipDocument.file_id.not_in([s.file_id for s in sources if s.file_id]))))
    return {"sources": shown, "counts": counts, "waiting": waiting, "missing": missing,
            "partnership_documents": documents, "document_types": DOCUMENT_TYPES}


@project_access("sources.edit")
def source_from_transcript(project: Project, transcript_id: int) -> Response:
    transcript = get_or_404(Transcript, transcript_id, project)
    source = logic.add_transcript_source(transcript, current_user)
    db.session.commit()
    flash(f"“{source.title}” is ready to code.", "success")
    return redirect(url_for("coding.source_code", project_id=project.id, source_id=source.id))


@project_access("sources.edit")
def source_from_partnership_document(project: Project, partnership_document_id: int) -> Response:
    document = db.session.get(PartnershipDocument, partnership_document_id)
    if document is None or document.partnership.project_id != project.id:
        return redirect(url_for("coding.source_list", project_id=project.id))
    try:
        source = logic.add_partnership_document_source(project, document, current_user)
    except (ExtractionError, logic.SourceError) as error:
        flash(str(error), "error")
        return redirect(url_for("coding.source_list", project_id=project.id))
    db.session.commit()
    flash(f"“{source.title}” is ready to code.", "success")
    return redirect(url_for("coding.source_code", project_id=project.id, source_id=source.id))


@project_access("sources.edit")
def source_add_document(project: Project) -> tuple[str, int] | Response:
    form = DocumentForm()
    upload = request.files.get("document")
    error = "Choose a document to add." if not upload or not upload.filename else ""
    if not error:
        try:
            data = logic.read_document(upload.stream, upload.filename)
            source = logic.add_document_source(project, upload.filename, data,
                                               form.title.data or "", current_user)
        except (ExtractionError, logic.SourceError) as failure:
            error = str(failure)
    if error:
        form.document.errors = [error]
        return render_template("coding/sources.html", project=project, form=form,
                               **list_context(project)), 400
    db.session.commit()
    flash(f"“{source.title}” added: {len(source.text):,} characters in "
          f"{len(source.paragraphs)} paragraphs.", "success")
    return redirect(url_for("coding.source_code", project_id=project.id, source_id=source.id))


@project_access("project.view")
def source_file(project: Project, source_id: int) -> Response:
    source = get_or_404(Source, source_id, project)
    if source.file is None:
        return redirect(url_for("coding.source_code", project_id=project.id, source_id=source.id))
    return download_response(source.file)


def details_choices(project: Project, form: SourceDetailsForm, source: Source) -> None:
    studies = db.session.scalars(db.select(CaseStudy).where(CaseStudy.project_id == project.id))
    form.case_study.choices = choices([("", "None")] + [(str(s.id), s.title) for s in studies])
    chosen = set(form.places.data or []) | {p.id for p in source.places}
    form.places.choices = choices([(p.id, p.display_name) for p in db.session.scalars(
        db.select(Place).where(Place.id.in_(chosen)).order_by(Place.name))])
    form.partnerships.choices = choices([(p.id, p.title) for p in db.session.scalars(
        db.select(Partnership).where(Partnership.project_id == project.id))])


def parse_attributes(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    pairs, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            errors.append(f"Line {number} (“{line.strip()[:40]}”) is not “name: value”.")
        else:
            pairs.append((name, value))
    return pairs, errors


@project_access("sources.edit")
def source_details(project: Project, source_id: int) -> tuple[str, int] | Response:
    source = get_or_404(Source, source_id, project)
    form = SourceDetailsForm(obj=source)
    if not form.is_submitted():
        form.case_study.data = str(source.case_study_id or "")
        form.places.data = [p.id for p in source.places]
        form.partnerships.data = [p.id for p in source.partnerships]
        form.attributes.data = "\n".join(f"{k}: {v}" for k, v in source.attributes.items())
    details_choices(project, form, source)
    if form.validate_on_submit():
        pairs, errors = parse_attributes(form.attributes.data or "")
        form.attributes.errors = errors
        if not errors:
            try:
                place_ids = list(form.places.data or [])
                if (form.add_place.data or "").strip():
                    place_ids.append(resolve_typed_place(form.add_place.data).id)
                source.title = logic.check_title(form.title.data or "")
                logic.set_links(source, place_ids, form.partnerships.data or [],
                                int(form.case_study.data) if form.case_study.data else None)
                logic.set_attributes(source, pairs)
            except PlaceError as error:
                form.add_place.errors = [str(error)]
            except logic.SourceError as error:
                form.title.errors = [*form.title.errors, str(error)]
            else:
                db.session.commit()
                flash("Source details saved.", "success")
                return redirect(url_for("coding.source_code", project_id=project.id,
                                        source_id=source.id))
    return render_template("coding/source_details.html", project=project, source=source,
                           form=form, links=logic.links_of(source)), 400 if form.errors else 200


@project_access("sources.edit")
def source_text(project: Project, source_id: int) -> tuple[str, int] | Response:
    source = get_or_404(Source, source_id, project)
    if source.kind != "document":
        flash("A transcript's text is corrected in the transcript editor; the codings follow.",
              "info")
        return redirect(url_for("transcripts.transcript_editor", project_id=project.id,
                                transcript_id=source.transcript_id))
    form = SourceTextForm(obj=source)
    if form.validate_on_submit():
        try:
            flagged = logic.edit_document_text(source, form.text.data or "", current_user)
        except logic.SourceError as error:
            form.text.errors = [*form.text.errors, str(error)]
        else:
            db.session.commit()
            message = "Text saved; every coding stays on its words."
            if flagged:
                message += (f" {len(flagged)} coding(s) lost most of their words and are "
                            "marked for review.")
            flash(message, "warning" if flagged else "success")
            return redirect(url_for("coding.source_code", project_id=project.id,
                                    source_id=source.id))
    return render_template("coding/source_text.html", project=project, source=source,
                           form=form), 400 if form.errors else 200


@project_access("project.view")
def source_code(project: Project, source_id: int) -> str:
    """The coding page: the text with its codings, drawn by static/js/coding.js."""
    source = get_or_404(Source, source_id, project)
    playback = playback_url(project, source)
    return render_template("coding/code.html", project=project, source=source,
                           links=logic.links_of(source), coders=project_coders(project),
                           playback=playback, paragraphs=paragraphs_html(source, bool(playback)))


def playback_url(project: Project, source: Source) -> str:
    transcript = source.transcript
    if transcript is None or transcript.recording_id is None:
        return ""
    return url_for("recordings.recording_audio", project_id=project.id,
                   recording_id=transcript.recording_id)
