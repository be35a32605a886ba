"""The coding pages through HTTP, as each role uses them."""

from __future__ import annotations

import io

from coding.models import Code, Coding, CodingSettings, Memo, Source
from fieldwork.extensions import db
from tests.coding.conftest import POLISH


def url(project, rest=""):
    return f"/projects/{project.id}/coding/{rest}"


def test_adding_a_document_and_a_bad_one(project, people, client_for, files_dir):
    client = client_for(people["interviewer"])
    added = client.post(url(project, "sources/document"), data={
        "title": "Field notes, Brno", "document": (io.BytesIO(POLISH.encode()), "notes.txt")})
    assert added.status_code == 302
    source = db.session.scalar(db.select(Source))
    assert source.title == "Field notes, Brno" and source.file.filename == "notes.txt"
    refused = client.post(url(project, "sources/document"), data={
        "title": "My agreement", "document": (io.BytesIO(b"%PDF-1.4 junk"), "umowa.pdf")})
    assert refused.status_code == 400
    assert "The PDF could not be read" in refused.text
    assert 'value="My agreement"' in refused.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Source)) == 1
    listing = client.get(url(project, "sources/"))
    assert "Field notes, Brno" in listing.text


def test_coding_through_json_requests(project, people, client_for, make_source, make_code):
    source = make_source()
    theme, other = make_code("Theme"), make_code("Other")
    client = client_for(people["coder"])
    start = source.text.index("Guangzhou")
    applied = client.post(url(project, f"sources/{source.id}/codings"), json={
        "codes": [theme.id], "start": start, "end": start + 9, "textVersion": 1})
    assert applied.status_code == 200
    coding_id = applied.json["codings"][0]["id"]
    changed = client.post(url(project, f"codings/{coding_id}/code"), json={"code": other.id})
    assert changed.json["before"] == theme.id
    memo = client.post(url(project, f"codings/{coding_id}/memo"), json={"memo": "key passage"})
    assert memo.json["coding"]["memoText"] == "key passage"
    data = client.get(url(project, f"sources/{source.id}/data")).json
    assert data["codings"] == [{"id": coding_id, "code": other.id, "coder": people["coder"].id,
                                "start": start, "end": start + 9, "review": False, "memo": True}]
    stale = client.post(url(project, f"sources/{source.id}/codings"), json={
        "codes": [theme.id], "start": 0, "end": 5, "textVersion": 7})
    assert stale.status_code == 400 and "Reload the page" in stale.json["error"]
    other_coder = client_for(people["lead"])
    removed = client.post(url(project, f"codings/{coding_id}/remove"))
    assert removed.json["undo"]["memo"] == "key passage"
    assert db.session.get(Coding, coding_id) is None
    assert other_coder.get(url(project, f"sources/{source.id}/data")).json["codings"] == []


def test_viewers_read_but_do_not_code(project, people, client_for, make_source, make_code):
    source = make_source()
    code = make_code("Theme")
    viewer = client_for(people["viewer"])
    page = viewer.get(url(project, f"sources/{source.id}"))
    assert page.status_code == 200 and 'data-can-code="0"' in page.text
    refused = viewer.post(url(project, f"sources/{source.id}/codings"), json={
        "codes": [code.id], "start": 0, "end": 5, "textVersion": 1})
    assert refused.status_code == 403


def test_codebook_forms_say_what_is_wrong_and_keep_the_input(project, people, client_for,
                                                             make_code):
    make_code("Business")
    client = client_for(people["lead"])
    refused = client.post(url(project, "codebook/new"), data={
        "name": "business", "parent": "", "definition": "Trade and investment",
        "colour": "#FFE08A"})
    assert refused.status_code == 400
    assert "already a code “Business”" in refused.text and "Trade and investment" in refused.text
    assert client.post(url(project, "codebook/starter")).status_code == 302
    tree = client.get(url(project, "codebook/"))
    assert "Perceptions of Chinese partners" in tree.text
    history = client.get(url(project, "codebook/history"))
    assert "Loaded the starter codebook" in history.text


def test_a_code_is_edited_through_its_form(project, people, client_for, make_code):
    code = make_code("Business")
    client = client_for(people["lead"])
    form = client.get(url(project, f"codebook/{code.id}/edit"))
    assert 'name="parent"' not in form.text
    saved = client.post(url(project, f"codebook/{code.id}/edit"), data={
        "name": "Business", "definition": "Trade and investment", "colour": "#FFE08A",
        "shortcut": "b"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert (code.definition, code.shortcut) == ("Trade and investment", "b")


def test_reading_the_codebook_writes_nothing_and_blind_coding_is_saved(project, people,
                                                                       client_for):
    client = client_for(people["lead"])
    assert client.get(url(project, "codebook/")).status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(CodingSettings)) == 0
    assert client.post(url(project, "codebook/settings"), data={"blind": "y"}).status_code == 302
    assert db.session.scalar(db.select(CodingSettings.blind)) is True


def test_merging_two_codes_from_the_code_page(project, people, client_for, make_source,
                                              make_code, code_words):
    source = make_source()
    trade, business = make_code("Trade"), make_code("Business")
    trade_id, business_id = trade.id, business.id
    code_words(source, trade, "Guangzhou")
    client = client_for(people["lead"])
    page = client.get(url(project, f"codebook/{trade.id}"))
    assert "Merge into" in page.text
    merged = client.post(url(project, f"codebook/{trade.id}/merge"), data={"into": business.id})
    assert merged.status_code == 302
    db.session.expire_all()
    assert db.session.get(Code, trade_id) is None
    assert db.session.scalar(db.select(Coding.code_id)) == business_id
    assert client_for(people["coder"]).post(
        url(project, f"codebook/{business_id}/merge"), data={"into": trade_id}).status_code == 403


def test_memos_are_written_found_and_guarded(project, people, client_for, make_source):
    source = make_source()
    coder = client_for(people["coder"])
    coder.post(url(project, "memos/new"), data={
        "about": f"source:{source.id}", "title": "Brno and China", "body": "Ministry wants a say"})
    memo = db.session.scalar(db.select(Memo))
    assert memo.source_id == source.id
    found = coder.get(url(project, "memos/?q=ministry"))
    assert "Brno and China" in found.text
    assert "No memo matches" in coder.get(url(project, "memos/?q=flights")).text
    other = client_for(people["interviewer"]).post(url(project, f"memos/{memo.id}"), data={
        "about": "project", "title": "hijack", "body": "x"})
    assert other.status_code == 302
    db.session.expire_all()
    assert memo.title == "Brno and China"
    empty = coder.post(url(project, "memos/new"), data={"about": "project", "title": "",
                                                         "body": " "})
    assert empty.status_code == 400 and "Write something" in empty.text


def test_source_details_and_text_correction(project, people, client_for, make_source,
                                            make_code, code_words):
    source = make_source()
    coding = code_words(source, make_code("Staff"), "jedną osobę")
    client = client_for(people["coder"])
    saved = client.post(url(project, f"sources/{source.id}/details"), data={
        "title": "Notes from Wrocław", "case_study": "", "attributes": "Partner country: China\n"
        "Level: City"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert source.attributes == {"Partner country": "China", "Level": "City"}
    bad = client.post(url(project, f"sources/{source.id}/details"), data={
        "title": "Notes", "case_study": "", "attributes": "no colon here"})
    assert bad.status_code == 400 and "is not “name: value”" in bad.text
    corrected = client.post(url(project, f"sources/{source.id}/text"), data={
        "text": "Na początku: " + source.text})
    assert corrected.status_code == 302
    db.session.expire_all()
    assert source.text[coding.start:coding.end] == "jedną osobę"
