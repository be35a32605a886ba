"""Reading .qdc and .qdpx files into plain specs, before anything touches the database.

Lenient where the standard and real files allow it: any single *.qde in the archive,
Sources/ or sources/, a byte-order mark, CRLF line ends (the CR is dropped and positions
after it move back by one), bare file names in plainTextPath, text given inline
(PlainTextContent) or as a file, missing colours and descriptions; recordings with their
first transcript (media.py). What Fieldwork cannot take (pictures, parts of recordings,
areas of PDF pages, sets, graphs...) is counted in `skipped`; the specs read are in specs.py; a
file that is broken (not a ZIP, not XML, a coding of a code that does not exist) raises a
RefiError saying what and where.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from coding.refi.archive import Archive, decode_text, head_of, whole
from coding.refi.codes import CodeSpec, all_specs, check_unique_guids, read_codes
from coding.refi.media import MediaSpec
from coding.refi.offsets import Finding, Selection, SourceCounting, find_counting
from coding.refi.specs import (
    CodingSpec,
    LineEnds,
    NoteSpec,
    ProjectFile,
    SourceSpec,
    UserSpec,
    pages_of,
    source_name,
    unique_names,
)
from coding.refi.xmlio import (
    Node,
    RefiError,
    guid_in,
    parse_xml,
    read_datetime,
    required,
    whole_number,
)

#: what is skipped inside sources Fieldwork cannot take: element -> words for the report
UNTAKEN_SELECTIONS = {
    "PictureSelection": "picture selections",
    "PDFSelection": "PDF selections (areas of a page)",
    "AudioSelection": "audio selections",
    "VideoSelection": "video selections",
    "TranscriptSelection": "selections in the second and later transcripts of a recording",
}
UNTAKEN_SOURCES = {"PictureSource": "picture sources"}
MEDIA_SOURCES = {"AudioSource": "audio", "VideoSource": "video"}


WRONG_PAGE_CODEBOOK = ("This is a codebook (.qdc), not a whole project (.qdpx): import it on the "
                       "codebook's page, under Codebook › Import a codebook.")


PROJECT_AT_CODEBOOK = ("sources of this whole project (.qdpx), as a codebook import takes only "
                       "its codes: to import the project, use REFI-QDA exchange in a new, empty "
                       "project")


def is_codebook(data: bytes) -> bool:
    """An XML file whose root is <CodeBook>: a .qdc."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and re.search(rb"<(?:[\w.-]+:)?CodeBook[\s>/]", head) is not None


def read_codebook(data: bytes | BinaryIO) -> tuple[list[CodeSpec], Counter[str]]:
    """The codes of a .qdc file (or of the codebook inside a .qdpx or .qde), in memory or
    open (an archive is unpacked from the file, never read whole)."""
    if head_of(data)[:2] == b"PK":
        archive = Archive(data)
        entry = archive.project_entry()
        root = parse_xml(archive.read(entry), entry)
    else:
        root = parse_xml(whole(data, "The codebook"), "The codebook")
    if root.tag == "Project":
        codebook = root.first("CodeBook")
        codes = read_codes(codebook.first("Codes") if codebook is not None else None)
    elif root.tag == "CodeBook":
        codes = read_codes(root.first("Codes"))
    else:
        raise RefiError(f"This is not a REFI-QDA codebook: its XML starts with <{root.tag}>, "
                        "not <CodeBook>.")
    if not codes:
        raise RefiError("The codebook holds no codes.")
    sets = root.first("Sets")
    skipped = Counter({"sets of codes": len(list(sets.all("Set")))} if sets is not None else {})
    sources = root.first("Sources") if root.tag == "Project" else None
    if sources is not None:
        skipped[PROJECT_AT_CODEBOOK] = len(sources.children)
    return codes, +skipped


@dataclass
class PendingSelection:
    """A PlainTextSelection read, its positions not yet understood."""

    source: SourceSpec
    node: Node
    ends: LineEnds
    selection: Selection


class ProjectReader:
    """Reads one project.qde with the archive it came in; `counting` is how the file counts
    positions when the user said so ("" to find out)."""

    def __init__(self, archive: Archive, root: Node, counting: str = "") -> None:
        self.archive = archive
        self.root = root
        self.counting = counting
        self.pending: list[PendingSelection] = []
        self.skipped: Counter[str] = Counter()
        codebook = root.first("CodeBook")
        self.codes = read_codes(codebook.first("Codes") if codebook is not None else None)
        check_unique_guids(self.codes)
        self.code_guids = {spec.guid for spec in all_specs(self.codes)}
        variables = root.first("Variables")
        self.variables = {guid_in(node): (node.get("name") or "").strip()
                          for node in (variables.all("Variable") if variables is not None else [])}

    def read(self) -> ProjectFile:
        root = self.root
        sources = self.sources()
        unique_names(sources)
        positions = self.place_selections(root.get("origin") or "")
        self.apply_cases({source.guid: source for source in sources})
        for container, words in (("Sets", "sets"), ("Graphs", "graphs"), ("Links", "links")):
            node = root.first(container)
            if node is not None:
                self.skipped[words] += len(node.children)
        description = root.first("Description")
        return ProjectFile(
            name=root.get("name") or "", origin=(root.get("origin") or "").strip(),
            description=description.text.strip() if description is not None else "",
            users=self.users(), codes=self.codes, sources=sources, notes=self.notes(),
            project_notes=[guid_in(ref, "targetGUID") for ref in root.all("NoteRef")],
            skipped=+self.skipped, positions=positions)

    def place_selections(self, origin: str) -> Finding:
        """Find how the file counts positions (a RefiError when that cannot be told), then
        add each selection's codings at its positions in code points."""
        finding = find_counting([pending.selection for pending in self.pending], origin,
                                self.counting)
        if not finding.clear:
            raise RefiError(finding.unclear_words())
        for pending in self.pending:
            pending.source.codings += self.selection_codings(pending, finding.counting)
        self.pending = []
        return finding

    def users(self) -> dict[str, UserSpec]:
        users = self.root.first("Users")
        return {guid_in(node): UserSpec(guid_in(node), (node.get("name") or "").strip(),
                                        (node.get("id") or "").strip())
                for node in (users.all("User") if users is not None else [])}

    def notes(self) -> dict[str, NoteSpec]:
        notes = {}
        container = self.root.first("Notes")
        for node in container.all("Note") if container is not None else []:
            text = self.text_of(node, f"the note “{node.get('name') or node.line}”", "notes")
            notes[guid_in(node)] = NoteSpec(
                guid_in(node), " ".join((node.get("name") or "").split()),
                (text or "").strip(), guid_in(node, "creatingUser"),
                read_datetime(node.get("creationDateTime")),
                read_datetime(node.get("modifiedDateTime")))
        return notes

    def text_of(self, node: Node, what: str, kind: str = "sources") -> str | None:
        """The text inline or in the archive; None (and counted) when it cannot be had."""
        inline = node.first("PlainTextContent")
        if inline is not None:
            return inline.text
        path = (node.get("plainTextPath") or "").strip()
        if path:
            found = self.archive.text_file(path)
            if found is None:
                self.skipped[f"{kind} whose text file is missing from the .qdpx"] += 1
                return None
            return decode_text(found[1], f"{what} ({found[0]})")
        if node.get("richTextPath"):
            self.skipped[f"{kind} with only a rich-text (DOCX) version"] += 1
        else:
            self.skipped[f"{kind} without any text"] += 1
        return None

    def sources(self) -> list[SourceSpec]:
        container = self.root.first("Sources")
        sources = []
        for node in container.children if container is not None else []:
            source = None
            if node.tag == "TextSource":
                source = self.text_source(node, node.get("name") or "")
            elif node.tag == "PDFSource":
                source = self.pdf_source(node)
            elif node.tag in MEDIA_SOURCES:
                source = self.media_source(node)
            else:
                self.skipped[UNTAKEN_SOURCES.get(node.tag, "sources of other kinds")] += 1
            self.count_untaken_selections(node)
            if source is not None:
                sources.append(source)
        return sources

    def count_untaken_selections(self, node: Node) -> None:
        for tag, words in UNTAKEN_SELECTIONS.items():
            self.skipped[words] += sum(1 for _ in node.all(tag))
        self.skipped[UNTAKEN_SELECTIONS["TranscriptSelection"]] += sum(
            1 for transcript in list(node.all("Transcript"))[1:]
            for _ in transcript.all("TranscriptSelection"))

    def media_source(self, node: Node) -> SourceSpec | None:
        """A recording with its first transcript: the transcript's text, its sync points
        and its selections (TranscriptSelection, between two sync points)."""
        transcript = node.first("Transcript")
        kind = MEDIA_SOURCES[node.tag]
        if transcript is None:
            self.skipped[f"{kind} sources without a transcript"] += 1
            return None
        name = node.get("name") or transcript.get("name") or ""
        text = self.text_of(transcript, f"the transcript of “{' '.join(name.split())}”")
        if text is None:
            return None
        path = node.get("path") or node.get("currentPath") or ""
        member = self.archive.find(path) or ""
        if not member:
            self.skipped[f"{kind} recordings not inside the .qdpx (their transcripts are "
                         "imported without them)"] += 1
        ends = LineEnds(text)
        sync = {guid_in(point): (ends.position(whole_number(point, "position")),
                                 whole_number(point, "timeStamp"))
                for point in transcript.all("SyncPoint")}
        description = node.first("Description")
        source = SourceSpec(
            guid=guid_in(node), name=source_name(name, path, text), text=ends.text,
            creator=guid_in(node, "creatingUser"),
            created=read_datetime(node.get("creationDateTime")),
            note_guids=[guid_in(ref, "targetGUID") for ref in node.all("NoteRef")],
            description=description.text.strip() if description is not None else "",
            attributes=self.values_of(node),
            media=MediaSpec(node.tag, member, PurePosixPath(
                path.split("://", 1)[-1].replace("\\", "/")).name, sorted(sync.values())))
        for selection in transcript.all("TranscriptSelection"):
            source.codings += self.transcript_codings(selection, sync)
        return source

    def transcript_codings(self, node: Node,
                           sync: dict[str, tuple[int, int]]) -> list[CodingSpec]:
        """A TranscriptSelection's codings, at the positions of its two sync points."""
        start = sync.get(guid_in(node, "fromSyncPoint"))
        end = sync.get(guid_in(node, "toSyncPoint"))
        if start is None or end is None or not start[0] < end[0]:
            self.skipped["selections in transcripts without two sync points in order"] += 1
            return []
        description = node.first("Description")
        notes = [guid_in(ref, "targetGUID") for ref in node.all("NoteRef")]
        selection_guid, coder = guid_in(node), guid_in(node, "creatingUser")
        codings = list(node.all("Coding"))
        return [self.coding(coding, start[0], end[0], LineEnds(""),
                            notes if number == 0 else [],
                            description.text.strip() if description is not None and number == 0
                            else "", coder, selection_guid)
                for number, coding in enumerate(codings)]

    def pdf_source(self, node: Node) -> SourceSpec | None:
        """A PDF's text version, with its text selections (areas of pages are skipped), its
        pages (specs.pages_of) and the PDF itself when the archive holds it."""
        representation = node.first("Representation")
        if representation is None:
            self.skipped["PDF sources without a text version"] += 1
            return None
        source = self.text_source(representation, node.get("name") or "")
        if source is not None:
            source.guid = guid_in(node)
            source.note_guids += [guid_in(ref, "targetGUID") for ref in node.all("NoteRef")]
            source.attributes = {**self.values_of(node), **source.attributes}
            source.text, source.pages = pages_of(source.text)
            path = node.get("path") or node.get("currentPath") or ""
            source.original = (self.archive.find(path) or "" if path else "",
                               PurePosixPath(path.split("://", 1)[-1]).name)
        return source

    def text_source(self, node: Node, name: str) -> SourceSpec | None:
        given = " ".join(name.split())
        text = self.text_of(node, f"the source “{given}”" if given
                            else f"the source at line {node.line}")
        if text is None:
            return None
        name = source_name(name, node.get("plainTextPath") or "", text)
        ends = LineEnds(text)
        counting = SourceCounting(text)
        description = node.first("Description")
        source = SourceSpec(
            guid=guid_in(node), name=name, text=ends.text, creator=guid_in(node, "creatingUser"),
            created=read_datetime(node.get("creationDateTime")),
            note_guids=[guid_in(ref, "targetGUID") for ref in node.all("NoteRef")],
            description=description.text.strip() if description is not None else "",
            attributes=self.values_of(node))
        for selection in node.all("PlainTextSelection"):
            self.pend(source, selection, ends, counting)
        for coding in node.all("Coding"):
            if not ends.original_length:
                self.skipped["empty selections (no characters)"] += 1
                continue
            source.codings.append(self.coding(coding, 0, ends.original_length, ends, [], ""))
        return source

    def pend(self, source: SourceSpec, node: Node, ends: LineEnds,
             counting: SourceCounting) -> None:
        """Keep a selection with a code until the file's counting is known."""
        start, end = whole_number(node, "startPosition"), whole_number(node, "endPosition")
        if next(node.all("Coding"), None) is None:
            self.skipped["selections without a code"] += 1
        elif start == end:
            self.skipped["empty selections (no characters)"] += 1
        else:
            self.pending.append(PendingSelection(source, node, ends, Selection(
                counting, start, end, node.get("name") or "")))

    def selection_codings(self, pending: PendingSelection, counting: str) -> list[CodingSpec]:
        node, ends, selection = pending.node, pending.ends, pending.selection
        start = selection.source.code_point(counting, selection.start)
        end = selection.source.code_point(counting, selection.end)
        if start is None or end is None or not 0 <= start < end <= ends.original_length:
            inside = 0 <= selection.start < selection.end <= selection.source.length(counting)
            self.skipped["selections that start or end inside a character" if inside
                         else "selections outside their source's text"] += 1
            return []
        codings = list(node.all("Coding"))
        description = node.first("Description")
        notes = [guid_in(ref, "targetGUID") for ref in node.all("NoteRef")]
        selection_guid, coder = guid_in(node), guid_in(node, "creatingUser")
        first = self.coding(codings[0], start, end, ends, notes,
                            description.text.strip() if description is not None else "",
                            coder, selection_guid)
        return [first, *(self.coding(coding, start, end, ends, [], "", coder, selection_guid)
                         for coding in codings[1:])]

    def coding(self, node: Node, start: int, end: int, ends: LineEnds, notes: list[str],
               description: str, selection_coder: str = "",
               selection_guid: str = "") -> CodingSpec:
        reference = node.first("CodeRef")
        if reference is None:
            raise RefiError(f"At {node.where()}: a coding names no code (CodeRef is missing).")
        code = guid_in(reference, "targetGUID")
        if code not in self.code_guids:
            raise RefiError(f"At {reference.where()}: the coding refers to a code that is not "
                            f"in the file's codebook (GUID {required(reference, 'targetGUID')}).")
        return CodingSpec(
            guid=guid_in(node), selection_guid=selection_guid, code_guid=code,
            start=ends.position(start), end=ends.position(end),
            coder=guid_in(node, "creatingUser") or selection_coder,
            created=read_datetime(node.get("creationDateTime")),
            note_guids=notes + [guid_in(ref, "targetGUID") for ref in node.all("NoteRef")],
            descriptions=[description] if description else [])

    def values_of(self, node: Node) -> dict[str, str]:
        """Variable values of a source or case as attribute names and text."""
        values = {}
        for value in node.all("VariableValue"):
            reference = value.first("VariableRef")
            name = (self.variables.get(guid_in(reference, "targetGUID"))
                    if reference is not None else None)
            if not name:
                raise RefiError(f"At {value.where()}: the value refers to a variable that is not "
                                "among the file's Variables.")
            given = next((child for child in value.children if child.tag.endswith("Value")),
                         None)
            values[name] = given.text.strip() if given is not None else ""
        return values

    def apply_cases(self, sources: dict[str, SourceSpec]) -> None:
        """A case's variable values become attributes of its sources (a source's own values
        win); codes applied to whole cases have no place in Fieldwork."""
        container = self.root.first("Cases")
        for case in container.all("Case") if container is not None else []:
            values = self.values_of(case)
            self.skipped["codes applied to whole cases"] += sum(1 for _ in case.all("CodeRef"))
            targets = [sources.get(guid_in(ref, "targetGUID")) for ref in case.all("SourceRef")]
            if not any(targets):
                self.skipped["cases not linked to a text source"] += 1
            for source in filter(None, targets):
                source.attributes = {**values, **source.attributes}


def read_project(data: bytes | BinaryIO, counting: str = "") -> ProjectFile:
    """The project of a .qdpx, in memory or open (unpacked from the file, never read whole);
    `counting` is how its positions count when the user said so ("" to find out)."""
    if is_codebook(head_of(data)):
        raise RefiError(WRONG_PAGE_CODEBOOK)
    archive = Archive(data)
    entry = archive.project_entry()
    root = parse_xml(archive.read(entry), entry)
    if root.tag != "Project":
        raise RefiError(f"{entry} is not a REFI-QDA project: its XML starts with <{root.tag}>, "
                        "not <Project>.")
    project = ProjectReader(archive, root, counting).read()
    project.archive = archive
    return project
