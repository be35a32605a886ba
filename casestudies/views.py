"""Handlers of the places, partnerships, import/export, summary and map pages."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from casestudies import importing, mapdata, partnerships, places, summaries, tasks
from casestudies.forms import (
    AreaForm,
    DocumentForm,
    ImportCommitForm,
    ImportUploadForm,
    PartnershipFilterForm,
    PartnershipForm,
    PlaceFilterForm,
    PlaceForm,
    SourceForm,
)
from casestudies.models import (
    INSTITUTIONALISATION_FLAGS,
    CooperationArea,
    Partnership,
    PartnershipDocument,
    PartnershipSource,
    Place,
)
from casestudies.studies import slots
from fieldwork.background import submit
from fieldwork.database import writing
from fieldwork.dbtypes import utcnow
from fieldwork.downloads import attachment
from fieldwork.extensions import db
from fieldwork.models import BackgroundTask, Project, StoredFile
from fieldwork.permissions import admin_only, can, get_or_404, project_access, signed_in
from fieldwork.storage import download_response

PLACES_PER_PAGE = 50
PARTNERSHIPS_PER_PAGE = 50


# --- places (site-wide) -------------------------------------------------------------


def place_filters(form: PlaceFilterForm) -> places.PlaceFilters:
    project = form.project.data or ""
    return places.PlaceFilters(
        country=form.country.data or "", kind=form.kind.data or "", cee=form.cee.data,
        band=form.band.data or "", has_us=form.has_us.data, has_cn=form.has_cn.data,
        area=form.area.data or "", project_id=int(project) if project.isdigit() else None,
        text=(form.q.data or "").strip(),
    )


@signed_in
def place_list() -> str:
    user_projects = places.projects_of(current_user)
    project_ids = [project.id for project in user_projects]
    form = PlaceFilterForm(request.args)
    form.set_options(places.country_options(), places.area_names(project_ids), user_projects)
    form.validate()
    filters = place_filters(form)
    page = db.paginate(places.places_query(filters, current_user), per_page=PLACES_PER_PAGE,
                       error_out=False, count=True)
    counts = places.partnership_counts([place.id for place in page.items], project_ids)
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("casestudies/places/list.html", page=page, form=form, counts=counts,
                           args=args)


def load_place(place_id: int) -> Place:
    place = db.session.get(Place, place_id)
    if place is None:
        abort(404)
    return place


@signed_in
def place_page(place_id: int) -> str:
    place = load_place(place_id)
    return render_template(
        "casestudies/places/place.html", place=place,
        partnerships=places.partnerships_of_place(place, current_user),
        panels=slots.panels("place", place),
        cities=places_in_region(place) if place.kind == "region" else [],
    )


def places_in_region(region: Place) -> list[Place]:
    return list(db.session.scalars(
        db.select(Place).where(Place.region_id == region.id)
        .order_by(Place.population.desc().nulls_last()).limit(30)
    ))


@signed_in
def place_suggest() -> str:
    side = request.args.get("side", "")
    countries = {"eu": None, "partner": ("US", "CN")}.get(side)
    typed = next((value for name, value in request.args.items() if name != "side" and value), "")
    found = places.suggest_places(typed, countries)
    if side == "eu":
        found = [place for place in found if place.is_eu]
    return render_template("casestudies/places/_options.html",
                           labels=[places.picker_label(place) for place in found])


def place_values(form: PlaceForm) -> dict[str, Any]:
    region_text = (form.region_name.data or "").strip()
    region_id = None
    if region_text:
        region = places.resolve_typed_place(region_text)
        if region.kind != "region":
            raise places.PlaceError(f"{region.name} is not a region.")
        region_id = region.id
    return {
        "kind": form.kind.data, "name": (form.name.data or "").strip(),
        "name_local": (form.name_local.data or "").strip(),
        "country_code": (form.country_code.data or "").strip().upper(),
        "region_id": region_id, "population": form.population.data,
        "latitude": form.latitude.data, "longitude": form.longitude.data,
        "timezone": (form.timezone.data or "").strip() or None,
        "nuts_code": (form.nuts_code.data or "").strip() or None,
        "is_eu": form.is_eu.data, "is_cee": form.is_cee.data,
        "alternate_names": [line.strip() for line in (form.alternate_names.data or "").splitlines()
                            if line.strip()],
    }


def save_place(form: PlaceForm, place: Place | None) -> Place | None:
    if not form.validate_on_submit():
        return None
    try:
        values = place_values(form)
        if place is None:
            return places.create_place(values, current_user)
        return places.update_place(place, values)
    except places.PlaceError as error:
        form.region_name.errors = [*form.region_name.errors, str(error)]
        return None


@admin_only
def place_new() -> str | Response:
    form = PlaceForm()
    place = save_place(form, None)
    if place is not None:
        db.session.commit()
        flash(f"{place.name} added to the gazetteer.", "success")
        return redirect(url_for("places.place_page", place_id=place.id))
    return render_template("casestudies/places/form.html", form=form, place=None)


def place_form_data(place: Place) -> dict[str, Any]:
    """The form's starting values (the model's own `region` and name list differ in type)."""
    simple = ("kind", "name", "name_local", "country_code", "population", "latitude",
              "longitude", "timezone", "nuts_code", "is_eu", "is_cee")
    return {
        **{name: getattr(place, name) for name in simple},
        "region_name": (place.region.nuts_code or place.region.name) if place.region else "",
        "alternate_names": "\n".join(place.alternate_names or []),
    }


@admin_only
def place_edit(place_id: int) -> str | Response:
    place = load_place(place_id)
    form = PlaceForm(data=place_form_data(place))
    saved = save_place(form, place)
    if saved is not None:
        db.session.commit()
        flash(f"{place.name} saved.", "success")
        return redirect(url_for("places.place_page", place_id=place.id))
    return render_template("casestudies/places/form.html", form=form, place=place)


# --- partnerships (per project) ------------------------------------------------------


def partnership_filters(form: PartnershipFilterForm) -> partnerships.PartnershipFilters:
    area = form.area.data or ""
    return partnerships.PartnershipFilters(
        partner_country=form.partner_country.data or "", eu_country=form.eu_country.data or "",
        kind=form.kind.data or "", status=form.status.data or "",
        area_id=int(area) if area.isdigit() else None, cee=form.cee.data,
        text=(form.q.data or "").strip(),
    )


def filter_form(project: Project) -> PartnershipFilterForm:
    form = PartnershipFilterForm(request.args)
    form.set_options(places.country_options(), partnerships.areas_of(project))
    form.validate()
    return form


@project_access("project.view")
def partnership_list(project: Project) -> str:
    form = filter_form(project)
    query = partnerships.partnerships_query(project, partnership_filters(form))
    page = db.paginate(query, per_page=PARTNERSHIPS_PER_PAGE, error_out=False)
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("casestudies/partnerships/list.html", project=project, page=page,
                           form=form, args=args,
                           total=partnerships.count_partnerships(project))


def partnership_values(form: PartnershipForm, project: Project) -> partnerships.PartnershipValues:
    """The form's values with places resolved; PlaceError is put on the field at fault."""
    eu_place = partner_place = None
    for field, countries in ((form.eu_place, None), (form.partner_place, ("US", "CN"))):
        try:
            place = places.resolve_typed_place(field.data or "", countries)
        except places.PlaceError as error:
            field.errors = [*field.errors, str(error)]
            continue
        if field is form.eu_place:
            eu_place = place
        else:
            partner_place = place
    if eu_place is None or partner_place is None:
        raise partnerships.PartnershipError("")
    chosen = set(form.areas.data or [])
    return partnerships.PartnershipValues(
        eu_place=eu_place, partner_place=partner_place, kind=form.kind.data or "other",
        status=form.status.data or "unknown", signed_on=form.signed_on.data,
        ended_on=form.ended_on.data,
        areas=[area for area in partnerships.areas_of(project) if area.id in chosen],
        notes=form.notes.data or "",
        **{flag: getattr(form, flag).data for flag in INSTITUTIONALISATION_FLAGS},
    )


def save_partnership(form: PartnershipForm, project: Project,
                     partnership: Partnership | None) -> Partnership | None:
    if not form.is_submitted():
        return None
    valid = form.validate()
    try:
        # Places are resolved even when another field is wrong, to report every problem at once.
        values = partnership_values(form, project)
        if not valid:
            return None
        if partnership is None:
            return partnerships.create_partnership(project, values, current_user)
        partnerships.update_partnership(partnership, values)
        return partnership
    except partnerships.PartnershipError as error:
        if str(error):
            form.form_errors.append(str(error))
        return None


def saved_areas(project: Project) -> list[CooperationArea]:
    """The project's areas of cooperation, the default list committed first if it has none.

    The default list is saved in a transaction of its own that takes the write lock first:
    a page that added it to its own read transaction showed checkboxes of rows it then
    rolled back (on PostgreSQL the next ids differ, so the areas ticked were refused), and
    on SQLite a read transaction that starts writing fails at once (“database is locked”)
    while a job or another request writes."""
    areas = partnerships.areas_of(project)
    if areas:
        return areas
    db.session.commit()
    with writing():
        areas = partnerships.ensure_areas(project)
        db.session.commit()
    return areas


@project_access("casestudies.edit")
def partnership_new(project: Project) -> str | Response:
    form = PartnershipForm()
    form.set_areas(saved_areas(project))
    if request.method == "GET" and request.args.get("eu_place"):
        place = db.session.get(Place, request.args.get("eu_place", type=int) or 0)
        form.eu_place.data = places.picker_label(place) if place else ""
    saved = save_partnership(form, project, None)
    if saved is not None:
        db.session.commit()
        flash("Partnership added.", "success")
        return redirect(url_for("places.partnership_page", project_id=project.id,
                                partnership_id=saved.id))
    return render_template("casestudies/partnerships/form.html", project=project, form=form,
                           partnership=None)


def partnership_form_data(partnership: Partnership) -> dict[str, Any]:
    simple = ("kind", "status", "signed_on", "ended_on", "notes", *INSTITUTIONALISATION_FLAGS)
    return {
        **{name: getattr(partnership, name) for name in simple},
        "eu_place": places.picker_label(partnership.eu_place),
        "partner_place": places.picker_label(partnership.partner_place),
        "areas": [area.id for area in partnership.areas],
    }


@project_access("casestudies.edit")
def partnership_edit(project: Project, partnership_id: int) -> str | Response:
    partnership = get_or_404(Partnership, partnership_id, project)
    form = PartnershipForm(data=partnership_form_data(partnership))
    form.set_areas(saved_areas(project))
    if save_partnership(form, project, partnership) is not None:
        db.session.commit()
        flash("Partnership saved.", "success")
        return redirect(url_for("places.partnership_page", project_id=project.id,
                                partnership_id=partnership.id))
    return render_template("casestudies/partnerships/form.html", project=project, form=form,
                           partnership=partnership)


def render_partnership(project: Project, partnership: Partnership,
                       source_form: SourceForm | None = None,
                       document_form: DocumentForm | None = None) -> str:
    return render_template(
        "casestudies/partnerships/page.html", project=project, partnership=partnership,
        source_form=source_form or SourceForm(formdata=None),
        document_form=document_form or DocumentForm(formdata=None),
        flags=INSTITUTIONALISATION_FLAGS, panels=slots.panels("partnership", partnership),
    )


@project_access("project.view")
def partnership_page(project: Project, partnership_id: int) -> str:
    return render_partnership(project, get_or_404(Partnership, partnership_id, project))


@project_access("casestudies.edit")
def partnership_delete(project: Project, partnership_id: int) -> Response:
    partnership = get_or_404(Partnership, partnership_id, project)
    title = partnership.title
    partnerships.delete_partnership(partnership)
    db.session.commit()
    flash(f"Partnership {title} deleted.", "success")
    return redirect(url_for("places.partnership_list", project_id=project.id))


@project_access("casestudies.edit")
def source_add(project: Project, partnership_id: int) -> str | Response | tuple[str, int]:
    partnership = get_or_404(Partnership, partnership_id, project)
    form = SourceForm()
    if form.validate_on_submit():
        try:
            partnerships.add_source(partnership, form.url.data or "", form.seen_on.data,
                                    form.note.data or "")
        except partnerships.PartnershipError as error:
            form.url.errors = [*form.url.errors, str(error)]
        else:
            db.session.commit()
            flash("Source added.", "success")
            return redirect(url_for("places.partnership_page", project_id=project.id,
                                    partnership_id=partnership.id))
    return render_partnership(project, partnership, source_form=form), 400


def load_source(project: Project, partnership_source_id: int) -> PartnershipSource:
    source = db.session.get(PartnershipSource, partnership_source_id)
    if source is None or source.partnership.project_id != project.id:
        abort(404)
    return source


@project_access("casestudies.edit")
def source_delete(project: Project, partnership_source_id: int) -> Response:
    source = load_source(project, partnership_source_id)
    partnership_id = source.partnership_id
    partnerships.delete_source(source)
    db.session.commit()
    flash("Source removed.", "success")
    return redirect(url_for("places.partnership_page", project_id=project.id,
                            partnership_id=partnership_id))


@project_access("casestudies.edit")
def document_add(project: Project, partnership_id: int) -> str | Response | tuple[str, int]:
    partnership = get_or_404(Partnership, partnership_id, project)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        partnerships.add_document(partnership, upload.stream, upload.filename or "document",
                                  form.title.data or "", current_user)
        db.session.commit()
        flash("Document attached.", "success")
        return redirect(url_for("places.partnership_page", project_id=project.id,
                                partnership_id=partnership.id))
    return render_partnership(project, partnership, document_form=form), 400


def load_document(project: Project, partnership_document_id: int) -> PartnershipDocument:
    document = db.session.get(PartnershipDocument, partnership_document_id)
    if document is None or document.partnership.project_id != project.id:
        abort(404)
    return document


@project_access("project.view")
def document_download(project: Project, partnership_document_id: int) -> Response:
    return download_response(load_document(project, partnership_document_id).file)


@project_access("casestudies.edit")
def document_delete(project: Project, partnership_document_id: int) -> Response:
    document = load_document(project, partnership_document_id)
    partnership_id = document.partnership_id
    partnerships.delete_document(document)
    db.session.commit()
    flash("Document removed.", "success")
    return redirect(url_for("places.partnership_page", project_id=project.id,
                            partnership_id=partnership_id))


# --- areas of cooperation -------------------------------------------------------------


@project_access("project.view")
def area_list(project: Project) -> str:
    areas = saved_areas(project)
    return render_template("casestudies/partnerships/areas.html", project=project, areas=areas,
                           form=AreaForm(formdata=None))


@project_access("casestudies.edit")
def area_add(project: Project) -> str | Response | tuple[str, int]:
    form = AreaForm()
    if form.validate_on_submit():
        try:
            partnerships.add_area(project, form.name.data or "")
        except partnerships.PartnershipError as error:
            form.name.errors = [*form.name.errors, str(error)]
        else:
            db.session.commit()
            flash("Area added.", "success")
            return redirect(url_for("places.area_list", project_id=project.id))
    return render_template("casestudies/partnerships/areas.html", project=project,
                           areas=partnerships.ensure_areas(project), form=form), 400


@project_access("casestudies.edit")
def area_rename(project: Project, cooperation_area_id: int) -> Response:
    area = get_or_404(CooperationArea, cooperation_area_id, project)
    try:
        partnerships.rename_area(area, project, request.form.get("name", ""))
    except partnerships.PartnershipError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("Area renamed.", "success")
    return redirect(url_for("places.area_list", project_id=project.id))


@project_access("casestudies.edit")
def area_delete(project: Project, cooperation_area_id: int) -> Response:
    area = get_or_404(CooperationArea, cooperation_area_id, project)
    partnerships.delete_area(area, project)
    db.session.commit()
    flash("Area removed from the list and from its partnerships.", "success")
    return redirect(url_for("places.area_list", project_id=project.id))


# --- import and export ------------------------------------------------------------------


def render_import(project: Project, form: ImportUploadForm, report: Any = None,
                  stored: StoredFile | None = None, file_error: str = "") -> str:
    return render_template(
        "casestudies/partnerships/import.html", project=project, form=form, report=report,
        stored=stored, file_error=file_error, columns=importing.COLUMNS,
        commit_form=ImportCommitForm(formdata=None, file_id=stored.id if stored else ""),
    )


@project_access("casestudies.edit")
def import_preview(project: Project) -> str | tuple[str, int] | Response:
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return render_import(project, form), 400 if request.method == "POST" else 200
    upload = form.file.data
    stored = importing.store_import_file(upload.stream, upload.filename or "import.csv",
                                         current_user, project)
    try:
        header, rows = importing.rows_of(importing.stored_file_bytes(stored.sha256),
                                         stored.filename)
    except importing.ImportFileError as error:
        page = render_import(project, form, file_error=str(error))
        db.session.commit()
        return page, 400
    if len(rows) > current_app.config["EXPORT_JOB_THRESHOLD"]:
        return to_task(project, tasks.queue_partnership_check(project, current_user, stored,
                                                              len(rows)))
    report = importing.check_rows(project, header, rows)
    # Rendered before the commit, which would expire every place the report shows.
    page = render_import(project, form, report=report, stored=stored)
    db.session.commit()
    return page


def load_import_file(form: ImportCommitForm) -> StoredFile:
    file_id = form.file_id.data or ""
    stored = db.session.get(StoredFile, int(file_id)) if file_id.isdigit() else None
    if stored is None or stored.uploaded_by_id != current_user.id:
        abort(404)
    return stored


@project_access("casestudies.edit")
def import_commit(project: Project) -> Response:
    form = ImportCommitForm()
    if not form.validate_on_submit():
        abort(400)
    return to_task(project, tasks.queue_partnership_import(project, current_user,
                                                           load_import_file(form)))


def to_task(project: Project, task: BackgroundTask) -> Response:
    db.session.commit()
    submit(task)
    return redirect(url_for("background.task_page", project_id=project.id, task_id=task.id))


def export_response(project: Project, extension: str) -> Response:
    form = filter_form(project)
    rows = importing.export_rows(project, partnership_filters(form))
    name = f"partnerships-project-{project.id}-{utcnow():%Y%m%d}.{extension}"
    if extension == "xlsx":
        body: str | bytes = importing.export_xlsx(rows)
        mimetype = importing.XLSX_TYPE
    else:
        body = importing.export_csv(rows)
        mimetype = "text/csv"
    return current_app.response_class(
        body, mimetype=mimetype, headers=attachment(name)
    )


@project_access("project.view")
def export_csv(project: Project) -> Response:
    return export_response(project, "csv")


@project_access("project.view")
def export_xlsx(project: Project) -> Response:
    return export_response(project, "xlsx")


# --- summary and map ------------------------------------------------------------------


@project_access("project.view")
def summary(project: Project) -> str:
    return render_template("casestudies/partnerships/summary.html", project=project,
                           summary=summaries.summarise(project))


@project_access("project.view")
def summary_csv(project: Project) -> Response:
    body = importing.export_csv(summaries.summary_rows(summaries.summarise(project)))
    return current_app.response_class(
        body, mimetype="text/csv",
        headers=attachment(f"partnership-summary-project-{project.id}.csv"),
    )


@project_access("project.view")
def map_page(project: Project) -> str:
    return render_template("casestudies/partnerships/map.html", project=project,
                           data_url=url_for("places.map_json", project_id=project.id),
                           can_edit=can("casestudies.edit", project))


@project_access("project.view")
def map_json(project: Project) -> Response:
    filters = mapdata.MapFilters(
        partner_country=request.args.get("partner_country", ""),
        kind=request.args.get("kind", ""), area=request.args.get("area", ""),
    )
    return jsonify(mapdata.map_data(project, filters))
