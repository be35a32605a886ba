"""Writing Word documents quickly: paragraphs are written as WordprocessingML text, which takes
its place in the body when the file is written (a marker in the body says where). python-docx's
own add_paragraph looks the style up and searches the body anew for each paragraph, and its
run methods check every character: 5,000 excerpts took about 20 seconds that way; making
each element with lxml still cost about 8 elements an excerpt, a third of the export. The file
is zipped with the fastest compression (python-docx's default level took another third)."""

from __future__ import annotations

import io
import zipfile

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import PACKAGE_URI
from docx.opc.part import Part
from docx.opc.rel import Relationships
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
#: the text of the comment that stands in the body for paragraphs written as text
MARK = "fieldwork-paragraphs-"
EXTERNAL = ' TargetMode="External"'


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
        #: paragraphs as text, the nth where the body has the marker MARKn
        self.chunks: list[str] = []
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

    def flush(self) -> None:
        """Paragraphs written so far, put at the end of the body as a marker that save()
        replaces with their text."""
        if not self.pending:
            return
        marker = etree.Comment(f"{MARK}{len(self.chunks)}")
        self.chunks.append(xml_text("".join(self.pending)))
        self.pending = []
        if self.end is not None:
            self.end.addprevious(marker)
        else:
            self.body.append(marker)

    def document_xml(self) -> bytes:
        """The main part of the document, the paragraphs written as text in their places."""
        xml = serialize_part_xml(self.document.element)
        for number, chunk in enumerate(self.chunks):
            xml = xml.replace(f"<!--{MARK}{number}-->".encode(), chunk.encode(), 1)
        return xml

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
                f'<w:p {nsdecls("w")}>{run_xml(xml_text(notice), bold=True)}</w:p>')[0])
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
            file.writestr(PACKAGE_URI.rels_uri.membername, relationships_xml(package.rels))
            for part in parts:
                file.writestr(part.partname.membername, self.document_xml()
                              if part is self.document.part else part.blob)
                if len(part.rels):
                    file.writestr(part.partname.rels_uri.membername,
                                  relationships_xml(part.rels))
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


def relationships_xml(relationships: Relationships) -> str:
    """A part's relationships as python-docx writes them, made as text (python-docx parses
    a snippet of XML for each: a link to each of 2,000 excerpts cost a tenth of the export)."""
    items = "".join(
        f'<Relationship Id="{escaped(rel.rId)}" Type="{escaped(rel.reltype)}" '
        f'Target="{escaped(rel.target_ref)}"{EXTERNAL if rel.is_external else ""}/>'
        for rel in relationships.values())
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{items}'
            "</Relationships>")


def escaped(text: str) -> str:
    """Text for XML, in an element or an attribute (a carriage return stays one: a parser
    would make it a line feed)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;").replace("\r", "&#13;")


def run_xml(text: str, bold: bool = False) -> str:
    """A run of text; line breaks in it stay line breaks. (Characters that XML cannot hold
    are taken out of all the paragraphs at once, by flush.)"""
    pieces = []
    for line in text.split("\n"):
        words = escaped(line)
        pieces.append(f'<w:t xml:space="preserve">{words}</w:t>' if line != line.strip()
                      else f"<w:t>{words}</w:t>")
    return f'<w:r>{"<w:rPr><w:b/></w:rPr>" if bold else ""}{"<w:br/>".join(pieces)}</w:r>'
