"""Word documents written directly as their XML parts, paragraphs streamed into the zip file.

python-docx (with lxml, about 20 MB of a web process once loaded) made each paragraph an
element and looked its style up anew; here paragraphs are WordprocessingML text, written into
the document's zip entry in batches, so memory stays flat however long the document is. The
file is zipped with the fastest compression (python-docx's default level took a third of an
export).

The parts that never change (styles, settings, theme, font table, web settings, numbering,
their content types and the page settings) come from python-docx's default template, vendored
in word_template/ (MIT licence, see its README); our three paragraph styles (for the citations,
memos and context of coding's exports) are added to its styles. The rest is written here: the
body, the hyperlinks' relationships and the core properties (title, subject, author, time:
never the template's "python-docx", 2013).
"""

from __future__ import annotations

import io
import re
import weakref
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from fieldwork.xmltext import escaped_attribute, escaped_text, xml_text

#: python-docx's default template, whose unchanging parts every document takes
TEMPLATE = Path(__file__).with_name("word_template") / "default.docx"
#: paragraph styles of our own, so that an author can restyle every citation, memo or
#: context at once (coding.exports)
CITATION, MEMO, CONTEXT = "Citation", "Memo", "Context"
#: paragraphs joined before they are written into the document's zip entry
BATCH_PARAGRAPHS = 500
#: the most characters of a core property (Word's own limit)
MAX_PROPERTY = 255
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOCUMENT_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: the parts taken from the template as they are, with their relationship types
_KEPT = {"word/styles.xml": "styles", "word/settings.xml": "settings",
         "word/webSettings.xml": "webSettings", "word/fontTable.xml": "fontTable",
         "word/theme/theme1.xml": "theme", "word/numbering.xml": "numbering"}
_CORE = "docProps/core.xml"
_ITALIC, _UPRIGHT = "<w:i/>", '<w:i w:val="0"/>'
_EXTERNAL = ' TargetMode="External"'


def paragraph_style(style_id: str, colour: str, italic: bool = False) -> str:
    """A paragraph style as python-docx added ours: based on Normal, 9 pt, indented 1.5 cm,
    10 pt after."""
    return (f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
            f'<w:name w:val="{style_id}"/><w:basedOn w:val="Normal"/>'
            '<w:pPr><w:spacing w:after="200"/><w:ind w:left="850"/></w:pPr>'
            f'<w:rPr>{_ITALIC if italic else _UPRIGHT}<w:color w:val="{colour}"/>'
            '<w:sz w:val="18"/></w:rPr></w:style>')


_STYLES = (paragraph_style(CITATION, "595959") + paragraph_style(MEMO, "595959", italic=True)
           + paragraph_style(CONTEXT, "767676"))
#: a table of labels and values: two columns, 3.5 cm and 12.5 cm wide (in twentieths of a
#: point)
_WIDTHS = (1984, 7087)
_PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


class WordWriter:
    """A new Word document written from top to bottom; save() gives the file."""

    def __init__(self, title: str, subject: str, author: str) -> None:
        self.core = core_properties(title, subject, author, datetime.now(UTC))
        self.links: dict[str, str] = {}
        #: paragraphs written, not yet in the document's zip entry
        self.pending: list[str] = []
        with zipfile.ZipFile(TEMPLATE) as template:
            head, self.end = document_frame(template.read("word/document.xml").decode())
        self.buffer = io.BytesIO()
        self.package = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.body: IO[bytes] = self.package.open("word/document.xml", "w")
        self.body.write(head.encode())
        # a writer left unsaved (an export that failed) closes its zip entry before the zip
        self.abandon = weakref.finalize(self, close_all, self.body, self.package)

    def paragraph(self, text: str = "", style: str | None = None) -> None:
        """A new last paragraph of the body, in `style` (a style's name) if given."""
        self.add_paragraph(run_xml(text) if text else "", style)

    def add_paragraph(self, runs: str, style: str | None = None) -> None:
        """A new last paragraph holding these runs (run_xml, link_xml)."""
        properties = (f'<w:pPr><w:pStyle w:val="{style_id(style)}"/></w:pPr>'
                      if style is not None else "")
        self.add_xml(f"<w:p>{properties}{runs}</w:p>")

    def add_xml(self, xml: str) -> None:
        """A block of the body (a paragraph or a table) as text."""
        self.pending.append(xml)
        if len(self.pending) >= BATCH_PARAGRAPHS:
            self.flush()

    def flush(self) -> None:
        """Paragraphs written so far into the document's entry, without characters that XML
        cannot hold (taken out of all of them at once)."""
        if self.pending:
            self.body.write(xml_text("".join(self.pending)).encode())
            self.pending = []

    def link_xml(self, text: str, url: str) -> str:
        """A run of text that opens `url` (each address is related to the document once)."""
        if url not in self.links:
            self.links[url] = f"rIdLink{len(self.links) + 1}"
        return f'<w:hyperlink r:id="{self.links[url]}">{run_xml(text)}</w:hyperlink>'

    def heading(self, text: str, level: int) -> None:
        """Level 0 is the title; Word has heading levels 1 to 9."""
        self.paragraph(text, "Title" if level == 0 else f"Heading {min(level, 9)}")

    def page_break(self) -> None:
        self.add_xml(_PAGE_BREAK)

    def table(self, rows: list[tuple[str, str]]) -> None:
        """A table of labels and their values."""
        self.add_xml(table_xml(rows))

    def save(self) -> bytes:
        """The .docx file."""
        self.flush()
        self.body.write(self.end.encode())
        self.body.close()
        package = self.package
        with zipfile.ZipFile(TEMPLATE) as template:
            package.writestr("[Content_Types].xml", content_types(template))
            for name in _KEPT:
                part = template.read(name)
                if name == "word/styles.xml":
                    part = part.replace(b"</w:styles>", f"{_STYLES}</w:styles>".encode())
                package.writestr(name, part)
        package.writestr("_rels/.rels", relationships(
            [("rId1", f"{_DOCUMENT_RELS}/officeDocument", "word/document.xml", False),
             ("rId2", f"{_RELS}/metadata/core-properties", _CORE, False)]))
        package.writestr("word/_rels/document.xml.rels", relationships(
            [*((f"rId{n}", f"{_DOCUMENT_RELS}/{kind}", name.removeprefix("word/"), False)
               for n, (name, kind) in enumerate(_KEPT.items(), start=1)),
             *((rid, f"{_DOCUMENT_RELS}/hyperlink", url, True)
               for url, rid in self.links.items())]))
        package.writestr(_CORE, self.core)
        self.abandon.detach()
        package.close()
        return self.buffer.getvalue()


def close_all(*files: IO[bytes] | zipfile.ZipFile) -> None:
    for file in files:
        file.close()


def style_id(name: str) -> str:
    """The id of a style (Word's, and python-docx's for styles it adds: the name without its
    spaces, "Heading 1" -> "Heading1")."""
    return name.replace(" ", "")


def document_frame(template: str) -> tuple[str, str]:
    """The template's main part up to the start of its body, and from the body's section
    settings to the end, without the whitespace between elements."""
    template = re.sub(r">\s+<", "><", template)
    start = template.index("<w:body>") + len("<w:body>")
    end = template.index("<w:sectPr")
    head = template[:start].split("?>", 1)[1].lstrip()
    return _HEAD + head, template[end:]


def table_xml(rows: list[tuple[str, str]]) -> str:
    """A table of two columns, 3.5 cm and 12.5 cm wide, in the style "Table Grid"."""
    cells = "".join(
        "<w:tr>" + "".join(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr>'
                           f"<w:p>{run_xml(text) if text else ''}</w:p></w:tc>"
                           for text, width in zip(row, _WIDTHS, strict=True)) + "</w:tr>"
        for row in rows)
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in _WIDTHS)
    return ('<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/>'
            '<w:tblLayout w:type="fixed"/><w:tblLook w:firstColumn="1" w:firstRow="1" '
            'w:lastColumn="0" w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{cells}</w:tbl>")


def content_types(template: zipfile.ZipFile) -> str:
    """[Content_Types].xml: the template's types of the parts kept, those of the document,
    of its core properties, of relationships and other XML."""
    types = dict(re.findall(r'<Override PartName="/([^"]+)" ContentType="([^"]+)"/>',
                            template.read("[Content_Types].xml").decode()))
    overrides = "".join(f'<Override PartName="/{name}" ContentType="{types[name]}"/>'
                        for name in ("word/document.xml", *_KEPT, _CORE))
    return (f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f"{overrides}</Types>")


def relationships(targets: list[tuple[str, str, str, bool]]) -> str:
    """A relationships part: (id, type, target, whether the target is outside the file)."""
    links = "".join(f'<Relationship Id="{rid}" Type="{kind}" '
                    f'Target="{escaped_attribute(xml_text(target))}"'
                    f'{_EXTERNAL if external else ""}/>'
                    for rid, kind, target, external in targets)
    return f'{_HEAD}<Relationships xmlns="{_RELS}">{links}</Relationships>'


def core_properties(title: str, subject: str, author: str, now: datetime) -> str:
    """docProps/core.xml: title, subject, the user who made the file as its author and last
    editor, now as its time (UTC, W3CDTF), revision 1."""
    def text(value: str) -> str:
        return escaped_text(xml_text(value)[:MAX_PROPERTY])

    when = f"{now.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
    return (f'{_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/'
            '2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{text(title)}</dc:title><dc:subject>{text(subject)}</dc:subject>"
            f"<dc:creator>{text(author)}</dc:creator>"
            f"<cp:lastModifiedBy>{text(author)}</cp:lastModifiedBy><cp:revision>1</cp:revision>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
            "</cp:coreProperties>")


def run_xml(text: str, bold: bool = False, colour: str = "", size: int = 0) -> str:
    """A run of text, in bold, in a colour ("595959") or a size (in points) if given; line
    breaks in it stay line breaks. (Characters that XML cannot hold are taken out of all the
    paragraphs at once, by flush.)"""
    pieces = []
    for line in text.split("\n"):
        words = escaped_text(line)
        pieces.append(f'<w:t xml:space="preserve">{words}</w:t>' if line != line.strip()
                      else f"<w:t>{words}</w:t>")
    if not (bold or colour or size):
        return f'<w:r>{"<w:br/>".join(pieces)}</w:r>'
    properties = (("<w:b/>" if bold else "") + (f'<w:color w:val="{colour}"/>' if colour else "")
                  + (f'<w:sz w:val="{2 * size}"/>' if size else ""))
    return f'<w:r><w:rPr>{properties}</w:rPr>{"<w:br/>".join(pieces)}</w:r>'
