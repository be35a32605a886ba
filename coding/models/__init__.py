"""Sources, the codebook and its history, codings, memos, coding settings, consensus decisions,
the quote bank and code suggestions."""

from coding.models.analysis import (
    SQLITE_FTS,
    SQLITE_FTS_DROP,
    Quote,
    pg_matches_words,
)
from coding.models.codebook import Code, CodebookChange
from coding.models.codings import CoderIdentity, Coding, CodingSettings, ConsensusDecision, Memo
from coding.models.sources import KINDS, Source, source_partnerships, source_places
from coding.models.suggestions import CodeSuggestion

__all__ = [
    "KINDS",
    "SQLITE_FTS",
    "SQLITE_FTS_DROP",
    "Code",
    "CodeSuggestion",
    "CodebookChange",
    "CoderIdentity",
    "Coding",
    "CodingSettings",
    "ConsensusDecision",
    "Memo",
    "Quote",
    "Source",
    "pg_matches_words",
    "source_partnerships",
    "source_places",
]
