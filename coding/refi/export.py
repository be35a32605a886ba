"""Exporting the codebook as .qdc and the whole project as .qdpx (REFI-QDA, QDA-XML 1.0).

A .qdpx is a ZIP: project.qde (the XML) and sources/<guid>.txt, the text of each source in
UTF-8, exactly as stored, so that a coding's startPosition and endPosition (Unicode code
points from 0, end exclusive: Fieldwork's own offsets) point at the same words in any tool;
with the interviews' recordings and the PDFs documents were made from (media.py). What goes
out is read from the database by contents.py.

What goes out: sources by their titles (pseudonyms, never participants' names or emails),
codes, codings (one PlainTextSelection each), the team members who coded or wrote (by name
only), memos as Notes linked where they belong, and each source's attributes as a Case of
that source with Text variables. Transcripts of participants who withdrew consent are left
out with their codings and memos, unless the lead applied the withdrawal keeping the codings
anonymised: then the pseudonymised transcript goes out. Under blind coding a coder exports
only their own codings.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import groupby
from typing import IO, Any

from sqlalchemy import Row

from coding.codebook import project_codes
from coding.codings import Viewer
from coding.models import Source
from coding.refi.codes import code_guid, write_code_tree
from coding.refi.contents import Contents, read_contents
from coding.refi.guids import guid, guid_of
from coding.refi.media import (
    sync_points,
    transcript_selection,
    with_page_breaks,
)
from coding.refi.xmlio import RefiError, XmlWriter, xml_datetime
from fieldwork import audit
from fieldwork.background import ProgressReport, no_progress
from fieldwork.dbtypes import utcnow
from fieldwork.downloads import slug
from fieldwork.models import Project, User
from fieldwork.storage import file_store

CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
ORIGIN = "Fieldwork"


@dataclass(frozen=True)
class ProjectExport:
    #: the .qdpx when made in memory (project_qdpx); empty when written to a file (write_qdpx)
    data: bytes
    sources: int
    codings: int
    memos: int
    #: titles of transcripts left out because a participant withdrew consent
    left_out: list[str]


def file_name(project: Project, what: str, extension: str) -> str:
    """e.g. "eu-china-cities-project-20261207.qdpx" (letters of every alphabet kept)."""
    return f"{slug(project.name)}-{what}-{utcnow():%Y%m%d}.{extension}"


def codebook_qdc(project: Project, user: User) -> bytes:
    """The codebook as a .qdc file."""
    codes = project_codes(project)
    if not codes:
        raise RefiError("The codebook is empty: there is nothing to export.")
    writer = XmlWriter()
    writer.open("CodeBook", [("xmlns", CODEBOOK_NAMESPACE), ("origin", ORIGIN)])
    write_code_tree(writer, codes, lambda code: code_guid(project, code))
    writer.close("CodeBook")
    audit.record("refi.export_codebook", project, project=project, user_id=user.id,
                 summary=f"Codebook exported as REFI-QDA (.qdc): {len(codes)} codes")
    return writer.to_bytes()


def project_qde(contents: Contents, progress: ProgressReport = no_progress) -> bytes:
    project = contents.project
    writer = XmlWriter()
    writer.open("Project", [("xmlns", PROJECT_NAMESPACE), ("name", project.name),
                            ("origin", ORIGIN),
                            ("creationDateTime", xml_datetime(project.created_at))])
    write_users(writer, contents)
    if contents.codes:
        writer.open("CodeBook")
        write_code_tree(writer, contents.codes, lambda code: code_guid(project, code),
                        lambda code: contents.notes_of_code.get(code.id, []))
        writer.close("CodeBook")
    write_cases(writer, contents)
    write_sources(writer, contents, progress)
    write_notes(writer, contents)
    if project.description:
        writer.text("Description", project.description)
    for note in contents.notes_of_project:
        writer.empty("NoteRef", [("targetGUID", note)])
    writer.close("Project")
    return writer.to_bytes()


def user_guid(contents: Contents) -> Callable[[int | None], str | None]:
    guids = {user_id: contents.user_guid(user_id) for user_id in contents.user_names}
    return lambda user_id: guids.get(user_id)


def write_users(writer: XmlWriter, contents: Contents) -> None:
    if not contents.user_names:
        return
    writer.open("Users")
    for user_id, name in sorted(contents.user_names.items(),
                                key=lambda item: (item[1], contents.user_guid(item[0]))):
        writer.empty("User", [("guid", contents.user_guid(user_id)), ("name", name)])
    writer.close("Users")


def write_cases(writer: XmlWriter, contents: Contents) -> None:
    """Variables (one Text variable per attribute name) and a Case per source with them."""
    described = [source for source in contents.sources if source.attributes]
    names = sorted({name for source in described for name in source.attributes})
    if not names:
        return
    writer.open("Variables")
    for name in names:
        writer.empty("Variable", [("guid", guid_of("variable", name)), ("name", name),
                                  ("typeOfVariable", "Text")])
    writer.close("Variables")
    writer.open("Cases")
    for source in described:
        writer.open("Case", [("guid", guid_of("case", contents.source_guid(source))),
                             ("name", source.title)])
        for name, value in source.attributes.items():
            writer.open("VariableValue")
            writer.empty("VariableRef", [("targetGUID", guid_of("variable", name))])
            writer.text("TextValue", str(value))
            writer.close("VariableValue")
        writer.empty("SourceRef", [("targetGUID", contents.source_guid(source))])
        writer.close("Case")
    writer.close("Cases")


def write_sources(writer: XmlWriter, contents: Contents,
                  progress: ProgressReport = no_progress) -> None:
    if not contents.sources:
        return
    users = user_guid(contents)
    codes = {code.id: code_guid(contents.project, code) for code in contents.codes}
    total = sum(len(rows) for rows in contents.codings.values())
    done = 0
    writer.open("Sources")
    for source in contents.sources:
        progress(done, total, "codings written")
        done += len(contents.codings[source.id])
        if source.id in contents.media:
            write_media_source(writer, contents, source, codes, users)
            continue
        source_guid = contents.source_guid(source)
        made = [("creatingUser", users(source.created_by_id)),
                ("creationDateTime", xml_datetime(source.created_at)),
                ("modifiedDateTime", xml_datetime(source.updated_at))]
        pdf = source.id in contents.pdfs
        if pdf:
            writer.open("PDFSource", [("guid", source_guid), ("name", source.title),
                                      ("path", f"internal://{source_guid}.pdf"), *made])
        writer.open("Representation" if pdf else "TextSource", [
            ("guid", contents.guid("representation", source.id) if pdf else source_guid),
            ("name", source.title), ("plainTextPath", f"internal://{source_guid}.txt"), *made])
        for _key, rows in groupby(contents.codings[source.id], key=selection_key):
            writer.markup(selection_markup(contents, list(rows), codes, users))
        if pdf:
            writer.close("Representation")
        for note in contents.notes_of_source.get(source.id, []):
            writer.empty("NoteRef", [("targetGUID", note)])
        writer.close("PDFSource" if pdf else "TextSource")
    writer.close("Sources")


def write_media_source(writer: XmlWriter, contents: Contents, source: Source,
                       codes: dict[int, str], users: Callable[[int | None], str | None]) -> None:
    """An interview with its recording: an AudioSource or VideoSource whose Transcript is
    the source's text, its codings TranscriptSelections between sync points (media.py)."""
    media, source_guid = contents.media[source.id], contents.source_guid(source)
    rows = contents.codings[source.id]
    times = sync_points(source, {row.start for row in rows} | {row.end for row in rows})
    points = {position: contents.guid("sync", f"{source.id}/{position}") for position in times}
    transcript = contents.guid("transcript", source.id)
    writer.open(media.element, [
        ("guid", source_guid), ("name", source.title),
        ("path", f"internal://{source_guid}{media.suffix}"),
        ("creatingUser", users(source.created_by_id)),
        ("creationDateTime", xml_datetime(source.created_at)),
        ("modifiedDateTime", xml_datetime(source.updated_at))])
    writer.open("Transcript", [("guid", transcript), ("name", source.title),
                               ("plainTextPath", f"internal://{transcript}.txt")])
    for position, time in times.items():
        writer.empty("SyncPoint", [("guid", points[position]), ("timeStamp", str(time)),
                                   ("position", str(position))])
    for _key, group in groupby(rows, key=selection_key):
        selection = list(group)
        first = selection[0]
        writer.markup(transcript_selection(
            first.selection_guid or contents.guid("selection", first.id),
            points[first.start], points[first.end],
            made_by(users(first.coder_id), first.created_at),
            codings_markup(contents, selection, codes, users)))
    writer.close("Transcript")
    for note in contents.notes_of_source.get(source.id, []):
        writer.empty("NoteRef", [("targetGUID", note)])
    writer.close(media.element)


def selection_key(row: Row[Any]) -> tuple[str, int, int] | int:
    """Codings of one selection of the file they came from go out in one selection again."""
    return (row.selection_guid, row.start, row.end) if row.selection_guid else row.id


def selection_markup(contents: Contents, rows: list[Row[Any]], codes: dict[int, str],
                     users: Callable[[int | None], str | None]) -> str:
    """A selection: its characters, and the Coding of each row with its code and memo.
    Written as one string (the export's inner loop); every value is a GUID, a number or a
    date."""
    first = rows[0]
    selection = first.selection_guid or guid(contents.project.id, "selection", first.id)
    return (f'<PlainTextSelection guid="{selection}" startPosition="{first.start}" '
            f'endPosition="{first.end}"{made_by(users(first.coder_id), first.created_at)}>'
            f'{codings_markup(contents, rows, codes, users)}</PlainTextSelection>')


def codings_markup(contents: Contents, rows: list[Row[Any]], codes: dict[int, str],
                   users: Callable[[int | None], str | None]) -> str:
    """The Coding of each row of one selection, with its code and memo."""
    project_id = contents.project.id
    codings = []
    for row in rows:
        notes = contents.notes_of_coding.get(row.id)
        refs = "".join(f'<NoteRef targetGUID="{note}"/>' for note in notes) if notes else ""
        codings.append(
            f'<Coding guid="{row.guid or guid(project_id, "coding", row.id)}"'
            f'{made_by(users(row.coder_id), row.created_at)}>'
            f'<CodeRef targetGUID="{codes[row.code_id]}"/>{refs}</Coding>')
    return "".join(codings)


def made_by(coder: str | None, created: datetime | None) -> str:
    moment = xml_datetime(created)
    return (f' creatingUser="{coder}"' if coder else "") + (
        f' creationDateTime="{moment}"' if moment else "")


def write_notes(writer: XmlWriter, contents: Contents) -> None:
    if not contents.memos:
        return
    users = user_guid(contents)
    writer.open("Notes")
    for memo in contents.memos:
        writer.open("Note", [("guid", contents.note_guid(memo)),
                             ("name", memo.title or None),
                             ("creatingUser", users(memo.author_id)),
                             ("creationDateTime", xml_datetime(memo.created_at)),
                             ("modifiedDateTime", xml_datetime(memo.updated_at))])
        writer.text("PlainTextContent", memo.body)
        writer.close("Note")
    writer.close("Notes")


def write_qdpx(project: Project, viewer: Viewer, out: IO[bytes],
               progress: ProgressReport = no_progress) -> ProjectExport:
    """Write the project as a .qdpx archive into `out`; nothing is written to the database."""
    contents = read_contents(project, viewer)
    store = file_store()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project_qde(contents, progress))
        for source in contents.sources:
            media = contents.media.get(source.id)
            text_guid = (contents.guid("transcript", source.id) if media
                         else contents.source_guid(source))
            text = (with_page_breaks(source.text, source.paragraphs)
                    if source.id in contents.pdfs else source.text)
            archive.writestr(f"sources/{text_guid}.txt", text.encode("utf-8"))
            if source.id in contents.pdfs:
                archive.write(store.blob_path(contents.pdfs[source.id]),
                              f"sources/{contents.source_guid(source)}.pdf")
            if media is not None:
                archive.write(store.blob_path(media.sha256),
                              f"sources/{contents.source_guid(source)}{media.suffix}",
                              zipfile.ZIP_STORED)
    codings = sum(len(rows) for rows in contents.codings.values())
    return ProjectExport(b"", len(contents.sources), codings, len(contents.memos),
                         contents.left_out)


def record_qdpx_export(project: Project, viewer: Viewer, export: ProjectExport) -> None:
    """The export's audit entry, added to the session."""
    mine = " (own codings only: blind coding is on)" if viewer.sees_only_own else ""
    audit.record("refi.export_project", project, project=project, user_id=viewer.user.id,
                 summary=f"Project exported as REFI-QDA (.qdpx): {export.sources} "
                         f"sources, {export.codings} codings, {export.memos} memos{mine}",
                 left_out=export.left_out)


def project_qdpx(project: Project, viewer: Viewer) -> ProjectExport:
    """The project as a .qdpx archive in memory, written to the audit log."""
    buffer = io.BytesIO()
    export = replace(write_qdpx(project, viewer, buffer), data=buffer.getvalue())
    record_qdpx_export(project, viewer, export)
    return export
