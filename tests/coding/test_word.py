"""Word files written without python-docx (fieldwork.word, coding.exports.word): made without
loading docx or lxml (nor does the module of the transcripts' exports load them), every part
well-formed and typed, read back by python-docx with our styles, core properties, title page
and links, hostile text kept as far as XML can hold it."""

from __future__ import annotations

import gc
import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from docx import Document
from docx.shared import Cm, Pt, RGBColor

from coding.exports.selection import Summary
from coding.exports.word import CITATION, CONTEXT, MEMO, WordWriter, run_xml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WITHOUT_DOCX = """
import json, sys
import interviews.transcripts.exports
from coding.exports.word import CITATION, WordWriter

writer = WordWriter("Title", "Subject", "Author")
writer.paragraph("Text", CITATION)
writer.add_paragraph(writer.link_xml("link", "https://example.org/"))
data = writer.save()
print(json.dumps({"size": len(data), "loaded": [name for name in ("docx", "lxml")
                  if name in sys.modules or any(m.startswith(name + ".") for m in sys.modules)]}))
"""
HOSTILE = ("Control\x00\x01\x0b\x1f chars\ufffe\uffff and a lone \ud800 surrogate",
           "]]> <![CDATA[ x ]]> </w:t></w:r></w:p> &amp; & < > \" '",
           "Emoji 😀👩‍👩‍👧 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
           "RTL: مرحبا بالعالم שלום \u202eevil\u202c",
           "  leading and trailing spaces  ",
           "line one\nline two\r\nline three\ttab",
           "long " * 50_000)


def summary(**overrides: object) -> Summary:
    fields = {"title": "Coded excerpts", "project": "EU–China cities",
              "made_on": date(2026, 12, 8), "made_by": "Lead <lead@example.org>",
              "lines": [("Codes", "Trade; Culture")], "left_out": 0}
    return Summary(**(fields | overrides))  # type: ignore[arg-type]


def written(writer: WordWriter) -> tuple[bytes, zipfile.ZipFile]:
    data = writer.save()
    return data, zipfile.ZipFile(io.BytesIO(data))


def test_a_word_file_is_made_without_python_docx_or_lxml() -> None:
    child = subprocess.run([sys.executable, "-c", WITHOUT_DOCX], cwd=PROJECT_ROOT,
                           capture_output=True, text=True, check=True)
    found = json.loads(child.stdout)
    assert found["loaded"] == [] and found["size"] > 0


def test_a_writer_left_unsaved_closes_quietly() -> None:
    """An export that fails midway leaves its writer behind: collected, in a cycle or not, it
    raises nothing (pytest would report an unraisable exception as an error)."""
    for _ in range(2):
        writer = WordWriter("Title", "Subject", "Author")
        writer.paragraph("Text " * 2_000)
        writer.flush()
        writer.cycle = writer  # type: ignore[attr-defined]
        del writer
        gc.collect()


def test_every_part_is_well_formed_and_has_its_content_type() -> None:
    writer = WordWriter("Title", "Subject", "Author")
    writer.title_page(summary(), "A notice")
    writer.add_paragraph(writer.link_xml("a link", "https://example.org/?a=1&b=2"), CITATION)
    _, package = written(writer)
    names = package.namelist()
    assert "python-docx" not in "".join(package.read(name).decode() for name in names)
    for name in names:
        ElementTree.fromstring(package.read(name))
    types = ElementTree.fromstring(package.read("[Content_Types].xml"))
    overrides = {item.get("PartName") for item in types if item.tag.endswith("Override")}
    defaults = {item.get("Extension") for item in types if item.tag.endswith("Default")}
    for name in names:
        assert f"/{name}" in overrides or name.rsplit(".", 1)[1] in defaults, name
    assert {f"/{name}" for name in names} >= overrides
    assert not {"word/stylesWithEffects.xml", "docProps/thumbnail.jpeg"} & set(names)
    assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in package.infolist())


def test_our_styles_are_in_the_file_and_applied() -> None:
    writer = WordWriter("Title", "Subject", "Author")
    writer.heading("Chapter", 1)
    writer.heading("Deep", 12)
    writer.paragraph("A quotation", "Quote")
    writer.paragraph("— a citation", CITATION)
    writer.paragraph("Memo: a memo", MEMO)
    writer.paragraph("…before", CONTEXT)
    writer.paragraph("plain")
    document = Document(io.BytesIO(writer.save()))
    assert [(p.style.name, p.text) for p in document.paragraphs] == [
        ("Heading 1", "Chapter"), ("Heading 9", "Deep"), ("Quote", "A quotation"),
        (CITATION, "— a citation"), (MEMO, "Memo: a memo"), (CONTEXT, "…before"),
        ("Normal", "plain")]
    for name, colour, italic in ((CITATION, "595959", False), (MEMO, "595959", True),
                                 (CONTEXT, "767676", False)):
        style = document.styles[name]
        assert style.style_id == name and style.base_style.name == "Normal"
        assert style.font.size == Pt(9) and style.font.italic is italic
        assert style.font.color.rgb == RGBColor.from_string(colour)
        assert abs(style.paragraph_format.left_indent - Cm(1.5)) < Cm(0.01)
        assert style.paragraph_format.space_after == Pt(10)


def test_the_core_properties_name_the_document_and_its_author_now() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    data, package = written(WordWriter("A <title> & more", "Project: \x07subject",
                                       "Zoë \"Author\" " + "x" * 300))
    after = datetime.now(UTC)
    properties = Document(io.BytesIO(data)).core_properties
    assert properties.title == "A <title> & more"
    assert properties.subject == "Project: subject"
    assert properties.author == properties.last_modified_by == (
        "Zoë \"Author\" " + "x" * 300)[:255]
    assert before <= properties.created == properties.modified <= after
    assert properties.revision == 1
    assert properties.comments == "" and properties.keywords == ""
    assert re.search(r'<dcterms:created xsi:type="dcterms:W3CDTF">'
                     r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<",
                     package.read("docProps/core.xml").decode())


def test_the_title_page_has_its_table_notice_and_page_break() -> None:
    writer = WordWriter("Title", "Subject", "Author")
    writer.title_page(summary(), "Some excerpts were left out.")
    writer.heading("After", 1)
    document = Document(io.BytesIO(writer.save()))
    [table] = document.tables
    assert table.style.name == "Table Grid"
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["Project", "EU–China cities"], ["Made on", "2026-12-08"],
        ["Made by", "Lead <lead@example.org>"], ["Codes", "Trade; Culture"]]
    assert all(abs(cell.width - Cm(3.5)) < Cm(0.01) for cell in table.columns[0].cells)
    assert all(abs(cell.width - Cm(12.5)) < Cm(0.01) for cell in table.columns[1].cells)
    paragraphs = document.paragraphs
    assert [(p.style.name, p.text) for p in paragraphs[:2]] == [
        ("Title", "Coded excerpts"), ("Subtitle", "EU–China cities")]
    notice = paragraphs[2]
    assert notice.text == "Some excerpts were left out." and notice.runs[0].bold
    assert notice.paragraph_format.space_before == Pt(18)
    assert 'w:type="page"' in paragraphs[3]._p.xml
    assert paragraphs[4].text == "After"


def test_links_open_their_address_each_related_once() -> None:
    writer = WordWriter("Title", "Subject", "Author")
    addresses = ["https://example.org/a?x=1&y=<2>", "https://example.org/b",
                 "https://example.org/a?x=1&y=<2>"]
    for number, address in enumerate(addresses):
        writer.add_paragraph(run_xml("— ") + writer.link_xml(f"source {number}", address),
                             CITATION)
    data, package = written(writer)
    relationships = ElementTree.fromstring(package.read("word/_rels/document.xml.rels"))
    links = [item for item in relationships if item.get("Type").endswith("/hyperlink")]
    assert sorted(item.get("Target") for item in links) == sorted(set(addresses))
    assert all(item.get("TargetMode") == "External" for item in links)
    document = Document(io.BytesIO(data))
    found = [(link.text, link.address) for p in document.paragraphs for link in p.hyperlinks]
    assert found == [(f"source {n}", address) for n, address in enumerate(addresses)]


@pytest.mark.parametrize("text", HOSTILE, ids=["control", "markup", "emoji", "rtl", "spaces",
                                                "lines", "long"])
def test_hostile_text_survives(text: str) -> None:
    writer = WordWriter(text[:300], text[:300], text[:300])
    writer.title_page(summary(title=text, lines=[("Codes", text)]), text)
    writer.paragraph(text, "Quote")
    writer.add_paragraph(writer.link_xml(text, "https://example.org/" + text[:50]), CITATION)
    document = Document(io.BytesIO(writer.save()))
    kept = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)
    paragraphs = document.paragraphs
    assert [p.text for p in paragraphs if p.style.name in ("Title", "Quote")] == [kept, kept]
    assert paragraphs[2].text == kept and paragraphs[2].runs[0].bold
    assert paragraphs[-1].hyperlinks[0].text == kept
    assert document.tables[0].rows[3].cells[1].text == kept
    assert document.core_properties.title == kept[:255]
