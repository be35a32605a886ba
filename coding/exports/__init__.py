"""Exports for the book and for analysis: coded excerpts (Word, Markdown) grouped by code or
by the quote bank's chapters, codings with every attribute (Excel, CSV), and the codebook (Word,
CSV). Every export respects consent (a withdrawn participant's words are left out, names only
with "named" consent and only for readers who may see identities) and blind coding, and is
written to the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO

from coding.codebook import project_codes
from coding.codings import viewer_in
from coding.exports.codebook import codebook_csv, codebook_docx
from coding.exports.documents import Layout, excerpts_docx, excerpts_markdown
from coding.exports.selection import (
    GROUPS,
    ExportError,
    ExportOptions,
    Selection,
    checked_options,
    coding_conditions,
    describe,
    excerpt_contents,
    excerpt_link,
    excerpt_sections,
    plan_export,
)
from coding.exports.tables import coding_rows, codings_xlsx, csv_file, header
from coding.models import Coding
from fieldwork import audit
from fieldwork.background import ProgressReport, no_progress
from fieldwork.downloads import slug
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.citations import Citer, rules_for

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
MARKDOWN = "text/markdown; charset=utf-8"

__all__ = ["EXPORTS", "GROUPS", "Download", "ExportError", "ExportOptions", "Selection",
           "build_export", "export_label", "export_size", "make_export", "record_export",
           "selection_for"]


@dataclass(frozen=True)
class Download:
    filename: str
    mimetype: str
    #: a large CSV comes as a file to be sent from
    content: bytes | str | IO[bytes]
    #: how many excerpts (codings) it holds, and how many were left out (withdrawn consent)
    excerpts: int = 0
    left_out: int = 0
    #: what was exported, in words, for the audit log
    summary: str = ""


@dataclass(frozen=True)
class Export:
    label: str
    build: Callable[[Selection, str], Download]
    #: the file's kind and what its rows are, for "XLSX export of 100,000 codings"
    kind: str
    rows: str


def filename(selection: Selection, what: str, extension: str) -> str:
    return f"{slug(selection.project.name)}-{what}-{date.today():%Y-%m-%d}.{extension}"


def left_out_words(left_out: int) -> str:
    return f"; {left_out:,} left out: withdrawn consent" if left_out else ""


def excerpts_export(extension: str) -> Callable[[Selection, str], Download]:
    def build(selection: Selection, made_by: str) -> Download:
        sections, plan = excerpt_sections(selection)
        flagged = sum(1 for section in sections for entry in section.entries
                      if entry.excerpt.flags)
        summary = describe(selection, plan, "Coded excerpts", excerpt_contents(selection),
                           made_by, selection.options.memos, flagged)
        arguments = (sections, summary, Layout(selection.options.memos, selection.by_chapter,
                                               excerpt_link(selection)), selection.progress)
        content = (excerpts_docx(*arguments) if extension == "docx"
                   else excerpts_markdown(*arguments))
        group = "by-chapter" if selection.by_chapter else "by-code"
        return Download(
            filename(selection, f"excerpts-{group}", extension),
            DOCX if extension == "docx" else MARKDOWN, content, plan.kept, plan.left_out,
            f"Exported {plan.kept:,} coded excerpts {GROUPS[selection.options.group]} as "
            f"{'Word' if extension == 'docx' else 'Markdown'}{left_out_words(plan.left_out)}")
    return build


def codings_export(extension: str) -> Callable[[Selection, str], Download]:
    def build(selection: Selection, made_by: str) -> Download:
        conditions = coding_conditions(selection, quotes_only=False)
        plan = plan_export(selection, conditions)
        columns, rows = header(plan), coding_rows(selection, plan, conditions)
        if extension == "csv":
            content: bytes | IO[bytes] = csv_file(columns, rows)
        else:
            summary = describe(selection, plan, "Codings", "Codings with every attribute",
                               made_by, memos=True)
            content = codings_xlsx(columns, rows, summary, plan.kept)
        return Download(
            filename(selection, "codings", extension), CSV if extension == "csv" else XLSX,
            content, plan.kept, plan.left_out,
            f"Exported {plan.kept:,} codings with their attributes as "
            f"{extension.upper()}{left_out_words(plan.left_out)}")
    return build


def codebook_export(extension: str) -> Callable[[Selection, str], Download]:
    def build(selection: Selection, made_by: str) -> Download:
        project = selection.project
        content: bytes | str = (
            codebook_docx(project, f"{date.today():%d %B %Y}", made_by) if extension == "docx"
            else codebook_csv(project))
        return Download(filename(selection, "codebook", extension),
                        DOCX if extension == "docx" else CSV, content,
                        summary=f"Exported the codebook ({len(project_codes(project))} codes) "
                                f"as {'Word' if extension == 'docx' else 'CSV'}")
    return build


EXPORTS: dict[str, Export] = {
    "excerpts_docx": Export("Coded excerpts — Word document (.docx)", excerpts_export("docx"),
                            "Word", "codings"),
    "excerpts_md": Export("Coded excerpts — Markdown (.md)", excerpts_export("md"),
                          "Markdown", "codings"),
    "codings_xlsx": Export("Codings with every attribute — Excel workbook (.xlsx)",
                           codings_export("xlsx"), "XLSX", "codings"),
    "codings_csv": Export("Codings with every attribute — CSV (.csv)", codings_export("csv"),
                          "CSV", "codings"),
    "codebook_docx": Export("The codebook — Word document (.docx)", codebook_export("docx"),
                            "Word codebook", "codes"),
    "codebook_csv": Export("The codebook — CSV (.csv)", codebook_export("csv"),
                           "CSV codebook", "codes"),
}


def selection_for(project: Project, options: ExportOptions, user: User, role: str,
                  may_see_identity: bool, progress: ProgressReport = no_progress) -> Selection:
    """What `user` exports with these choices, or an ExportError saying which does not fit."""
    if options.what not in EXPORTS:
        raise ExportError("Choose what to export.")
    options = checked_options(project, options)
    return Selection(project, options, viewer_in(project, user, role), may_see_identity,
                     Citer(rules_for(project), may_see_identity), progress)


def export_size(selection: Selection) -> int:
    """How many rows the export holds before it is made: codings, or codes for the codebook
    (one count query)."""
    if selection.options.what.startswith("codebook"):
        return len(project_codes(selection.project))
    conditions = coding_conditions(selection, quotes_only=selection.by_chapter)
    return db.session.scalar(db.select(db.func.count()).select_from(Coding).where(*conditions))


def export_label(selection: Selection, size: int) -> str:
    """e.g. "XLSX export of 100,000 codings"."""
    export = EXPORTS[selection.options.what]
    return f"{export.kind} export of {size:,} {export.rows}"


def build_export(selection: Selection, made_by: str) -> Download:
    return EXPORTS[selection.options.what].build(selection, made_by)


def record_export(project: Project, options: ExportOptions, user_id: int,
                  download: Download) -> None:
    """The export's audit entry, added to the session."""
    audit.record("coding.export", project, project=project, user_id=user_id,
                 summary=download.summary, export=options.what, excerpts=download.excerpts,
                 left_out=download.left_out, group=options.group, chapter=options.chapter,
                 memos=options.memos, codes=list(options.code_ids),
                 sources=list(options.source_ids))


def make_export(project: Project, options: ExportOptions, user: User, role: str,
                may_see_identity: bool) -> Download:
    """The export, with its audit entry added to the session (the caller commits)."""
    selection = selection_for(project, options, user, role, may_see_identity)
    download = build_export(selection, user.name)
    record_export(project, selection.options, user.id, download)
    return download
