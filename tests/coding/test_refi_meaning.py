"""REFI-QDA imports that keep what the file means: sources named as the file names them (or
by their file, or their first words) and never twice alike, codes kept apart by case, the
file's coders as coder identities of the project, GUIDs kept and used again, and a file
given to the wrong import sent to the right page."""

from __future__ import annotations

import html
import io
import zipfile
from collections import Counter
from xml.etree import ElementTree

import pytest

from coding import refi
from coding.codebook import project_codes
from coding.coders import external_coders
from coding.codings import Viewer, project_coders
from coding.comparison import compare_coders
from coding.models import Coding, Memo, Source
from fieldwork.accounts.accounts import authenticate
from fieldwork.extensions import db
from fieldwork.models import User
from tests.coding.test_refi import coded, lead_viewer, unpack, upload, url  # noqa: F401


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


def canonical(qde: bytes) -> str:
    """The project XML without the project's own name and date, notes in GUID order."""
    root = ElementTree.fromstring(qde)
    root.attrib.clear()
    for container in root:
        if container.tag.endswith("Notes"):
            container[:] = sorted(container, key=lambda note: note.get("guid"))
    return ElementTree.tostring(root, encoding="unicode")


def test_round_trip_gives_back_the_same_file(coded, people, make_project):  # noqa: F811
    first = refi.project_qdpx(coded, lead_viewer(people)).data
    copy = make_project("Copy", lead=people["lead"])
    report = refi.import_project(copy, first, "coded.qdpx", people["lead"])
    db.session.flush()
    assert report.guids_replaced == {} and report.renamed == []
    again = refi.project_qdpx(copy, lead_viewer(people)).data
    before, after = unpack(first), unpack(again)
    assert canonical(after.pop("project.qde")) == canonical(before.pop("project.qde"))
    assert after == before
    assert "creatingUser" in canonical(unpack(first)["project.qde"])


def test_a_guid_this_project_uses_already_is_replaced_and_reported(coded, people,  # noqa: F811
                                                                   make_project):
    data = refi.project_qdpx(coded, lead_viewer(people)).data
    copy = make_project("Copy", lead=people["lead"])
    report = refi.import_project(copy, data, "coded.qdpx", people["lead"])
    db.session.flush()
    for source in db.session.scalars(db.select(Source).where(Source.project_id == copy.id)):
        db.session.delete(source)
    db.session.flush()
    again = refi.import_project(copy, data, "coded.qdpx", people["lead"])
    assert report.guids_replaced == {} and again.guids_replaced == {"notes": 2}
    assert ("GUIDs already used in this project or twice in the file were replaced by new "
            "ones: 2 of notes.") in refi.project_lines(again)


TWO_CODERS_TEXT = "We signed with Guangzhou. Trade grew fast. Schools exchanged pupils."


def two_coders_file(second: str = "Gergo Szabo") -> bytes:
    """One source coded by two people of the file, one with an account here (Coder) and
    one without; codes that differ only in case."""
    codes = ('<Code guid="c0000000-0000-0000-0000-000000000001" name="Trust" '
             'isCodable="true" color="#FF0000"><Description>Believing.</Description></Code>'
             '<Code guid="c0000000-0000-0000-0000-000000000002" name="trust" '
             'isCodable="true" color="#00FF00"><Description>The word.</Description></Code>')
    users = ('<Users><User guid="a0000000-0000-0000-0000-000000000001" name="Coder"/>'
             f'<User guid="a0000000-0000-0000-0000-000000000002" name="{second}"/>'
             '<User guid="a0000000-0000-0000-0000-000000000003" name="Idle Person"/></Users>')
    selections = []
    for number, (words, code, coder) in enumerate([
            ("Guangzhou", 1, 1), ("Guangzhou", 1, 2), ("Trade grew", 2, 1),
            ("Trade grew fast", 2, 2), ("Schools", 1, 2)]):
        start = TWO_CODERS_TEXT.index(words)
        selections.append(
            f'<PlainTextSelection guid="51000000-0000-0000-0000-{number:012d}" '
            f'startPosition="{start}" endPosition="{start + len(words)}" '
            f'creatingUser="a0000000-0000-0000-0000-00000000000{coder}">'
            f'<Coding guid="52000000-0000-0000-0000-{number:012d}">'
            f'<CodeRef targetGUID="c0000000-0000-0000-0000-00000000000{code}"/></Coding>'
            "</PlainTextSelection>")
    source = ('<TextSource guid="50000000-0000-0000-0000-000000000001" name="Board" '
              'plainTextPath="internal://50000000-0000-0000-0000-000000000001.txt">'
              f'{"".join(selections)}</TextSource>')
    return qdpx(project_xml(codes, source, users).replace('origin="Tool"',
                                                          'origin="NVivo 14"'),
                {"sources/50000000-0000-0000-0000-000000000001.txt": TWO_CODERS_TEXT})


def test_codes_that_differ_only_in_case_stay_two(project, people):
    report = refi.import_project(project, two_coders_file(), "two.qdpx", people["lead"])
    db.session.flush()
    codes = {code.name: code for code in project_codes(project)}
    assert set(codes) == {"Trust", "trust (2)"}
    assert (codes["Trust"].colour, codes["Trust"].definition) == ("#FF0000", "Believing.")
    assert (codes["trust (2)"].colour, codes["trust (2)"].definition) == ("#00FF00",
                                                                          "The word.")
    assert (codes["Trust"].guid, codes["trust (2)"].guid) == (
        "c0000000-0000-0000-0000-000000000001", "c0000000-0000-0000-0000-000000000002")
    assert report.renamed == [("trust", "trust (2)")]
    assert ("The code “trust” is named “trust (2)” here: a code beside it has the same name "
            "in another case, and Fieldwork tells codes apart whatever their case."
            ) in refi.project_lines(report)
    per_code = Counter(coding.code.name for coding in db.session.scalars(
        db.select(Coding).where(Coding.project_id == project.id)))
    assert per_code == {"Trust": 3, "trust (2)": 2}
    qdc = refi.codebook_qdc(project, people["lead"]).decode()
    assert 'guid="c0000000-0000-0000-0000-000000000002" name="trust (2)"' in qdc


def test_codebook_import_matches_by_guid_then_exact_name(project, people, make_code):
    make_code("Trust")
    qdc = (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
           b'<Code guid="11111111-1111-1111-1111-111111111111" name="trust" isCodable="true"/>'
           b'<Code guid="22222222-2222-2222-2222-222222222222" name="Trust" isCodable="true"/>'
           b'</Codes></CodeBook>')
    report = refi.import_codebook(project, qdc, "nvivo.qdc", people["lead"])
    assert (report.codes_added, report.codes_kept) == (1, 1)
    assert sorted(code.name for code in project_codes(project)) == ["Trust", "trust (2)"]
    again = refi.import_codebook(project, qdc, "nvivo.qdc", people["lead"])
    assert (again.codes_added, again.codes_kept) == (0, 2)


def test_a_coder_without_an_account_is_an_external_coder_of_the_project(
        project, people, client_for):
    report = refi.import_project(project, two_coders_file(), "two.qdpx", people["lead"])
    db.session.flush()
    gergo = db.session.scalar(db.select(User).where(User.name == "Gergo Szabo"))
    assert (gergo.external, gergo.active, gergo.email.endswith(".invalid")) == (
        True, False, True)
    assert report.matched == [("Coder", "Coder")]
    assert report.unmatched == [("Gergo Szabo", 3)]
    assert report.skipped == {"people of the file who did no work in it": 1}
    assert db.session.scalar(db.select(User).where(User.name == "Idle Person")) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Memo).where(
        Memo.project_id == project.id)) == 0
    by_coder = Counter(coding.coder.name for coding in db.session.scalars(
        db.select(Coding).where(Coding.project_id == project.id)))
    assert by_coder == {"Coder": 2, "Gergo Szabo": 3}
    assert gergo.id in {user.id for user in project_coders(project)}
    source = db.session.scalar(db.select(Source).where(Source.project_id == project.id))
    comparison = compare_coders(project, [source.id], [people["coder"].id, gergo.id], [],
                                units="characters")
    assert comparison.coder_names[gergo.id] == "Gergo Szabo"
    assert "Gergo Szabo" in comparison.csv()
    lead = client_for(people["lead"])
    assert "Gergo Szabo" in lead.get(url(project, "agreement")).text
    assert "Gergo Szabo" in lead.get(url(project, "retrieve")).text
    assert "Gergo Szabo" not in client_for(people["admin"]).get("/admin/users").text
    assert authenticate(gergo.email, "") is None
    exported = unpack(refi.project_qdpx(project, lead_viewer(people)).data)["project.qde"]
    assert b'<User guid="a0000000-0000-0000-0000-000000000002" name="Gergo Szabo"/>' in exported


def test_the_lead_joins_an_external_coder_to_an_account(project, people, client_for,
                                                        make_user):
    refi.import_project(project, two_coders_file(), "two.qdpx", people["lead"])
    db.session.commit()
    lead = client_for(people["lead"])
    page = lead.get(url(project, "exchange"))
    assert "External coders" in page.text and "Gergo Szabo" in page.text
    (identity, count), = external_coders(project)
    assert count == 3
    gergo_id = identity.user_id
    answer = lead.post(url(project, f"exchange/coders/{identity.id}/join"),
                       data={"account": people["interviewer"].id}, follow_redirects=True)
    assert "“Gergo Szabo” is now Interviewer: 3 codings moved." in html.unescape(answer.text)
    db.session.expire_all()
    assert db.session.get(User, gergo_id) is None and external_coders(project) == []
    by_coder = Counter(coding.coder.name for coding in db.session.scalars(
        db.select(Coding).where(Coding.project_id == project.id)))
    assert by_coder == {"Coder": 2, "Interviewer": 3}
    exported = unpack(refi.project_qdpx(project, lead_viewer(people)).data)["project.qde"]
    assert b'<User guid="a0000000-0000-0000-0000-000000000002" name="Interviewer"/>' in exported
