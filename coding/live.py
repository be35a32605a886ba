"""Coding together, live: every committed change to a source's codings, to the memos on them
and to its text is published on the source's channel (fieldwork.live), and each page open on
the source receives it, as a server-sent event or, when it may not hold a stream, by polling.

Changes are collected by SQLAlchemy events as they are flushed and published once their
transaction commits (nothing of a rolled-back change is sent), so the functions that change
codings know nothing of this. Changes made by bulk statements (a code merge, a withdrawal)
are not seen here: pages catch up with them on their periodic refresh.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, has_app_context, request
from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, SessionTransaction, object_session

from coding.codings import Viewer
from coding.models import Coding, Memo, Source
from fieldwork import live
from fieldwork.extensions import db
from fieldwork.permissions import roles_with

#: session.info key: the changes flushed in the open transaction, published on commit
PENDING = "fieldwork.live_pending"
#: session.info key: where each open SAVEPOINT began in the pending changes
SAVEPOINTS = "fieldwork.live_savepoints"
#: session.info key: sources changed beyond what is kept in detail, sent as one "reload"
OVERFLOW = "fieldwork.live_overflow"
#: more changes than this to one source in one transaction are sent as one "reload"
MOST_EVENTS = 200
#: changes kept in detail per transaction: an import of 100,000 codings keeps no more
MOST_PENDING = 2000
#: how often a page without a stream asks for changes, in milliseconds
POLL_MS = 1000
TAB = re.compile(r"[A-Za-z0-9]{1,32}")


def channel(source_id: int) -> str:
    return f"source:{source_id}"


def note(target: Any, source_id: int | None, data: dict[str, Any]) -> None:
    session = object_session(target)
    if session is None or source_id is None:
        return
    pending = session.info.setdefault(PENDING, [])
    if len(pending) < MOST_PENDING:
        pending.append((source_id, data))
    else:
        session.info.setdefault(OVERFLOW, set()).add(source_id)


def coding_fields(coding: Coding) -> dict[str, Any]:
    return {"id": coding.id, "code": coding.code_id, "coder": coding.coder_id,
            "start": coding.start, "end": coding.end, "review": bool(coding.needs_review)}


def on_coding_added(_mapper: Any, _connection: Connection, coding: Coding) -> None:
    note(coding, coding.source_id, {"kind": "coding", "op": "add", "coder": coding.coder_id,
                                    "coding": {**coding_fields(coding), "memo": False}})


def on_coding_changed(_mapper: Any, _connection: Connection, coding: Coding) -> None:
    note(coding, coding.source_id, {"kind": "coding", "op": "change", "coder": coding.coder_id,
                                    "coding": coding_fields(coding)})


def on_coding_removed(_mapper: Any, _connection: Connection, coding: Coding) -> None:
    note(coding, coding.source_id, {"kind": "coding", "op": "remove", "coder": coding.coder_id,
                                    "coding": {"id": coding.id}})


def coding_of_memo(memo: Memo, connection: Connection) -> tuple[int, int] | None:
    """(source id, coder id) of the coding a memo is on: from the session when it holds the
    coding (it does when the memo was written through it), else from the database."""
    session = object_session(memo)
    coding = session.identity_map.get(inspect(Coding).identity_key_from_primary_key(
        (memo.coding_id,))) if session is not None else None
    if coding is not None:
        return coding.source_id, coding.coder_id
    row = connection.execute(db.select(Coding.source_id, Coding.coder_id)
                             .where(Coding.id == memo.coding_id)).first()
    return (row[0], row[1]) if row else None


def memo_noter(has_memo: bool) -> Callable[[Any, Connection, Memo], None]:
    def on_memo(_mapper: Any, connection: Connection, memo: Memo) -> None:
        found = coding_of_memo(memo, connection) if memo.coding_id else None
        if found is not None:
            note(memo, found[0], {"kind": "memo", "coder": found[1],
                                  "coding": {"id": memo.coding_id, "memo": has_memo}})

    return on_memo


def on_source_changed(_mapper: Any, _connection: Connection, source: Source) -> None:
    if inspect(source).attrs.text_version.history.has_changes():
        note(source, source.id, {"kind": "text", "textVersion": source.text_version})


def publish_pending(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    overflow = session.info.pop(OVERFLOW, set())
    if not (pending or overflow) or not has_app_context():
        return
    by_source: dict[int, list[dict[str, Any]]] = {}
    for source_id, data in pending:
        by_source.setdefault(source_id, []).append(data)
    for source_id in overflow:
        by_source[source_id] = [{"kind": "reload"}]
    target = live.broker()
    for source_id, events in by_source.items():
        if len(events) > MOST_EVENTS:
            events = [{"kind": "reload"}]
        for data in events:
            live.publish_quietly(target, channel(source_id), data)


def mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    """Remember where a SAVEPOINT began among the changes, to drop those it rolls back."""
    if transaction.nested:
        session.info.setdefault(SAVEPOINTS, {})[id(transaction)] = len(
            session.info.get(PENDING, []))


def drop_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    began = session.info.get(SAVEPOINTS, {}).pop(id(transaction), 0)
    if not transaction.nested:
        began = 0
        session.info.pop(SAVEPOINTS, None)
        session.info.pop(OVERFLOW, None)
    del session.info.get(PENDING, [])[began:]


def connect_publishing() -> None:
    """Connect once per process (blinker-like: SQLAlchemy keeps one listener per function)."""
    for kind, listener in (("after_insert", on_coding_added), ("after_update", on_coding_changed),
                           ("after_delete", on_coding_removed)):
        if not event.contains(Coding, kind, listener):
            event.listen(Coding, kind, listener)
    for kind, listener in (("after_insert", MEMO_WRITTEN), ("after_update", MEMO_WRITTEN),
                           ("after_delete", MEMO_REMOVED)):
        if not event.contains(Memo, kind, listener):
            event.listen(Memo, kind, listener)
    if not event.contains(Source, "after_update", on_source_changed):
        event.listen(Source, "after_update", on_source_changed)
    if not event.contains(Session, "after_commit", publish_pending):
        event.listen(Session, "after_commit", publish_pending)
        event.listen(Session, "after_transaction_create", mark_savepoint)
        event.listen(Session, "after_soft_rollback", drop_rolled_back)


MEMO_WRITTEN = memo_noter(True)
MEMO_REMOVED = memo_noter(False)


@dataclass(frozen=True)
class Watcher:
    """A page open on a source: who, whether blind coding hides the others' codings from
    them, and which tab (one person may have the source open twice)."""

    source_id: int
    user_id: int
    name: str
    codes: bool
    sees_only_own: bool
    tab: str

    @property
    def presence(self) -> live.Presence:
        return live.Presence(channel(self.source_id), f"{self.user_id}:{self.tab}",
                             {"user": self.user_id, "name": self.name, "codes": self.codes})

    def sees(self, data: dict[str, Any]) -> bool:
        """Under blind coding a coder is sent only their own codings and memos."""
        return (not self.sees_only_own or data.get("kind") not in ("coding", "memo")
                or data.get("coder") == self.user_id)


def watcher(source: Source, viewer: Viewer, tab: str) -> Watcher:
    return Watcher(source.id, viewer.user.id, viewer.user.name,
                   viewer.role in roles_with("coding.edit"), viewer.sees_only_own,
                   tab if TAB.fullmatch(tab) else "page")


def took_stream_slot() -> bool:
    """A stream holds a thread for its whole life: never on a server with one thread per
    process (gunicorn's sync workers), and only while this process has a stream slot."""
    return bool(request.environ.get("wsgi.multithread")) and live.slots().take()


def stream(who: Watcher, after: str) -> Response:
    """The page's event stream; when it may not have one, one event telling it to poll."""
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    if not took_stream_slot():
        return Response(live.sse({"every": POLL_MS}, kind="poll"),
                        mimetype="text/event-stream", headers=headers)
    body = live.event_stream(live.broker(), who.presence, after,
                             current_app.config["LIVE_STREAM_SECONDS"], who.sees)
    response = Response(body, mimetype="text/event-stream", headers=headers)
    response.call_on_close(live.slots().give_back)
    return response


def arrive(who: Watcher) -> dict[str, dict[str, Any]]:
    """Renew the page's presence (telling the others when it is new); who is present."""
    target, presence = live.broker(), who.presence
    if target.touch(presence.channel, presence.member, presence.info):
        live.publish_quietly(target, presence.channel, {"kind": "presence"})
    return target.present(presence.channel)


def poll(who: Watcher, after: str) -> dict[str, Any]:
    """What a polling page missed since `after`: the changes it may see, the new cursor,
    or a resync when `after` is too old; who is present; whether a stream is free now."""
    target, name = live.broker(), channel(who.source_id)
    present = arrive(who)
    events = target.events_after(name, after)
    stream_free = bool(request.environ.get("wsgi.multithread")) and live.slots().free()
    if events is None:
        return {"resync": True, "cursor": target.cursor(name), "events": [],
                "present": present, "stream": stream_free}
    return {"resync": False, "cursor": events[-1].id if events else after,
            "events": [{"id": e.id, "data": e.data} for e in events
                       if e.data.get("kind") != "presence" and who.sees(e.data)],
            "present": present, "stream": stream_free}


def leave(who: Watcher) -> None:
    target, presence = live.broker(), who.presence
    if target.leave(presence.channel, presence.member):
        live.publish_quietly(target, presence.channel, {"kind": "presence"})
