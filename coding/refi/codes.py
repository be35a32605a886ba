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
from coding.refi.xmlio import Node, RefiError, XmlWriter, guid_in
from fieldwork.extensions import db
from fieldwork.models import Project

SECTIONS = (("when_to_use", "When to use"), ("when_not_to_use", "When not to use"),
            ("example", "Example"))
_SECTION = re.compile(r"(?:^|\n\n)(When to use|When not to use|Example): ")
_HEX = re.compile(r"#?([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})")
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


@dataclass(frozen=True)
class CodesAdded:
    #: the file's code GUID -> the Fieldwork code it became (new or kept)
    code_ids: dict[str, int]
    added: int
    kept: int


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


def add_codes(project: Project, specs: list[CodeSpec]) -> CodesAdded:
    """Add the tree to the codebook; a code already at the same place by name (any case) is
    kept as it is, and the file's codes under it go under it. Only flushes."""
    codes = db.session.scalars(db.select(Code).where(Code.project_id == project.id,
                                                     Code.archived_at.is_(None)))
    existing = {(code.parent_id, code.name.casefold()): code for code in codes}
    positions: dict[int | None, int] = {}
    for (parent_id, _name), code in existing.items():
        positions[parent_id] = max(positions.get(parent_id, 0), code.position)
    code_ids: dict[str, int] = {}
    added = kept = 0

    def add(spec: CodeSpec, parent_id: int | None) -> None:
        nonlocal added, kept
        code = existing.get((parent_id, spec.name.casefold()))
        if code is None:
            positions[parent_id] = positions.get(parent_id, 0) + 1
            code = Code(project_id=project.id, parent_id=parent_id, name=spec.name,
                        colour=spec.colour or CodeFields.colour,
                        position=positions[parent_id], **description_fields(spec.description))
            db.session.add(code)
            db.session.flush()
            existing[(parent_id, spec.name.casefold())] = code
            added += 1
        else:
            kept += 1
        code_ids.setdefault(spec.guid, code.id)
        for child in spec.children:
            add(child, code.id)

    for spec in specs:
        add(spec, None)
    return CodesAdded(code_ids, added, kept)
