"""Writing Word documents quickly: paragraphs are written as WordprocessingML text and parsed
into the body a few thousand at a time. python-docx's own add_paragraph looks the style up
and searches the body anew for each paragraph, and its run methods check every character:
5,000 excerpts took about 20 seconds that way; making each element with lxml still cost
about 8 elements an excerpt, a third of the export. The file is zipped with the fastest
compression (python-docx's default level took another third)."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PACKAGE_URI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

from coding.exports.selection import Summary, summary_rows, xml_text
from fieldwork.downloads import describe_word_file

GREY = RGBColor(0x59, 0x59, 0x59)
LIGHT_GREY = RGBColor(0x76, 0x76, 0x76)
#: paragraph styles of our own, so that an author can restyle every citation, memo or
#: context at once
CITATION, MEMO, CONTEXT = "Citation", "Memo", "Context"
P, PPR, PSTYLE, VAL = (qn(f"w:{name}") for name in ("p", "pPr", "pStyle", "val"))
#: paragraphs written as text before they are parsed into the body
PENDING = 2_000
#: a carriage return stays one in the text (the parser would make it a line feed)
ENTITIES = {"\r": "&#13;"}


def child(parent: BaseOxmlElement, tag: str) -> BaseOxmlElement:
    """A new last child element (lxml's SubElement: a third faster than making the element
    and appending it)."""
    return etree.SubElement(parent, tag)


class WordWriter:
    """A new Word document written from top to bottom."""

    def __init__(self, title: str, subject: str, author: str) -> None:
        self.document: DocxDocument = Document()
        describe_word_file(self.document, title, subject, author)
        self.body = self.document.element.body
        self.end = self.body.sectPr
        self.style_ids: dict[str, str] = {}
        self.links: dict[str, str] = {}
        #: paragraphs written, not yet in the body
        self.pending: list[str] = []
        self.add_style(CITATION, size=9, colour=GREY, indent=Cm(1.5))
        self.add_style(MEMO, size=9, colour=GREY, italic=True, indent=Cm(1.5))
        self.add_style(CONTEXT, size=9, colour=LIGHT_GREY, indent=Cm(1.5))

    def add_style(self, name: str, *, size: int, colour: RGBColor, indent: Cm,
                  italic: bool = False) -> None:
        style = self.document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = self.document.styles["Normal"]
        style.font.size = Pt(size)
        style.font.color.rgb = colour
        style.font.italic = italic
        style.paragraph_format.left_indent = indent
        style.paragraph_format.space_after = Pt(10)

    def style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.document.styles[name].style_id
        return self.style_ids[name]

    def paragraph(self, text: str = "", style: str | None = None) -> None:
        """A new last paragraph of the body, in `style` (a style's name) if given."""
        self.add_paragraph(run_xml(text) if text else "", style)

    def add_paragraph(self, runs: str, style: str | None = None) -> None:
        """A new last paragraph holding these runs (run_xml, link_xml)."""
        properties = (f'<w:pPr><w:pStyle w:val="{self.style_id(style)}"/></w:pPr>'
                      if style is not None else "")
        self.pending.append(f"<w:p>{properties}{runs}</w:p>")
        if len(self.pending) >= PENDING:
            self.flush()

    def flush(self) -> None:
        """Paragraphs written so far into the body, before its section properties."""
        if not self.pending:
            return
        fragment = parse_xml(f'<w:body {nsdecls("w", "r")}>{"".join(self.pending)}</w:body>')
        self.pending = []
        if self.end is not None:
            self.body.remove(self.end)
        self.body.extend(list(fragment))
        if self.end is not None:
            self.body.append(self.end)

    def link_xml(self, text: str, url: str) -> str:
        """A run of text that opens `url` (each address is related to the document once,
        under an id of our own: python-docx's lookup reads every relationship for each new
        one)."""
        if url not in self.links:
            self.links[url] = f"rIdLink{len(self.links) + 1}"
            self.document.part.rels.add_relationship(RT.HYPERLINK, url, self.links[url],
                                                     is_external=True)
        return f'<w:hyperlink r:id="{self.links[url]}">{run_xml(text)}</w:hyperlink>'

    def element_paragraph(self, style: str | None = None) -> BaseOxmlElement:
        """A new last paragraph made as an element, for python-docx to format."""
        self.flush()
        element = self.body.makeelement(P, {})
        if style is not None:
            child(child(element, PPR), PSTYLE).set(VAL, self.style_id(style))
        if self.end is not None:
            self.end.addprevious(element)
        else:
            self.body.append(element)
        return element

    def heading(self, text: str, level: int) -> None:
        """Level 0 is the title; Word has heading levels 1 to 9."""
        self.paragraph(text, "Title" if level == 0 else f"Heading {min(level, 9)}")

    def page_break(self) -> None:
        Paragraph(self.element_paragraph(), self.document).add_run().add_break(WD_BREAK.PAGE)

    def title_page(self, summary: Summary, notice: str) -> None:
        """The title, what the document holds, and a notice in bold if given."""
        self.heading(summary.title, 0)
        self.paragraph(summary.project, "Subtitle")
        self.flush()
        table = self.document.add_table(rows=0, cols=2)
        table.style = self.document.styles["Table Grid"]
        table.autofit = False
        for label, value in summary_rows(summary):
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, xml_text(str(value))
        for column, width in zip(table.columns, (Cm(3.5), Cm(12.5)), strict=True):
            column.width = width
            for cell in column.cells:
                cell.width = width
        if notice:
            element = self.element_paragraph()
            Paragraph(element, self.document).paragraph_format.space_before = Pt(18)
            element.append(parse_xml(
                f'<w:p {nsdecls("w")}>{run_xml(notice, bold=True)}</w:p>')[0])
        self.page_break()

    def save(self) -> bytes:
        """The .docx file, as python-docx's save writes it but with the fastest compression."""
        self.flush()
        package = self.document.part.package
        parts = list(package.iter_parts())
        for part in parts:
            part.before_marshal()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as file:
            file.writestr("[Content_Types].xml", content_types(parts))
            file.writestr(PACKAGE_URI.rels_uri.membername, package.rels.xml)
            for part in parts:
                file.writestr(part.partname.membername, part.blob)
                if len(part.rels):
                    file.writestr(part.partname.rels_uri.membername, part.rels.xml)
        return buffer.getvalue()


def content_types(parts: list[Part]) -> str:
    """[Content_Types].xml: the type of each part named, those of the relationships and of
    other XML by their extension."""
    overrides = "".join(f'<Override PartName="{part.partname}" '
                        f'ContentType="{part.content_type}"/>' for part in parts)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f"{overrides}</Types>")


def run_xml(text: str, bold: bool = False) -> str:
    """A run of text; line breaks in it stay line breaks."""
    pieces = []
    for line in xml_text(text).split("\n"):
        words = escape(line, ENTITIES)
        pieces.append(f'<w:t xml:space="preserve">{words}</w:t>' if line != line.strip()
                      else f"<w:t>{words}</w:t>")
    return f'<w:r>{"<w:rPr><w:b/></w:rPr>" if bold else ""}{"<w:br/>".join(pieces)}</w:r>'
