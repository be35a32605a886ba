"""The coding part of the demo project: the starter codebook, a document of field notes and
codings of it by two coders, so the coding page and the agreement table have something to
show."""

from __future__ import annotations

from casestudies.models import Partnership, Place
from coding.codebook import load_starter
from coding.codings import apply_codes
from coding.models import Code, Source
from coding.sources import document_paragraphs
from fieldwork.extensions import db
from fieldwork.models import Project, User

DEMO_TITLE = "Field notes, visit to Wrocław (demo)"
DEMO_NOTES = """\
Meeting at the city hall with the head of international relations. The partnership with \
Guangzhou was signed in 2015 as a friendship city agreement; the city hoped above all for \
investors and for direct flights.

Since 2019 the cooperation has slowed down. Our contact says the national government now \
wants to be consulted before any new memorandum with a Chinese city, and the office in \
Brussels advises caution.

With Charlotte the cooperation is older and runs mostly through the universities: student \
exchanges, a joint summer school on urban transport, and visits of business delegations.

The city has one person for all of its partnerships and no budget line of its own for them; \
the agreement text is kept in the mayor's office. Współpraca z partnerami zza oceanu zależy \
od ludzi, nie od dokumentów.
"""

#: (words to code, code name, coders)
DEMO_CODINGS = [
    ("the city hoped above all for investors", "Economic development and investment",
     ("coder", "coder2")),
    ("the national government now wants to be consulted", "National level", ("coder",)),
    ("the national government now wants to be consulted before any new memorandum",
     "National level", ("coder2",)),
    ("student exchanges", "Education", ("coder", "coder2")),
    ("a joint summer school on urban transport", "Urban transport", ("coder",)),
    ("one person for all of its partnerships", "Staff", ("coder", "coder2")),
    ("no budget line of its own", "Budgets", ("coder2",)),
]


def add_demo_coding(project: Project, people: dict[str, User]) -> None:
    """Idempotent: does nothing once the demo document is there."""
    if db.session.scalar(db.select(Source.id).where(Source.project_id == project.id,
                                                    Source.title == DEMO_TITLE)):
        return
    load_starter(project, people["lead"])
    text = DEMO_NOTES.strip()
    source = Source(project_id=project.id, kind="document", title=DEMO_TITLE, text=text,
                    paragraphs=document_paragraphs(text), created_by_id=people["lead"].id,
                    attributes={"Partner country": "China and United States", "Level": "City"})
    source.partnerships = list(db.session.scalars(db.select(Partnership).join(
        Place, Place.id == Partnership.eu_place_id).where(
        Partnership.project_id == project.id, Place.name == "Wrocław")))
    db.session.add(source)
    db.session.flush()
    codes = {code.name: code.id for code in db.session.scalars(
        db.select(Code).where(Code.project_id == project.id))}
    for words, code_name, coders in DEMO_CODINGS:
        start = text.index(words)
        for coder in coders:
            if code_name in codes:
                apply_codes(source, [codes[code_name]], start, start + len(words),
                            source.text_version, people[coder])
