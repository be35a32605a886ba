"""The codebook as a Word document (the tree as headings, each code with its definition, when
to use it, when not to, and an example) and as CSV (a row per code)."""

from __future__ import annotations

import io

from coding.codebook import TreeRow, code_tree, coding_counts, project_codes
from coding.exports.tables import write_csv
from fieldwork.models import Project

FIELDS = (("definition", "Definition"), ("when_to_use", "When to use"),
          ("when_not_to_use", "When not to use"), ("example", "Example"))
COLUMNS = ["Code ID", "Path", "Name", "Level", "Parent ID", "Definition", "When to use",
           "When not to use", "Example", "Colour", "Shortcut", "Archived", "Codings"]


def codebook_rows(project: Project) -> list[TreeRow]:
    return code_tree(project_codes(project))


def codebook_docx(project: Project, made_on: str, made_by: str) -> bytes:
    from coding.exports.word import MEMO, WordWriter  # python-docx on first use

    writer = WordWriter("Codebook", f"{project.name}: the codebook as of {made_on}", made_by)
    rows = codebook_rows(project)
    counts = coding_counts(project)
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
                paragraph = writer.paragraph()
                writer.run(paragraph, f"{label}: ", bold=True)
                writer.run(paragraph, text)
        writer.paragraph(f"{counts.get(code.id, 0)} codings · {row.path}", MEMO)
    return writer.save()


def codebook_csv(project: Project) -> str:
    counts = coding_counts(project)
    rows = ([row.code.id, row.path, row.code.name, row.depth + 1, row.code.parent_id or "",
             row.code.definition, row.code.when_to_use, row.code.when_not_to_use,
             row.code.example, row.code.colour, row.code.shortcut,
             "yes" if row.code.archived else "no", counts.get(row.code.id, 0)]
            for row in codebook_rows(project))
    text = io.StringIO()
    write_csv(text, COLUMNS, rows)
    return text.getvalue()
