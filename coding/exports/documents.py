"""Coded excerpts as a Word document and as Markdown: a first page that says what is included
(and how many excerpts were left out, and why), then a heading per code or chapter, each
excerpt as a quotation (with the sentence or segment before and after it, lighter, when
asked for) followed by its citation line, which links back to the source's page, and a
"Check" note when its words name what the citation leaves out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

from coding import reliability
from coding.excerpts import Excerpt
from coding.exports.selection import (
    Entry,
    Section,
    Summary,
    flagged_notice,
    left_out_notice,
    summary_rows,
)
from coding.exports.word import CITATION, CONTEXT, MEMO, WordWriter, run_xml
from fieldwork.background import ProgressReport, no_progress

NOTHING = "No excerpts match these choices."
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_<>])")
#: what would make a line a heading or a list item
_MARK_START = re.compile(r"^(\s*)([#+\-=])")
_NUMBER_START = re.compile(r"^(\s*\d+)([.)])")
_BRACKET = re.compile(r"([\[\]])")


@dataclass(frozen=True)
class Layout:
    """What each excerpt shows besides its words."""

    with_memos: bool
    #: the code path after the citation (when the headings are not codes)
    with_code: bool
    #: the address of the excerpt on its source's page ("": no link)
    link: Callable[[Excerpt], str]


def check_note(excerpt: Excerpt) -> str:
    """e.g. "Check: the words name the city of PL-CITY-12 (“Wrocławia”), which the citation
    leaves out." ("" when they name nothing of the kind)."""
    if not excerpt.flags:
        return ""
    return (f"Check: the words name {'; '.join(excerpt.flags)}, which the citation leaves "
            "out.")


def notices(summary: Summary) -> list[str]:
    return ([left_out_notice(summary.left_out)] if summary.left_out else []) + (
        [flagged_notice(summary.flagged)] if summary.flagged else [])


def code_after(entry: Entry, with_code: bool) -> str:
    """What follows the citation: the code path when the headings are not codes."""
    return f" · {entry.excerpt.code_path}" if with_code else ""


def reliability_notes(sections: list[Section]) -> dict[int, str]:
    """The note of each excerpt from an unchecked uncertain segment, by coding id."""
    return reliability.notes(entry.excerpt for section in sections for entry in section.entries)


def with_reliability(line: str, entry: Entry, notes: dict[int, str]) -> str:
    """The citation line, with "automatic transcript, not checked: ..." where it applies."""
    found = notes.get(entry.excerpt.coding_id)
    return f"{line} ({found})" if found else line


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


def excerpts_docx(sections: list[Section], summary: Summary, layout: Layout,
                  progress: ProgressReport = no_progress) -> bytes:
    writer = WordWriter(summary.title, f"{summary.project}: {summary.lines[0][1]}",
                        summary.made_by)
    writer.title_page(summary, "\n".join(notices(summary)))
    if not sections:
        writer.paragraph(NOTHING)
    entries = counted(sections, progress)
    checks = reliability_notes(sections)
    for section in sections:
        writer.heading(section.title, section.level)
        for memo in section.memos:
            writer.paragraph(f"Memo: {memo}", MEMO)
        for entry in islice(entries, len(section.entries)):
            excerpt = entry.excerpt
            if excerpt.around is not None and excerpt.around.before:
                writer.paragraph(f"…{excerpt.around.before}", CONTEXT)
            for version in excerpt.quoted:
                writer.paragraph(version.text, "Quote")
            if excerpt.around is not None and excerpt.around.after:
                writer.paragraph(f"{excerpt.around.after}…", CONTEXT)
            citation = with_reliability(excerpt.citation, entry, checks)
            url = layout.link(excerpt)
            line = run_xml("— " if url else f"— {citation}")
            if url:
                line += writer.link_xml(citation, url)
            if layout.with_code:
                line += run_xml(code_after(entry, with_code=True))
            writer.add_paragraph(line, CITATION)
            if excerpt.flags:
                writer.paragraph(check_note(excerpt), MEMO)
            for label, note in notes_of(entry, layout.with_memos):
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


def linked(text: str, url: str) -> str:
    """Markdown for `text` (escaped) that links to `url` when there is one."""
    if not url:
        return escaped(text)
    text = _BRACKET.sub(r"\\\1", escaped(text))
    return f"[{text}](<{url}>)"


def lighter(text: str, ellipsis_before: bool) -> list[str]:
    """Context lines of a quotation, in italics."""
    lines = [line for line in text.split("\n") if line.strip()]
    if ellipsis_before:
        lines[0] = f"…{lines[0]}"
    else:
        lines[-1] = f"{lines[-1]}…"
    return [f"> *{escaped(line)}*" for line in lines] + [">"]


def excerpts_markdown(sections: list[Section], summary: Summary, layout: Layout,
                      progress: ProgressReport = no_progress) -> str:
    lines = [f"# {escaped(summary.title)}", ""]
    lines += [f"- **{label}:** {escaped(str(value))}" for label, value in summary_rows(summary)]
    for notice in notices(summary):
        lines += ["", f"**{notice}**"]
    if not sections:
        lines += ["", NOTHING]
    entries = counted(sections, progress)
    checks = reliability_notes(sections)
    for section in sections:
        lines += ["", f"{'#' * min(section.level + 1, 6)} {escaped(section.title)}", ""]
        for memo in section.memos:
            lines += [f"**Memo:** {escaped(memo)}", ""]
        for entry in islice(entries, len(section.entries)):
            excerpt = entry.excerpt
            around = excerpt.around
            if around is not None and around.before:
                lines += lighter(around.before, ellipsis_before=True)
            lines += [line for version in excerpt.quoted
                      for line in (*quoted(version.text), ">")]
            if around is not None and around.after:
                lines += lighter(around.after, ellipsis_before=False)
            citation = with_reliability(excerpt.citation, entry, checks)
            lines += [f"> — {linked(citation, layout.link(excerpt))}"
                      f"{escaped(code_after(entry, layout.with_code))}", ""]
            if excerpt.flags:
                lines += [f"**{escaped(check_note(excerpt))}**", ""]
            for label, note in notes_of(entry, layout.with_memos):
                lines += [f"**{label}:** {escaped(note)}", ""]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).rstrip() + "\n"
