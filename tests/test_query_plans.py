"""A page runs as many SQL statements for 3N items as for N: nothing is loaded one item at a
time. Each page is asked for with N items, then with 3N, and the counts must be equal."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import count

import pytest
from flask.testing import FlaskClient

from casestudies.models import Place
from coding.codebook import CodeFields, create_code
from coding.codings import apply_codes, set_coding_memo
from coding.memos import write_memo
from coding.models import Code, Source
from coding.quotebank import add_quote
from coding.sources import document_paragraphs, set_attributes, set_links
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.participants import ParticipantData, create_participant, record_consent
from interviews.scheduling import InterviewPlan, create_interview
from tests.statements import counted_statements

N = 2
TEXT = ("The city signed an agreement with a Chinese partner in 2015.\n\n"
        "Trade missions followed, and a university exchange.\n\n"
        "The ministry asked to be informed of every visit.")
_numbers = count(1)


class World:
    """A project that grows by a batch of every kind of item at a time."""

    def __init__(self, project: Project, people: dict[str, User]) -> None:
        self.project = project
        self.people = people
        self.first_source: Source | None = None
        self.first_code_id = 0
        self.place = Place(key=f"plans-{next(_numbers)}", kind="city", name="Wrocław",
                           country_code="PL", timezone="Europe/Warsaw", is_eu=True,
                           is_cee=True, population=640_000)
        db.session.add(self.place)
        db.session.flush()

    def grow(self, items: int) -> None:
        for _ in range(items):
            self.add_batch()
        db.session.commit()

    def add_batch(self) -> None:
        number = next(_numbers)
        lead, coder = self.people["lead"], self.people["coder"]
        code = create_code(self.project, CodeFields(name=f"Theme {number}"), None, lead)
        self.first_code_id = self.first_code_id or code.id
        source = Source(project_id=self.project.id, kind="document", title=f"Notes {number}",
                        text=TEXT, paragraphs=document_paragraphs(TEXT), created_by_id=lead.id)
        db.session.add(source)
        db.session.flush()
        self.first_source = self.first_source or source
        set_links(source, [self.place.id], [], None)
        set_attributes(source, [("Sector", f"sector {number}")])
        for coder_user in (coder, lead):
            for target in {source, self.first_source}:
                for code_id in {code.id, self.first_code_id}:
                    (coding,) = apply_codes(target, [code_id], 4, 40, 1, coder_user)
                    set_coding_memo(coding, f"memo {number}", coder_user)
        add_quote(self.project, coding, "Chapter 1", "", lead)
        write_memo(self.project, lead, f"Memo {number}", "A project memo", None)
        self.add_interview(number)

    def add_interview(self, number: int) -> None:
        participant = create_participant(self.project, ParticipantData(
            organisation=f"City office {number}", organisation_type="eu_institution",
            place=self.place, name=f"Person {number}"))
        record_consent(participant, recording_allowed=True, attribution="role",
                       given_on=datetime(2026, 3, 1).date(), retention="project", user=None)
        create_interview(self.project, InterviewPlan(
            local_start=datetime(2026, 12, 20, 10) + timedelta(days=number),
            timezone="Europe/Warsaw", place=self.place, participants=[participant],
            interviewers=[self.people["interviewer"], self.people["lead"]]), None)


def coding_url(world: World, rest: str) -> str:
    return f"/projects/{world.project.id}/coding/{rest}"


def source_url(world: World, rest: str = "") -> str:
    assert world.first_source is not None
    return coding_url(world, f"sources/{world.first_source.id}{rest}")


def retrieval_url(world: World) -> str:
    return coding_url(world, "retrieve?codes=" + "&codes=".join(
        str(code) for code in project_code_ids(world)) + "&operator=or")


def project_code_ids(world: World) -> list[int]:
    return list(db.session.scalars(db.select(Code.id).where(Code.project_id == world.project.id)))


def project_source_ids(world: World) -> list[int]:
    return list(db.session.scalars(db.select(Source.id).where(
        Source.project_id == world.project.id)))


PAGES: dict[str, Callable[[World], str]] = {
    "coding view": source_url,
    "coding view data": lambda world: source_url(world, "/data"),
    "coder against coder": lambda world: source_url(
        world, f"/data?mode=compare&a={world.people['coder'].id}&b={world.people['lead'].id}"),
    "retrieval": retrieval_url,
    "sources list": lambda world: coding_url(world, "sources/"),
    "codebook": lambda world: coding_url(world, "codebook/"),
    "code page": lambda world: coding_url(world, f"codebook/{world.first_code_id}"),
    "memos": lambda world: coding_url(world, "memos/"),
    "quote bank": lambda world: coding_url(world, "quotes/"),
    "agreement": lambda world: coding_url(world, "agreement?units=paragraphs" + "".join(
        f"&coders={world.people[role].id}" for role in ("coder", "lead")) + "".join(
        f"&sources={source_id}" for source_id in project_source_ids(world))),
    "search": lambda world: coding_url(world, "search?q=agreement+partner"),
    "interviews list": lambda world: f"/projects/{world.project.id}/interviews/",
    "participants list": lambda world: f"/projects/{world.project.id}/participants/",
    "schedule": lambda world: f"/projects/{world.project.id}/calendar",
    "my interviews": lambda world: "/calendar",
}


def statements_of(client: FlaskClient, url: str) -> list[str]:
    with counted_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return statements


@pytest.mark.parametrize("page", PAGES)
def test_a_page_runs_as_many_statements_for_three_times_the_items(
        page: str, project: Project, people: dict[str, User],
        client_for: Callable[[User], FlaskClient]) -> None:
    world = World(project, people)
    client = client_for(people["lead"])
    world.grow(N)
    url = PAGES[page](world)
    client.get(url)
    few = statements_of(client, url)
    world.grow(2 * N)
    many = statements_of(client, PAGES[page](world))
    assert len(many) == len(few), repeated(few, many)


def repeated(few: list[str], many: list[str]) -> list[str]:
    """The statements run more often with more items, their lists of values shortened."""
    def shape(statement: str) -> str:
        listed = re.sub(r"\((?:\?|%\(\w+\)s)(?:, (?:\?|%\(\w+\)s))*\)", "(…)", statement)
        return re.sub(r"^SELECT .+? FROM", "SELECT … FROM", listed)
    return list((Counter(map(shape, many)) - Counter(map(shape, few))).elements())
