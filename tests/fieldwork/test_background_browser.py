"""In the browser: a task's page follows its progress by itself (htmx polls its status, no
inline script) and offers the download when the task is done."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import Page, expect

from fieldwork.database import writing
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import BackgroundTask, Project, User
from fieldwork.storage import store_upload
from tests.conftest import LiveServer


@pytest.mark.committed
@pytest.mark.slow
def test_the_task_page_follows_the_task_to_its_download(
    page: Page, live_server: LiveServer, people: dict[str, User], project: Project,
    files_dir: object,
) -> None:
    coder = people["coder"]
    task = BackgroundTask(project_id=project.id, user_id=coder.id, kind="coding.export",
                          label="XLSX export of 100,000 codings", permission="analysis.export",
                          status="running", progress=0.25,
                          message="25,000 of 100,000 codings written", started_at=utcnow(),
                          heartbeat_at=utcnow())
    db.session.add(task)
    db.session.commit()
    url = f"/projects/{project.id}/tasks/{task.id}"
    live_server.log_in(page, coder)
    page.goto(url)
    expect(page.locator(".task-progress")).to_have_text("25 % · 25,000 of 100,000 codings written")

    db.session.rollback()  # a read of this test's is older than the server's writes
    with writing():
        task.progress, task.message = 0.5, "50,000 of 100,000 codings written"
        db.session.commit()
    expect(page.locator(".task-progress")).to_contain_text("50 %", timeout=8_000)

    db.session.rollback()
    with writing():
        task.result_file = store_upload(io.BytesIO(b"PK fake workbook"), "codings.xlsx",
                                        coder.id)
        task.status, task.progress, task.finished_at = "done", 1.0, utcnow()
        task.report = {"lines": ["Exported 100,000 codings with their attributes as XLSX."],
                       "problems": [], "next": None}
        db.session.commit()
    link = page.get_by_role("button", name="Download codings.xlsx")
    expect(link).to_be_visible(timeout=8_000)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "codings.xlsx"
    page.goto(url.split("/tasks/")[0] + "/")
    expect(page.locator(".task-notice")).to_have_count(0)
