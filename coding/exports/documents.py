"""Coded excerpts as a Word document and as Markdown: a first page that says what is included
(and how many excerpts were left out, and why), then a heading per code or chapter, each
excerpt as a quotation followed by its citation line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from coding.exports.selection import Entry, Section, Summary, left_out_notice, summary_rows
from fieldwork.background import ProgressReport, no_progress

NOTHING = "No excerpts match these choices."
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_<>])")
#: what would make a line a heading or a list item
_MARK_START = re.compile(r"^(\s*)([#+\-=])")
_NUMBER_START = re.compile(r"^(\s*\d+)([.)])")


def citation_line(entry: Entry, with_code: bool) -> str:
    """e.g. "— City official, Wrocław, March 2026 [PL-CITY-12]", and the code path when the
    headings are not codes."""
    line = f"— {entry.excerpt.citation}"
    return f"{line} · {entry.excerpt.code_path}" if with_code else line


def notes_of(entry: Entry, with_memos: bool) -> list[tuple[str, str]]:
    """The coder's memo on the excerpt and the quote bank's note, as (label, text)."""
    if not with_memos:
        return []
    notes = [("Memo", entry.excerpt.memo)] if entry.excerpt.memo else []
    return notes + ([("Note", entry.note)] if entry.note else [])


def counted(sections: list[Section], progress: ProgressReport) -> Iterator[Entry]:
    """Each section's entries, in order, telling `progress` how many were written."""
    total = sum(len(section.entries) for section in sections)
    done = 0
    for section in sections:
        for entry in section.entries:
            yield entry
            done += 1
            progress(done, total, "excerpts written")


def excerpts_docx(sections: list[Section], summary: Summary, with_memos: bool,
                  with_code: bool, progress: ProgressReport = no_progress) -> bytes:
    # python-docx (with lxml) is loaded by the first Word file, not by every web process
    from coding.exports.word import CITATION, MEMO, WordWriter

    writer = WordWriter()
    writer.title_page(summary, left_out_notice(summary.left_out) if summary.left_out else "")
    if not sections:
        writer.paragraph(NOTHING)
    entries = counted(sections, progress)
    for section in sections:
        writer.heading(section.title, section.level)
        for memo in section.memos:
            writer.paragraph(f"Memo: {memo}", MEMO)
        for entry in islice(entries, len(section.entries)):
            for version in entry.excerpt.quoted:
                writer.paragraph(version.text, "Quote")
            writer.paragraph(citation_line(entry, with_code), CITATION)
            for label, note in notes_of(entry, with_memos):
                writer.paragraph(f"{label}: {note}", MEMO)
    return writer.save()


def escaped(text: str) -> str:
    """Text that Markdown shows as it is (brackets without a link after them stay as they are,
    so citations like "[PL-CITY-12]" read well)."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return "\n".join(_NUMBER_START.sub(r"\1\\\2", _MARK_START.sub(r"\1\\\2", line))
                     for line in text.split("\n"))


def quoted(text: str) -> list[str]:
    return [f"> {escaped(line)}" if line.strip() else ">" for line in text.split("\n")]


def excerpts_markdown(sections: list[Section], summary: Summary, with_memos: bool,
                      with_code: bool, progress: ProgressReport = no_progress) -> str:
    lines = [f"# {escaped(summary.title)}", ""]
    lines += [f"- **{label}:** {escaped(str(value))}" for label, value in summary_rows(summary)]
    if summary.left_out:
        lines += ["", f"**{left_out_notice(summary.left_out)}**"]
    if not sections:
        lines += ["", NOTHING]
    entries = counted(sections, progress)
    for section in sections:
        lines += ["", f"{'#' * min(section.level + 1, 6)} {escaped(section.title)}", ""]
        for memo in section.memos:
            lines += [f"**Memo:** {escaped(memo)}", ""]
        for entry in islice(entries, len(section.entries)):
            lines += [*(line for version in entry.excerpt.quoted
                        for line in (*quoted(version.text), ">")),
                      f"> {escaped(citation_line(entry, with_code))}", ""]
            for label, note in notes_of(entry, with_memos):
                lines += [f"**{label}:** {escaped(note)}", ""]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).rstrip() + "\n"
