"""Exports over EXPORT_JOB_THRESHOLD rows run as background tasks (real Huey tasks, run at
once in the tests): the task's page with its progress, the download (the same content as
the direct export), the notice on the starter's next page, failures in words, stopped
workers, who may download, and files deleted after the retention period."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from docx import Document
from openpyxl import load_workbook

from coding.codings import apply_codes
from coding.exports import ExportOptions, selection_for
from coding.models import Source
from coding.tasks import queue_export
from fieldwork.background.status import STALE_AFTER, WORKER_STOPPED
from fieldwork.background.tasks import submit, tidy_background_tasks
from fieldwork.background.work import Progress, start
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, BackgroundTask, Membership
from fieldwork.storage import file_store

CODINGS = 12
THRESHOLD = 10


@pytest.fixture
def coded(project, people, make_source, make_code):
    """A document with CODINGS codings, over the threshold set low for the test."""
    source = make_source("Współpraca z Guangzhou. " * CODINGS, title="Notes")
    code = make_code("Business")
    for number in range(CODINGS):
        start = number * 24
        apply_codes(source, [code.id], start, start + 11, source.text_version, people["coder"])
    db.session.commit()
    return source


@pytest.fixture
def threshold(app):
    previous = app.config["EXPORT_JOB_THRESHOLD"]
    app.config["EXPORT_JOB_THRESHOLD"] = THRESHOLD
    yield THRESHOLD
    app.config["EXPORT_JOB_THRESHOLD"] = previous


def exports_url(project, query=""):
    return f"/projects/{project.id}/coding/exports{query}"


def tasks_url(project, rest=""):
    return f"/projects/{project.id}/tasks/{rest}"


def latest_task():
    return db.session.scalar(db.select(BackgroundTask).order_by(BackgroundTask.id.desc()))


def export_as_task(client, project, what):
    response = client.post(exports_url(project), data={"what": what})
    assert response.status_code == 302 and "/tasks/" in response.location
    return latest_task(), response.location


def queued_task(project, people, what="codings_csv"):
    """A task made as the Exports page makes it, committed, not yet run."""
    selection = selection_for(project, ExportOptions(what=what), people["coder"], "coder", False)
    task = queue_export(selection, people["coder"], CODINGS)
    db.session.commit()
    return task


def test_a_large_csv_export_is_a_task_whose_file_is_the_direct_export(
        project, people, client_for, coded, app, threshold, files_dir):
    client = client_for(people["coder"])
    task, location = export_as_task(client, project, "codings_csv")
    assert task.label == f"CSV export of {CODINGS} codings" and task.status == "done"
    page = client.get(location)
    assert "CSV export of 12 codings" in page.text and "Ready" in page.text
    assert f"Exported {CODINGS} codings with their attributes as CSV." in page.text
    assert "hx-trigger" not in page.text
    downloaded = client.get(f"{location}/download")
    assert downloaded.status_code == 200 and downloaded.mimetype == "text/csv"
    assert "attachment" in downloaded.headers["Content-Disposition"]

    app.config["EXPORT_JOB_THRESHOLD"] = CODINGS
    with client.post(exports_url(project), data={"what": "codings_csv"}) as direct:
        assert direct.status_code == 200
        assert downloaded.data == direct.data
    rows = list(csv.reader(io.StringIO(direct.data.decode("utf-8-sig"))))
    assert len(rows) == CODINGS + 1
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "coding.export", AuditEntry.user_id == people["coder"].id)) == 2


def test_a_large_xlsx_export_holds_the_same_cells_as_the_direct_one(
        project, people, client_for, coded, app, threshold, files_dir):
    client = client_for(people["lead"])
    task, location = export_as_task(client, project, "codings_xlsx")
    assert task.label == f"XLSX export of {CODINGS} codings"
    assert task.result_file.filename.endswith(".xlsx")
    from_task = load_workbook(io.BytesIO(client.get(f"{location}/download").data))
    app.config["EXPORT_JOB_THRESHOLD"] = CODINGS
    with client.post(exports_url(project), data={"what": "codings_xlsx"}) as response:
        direct = load_workbook(io.BytesIO(response.data))
    for name in ("Codings", "About"):
        assert (list(from_task[name].iter_rows(values_only=True))
                == list(direct[name].iter_rows(values_only=True)))
    assert len(list(direct["Codings"].iter_rows())) == CODINGS + 1


def test_a_large_word_export_holds_the_same_paragraphs_as_the_direct_one(
        project, people, client_for, coded, app, threshold, files_dir):
    client = client_for(people["coder"])
    task, location = export_as_task(client, project, "excerpts_docx")
    assert task.label == f"Word export of {CODINGS} codings"
    from_task = Document(io.BytesIO(client.get(f"{location}/download").data))
    app.config["EXPORT_JOB_THRESHOLD"] = CODINGS
    direct = Document(io.BytesIO(client.post(exports_url(project),
                                             data={"what": "excerpts_docx"}).data))
    assert [p.text for p in from_task.paragraphs] == [p.text for p in direct.paragraphs]
    assert sum(p.style.name == "Quote" for p in direct.paragraphs) == CODINGS


def test_a_large_export_asked_for_by_a_link_waits_for_the_button(
        project, people, client_for, coded, threshold):
    page = client_for(people["coder"]).get(exports_url(project, "?what=codings_csv"))
    assert page.status_code == 200
    assert "This export holds 12 rows: it is made in the background." in page.text
    assert latest_task() is None


def test_the_page_shows_progress_while_the_task_runs(project, people, client_for, coded):
    task = queued_task(project, people)
    client = client_for(people["coder"])
    waiting = client.get(tasks_url(project, str(task.id)))
    assert "Waiting for a worker" in waiting.text
    assert f'hx-get="/projects/{project.id}/tasks/{task.id}/status"' in waiting.text
    start(task)
    Progress(task.id)(4_000, 10_000, "codings written")
    running = client.get(tasks_url(project, f"{task.id}/status"))
    assert "<html" not in running.text and 'hx-trigger="every 2s"' in running.text
    assert '<progress value="40" max="100"' in running.text
    assert "40 % · 4,000 of 10,000 codings written" in running.text
    listed = client.get(tasks_url(project))
    assert "CSV export of 12 codings" in listed.text and "40 %" in listed.text
    exports_page = client.get(exports_url(project))
    assert "Made in the background" in exports_page.text and "40 %" in exports_page.text
    assert "CSV export of 12 codings" in client_for(people["lead"]).get(tasks_url(project)).text
    assert "Nothing yet." in client_for(people["viewer"]).get(tasks_url(project)).text


def test_a_stopped_worker_is_said_and_the_export_can_be_started_again(
        project, people, client_for, coded, files_dir):
    task = queued_task(project, people)
    start(task)
    task.heartbeat_at = utcnow() - STALE_AFTER - timedelta(seconds=1)
    db.session.commit()
    client = client_for(people["coder"])
    page = client.get(tasks_url(project, str(task.id)))
    assert f"Stopped: {WORKER_STOPPED}." in page.text and "Start it again" in page.text
    assert tidy_background_tasks.call_local() == {"stopped": 1, "imports_undone": 0,
                                                   "files_deleted": 0}
    again = client.post(tasks_url(project, f"{task.id}/again"), follow_redirects=True)
    assert "Ready" in again.text and "Download" in again.text
    assert latest_task().id != task.id and latest_task().status == "done"


def test_the_starter_is_told_once_on_their_next_page(project, people, client_for, coded,
                                                      threshold, files_dir):
    coder = client_for(people["coder"])
    task, _location = export_as_task(coder, project, "codings_csv")
    notice = coder.get(f"/projects/{project.id}/")
    assert "Your CSV export of 12 codings is ready — " in notice.text
    assert f'href="/projects/{project.id}/tasks/{task.id}/download">download</a>' in notice.text
    assert "is ready" not in coder.get(f"/projects/{project.id}/").text
    assert "is ready" not in client_for(people["lead"]).get(f"/projects/{project.id}/").text


def test_the_starter_who_watched_it_end_is_not_told_again(project, people, client_for,
                                                          coded, threshold, files_dir):
    coder = client_for(people["coder"])
    _task, location = export_as_task(coder, project, "codings_csv")
    assert "Ready" in coder.get(location).text
    assert "is ready" not in coder.get(f"/projects/{project.id}/").text


def test_a_failure_is_said_in_words_on_the_page_and_in_the_notice(
        project, people, client_for, coded):
    task = queued_task(project, people)
    db.session.execute(db.delete(Membership).where(Membership.project_id == project.id,
                                                   Membership.user_id == people["coder"].id))
    db.session.commit()
    submit(task)
    db.session.refresh(task)
    reason = "the person who started it may no longer do this in the project"
    assert task.status == "failed" and task.error == reason
    page = client_for(people["lead"]).get(tasks_url(project, str(task.id)))
    assert f"Failed: {reason}" in page.text and "Start it again" in page.text
    told = client_for(people["coder"]).get("/projects")
    assert f"Your CSV export of 12 codings failed: {reason} — " in told.text
    assert "see the details" in told.text
    assert db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "coding.export")) is None


def test_only_the_starter_and_the_leads_download(project, people, client_for, coded,
                                                 threshold, files_dir, make_project):
    task, location = export_as_task(client_for(people["coder"]), project, "codings_csv")
    download = f"{location}/download"
    assert client_for(people["lead"]).get(download).status_code == 200
    assert client_for(people["viewer"]).get(download).status_code == 403
    assert client_for(people["interviewer"]).get(download).status_code == 403
    second = make_project("Second", lead=people["outsider"])
    db.session.add(Membership(project_id=project.id, user_id=people["outsider"].id,
                              role="coder"))
    db.session.commit()
    assert client_for(people["outsider"]).get(download).status_code == 404
    assert client_for(people["outsider"]).get(
        f"/projects/{second.id}/tasks/{task.id}").status_code == 404
    viewer_page = client_for(people["viewer"]).get(location)
    assert "Only Coder and the project's leads may download this file." in viewer_page.text


def test_export_files_are_deleted_after_the_retention_period(
        project, people, client_for, coded, threshold, files_dir):
    task, location = export_as_task(client_for(people["coder"]), project, "codings_csv")
    blob = file_store().blob_path(task.result_file.sha256)
    assert blob.exists()
    assert tidy_background_tasks.call_local()["files_deleted"] == 0
    task.finished_at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert tidy_background_tasks.call_local()["files_deleted"] == 1
    assert not blob.exists()
    page = client_for(people["coder"]).get(location)
    assert "File deleted" in page.text and "Make the export again" in page.text
    assert client_for(people["coder"]).get(f"{location}/download").status_code == 404


def test_a_qdpx_export_is_always_a_task(project, people, client_for, coded, files_dir):
    client = client_for(people["coder"])
    page = client.post(f"/projects/{project.id}/coding/exchange/export", follow_redirects=True)
    assert "REFI-QDA project export (.qdpx)" in page.text
    assert "1 sources, 12 codings and 0 memos exported." in page.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Source)) == 1
