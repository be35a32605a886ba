"""The journey a team lives, in a real browser against the app served on 127.0.0.1, with a
real job worker and a fresh database, from a new project to a chapter in Word:

a) the lead creates the project, adds the team, loads the starter codebook (and gives
   “Business” a key) and records a partnership of Wrocław with Chengdu;
b) the interviewer plans a Washington interview in the weeks when only the US has moved its
   clocks (14–28 March 2027) and a Brussels interview after the EU has moved them too,
   reads both times side by side, and subscribes to their calendar (the feed is parsed);
c) uploads a recording of generated speech, watches the upload and the transcription reach
   done, corrects a word while listening and marks the transcript ready for coding;
d) two coders code it with the keyboard: one with the code's key, one with the type-ahead;
e) the lead reads the agreement table, retrieves the excerpts on business with Chinese
   partners, puts one in the quote bank for a chapter and downloads that chapter, which is
   opened with python-docx.

It is one test because each step needs the one before (and pytest-xdist may send the tests
of a module to different workers); each step is a function named for what it does.
"""

from __future__ import annotations

import difflib
import io
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.request import urlopen

import docx
import icalendar
import pytest
from playwright.sync_api import Locator, Page, expect

from casestudies.places import place_index
from coding.models import Coding, Quote, Source
from fieldwork.extensions import db
from fieldwork.models import User
from interviews.models import Interview
from interviews.transcripts.models import Transcript
from tests.audio import speak
from tests.coding.test_coding_browser import drag_over_words
from tests.conftest import LiveServer
from tests.journeys.conftest import Tabs

pytestmark = [pytest.mark.committed, pytest.mark.slow]

PROJECT = "EU–China cities"
#: what the participant says; espeak-ng reads the city's name without its Polish letter
SPOKEN = ("Our office in Brussels works for the city of Wroclaw and its partnership with "
          "Chengdu. Business with Chinese partners is growing: local companies now export "
          "machines to China.")
SAID = SPOKEN.replace("Wroclaw", "Wrocław")
CHAPTER = "Chapter 4: Business with Chinese partners"
#: the upload, Whisper on the worker, and the playback copy, on a slow machine
TRANSCRIBED_MS = 90_000


@dataclass
class Team:
    lead: User
    interviewer: User
    coders: tuple[User, User]
    project_id: int = 0
    partnership: str = ""
    interviews: dict[str, int] = field(default_factory=dict)
    transcript_id: int = 0
    source_id: int = 0


@pytest.fixture
def team(make_user: Callable[..., User]) -> Team:
    people = Team(
        lead=make_user("Agnieszka Lead"),
        interviewer=make_user("Piotr Interviewer"),
        coders=(make_user("Marta Coder"), make_user("Jan Coder")),
    )
    db.session.commit()
    return people


@pytest.fixture
def gazetteer(live_server: LiveServer) -> None:
    """The packaged places, loaded as an operator does after installing."""
    result = live_server.app.test_cli_runner().invoke(args=["places", "seed"])
    assert result.exit_code == 0, result.output
    assert "places added" in result.output
    # The server's first suggestion builds the index of every place's names (seconds); a
    # server that has run for a while has it, and this one shares the test's process.
    with live_server.app.app_context():
        assert place_index().match("Wrocław").candidates


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speak(SPOKEN, tmp_path_factory.mktemp("journey") / "office-in-brussels.wav")


# ---------- helpers: how a person finds their way ----------

def open_menu(tab: Page, group: str, entry: str) -> None:
    """Choose a page from a menu of the section bar."""
    sections = tab.get_by_role("navigation", name="Sections")
    sections.locator("summary").get_by_text(group, exact=True).click()
    sections.get_by_role("link", name=entry, exact=True).click()


def flash(tab: Page) -> Locator:
    return tab.locator(".flash-success")


def number_in_url(tab: Page, after: str) -> int:
    found = re.search(rf"/{after}/(\d+)", tab.url)
    assert found, f"no /{after}/<id> in {tab.url}"
    return int(found.group(1))


def choose(tab: Page, label: str, text: str) -> None:
    """Choose the option whose label contains `text`: typed into a searchable list and taken
    with Enter, as a reader does, or picked from a plain list."""
    searchable = tab.get_by_role("combobox", name=label, exact=True)
    if searchable.evaluate("element => element.tagName") == "SELECT":
        field = searchable
        option = field.locator("option", has_text=text)
        expect(option).to_have_count(1)
        field.select_option(option.get_attribute("value"))
        return
    searchable.fill(text)
    found = tab.locator(f"#{searchable.get_attribute('aria-controls')} [role=option]")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(text)
    searchable.press("Enter")
    searchable.press("Escape")


def select_words(tab: Page, words: str) -> None:
    """Drag the mouse over the words in the coding page's text, as a reader does."""
    drag_over_words(tab, words)
    expect(tab.locator("#coding-status")).to_contain_text("characters selected")


# ---------- a) the lead ----------

def lead_creates_the_project(tab: Page, team: Team) -> None:
    tab.get_by_role("button", name="New project").click()
    tab.get_by_label("Name").fill(PROJECT)
    tab.get_by_label("Description").fill("How EU cities cooperate with Chinese cities.")
    tab.get_by_role("button", name="Create project").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(PROJECT)
    team.project_id = number_in_url(tab, "projects")

    tab.get_by_role("link", name="Members").click()
    for user, role in ((team.interviewer, "interviewer"), (team.coders[0], "coder"),
                       (team.coders[1], "coder")):
        tab.get_by_label("Email of an existing account").fill(user.email)
        tab.get_by_label("Role", exact=True).select_option(role)
        tab.get_by_role("button", name="Add member").click()
        expect(flash(tab)).to_have_text(f"{user.name} added as {role}.")
    members = tab.get_by_role("table")
    for user in (team.lead, team.interviewer, *team.coders):
        expect(members).to_contain_text(user.email)


def lead_loads_the_starter_codebook(tab: Page) -> None:
    open_menu(tab, "Coding", "Codebook")
    expect(tab.get_by_text("The codebook is empty.")).to_be_visible()
    tab.get_by_role("button", name="Load the starter codebook").click()
    expect(flash(tab)).to_have_text(re.compile(r"^Starter codebook loaded: \d+ codes added"))
    tree = tab.locator(".code-tree")
    for name in ("Areas of cooperation", "Business", "Perceptions of Chinese partners"):
        expect(tree.get_by_role("link", name=name, exact=True)).to_be_visible()

    tree.get_by_role("link", name="Business", exact=True).click()
    tab.get_by_role("button", name="Edit").click()
    tab.get_by_label("Shortcut").fill("b")
    tab.get_by_role("button", name="Save code").click()
    expect(flash(tab)).to_be_visible()
    open_menu(tab, "Coding", "Codebook")
    business = tab.locator(".code-tree li", has=tab.get_by_role("link", name="Business",
                                                                   exact=True))
    expect(business.locator("kbd")).to_have_text("b")


def lead_records_a_partnership_with_a_chinese_city(tab: Page, team: Team) -> None:
    open_menu(tab, "Places & partnerships", "Partnerships")
    tab.get_by_role("button", name="Add a partnership").click()
    tab.wait_for_load_state()  # htmx listens for typing once its script has run
    for label, typed, side in (("EU city or region", "Wrocław", "eu"),
                               ("US or Chinese partner", "Chengdu", "partner")):
        tab.get_by_label(label).fill(typed)
        expect(tab.locator(f"#{side}-place-options option").first).to_have_attribute(
            "value", re.compile(typed), timeout=30_000)
    tab.get_by_label("Kind").select_option(label="Sister / twin city")
    tab.get_by_label("Status").select_option(label="Active")
    tab.get_by_label("Business").check()
    tab.get_by_role("button", name="Save").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Wrocław")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Chengdu")
    areas = tab.get_by_role("definition").filter(has_text="business")
    expect(areas).to_have_text("business")
    team.partnership = "Wrocław – 成都 (Chengdu)"  # as the partnership page names it


# ---------- b) the interviewer plans across daylight-saving weeks ----------

def interviewer_works_on_london_time(tab: Page, team: Team) -> None:
    tab.get_by_role("link", name=team.interviewer.name).click()
    tab.get_by_label("Time zone").select_option("Europe/London")
    tab.get_by_role("button", name="Save").click()
    expect(flash(tab)).to_be_visible()
    expect(tab.get_by_label("Time zone")).to_have_value("Europe/London")


def add_participant(tab: Page, team: Team, organisation: str, kind: str, role: str,
                    city: str, name: str) -> str:
    tab.goto(f"/projects/{team.project_id}/")
    open_menu(tab, "Interviews", "Participants")
    tab.get_by_role("button", name="Add a participant").click()
    tab.get_by_role("textbox", name="Organisation", exact=True).fill(organisation)
    tab.get_by_label("Type of organisation").select_option(label=kind)
    tab.get_by_label("Role").fill(role)
    tab.get_by_label("Or another city").fill(city)
    tab.get_by_label("Name").fill(name)
    tab.get_by_role("button", name="Save participant").click()
    expect(flash(tab)).to_contain_text("Record their consent next.")
    pseudonym = tab.get_by_role("heading", level=1).inner_text().removeprefix("Consent of ")
    tab.get_by_label("Recording allowed").check()
    tab.get_by_label("May be cited as").select_option("role")
    tab.get_by_label("Date consent was given").fill("2026-11-20")
    tab.get_by_role("button", name="Save consent").click()
    expect(flash(tab)).to_be_visible()
    return pseudonym


def plan_interview(tab: Page, team: Team, pseudonym: str, place: str, day: str,
                   time: str, viewer_line: str, partnership: str | None = None) -> int:
    open_menu(tab, "Interviews", "Interviews")
    tab.get_by_role("button", name="Plan an interview").click()
    choose(tab, "Participants", pseudonym)
    tab.get_by_label("Place", exact=True).select_option(label=place)
    tab.get_by_label("Date (local)").fill(day)
    tab.get_by_label("Start (local time)").fill(time)
    # the form says at once when that is for the one planning
    expect(tab.locator("#viewer-time")).to_have_text(viewer_line)
    if partnership:
        choose(tab, "Partnerships discussed", partnership)
    tab.get_by_role("button", name="Plan interview").click()
    expect(flash(tab)).to_contain_text("Interview saved.")
    return number_in_url(tab, "interviews")


def interviewer_plans_interviews_across_daylight_saving(tab: Page, team: Team) -> None:
    brussels = add_participant(tab, team, "Wrocław city office in Brussels",
                               "City or regional government in the EU",
                               "head of the city's office in Brussels", "Brussels",
                               "Ewa Kowalska")
    washington = add_participant(tab, team, "US Department of State", "US federal",
                                 "subnational diplomacy officer", "Washington, US",
                                 "John Smith")
    # 16 March 2027: New York is on summer time (since 14 March), London not yet (28 March)
    team.interviews["Washington"] = plan_interview(
        tab, team, washington, "Washington (US)", "2027-03-16", "10:00",
        "That is Tue 16 Mar, 14:00 in your zone (Europe/London); local zone America/New_York.")
    when = tab.locator("dd", has=tab.locator(".local-time"))
    expect(when.locator(".local-time")).to_contain_text("Tue 16 Mar 2027, 10:00–11:00")
    expect(when.locator(".local-time")).to_contain_text("local, America/New_York")
    expect(when.locator(".viewer-time")).to_have_text("Tue 16 Mar, 14:00–15:00 your time")
    # 30 March 2027: Brussels and London are both on summer time
    team.interviews["Brussels"] = plan_interview(
        tab, team, brussels, "Brussels (BE)", "2027-03-30", "10:00",
        "That is Tue 30 Mar, 09:00 in your zone (Europe/London); local zone Europe/Brussels.",
        team.partnership)
    expect(when.locator(".local-time")).to_contain_text("Tue 30 Mar 2027, 10:00–11:00")
    expect(when.locator(".local-time")).to_contain_text("local, Europe/Brussels")
    expect(when.locator(".viewer-time")).to_have_text("Tue 30 Mar, 09:00–10:00 your time")
    expect(tab.locator(".partnership-links")).to_contain_text("Wrocław")
    expect(tab.locator(".partnership-links")).to_contain_text("Chengdu")


def interviewer_subscribes_to_the_calendar(tab: Page, team: Team) -> None:
    open_menu(tab, "Interviews", "My interviews")
    tab.get_by_role("button", name="Make a subscription link").click()
    link = tab.get_by_label("Subscription link").input_value()
    assert link.endswith(".ics")
    with urlopen(link, timeout=10) as answer:
        assert answer.headers.get_content_type() == "text/calendar"
        calendar = icalendar.Calendar.from_ical(answer.read())
    events = {event.get("LOCATION", ""): event for event in calendar.walk("VEVENT")}
    starts = sorted((event.decoded("DTSTART"), event["DTSTART"].params.get("TZID"))
                    for event in calendar.walk("VEVENT"))
    assert [(start.astimezone(UTC), zone) for start, zone in starts] == [
        (datetime(2027, 3, 16, 14, 0, tzinfo=UTC), "America/New_York"),
        (datetime(2027, 3, 30, 8, 0, tzinfo=UTC), "Europe/Brussels"),
    ], events
    assert [start.strftime("%H:%M") for start, _ in starts] == ["10:00", "10:00"]
    zones = {zone["TZID"] for zone in calendar.walk("VTIMEZONE")}
    assert {"America/New_York", "Europe/Brussels"} <= zones


# ---------- c) the recording and its transcript ----------

def interviewer_uploads_the_recording(tab: Page, team: Team, recording: Path) -> None:
    tab.goto(f"/projects/{team.project_id}/interviews/{team.interviews['Brussels']}")
    expect(tab.locator("#recordings-list")).to_contain_text("No recording yet")
    tab.get_by_label("Add recording files").set_input_files(recording)
    tab.get_by_role("button", name="Upload").click()
    row = tab.locator(".upload-progress li")
    expect(row).to_have_class("upload-ok", timeout=TRANSCRIBED_MS)
    size = recording.stat().st_size
    assert row.locator("progress").evaluate("bar => [bar.value, bar.max]") == [size, size]
    listed = tab.locator("#recordings-list")
    expect(listed).to_contain_text(recording.name)
    # the worker transcribes it; the panel asks every two seconds how far it got
    expect(listed.locator(".badge.job-done")).to_be_visible(timeout=TRANSCRIBED_MS)
    expect(listed.get_by_role("link", name="Open")).to_be_visible()


@dataclass(frozen=True)
class Misheard:
    segment: int
    start: int
    end: int
    right: str


def first_misheard_words(texts: list[str]) -> Misheard:
    """The first words of the segments that differ from what was said (the segments are
    Whisper's, cut where the speaker seems to change)."""
    words = [(number, found.start(), found.end(), found.group())
             for number, text in enumerate(texts) for found in re.finditer(r"\S+", text)]
    said = SAID.split()
    matcher = difflib.SequenceMatcher(a=[w[3] for w in words], b=said, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace" and words[i1][0] == words[i2 - 1][0]:
            return Misheard(words[i1][0], words[i1][1], words[i2 - 1][2], " ".join(said[j1:j2]))
    raise AssertionError(f"Whisper heard every word as said: {texts}")


def interviewer_corrects_a_word_while_listening(tab: Page, team: Team) -> None:
    tab.locator("#recordings-list").get_by_role("link", name="Open").click()
    team.transcript_id = number_in_url(tab, "transcripts")
    expect(tab.locator("#waveform canvas").first).to_be_visible(timeout=TRANSCRIBED_MS)
    boxes = tab.get_by_role("textbox", name=re.compile(r"^Text from"))
    expect(boxes.first).to_be_visible()
    texts = [box.input_value() for box in boxes.all()]
    heard = " ".join(texts)
    assert "Brussels" in heard and "Chinese" in heard, heard
    wrong = first_misheard_words(texts)
    segment = tab.locator("article.segment").nth(wrong.segment)

    # play from the segment, then type the right words over the wrong ones while it plays
    segment.get_by_role("button", name=re.compile(r"^\d\d:\d\d:\d\d$")).click()
    expect(tab.get_by_role("button", name="Pause")).to_be_visible()
    box = boxes.nth(wrong.segment)
    box.evaluate("(area, range) => { area.focus(); area.setSelectionRange(...range); }",
                 [wrong.start, wrong.end])
    tab.keyboard.type(wrong.right)
    corrected = texts[wrong.segment][:wrong.start] + wrong.right + texts[wrong.segment][wrong.end:]
    expect(box).to_have_value(corrected)
    tab.keyboard.press("Control+s")
    expect(flash(tab)).to_have_text("Corrected 1 segment. Saved as a new version.")
    expect(boxes.nth(wrong.segment)).to_have_value(corrected)
    expect(tab.get_by_role("link", name="Versions (2)")).to_be_visible()

    tab.get_by_role("button", name="Mark ready for coding").click()
    expect(tab.locator(".page-head .badge")).to_have_text("Ready for coding")


# ---------- d) two coders ----------

def the_sentence_on_business(text: str) -> str:
    found = re.search(r"Business[^.!?]*(?:[.!?]|$)", text)
    assert found, text
    return found.group(0).strip()


def coder_opens_the_transcript(tab: Page, team: Team) -> str:
    tab.goto(f"/projects/{team.project_id}/")
    open_menu(tab, "Coding", "Sources")
    tab.get_by_role("table").get_by_role("link").first.click()
    team.source_id = number_in_url(tab, "sources")
    expect(tab.locator("#coding")).to_have_attribute("data-ready", "1")
    return the_sentence_on_business(tab.locator("#source-text").inner_text())


def first_coder_uses_the_key(tab: Page, team: Team) -> None:
    sentence = coder_opens_the_transcript(tab, team)
    select_words(tab, sentence)
    tab.keyboard.press("b")
    expect(tab.locator(".piece.coded")).to_have_text(sentence)
    expect(tab.locator("#coding-status")).to_contain_text("Business")


def second_coder_uses_the_type_ahead(tab: Page, team: Team) -> None:
    sentence = coder_opens_the_transcript(tab, team)
    words = sentence.rstrip(".!?")
    select_words(tab, words)
    tab.keyboard.press("/")
    expect(tab.get_by_role("searchbox")).to_be_focused()
    tab.keyboard.type("busin")
    chosen = tab.get_by_role("listbox", name="Codes").get_by_role("option", selected=True)
    expect(chosen).to_contain_text("Business")
    tab.keyboard.press("Enter")
    # the first coder's coding shows too (blind coding is off): the words both coded
    expect(tab.locator(".piece.multi")).to_have_text(words)


# ---------- e) the lead's analysis ----------

def lead_reads_the_agreement(tab: Page, team: Team) -> None:
    tab.goto(f"/projects/{team.project_id}/")
    open_menu(tab, "Coding", "Agreement")
    choose(tab, "Sources", "BE-CITY-01")
    for coder in sorted(team.coders, key=lambda user: user.name):
        choose(tab, "Coders", coder.name)
    tab.get_by_role("button", name="Compare").click()
    row = tab.locator("table.agreement").get_by_role(
        "row", name=re.compile(r"^Areas of cooperation › Business "))
    # one pair of coders: named once above the table, and each row holds their figures
    expect(tab.locator(".compared-pair")).to_have_text(
        " and ".join(sorted(c.name for c in team.coders)) + ":")
    cells = row.get_by_role("cell")
    all_text, coded_text = (float(cells.nth(n).inner_text().rstrip(" %")) for n in (0, 2))
    # they differ only by the full stop the second coder left out
    assert 95 < coded_text < all_text < 100, (coded_text, all_text)


def lead_retrieves_chinese_partners_and_business(tab: Page, team: Team) -> str:
    open_menu(tab, "Analysis", "Excerpts")
    choose(tab, "Codes", "Business")
    tab.get_by_text("Filter by what the sources are linked to").click()
    tab.get_by_label("Partner country").select_option(label="United States")
    tab.get_by_role("button", name="Show excerpts").click()
    expect(tab.get_by_text("No excerpt answers this query.")).to_be_visible()
    tab.get_by_label("Partner country").select_option(label="China")
    tab.get_by_role("button", name="Show excerpts").click()
    # one excerpt per coder: their words differ by a full stop
    expect(tab.get_by_role("heading", level=2)).to_have_text("2 excerpts")
    excerpts = tab.locator("blockquote.excerpt")
    footers = [excerpts.nth(n).locator("footer").inner_text() for n in range(2)]
    assert all("Areas of cooperation › Business" in footer for footer in footers), footers
    first = next(n for n, footer in enumerate(footers) if team.coders[0].name in footer)
    quoted = excerpts.nth(first).locator("mark").inner_text()
    tab.get_by_role("combobox", name="Chapter").nth(first).fill(CHAPTER)
    tab.get_by_role("button", name="Add to the quote bank").nth(first).click()
    expect(flash(tab)).to_be_visible()
    open_menu(tab, "Analysis", "Quote bank")
    chapter = tab.locator("section.chapter", has=tab.get_by_role("heading", name=CHAPTER))
    expect(chapter.locator("mark")).to_have_text(quoted)
    return quoted


def lead_downloads_the_chapter(tab: Page, team: Team, quoted: str, citation: str) -> None:
    open_menu(tab, "Analysis", "Exports")
    tab.get_by_label("What to export").select_option("excerpts_docx")
    choose(tab, "Group the excerpts", "chapter")
    tab.get_by_label("Chapter (when grouped by chapter)").select_option(CHAPTER)
    with tab.expect_download() as started:
        tab.get_by_role("button", name="Download").click()
    download = started.value
    assert download.suggested_filename.endswith(".docx")
    document = docx.Document(io.BytesIO(Path(download.path()).read_bytes()))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    texts = [text for _, text in paragraphs]
    assert CHAPTER in texts, texts
    quote = next(i for i, (_, text) in enumerate(paragraphs) if quoted in text)
    style, line = paragraphs[quote + 1]
    assert style == "Citation", paragraphs
    assert citation in line, line
    assert not any(word in line for word in ("Head of", "Brussels", "2027")), line


# ---------- the journey ----------

def test_from_a_new_project_to_a_chapter_in_word(
    tabs: Tabs, team: Team, gazetteer: None, job_worker: subprocess.Popen[bytes],
    recording: Path, files_dir: Path,
) -> None:
    lead = tabs.open(team.lead)
    lead_creates_the_project(lead, team)
    lead_loads_the_starter_codebook(lead)
    lead_records_a_partnership_with_a_chinese_city(lead, team)

    interviewer = tabs.open(team.interviewer)
    interviewer_works_on_london_time(interviewer, team)
    interviewer_plans_interviews_across_daylight_saving(interviewer, team)
    interviewer_subscribes_to_the_calendar(interviewer, team)

    interviewer_uploads_the_recording(interviewer, team, recording)
    interviewer_corrects_a_word_while_listening(interviewer, team)
    db.session.rollback()
    transcript = db.session.get(Transcript, team.transcript_id)
    assert transcript.status == "ready"
    source = db.session.scalar(db.select(Source).where(Source.transcript_id == transcript.id))
    assert source is not None and source.kind == "transcript"

    first_coder_uses_the_key(tabs.open(team.coders[0]), team)
    second_coder_uses_the_type_ahead(tabs.open(team.coders[1]), team)
    db.session.rollback()
    codings = db.session.scalars(db.select(Coding).where(Coding.source_id == source.id))
    assert sorted((c.coder.name, c.code.name) for c in codings) == sorted(
        (coder.name, "Business") for coder in team.coders)

    lead_reads_the_agreement(lead, team)
    quoted = lead_retrieves_chinese_partners_and_business(lead, team)
    interview = db.session.get(Interview, team.interviews["Brussels"])
    [participant] = interview.participants
    # consented to be cited by role only: a role category and the kind of place, with no
    # job title, city or date that would point to the person
    citation = f"A city official in a Belgian city of over 250,000 [{participant.pseudonym}, "
    lead_downloads_the_chapter(lead, team, quoted, citation)
    db.session.rollback()
    assert db.session.scalar(db.select(Quote.chapter)) == CHAPTER
