"""The quote bank (excerpts chosen for the book), and the full-text index of sources."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, ForeignKey, String, Text, event, func, literal_column
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coding.models.codings import Coding
from coding.models.sources import Source
from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.folding import fold_character
from fieldwork.models import User

#: SQLite: an FTS5 index of the sources' folded text (see fieldwork.folding), kept by triggers
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS sources_fts USING fts5(text, tokenize='unicode61')",
    "CREATE TRIGGER IF NOT EXISTS sources_fts_insert AFTER INSERT ON sources BEGIN "
    "INSERT INTO sources_fts(rowid, text) VALUES (new.id, fold_text(new.text)); END",
    "CREATE TRIGGER IF NOT EXISTS sources_fts_delete AFTER DELETE ON sources BEGIN "
    "DELETE FROM sources_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS sources_fts_update AFTER UPDATE OF text ON sources BEGIN "
    "UPDATE sources_fts SET text = fold_text(new.text) WHERE rowid = new.id; END",
]
SQLITE_FTS_DROP = ["DROP TABLE IF EXISTS sources_fts"]

for statement in SQLITE_FTS:
    event.listen(Source.__table__, "after_create", DDL(statement).execute_if(dialect="sqlite"))
for statement in SQLITE_FTS_DROP:
    event.listen(Source.__table__, "before_drop", DDL(statement).execute_if(dialect="sqlite"))

#: PostgreSQL: a stored, generated column of the folded words (lower(text) with accented
#: Latin letters replaced as fieldwork.folding does; the "simple" configuration: no stemming,
#: as sources are in many languages) with a GIN index. It is not mapped: only search reads it.
PG_FOLD_FROM = "".join(
    c for c in map(chr, range(0xC0, 0x250))
    if c == c.lower() and fold_character(c) != c and len(fold_character(c)) == 1)
PG_FOLD_TO = "".join(fold_character(c) for c in PG_FOLD_FROM)
POSTGRES_FTS = [
    "ALTER TABLE sources ADD COLUMN IF NOT EXISTS text_fts tsvector GENERATED ALWAYS AS "
    f"(to_tsvector('simple', translate(lower(text), '{PG_FOLD_FROM}', '{PG_FOLD_TO}'))) STORED",
    "CREATE INDEX IF NOT EXISTS ix_sources_fts_words ON sources USING gin (text_fts)",
]
for statement in POSTGRES_FTS:
    event.listen(Source.__table__, "after_create", DDL(statement).execute_if(dialect="postgresql"))


def pg_matches_words(folded_words: str) -> Any:
    """The SQL condition: the source's folded words contain all of these (PostgreSQL)."""
    return literal_column("sources.text_fts").op("@@")(
        func.plainto_tsquery(literal_column("'simple'"), folded_words))


class Quote(db.Model):
    """An excerpt chosen for the book: its chapter, a note, and its place in the chapter."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    coding_id: Mapped[int] = mapped_column(
        ForeignKey("codings.id", ondelete="CASCADE"), unique=True
    )
    #: e.g. "3. Institutionalisation"; empty while not yet assigned
    chapter: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    #: order within the chapter, from 1
    position: Mapped[int] = mapped_column(default=1)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    coding: Mapped[Coding] = relationship()
    added_by: Mapped[User | None] = relationship()
