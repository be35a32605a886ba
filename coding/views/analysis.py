"""Analysis pages: retrieval of excerpts, matrices, full-text search with coding of the hits,
and the quote bank."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from casestudies.models import PARTNERSHIP_KINDS, CooperationArea, Place
from coding import codings, omissions, quotebank, reliability, retrieval
from coding.codebook import code_tree, project_codes
from coding.codings import CodingError, apply_codes, project_coders
from coding.excerpts import excerpts_of
from coding.forms import MatrixForm, QuoteForm, RetrievalForm
from coding.matrices import (
    DIMENSION_WORDS,
    Matrix,
    MatrixError,
    co_occurrence,
    code_matrix,
    matrix_xlsx,
    retrieval_arguments,
)
from coding.models import Coding, Quote, Source
from coding.search import MAX_HITS, search
from fieldwork import audit
from fieldwork.downloads import attachment
from fieldwork.extensions import db
from fieldwork.forms import choices
from fieldwork.models import Project
from fieldwork.permissions import can, get_or_404, project_access
from interviews.models import ORGANISATION_TYPES

ANY = ("", "any")


def visible_coder(project: Project) -> int | None:
    """Under blind coding a coder's analyses count only their own codings."""
    return codings.visible_coder(project, current_user, g.project_role)


def tree_choices(project: Project) -> list[tuple[int, str]]:
    return [(row.code.id, "\u2003" * row.depth + row.code.name)
            for row in code_tree(project_codes(project))]


def place_choices(ids: set[int]) -> list[tuple[str, str]]:
    places = db.session.scalars(db.select(Place).where(Place.id.in_(ids)))
    return [ANY, *sorted(((str(p.id), p.display_name) for p in places), key=lambda c: c[1])]


def filter_choices(project: Project, form: RetrievalForm,
                   by_source: dict[int, retrieval.Facets]) -> None:
    """Offer only the values the project's sources have."""
    facets = list(by_source.values())

    def union(attribute: str) -> set:
        return set().union(*(getattr(f, attribute) for f in facets)) if facets else set()

    form.codes.choices = form.other_codes.choices = choices(tree_choices(project))
    form.eu_country.choices = choices([ANY] + [(c, c) for c in sorted(union("eu_countries"))])
    form.region.choices = choices(place_choices(union("regions")))
    form.city.choices = choices(place_choices(union("cities")))
    bands = union("population_bands")
    form.population_band.choices = choices(
        [ANY] + [(b, b) for _, b in retrieval.POPULATION_BANDS if b in bands])
    form.partnership_kind.choices = choices([ANY] + [(k, PARTNERSHIP_KINDS.get(k, k))
                                             for k in sorted(union("partnership_kinds"))])
    areas = db.session.scalars(db.select(CooperationArea).where(
        CooperationArea.id.in_(union("areas"))).order_by(CooperationArea.name))
    form.area.choices = choices([ANY] + [(str(a.id), a.name) for a in areas])
    form.organisation_type.choices = choices([ANY] + [
        (k, ORGANISATION_TYPES.get(k, (k, ""))[0]) for k in sorted(union("organisation_types"))])
    form.interview_place.choices = choices(place_choices(
        {f.interview_place for f in facets if f.interview_place}))
    form.coder.choices = choices([ANY] + [(str(u.id), u.name)
                                          for u in project_coders(project)])
    names = sorted({name for f in facets for name in f.attributes}, key=str.casefold)
    form.attribute.choices = choices([ANY] + [(n, n) for n in names])


def number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def filters_of(form: RetrievalForm) -> retrieval.Filters:
    cee = {"yes": True, "no": False}.get(form.cee.data or "")
    return retrieval.Filters(
        eu_country=form.eu_country.data or "", cee=cee, region=number(form.region.data),
        city=number(form.city.data), population_band=form.population_band.data or "",
        partner_country=form.partner_country.data or "",
        partnership_kind=form.partnership_kind.data or "", area=number(form.area.data),
        organisation_type=form.organisation_type.data or "",
        interview_place=number(form.interview_place.data),
        date_from=form.date_from.data if isinstance(form.date_from.data, date) else None,
        date_to=form.date_to.data if isinstance(form.date_to.data, date) else None,
        coder=number(form.coder.data), attribute=form.attribute.data or "",
        attribute_value=form.attribute_value.data or "")


@project_access("project.view")
def retrieve(project: Project) -> tuple[str, int] | str:
    form = RetrievalForm(request.args)
    if not request.args:
        form.with_subcodes.data = True
    facets = retrieval.source_facets(project)
    filter_choices(project, form, facets)
    excerpts, error, total, page = None, "", 0, max(request.args.get("page", 1, type=int), 1)
    left_out = None
    if request.args.getlist("codes"):
        query = retrieval.Query(
            codes=tuple(form.codes.data or ()), operator=form.operator.data or "or",
            other_codes=tuple(form.other_codes.data or ()),
            with_subcodes=bool(form.with_subcodes.data),
            distance=form.distance.data if form.distance.data is not None else 200,
            filters=filters_of(form))
        try:
            shown, total = retrieval.retrieve_page(project, query, page,
                                                   visible_coder(project), facets)
        except retrieval.RetrievalError as failure:
            error = str(failure)
        else:
            excerpts = excerpts_of(project, retrieval.load_codings(shown),
                                   can("participants.identity", project),
                                   quotes=form.quotes.data or "coded")
            left_out = omissions.retrieval_left_out(project, query, facets,
                                                    visible_coder(project),
                                                    request.args.to_dict(flat=False))
    quoted = set(db.session.scalars(db.select(Quote.coding_id).where(
        Quote.project_id == project.id)))
    pages = -(-total // retrieval.PAGE_SIZE)
    return render_template("coding/retrieve.html", project=project, form=form,
                           excerpts=excerpts, error=error, quoted=quoted, total=total,
                           hearings=reliability.hearings(excerpts or []),
                           page=page, pages=pages, args=request.args.to_dict(flat=False),
                           chapters=quotebank.chapter_names(project),
                           left_out=left_out), 400 if error else 200


def matrix_of(project: Project, form: MatrixForm) -> tuple[Matrix, dict[int, retrieval.Facets]]:
    """The matrix the form asks for and the sources' facets it was made from (MatrixError
    when it cannot be made)."""
    facets = retrieval.source_facets(project)
    names = sorted({name for f in facets.values() for name in f.attributes}, key=str.casefold)
    form.attribute.choices = choices([("", "—")] + [(n, n) for n in names])
    return code_matrix(project, form.dimension.data or "partner_country",
                       form.attribute.data or "", visible_coder(project), facets), facets


@project_access("project.view")
def matrix(project: Project) -> tuple[str, int] | str:
    form = MatrixForm(request.args)
    result, error, left_out = None, "", None
    try:
        result, facets = matrix_of(project, form)
    except MatrixError as failure:
        error = str(failure)
    else:
        left_out = omissions.matrix_left_out(project, result, facets, visible_coder(project),
                                             form.attribute.data or "")
    return render_template("coding/matrix.html", project=project, form=form, matrix=result,
                           error=error, show=form.show.data or "codings",
                           cell_filter=retrieval_arguments, left_out=left_out,
                           dimensions=DIMENSION_WORDS,
                           query=request.query_string.decode()), 400 if error else 200


@project_access("analysis.export")
def matrix_download(project: Project) -> Response | tuple[str, int]:
    try:
        result, _facets = matrix_of(project, MatrixForm(request.args))
    except MatrixError as error:
        return str(error), 400
    words = DIMENSION_WORDS[result.dimension]
    audit.record("analysis.matrix_export", project, project=project,
                 summary=f"Matrix by {words} exported")
    db.session.commit()
    return Response(matrix_xlsx(result, f"{project.name}: codes by {words}"),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers=attachment("matrix.xlsx"))


@project_access("project.view")
def overlaps(project: Project) -> str:
    counts = co_occurrence(project, visible_coder(project))
    rows = code_tree(project_codes(project))
    used = sorted({code for pair in counts for code in pair})
    return render_template("coding/overlaps.html", project=project, counts=counts,
                           rows=[r for r in rows if r.code.id in used],
                           highest=max(counts.values(), default=0),
                           left_out=omissions.overlaps_left_out(visible_coder(project)))


@project_access("project.view")
def full_text(project: Project) -> str:
    phrase = request.args.get("q", "").strip()
    hits = search(project, phrase, MAX_HITS + 1) if phrase else []
    return render_template("coding/search.html", project=project, q=phrase, hits=hits[:MAX_HITS],
                           codes=tree_choices(project) if can("coding.edit", project) else [],
                           left_out=omissions.search_left_out(MAX_HITS, len(hits) > MAX_HITS))


@project_access("coding.edit")
def full_text_code(project: Project) -> Response:
    """Apply a code to the hits the user kept ticked ("source:start:end" values)."""
    code_id = request.form.get("code", type=int)
    done = 0
    try:
        for value in request.form.getlist("hit"):
            source_id, start, end = (int(part) for part in value.split(":"))
            source = get_or_404(Source, source_id, project)
            apply_codes(source, [code_id or 0], start, end, source.text_version, current_user)
            done += 1
    except (CodingError, ValueError) as error:
        db.session.rollback()
        flash(f"Nothing was coded: {error}", "error")
    else:
        db.session.commit()
        flash(f"{done} hit(s) coded.", "success")
    return redirect(url_for("coding.full_text", project_id=project.id,
                            q=request.form.get("q", "")))


@project_access("project.view")
def quote_bank(project: Project) -> str:
    excerpts = quotebank.quote_excerpts(project, can("participants.identity", project))
    return render_template("coding/quotes.html", project=project,
                           chapters=quotebank.chapters(project), excerpts=excerpts,
                           flagged=sum(1 for e in excerpts.values() if e.flags and e.citable),
                           hearings=reliability.hearings(list(excerpts.values())))


@project_access("transcripts.check")
def excerpt_check(project: Project, coding_id: int) -> Response:
    """Mark the segments an excerpt's words come from checked (heard and found right)."""
    coding = get_or_404(Coding, coding_id, project)
    count = reliability.check_excerpt(coding, current_user)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(checked=count)
    flash("Marked checked by ear." if count else "Its segments were already checked.",
          "success")
    return redirect(request.referrer or url_for("coding.quote_bank", project_id=project.id))


@project_access("analysis.export")
def quote_add(project: Project, coding_id: int) -> Response:
    coding = get_or_404(Coding, coding_id, project)
    form = QuoteForm()
    try:
        quote = quotebank.add_quote(project, coding, form.chapter.data or "",
                                    form.note.data or "", current_user)
    except quotebank.QuoteError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Added to the quote bank{' in “' + quote.chapter + '”' if quote.chapter else ''}.",
              "success")
    return redirect(request.referrer or url_for("coding.quote_bank", project_id=project.id))


@project_access("analysis.export")
def quote_update(project: Project, quote_id: int) -> Response:
    quote = get_or_404(Quote, quote_id, project)
    action = request.form.get("action", "save")
    if action == "remove":
        quotebank.remove_quote(quote)
    elif action in ("up", "down"):
        quotebank.move_quote(quote, -1 if action == "up" else 1)
    else:
        form = QuoteForm()
        try:
            quotebank.update_quote(quote, form.chapter.data or "", form.note.data or "")
        except quotebank.QuoteError as error:
            flash(str(error), "error")
            return redirect(url_for("coding.quote_bank", project_id=project.id))
    db.session.commit()
    return redirect(url_for("coding.quote_bank", project_id=project.id) + f"#q{quote_id}")
