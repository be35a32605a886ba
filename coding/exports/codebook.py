"""The codebook as a Word document (the tree as headings, each code with its definition, when
to use it, when not to, and an example) and as CSV (a row per code)."""

from __future__ import annotations

import io

from coding.codebook import TreeRow, code_counts, code_tree, project_codes
from coding.exports.tables import write_csv
from coding.exports.word import MEMO, WordWriter, run_xml
from fieldwork.models import Project

FIELDS = (("definition", "Definition"), ("when_to_use", "When to use"),
          ("when_not_to_use", "When not to use"), ("example", "Example"))
COLUMNS = ["Code ID", "Path", "Name", "Level", "Parent ID", "Definition", "When to use",
           "When not to use", "Example", "Colour", "Shortcut", "Archived", "Codings",
           "Codings with sub-codes"]


def codebook_rows(project: Project) -> list[TreeRow]:
    return code_tree(project_codes(project))


def codebook_docx(project: Project, made_on: str, made_by: str) -> bytes:
    writer = WordWriter("Codebook", f"{project.name}: the codebook as of {made_on}", made_by)
    rows = codebook_rows(project)
    counts = code_counts(project, rows=rows)
    writer.heading("Codebook", 0)
    writer.paragraph(project.name, "Subtitle")
    writer.paragraph(f"{len(rows)} codes, as of {made_on}. Headings follow the code tree; "
                     "archived codes are marked.")
    for row in rows:
        code = row.code
        writer.heading(code.name + (" (archived)" if code.archived else ""), row.depth + 1)
        for name, label in FIELDS:
            text = getattr(code, name)
            if text:
                writer.add_paragraph(run_xml(f"{label}: ", bold=True) + run_xml(text))
        count = counts[code.id]
        with_subcodes = f", {count.with_subcodes} with sub-codes" if count.subcodes else ""
        writer.paragraph(f"{count.own} codings{with_subcodes} · {row.path}", MEMO)
    return writer.save()


def codebook_csv(project: Project) -> str:
    tree = codebook_rows(project)
    counts = code_counts(project, rows=tree)
    rows = ([row.code.id, row.path, row.code.name, row.depth + 1, row.code.parent_id or "",
             row.code.definition, row.code.when_to_use, row.code.when_not_to_use,
             row.code.example, row.code.colour, row.code.shortcut,
             "yes" if row.code.archived else "no", counts[row.code.id].own,
             counts[row.code.id].with_subcodes]
            for row in tree)
    text = io.StringIO()
    write_csv(text, COLUMNS, rows)
    return text.getvalue()
