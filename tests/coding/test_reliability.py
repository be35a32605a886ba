"""A transcript that needs review says so wherever its words are used: the interview page,
the transcription queue, the transcript list, the editor, the coding page, retrieval, the
quote bank and every export; checking its doubtful segment takes each mark away."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from flask.testing import FlaskClient
from openpyxl import load_workbook

from coding.exports import ExportOptions, make_export
from coding.models import Code
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, User
from interviews.transcripts.models import Transcript
from tests.audio import silence
from tests.coding.reliability_sample import Sample, doubtful_sample
from tests.coding.test_exports import csv_rows

NOTE = "automatic transcript, not checked: about 62 % of words may be wrong"


@pytest.fixture(scope="module")
def audio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return silence(tmp_path_factory.mktemp("audio") / "call.wav", 21.0)


@pytest.fixture
def sample(project: Project, people: dict[str, User], audio: Path, files_dir: Path) -> Sample:
    return doubtful_sample(project, people, audio)


@pytest.fixture
def coder(client_for: Callable[[User | None], FlaskClient],
          people: dict[str, User]) -> FlaskClient:
    return client_for(people["coder"])


def pages(project: Project, sample: Sample) -> dict[str, str]:
    transcript = db.session.get(Transcript, sample.transcript_id)
    code = db.session.scalar(db.select(Code).where(Code.name == "Beginnings"))
    p = f"/projects/{project.id}"
    return {
        "interview": f"{p}/interviews/{transcript.interview_id}/recordings",  # its panel
        "queue": f"{p}/transcription/",
        "list": f"{p}/transcripts/",
        "editor": f"{p}/transcripts/{transcript.id}",
        "coding": f"{p}/coding/sources/{sample.source_id}",
        "retrieval": f"{p}/coding/retrieve?codes={code.id}",
        "quotes": f"{p}/coding/quotes/",
    }


def excerpt_of(page: str, coding_id: int) -> str:
    start = page.index(f'id="e{coding_id}"')
    return page[start:page.index("</blockquote>", start)]


def test_needs_review_is_said_in_every_place_until_it_is_checked(
    coder: FlaskClient, project: Project, sample: Sample, people: dict[str, User],
) -> None:
    urls = pages(project, sample)
    answers = {name: coder.get(url) for name, url in urls.items()}
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(urls, 200)
    text = {name: a.text for name, a in answers.items()}
    summary = "not checked by a person yet; about 34 % words wrong"
    for name in ("interview", "queue", "list", "editor"):
        assert "Needs review" in text[name], name
    assert summary in text["interview"] and summary in text["list"]
    assert "Needs review:</strong> this is an automatic transcript, " + summary in text["coding"]
    assert "1 uncertain segment not checked yet, worst first" in text["editor"]
    assert "about 62 % words wrong" in text["editor"]
    for name in ("retrieval", "quotes"):
        assert "Automatic transcript, not checked: about 62 % of words may be wrong." in \
            excerpt_of(text[name], sample.doubtful_id), name
        assert "Needs review" not in excerpt_of(text[name], sample.sound_id), name
        assert "▶ Play 0:01–0:07" in excerpt_of(text[name], sample.doubtful_id), name

    answer = coder.post(f"/projects/{project.id}/coding/codings/{sample.doubtful_id}/checked",
                        headers={"Accept": "application/json"})
    assert answer.get_json() == {"checked": 1}
    db.session.expire_all()
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "transcript.check"))
    assert entry.user_id == people["coder"].id
    assert "1 segment checked by ear from an excerpt (00:00:00–00:00:10)" in entry.summary
    after = {name: coder.get(url).text for name, url in urls.items()}
    for name, page in after.items():
        assert "Needs review" not in page, name
    assert "50 % checked by a person; the rest about 5 % words wrong" in after["list"]


def test_the_transcript_list_sorts_the_least_trustworthy_first(
    coder: FlaskClient, project: Project, sample: Sample, people: dict[str, User],
    audio: Path,
) -> None:
    other = doubtful_sample(project, people, audio)
    db.session.get(Transcript, other.transcript_id).estimated_word_error = 0.9
    db.session.flush()
    by_interview = coder.get(f"/projects/{project.id}/transcripts/").text
    worst_first = coder.get(f"/projects/{project.id}/transcripts/?sort=review").text
    assert 'aria-sort="descending"' in worst_first
    first, second = (f"/transcripts/{i}\"" for i in (sample.transcript_id, other.transcript_id))
    assert by_interview.index(first) < by_interview.index(second)
    assert worst_first.index(second) < worst_first.index(first)


def export(project: Project, people: dict[str, User], what: str):
    return make_export(project, ExportOptions(what=what), people["lead"], "lead",
                       may_see_identity=True)


def test_exports_carry_the_mark(project: Project, people: dict[str, User],
                                sample: Sample) -> None:
    rows = {int(r["Coding ID"]): r for r in csv_rows(export(project, people, "codings_csv"))}
    assert rows[sample.doubtful_id]["Transcript check"] == f"needs review: {NOTE}"
    assert rows[sample.sound_id]["Transcript check"] == "no review needed"

    with export(project, people, "codings_xlsx").content as file:
        workbook = load_workbook(file, read_only=True)
        table = list(workbook["Codings"].iter_rows(values_only=True))
        workbook.close()
    column = table[0].index("Transcript check")
    assert sorted(row[column] for row in table[1:]) == ["needs review: " + NOTE,
                                                       "no review needed"]

    document = Document(io.BytesIO(export(project, people, "excerpts_docx").content))
    citations = [p.text for p in document.paragraphs if p.text.startswith("— ")]
    assert len(citations) == 2 and sum(c.endswith(f"({NOTE})") for c in citations) == 1


def test_the_json_export_says_how_far_each_segment_can_be_trusted(
    coder: FlaskClient, project: Project, sample: Sample,
) -> None:
    answer = coder.get(f"/projects/{project.id}/transcripts/{sample.transcript_id}/export"
                       "?format=json")
    data = json.loads(answer.data)
    assert data["reliability"] == {
        "estimated_word_error": pytest.approx(0.335, abs=0.001), "needs_review": True,
        "checked_share": 0.0, "review_threshold": 0.25,
        "summary": "not checked by a person yet; about 34 % words wrong",
        "basis": ["as the job would have said"]}
    assert [s["estimated_word_error"] for s in data["segments"]] == [0.62, 0.05]
    assert [s["checked"] for s in data["segments"]] == [False, False]
    assert data["header"]["Reliability"].startswith("needs review: not checked")
