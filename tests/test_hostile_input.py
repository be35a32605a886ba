"""Hostile text is shown as text: a script and an HTML tag typed into every field a user can
fill, or brought in by an import (CSV and XLSX cells, Word and PDF documents, REFI-QDA XML),
come out escaped on every page that shows them, and spreadsheet formulas in names never run
in an export.

The page test walks every route of the URL map, as the access-matrix test does, with every
free-text column of every sample row set to the payload.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import String, Text, Update, cast, literal
from werkzeug.test import TestResponse

from casestudies.models import Partnership
from coding.agreement import SourceInfo, agreement_csv, compute_agreement
from coding.codebook import CodeFields, create_code
from coding.models import Code, Memo, Source
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.models import Participant
from interviews.scheduling import InterviewPlan, SchedulingError, create_interview
from tests.access_samples import BUILDERS, interviews_sample, partnerships_sample
from tests.documents import docx_bytes, pdf_bytes

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(1)>"
#: the payload as markup: none of these may reach a page
RAW = ("<script>alert(1)", "<img src=x onerror")
#: the payload as escaped text: at least one page must show it, or the test proves nothing
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
#: columns that hold what people type or imports bring, whatever their table
FREE_TEXT = frozenset({
    "name", "name_local", "title", "description", "notes", "note", "summary", "definition",
    "when_to_use", "when_not_to_use", "example", "introduction", "topic", "text",
    "organisation", "role", "contact_name", "contact_office", "research_questions",
    "purpose", "agenda", "location", "withdrawal_note", "speaker", "body", "chapter",
    "quote", "filename", "error", "playback_error", "language",
})
#: web addresses keep their scheme (they are checked to be http or https)
ADDRESSES = frozenset({"url", "link"})


def assert_escaped(response: TestResponse, where: str = "") -> None:
    page = response.get_data(as_text=True)
    shown = [raw for raw in RAW if raw in page]
    assert shown == [], f"{where or response.request.path} shows {shown} unescaped"
    assert ESCAPED in page, f"{where or response.request.path} does not show the payload"


def hostile_updates() -> list[Update]:
    """An UPDATE per table setting every free-text column to the payload."""
    updates = []
    for table in db.metadata.sorted_tables:
        # Each row's own number after the payload: names unique in a project stay unique.
        payload = literal(f"{PAYLOAD} ") + cast(table.c.id, String) if "id" in table.c else PAYLOAD
        values: dict[str, object] = {}
        for column in table.columns:
            if not isinstance(column.type, String | Text) or column.foreign_keys:
                continue
            fits = column.type.length is None or column.type.length >= len(PAYLOAD) + 20
            if column.name in FREE_TEXT and fits:
                values[column.name] = payload
            elif column.name in ADDRESSES:
                values[column.name] = f"https://example.org/{PAYLOAD}"
        if values:
            updates.append(table.update().values(values))
    return updates


@pytest.fixture
def hostile_project(project: Project, people: dict[str, User], files_dir: Path) -> Project:
    """A project with a sample of everything (the access matrix's), every text the payload."""
    for build in BUILDERS.values():
        build(project, people)
    db.session.flush()
    for update in hostile_updates():
        db.session.execute(update)
    db.session.flush()
    db.session.expire_all()
    return project


def get_routes(app: Flask) -> list[tuple[str, str]]:
    """(endpoint, rule) of every route that answers GET, but the static files."""
    return sorted((rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()
                  if rule.endpoint != "static" and "GET" in (rule.methods or ()))


def reader_for(app: Flask, endpoint: str, people: dict[str, User]) -> User:
    """The lead reads project pages (identities included), the admin the admin pages."""
    kind = app.view_functions[endpoint].access[0]
    return people["admin"] if kind == "admin" else people["lead"]


def test_every_page_shows_typed_and_imported_text_escaped(
    app: Flask, hostile_project: Project, people: dict[str, User],
    client_for: Callable[[User | None], FlaskClient],
) -> None:
    showing, unescaped, failed = [], [], []
    for endpoint, rule_text in get_routes(app):
        rule = next(r for r in app.url_map.iter_rules(endpoint))
        url = rule.build({arg: BUILDERS[arg](hostile_project, people)
                          for arg in rule.arguments})[1]
        db.session.commit()
        with client_for(reader_for(app, endpoint, people)).get(url) as response:
            if response.status_code >= 500:
                failed.append(f"{rule_text}: {response.status_code}")
            if not response.mimetype.startswith("text/html"):
                continue
            page = response.get_data(as_text=True)
        unescaped += [f"{rule_text}: {raw}" for raw in RAW if raw in page]
        if ESCAPED in page:
            showing.append(endpoint)
    assert failed == [] and unescaped == []
    for endpoint in ("interviews.participant_detail", "coding.codebook", "coding.memo_list",
                     "coding.source_code", "places.partnership_page",
                     "projects.project_audit", "accounts.profile"):
        assert endpoint in showing, endpoint
    assert len(showing) > 40, showing


def partnerships_import(client: FlaskClient, project: Project, data: bytes,
                        filename: str) -> TestResponse:
    return client.post(f"/projects/{project.id}/partnerships/import",
                       data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def import_rows() -> list[list[str]]:
    """A bad row (a hostile place name) and a good one (hostile notes)."""
    header = ["eu_place", "eu_country", "partner_place", "partner_country", "kind", "notes"]
    return [header, [PAYLOAD, "PL", "Sample Partner", "CN", "friendship city", ""],
            ["Sample City", "PL", "Sample Partner", "CN", "friendship city", PAYLOAD]]


def csv_file(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(row) for row in rows).encode()


def xlsx_file(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("filename", "make"), [("p.csv", csv_file), ("p.xlsx", xlsx_file)])
def test_import_cells_are_shown_escaped_in_the_report_and_after_the_import(
    project: Project, people: dict[str, User], client_for: Callable[[User | None], FlaskClient],
    files_dir: Path, filename: str, make: Callable[[list[list[str]]], bytes],
) -> None:
    partnerships_sample(project, people)
    client = client_for(people["lead"])
    rows = import_rows()
    report = partnerships_import(client, project, make(rows), filename)
    assert report.status_code == 200 and "Row 2: Unknown EU place" in report.text
    assert_escaped(report, "the import report")

    report = partnerships_import(client, project, make([rows[0], rows[2]]), filename)
    assert "Import 1 partnership" in report.text
    stored_id = report.text.split('name="file_id" type="hidden" value="', 1)[1].split('"')[0]
    commit = client.post(f"/projects/{project.id}/partnerships/import/commit",
                         data={"file_id": stored_id})
    assert commit.status_code == 302
    made = db.session.scalar(db.select(Partnership).where(
        Partnership.project_id == project.id, Partnership.notes == PAYLOAD))
    assert_escaped(client.get(f"/projects/{project.id}/partnerships/{made.id}"))


@pytest.mark.parametrize(("filename", "make"), [
    ("agreement.docx", docx_bytes), ("agreement.pdf", partial(pdf_bytes, size=8)),
    ("agreement.txt", str.encode), ("agreement.md", str.encode),
])
def test_document_text_is_shown_escaped(
    project: Project, people: dict[str, User], client_for: Callable[[User | None], FlaskClient],
    files_dir: Path, filename: str, make: Callable[[str], bytes],
) -> None:
    client = client_for(people["coder"])
    added = client.post(f"/projects/{project.id}/coding/sources/document",
                        data={"document": (io.BytesIO(make(PAYLOAD)), filename),
                              "title": PAYLOAD}, content_type="multipart/form-data")
    assert added.status_code == 302, added.text
    source = db.session.scalar(db.select(Source).where(Source.project_id == project.id))
    assert PAYLOAD in source.text
    assert_escaped(client.get(added.headers["Location"]))
    assert_escaped(client.get(f"/projects/{project.id}/coding/sources/"))
    assert_escaped(client.get(f"/projects/{project.id}/coding/search?q=alert"))


def hostile_qdpx() -> bytes:
    """A project file whose code, source, text, coder and note carry the payload."""
    payload = PAYLOAD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    attribute = payload.replace('"', "&quot;")
    qde = f"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="{attribute}">
 <Users><User guid="a0000000-0000-0000-0000-000000000001" name="{attribute}"/></Users>
 <CodeBook><Codes>
  <Code guid="c0000000-0000-0000-0000-000000000001" name="{attribute}" isCodable="true">
   <Description>{payload}</Description>
  </Code>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="50000000-0000-0000-0000-000000000001" name="{attribute}"
              creatingUser="a0000000-0000-0000-0000-000000000001">
   <PlainTextContent>{payload} said the official.</PlainTextContent>
   <PlainTextSelection guid="51000000-0000-0000-0000-000000000001" startPosition="0"
                       endPosition="{len(PAYLOAD)}"
                       creatingUser="a0000000-0000-0000-0000-000000000001">
    <Description>{payload}</Description>
    <Coding guid="52000000-0000-0000-0000-000000000001"
            creatingUser="a0000000-0000-0000-0000-000000000001">
     <CodeRef targetGUID="c0000000-0000-0000-0000-000000000001"/>
    </Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
 <Notes>
  <Note guid="80000000-0000-0000-0000-000000000001" name="{attribute}">
   <PlainTextContent>{payload}</PlainTextContent>
  </Note>
 </Notes>
 <NoteRef targetGUID="80000000-0000-0000-0000-000000000001"/>
</Project>"""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project.qde", qde)
    return out.getvalue()


def test_a_refi_project_is_shown_escaped(
    project: Project, people: dict[str, User], client_for: Callable[[User | None], FlaskClient],
) -> None:
    client = client_for(people["lead"])
    base = f"/projects/{project.id}/coding"
    imported = client.post(f"{base}/exchange/import",
                           data={"file": (io.BytesIO(hostile_qdpx()), "hostile.qdpx")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert imported.status_code == 200, imported.text
    assert_escaped(imported, "the import report")
    source = db.session.scalar(db.select(Source).where(Source.project_id == project.id))
    code = db.session.scalar(db.select(Code).where(Code.project_id == project.id))
    memos = db.session.scalars(db.select(Memo).where(Memo.project_id == project.id)).all()
    assert source.title == code.name == PAYLOAD and {memo.body for memo in memos} >= {PAYLOAD}
    for path in (f"/sources/{source.id}", "/sources/", "/codebook/", f"/codebook/{code.id}",
                 "/memos/", f"/retrieve?code={code.id}"):
        assert_escaped(client.get(base + path))


FORMULAS = ('=HYPERLINK("http://evil.example","x")', "+1+1", "-1+1", "@SUM(A1)")


def test_agreement_csv_quotes_names_that_would_run_as_formulas() -> None:
    results = compute_agreement({1: SourceInfo(length=20)},
                                [(10, 1, 7, 0, 5), (11, 1, 7, 2, 9), (12, 1, 7, 0, 9)])
    text = agreement_csv(results, {7: FORMULAS[0]},
                         {10: FORMULAS[1], 11: FORMULAS[2], 12: FORMULAS[3]})
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert set(FORMULAS) & set(cells) == set()
    assert {f"'{formula}" for formula in FORMULAS} <= set(cells)


def test_matrix_workbook_keeps_formula_names_as_text(
    project: Project, people: dict[str, User], client_for: Callable[[User | None], FlaskClient],
    make_code_named: Callable[[str], Code],
) -> None:
    project.name = FORMULAS[0]
    for formula in FORMULAS:
        make_code_named(formula)
    db.session.commit()
    download = client_for(people["lead"]).get(
        f"/projects/{project.id}/coding/matrix.xlsx?dimension=cee")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.data)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert set(FORMULAS) <= {text.split(" ")[0] for text in texts} | texts


@pytest.fixture
def make_code_named(project: Project, people: dict[str, User]) -> Callable[[str], Code]:
    def make(name: str) -> Code:
        return create_code(project, CodeFields(name=name), None, people["lead"])

    return make


def test_codebook_and_partnership_csv_quote_formulas(
    project: Project, people: dict[str, User], client_for: Callable[[User | None], FlaskClient],
    make_code_named: Callable[[str], Code],
) -> None:
    for formula in FORMULAS:
        make_code_named(formula)
    ids = partnerships_sample(project, people)
    db.session.get(Partnership, ids["partnership_id"]).notes = FORMULAS[0]
    db.session.commit()
    client = client_for(people["lead"])
    codebook = client.post(f"/projects/{project.id}/coding/exports",
                           data={"what": "codebook_csv"})
    partnerships = client.get(f"/projects/{project.id}/partnerships/export.csv")
    cells = {}
    for name, download in (("codebook", codebook), ("partnerships", partnerships)):
        assert download.status_code == 200, download.text[:300]
        cells[name] = [cell for row in csv.reader(io.StringIO(download.data.decode("utf-8-sig")))
                       for cell in row]
        assert [cell for cell in cells[name] if cell.startswith(tuple("=+-@"))] == []
    assert {f"'{formula}" for formula in FORMULAS} <= set(cells["codebook"])
    assert f"'{FORMULAS[0]}" in cells["partnerships"]


@pytest.mark.parametrize("link", ["javascript:alert(1)", " JavaScript:alert(1)",
                                  "data:text/html,<script>alert(1)</script>"])
def test_a_video_link_must_be_a_web_address(
    project: Project, people: dict[str, User], link: str,
) -> None:
    participant = db.session.get(Participant,
                                 interviews_sample(project, people)["participant_id"])
    plan = InterviewPlan(local_start=datetime(2026, 3, 17, 10), timezone="Europe/Brussels",
                         participants=[participant], mode="video", link=link.strip())
    with pytest.raises(SchedulingError, match="must be a web address"):
        create_interview(project, plan, people["lead"])
