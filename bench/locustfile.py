"""What the load test's users do (run by bench.load; needs `pip install locust`).

The plan written by bench.load (path in LOAD_PLAN) names the project, its sources and codes,
and one account per simulated user: each user logs in as a different member through the
login form, then works as its role does, waiting between actions a random time in the range
LOAD_THINK gives ("5,15" seconds unless set: a coder reads before selecting the next words):

- coders read the coding page (the page and its data request, as the browser makes them),
  apply codes to a selection and remove some of their own, retrieve excerpts, open a matrix;
- interviewers look at their own calendar (agenda and week) and the project's;
- leads retrieve and compare (matrices), read and code, look at the project's calendar;
- viewers read calendars, the coding page, retrievals and matrices.

Every response must be 200 (apply and remove must return their JSON) or the request counts
as an error.
"""

from __future__ import annotations

import json
import os
import random
import re
from datetime import date, timedelta
from typing import Any

from locust import HttpUser, between, task

PLAN: dict[str, Any] = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115
ACCOUNTS: dict[str, list[str]] = {}
for _email, _role in PLAN["users"]:
    ACCOUNTS.setdefault(_role, []).append(_email)
PROJECT = f"/projects/{PLAN['project_id']}"
SOURCES = {int(key): length for key, length in PLAN["sources"].items()}
TRANSCRIPTS: list[int] = PLAN["transcript_ids"]
THINK = [float(s) for s in os.environ.get("LOAD_THINK", "5,15").split(",")]
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def first_group(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    if match is None:
        raise RuntimeError(f"no CSRF token in the page ({pattern.pattern})")
    return match.group(1)


class Member(HttpUser):
    """A team member logged in as their own account; subclasses give the role's mix."""

    abstract = True
    role = ""
    wait_time = between(THINK[0], THINK[1])

    def on_start(self) -> None:
        self.email = ACCOUNTS[self.role].pop()
        self.made: list[int] = []
        self.rng = random.Random(self.email)
        page = self.client.get("/login", name="login page")
        response = self.client.post("/login", name="login", data={
            "email": self.email, "password": PLAN["password"],
            "csrf_token": first_group(CSRF_INPUT, page.text)})
        self.csrf = first_group(CSRF_META, response.text)

    def get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}")

    def post_json(self, path: str, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        with self.client.post(path, name=name, json=payload, catch_response=True,
                              headers={"X-CSRFToken": self.csrf}) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}: {response.text[:200]}")
                return {}
            return response.json()

    def some_day(self) -> str:
        return (date.today() + timedelta(days=self.rng.randint(-28, 28))).isoformat()

    # the actions, each a browser's requests for one click

    def my_calendar_agenda(self) -> None:
        self.get("/calendar", "my calendar, agenda")

    def my_calendar_week(self) -> None:
        self.get(f"/calendar?view=week&from={self.some_day()}", "my calendar, week")

    def project_calendar(self) -> None:
        view = self.rng.choice(("agenda", "week"))
        self.get(f"{PROJECT}/calendar?view={view}&from={self.some_day()}",
                 f"project calendar, {view}")

    def read_source(self) -> int:
        source = self.rng.choice(TRANSCRIPTS if self.rng.random() < 0.7 else list(SOURCES))
        self.get(f"{PROJECT}/coding/sources/{source}", "coding page")
        self.get(f"{PROJECT}/coding/sources/{source}/data", "coding page data")
        return source

    def apply_code(self) -> None:
        source = self.rng.choice(list(SOURCES))
        start = self.rng.randrange(SOURCES[source] - 300)
        made = self.post_json(f"{PROJECT}/coding/sources/{source}/codings", "apply a code", {
            "codes": [self.rng.choice(PLAN["code_ids"])], "start": start,
            "end": start + self.rng.randint(30, 300), "textVersion": 1})
        self.made.extend(coding["id"] for coding in made.get("codings", []))

    def remove_code(self) -> None:
        if self.made:
            coding = self.made.pop(self.rng.randrange(len(self.made)))
            self.post_json(f"{PROJECT}/coding/codings/{coding}/remove", "remove a code", {})

    def retrieve(self) -> None:
        theme = self.rng.choice(PLAN["theme_ids"])
        country = self.rng.choice(("", "US", "CN"))
        self.get(f"{PROJECT}/coding/retrieve?codes={theme}&with_subcodes=y"
                 f"&partner_country={country}", "retrieval")

    def matrix(self) -> None:
        dimension = self.rng.choice(("city", "partner_country"))
        self.get(f"{PROJECT}/coding/matrix?dimension={dimension}", f"matrix by {dimension}")


class Coder(Member):
    fixed_count = 30
    role = "coder"

    @task(4)
    def reading(self) -> None:
        self.read_source()

    @task(4)
    def applying(self) -> None:
        self.apply_code()

    @task(2)
    def removing(self) -> None:
        self.remove_code()

    @task(2)
    def retrieving(self) -> None:
        self.retrieve()

    @task(1)
    def comparing(self) -> None:
        self.matrix()

    @task(1)
    def planning(self) -> None:
        self.my_calendar_agenda()


class Interviewer(Member):
    fixed_count = 10
    role = "interviewer"

    @task(3)
    def agenda(self) -> None:
        self.my_calendar_agenda()

    @task(3)
    def week(self) -> None:
        self.my_calendar_week()

    @task(2)
    def team(self) -> None:
        self.project_calendar()

    @task(1)
    def reading(self) -> None:
        self.read_source()

    @task(1)
    def retrieving(self) -> None:
        self.retrieve()


class Lead(Member):
    fixed_count = 3
    role = "lead"

    @task(3)
    def retrieving(self) -> None:
        self.retrieve()

    @task(2)
    def comparing(self) -> None:
        self.matrix()

    @task(2)
    def reading(self) -> None:
        self.read_source()

    @task(1)
    def applying(self) -> None:
        self.apply_code()

    @task(1)
    def removing(self) -> None:
        self.remove_code()

    @task(1)
    def planning(self) -> None:
        self.project_calendar()


class Viewer(Member):
    fixed_count = 7
    role = "viewer"

    @task(2)
    def planning(self) -> None:
        self.project_calendar()

    @task(2)
    def reading(self) -> None:
        self.read_source()

    @task(2)
    def retrieving(self) -> None:
        self.retrieve()

    @task(1)
    def comparing(self) -> None:
        self.matrix()
