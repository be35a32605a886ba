"""Writing and reading the XML of REFI-QDA files.

Writing: a small serializer that keeps elements in the order the schemas demand and escapes
carriage returns, so that a memo's line breaks come back as they were. Reading: expat builds
a light tree whose elements know their line, so an error can say where it is; namespaces are
dropped (tools write variants of them). A file with a DOCTYPE is refused, which keeps entity
tricks out (external entities, billion laughs, huge entities in attributes: without a DTD
only the five predefined entities and character references exist). So is XML that would make
the tree too large for its size: more than the server's REFI_FILE_MB of it, more elements
than REFI_XML_ELEMENTS, elements nested deeper than MAX_DEPTH, or an attribute longer than
MAX_ATTRIBUTE characters (coding.refi.limits); a character encoding expat cannot read is
refused in words.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from xml.parsers import expat

from coding.refi.limits import MAX_ATTRIBUTE, MAX_DEPTH, RefiLimits, refi_limits
from fieldwork.archives import shown, size_words
from fieldwork.xmltext import escaped_attribute, escaped_text, xml_text

Attributes = Sequence[tuple[str, str | None]]


class RefiError(ValueError):
    """A REFI-QDA file that cannot be taken, said in words (with its line where known)."""


def escape_text(value: str) -> str:
    return escaped_text(xml_text(value))


def escape_attribute(value: str) -> str:
    return escaped_attribute(xml_text(value))


def xml_datetime(value: datetime | None) -> str | None:
    """xsd:dateTime in UTC, e.g. 2026-03-14T10:00:00Z."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z"


class XmlWriter:
    """Builds a document as a list of strings; attributes whose value is None are left out."""

    def __init__(self) -> None:
        self.parts = ['<?xml version="1.0" encoding="utf-8"?>\n']

    @staticmethod
    def _attributes(attributes: Attributes) -> str:
        return "".join(f' {name}="{escape_attribute(value)}"'
                       for name, value in attributes if value is not None)

    def open(self, tag: str, attributes: Attributes = ()) -> None:
        self.parts.append(f"<{tag}{self._attributes(attributes)}>")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def empty(self, tag: str, attributes: Attributes) -> None:
        self.parts.append(f"<{tag}{self._attributes(attributes)}/>")

    def markup(self, trusted: str) -> None:
        """Markup made of GUIDs, numbers and dates only: nothing in it needs escaping."""
        self.parts.append(trusted)

    def text(self, tag: str, value: str) -> None:
        self.parts.append(f"<{tag}>{escape_text(value)}</{tag}>")

    def to_bytes(self) -> bytes:
        return "".join(self.parts).encode("utf-8")


#: what a leaf holds (shared, never changed): no children, no attributes
_NO_CHILDREN: tuple[Node, ...] = ()
_NO_ATTRIBUTES: Mapping[str, str] = MappingProxyType({})


class Node:
    """An element: its local name, attributes (local names), children, text and line.

    Light, as a file may hold millions: a leaf shares one empty tuple of children and one
    empty mapping of attributes, and holds no list of text pieces until it has text."""

    __slots__ = ("attributes", "children", "line", "pieces", "tag")

    def __init__(self, tag: str, attributes: Mapping[str, str], line: int) -> None:
        self.tag = tag
        self.attributes = attributes or _NO_ATTRIBUTES
        self.line = line
        self.children: Sequence[Node] = _NO_CHILDREN
        self.pieces: list[str] | None = None

    @property
    def text(self) -> str:
        return "".join(self.pieces) if self.pieces else ""

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attributes.get(name, default)

    def all(self, *tags: str) -> Iterator[Node]:
        return (child for child in self.children if child.tag in tags)

    def first(self, tag: str) -> Node | None:
        return next(self.all(tag), None)

    def where(self) -> str:
        return f"line {self.line}, <{self.tag}>"

    def add_child(self, child: Node) -> None:
        if self.children is _NO_CHILDREN:
            self.children = [child]
        else:
            self.children.append(child)  # type: ignore[attr-defined]

    def add_text(self, text: str) -> None:
        if self.pieces is None:
            self.pieces = [text]
        else:
            self.pieces.append(text)


def local_name(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _refuse_doctype(*_args: object) -> None:
    raise RefiError("The XML declares a document type (DOCTYPE); REFI-QDA files have none, "
                    "so it was not read.")


def parse_xml(data: bytes, what: str, limits: RefiLimits | None = None) -> Node:
    """The root element of `data`, or a RefiError naming `what` and where the XML breaks or
    passes a limit (the server's when `limits` is None)."""
    limits, what = limits or refi_limits(), shown(what)
    if len(data) > limits.file:
        raise RefiError(f"{what} is {size_words(len(data))} of XML, more than the "
                        f"{size_words(limits.file)} Fieldwork reads from one file; it was not "
                        "read.")
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    stack: list[Node] = []
    roots: list[Node] = []
    names: dict[str, str] = {}
    elements = 0

    def refuse(words: str) -> None:
        raise RefiError(f"{what} was not read: at line {parser.CurrentLineNumber}, {words}.")

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal elements
        elements += 1
        if elements > limits.elements:
            refuse(f"it holds more than {limits.elements:,} XML elements, the most Fieldwork "
                   "reads from one file")
        if len(stack) >= MAX_DEPTH:
            refuse(f"its elements are nested more than {MAX_DEPTH} deep; no REFI-QDA file's are")
        tag = names.get(name) or names.setdefault(name, local_name(name))
        node = Node(tag, {names.get(key) or names.setdefault(key, local_name(key)): value
                          for key, value in attributes.items()}, parser.CurrentLineNumber)
        for key, value in node.attributes.items():
            if len(value) > MAX_ATTRIBUTE:
                refuse(f"<{tag}>'s {key} attribute holds {len(value):,} characters; REFI-QDA "
                       f"attributes (names, GUIDs, dates, numbers) hold at most "
                       f"{MAX_ATTRIBUTE:,}")
        if stack:
            stack[-1].add_child(node)
        else:
            roots.append(node)
        stack.append(node)

    def end(_name: str) -> None:
        stack.pop()

    def characters(text: str) -> None:
        if stack:
            stack[-1].add_text(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    # The tree holds no cycles: collecting while it grows only costs time (half of it).
    collecting = gc.isenabled()
    gc.disable()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        reason = expat.errors.messages[error.code]
        raise RefiError(f"{what} is not well-formed XML: {reason} at line {error.lineno}, "
                        f"column {error.offset + 1}.") from None
    except RefiError:
        raise
    except LookupError:
        raise RefiError(f"{what} declares a character encoding that does not exist; REFI-QDA "
                        "files are UTF-8.") from None
    except ValueError:
        # a multi-byte encoding expat cannot take from Python, or a codec that fails
        raise RefiError(f"{what} declares a character encoding Fieldwork cannot read; "
                        "REFI-QDA files are UTF-8.") from None
    finally:
        if collecting:
            gc.enable()
    return roots[0]


def guid_in(node: Node, name: str = "guid") -> str:
    """A GUID attribute as Fieldwork compares them: no braces, lower case ("" when absent)."""
    return (node.get(name) or "").strip().strip("{}").lower()


def whole_number(node: Node, name: str) -> int:
    value = (node.get(name) or "").strip()
    try:
        return int(value)
    except ValueError:
        raise RefiError(f"At {node.where()}: {name} “{value}” is not a whole number.") from None


def required(node: Node, name: str) -> str:
    value = (node.get(name) or "").strip()
    if not value:
        raise RefiError(f"At {node.where()}: the {name} attribute is missing.")
    return value


def read_datetime(value: str | None) -> datetime | None:
    """An xsd:dateTime (UTC when it gives no zone), or None when absent or unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
