"""Coding together, live, within one process: every committed change to a source's codings,
memos and text reaches the pages open on it as server-sent events (or by polling), a page
that reconnects with its Last-Event-ID gets what it missed, presence, blind coding, and a
change against an older text refused."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from coding import live as coding_live
from coding.codings import set_blind
from coding.models import Code, Coding, Source
from coding.sources import edit_document_text
from fieldwork import jobs, live
from fieldwork.extensions import db
from fieldwork.models import Project, User
from tests.conftest import log_in

THREADED = {"wsgi.multithread": True}


@pytest.fixture(autouse=True)
def fresh_broker(app: Flask) -> Iterator[live.MemoryBroker]:
    """A broker of the test's own: sources of rolled-back tests share ids and would share
    channels, and a page of another test would still be present."""
    before = app.extensions["fieldwork.live"]
    app.extensions["fieldwork.live"] = broker = live.MemoryBroker()
    yield broker
    app.extensions["fieldwork.live"] = before


@pytest.fixture
def short_streams(app: Flask) -> Iterator[None]:
    """Streams of one second, so that a test reading one to its end does not wait 20 s."""
    before = app.config["LIVE_STREAM_SECONDS"]
    app.config["LIVE_STREAM_SECONDS"] = 1
    yield
    app.config["LIVE_STREAM_SECONDS"] = before


@pytest.fixture
def source(make_source: Callable[..., Source]) -> Source:
    return make_source()


@pytest.fixture
def code(make_code: Callable[..., Code]) -> Code:
    return make_code("Staff")


def base(source: Source) -> str:
    return f"/projects/{source.project_id}/coding/sources/{source.id}"


def read_events(client: FlaskClient, source: Source, last_id: str = "",
                environ: dict | None = None) -> list[dict]:
    """Every event of one stream, read to its end: [{"id", "event", "data"}]."""
    headers = {"Last-Event-ID": last_id} if last_id else {}
    response = client.get(f"{base(source)}/live?tab=t1", headers=headers,
                          environ_overrides=THREADED if environ is None else environ)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    text = response.get_data(as_text=True)
    response.close()  # as a WSGI server does: the stream gives its slot back
    events = []
    for block in text.split("\n\n"):
        fields: dict = {}
        for line in block.splitlines():
            name, _, value = line.partition(": ")
            if name in ("id", "event", "data"):
                fields[name] = json.loads(value) if name == "data" else value
        if fields:
            events.append(fields)
    return events


def apply(client: FlaskClient, source: Source, code: Code, words: str,
          text_version: int | None = None) -> tuple[int, dict]:
    start = source.text.index(words)
    response = client.post(f"{base(source)}/codings", json={
        "codes": [code.id], "start": start, "end": start + len(words),
        "textVersion": source.text_version if text_version is None else text_version})
    return response.status_code, response.get_json()


def changes(events: list[dict]) -> list[dict]:
    return [e["data"] for e in events if "event" not in e and "data" in e]


def cursor_of(events: list[dict]) -> str:
    return [e["id"] for e in events if "id" in e][-1]


@pytest.mark.usefixtures("short_streams")
def test_a_coders_new_changed_and_removed_codings_and_memos_reach_the_others_page(
        client_for: Callable, people: dict[str, User], source: Source, code: Code,
        make_code: Callable[..., Code]) -> None:
    lead, coder = client_for(people["lead"]), client_for(people["coder"])
    opened = read_events(lead, source)
    assert opened[0]["event"] == "resync"  # a new page loads everything once, then follows
    status, made = apply(coder, source, code, "Urząd miasta")
    assert status == 200
    coding_id = made["codings"][0]["id"]
    other = make_code("Offices abroad")
    assert coder.post(f"/projects/{source.project_id}/coding/codings/{coding_id}/code",
                      json={"code": other.id}).status_code == 200
    assert coder.post(f"/projects/{source.project_id}/coding/codings/{coding_id}/memo",
                      json={"memo": "Only one person"}).status_code == 200
    assert coder.post(
        f"/projects/{source.project_id}/coding/codings/{coding_id}/remove").status_code == 200

    seen = changes(read_events(lead, source, cursor_of(opened)))

    start = source.text.index("Urząd miasta")
    assert [(c["kind"], c.get("op")) for c in seen] == [
        ("coding", "add"), ("coding", "change"), ("memo", None), ("coding", "remove")]
    assert seen[0]["coding"] == {"id": coding_id, "code": code.id, "coder": people["coder"].id,
                                 "start": start, "end": start + len("Urząd miasta"),
                                 "review": False, "memo": False}
    assert seen[1]["coding"]["code"] == other.id
    assert seen[2]["coding"] == {"id": coding_id, "memo": True}
    assert seen[3]["coding"] == {"id": coding_id}


@pytest.mark.usefixtures("short_streams")
def test_a_page_that_reconnects_gets_what_it_missed_and_a_stale_id_asks_for_a_reload(
        client_for: Callable, people: dict[str, User], source: Source, code: Code) -> None:
    lead, coder = client_for(people["lead"]), client_for(people["coder"])
    first = read_events(lead, source)
    apply(coder, source, code, "Urząd miasta")
    second = read_events(lead, source, cursor_of(first))
    apply(coder, source, code, "jedną osobę")
    apply(coder, source, code, "Współpraca")

    third = read_events(lead, source, cursor_of(second))

    assert [c["coding"]["start"] for c in changes(third)] == [
        source.text.index("jedną osobę"), source.text.index("Współpraca")]
    after_restart = read_events(lead, source, "0f0f0f0f-3")
    assert after_restart[0]["event"] == "resync"
    assert changes(after_restart) == []


def test_a_rolled_back_change_is_never_sent(app: Flask, people: dict[str, User],
                                            source: Source, code: Code,
                                            code_words: Callable) -> None:
    broker = live.broker()
    before = broker.cursor(f"source:{source.id}")
    db.session.commit()
    code_words(source, code, "Współpraca")
    db.session.rollback()
    code_words(source, code, "jedną osobę")
    savepoint = db.session.begin_nested()
    code_words(source, code, "Urząd miasta")
    savepoint.rollback()
    db.session.commit()

    sent = broker.events_after(f"source:{source.id}", before)

    assert [e.data["coding"]["start"] for e in sent] == [source.text.index("jedną osobę")]


@pytest.mark.usefixtures("short_streams")
def test_under_blind_coding_a_coder_receives_only_their_own_codings(
        client_for: Callable, people: dict[str, User], project: Project, source: Source,
        code: Code) -> None:
    set_blind(project, True, people["lead"])
    db.session.commit()
    lead, coder = client_for(people["lead"]), client_for(people["coder"])
    opened = read_events(coder, source)
    apply(lead, source, code, "Urząd miasta")
    apply(coder, source, code, "jedną osobę")

    events = read_events(coder, source, cursor_of(opened))

    assert [c["coder"] for c in changes(events)] == [people["coder"].id]
    # the hidden one still moves the page's Last-Event-ID on
    assert len([e for e in events if "id" in e and "event" not in e]) == 2


@pytest.mark.usefixtures("short_streams")
def test_the_others_present_on_a_source_are_shown_until_they_leave(
        client_for: Callable, people: dict[str, User], source: Source) -> None:
    lead, viewer = client_for(people["lead"]), client_for(people["viewer"])
    poll = f"{base(source)}/live/poll?tab=v1"
    assert viewer.get(poll, environ_overrides=THREADED).status_code == 200

    events = read_events(lead, source)

    present = next(e["data"] for e in events if e.get("event") == "presence")
    assert sorted((p["name"], p["codes"]) for p in present.values()) == [
        ("Lead", True), ("Viewer", False)]
    assert viewer.post(f"{base(source)}/live/leave", data={"tab": "v1"}).status_code == 204
    assert [p["name"] for p in lead.get(f"{base(source)}/live/poll?tab=t1")
            .get_json()["present"].values()] == ["Lead"]


def test_presence_expires_without_a_heartbeat() -> None:
    broker = live.MemoryBroker(presence_ttl=0.2)
    assert broker.touch("source:1", "7:a", {"name": "Ewa"}) is True
    assert broker.touch("source:1", "7:a", {"name": "Ewa"}) is False
    assert broker.present("source:1") == {"7:a": {"name": "Ewa"}}
    time.sleep(0.3)
    assert broker.present("source:1") == {}


def test_a_page_polls_when_the_server_answers_one_request_per_process(
        client_for: Callable, people: dict[str, User], source: Source, code: Code) -> None:
    lead, coder = client_for(people["lead"]), client_for(people["coder"])
    single = read_events(lead, source, environ={"wsgi.multithread": False})
    assert single == [{"event": "poll", "data": {"every": 1000}}]
    poll = f"{base(source)}/live/poll?tab=p1"
    first = lead.get(poll).get_json()
    assert first["resync"] is True and first["stream"] is False
    apply(coder, source, code, "Urząd miasta")

    then = lead.get(f"{poll}&after={first['cursor']}").get_json()

    assert then["resync"] is False
    assert [e["data"]["coding"]["coder"] for e in then["events"]] == [people["coder"].id]


@pytest.mark.usefixtures("short_streams")
def test_pages_beyond_the_stream_cap_poll_and_the_slot_comes_back(
        app: Flask, client_for: Callable, people: dict[str, User], source: Source) -> None:
    lead = client_for(people["lead"])
    held = app.extensions["fieldwork.live_slots"]
    taken = sum(held.take() for _ in range(held.cap))
    try:
        assert read_events(lead, source)[0]["event"] == "poll"
    finally:
        for _ in range(taken):
            held.give_back()
    assert read_events(lead, source)[0]["event"] == "resync"
    assert held.open == 0


@pytest.mark.usefixtures("short_streams")
def test_a_change_against_an_older_text_is_refused_in_words_and_pages_learn_of_the_new_text(
        client_for: Callable, people: dict[str, User], source: Source, code: Code) -> None:
    lead, coder = client_for(people["lead"]), client_for(people["coder"])
    opened = read_events(coder, source)
    old_version = source.text_version
    edit_document_text(source, source.text.replace("Urząd", "Magistrat"), people["lead"])
    db.session.commit()

    status, answer = apply(coder, source, code, "jedną osobę", text_version=old_version)
    events = read_events(coder, source, cursor_of(opened))

    assert status == 400
    assert "text was changed since this page was opened" in answer["error"]
    assert {"kind": "text", "textVersion": old_version + 1} in changes(events)
    assert lead.get(f"{base(source)}/data").get_json()["textVersion"] == old_version + 1


def test_a_transaction_that_changes_many_codings_asks_the_pages_to_reload_once(
        people: dict[str, User], make_source: Callable[..., Source], code: Code) -> None:
    source = make_source("Współpraca miast. " * 30)
    broker = live.broker()
    before = broker.cursor(f"source:{source.id}")
    db.session.add_all(Coding(project_id=source.project_id, source_id=source.id,
                              code_id=code.id, coder_id=people["coder"].id, start=n,
                              end=n + 1, quote=source.text[n])
                       for n in range(coding_live.MOST_EVENTS + 1))
    db.session.commit()

    sent = broker.events_after(f"source:{source.id}", before)

    assert [e.data for e in sent] == [{"kind": "reload"}]


def test_the_in_memory_broker_keeps_a_bounded_history_and_pages_beyond_it_reload() -> None:
    per_channel = live.MemoryBroker(history=3)
    start = per_channel.cursor("a")
    for n in range(4):
        per_channel.publish("a", {"n": n})
    assert per_channel.events_after("a", start) is None  # the oldest was dropped
    in_all = live.MemoryBroker(history=10, most_events=3)
    start = {name: in_all.cursor(name) for name in ("a", "b", "c")}
    for name in ("a", "b", "b", "c"):
        in_all.publish(name, {"n": name})

    assert in_all.events_after("a", start["a"]) is None  # the oldest of all made room
    assert [e.data["n"] for e in in_all.events_after("b", start["b"])] == ["b", "b"]
    assert [e.data["n"] for e in in_all.events_after("c", start["c"])] == ["c"]
    assert "a" not in in_all.history


def test_a_coding_is_saved_when_the_broker_cannot_be_reached(
        make_app: Callable[..., Flask], app: Flask, people: dict[str, User], source: Source,
        code: Code, caplog: pytest.LogCaptureFixture) -> None:
    unreachable = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    try:
        coder = log_in(unreachable.test_client(), people["coder"])
        status, made = apply(coder, source, code, "Urząd miasta")
        stream = coder.get(f"{base(source)}/live?tab=t1", environ_overrides=THREADED)
        text = stream.get_data(as_text=True)
        stream.close()
    finally:
        jobs.configure_queue(app)

    assert status == 200
    assert db.session.get(Coding, made["codings"][0]["id"]) is not None
    assert "A live update on source:" in caplog.text
    assert text == "retry: 1000\n\n"  # the page tries again a second later
