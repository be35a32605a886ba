"""The quote bank (excerpts chosen for the book), and the full-text index of sources."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, ForeignKey, Index, String, Text, event, func, literal_column
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

#: PostgreSQL: the folded text is lower(text) with accented Latin letters replaced as
#: fieldwork.folding does, indexed by word (the "simple" configuration: no stemming, as
#: sources are in many languages)
PG_FOLD_FROM = "".join(
    c for c in map(chr, range(0xC0, 0x250))
    if c == c.lower() and fold_character(c) != c and len(fold_character(c)) == 1)
PG_FOLD_TO = "".join(fold_character(c) for c in PG_FOLD_FROM)


def pg_folded_words(column: Any) -> Any:
    """The SQL expression of a text column's folded words (PostgreSQL)."""
    return func.to_tsvector(literal_column("'simple'"), func.translate(
        func.lower(column), literal_column(f"'{PG_FOLD_FROM}'"),
        literal_column(f"'{PG_FOLD_TO}'")))


Index("ix_sources_fts_words", pg_folded_words(Source.text),
      postgresql_using="gin").ddl_if(dialect="postgresql")


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
