"""Codes in REFI-QDA files: a code's fields in one Description, colours as other tools write
them, writing and reading a code tree, and adding a read tree to a project's codebook.

The standard gives a code one Description. Fieldwork writes the definition first, then "When
to use: ", "When not to use: " and "Example: " paragraphs, and reads them back the same way;
a description from another tool without these paragraphs becomes the definition."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from coding.codebook import MAX_NAME, CodeFields
from coding.models import Code
from coding.refi.guids import guid
from coding.refi.xmlio import Node, RefiError, XmlWriter, guid_in
from fieldwork.extensions import db
from fieldwork.models import Project

SECTIONS = (("when_to_use", "When to use"), ("when_not_to_use", "When not to use"),
            ("example", "Example"))
_SECTION = re.compile(r"(?:^|\n\n)(When to use|When not to use|Example): ")
_HEX = re.compile(r"#?([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})")
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_RGB = re.compile(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,[^)]*)?\)", re.I)


@dataclass
class CodeSpec:
    """A code as read from a file, before it is added to a codebook."""

    guid: str
    name: str
    colour: str | None
    description: str
    line: int
    note_guids: list[str] = field(default_factory=list)
    children: list[CodeSpec] = field(default_factory=list)


@dataclass
class CodesAdded:
    #: the file's code GUID -> the Fieldwork code it became (new or kept)
    code_ids: dict[str, int]
    added: int
    kept: int
    #: (the code's path in the file, its name here) for codes renamed because a sibling has
    #: the same name in another case, which a Fieldwork codebook does not hold
    renamed: list[tuple[str, str]] = field(default_factory=list)


def code_description(code: Code) -> str:
    parts = [code.definition] if code.definition else []
    parts += [f"{label}: {getattr(code, name)}" for name, label in SECTIONS
              if getattr(code, name)]
    return "\n\n".join(parts)


def description_fields(text: str) -> dict[str, str]:
    """definition, when_to_use, when_not_to_use and example from a Description; paragraphs
    out of Fieldwork's order leave the whole text as the definition."""
    text = text.strip()
    fields = {"definition": text, **{name: "" for name, _label in SECTIONS}}
    matches = list(_SECTION.finditer(text))
    labels = [label for _name, label in SECTIONS]
    order = [labels.index(match.group(1)) for match in matches]
    if not matches or order != sorted(set(order)):
        return fields
    fields["definition"] = text[:matches[0].start()].strip()
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        fields[SECTIONS[labels.index(match.group(1))][0]] = text[match.end():end].strip()
    return fields


def colour_of(value: str | None) -> str | None:
    """#RRGGBB from #RGB, #RRGGBB, #RRGGBBAA or rgb(r, g, b); None when there is none."""
    value = (value or "").strip()
    rgb = _RGB.fullmatch(value)
    if rgb:
        channels = [min(int(channel), 255) for channel in rgb.groups()]
        return "#" + "".join(f"{channel:02X}" for channel in channels)
    hexadecimal = _HEX.fullmatch(value)
    if not hexadecimal:
        return None
    digits = hexadecimal.group(1)
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return "#" + digits[:6].upper()


def write_code_tree(writer: XmlWriter, codes: list[Code], guid_of: Callable[[Code], str],
                    notes_of: Callable[[Code], list[str]] | None = None) -> None:
    """<Codes> with every code nested under its parent, in the codebook's order."""
    ids = {code.id for code in codes}
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id if code.parent_id in ids else None, []).append(code)

    def write(code: Code) -> None:
        writer.open("Code", [("guid", guid_of(code)), ("name", code.name),
                             ("isCodable", "true"), ("color", colour_of(code.colour))])
        description = code_description(code)
        if description:
            writer.text("Description", description)
        for note_guid in notes_of(code) if notes_of else []:
            writer.empty("NoteRef", [("targetGUID", note_guid)])
        for child in children.get(code.id, []):
            write(child)
        writer.close("Code")

    writer.open("Codes")
    for top in children.get(None, []):
        write(top)
    writer.close("Codes")


def read_codes(container: Node | None) -> list[CodeSpec]:
    """The Code elements under `container` (Codes, or a Code), with their children."""
    specs = []
    for node in container.all("Code") if container is not None else []:
        name = " ".join((node.get("name") or "").split())
        if not name:
            raise RefiError(f"At {node.where()}: a code has no name.")
        if len(name) > MAX_NAME:
            raise RefiError(f"At {node.where()}: the code name “{name[:40]}…” is longer than "
                            f"{MAX_NAME} characters.")
        description = node.first("Description")
        specs.append(CodeSpec(
            guid=guid_in(node) or f"line-{node.line}",
            name=name, colour=colour_of(node.get("color")),
            description=description.text if description is not None else "", line=node.line,
            note_guids=[guid_in(ref, "targetGUID") for ref in node.all("NoteRef")],
            children=read_codes(node)))
    return specs


def all_specs(specs: list[CodeSpec]) -> list[CodeSpec]:
    """Every code of the tree, parents before their children."""
    return [item for spec in specs for item in (spec, *all_specs(spec.children))]


def check_unique_guids(specs: list[CodeSpec]) -> None:
    seen: dict[str, int] = {}
    for spec in all_specs(specs):
        if spec.guid in seen:
            raise RefiError(f"Two codes share the GUID {spec.guid} (lines {seen[spec.guid]} "
                            f"and {spec.line}).")
        seen[spec.guid] = spec.line


def is_guid(value: str) -> bool:
    return GUID.fullmatch(value) is not None


def code_guid(project: Project, code: Code) -> str:
    """The code's GUID in REFI-QDA files: the one it came with, else one from its id."""
    return code.guid or guid(project.id, "code", code.id)


def free_name(name: str, taken: set[str], limit: int = MAX_NAME) -> str:
    """`name`, or “name (2)”, “name (3)” … whichever is not in `taken` (casefolded names),
    at most `limit` characters long."""
    number, candidate = 1, name
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[:limit - len(suffix)] + suffix
    return candidate


class CodeAdder:
    """Adds a file's code tree to a project's codebook (see add_codes)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        codes = list(db.session.scalars(db.select(Code).where(Code.project_id == project.id)))
        self.by_guid = {code_guid(project, code): code for code in codes}
        self.children: dict[int | None, list[Code]] = {}
        for code in codes:
            if code.archived_at is None:
                self.children.setdefault(code.parent_id, []).append(code)
        self.claimed: set[int] = set()
        self.result = CodesAdded({}, 0, 0)

    def add_level(self, specs: list[CodeSpec], parent_id: int | None, path: str) -> None:
        """Siblings: each matched to a code of the codebook by GUID, then by its exact name,
        then by its name in any case; the rest added, renamed where their name differs only
        in case from a sibling's."""
        siblings = self.children.setdefault(parent_id, [])
        matches: dict[int, Code] = {}
        rules = (lambda spec, code: code_guid(self.project, code) == spec.guid,
                 lambda spec, code: code.name == spec.name,
                 lambda spec, code: code.name.casefold() == spec.name.casefold())
        for rule in rules:
            for index, spec in enumerate(specs):
                candidates = ([self.by_guid[spec.guid]] if rule is rules[0] and spec.guid in
                              self.by_guid else siblings)
                code = next((code for code in candidates if code.id not in self.claimed
                             and index not in matches and rule(spec, code)), None)
                if code is not None:
                    matches[index] = code
                    self.claimed.add(code.id)
        for index, spec in enumerate(specs):
            code = matches.get(index) or self.new_code(spec, parent_id, path)
            if index in matches:
                self.result.kept += 1
            self.result.code_ids.setdefault(spec.guid, code.id)
            self.add_level(spec.children, code.id, f"{path}{spec.name} › ")

    def new_code(self, spec: CodeSpec, parent_id: int | None, path: str) -> Code:
        siblings = self.children.setdefault(parent_id, [])
        name = free_name(spec.name, {code.name.casefold() for code in siblings})
        if name != spec.name:
            self.result.renamed.append((path + spec.name, name))
        code = Code(project_id=self.project.id, parent_id=parent_id, name=name,
                    colour=spec.colour or CodeFields.colour,
                    position=max((code.position for code in siblings), default=0) + 1,
                    guid=spec.guid if is_guid(spec.guid) and spec.guid not in self.by_guid
                    else None, **description_fields(spec.description))
        db.session.add(code)
        db.session.flush()
        siblings.append(code)
        self.by_guid[code_guid(self.project, code)] = code
        self.claimed.add(code.id)
        self.result.added += 1
        return code


def add_codes(project: Project, specs: list[CodeSpec]) -> CodesAdded:
    """Add the tree to the codebook, keeping the file's names and tree: a code of the
    codebook with the file code's GUID, or at the same place with its name (exactly, else in
    any case), is kept as it is and takes the file's codes under it; two siblings of the
    file whose names differ only in case stay two codes, the second renamed (“trust (2)”),
    as a Fieldwork codebook tells codes apart whatever their case. Only flushes."""
    adder = CodeAdder(project)
    adder.add_level(specs, None, "")
    return adder.result
