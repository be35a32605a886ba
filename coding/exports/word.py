"""Coding's Word files: fieldwork.word's writer (the Word files of every package, written
without python-docx) with the title page of an export."""

from __future__ import annotations

from coding.exports.selection import Summary, summary_rows
from fieldwork import word
from fieldwork.word import CITATION, CONTEXT, MEMO, run_xml

__all__ = ["CITATION", "CONTEXT", "MEMO", "WordWriter", "run_xml"]


class WordWriter(word.WordWriter):
    def title_page(self, summary: Summary, notice: str) -> None:
        """The title, what the document holds, and a notice in bold if given."""
        self.heading(summary.title, 0)
        self.paragraph(summary.project, "Subtitle")
        self.table([(label, str(value)) for label, value in summary_rows(summary)])
        if notice:
            self.add_xml('<w:p><w:pPr><w:spacing w:before="360"/></w:pPr>'
                         f"{run_xml(notice, bold=True)}</w:p>")
        self.page_break()
