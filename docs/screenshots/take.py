"""Screenshots of every main page, for the user guide (docs/guide.md).

Starts `fieldwork serve --demo` on 127.0.0.1 with a fresh SQLite instance in a temporary
folder, uploads a short generated interview (eSpeak NG voices) so that the queue, the
transcript editor and a transcript source have something to show, adds two excerpts to the
quote bank, and then photographs each page with Debian's Chromium (headless) at desktop
(1440×900) and laptop (1280×720) sizes, as the demo user a researcher in that role would be:

    .venv/bin/python docs/screenshots/take.py            # all pages, into docs/screenshots/
    .venv/bin/python docs/screenshots/take.py coding map # only shots whose name contains a word

Chinese partner names need a font with Chinese characters on the machine (on Debian:
`apt-get install fonts-wqy-zenhei`), or they show as boxes.

Files are named `<page>-<width>.png` (e.g. `coding-1440.png`) and are stored as palette PNGs
to keep the repository small. Nothing here is a test: it only needs to run when pages change.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy import Select

from casestudies.models import CaseStudy, Partnership, Place, Visit
from coding.models import Code, Source
from fieldwork.app import create_app
from fieldwork.demo import DEMO_PROJECT
from fieldwork.extensions import db
from fieldwork.models import Project
from fieldwork.processes import stop_process
from interviews.demo import next_monday
from interviews.models import Interview, Participant
from interviews.recordings.models import FINISHED_STATES, Recording, TranscriptionJob
from interviews.transcripts.models import Transcript
from tests.audio import join, pad, speak

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
FIELDWORK = Path(sys.executable).with_name("fieldwork")
SIZES = {"1440": (1440, 900), "1280": (1280, 720)}
#: a European researcher's browser: dates as dd/mm/yyyy, the team's zone
LOCALE = {"locale": "en-GB", "timezone_id": "Europe/Brussels"}
EMAIL = {
    "lead": "lead@fieldwork.example",
    "interviewer": "interviewer@fieldwork.example",
    "coder": "coder@fieldwork.example",
    "viewer": "viewer@fieldwork.example",
}
#: the generated interview: (voice, words), one turn each
DIALOGUE = [
    ("en-us", "How did the partnership between Wroclaw and the Chinese city of Guangzhou begin?"),
    ("en-us+f3", "It began with a visit of the mayor in twenty fifteen. The city hoped for "
                 "investors and for direct flights, and we signed a friendship agreement."),
    ("en-us", "And what changed after twenty nineteen?"),
    ("en-us+f3", "The national government wants to be consulted before any new memorandum. "
                 "Business cooperation slowed down, but student exchanges go on."),
]
#: what the interviewer corrects in the transcript if the recogniser misheard it so
CORRECTIONS = [("Iraq law", "Wrocław"), ("Roclaw", "Wrocław"), ("Guangju", "Guangzhou")]
TRANSCRIPTION_TIMEOUT_S = 600


@dataclass
class Shot:
    """One page to photograph: its file name, the user, its address and what to do first."""

    name: str
    role: str
    path: str
    prepare: Callable[[Page], None] | None = None
    full_page: bool = False
    wait_for: str | None = None
    #: a selector to scroll to the top of the window (otherwise the page's top is shown)
    scroll_to: str | None = None


@dataclass
class Demo:
    """The demo instance: the server's address and the ids the pages need."""

    url: str
    instance: Path
    password: str
    ids: dict[str, int] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served_demo(instance: Path) -> Iterator[Demo]:
    """`fieldwork serve --demo` on a free port, with its own instance folder."""
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("FIELDWORK_")}
    env["FIELDWORK_INSTANCE_PATH"] = str(instance)
    log = (instance / "serve.log").open("w")
    server = subprocess.Popen(
        [str(FIELDWORK), "serve", "--demo", "--port", str(port), "--threads", "8"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if server.poll() is not None:
                raise SystemExit(f"fieldwork serve stopped; see {instance / 'serve.log'}")
            try:
                urllib.request.urlopen(f"{url}/login", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("fieldwork serve did not answer within 5 minutes") from None
                time.sleep(1)
        password = (instance / "demo-password.txt").read_text().strip()
        yield Demo(url, instance, password)
    finally:
        stop_process(server, timeout=20)
        log.close()


def spoken_interview(folder: Path) -> Path:
    """The dialogue spoken by two voices, with a short pause between turns."""
    turns = []
    for number, (voice, words) in enumerate(DIALOGUE):
        turn = speak(words, folder / f"turn{number}.wav", voice, 160)
        turns.append(pad(turn, folder / f"padded{number}.wav", after=0.8))
    return join(turns, folder / "wroclaw-city-hall.wav")


def read_ids(instance: Path) -> dict[str, int]:
    """The ids of the demo's objects, read from its database."""
    os.environ["FIELDWORK_INSTANCE_PATH"] = str(instance)
    app = create_app()
    with app.app_context():
        project = db.session.scalar(db.select(Project).where(Project.name == DEMO_PROJECT))
        assert project is not None, "the demo project is missing"

        def first(query: Select[Any]) -> int:
            found = db.session.scalar(query)
            return int(found) if found is not None else 0

        in_project = Interview.project_id == project.id
        ids = {
            "project": project.id,
            "case_study": first(db.select(CaseStudy.id).where(CaseStudy.project_id == project.id)
                                .order_by(CaseStudy.id)),
            "visit": first(db.select(Visit.id).where(Visit.project_id == project.id)
                           .order_by(Visit.starts_on)),
            "partnership": first(db.select(Partnership.id).join(
                Place, Place.id == Partnership.eu_place_id).where(
                Partnership.project_id == project.id, Place.name == "Wrocław")
                .order_by(Partnership.id)),
            "place": first(db.select(Place.id).where(Place.name == "Wrocław",
                                                     Place.kind == "city")),
            "participant": first(db.select(Participant.id).where(
                Participant.project_id == project.id).order_by(Participant.id)),
            "interview": first(db.select(Interview.id).join(Interview.participants).where(
                in_project, Participant.organisation_code == "COM")),
            "transcript": first(db.select(Transcript.id).where(
                Transcript.project_id == project.id).order_by(Transcript.id)),
            "document": first(db.select(Source.id).where(
                Source.project_id == project.id, Source.kind == "document")
                .order_by(Source.id)),
            "transcript_source": first(db.select(Source.id).where(
                Source.project_id == project.id, Source.kind == "transcript")
                .order_by(Source.id)),
        }
        for key, name in (("code_business", "Economic development and investment"),
                          ("code_education", "Education"), ("code_national", "National level")):
            ids[key] = first(db.select(Code.id).where(Code.project_id == project.id,
                                                      Code.name == name))
        db.engine.dispose()
    return ids


def log_in(context: BrowserContext, demo: Demo, role: str) -> Page:
    page = context.new_page()
    page.goto(f"{demo.url}/login")
    page.fill("#email", EMAIL[role])
    page.fill("#password", demo.password)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def add_recording(browser: Browser, demo: Demo, audio: Path) -> None:
    """As the interviewer: upload the interview, wait for its transcript, mark it ready."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, **LOCALE)
    page = log_in(context, demo, "interviewer")
    project, interview = demo.ids["project"], demo.ids["interview"]
    page.goto(f"{demo.url}/projects/{project}/interviews/{interview}")
    page.set_input_files("#recording-files", str(audio))
    page.click(".upload-form button[type=submit]")
    page.wait_for_selector(".upload-progress li.upload-ok", timeout=120_000)
    wait_for_transcription(demo.instance, interview)
    page.goto(f"{demo.url}/projects/{project}/transcripts/")
    page.locator("main tbody tr a").first.click()
    page.wait_for_selector("#save-button")
    for wrong, right in CORRECTIONS:
        page.fill("#find", wrong)
        page.fill("#replace_with", right)
        page.click("button[value='replace']")
        page.wait_for_selector("#save-button")
    page.click("button[value='status:ready']")
    page.wait_for_load_state()
    context.close()


def wait_for_transcription(instance: Path, interview_id: int) -> None:
    """Until the interview's transcription job has finished (speakers separated too)."""
    os.environ["FIELDWORK_INSTANCE_PATH"] = str(instance)
    app = create_app()
    deadline = time.monotonic() + TRANSCRIPTION_TIMEOUT_S
    with app.app_context():
        while True:
            state = db.session.scalar(db.select(TranscriptionJob.state).join(
                TranscriptionJob.recording).where(Recording.interview_id == interview_id)
                .order_by(TranscriptionJob.id.desc()).limit(1))
            db.session.rollback()
            if state in FINISHED_STATES:
                break
            if time.monotonic() > deadline:
                raise SystemExit("the transcription did not finish in time; see serve.log")
            time.sleep(2)
        db.engine.dispose()
    if state != "done":
        raise SystemExit(f"the transcription ended {state}; see serve.log")


def add_quotes(browser: Browser, demo: Demo) -> None:
    """As the lead: put two excerpts on business and education in the quote bank."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, **LOCALE)
    page = log_in(context, demo, "lead")
    ids = demo.ids
    page.goto(f"{demo.url}/projects/{ids['project']}/coding/retrieve?codes={ids['code_business']}"
              f"&codes={ids['code_education']}&operator=or")
    for chapter, which in (("Chapter 4: Business with Chinese partners", 0),
                           ("Chapter 5: Universities", -1)):
        forms = page.locator("form.quote-add")
        if not forms.count():
            break
        form = forms.nth(which if which >= 0 else forms.count() - 1)
        form.locator("input[name=chapter]").fill(chapter)
        form.locator("button").click()
        page.wait_for_load_state()
    context.close()


def shots(ids: dict[str, int]) -> list[Shot]:
    p = f"/projects/{ids['project']}"
    demo_week = next_monday().isoformat()
    retrieve = (f"{p}/coding/retrieve?codes={ids['code_business']}&codes={ids['code_education']}"
                "&operator=or")

    def preview_import(page: Page) -> None:
        page.set_input_files("#file", str(ROOT / "docs" / "sample-partnerships.csv"))
        page.click("main form button[type=submit]")
        page.wait_for_load_state()

    def compare_coders(page: Page) -> None:
        page.select_option("#sources", label="Field notes, visit to Wrocław (demo)")
        page.select_option("#coders", label=["Eva Horváth (coder)", "Jan Dvořák (second coder)"])
        page.click("main form button[type=submit]")
        page.wait_for_selector("table.agreement")

    def settle_disagreements(page: Page) -> None:
        page.select_option("#sources", label="Field notes, visit to Wrocław (demo)")
        page.select_option("#coders", label=["Eva Horváth (coder)", "Jan Dvořák (second coder)"])
        page.click("main form button[type=submit]")
        page.wait_for_selector("#segments")
        page.keyboard.press("a")
        page.wait_for_selector(".segment.settled")

    def select_words(page: Page) -> None:
        page.wait_for_selector("#source-text .coded, #source-text mark, #source-text",
                               timeout=10_000)
        page.wait_for_timeout(500)

    return [
        Shot("projects", "lead", "/projects"),
        Shot("dashboard", "lead", f"{p}/"),
        Shot("dashboard-viewer", "viewer", f"{p}/"),
        Shot("members", "lead", f"{p}/members"),
        Shot("places", "lead", "/places"),
        Shot("place", "lead", f"/places/{ids['place']}"),
        Shot("map", "lead", f"{p}/partnerships/map", wait_for="svg path"),
        Shot("partnerships", "lead", f"{p}/partnerships"),
        Shot("partnership", "lead", f"{p}/partnerships/{ids['partnership']}"),
        Shot("partnership-summary", "lead", f"{p}/partnerships/summary"),
        Shot("import", "lead", f"{p}/partnerships/import"),
        Shot("import-preview", "lead", f"{p}/partnerships/import", prepare=preview_import),
        Shot("case-studies", "lead", f"{p}/case-studies"),
        Shot("case-study", "lead", f"{p}/case-studies/{ids['case_study']}"),
        Shot("visit", "interviewer", f"{p}/visits/{ids['visit']}"),
        Shot("itinerary", "interviewer", f"{p}/visits/{ids['visit']}/itinerary"),
        Shot("survey", "lead", f"{p}/survey"),
        Shot("participants", "interviewer", f"{p}/participants/"),
        Shot("participant", "interviewer", f"{p}/participants/{ids['participant']}"),
        Shot("interviews", "interviewer", f"{p}/interviews/"),
        Shot("interview-new", "interviewer", f"{p}/interviews/new"),
        Shot("interview", "interviewer", f"{p}/interviews/{ids['interview']}"),
        Shot("interview-recordings", "interviewer", f"{p}/interviews/{ids['interview']}",
             scroll_to="section.recordings-panel"),
        Shot("agenda", "interviewer", f"{p}/calendar"),
        Shot("week", "interviewer", f"{p}/calendar?view=week&from={demo_week}"),
        Shot("my-calendar", "interviewer", "/calendar"),
        Shot("guides", "interviewer", f"{p}/guides/"),
        Shot("queue", "interviewer", f"{p}/transcription/"),
        Shot("transcripts", "interviewer", f"{p}/transcripts/"),
        Shot("transcript-editor", "interviewer", f"{p}/transcripts/{ids['transcript']}",
             wait_for="#waveform"),
        Shot("sources", "coder", f"{p}/coding/sources/"),
        Shot("coding", "coder", f"{p}/coding/sources/{ids['document']}", prepare=select_words),
        Shot("coding-transcript", "coder", f"{p}/coding/sources/{ids['transcript_source']}",
             prepare=select_words),
        Shot("codebook", "lead", f"{p}/coding/codebook/"),
        Shot("code", "lead", f"{p}/coding/codebook/{ids['code_business']}"),
        Shot("memos", "coder", f"{p}/coding/memos/"),
        Shot("agreement", "lead", f"{p}/coding/agreement", prepare=compare_coders,
             scroll_to="main form"),
        Shot("disagreements", "lead", f"{p}/coding/agreement/disagreements",
             prepare=settle_disagreements, scroll_to="#review"),
        Shot("retrieval", "lead", retrieve),
        Shot("matrix", "lead", f"{p}/coding/matrix"),
        Shot("search", "coder", f"{p}/coding/search?q=student+exchanges"),
        Shot("quotes", "lead", f"{p}/coding/quotes/"),
        Shot("exports", "lead", f"{p}/coding/exports"),
        Shot("exchange", "lead", f"{p}/coding/exchange"),
        Shot("audit", "lead", f"{p}/audit"),
        Shot("admin-users", "lead", "/admin/users"),
    ]


def save_small(page: Page, target: Path, full_page: bool) -> None:
    """A viewport (or full-page) screenshot, stored as a 256-colour PNG."""
    raw = target.with_suffix(".raw.png")
    page.screenshot(path=str(raw), full_page=full_page, animations="disabled", caret="hide")
    with Image.open(raw) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                      dither=Image.Dither.NONE).save(target, optimize=True)
    raw.unlink()


def take(browser: Browser, demo: Demo, selected: list[Shot], out: Path) -> None:
    for width, (w, h) in SIZES.items():
        pages: dict[str, Page] = {}
        contexts: list[BrowserContext] = []
        for shot in selected:
            if shot.role not in pages:
                context = browser.new_context(viewport={"width": w, "height": h}, **LOCALE)
                contexts.append(context)
                pages[shot.role] = log_in(context, demo, shot.role)
            page = pages[shot.role]
            response = page.goto(f"{demo.url}{shot.path}")
            if response is None or response.status >= 400:
                status = response.status if response else "no answer"
                print(f"  ! {shot.name}: {shot.path} answered {status}", file=sys.stderr)
            if shot.prepare is not None:
                shot.prepare(page)
            if shot.wait_for:
                page.wait_for_selector(shot.wait_for, state="attached", timeout=15_000)
            page.wait_for_load_state("networkidle")
            if shot.scroll_to:
                page.locator(shot.scroll_to).first.evaluate(
                    "el => el.scrollIntoView({block: 'start'})")
            else:
                page.evaluate("window.scrollTo(0, 0)")
            page.wait_for_timeout(200)
            target = out / f"{shot.name}-{width}.png"
            save_small(page, target, shot.full_page)
            print(f"  {target.relative_to(ROOT)}")
        for context in contexts:
            context.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="take only shots whose name contains one of these")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the PNG files")
    parser.add_argument("--keep", action="store_true", help="keep the demo instance folder")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        raise SystemExit(f"Chromium is needed at {CHROMIUM} (apt install chromium)")
    args.out.mkdir(parents=True, exist_ok=True)
    instance = Path(tempfile.mkdtemp(prefix="fieldwork-screenshots-"))
    try:
        with served_demo(instance) as demo, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True,
                args=["--no-sandbox", "--disable-gpu"],
            )
            demo.ids = read_ids(instance)
            print("Uploading and transcribing the demo interview …")
            add_recording(browser, demo, spoken_interview(instance))
            add_quotes(browser, demo)
            demo.ids = read_ids(instance)
            selected = [s for s in shots(demo.ids)
                        if not args.only or any(re.search(w, s.name) for w in args.only)]
            take(browser, demo, selected, args.out)
            browser.close()
    finally:
        if args.keep:
            print(f"The demo instance is kept in {instance}")
        else:
            shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
