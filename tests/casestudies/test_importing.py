"""Import of partnerships from CSV and XLSX: matching, the row report, all-or-nothing, export."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from openpyxl import Workbook, load_workbook

from casestudies import importing
from casestudies.models import Partnership, Place
from fieldwork.extensions import db
from fieldwork.models import Project, StoredFile, User
from tests.casestudies.helpers import HEADER, add_partnership, csv_bytes

Finder = Callable[[str, str], Place]


def partnerships_in(project: Project) -> list[Partnership]:
    return list(db.session.scalars(
        db.select(Partnership).where(Partnership.project_id == project.id)
        .order_by(Partnership.id)
    ))


@pytest.mark.parametrize("spelling", ["Wrocław", "Wroclaw", "Breslau", "WROCŁAW", "wroclaw"])
def test_spellings_of_a_city_match_the_same_place(
    project: Project, gazetteer: Finder, spelling: str
) -> None:
    report = importing.check_file(project, csv_bytes(f"{spelling},PL,Guangzhou,CN"), "a.csv")
    assert report.ok
    assert report.rows[0].eu_place == gazetteer("Wrocław", "PL")
    assert report.rows[0].partner_place == gazetteer("Guangzhou", "CN")


def test_exonyms_romanisations_and_qualified_names(project: Project, gazetteer: Finder) -> None:
    data = csv_bytes(
        "Cracow,Poland,Xian,China",
        "Praha,CZ,Springfield (Illinois),US",
        "Budapest,,Rochester (New York),USA",
        "Hamburg,DE,New York,US",
    )
    report = importing.check_file(project, data, "a.csv")
    assert [row.problems for row in report.rows] == [[], [], [], []]
    assert report.rows[0].eu_place.name == "Kraków"
    assert report.rows[0].partner_place.name == "Xi’an"
    assert report.rows[1].partner_place.region.name == "Illinois"
    assert report.rows[2].partner_place.region.name == "New York"
    assert report.rows[3].eu_place.kind == "city"
    assert report.rows[3].partner_place.name == "New York City"


def test_the_sample_file_imports_cleanly(project: Project, gazetteer: Finder) -> None:
    with open("docs/sample-partnerships.csv", "rb") as file:
        data = file.read()
    # The test gazetteer lacks a few sample cities; every row naming a seeded one must pass.
    report = importing.check_file(project, data, "sample-partnerships.csv")
    unknown_only = [
        problem for row in report.rows for problem in row.problems
        if not problem.startswith("Unknown partner place") and not problem.startswith(
            "Unknown EU place")
    ]
    assert unknown_only == []
    assert len(report.rows) == 15


def test_each_bad_row_is_named_with_its_row_and_reason(
    project: Project, gazetteer: Finder
) -> None:
    add_partnership(project, gazetteer("Kraków", "PL"), gazetteer("Chengdu", "CN"))
    data = csv_bytes(
        "Wrocław,PL,Guangzhou,CN,sister city,active,2015-05-12",     # 2: fine
        "Wroclaw,PL,Atlantis,US",                                     # 3: unknown city
        "Wroclaw,PL,Springfield,US",                                  # 4: ambiguous
        "Wroclaw,Narnia,Chicago,US",                                  # 5: unknown country
        "Wroclaw,PL,Chicago,US,sister city,active,12/31/2019",        # 6: bad date
        "Wroclaw,PL,Dallas,US,pen pals",                              # 7: unknown kind
        "Wroclaw,PL,Beijing,CN,sister city,sleeping",                 # 8: unknown status
        "Wroclaw,PL,Wuhan,CN,sister city,active,,,space travel",      # 9: unknown area
        "Kraków,PL,Chengdu,CN,sister city",                           # 10: existing
        "Breslau,PL,Guangzhou,CN,sister city",                        # 11: repeats row 2
        "Wroclaw,PL,Shanghai,CN,sister city,active,,,,maybe",         # 12: bad yes/no
        "Wroclaw,PL,Brno,CZ",                                         # 13: partner not US/CN
    )
    report = importing.check_file(project, data, "bad.csv")
    problems = {row.number: " ".join(row.problems) for row in report.bad_rows}
    assert sorted(problems) == list(range(3, 14))
    assert "Unknown partner place “Atlantis” in US" in problems[3]
    assert "Ambiguous partner place “Springfield”" in problems[4]
    assert "Illinois" in problems[4] and "Missouri" in problems[4]
    assert "Unknown country “Narnia”" in problems[5]
    assert "Bad signing date “12/31/2019”" in problems[6]
    assert "Unknown kind “pen pals”" in problems[7]
    assert "Unknown status “sleeping”" in problems[8]
    assert "Unknown area “space travel”" in problems[9]
    assert "already has this partnership" in problems[10]
    assert "Duplicate of row 2" in problems[11]
    assert "neither yes nor no" in problems[12]
    assert "not in the United States or China" in problems[13]
    assert not report.ok


def test_unknown_city_comes_with_suggestions(project: Project, gazetteer: Finder) -> None:
    report = importing.check_file(project, csv_bytes("Wroclav,PL,Guangzhou,CN"), "a.csv")
    assert "Did you mean Wrocław" in report.rows[0].problems[0]


def test_missing_columns_and_unreadable_files(project: Project, gazetteer: Finder) -> None:
    report = importing.check_file(project, b"city,partner\nWroclaw,Guangzhou\n", "a.csv")
    assert report.missing_columns == ["eu_place", "partner_place"]
    with pytest.raises(importing.ImportFileError, match="UTF-8"):
        importing.check_file(project, "eu_place\nŁódź\n".encode("cp1250"), "a.csv")
    with pytest.raises(importing.ImportFileError, match="Excel"):
        importing.check_file(project, b"PK\x03\x04 not really", "a.xlsx")


def test_semicolon_csv_with_byte_order_mark(project: Project, gazetteer: Finder) -> None:
    data = "\ufeffeu_place;eu_country;partner_place;partner_country\nŁódź;PL;Chengdu;CN\n"
    report = importing.check_file(project, data.encode("utf-8"), "a.csv")
    assert report.ok and report.rows[0].eu_place.name == "Łódź"


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_import_reads_dates_and_numbers(project: Project, gazetteer: Finder) -> None:
    from datetime import datetime

    data = xlsx_bytes([
        HEADER.split(","),
        ["Poznań", "PL", "Shenzhen", "CN", "memorandum", "active", datetime(2017, 9, 20), None,
         "business; science", 1, 0],
    ])
    report = importing.check_file(project, data, "partnerships.xlsx")
    assert report.ok, report.bad_rows[0].problems if report.bad_rows else None
    row = report.rows[0]
    assert row.kind == "cooperation_agreement" and str(row.signed_on) == "2017-09-20"
    assert [area.name for area in row.areas] == ["business", "science"]
    assert row.flags["agreement_on_file"] is True and row.flags["office_abroad"] is False


def upload(client, project: Project, data: bytes, name: str = "p.csv"):
    return client.post(f"/projects/{project.id}/partnerships/import",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_preview_then_commit_through_the_pages(
    project: Project, people: dict[str, User], gazetteer: Finder, client_for, files_dir
) -> None:
    client = client_for(people["interviewer"])
    response = upload(client, project, csv_bytes(
        "Wrocław,PL,Guangzhou,CN,friendship city,active,2015-05-12,,business; education,yes,,,,"
        "https://example.org/a,2024-03-01,note"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Import 1 partnership" in page
    assert partnerships_in(project) == []
    stored = db.session.scalar(db.select(StoredFile).order_by(StoredFile.id.desc()))
    response = client.post(f"/projects/{project.id}/partnerships/import/commit",
                           data={"file_id": str(stored.id)}, follow_redirects=True)
    assert "1 partnership imported from p.csv." in response.get_data(as_text=True)
    [made] = partnerships_in(project)
    assert made.kind == "friendship_city" and made.agreement_on_file
    assert [area.name for area in made.areas] == ["business", "education"]
    assert made.sources[0].url == "https://example.org/a"


def test_failed_import_leaves_nothing_behind(
    project: Project, people: dict[str, User], gazetteer: Finder, client_for, files_dir
) -> None:
    client = client_for(people["lead"])
    response = upload(client, project, csv_bytes("Wrocław,PL,Guangzhou,CN",
                                                 "Wrocław,PL,Atlantis,US"))
    page = response.get_data(as_text=True)
    assert "Row 3: Unknown partner place “Atlantis”" in page
    assert "Import 2" not in page
    stored = db.session.scalar(db.select(StoredFile).order_by(StoredFile.id.desc()))
    response = client.post(f"/projects/{project.id}/partnerships/import/commit",
                           data={"file_id": str(stored.id)}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path.startswith(f"/projects/{project.id}/tasks/")
    assert "Failed: Nothing was imported: the file has rows to correct" in page
    assert "Row 3: Unknown partner place “Atlantis”" in page
    assert partnerships_in(project) == []


def test_another_users_import_file_cannot_be_committed(
    project: Project, people: dict[str, User], gazetteer: Finder, client_for, files_dir
) -> None:
    upload(client_for(people["lead"]), project, csv_bytes("Wrocław,PL,Guangzhou,CN"))
    stored = db.session.scalar(db.select(StoredFile).order_by(StoredFile.id.desc()))
    response = client_for(people["interviewer"]).post(
        f"/projects/{project.id}/partnerships/import/commit", data={"file_id": str(stored.id)})
    assert response.status_code == 404
    assert partnerships_in(project) == []


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_export_round_trip(
    project: Project, make_project: Callable[..., Project], people: dict[str, User],
    gazetteer: Finder, client_for, extension: str,
) -> None:
    data = csv_bytes(
        "Wrocław,PL,Guangzhou,CN,friendship city,active,2015-05-12,,business; education,yes",
        "Kraków,PL,Rochester (New York),US,sister city,dormant,1973-06-01,2001-01-01,culture",
        "Hamburg,DE,Shanghai,CN,sister city,active,,,,no,yes,yes,yes,https://example.org/h",
        "Praha,CZ,Springfield (Missouri),US,letter of intent",
        "Berlin,DE,Chicago,US",
    )
    report = importing.check_file(project, data, "a.csv")
    importing.commit_import(project, report, people["lead"], "a.csv")
    response = client_for(people["viewer"]).get(
        f"/projects/{project.id}/partnerships/export.{extension}")
    assert response.status_code == 200
    exported = response.get_data()
    other = make_project("Copy", lead=people["lead"])
    again = importing.check_file(other, exported, f"export.{extension}")
    assert again.ok, [row.problems for row in again.bad_rows]
    importing.commit_import(other, again, people["lead"], "export")

    def facts(p: Project) -> list[tuple]:
        return sorted(
            (x.eu_place_id, x.partner_place_id, x.kind, x.status, x.signed_on, x.ended_on,
             tuple(a.name for a in x.areas), x.agreement_on_file, x.office_abroad,
             x.dedicated_staff, x.budget_line, tuple(s.url for s in x.sources))
            for x in partnerships_in(p)
        )

    assert facts(other) == facts(project)
    if extension == "xlsx":
        sheet = load_workbook(io.BytesIO(exported)).active
        assert [cell.value for cell in sheet[1]] == list(importing.COLUMNS)


@pytest.fixture
def low_threshold(app):
    previous = app.config["EXPORT_JOB_THRESHOLD"]
    app.config["EXPORT_JOB_THRESHOLD"] = 1
    yield
    app.config["EXPORT_JOB_THRESHOLD"] = previous


def test_a_large_file_is_checked_in_the_background_then_imported(
    project: Project, people: dict[str, User], gazetteer: Finder, client_for, files_dir,
    low_threshold,
) -> None:
    client = client_for(people["interviewer"])
    checked = client.post(f"/projects/{project.id}/partnerships/import",
                          data={"file": (io.BytesIO(csv_bytes("Wrocław,PL,Guangzhou,CN",
                                                              "Kraków,PL,Chengdu,CN")), "p.csv")},
                          content_type="multipart/form-data", follow_redirects=True)
    page = checked.get_data(as_text=True)
    assert "Check of “p.csv” (2 rows)" in page and "All 2 rows are fine. Import them?" in page
    assert partnerships_in(project) == []
    stored = db.session.scalar(db.select(StoredFile).order_by(StoredFile.id.desc()))
    assert f'<input type="hidden" name="file_id" value="{stored.id}">' in page
    imported = client.post(f"/projects/{project.id}/partnerships/import/commit",
                           data={"file_id": str(stored.id)}, follow_redirects=True)
    assert "2 partnerships imported from p.csv." in imported.get_data(as_text=True)
    assert len(partnerships_in(project)) == 2


def test_a_large_file_with_bad_rows_lists_them_and_offers_no_import(
    project: Project, people: dict[str, User], gazetteer: Finder, client_for, files_dir,
    low_threshold,
) -> None:
    checked = client_for(people["lead"]).post(
        f"/projects/{project.id}/partnerships/import",
        data={"file": (io.BytesIO(csv_bytes("Wrocław,PL,Guangzhou,CN", "Wrocław,PL,Atlantis,US")),
                       "p.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    page = checked.get_data(as_text=True)
    assert "1 of 2 rows to correct; nothing was imported." in page
    assert "Row 3: Unknown partner place “Atlantis”" in page
    assert 'name="file_id"' not in page
    assert partnerships_in(project) == []
