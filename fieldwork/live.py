"""Live updates between people on the same page: a broker carries events on named channels to
every web process, each event with an id, so that a page whose connection dropped gets what
it missed; and who is present on each channel, kept by a heartbeat that expires.

One process (`fieldwork serve`): the in-memory broker. Several processes: Redis, when
REDIS_URL is set. Redis streams rather than pub/sub: a stream keeps the recent events, so a
page that reconnects to another process with its Last-Event-ID is sent what it missed, and a
blocking read waits for the next event as a subscription would (docs/architecture.md).
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from flask import Flask, current_app

try:  # the `redis` extra: only a setup with FIELDWORK_REDIS_URL needs it
    import redis
except ImportError:  # pragma: no cover - installs without the extra
    redis = None

#: events kept per channel for pages that reconnect
HISTORY = 500
#: events the in-memory broker keeps over all channels (a few megabytes)
MEMORY_EVENTS = 20_000
#: a Redis stream with no new event for this long is deleted (its pages reload)
STREAM_IDLE_S = 24 * 3600
#: how long a page counts as present after its last heartbeat, in seconds
PRESENCE_TTL_S = 30
#: how often an open stream renews its page's presence and resends who is present
HEARTBEAT_S = 10
#: how long a browser waits before it reconnects a stream that ended
RETRY_MS = 1000

log = logging.getLogger(__name__)
#: what a broker raises when it cannot be reached
BROKER_ERRORS: tuple[type[Exception], ...] = (redis.RedisError,) if redis else ()


@dataclass(frozen=True)
class Event:
    id: str
    data: dict[str, Any]


class Broker(Protocol):
    def publish(self, channel: str, data: dict[str, Any]) -> str: ...

    def cursor(self, channel: str) -> str: ...

    def events_after(self, channel: str, after: str) -> list[Event] | None: ...

    def wait(self, channel: str, after: str, timeout: float) -> list[Event] | None: ...

    def touch(self, channel: str, member: str, info: dict[str, Any]) -> bool: ...

    def leave(self, channel: str, member: str) -> bool: ...

    def present(self, channel: str) -> dict[str, dict[str, Any]]: ...


class MemoryBroker:
    """Events and presence in this process's memory, for the one-process setup. Event ids are
    the process's start token and a counter: an id from before a restart asks for a resync."""

    def __init__(self, presence_ttl: float = PRESENCE_TTL_S, history: int = HISTORY,
                 most_events: int = MEMORY_EVENTS) -> None:
        self.presence_ttl = presence_ttl
        self.keep, self.most_events = history, most_events
        self.changed = threading.Condition()
        self.boot = secrets.token_hex(4)
        self.counter = 0
        self.history: dict[str, deque[tuple[int, Event]]] = {}
        #: (channel, number) of every event kept, oldest first, to drop the oldest of all
        self.order: deque[tuple[str, int]] = deque()
        #: per channel, the number of the newest event dropped from its history
        self.dropped: dict[str, int] = {}
        self.members: dict[str, dict[str, tuple[float, dict[str, Any]]]] = {}

    def publish(self, channel: str, data: dict[str, Any]) -> str:
        with self.changed:
            self.counter += 1
            event = Event(f"{self.boot}-{self.counter}", data)
            kept = self.history.setdefault(channel, deque())
            kept.append((self.counter, event))
            self.order.append((channel, self.counter))
            if len(kept) > self.keep:
                self.dropped[channel] = kept.popleft()[0]
            while len(self.order) > self.most_events:
                self.drop_oldest(*self.order.popleft())
            self.changed.notify_all()
            return event.id

    def drop_oldest(self, channel: str, number: int) -> None:
        """Drop the oldest event of all, unless its channel's own limit dropped it already;
        a channel left empty is forgotten but for the number of its last event."""
        kept = self.history.get(channel)
        if kept and kept[0][0] == number:
            self.dropped[channel] = kept.popleft()[0]
            if not kept:
                del self.history[channel]

    def cursor(self, channel: str) -> str:
        with self.changed:
            return f"{self.boot}-{self.counter}"

    def number(self, event_id: str) -> int | None:
        boot, _, number = event_id.partition("-")
        return int(number) if boot == self.boot and number.isdigit() else None

    def events_after(self, channel: str, after: str) -> list[Event] | None:
        number = self.number(after)
        with self.changed:
            if number is None or number < self.dropped.get(channel, 0):
                return None
            return [event for n, event in self.history.get(channel, ()) if n > number]

    def wait(self, channel: str, after: str, timeout: float) -> list[Event] | None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                events = self.events_after(channel, after)
                left = deadline - time.monotonic()
                if events is None or events or left <= 0:
                    return events
                self.changed.wait(left)

    def touch(self, channel: str, member: str, info: dict[str, Any]) -> bool:
        with self.changed:
            members = self.members.setdefault(channel, {})
            fresh = member not in self.present(channel)
            members[member] = (time.time() + self.presence_ttl, info)
            return fresh

    def leave(self, channel: str, member: str) -> bool:
        with self.changed:
            return self.members.get(channel, {}).pop(member, None) is not None

    def present(self, channel: str) -> dict[str, dict[str, Any]]:
        now = time.time()
        with self.changed:
            members = self.members.get(channel, {})
            for member in [m for m, (until, _) in members.items() if until <= now]:
                del members[member]
            return {member: info for member, (_, info) in members.items()}


def stream_id(event_id: str) -> tuple[int, int] | None:
    """A Redis stream id ("1700000000000-3") as a pair of numbers; None when not one."""
    milliseconds, _, sequence = event_id.partition("-")
    if not (milliseconds.isdigit() and sequence.isdigit()):
        return None
    return int(milliseconds), int(sequence)


class RedisBroker:
    """Events in one Redis stream per channel (the newest HISTORY kept), presence in one hash
    per channel, shared by every web process on the same Redis and queue name."""

    def __init__(self, url: str, prefix: str, presence_ttl: float = PRESENCE_TTL_S) -> None:
        self.presence_ttl = presence_ttl
        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.prefix = f"{prefix}:live:"

    def key(self, channel: str) -> str:
        return self.prefix + channel

    def publish(self, channel: str, data: dict[str, Any]) -> str:
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.xadd(self.key(channel), {"data": json.dumps(data)}, maxlen=HISTORY,
                      approximate=True)
            pipe.expire(self.key(channel), STREAM_IDLE_S)
            return pipe.execute()[0]

    def cursor(self, channel: str) -> str:
        newest = self.redis.xrevrange(self.key(channel), count=1)
        return newest[0][0] if newest else "0-0"

    def missed_some(self, channel: str, after: tuple[int, int]) -> bool:
        """Whether events after `after` may have been trimmed from the stream: it is older
        than the oldest event kept, and some were trimmed (then, at worst, a needless
        resync)."""
        try:
            info = self.redis.xinfo_stream(self.key(channel))
        except redis.ResponseError:
            return False
        first = info.get("first-entry")
        if not first or (stream_id(first[0]) or (0, 0)) <= after:
            return False
        return int(info.get("entries-added", 0)) > int(info.get("length", 0))

    def events_after(self, channel: str, after: str) -> list[Event] | None:
        parsed = stream_id(after)
        if parsed is None or self.missed_some(channel, parsed):
            return None
        rows = self.redis.xrange(self.key(channel), min=f"({after}", count=HISTORY)
        return [Event(row_id, json.loads(fields["data"])) for row_id, fields in rows]

    def wait(self, channel: str, after: str, timeout: float) -> list[Event] | None:
        events = self.events_after(channel, after)
        if events is None or events:
            return events
        answer = self.redis.xread({self.key(channel): after}, block=max(1, int(timeout * 1000)))
        return [Event(row_id, json.loads(fields["data"]))
                for _key, rows in answer for row_id, fields in rows]

    def members_key(self, channel: str) -> str:
        return self.prefix + "present:" + channel

    def touch(self, channel: str, member: str, info: dict[str, Any]) -> bool:
        fresh = member not in self.present(channel)
        key = self.members_key(channel)
        self.redis.hset(key, member, json.dumps({"until": time.time() + self.presence_ttl,
                                                 "info": info}))
        self.redis.expire(key, max(1, int(self.presence_ttl * 2)))
        return fresh

    def leave(self, channel: str, member: str) -> bool:
        return bool(self.redis.hdel(self.members_key(channel), member))

    def present(self, channel: str) -> dict[str, dict[str, Any]]:
        key, now = self.members_key(channel), time.time()
        present, expired = {}, []
        for member, raw in self.redis.hgetall(key).items():
            entry = json.loads(raw)
            if entry["until"] > now:
                present[member] = entry["info"]
            else:
                expired.append(member)
        if expired:
            self.redis.hdel(key, *expired)
        return present


class StreamSlots:
    """Counts the streams open in this process, up to a cap, so that open pages never hold
    every thread of the web server; a page refused a slot polls instead."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.open = 0
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.open >= self.cap:
                return False
            self.open += 1
            return True

    def give_back(self) -> None:
        with self.lock:
            self.open -= 1

    def free(self) -> bool:
        with self.lock:
            return self.open < self.cap


def init_app(app: Flask) -> None:
    """The broker of this app: Redis when configured, else this process's memory."""
    url = app.config["REDIS_URL"]
    app.extensions["fieldwork.live"] = (RedisBroker(url, app.config["QUEUE_NAME"]) if url
                                        else MemoryBroker())
    app.extensions["fieldwork.live_slots"] = StreamSlots(app.config["LIVE_STREAMS"])


def broker() -> Broker:
    return current_app.extensions["fieldwork.live"]


def slots() -> StreamSlots:
    return current_app.extensions["fieldwork.live_slots"]


def publish_quietly(target: Broker, channel: str, data: dict[str, Any]) -> None:
    """Publish after the change was committed: a broker that is down costs the others their
    live view (their page still refreshes itself), never the change."""
    try:
        target.publish(channel, data)
    except BROKER_ERRORS as error:
        log.warning("A live update on %s was not sent: %s", channel, error)


def sse(data: dict[str, Any], event_id: str = "", kind: str = "") -> str:
    """One server-sent event; without an id the browser's Last-Event-ID stays as it was."""
    head = (f"id: {event_id}\n" if event_id else "") + (f"event: {kind}\n" if kind else "")
    return f"{head}data: {json.dumps(data, separators=(',', ':'))}\n\n"


@dataclass(frozen=True)
class Presence:
    """One page on a channel: its member key and what the others are shown about it."""

    channel: str
    member: str
    info: dict[str, Any]


def event_stream(target: Broker, presence: Presence, after: str, seconds: float,
                 visible: Callable[[dict[str, Any]], bool]) -> Iterator[str]:
    """The text of a stream that lasts `seconds`: a resync when `after` is unknown or too old,
    the events after it that `visible(data)` lets through, who is present every HEARTBEAT_S.
    The browser reconnects when it ends, with the last id it got."""
    yield f"retry: {RETRY_MS}\n\n"
    try:
        yield from stream_events(target, presence, after, seconds, visible)
    except BROKER_ERRORS as error:
        log.warning("A live-update stream ended: its broker failed: %s", error)


def stream_events(target: Broker, presence: Presence, after: str, seconds: float,
                  visible: Callable[[dict[str, Any]], bool]) -> Iterator[str]:
    channel = presence.channel
    if target.events_after(channel, after) is None:
        after = target.cursor(channel)
        yield sse({"reason": "reconnected"}, after, "resync")
    if target.touch(channel, presence.member, presence.info):
        publish_quietly(target, channel, {"kind": "presence"})
    yield sse(target.present(channel), kind="presence")
    ends = time.monotonic() + seconds
    beat = time.monotonic() + HEARTBEAT_S
    while (left := ends - time.monotonic()) > 0:
        events = target.wait(channel, after, min(left, beat - time.monotonic(), 5.0))
        if events is None:
            after = target.cursor(channel)
            yield sse({"reason": "missed"}, after, "resync")
            continue
        for event in events:
            after = event.id
            yield visible_event(target, channel, event, visible)
        if time.monotonic() >= beat:
            beat = time.monotonic() + HEARTBEAT_S
            target.touch(channel, presence.member, presence.info)
            yield sse(target.present(channel), kind="presence")


def visible_event(target: Broker, channel: str, event: Event,
                  visible: Callable[[dict[str, Any]], bool]) -> str:
    """An event as the page receives it: who is present after a presence change; only the id
    of an event it may not see (so that it reconnects after it)."""
    if event.data.get("kind") == "presence":
        return sse(target.present(channel), event.id, "presence")
    if visible(event.data):
        return sse(event.data, event.id)
    return f"id: {event.id}\n: hidden\n\n"
