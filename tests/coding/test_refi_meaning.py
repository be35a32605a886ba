"""REFI-QDA imports that keep what the file means: sources named as the file names them (or
by their file, or their first words) and never twice alike, codes kept apart by case, the
file's coders as coder identities of the project, GUIDs kept and used again, and a file
given to the wrong import sent to the right page."""

from __future__ import annotations

import html
import io
import zipfile

import pytest

from coding import refi
from coding.codings import Viewer
from tests.coding.test_refi import upload


def qdpx(qde: str, files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", qde)
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()


def project_xml(codes: str = "", sources: str = "", users: str = "", rest: str = "") -> str:
    codebook = f"<CodeBook><Codes>{codes}</Codes></CodeBook>" if codes else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
            f'name="P" origin="Tool">{users}{codebook}<Sources>{sources}</Sources>{rest}'
            "</Project>")


def text_source(number: int, name: str | None, path: str) -> str:
    named = f' name="{name}"' if name is not None else ""
    return (f'<TextSource guid="50000000-0000-0000-0000-{number:012d}"{named} '
            f'plainTextPath="{path}"/>')


def test_sources_without_a_name_take_their_file_then_their_first_words_never_twice():
    sources = "".join([
        text_source(1, None, "internal://board_2017.txt"),
        text_source(2, "", "internal://admin-1.txt"),
        text_source(3, None, "internal://50000000-0000-0000-0000-000000000003.txt"),
        text_source(4, "Admin-1", "internal://x.txt"),
        text_source(5, " ", "internal://50000000-0000-0000-0000-000000000005.txt"),
        text_source(6, None, "internal://50000000-0000-0000-0000-000000000006.txt"),
    ])
    data = qdpx(project_xml(sources=sources), {
        "sources/board_2017.txt": "Minutes of the board.",
        "sources/admin-1.txt": "Admin notes.",
        "sources/50000000-0000-0000-0000-000000000003.txt":
            "The mayor of Brno met the delegation from Dallas on a rainy Monday in May.",
        "sources/x.txt": "Another admin file.",
        "sources/50000000-0000-0000-0000-000000000005.txt": "Short text.",
        "sources/50000000-0000-0000-0000-000000000006.txt": "Short text.",
    })
    names = [source.name for source in refi.read_project(data).sources]
    assert names == ["board_2017", "admin-1",
                     "The mayor of Brno met the delegation from…", "Admin-1 (2)",
                     "Short text.", "Short text. (2)"]


def test_a_codebook_at_the_project_import_is_sent_to_the_codebook_page(project, people,
                                                                       client_for, make_code):
    make_code("Goals")
    qdc = refi.codebook_qdc(project, people["lead"])
    refused = upload(client_for(people["lead"]), project, qdc, "codes.qdc")
    assert refused.status_code == 400
    assert ("Nothing was imported. This is a codebook (.qdc), not a whole project (.qdpx): "
            "import it on the codebook's page, under Codebook › Import a codebook."
            ) in html.unescape(refused.text)
    with pytest.raises(refi.RefiError, match=r"^This is a codebook \(\.qdc\)"):
        refi.read_project(b"\xef\xbb\xbf" + qdc)


def test_a_project_at_the_codebook_import_brings_its_codes_and_says_what_it_left(
        project, people, client_for, make_source, make_code, code_words, make_project):
    code_words(make_source(), make_code("Goals"), "Guangzhou")
    data = refi.project_qdpx(project, Viewer(people["lead"], "lead", blind=False)).data
    other = make_project("Other", lead=people["lead"])
    page = upload(client_for(people["lead"]), other, data, "whole.qdpx", "codebook/import")
    assert "1 codes added" in page.text
    assert ("Not taken: sources of this whole project (.qdpx), as a codebook import takes "
            "only its codes: to import the project, use REFI-QDA exchange in a new, empty "
            "project: 1.") in page.text
