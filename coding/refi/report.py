"""What an import did, kept as counts while it runs and said in words at its end."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportReport:
    filename: str
    origin: str = ""
    codes_added: int = 0
    codes_kept: int = 0
    sources: int = 0
    codings: int = 0
    memos: int = 0
    attributes: int = 0
    #: (name in the file, the Fieldwork user it became)
    matched: list[tuple[str, str]] = field(default_factory=list)
    #: people of the file with no account here, now external coders of the project, and how
    #: many codings they made
    unmatched: list[tuple[str, int]] = field(default_factory=list)
    #: (a code's path in the file, its name here) where a sibling's name differs only in case
    renamed: list[tuple[str, str]] = field(default_factory=list)
    #: GUIDs already used in this project or twice in the file, replaced: kind -> count
    guids_replaced: dict[str, int] = field(default_factory=dict)
    #: what the file holds that Fieldwork cannot take, in words, with counts
    skipped: dict[str, int] = field(default_factory=dict)
    #: how the file's positions were counted, in words, and its name (offsets.COUNTINGS)
    positions: str = ""
    counting: str = ""

    @property
    def skipped_words(self) -> str:
        return "; ".join(f"{words}: {count}" for words, count in self.skipped.items())


def codebook_lines(report: ImportReport) -> list[str]:
    """What a codebook import did, in words."""
    line = (f"Codebook “{report.filename}” imported: {report.codes_added} codes added, "
            f"{report.codes_kept} already there and kept as they were.")
    return [line + (f" Not taken: {report.skipped_words}." if report.skipped else ""),
            *renamed_lines(report)]


def renamed_lines(report: ImportReport) -> list[str]:
    return [f"The code “{path}” is named “{name}” here: a code beside it has the same name "
            "in another case, and Fieldwork tells codes apart whatever their case."
            for path, name in report.renamed]


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def project_lines(report: ImportReport) -> list[str]:
    """What a project import did, in words."""
    made_with = f" (made with {report.origin})" if report.origin else ""
    lines = [f"“{report.filename}” imported{made_with}.",
             f"{plural(report.sources, 'source')}, {plural(report.codings, 'coding')}, "
             f"{plural(report.memos, 'memo')}, {plural(report.attributes, 'attribute value')}.",
             f"Codes: {report.codes_added} added, {report.codes_kept} already in the codebook.",
             report.positions]
    lines += [f"“{name}” is {user} here." for name, user in report.matched]
    lines += [f"“{name}” has no account here and is an external coder of this project, "
              f"with {plural(count, 'coding')} of their own (they count as theirs in agreement "
              "and retrieval); the lead can join them to an account on the REFI-QDA exchange "
              "page." for name, count in report.unmatched]
    lines += renamed_lines(report)
    if report.guids_replaced:
        kinds = ", ".join(f"{count:,} of {kind}" for kind, count in
                          sorted(report.guids_replaced.items()))
        lines.append(f"GUIDs already used in this project or twice in the file were replaced "
                     f"by new ones: {kinds}.")
    lines += [f"Not taken (Fieldwork codes text only): {words}: {count}."
              for words, count in report.skipped.items()]
    return lines
