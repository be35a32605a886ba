"""Recordings made for the tests: speech with known words (eSpeak NG), and broken files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from fieldwork.models import Project, User
from interviews.models import Interview
from tests.audio import speak

SPOKEN = "The city council signed a partnership agreement with Brussels."


@pytest.fixture(scope="session")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speak(SPOKEN, tmp_path_factory.mktemp("speech") / "speech.wav")


@pytest.fixture
def interview(project: Project, make_interview: Callable[..., Interview]) -> Interview:
    return make_interview(project, datetime(2026, 3, 16, 10))


def upload(client: FlaskClient, project: Project, interview: Interview, data: bytes,
           filename: str = "interview.wav", chunk: int = 64 * 1024,
           declared_type: str = "audio/wav") -> tuple[int, dict]:
    """Upload in chunks as upload.js does; return the finish answer's status and JSON.
    `declared_type` is what a browser (or anyone) may claim the file is."""
    start = client.post(f"/projects/{project.id}/interviews/{interview.id}/uploads",
                        json={"filename": filename, "size": len(data), "type": declared_type})
    if start.status_code != 201:
        return start.status_code, start.get_json()
    state = start.get_json()
    for offset in range(0, len(data), chunk):
        answer = client.post(f"{state['url']}?offset={offset}", data=data[offset:offset + chunk],
                             content_type="application/octet-stream")
        assert answer.status_code == 200, answer.get_json()
    finish = client.post(state["finish_url"])
    return finish.status_code, finish.get_json()


@pytest.fixture
def upload_as(client_for: Callable[[User | None], FlaskClient], project: Project,
              people: dict[str, User]) -> Callable[..., tuple[int, dict]]:
    def send(interview: Interview, data: bytes, role: str = "interviewer",
             filename: str = "interview.wav", declared_type: str = "audio/wav",
             ) -> tuple[int, dict]:
        return upload(client_for(people[role]), project, interview, data, filename,
                      declared_type=declared_type)

    return send
